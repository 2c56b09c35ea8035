//! The blocking client (feature `blocking`) against a real local server: the
//! same surface and error classes as the async one.
#![cfg(feature = "blocking")]

mod support;

use std::time::Duration;

use coufun_api::privacy::PocId;
use coufun_api::responses::{GoodsListItem, GoodsListResponse};
use coufun_api::xml::{Response, encode_error};
use coufun_api::{Charset, Environment, Error, GoodsListRequest, ResultCode, blocking};
use support::{TestServer, xml};

fn list() -> GoodsListRequest {
    GoodsListRequest::builder().build().unwrap()
}

fn client(server: &TestServer) -> blocking::Client {
    blocking::Client::builder(
        Environment::Custom(server.base_url.clone()),
        PocId::new("POC0000001").unwrap(),
    )
    .timeout(Duration::from_millis(400))
    .max_response_bytes(16 * 1024)
    .build()
    .unwrap()
}

#[test]
fn a_call_round_trips() {
    let expected = GoodsListResponse {
        list_count: Some(1),
        goods: vec![GoodsListItem {
            goods_name: Some("아메리카노".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let body = expected.to_xml(Charset::Cp949);
    let server = TestServer::start_in_background(move |_| {
        let body = body.clone();
        async move { xml(body) }
    });
    let got = client(&server).goods_list(&list()).unwrap();
    assert_eq!(got, expected);
    let r = &server.requests()[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(
        r.form_bytes(),
        [("POC_ID".to_owned(), b"POC0000001".to_vec())],
        "the goods list sends POC_ID only"
    );
    // one goods item: a lookup over the same list
    let found = client(&server).goods_info("  ").unwrap();
    assert_eq!(found, None);
}

#[test]
fn errors_keep_their_class() {
    let server = TestServer::start_in_background(|r| async move {
        match r.raw_form().contains("POC_ID") {
            true => xml(encode_error::<GoodsListResponse>(
                ResultCode::GoodsListDailyLimitExceeded,
                None,
                Charset::Cp949,
            )),
            false => xml(Vec::new()),
        }
    });
    let err = client(&server).goods_list(&list()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                code: ResultCode::GoodsListDailyLimitExceeded,
                ..
            }
        ),
        "{err:?}"
    );

    let slow = TestServer::start_in_background(|_| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        xml(Vec::new())
    });
    let err = client(&slow).goods_list(&list()).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    let big = TestServer::start_in_background(|_| async {
        let chunks = futures_util::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(&[b' '; 4096]))
        });
        support::reply(200, "text/xml", axum::body::Body::from_stream(chunks))
    });
    let err = client(&big).goods_list(&list()).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 16384, .. }),
        "{err:?}"
    );
}

/// A timeout no clock reaches (`Duration::MAX`, as for "no timeout") is a
/// timeout that never ends, as on the async client: it used to panic in the
/// blocking call ("overflow when adding duration to instant").
#[test]
fn a_timeout_past_any_clock_never_ends_the_call() {
    let body = GoodsListResponse::default().to_xml(Charset::Cp949);
    let server = TestServer::start_in_background(move |_| {
        let body = body.clone();
        async move { xml(body) }
    });
    assert_eq!(
        coufun_api::client::LONGEST_TIMEOUT,
        Duration::from_secs(30 * 365 * 86_400),
        "30 years of 365 days"
    );
    for (connect, whole) in [
        (Duration::MAX, Duration::MAX),
        (Duration::from_secs(u64::MAX), Duration::from_secs(1)),
        (
            Duration::from_secs(1),
            Duration::from_secs(i64::MAX as u64 + 1),
        ),
    ] {
        let client = blocking::Client::builder(
            Environment::Custom(server.base_url.clone()),
            PocId::new("POC0000001").unwrap(),
        )
        .connect_timeout(connect)
        .timeout(whole)
        .build()
        .unwrap();
        assert!(client.goods_list(&list()).is_ok(), "{connect:?} {whole:?}");
    }
}
