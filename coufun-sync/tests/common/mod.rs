//! Shared by the sync tests: a sandbox on 127.0.0.1 (sending its exchange
//! notices to a receiver this process serves), a client for it, coupons issued
//! through it, and the PostgreSQL test database (from `COUFUN_TEST_DATABASE_URL`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use coufun_api::{
    Client, CouponCreateRequest, CouponNumber, Environment, GoodsId, privacy::PocId,
    retry::RetryPolicy,
};
use coufun_notify::{NoticeHandler, NoticeStore, Receiver, store::Claim};
use coufun_sandbox::notices::NoticeSenderConfig;
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};

/// An exchange voucher of the built-in catalogue.
pub const COFFEE: &str = "0000100001";
/// A 10,000 won stored-value voucher of the built-in catalogue.
pub const VOUCHER: &str = "0000200003";

/// A fresh database on the PostgreSQL test server (`coufun_sync_…`), or `None`
/// when the test is skipped: [`coufun_store::testing::fresh_pg_database`].
pub async fn fresh_pg_database() -> Option<String> {
    coufun_store::testing::fresh_pg_database("coufun_sync").await
}

/// Serves `receiver` at `/exchange` on 127.0.0.1; its URL.
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

/// A sandbox sending its notices to `url` (retrying every 20 ms).
pub async fn sandbox_notifying(url: &str) -> Sandbox {
    let notices = NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(20));
    Sandbox::start(SandboxConfig::default().with_notices(notices))
        .await
        .unwrap()
}

/// A client of `sandbox`.
pub fn client(sandbox: &Sandbox) -> Client {
    Client::builder(
        Environment::Custom(sandbox.base_url()),
        PocId::new(DEFAULT_POC_ID).unwrap(),
    )
    .timeout(Duration::from_secs(30))
    .retry_policy(RetryPolicy {
        max_attempts: 5,
        deadline: Duration::from_secs(30),
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
    })
    .build()
    .unwrap()
}

/// Issues `count` coupons of `goods` (ten per create call); their numbers.
pub async fn issue(
    sandbox: &Sandbox,
    client: &Client,
    goods: &str,
    count: usize,
    tag: &str,
) -> Vec<(CouponNumber, GoodsId)> {
    let mut out = Vec::new();
    let mut call = 0;
    while out.len() < count {
        let n = (count - out.len()).min(10);
        let tr_id = format!("sync-{tag}-{call}");
        call += 1;
        let request = CouponCreateRequest::builder()
            .goods_id(goods)
            .quantity(n as u64)
            .tr_id(tr_id.as_str())
            .build()
            .unwrap();
        let _ = client.coupon_create(&request).await;
        let ledger = sandbox.ledger();
        let order = ledger.order_by_tr_id(&tr_id).expect("issued");
        for c in &order.coupons {
            out.push((
                CouponNumber::new(c.coupon_number.clone()).unwrap(),
                GoodsId::new(goods).unwrap(),
            ));
        }
    }
    out
}
