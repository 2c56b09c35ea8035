//! Shared by the receiver's end-to-end tests: servers on 127.0.0.1, notices,
//! posting, and the PostgreSQL test database (from `COUFUN_TEST_DATABASE_URL`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use coufun_api::notice::{
    CouponNumber, ExchangeNotice, NoticeAnswer, NoticeCouponType, NoticeState,
};
use coufun_api::xml::Timestamp;
use coufun_notify::{NoticeHandler, NoticeStore, Receiver, store::Claim};

/// The variable holding a PostgreSQL server URL for the tests.
pub const PG_ENV: &str = "COUFUN_TEST_DATABASE_URL";

/// A fresh database on the test server, or `None` (outside CI) when the
/// variable is unset. In CI (`CI` set) an unset variable fails the test.
pub async fn fresh_pg_database() -> Option<String> {
    let Ok(url) = std::env::var(PG_ENV) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{PG_ENV} is unset in CI: the PostgreSQL tests must run (see .ci/start-postgres)"
            );
        }
        eprintln!(
            "\n!!! SKIPPING the PostgreSQL part: {PG_ENV} is unset.\n\
             !!! Run `eval \"$(.ci/start-postgres)\"` first (in CI this fails instead).\n"
        );
        return None;
    };
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL test server");
    let name = format!(
        "coufun_notify_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
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
    ExchangeNotice {
        coupon_number: CouponNumber::new(format!("9000{n:08}")),
        approval_number: format!("AP{n:06}"),
        state: NoticeState::Used,
        time: Timestamp::from_ymd_hms(2024, 6, 1, 10, 0, 0).unwrap(),
        branch_name: Some("본점".into()),
        branch_code: Some("HQ".into()),
        coupon_type: NoticeCouponType::Barcode,
        price: 4500,
        balance: 0,
    }
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
