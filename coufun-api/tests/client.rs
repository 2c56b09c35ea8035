//! The client against a real HTTP server on 127.0.0.1: request encoding, typed
//! success, and one test per error class that fails if the class were another.

mod support;

use std::borrow::Cow;
use std::time::{Duration, Instant};

use coufun_api::responses::{CouponSendItem, CouponSendResponse, GoodsListItem, GoodsListResponse};
use coufun_api::retry::Decision;
use coufun_api::xml::{CalendarDate, DecodeError, Phone, Response, encode_error};
use coufun_api::{Charset, Client, Effect, Environment, Error, Method, Operation, ResultCode};
use support::{TestServer, TraceCapture, reply, xml};

const POC_ID: &str = "POC7315426";
const PHONE: &str = "01098765432";

/// A goods-list request (test-only stand-in for the generated request types).
#[derive(Debug)]
struct ListGoods {
    category: Option<String>,
}

impl Operation for ListGoods {
    const NAME: &'static str = "goods_list";
    const PATH: &'static str = "goodsList.do";
    const METHODS: &'static [Method] = &[Method::Post, Method::Get];
    const EFFECT: Effect = Effect::Read;
    fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)> {
        self.category
            .iter()
            .map(|c| ("CAT_ID", Cow::Borrowed(c.as_str())))
            .collect()
    }
    fn idempotency_key(&self) -> Option<&str> {
        None
    }
}

/// A coupon-send request (test-only stand-in).
#[derive(Debug)]
struct SendCoupon {
    tr_id: String,
    subject: String,
    recipient: String,
}

impl SendCoupon {
    fn new(subject: &str) -> Self {
        SendCoupon {
            tr_id: "TR-0001".into(),
            subject: subject.into(),
            recipient: PHONE.into(),
        }
    }
}

impl Operation for SendCoupon {
    const NAME: &'static str = "coupon_send";
    const PATH: &'static str = "coufunSend.do";
    const METHODS: &'static [Method] = &[Method::Post, Method::Get];
    const EFFECT: Effect = Effect::Write;
    fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)> {
        vec![
            ("TR_ID", Cow::Borrowed(&self.tr_id)),
            ("SEND_TITLE", Cow::Borrowed(&self.subject)),
            ("RECEIVER_MOBILE", Cow::Borrowed(&self.recipient)),
        ]
    }
    fn idempotency_key(&self) -> Option<&str> {
        Some(&self.tr_id)
    }
}

fn client(server: &TestServer) -> Client {
    Client::builder(Environment::Custom(server.base_url.clone()), POC_ID)
        .timeout(Duration::from_millis(1500))
        .build()
        .unwrap()
}

fn goods(n: usize) -> GoodsListResponse {
    let mut response = GoodsListResponse::default();
    for i in 0..n {
        response.goods.push(GoodsListItem {
            goods_id: Some(format!("{i:010}")),
            goods_name: Some(format!("아메리카노 <{i}> & 쿠키")),
            price: Some(4500 + i as i64),
            sale_end: CalendarDate::new(2026, 12, 31),
            ..Default::default()
        });
    }
    response
}

#[tokio::test]
async fn goods_list_round_trips_over_post_in_cp949() {
    let expected = goods(3);
    let body = expected.to_xml(Charset::Cp949);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let got: GoodsListResponse = client(&server)
        .call(&ListGoods {
            category: Some("커피".into()),
        })
        .await
        .unwrap();
    assert_eq!(got, expected);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/b2c_api/goodsList.do")
    );
    assert_eq!(
        r.content_type.as_deref(),
        Some("application/x-www-form-urlencoded; charset=euc-kr")
    );
    let form = r.form_bytes();
    assert_eq!(form[0], ("POC_ID".to_owned(), POC_ID.as_bytes().to_vec()));
    let (cp949, _, _) = encoding_rs::EUC_KR.encode("커피");
    assert_eq!(form[1], ("CAT_ID".to_owned(), cp949.into_owned()));
}

#[tokio::test]
async fn get_and_utf8_are_settings() {
    let body = goods(1).to_xml(Charset::Utf8);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let client = Client::builder(Environment::Custom(server.base_url.clone()), POC_ID)
        .method(Method::Get)
        .charset(Charset::Utf8)
        .build()
        .unwrap();
    let got: GoodsListResponse = client
        .call(&ListGoods {
            category: Some("커피".into()),
        })
        .await
        .unwrap();
    assert_eq!(got.goods.len(), 1);
    let r = &server.requests()[0];
    assert_eq!(r.method.as_str(), "GET");
    assert!(r.body.is_empty());
    assert_eq!(
        r.form_bytes()[1],
        ("CAT_ID".to_owned(), "커피".as_bytes().to_vec())
    );
}

#[tokio::test]
async fn an_euc_kr_response_decodes_to_the_right_text() {
    let document = "<?xml version=\"1.0\" encoding=\"euc-kr\"?>\n<RESULT><RESULT_CODE>00</RESULT_CODE>\
        <RESULT_MSG>성공</RESULT_MSG><GOODS><GOODS_ID>0000000001</GOODS_ID>\
        <GOODS_NAME>스타벅스 아메리카노 Tall</GOODS_NAME><PRICE>4500</PRICE></GOODS></RESULT>";
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(document);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test body must really be EUC-KR"
    );
    let bytes = bytes.into_owned();
    let server = TestServer::start(move |_| {
        let bytes = bytes.clone();
        // The header claims UTF-8: the declaration in the prolog wins.
        async move { reply(200, "text/xml; charset=utf-8", bytes) }
    })
    .await;
    let got: GoodsListResponse = client(&server)
        .call(&ListGoods { category: None })
        .await
        .unwrap();
    assert_eq!(
        got.goods[0].goods_name.as_deref(),
        Some("스타벅스 아메리카노 Tall")
    );
    assert_eq!(got.goods[0].price, Some(4500));
}

#[tokio::test]
async fn a_result_code_becomes_an_api_error_with_the_servers_message() {
    let server = TestServer::start(|_| async {
        xml(encode_error(
            ResultCode::DuplicateTrId,
            Some("중복된 TR_ID 입니다"),
            Charset::Cp949,
        ))
    })
    .await;
    let err = client(&server)
        .call::<_, CouponSendResponse>(&SendCoupon::new("쿠폰"))
        .await
        .unwrap_err();
    match &err {
        Error::Api { code, message, .. } => {
            assert_eq!(*code, ResultCode::DuplicateTrId);
            assert_eq!(message, "중복된 TR_ID 입니다");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(err.retry(), Decision::Reconcile);
}

#[tokio::test]
async fn an_unknown_code_stays_unknown() {
    let server = TestServer::start(|_| async {
        xml(
            b"<RESULT><RESULT_CODE>42</RESULT_CODE><RESULT_MSG>new rule</RESULT_MSG></RESULT>"
                .to_vec(),
        )
    })
    .await;
    let err = client(&server)
        .call::<_, GoodsListResponse>(&ListGoods { category: None })
        .await
        .unwrap_err();
    let code = err.result_code().unwrap();
    assert!(!code.is_known());
    assert_eq!(code.as_str(), "42");
    assert!(matches!(err, Error::Api { ref message, .. } if message == "new rule"));
    assert_eq!(err.retry(), Decision::Stop);
}

#[tokio::test]
async fn an_html_502_is_a_status_error_with_an_excerpt() {
    let server = TestServer::start(|_| async {
        reply(
            502,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        )
    })
    .await;
    let err = client(&server)
        .call::<_, CouponSendResponse>(&SendCoupon::new("쿠폰"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Status { status: 502, ref excerpt, .. } if excerpt.contains("502 Bad Gateway")),
        "{err:?}"
    );
    assert_eq!(err.retry(), Decision::RetrySameRequest);
    assert!(err.may_have_reached_server());
}

#[tokio::test]
async fn an_html_page_with_status_200_is_not_xml() {
    let server = TestServer::start(|_| async {
        reply(
            200,
            "text/html",
            "<!DOCTYPE html><html><body>Please log in to the proxy</body></html>",
        )
    })
    .await;
    let err = client(&server)
        .call::<_, GoodsListResponse>(&ListGoods { category: None })
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotXml { status: 200, ref excerpt, .. } if excerpt.contains("log in")),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_xml_is_malformed() {
    let full = goods(2).to_xml(Charset::Utf8);
    let cut_between_elements = full[..full.len() - "</RESULT>".len()].to_vec();
    let cut_inside_a_tag = full[..full.len() - 4].to_vec();
    for (body, truncated) in [(cut_between_elements, true), (cut_inside_a_tag, false)] {
        let server = TestServer::start(move |_| {
            let body = body.clone();
            async move { xml(body) }
        })
        .await;
        let err = client(&server)
            .call::<_, GoodsListResponse>(&ListGoods { category: None })
            .await
            .unwrap_err();
        match err {
            Error::MalformedXml {
                source: DecodeError::Truncated { .. },
                ..
            } if truncated => {}
            Error::MalformedXml {
                source: DecodeError::Syntax { .. },
                ..
            } if !truncated => {}
            other => panic!("expected MalformedXml, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_doctype_is_refused_and_entities_are_not_expanded() {
    let server = TestServer::start(|_| async {
        xml(b"<?xml version=\"1.0\"?><!DOCTYPE RESULT [<!ENTITY x \"boom\">]><RESULT><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>&x;</RESULT_MSG></RESULT>".to_vec())
    })
    .await;
    let err = client(&server)
        .call::<_, GoodsListResponse>(&ListGoods { category: None })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MalformedXml {
                source: DecodeError::DoctypeRefused,
                ..
            }
        ),
        "{err:?}"
    );

    let server = TestServer::start(|_| async {
        xml(b"<RESULT><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>&x;</RESULT_MSG></RESULT>".to_vec())
    })
    .await;
    let err = client(&server)
        .call::<_, GoodsListResponse>(&ListGoods { category: None })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MalformedXml {
                source: DecodeError::UndefinedEntity { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_times_out_after_sending() {
    let server = TestServer::start(|_| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        xml(goods(1).to_xml(Charset::Utf8))
    })
    .await;
    let client = Client::builder(Environment::Custom(server.base_url.clone()), POC_ID)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .call::<_, CouponSendResponse>(&SendCoupon::new("쿠폰"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.may_have_reached_server());
    assert_eq!(err.retry(), Decision::RetrySameRequest);
}

#[tokio::test]
async fn a_refused_connection_was_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder(
        Environment::Custom(format!("http://127.0.0.1:{port}/")),
        POC_ID,
    )
    .build()
    .unwrap();
    let err = client
        .call::<_, CouponSendResponse>(&SendCoupon::new("쿠폰"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(!err.may_have_reached_server());
    assert_eq!(err.retry(), Decision::RetrySameRequest);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_without_reading_it_whole() {
    // Declared too large: refused on the header.
    let server = TestServer::start(|_| async { xml(vec![b' '; 64 * 1024]) }).await;
    let small_cap = |server: &TestServer| {
        Client::builder(Environment::Custom(server.base_url.clone()), POC_ID)
            .max_response_bytes(16 * 1024)
            .build()
            .unwrap()
    };
    let err = small_cap(&server)
        .call::<_, GoodsListResponse>(&ListGoods { category: None })
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 16384, .. }),
        "{err:?}"
    );

    // Streamed without a length, and endless: only stopping at the cap ends the call.
    let server = TestServer::start(|_| async {
        let chunks = futures_util::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(&[b' '; 4096]))
        });
        reply(200, "text/xml", axum::body::Body::from_stream(chunks))
    })
    .await;
    let err = small_cap(&server)
        .call::<_, GoodsListResponse>(&ListGoods { category: None })
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 16384, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn text_the_charset_cannot_encode_is_refused_before_sending() {
    let server = TestServer::start(|_| async { xml(goods(0).to_xml(Charset::Utf8)) }).await;
    let err = client(&server)
        .call::<_, CouponSendResponse>(&SendCoupon::new("쿠폰 🎁"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unencodable {
                field: "SEND_TITLE",
                charset: Charset::Cp949,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
    assert_eq!(err.retry(), Decision::Stop);
}

#[tokio::test]
async fn a_send_round_trips_with_masked_phones() {
    let expected = CouponSendResponse {
        order_id: Some("ORD-1".into()),
        tr_id: Some("TR-0001".into()),
        coupons: vec![CouponSendItem {
            coupon_number: Some("123456789012".into()),
            recipient: Some(Phone::new(PHONE)),
            ..Default::default()
        }],
    };
    let body = expected.to_xml(Charset::Cp949);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let trace = TraceCapture::start();
    let got: CouponSendResponse = client(&server)
        .call(&SendCoupon::new("쿠폰"))
        .await
        .unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        got.coupons[0].recipient.as_ref().map(Phone::expose),
        Some(PHONE)
    );
    assert!(!format!("{got:?}").contains("98765432"));
    let log = trace.text();
    assert!(
        log.contains("operation=\"coupon_send\"") || log.contains("operation=coupon_send"),
        "{log}"
    );
    assert!(log.contains("TR-0001"), "{log}");
    assert!(
        log.contains("result_code=\"00\"") || log.contains("result_code=00"),
        "{log}"
    );
}

/// A canned answer of the privacy test's server.
type Answer = Box<dyn Fn(support::Received) -> axum::response::Response + Send + Sync>;

/// Every error path, with a server that echoes the request (POC_ID, phone)
/// into whatever it answers: neither appears in Display, Debug or the trace.
#[tokio::test]
async fn no_error_path_shows_the_poc_id_or_a_phone_number() {
    let echo = |r: &support::Received| r.raw_form().replace(['&', '='], " ");
    let cases: Vec<(&str, Answer)> = vec![
        (
            "status",
            Box::new(move |r| {
                reply(
                    500,
                    "text/html",
                    format!("<html>error for {}</html>", echo(&r)),
                )
            }),
        ),
        (
            "not xml",
            Box::new(move |r| reply(200, "text/plain", format!("bad request {}", echo(&r)))),
        ),
        (
            "api",
            Box::new(move |r| {
                let msg = format!("수신번호 오류 {} {}", POC_ID, PHONE);
                let _ = r;
                xml(encode_error(
                    ResultCode::InvalidRecipientNumber,
                    Some(&msg),
                    Charset::Utf8,
                ))
            }),
        ),
        (
            "malformed",
            Box::new(move |_| {
                xml(b"<RESULT><RESULT_CODE>00</RESULT_CODE><COUPON><SEND_CNT>010-9876-5432</SEND_CNT></COUPON></RESULT>".to_vec())
            }),
        ),
        (
            "bad code",
            Box::new(move |_| {
                xml(format!("<RESULT><RESULT_CODE>{PHONE}</RESULT_CODE></RESULT>").into_bytes())
            }),
        ),
        ("too large", Box::new(move |_| xml(vec![b' '; 70_000]))),
    ];
    let trace = TraceCapture::start();
    let mut seen = Vec::new();
    for (name, answer) in cases {
        let answer = std::sync::Arc::new(answer);
        let server = TestServer::start(move |r| {
            let answer = answer.clone();
            async move { answer(r) }
        })
        .await;
        let client = Client::builder(Environment::Custom(server.base_url.clone()), POC_ID)
            .max_response_bytes(65_536)
            .method(Method::Get)
            .build()
            .unwrap();
        let err = client
            .call::<_, coufun_api::responses::CouponStatusResponse>(&SendCoupon::new("쿠폰"))
            .await
            .unwrap_err();
        seen.push((name, format!("{err}"), format!("{err:?}")));
    }
    // Paths without a server answer.
    let client = Client::builder(Environment::Custom("http://127.0.0.1:1/".into()), POC_ID)
        .method(Method::Get)
        .build()
        .unwrap();
    let err = client
        .call::<_, CouponSendResponse>(&SendCoupon::new("쿠폰"))
        .await
        .unwrap_err();
    seen.push(("connect", format!("{err}"), format!("{err:?}")));
    let err = client
        .call::<_, CouponSendResponse>(&SendCoupon::new("🎁"))
        .await
        .unwrap_err();
    seen.push(("unencodable", format!("{err}"), format!("{err:?}")));
    seen.push(("client debug", format!("{client:?}"), String::new()));

    let log = trace.text();
    assert!(
        log.contains("call failed"),
        "the trace captured the failures: {log}"
    );
    for (name, display, debug) in
        seen.iter()
            .map(|(n, a, b)| (n, a, b))
            .chain([(&"trace", &log, &String::new())])
    {
        for text in [display, debug] {
            assert!(!text.contains(POC_ID), "{name}: POC_ID in clear: {text}");
            assert!(
                !text.contains("98765432") && !text.contains("9876-5432"),
                "{name}: phone in clear: {text}"
            );
        }
    }
    let kinds: Vec<&str> = seen.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(kinds.len(), 9, "{kinds:?}");
}

#[test]
fn production_over_plain_http_is_refused_unless_allowed() {
    let plain = coufun_api::PRODUCTION_URL.replacen("https://", "http://", 1);
    let refused = Client::builder(Environment::Custom(plain.clone()), POC_ID).build();
    assert!(matches!(
        refused,
        Err(coufun_api::BuildError::PlainHttpRefused { .. })
    ));
    assert!(
        Client::builder(Environment::Custom(plain), POC_ID)
            .allow_plain_http()
            .build()
            .is_ok()
    );
    assert!(
        Client::builder(Environment::Production, POC_ID)
            .build()
            .is_ok()
    );
    assert!(Client::builder(Environment::Test, POC_ID).build().is_ok());
}

#[test]
fn response_decoders_and_encoders_agree() {
    let expected = goods(5);
    for charset in [Charset::Cp949, Charset::Utf8] {
        let bytes = expected.to_xml(charset);
        let reply = coufun_api::xml::decode_document::<GoodsListResponse>(&bytes, None).unwrap();
        assert_eq!(reply.code, ResultCode::Success);
        assert_eq!(reply.body, expected);
    }
    assert_eq!(<GoodsListResponse as Response>::OPERATION, "goods_list");
}
