//! The blocking client (feature `blocking`) against a real local server: the
//! same surface and error classes as the async one.
#![cfg(feature = "blocking")]

mod support;

use std::borrow::Cow;
use std::time::Duration;

use coufun_api::responses::{GoodsListItem, GoodsListResponse};
use coufun_api::xml::{Response, encode_error};
use coufun_api::{Charset, Effect, Environment, Error, Method, Operation, ResultCode, blocking};
use support::{TestServer, xml};

#[derive(Debug)]
struct ListGoods;

impl Operation for ListGoods {
    const NAME: &'static str = "goods_list";
    const PATH: &'static str = "goodsList.do";
    const METHODS: &'static [Method] = &[Method::Post, Method::Get];
    const EFFECT: Effect = Effect::Read;
    fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)> {
        vec![("CAT_ID", Cow::Borrowed("커피"))]
    }
    fn idempotency_key(&self) -> Option<&str> {
        None
    }
}

fn client(server: &TestServer) -> blocking::Client {
    blocking::Client::builder(Environment::Custom(server.base_url.clone()), "POC0000001")
        .timeout(Duration::from_millis(400))
        .max_response_bytes(16 * 1024)
        .build()
        .unwrap()
}

#[test]
fn a_call_round_trips() {
    let expected = GoodsListResponse {
        goods: vec![GoodsListItem {
            goods_name: Some("아메리카노".into()),
            ..Default::default()
        }],
    };
    let body = expected.to_xml(Charset::Cp949);
    let server = TestServer::start_in_background(move |_| {
        let body = body.clone();
        async move { xml(body) }
    });
    let got: GoodsListResponse = client(&server).call(&ListGoods).unwrap();
    assert_eq!(got, expected);
    let r = &server.requests()[0];
    assert_eq!(r.method.as_str(), "POST");
    let (cp949, _, _) = encoding_rs::EUC_KR.encode("커피");
    assert_eq!(r.form_bytes()[1].1, cp949.into_owned());
}

#[test]
fn errors_keep_their_class() {
    let server = TestServer::start_in_background(|r| async move {
        match r.raw_form().contains("CAT_ID") {
            true => xml(encode_error(
                ResultCode::GoodsListDailyLimitExceeded,
                None,
                Charset::Cp949,
            )),
            false => xml(Vec::new()),
        }
    });
    let err = client(&server)
        .call::<_, GoodsListResponse>(&ListGoods)
        .unwrap_err();
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
    let err = client(&slow)
        .call::<_, GoodsListResponse>(&ListGoods)
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    let big = TestServer::start_in_background(|_| async {
        let chunks = futures_util::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(&[b' '; 4096]))
        });
        support::reply(200, "text/xml", axum::body::Body::from_stream(chunks))
    });
    let err = client(&big)
        .call::<_, GoodsListResponse>(&ListGoods)
        .unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 16384, .. }),
        "{err:?}"
    );
}
