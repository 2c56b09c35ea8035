//! Shared by the receiver's end-to-end tests: servers on 127.0.0.1, notices,
//! posting, handlers, the merchant's `uses` table, the sandbox sender's retries
//! and delivery log, and the PostgreSQL test database (from `COUFUN_TEST_DATABASE_URL`).
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coufun_api::notice::{
    CouponNumber, CouponStatus, CouponType, ExchangeNotice, ExchangeNoticeRequired, NoticeAnswer,
    Reported,
};
use coufun_api::xml::Timestamp;
use coufun_notify::{
    AllowList, BoxFuture, HandlerError, NoticeHandler, NoticeStore, Receiver, SqliteStore,
    handler_fn, store::Claim, tx_handler_fn,
};
use coufun_sandbox::notices::{AttemptResult, DeliveryRecord, NoticeSenderConfig};
use sqlx::{Row, Sqlite, Transaction};

/// A fresh database on the PostgreSQL test server (`coufun_notify_…`), or `None`
/// when the test is skipped: [`coufun_store::testing::fresh_pg_database`].
pub async fn fresh_pg_database() -> Option<String> {
    coufun_store::testing::fresh_pg_database("coufun_notify").await
}

/// Serves `receiver` at `/exchange` on 127.0.0.1 (with the peer address); its URL.
pub async fn serve<S, H>(receiver: Receiver<S, H>) -> String
where
    S: NoticeStore,
    H: NoticeHandler<<S::Claim as Claim>::Tx>,
{
    let app = axum::Router::new().nest("/exchange", receiver.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/exchange", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    url
}

/// A used `BARCODE` notice for coupon `n`.
pub fn notice(n: u32) -> ExchangeNotice {
    let mut notice = ExchangeNotice::new(ExchangeNoticeRequired {
        coupon_number: CouponNumber::new(format!("9000{n:08}")).unwrap(),
        approval_number: format!("AP{n:06}"),
        state: Reported::Known(CouponStatus::Used),
        time: Timestamp::from_ymd_hms(2024, 6, 1, 10, 0, 0).unwrap(),
        coupon_type: Reported::Known(CouponType::Barcode),
        price: 4500,
        balance: 0,
    });
    notice.branch_name = Some("본점".into());
    notice.branch_code = Some("HQ".into());
    notice
}

/// A client for the tests.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// POSTs `body` with `content_type` and decodes the answer.
pub async fn post_raw(
    http: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    content_type: &str,
) -> NoticeAnswer {
    let response = http
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/xml; charset=EUC-KR"
    );
    let bytes = response.bytes().await.unwrap();
    NoticeAnswer::decode(&bytes).unwrap()
}

/// POSTs `notice` as COUFUN does (EUC-KR form).
pub async fn post(http: &reqwest::Client, url: &str, notice: &ExchangeNotice) -> NoticeAnswer {
    post_raw(
        http,
        url,
        notice.to_form().unwrap(),
        ExchangeNotice::form_content_type(),
    )
    .await
}

/// Lets in 127.0.0.1 alone, where the tests' senders run.
pub fn localhost() -> AllowList {
    AllowList::only([IpAddr::V4(Ipv4Addr::LOCALHOST)])
}

/// Serves a receiver on `store` with `handler`, letting in 127.0.0.1 alone; its URL.
pub async fn serve_local<S, H>(store: S, handler: H) -> String
where
    S: NoticeStore,
    H: NoticeHandler<<S::Claim as Claim>::Tx>,
{
    serve(Receiver::new(store, handler, localhost())).await
}

/// A SQLite store holding the merchant's table, served with a handler that
/// writes each notice there ([`record_use`]); the directory's guard, the store
/// and the receiver's URL.
pub async fn serve_uses_table() -> (tempfile::TempDir, SqliteStore, String) {
    let (dir, store) = sqlite_store().await;
    uses_table(&store).await;
    let url = serve_local(store.clone(), tx_handler_fn(record_use)).await;
    (dir, store, url)
}

/// A handler counting its calls.
pub fn counting<Tx: Send + 'static>(calls: Arc<AtomicUsize>) -> impl NoticeHandler<Tx> {
    handler_fn(move |_notice: ExchangeNotice| {
        let calls = Arc::clone(&calls);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    })
}

/// A handler counting its calls whose first call fails (the merchant's
/// database is down) and every later one succeeds.
pub fn failing_once<Tx: Send + 'static>(calls: Arc<AtomicUsize>) -> impl NoticeHandler<Tx> {
    handler_fn(move |_notice: ExchangeNotice| {
        let calls = Arc::clone(&calls);
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(HandlerError::failed("the merchant's database is down"));
            }
            Ok(())
        }
    })
}

/// A handler recording every notice it sees.
pub fn recording<Tx: Send + 'static>(
    seen: Arc<Mutex<Vec<ExchangeNotice>>>,
) -> impl NoticeHandler<Tx> {
    handler_fn(move |notice: ExchangeNotice| {
        let seen = Arc::clone(&seen);
        async move {
            seen.lock().unwrap().push(notice);
            Ok(())
        }
    })
}

/// A SQLite store in a fresh temporary directory, which lives as long as the
/// returned guard.
pub async fn sqlite_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("n.db")).await.unwrap();
    (dir, store)
}

/// Creates the merchant's own table, which [`record_use`] writes.
pub async fn uses_table(store: &SqliteStore) {
    sqlx::query(
        "CREATE TABLE uses (coupon TEXT, approval TEXT, state TEXT, amount INTEGER, balance INTEGER)",
    )
    .execute(store.pool())
    .await
    .unwrap();
}

/// Records `n` in the merchant's table, in the receiver's transaction.
pub fn record_use<'a>(
    tx: &'a mut Transaction<'static, Sqlite>,
    n: &'a ExchangeNotice,
) -> BoxFuture<'a, Result<(), HandlerError>> {
    Box::pin(async move {
        sqlx::query("INSERT INTO uses VALUES (?, ?, ?, ?, ?)")
            .bind(n.coupon_number.as_str())
            .bind(&n.approval_number)
            .bind(coufun_api::notice::reported_wire(&n.state).into_owned())
            .bind(n.price)
            .bind(n.balance)
            .execute(&mut **tx)
            .await?;
        Ok(())
    })
}

/// The merchant's table as `(approval, state, amount, balance)`, by approval number.
pub async fn uses_rows(store: &SqliteStore) -> Vec<(String, String, i64, i64)> {
    sqlx::query("SELECT approval, state, amount, balance FROM uses ORDER BY approval")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// A notice sender's settings for `url`, retrying every 20 ms.
pub fn fast_retries(url: &str) -> NoticeSenderConfig {
    NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(20))
}

/// `(attempt, outcome, code)` of each delivery.
pub fn summary(log: &[DeliveryRecord]) -> Vec<(u32, &'static str, String)> {
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
