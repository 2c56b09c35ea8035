//! `cargo run --example notices`: a merchant's receiver on SQLite (a temporary
//! file) and the sandbox's notice sender. A stored-value coupon of 10,000 won is
//! used in three parts; COUFUN-style, every notice is
//! delivered twice. Prints each notice the handler saw and the duplicates the
//! receiver absorbed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use coufun_api::notice::{
    CouponNumber, ExchangeNotice, ExchangeTime, NoticeCouponType, NoticeState,
};
use coufun_notify::{AllowList, HandlerError, Receiver, SqliteStore, tx_handler_fn};
use coufun_sandbox::notices::{AttemptResult, NoticeSender, NoticeSenderConfig};
use sqlx::{Sqlite, Transaction};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path().join("merchant.db")).await?;
    sqlx::query("CREATE TABLE uses (approval TEXT, state TEXT, amount INTEGER, balance INTEGER)")
        .execute(store.pool())
        .await?;

    // The merchant's handler: one row per notice, in the receiver's transaction.
    let handler = tx_handler_fn(
        |tx: &mut Transaction<'static, Sqlite>, n: &ExchangeNotice| {
            Box::pin(async move {
                println!(
                    "handler saw: coupon {} approval {} state {} ({}) at {}, {} {} won, balance {}",
                    n.coupon_number,
                    n.approval_number,
                    n.state,
                    n.state.meaning_en().unwrap_or("?"),
                    n.time,
                    n.branch_name.as_deref().unwrap_or("-"),
                    n.price,
                    n.balance
                );
                sqlx::query("INSERT INTO uses VALUES (?, ?, ?, ?)")
                    .bind(&n.approval_number)
                    .bind(n.state.as_str())
                    .bind(n.price as i64)
                    .bind(n.balance as i64)
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
    println!("receiver at {url}");

    let sender =
        NoticeSender::new(NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(50)))?;
    let coupon = CouponNumber::new("900012345678");
    let mut balance = 10_000u64;
    let mut notices = Vec::new();
    for (i, amount) in [3_000u64, 5_000, 2_000].into_iter().enumerate() {
        balance -= amount;
        notices.push(ExchangeNotice {
            coupon_number: coupon.clone(),
            approval_number: format!("A{}", 100 + i),
            state: NoticeState::Used,
            time: ExchangeTime::new(2024, 6, 1, 12, 10 * i as u8, 0).ok_or("time")?,
            branch_name: Some("강남점".into()),
            branch_code: Some("GN01".into()),
            coupon_type: NoticeCouponType::Amount,
            price: amount,
            balance,
        });
    }
    for notice in &notices {
        sender.enqueue(notice.clone())?;
        sender.enqueue(notice.clone())?; // the same notice delivered again
        sender.wait_idle(Duration::from_secs(30)).await;
    }

    println!("\ndelivery log (sender side):");
    let mut seen = std::collections::HashMap::new();
    let mut absorbed = 0;
    for record in sender.log() {
        if let AttemptResult::Answered { code, exchange_id } = &record.result {
            let id = exchange_id.clone().unwrap_or_default();
            let duplicate = seen
                .insert(record.approval_number.clone(), id.clone())
                .is_some();
            absorbed += usize::from(duplicate);
            println!(
                "  {} approval {} attempt {} -> {} EXCHANGE_ID {}{}",
                record.coupon_number,
                record.approval_number,
                record.attempt,
                code,
                id,
                if duplicate {
                    "  (duplicate absorbed, handler not called)"
                } else {
                    ""
                }
            );
        }
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uses")
        .fetch_one(store.pool())
        .await?;
    let last: i64 = sqlx::query_scalar("SELECT balance FROM uses ORDER BY approval DESC LIMIT 1")
        .fetch_one(store.pool())
        .await?;
    println!(
        "\n{} deliveries, {absorbed} duplicates absorbed, {rows} rows in the merchant's table, final balance {last}",
        sender.log().len()
    );
    Ok(())
}
