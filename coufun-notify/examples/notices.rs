//! `cargo run --example notices`: the COUFUN sandbox and a merchant's receiver
//! on SQLite (a temporary file), end to end over HTTP on 127.0.0.1.
//!
//! A 10,000 won stored-value coupon is issued through the sandbox's create call,
//! then a shop uses it in three parts and cancels the last part, through the
//! sandbox's admin redeem routes. The sandbox POSTs an exchange notice for each
//! event; an injected fault throws away the receiver's first answer to two of
//! them, so the sandbox delivers those again, as COUFUN does when it gets no
//! answer. Prints each notice the handler saw, the duplicate deliveries the
//! receiver absorbed, and the merchant's table.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use coufun_api::notice::ExchangeNotice;
use coufun_notify::{AllowList, HandlerError, Receiver, SqliteStore, tx_handler_fn};
use coufun_sandbox::notices::{AttemptResult, NoticeSenderConfig};
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};
use sqlx::{Sqlite, Transaction};

type Failure = Box<dyn std::error::Error>;

/// A 10,000 won stored-value voucher of the sandbox's built-in catalogue.
const VOUCHER: &str = "0000200003";

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // The merchant: a receiver on SQLite, its handler writing one row per notice
    // in the receiver's transaction (exactly once, even across a crash).
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path().join("merchant.db")).await?;
    sqlx::query("CREATE TABLE uses (approval TEXT, state TEXT, amount INTEGER, balance INTEGER)")
        .execute(store.pool())
        .await?;
    let handler = tx_handler_fn(
        |tx: &mut Transaction<'static, Sqlite>, n: &ExchangeNotice| {
            Box::pin(async move {
                println!(
                    "  handler saw: coupon {} approval {} state {} ({}) at {} in {} [{}]: {} won, balance {}",
                    coufun_api::notice::mask(n.coupon_number.as_str()),
                    n.approval_number,
                    coufun_api::notice::reported_wire(&n.state),
                    n.state.known().map_or("?", |s| s.doc()),
                    n.time.to_iso8601(),
                    n.branch_name.as_deref().unwrap_or("-"),
                    n.branch_code.as_deref().unwrap_or("-"),
                    n.price,
                    n.balance
                );
                sqlx::query("INSERT INTO uses VALUES (?, ?, ?, ?)")
                    .bind(&n.approval_number)
                    .bind(coufun_api::notice::reported_wire(&n.state).into_owned())
                    .bind(n.price)
                    .bind(n.balance)
                    .execute(&mut **tx)
                    .await?;
                Ok::<(), HandlerError>(())
            })
        },
    );
    let receiver = Receiver::new(
        store.clone(),
        handler,
        AllowList::only([IpAddr::V4(Ipv4Addr::LOCALHOST)]),
    );
    let app = axum::Router::new().nest("/coufun/exchange", receiver.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/coufun/exchange", listener.local_addr()?);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    println!("merchant's receiver at {url}");

    // COUFUN: the sandbox, sending its notices there. Retries every 50 ms
    // (COUFUN: 10 minutes); the answers to POSTs 1 and 3 are lost on the way back.
    let notices = NoticeSenderConfig::new(url)
        .retry_interval(Duration::from_millis(50))
        .lose_answers([1, 3]);
    let sandbox = Sandbox::start(SandboxConfig::default().with_notices(notices)).await?;
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{}coufunCreate.do", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "POC_ID={DEFAULT_POC_ID}&GOODS_ID={VOUCHER}&CREATE_CNT=1&TR_ID=example-notices"
        ))
        .send()
        .await?
        .bytes()
        .await?;
    if !String::from_utf8_lossy(&created).contains("<RESULT_CODE>00</RESULT_CODE>") {
        return Err("the sandbox did not create the coupon".into());
    }
    let coupon = sandbox
        .ledger()
        .order_by_tr_id("example-notices")
        .and_then(|order| order.coupons.first().map(|c| c.coupon_number.clone()))
        .ok_or("no coupon in the ledger")?;
    println!(
        "sandbox at {}: coupon {coupon} of 10,000 won issued\n",
        sandbox.base_url()
    );

    // The shop: three uses, then the last one cancelled.
    for (route, amount) in [
        ("redeem", 3_000),
        ("redeem", 5_000),
        ("redeem", 2_000),
        ("cancel-use", 2_000),
    ] {
        println!("shop: {route} {amount} won");
        let answer = http
            .post(format!(
                "http://{}/_admin/coupons/{coupon}/{route}?amount={amount}",
                sandbox.addr()
            ))
            .send()
            .await?;
        if !answer.status().is_success() {
            return Err(format!("{route}: {}", answer.text().await?).into());
        }
        if !sandbox.wait_for_notices(Duration::from_secs(30)).await {
            return Err("the notice was not delivered".into());
        }
    }

    println!("\nthe sandbox's delivery log (its ledger):");
    let deliveries = sandbox.ledger().notices;
    let mut processed = std::collections::HashSet::new();
    let mut absorbed = 0;
    for record in &deliveries {
        let code = record.result.code().map_or("--", |c| c.as_str());
        let id = record.result.exchange_id().unwrap_or("-");
        let note = match &record.result {
            AttemptResult::AnswerLost { .. } => "  (answer lost: the sandbox sends it again)",
            AttemptResult::Failed { .. } => "  (failed)",
            _ if !processed.insert(record.approval_number.clone()) => {
                absorbed += 1;
                "  (duplicate absorbed: same EXCHANGE_ID, handler not called)"
            }
            _ => "",
        };
        if matches!(record.result, AttemptResult::AnswerLost { .. }) {
            processed.insert(record.approval_number.clone());
        }
        println!(
            "  POST {} approval {} state {} attempt {} -> {code} EXCHANGE_ID {id}{note}",
            record.index, record.approval_number, record.state, record.attempt
        );
    }

    let rows: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT approval, state, amount, balance FROM uses ORDER BY approval")
            .fetch_all(store.pool())
            .await?;
    println!("\nthe merchant's table:");
    for (approval, state, amount, balance) in &rows {
        println!("  {approval} {state} {amount:>6} {balance:>6}");
    }
    println!(
        "\n{} deliveries, {absorbed} duplicates absorbed, {} notices processed, {} rows",
        deliveries.len(),
        processed.len(),
        rows.len()
    );
    let last = rows
        .last()
        .map(|(_, state, _, balance)| (state.as_str(), *balance));
    if rows.len() != 4 || absorbed != 2 || last != Some(("000", 2_000)) {
        return Err(
            "expected 4 rows (the last a use-cancel, 000, balance 2000) and 2 duplicates absorbed"
                .into(),
        );
    }
    sandbox.shutdown().await;
    Ok(())
}
