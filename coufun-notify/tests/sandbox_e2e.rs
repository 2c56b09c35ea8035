//! End to end over HTTP on 127.0.0.1: the sandbox issues a coupon, a shop
//! redeems it through the sandbox's admin redeem route, the sandbox POSTs the
//! exchange notice to a receiver, and its ledger records every delivery and answer.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{
    client, counting, failing_once, fast_retries, fresh_pg_database, recording, serve_local,
    serve_uses_table, sqlite_store, summary, uses_rows,
};
use coufun_api::notice::{CouponStatus, CouponType, ExchangeNotice, Reported};
use coufun_notify::{MemoryStore, NoticeStore, PostgresStore};
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};

/// An exchange voucher of the built-in catalogue (supply price 4,140 won).
const COFFEE: &str = "0000100001";
const COFFEE_PRICE: i64 = 4_140;
/// A 10,000 won stored-value voucher of the built-in catalogue.
const VOUCHER: &str = "0000200003";

/// A sandbox sending its notices to `url`, retrying every 20 ms, with the
/// answers to the POSTs numbered in `lose_answers` (from 0) lost on the way back.
async fn sandbox(url: &str, lose_answers: &[u64]) -> Sandbox {
    let notices = fast_retries(url).lose_answers(lose_answers.iter().copied());
    Sandbox::start(SandboxConfig::default().with_notices(notices))
        .await
        .unwrap()
}

/// Sends `request` and reads the whole answer's body.
async fn body_of(request: reqwest::RequestBuilder) -> Vec<u8> {
    request
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// Issues one coupon of `goods` through the sandbox's create call; its number.
async fn issue(sandbox: &Sandbox, goods: &str, tr_id: &str) -> String {
    let body = format!("POC_ID={DEFAULT_POC_ID}&GOODS_ID={goods}&CREATE_CNT=1&TR_ID={tr_id}");
    let answer = body_of(
        client()
            .post(format!("{}coufunCreate.do", sandbox.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.contains("<RESULT_CODE>00</RESULT_CODE>"), "{answer}");
    let ledger = sandbox.ledger();
    let order = ledger.order_by_tr_id(tr_id).unwrap();
    order.coupons[0].coupon_number.clone()
}

/// A sandbox as [`sandbox`] starts it, with one coupon of `goods` issued as [`issue`] does.
async fn sandbox_with_coupon(
    url: &str,
    lose_answers: &[u64],
    goods: &str,
    tr_id: &str,
) -> (Sandbox, String) {
    let sandbox = sandbox(url, lose_answers).await;
    let coupon = issue(&sandbox, goods, tr_id).await;
    (sandbox, coupon)
}

/// A shop's request to use `coupon` (`route` is `redeem` or `cancel-use`,
/// `amount` for an `AMOUNT` voucher) through the sandbox's admin route.
async fn shop_request(
    sandbox: &Sandbox,
    coupon: &str,
    route: &str,
    amount: Option<u64>,
) -> reqwest::Response {
    let query = amount.map(|a| format!("?amount={a}")).unwrap_or_default();
    client()
        .post(format!(
            "http://{}/_admin/coupons/{coupon}/{route}{query}",
            sandbox.addr()
        ))
        .send()
        .await
        .unwrap()
}

/// A shop uses `coupon` as [`shop_request`] does, and it succeeds; the redemption's JSON.
async fn shop(
    sandbox: &Sandbox,
    coupon: &str,
    route: &str,
    amount: Option<u64>,
) -> serde_json::Value {
    let response = shop_request(sandbox, coupon, route, amount).await;
    assert_eq!(response.status(), 200, "{route} {coupon}");
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// Serves a receiver on `store` whose handler records every notice; the
/// notices it sees and its URL.
async fn serve_recording<S: NoticeStore>(store: S) -> (Arc<Mutex<Vec<ExchangeNotice>>>, String) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let url = serve_local(store, recording(Arc::clone(&seen))).await;
    (seen, url)
}

#[tokio::test]
async fn a_redemption_is_notified_processed_once_and_answered_00() {
    let store = MemoryStore::new();
    let (seen, url) = serve_recording(store.clone()).await;
    let (sandbox, coupon) = sandbox_with_coupon(&url, &[], COFFEE, "tr-once").await;
    let redemption = shop(&sandbox, &coupon, "redeem", None).await;
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let n = &seen[0];
    assert_eq!(n.coupon_number.as_str(), coupon);
    assert_eq!(n.approval_number, redemption["approval_number"]);
    assert_eq!(n.state, Reported::Known(CouponStatus::Used));
    assert_eq!(n.coupon_type, Reported::Known(CouponType::Barcode));
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
    let ledger = body_of(client().get(format!("http://{}/_admin/ledger", sandbox.addr()))).await;
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
    let store = MemoryStore::new();
    let url = serve_local(store.clone(), counting(Arc::clone(&calls))).await;
    // The answer to the first POST is lost on the way back: the sandbox sends again.
    let (sandbox, coupon) = sandbox_with_coupon(&url, &[0], COFFEE, "tr-twice").await;
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
    let (_dir, store) = sqlite_store().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = failing_once(Arc::clone(&calls));
    let url = serve_local(store.clone(), handler).await;
    let (sandbox, coupon) = sandbox_with_coupon(&url, &[], COFFEE, "tr-retry").await;
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

#[tokio::test]
async fn a_stored_value_coupon_used_in_three_parts_gives_three_notices_and_balance_0() {
    let (_dir, store, url) = serve_uses_table().await;
    // The second part's first answer is lost: its notice arrives twice.
    let (sandbox, coupon) = sandbox_with_coupon(&url, &[1], VOUCHER, "tr-parts").await;
    for amount in [3_000, 5_000, 2_000] {
        shop(&sandbox, &coupon, "redeem", Some(amount)).await;
    }
    assert!(sandbox.wait_for_notices(Duration::from_secs(20)).await);
    // Nothing is left to use.
    let over = shop_request(&sandbox, &coupon, "redeem", Some(1)).await;
    assert_eq!(over.status(), 409);

    let rows: Vec<(String, i64, i64)> = uses_rows(&store)
        .await
        .into_iter()
        .map(|(_, state, amount, balance)| (state, amount, balance))
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
        .map(|r| (r.approval_number.clone(), u64::try_from(r.balance).unwrap()))
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
    let store = MemoryStore::new();
    let (seen, url) = serve_recording(store.clone()).await;
    let (sandbox, coupon) = sandbox_with_coupon(&url, &[], COFFEE, "tr-cancel-use").await;
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
            (Reported::Known(CouponStatus::Used), COFFEE_PRICE, 0),
            (Reported::Known(CouponStatus::Unused), COFFEE_PRICE, 0)
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
    let (seen, receiver_url) = serve_recording(store.clone()).await;
    // The answers to the first four POSTs (first attempts and retries alike)
    // are lost: the notices arrive seven times in all.
    let (sandbox, coupon) =
        sandbox_with_coupon(&receiver_url, &[0, 1, 2, 3], VOUCHER, "tr-pg").await;
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
            (Reported::Known(CouponStatus::Used), 4_000, 6_000),
            (Reported::Known(CouponStatus::Used), 6_000, 0),
            (Reported::Known(CouponStatus::Unused), 10_000, 10_000)
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
