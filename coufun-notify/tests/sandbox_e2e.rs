//! End to end over HTTP on 127.0.0.1: the sandbox issues a coupon, a shop
//! redeems it through the sandbox's admin redeem route, the sandbox POSTs the
//! exchange notice to a receiver, and its ledger records every delivery and answer.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, fresh_pg_database, serve};
use coufun_api::notice::{ExchangeNotice, NoticeCouponType, NoticeState};
use coufun_notify::{
    AllowList, BoxFuture, HandlerError, MemoryStore, NoticeHandler, NoticeStore, PostgresStore,
    Receiver, SqliteStore, handler_fn, tx_handler_fn,
};
use coufun_sandbox::notices::{AttemptResult, DeliveryRecord, NoticeSenderConfig};
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};
use sqlx::{Row, Sqlite, Transaction};

/// An exchange voucher of the built-in catalogue (supply price 4,140 won).
const COFFEE: &str = "0000100001";
const COFFEE_PRICE: u64 = 4_140;
/// A 10,000 won stored-value voucher of the built-in catalogue.
const VOUCHER: &str = "0000200003";

fn localhost() -> AllowList {
    AllowList::only([IpAddr::V4(Ipv4Addr::LOCALHOST)])
}

/// A sandbox sending its notices to `url`, retrying every 20 ms.
async fn sandbox(url: &str, lose_answers: &[u64]) -> Sandbox {
    let notices = NoticeSenderConfig::new(url)
        .retry_interval(Duration::from_millis(20))
        .lose_answers(lose_answers.iter().copied());
    Sandbox::start(SandboxConfig::default().with_notices(notices))
        .await
        .unwrap()
}

/// Issues one coupon of `goods` through the sandbox's create call; its number.
async fn issue(sandbox: &Sandbox, goods: &str, tr_id: &str) -> String {
    let body = format!("POC_ID={DEFAULT_POC_ID}&GOODS_ID={goods}&CREATE_CNT=1&TR_ID={tr_id}");
    let answer = client()
        .post(format!("{}coufunCreate.do", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.contains("<RESULT_CODE>00</RESULT_CODE>"), "{answer}");
    let ledger = sandbox.ledger();
    let order = ledger.order_by_tr_id(tr_id).unwrap();
    order.coupons[0].coupon_number.clone()
}

/// A shop uses `coupon` (`route` is `redeem` or `cancel-use`, `amount` for an
/// `AMOUNT` voucher) through the sandbox's admin route; the redemption's JSON.
async fn shop(
    sandbox: &Sandbox,
    coupon: &str,
    route: &str,
    amount: Option<u64>,
) -> serde_json::Value {
    let query = amount.map(|a| format!("?amount={a}")).unwrap_or_default();
    let response = client()
        .post(format!(
            "http://{}/_admin/coupons/{coupon}/{route}{query}",
            sandbox.addr()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{route} {coupon}");
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// A plain handler recording every notice it sees.
fn recording<Tx: Send + 'static>(seen: Arc<Mutex<Vec<ExchangeNotice>>>) -> impl NoticeHandler<Tx> {
    handler_fn(move |notice: ExchangeNotice| {
        let seen = Arc::clone(&seen);
        async move {
            seen.lock().unwrap().push(notice);
            Ok(())
        }
    })
}

/// `(attempt, outcome, code)` of each delivery.
fn summary(log: &[DeliveryRecord]) -> Vec<(u32, &'static str, String)> {
    log.iter()
        .map(|r| {
            let outcome = match &r.result {
                AttemptResult::Answered { .. } => "answered",
                AttemptResult::AnswerLost { .. } => "lost",
                AttemptResult::Failed { .. } => "failed",
                _ => "other",
            };
            let code = r.result.code().map(|c| c.as_str().to_owned());
            (r.attempt, outcome, code.unwrap_or_default())
        })
        .collect()
}

#[tokio::test]
async fn a_redemption_is_notified_processed_once_and_answered_00() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = MemoryStore::new();
    let url = serve(Receiver::new(
        store.clone(),
        recording(Arc::clone(&seen)),
        localhost(),
    ))
    .await;
    let sandbox = sandbox(&url, &[]).await;
    let coupon = issue(&sandbox, COFFEE, "tr-once").await;
    let redemption = shop(&sandbox, &coupon, "redeem", None).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let n = &seen[0];
    assert_eq!(n.coupon_number.expose(), coupon);
    assert_eq!(n.approval_number, redemption["approval_number"]);
    assert_eq!(n.state, NoticeState::Used);
    assert_eq!(n.coupon_type, NoticeCouponType::Barcode);
    assert_eq!((n.price, n.balance), (COFFEE_PRICE, 0));
    // The branch name went over the wire in EUC-KR and came back intact.
    assert_eq!(n.branch_name.as_deref(), Some("샌드박스점"));
    assert_eq!(n.branch_code.as_deref(), Some("SB0001"));
    assert_eq!(store.processed_count().await.unwrap(), 1);

    // The ledger (handle and admin route) holds the delivery and its answer.
    let log = sandbox.ledger().notices;
    assert_eq!(summary(&log), [(1, "answered", "00".to_owned())]);
    let exchange_id = log[0].result.exchange_id().unwrap().to_owned();
    assert_eq!(log[0].approval_number, n.approval_number);
    let ledger = client()
        .get(format!("http://{}/_admin/ledger", sandbox.addr()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let ledger: serde_json::Value = serde_json::from_slice(&ledger).unwrap();
    let delivery = &ledger["notices"][0];
    assert_eq!(delivery["outcome"], "answered");
    assert_eq!(delivery["code"], "00");
    assert_eq!(delivery["exchange_id"], exchange_id.as_str());
    assert_eq!(delivery["state"], "001");
    assert_eq!(delivery["coupon_number"], coupon.as_str());
    assert_eq!(
        ledger["redemptions"][0]["approval_number"],
        n.approval_number
    );
}

#[tokio::test]
async fn a_notice_delivered_again_is_answered_without_calling_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let calls2 = Arc::clone(&calls);
    let handler = handler_fn(move |_n: ExchangeNotice| {
        let calls = Arc::clone(&calls2);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    let store = MemoryStore::new();
    let url = serve(Receiver::new(store.clone(), handler, localhost())).await;
    // The answer to the first POST is lost on the way back: the sandbox sends again.
    let sandbox = sandbox(&url, &[0]).await;
    let coupon = issue(&sandbox, COFFEE, "tr-twice").await;
    shop(&sandbox, &coupon, "redeem", None).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);

    let log = sandbox.notice_deliveries();
    assert_eq!(
        summary(&log),
        [
            (1, "lost", "00".to_owned()),
            (2, "answered", "00".to_owned())
        ]
    );
    assert_eq!(
        log[0].result.exchange_id(),
        log[1].result.exchange_id(),
        "the duplicate gets the first EXCHANGE_ID"
    );
    assert!(log[1].result.exchange_id().is_some());
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler ran once");
    assert_eq!(store.processed_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_handler_failure_answers_99_and_the_sandboxs_retry_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("n.db")).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let calls2 = Arc::clone(&calls);
    let handler = handler_fn(move |_n: ExchangeNotice| {
        let calls = Arc::clone(&calls2);
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(HandlerError::failed("the merchant's database is down"));
            }
            Ok(())
        }
    });
    let url = serve(Receiver::new(store.clone(), handler, localhost())).await;
    let sandbox = sandbox(&url, &[]).await;
    let coupon = issue(&sandbox, COFFEE, "tr-retry").await;
    shop(&sandbox, &coupon, "redeem", None).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);

    let log = sandbox.ledger().notices;
    assert_eq!(
        summary(&log),
        [
            (1, "answered", "99".to_owned()),
            (2, "answered", "00".to_owned())
        ]
    );
    assert_eq!(log[0].result.exchange_id(), None);
    assert_eq!(log[0].approval_number, log[1].approval_number);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(store.processed_count().await.unwrap(), 1);
}

/// The merchant's own table, written in the receiver's transaction.
fn record_use<'a>(
    tx: &'a mut Transaction<'static, Sqlite>,
    n: &'a ExchangeNotice,
) -> BoxFuture<'a, Result<(), HandlerError>> {
    Box::pin(async move {
        sqlx::query("INSERT INTO uses VALUES (?, ?, ?, ?, ?)")
            .bind(n.coupon_number.expose())
            .bind(&n.approval_number)
            .bind(n.state.as_str())
            .bind(n.price as i64)
            .bind(n.balance as i64)
            .execute(&mut **tx)
            .await?;
        Ok(())
    })
}

#[tokio::test]
async fn a_stored_value_coupon_used_in_three_parts_gives_three_notices_and_balance_0() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("n.db")).await.unwrap();
    sqlx::query(
        "CREATE TABLE uses (coupon TEXT, approval TEXT, state TEXT, amount INTEGER, balance INTEGER)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let url = serve(Receiver::new(
        store.clone(),
        tx_handler_fn(record_use),
        localhost(),
    ))
    .await;
    // The second part's first answer is lost: its notice arrives twice.
    let sandbox = sandbox(&url, &[1]).await;
    let coupon = issue(&sandbox, VOUCHER, "tr-parts").await;
    for amount in [3_000, 5_000, 2_000] {
        shop(&sandbox, &coupon, "redeem", Some(amount)).await;
    }
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);
    // Nothing is left to use.
    let over = client()
        .post(format!(
            "http://{}/_admin/coupons/{coupon}/redeem?amount=1",
            sandbox.addr()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 409);

    let rows = sqlx::query("SELECT state, amount, balance FROM uses ORDER BY approval")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let rows: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let used = || "001".to_owned();
    assert_eq!(
        rows,
        [
            (used(), 3_000, 7_000),
            (used(), 5_000, 2_000),
            (used(), 2_000, 0)
        ]
    );
    assert_eq!(store.processed_count().await.unwrap(), 3);
    let ledger = sandbox.ledger();
    let (_, voucher) = ledger.coupon(&coupon).unwrap();
    assert_eq!(voucher.remaining_amount, Some(0));
    let outcomes: Vec<_> = summary(&ledger.notices)
        .into_iter()
        .map(|(_, outcome, code)| (outcome, code))
        .collect();
    assert_eq!(outcomes.len(), 4, "three notices, one delivered twice");
    assert_eq!(outcomes.iter().filter(|(o, _)| *o == "lost").count(), 1);
    assert!(outcomes.iter().all(|(_, code)| code == "00"));
    // Each delivery carried its redemption's running balance.
    let mut delivered: Vec<(String, u64)> = ledger
        .notices
        .iter()
        .map(|r| (r.approval_number.clone(), r.balance))
        .collect();
    delivered.dedup();
    delivered.sort();
    delivered.dedup();
    let redeemed: Vec<(String, u64)> = ledger
        .redemptions
        .iter()
        .map(|r| (r.approval_number.clone(), r.balance))
        .collect();
    assert_eq!(delivered, redeemed);
    assert_eq!(redeemed.last().map(|r| r.1), Some(0));
}

#[tokio::test]
async fn a_use_cancel_is_notified_with_state_000_and_processed() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = MemoryStore::new();
    let url = serve(Receiver::new(
        store.clone(),
        recording(Arc::clone(&seen)),
        localhost(),
    ))
    .await;
    let sandbox = sandbox(&url, &[]).await;
    let coupon = issue(&sandbox, COFFEE, "tr-cancel-use").await;
    let used = shop(&sandbox, &coupon, "redeem", None).await;
    let undone = shop(&sandbox, &coupon, "cancel-use", None).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);
    assert_ne!(used["approval_number"], undone["approval_number"]);

    let seen = seen.lock().unwrap().clone();
    let states: Vec<_> = seen
        .iter()
        .map(|n| (n.state.clone(), n.price, n.balance))
        .collect();
    assert_eq!(
        states,
        [
            (NoticeState::Used, COFFEE_PRICE, 0),
            (NoticeState::Unused, COFFEE_PRICE, 0)
        ]
    );
    assert_eq!(seen[1].approval_number, undone["approval_number"]);
    assert_eq!(store.processed_count().await.unwrap(), 2);
    let log = sandbox.ledger().notices;
    let states: Vec<(&str, String)> = log
        .iter()
        .map(|r| {
            (
                r.state.as_str(),
                r.result.code().unwrap().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(states, [("001", "00".to_owned()), ("000", "00".to_owned())]);
    // The coupon can be used again, and that is a third notice.
    shop(&sandbox, &coupon, "redeem", None).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);
    assert_eq!(store.processed_count().await.unwrap(), 3);
}

#[tokio::test]
async fn the_sandbox_path_on_postgresql() {
    let Some(url) = fresh_pg_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let receiver_url = serve(Receiver::new(
        store.clone(),
        recording(Arc::clone(&seen)),
        localhost(),
    ))
    .await;
    // The answers to the first four POSTs (first attempts and retries alike)
    // are lost: the notices arrive seven times in all.
    let sandbox = sandbox(&receiver_url, &[0, 1, 2, 3]).await;
    let coupon = issue(&sandbox, VOUCHER, "tr-pg").await;
    for amount in [4_000, 6_000] {
        shop(&sandbox, &coupon, "redeem", Some(amount)).await;
    }
    shop(&sandbox, &coupon, "cancel-use", Some(10_000)).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);
    let mut seen: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n.approval_number.clone(),
                n.state.clone(),
                n.price,
                n.balance,
            )
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    let states: Vec<_> = seen
        .iter()
        .map(|(_, s, p, b)| (s.clone(), *p, *b))
        .collect();
    assert_eq!(
        states,
        [
            (NoticeState::Used, 4_000, 6_000),
            (NoticeState::Used, 6_000, 0),
            (NoticeState::Unused, 10_000, 10_000)
        ]
    );
    assert_eq!(store.processed_count().await.unwrap(), 3);
    let log = sandbox.notice_deliveries();
    let outcomes: Vec<_> = summary(&log)
        .into_iter()
        .map(|(_, outcome, code)| (outcome, code))
        .collect();
    let lost = || ("lost", "00".to_owned());
    let answered = || ("answered", "00".to_owned());
    let mut sorted = outcomes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            answered(),
            answered(),
            answered(),
            lost(),
            lost(),
            lost(),
            lost()
        ],
        "{outcomes:?}"
    );
}
