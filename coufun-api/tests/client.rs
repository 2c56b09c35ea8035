//! The client against a real HTTP server on 127.0.0.1: request encoding, typed
//! success, and one test per error class that fails if the class were another.
#![cfg(feature = "client")]

mod support;

use std::time::{Duration, Instant};

use coufun_api::privacy::PocId;
use coufun_api::responses::*;
use coufun_api::retry::Decision;
use coufun_api::retry::RetryPolicy;
use coufun_api::xml::{
    CalendarDate, DecodeError, Phone, Reported, Response, Timestamp, encode_error,
};
use coufun_api::{
    ChangeRecipientRequest, Charset, Client, CouponCancelRequest, CouponCreateRequest,
    CouponImageSendRequest, CouponResendRequest, CouponSendRequest, CouponStatus,
    CouponStatusRequest, CouponType, Environment, Error, GoodsListRequest, Method, Operation,
    ResultCode,
};
use support::{TestServer, TraceCapture, reply, xml};

const POC_ID: &str = "POC7315426";
const PHONE: &str = "01098765432";

fn poc_id() -> PocId {
    PocId::new(POC_ID).unwrap()
}

fn list() -> GoodsListRequest {
    GoodsListRequest::builder().build().unwrap()
}

fn send(subject: &str) -> CouponSendRequest {
    CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-0001")
        .sender("02-1234-5678")
        .subject(subject)
        .recipients([PHONE])
        .build()
        .unwrap()
}

fn client(server: &TestServer) -> Client {
    // One attempt per call: these tests check how each single answer is classified.
    // Retrying and exactly-once issuance are tested against the sandbox.
    Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
        .timeout(Duration::from_millis(1500))
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap()
}

fn goods(n: usize) -> GoodsListResponse {
    let mut response = GoodsListResponse {
        list_count: i64::try_from(n).ok(),
        ..Default::default()
    };
    for i in 0..n {
        response.goods.push(GoodsListItem {
            goods_id: Some(format!("{i:010}").into()),
            goods_name: Some(format!("아메리카노 <{i}> & 쿠키")),
            supply_price: Some(4500 + i as i64),
            validity: Some("20261231".into()),
            ..Default::default()
        });
    }
    response
}

#[tokio::test]
async fn a_send_goes_as_a_cp949_form_over_post() {
    let body = CouponSendResponse::default().to_xml(Charset::Cp949);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    client(&server)
        .coupon_send(&send("생일 쿠폰"))
        .await
        .into_result()
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        (
            "POST",
            format!("/b2c_api/{}", CouponSendRequest::PATH).as_str()
        )
    );
    assert_eq!(
        r.content_type.as_deref(),
        Some("application/x-www-form-urlencoded; charset=euc-kr")
    );
    let form = r.form_bytes();
    assert_eq!(form[0], ("POC_ID".to_owned(), POC_ID.as_bytes().to_vec()));
    let (cp949, _, _) = encoding_rs::EUC_KR.encode("생일 쿠폰");
    assert!(
        form.contains(&("SEND_TITLE".to_owned(), cp949.into_owned())),
        "{form:?}"
    );
}

#[tokio::test]
async fn get_and_utf8_are_settings() {
    let body = CouponSendResponse::default().to_xml(Charset::Utf8);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let client = Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
        .method(Method::Get)
        .charset(Charset::Utf8)
        .build()
        .unwrap();
    let request = CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-0002")
        .sender("0212345678")
        .subject("생일 쿠폰")
        .recipients([PHONE])
        .build_with(Charset::Utf8)
        .unwrap();
    client.coupon_send(&request).await.into_result().unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.method.as_str(), "GET");
    assert!(r.body.is_empty());
    assert!(
        r.form_bytes()
            .contains(&("SEND_TITLE".to_owned(), "생일 쿠폰".as_bytes().to_vec()))
    );
}

#[tokio::test]
async fn a_request_checked_in_another_charset_is_refused_before_sending() {
    let server = TestServer::start(|_| async { xml(Vec::new()) }).await;
    let utf8_client = Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
        .charset(Charset::Utf8)
        .build()
        .unwrap();
    let err = utf8_client
        .coupon_send(&send("쿠폰"))
        .await
        .into_result()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CharsetMismatch {
                counted_in: Charset::Cp949,
                sent_in: Charset::Utf8,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
    assert_eq!(err.retry(), Decision::Stop);
}

#[test]
fn validation_errors_convert_into_the_client_error() {
    fn build() -> Result<CouponSendRequest, Error> {
        Ok(CouponSendRequest::builder()
            .goods_id("0000012345")
            .tr_id("TR-0001")
            .sender("0212345678")
            .subject("쿠폰 🎁")
            .recipients([PHONE])
            .build()?)
    }
    let err = build().unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(!err.may_have_reached_server());
    assert_eq!(err.retry(), Decision::Stop);
}

/// Every operation in the spec, through its generated method: the request
/// reaches the spec's path, and the typed answer equals what the server encoded.
/// Goods info is the hand-written lookup over the goods list.
#[tokio::test]
async fn all_eight_operations_and_the_goods_lookup_round_trip() {
    let server = TestServer::start(|r| async move {
        let mut coupon_status = CouponStatusResponse::default();
        coupon_status.coupons.push(CouponStatusItem {
            coupon_number: Some("C-1".into()),
            coupon_type: Some(Reported::Known(CouponType::Amount)),
            recipient: Some(Phone::new(PHONE)),
            status: Some(Reported::Known(CouponStatus::Used)),
            valid_until: CalendarDate::new(2026, 12, 31),
            exchanged_at: Timestamp::parse("20260601093000"),
            total_amount: Some(10_000),
            remaining_amount: Some(7_500),
            ..Default::default()
        });
        let body = match r.path.trim_start_matches("/b2c_api/") {
            GoodsListRequest::PATH => goods(2).to_xml(Charset::Cp949),
            CouponSendRequest::PATH => CouponSendResponse {
                order_id: Some("ORD-1".into()),
                ..Default::default()
            }
            .to_xml(Charset::Cp949),
            CouponCreateRequest::PATH => CouponCreateResponse {
                coupons: vec![CouponCreateItem {
                    coupon_number: Some("C-1".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }
            .to_xml(Charset::Cp949),
            CouponCancelRequest::PATH => CouponCancelResponse {
                coupon_number: Some("C-1".into()),
                ..Default::default()
            }
            .to_xml(Charset::Cp949),
            CouponResendRequest::PATH => CouponResendResponse {
                send_count: Some(2),
                ..Default::default()
            }
            .to_xml(Charset::Cp949),
            ChangeRecipientRequest::PATH => ChangeRecipientResponse {
                recipient: Some(Phone::new(PHONE)),
                ..Default::default()
            }
            .to_xml(Charset::Cp949),
            CouponStatusRequest::PATH => coupon_status.to_xml(Charset::Cp949),
            CouponImageSendRequest::PATH => CouponImageSendResponse {
                send_count: Some(3),
                ..Default::default()
            }
            .to_xml(Charset::Cp949),
            _ => return reply(404, "text/plain", "no such path"),
        };
        xml(body)
    })
    .await;
    let c = client(&server);
    let (goods_id, coupon) = ("0000012345", "C-1");
    assert_eq!(
        c.goods_list(&GoodsListRequest::builder().build().unwrap())
            .await
            .unwrap(),
        goods(2)
    );
    let info = c.goods_info("0000000001").await.unwrap().unwrap();
    assert_eq!(
        (info.goods_name.as_deref(), info.supply_price),
        (Some("아메리카노 <1> & 쿠키"), Some(4501))
    );
    assert_eq!(c.goods_info("0000000009").await.unwrap(), None);
    let sent = c.coupon_send(&send("쿠폰")).await.into_result().unwrap();
    assert_eq!(sent.order_id(), Some("ORD-1"));
    let created = c
        .coupon_create(
            &CouponCreateRequest::builder()
                .goods_id(goods_id)
                .quantity(1)
                .tr_id("TR-9")
                .build()
                .unwrap(),
        )
        .await
        .into_result()
        .unwrap();
    assert_eq!(created.coupon_numbers()[0], "C-1");
    let cancelled = c
        .coupon_cancel(
            &CouponCancelRequest::builder()
                .goods_id(goods_id)
                .coupon_number(coupon)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.coupon_number.as_deref(), Some("C-1"));
    let resent = c
        .coupon_resend(
            &CouponResendRequest::builder()
                .goods_id(goods_id)
                .coupon_number(coupon)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resent.send_count, Some(2));
    let changed = c
        .change_recipient(
            &ChangeRecipientRequest::builder()
                .goods_id(goods_id)
                .coupon_number(coupon)
                .recipient(PHONE)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(changed.recipient.as_ref().map(Phone::expose), Some(PHONE));
    let status = c
        .coupon_status(
            &CouponStatusRequest::builder()
                .goods_id(goods_id)
                .coupon_number(coupon)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let found = &status.coupons[0];
    assert_eq!(found.status, Some(Reported::Known(CouponStatus::Used)));
    assert_eq!(found.valid_until, CalendarDate::new(2026, 12, 31));
    assert_eq!(
        found.exchanged_at.map(|t| t.to_string()).as_deref(),
        Some("20260601093000")
    );
    assert_eq!(
        (found.total_amount, found.remaining_amount),
        (Some(10_000), Some(7_500))
    );
    let imaged = c
        .coupon_image_send(
            &CouponImageSendRequest::builder()
                .goods_id(goods_id)
                .coupon_number(coupon)
                .sender("0212345678")
                .subject("쿠폰 이미지")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(imaged.send_count, Some(3));
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 10);
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with("/b2c_api/") && p.ends_with(".do")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn an_euc_kr_response_decodes_to_the_right_text() {
    let document = "<?xml version=\"1.0\" encoding=\"euc-kr\"?>\n<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE>\
        <RESULT_MSG>성공</RESULT_MSG><PRODUCT_INFO><GOODS_ID>0000000001</GOODS_ID>\
        <GOODS_NAME>스타벅스 아메리카노 Tall</GOODS_NAME><GOODS_PRICE>4500</GOODS_PRICE></PRODUCT_INFO></PRODUCTLIST>";
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
    let got: GoodsListResponse = client(&server).goods_list(&list()).await.unwrap();
    assert_eq!(
        got.goods[0].goods_name.as_deref(),
        Some("스타벅스 아메리카노 Tall")
    );
    assert_eq!(got.goods[0].supply_price, Some(4500));
}

#[tokio::test]
async fn a_result_code_becomes_an_api_error_with_the_servers_message() {
    let server = TestServer::start(|_| async {
        xml(encode_error::<CouponSendResponse>(
            ResultCode::DuplicateTrId,
            Some("중복된 TR_ID 입니다"),
            Charset::Cp949,
        ))
    })
    .await;
    let err = client(&server)
        .call::<_, CouponSendResponse>(&send("쿠폰"))
        .await
        .unwrap_err();
    match &err {
        Error::Api { code, message, .. } => {
            assert_eq!(*code, ResultCode::DuplicateTrId);
            assert_eq!(message, "중복된 TR_ID 입니다");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(err.retry(), Decision::EarlierAttemptReached);
}

#[tokio::test]
async fn an_unknown_code_stays_unknown() {
    let server = TestServer::start(|_| async {
        xml(
            b"<PRODUCTLIST><RESULT_CODE>42</RESULT_CODE><RESULT_MSG>new rule</RESULT_MSG></PRODUCTLIST>"
                .to_vec(),
        )
    })
    .await;
    let err = client(&server).goods_list(&list()).await.unwrap_err();
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
        .call::<_, CouponSendResponse>(&send("쿠폰"))
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
    let err = client(&server).goods_list(&list()).await.unwrap_err();
    assert!(
        matches!(err, Error::NotXml { status: 200, ref excerpt, .. } if excerpt.contains("log in")),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_xml_is_malformed() {
    let full = goods(2).to_xml(Charset::Utf8);
    let cut_between_elements = full[..full.len() - "</PRODUCTLIST>".len()].to_vec();
    let cut_inside_a_tag = full[..full.len() - 4].to_vec();
    for (body, truncated) in [(cut_between_elements, true), (cut_inside_a_tag, false)] {
        let server = TestServer::start(move |_| {
            let body = body.clone();
            async move { xml(body) }
        })
        .await;
        let err = client(&server).goods_list(&list()).await.unwrap_err();
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
        xml(b"<?xml version=\"1.0\"?><!DOCTYPE PRODUCTLIST [<!ENTITY x \"boom\">]><PRODUCTLIST><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>&x;</RESULT_MSG></PRODUCTLIST>".to_vec())
    })
    .await;
    let err = client(&server).goods_list(&list()).await.unwrap_err();
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
        xml(
            b"<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>&x;</RESULT_MSG></PRODUCTLIST>"
                .to_vec(),
        )
    })
    .await;
    let err = client(&server).goods_list(&list()).await.unwrap_err();
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
    let client = Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .call::<_, CouponSendResponse>(&send("쿠폰"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.may_have_reached_server());
    assert_eq!(err.retry(), Decision::RetrySameRequest);
}

#[tokio::test]
async fn a_refused_connection_was_not_sent() {
    let (_held, closed) = support::refusing_address();
    let port = closed.port();
    let client = Client::builder(
        Environment::Custom(format!("http://127.0.0.1:{port}/")),
        poc_id(),
    )
    .build()
    .unwrap();
    let err = client
        .call::<_, CouponSendResponse>(&send("쿠폰"))
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
        Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
            .max_response_bytes(16 * 1024)
            .build()
            .unwrap()
    };
    let err = small_cap(&server).goods_list(&list()).await.unwrap_err();
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
    let err = small_cap(&server).goods_list(&list()).await.unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 16384, .. }),
        "{err:?}"
    );
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
        ..Default::default()
    };
    let body = expected.to_xml(Charset::Cp949);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let trace = TraceCapture::start();
    let got: CouponSendResponse = client(&server)
        .coupon_send(&send("쿠폰"))
        .await
        .into_result()
        .unwrap()
        .answer;
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
                xml(encode_error::<CouponSendResponse>(
                    ResultCode::InvalidRecipientNumber,
                    Some(&msg),
                    Charset::Utf8,
                ))
            }),
        ),
        (
            "malformed",
            Box::new(move |_| {
                xml(b"<COUFUNSEND><RESULT_CODE>00</RESULT_CODE><ORDER_INFO><VALID_END_DATE>010-9876-5432</VALID_END_DATE></ORDER_INFO></COUFUNSEND>".to_vec())
            }),
        ),
        (
            "bad code",
            Box::new(move |_| {
                xml(
                    format!("<COUFUNSEND><RESULT_CODE>{PHONE}</RESULT_CODE></COUFUNSEND>")
                        .into_bytes(),
                )
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
        let client = Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
            .max_response_bytes(65_536)
            .method(Method::Get)
            .retry_policy(RetryPolicy::no_retry())
            .build()
            .unwrap();
        let err = client
            .coupon_send(&send("쿠폰"))
            .await
            .into_result()
            .unwrap_err();
        seen.push((name, format!("{err}"), format!("{err:?}")));
    }
    // Paths without a server answer.
    let client = Client::builder(Environment::Custom("http://127.0.0.1:1/".into()), poc_id())
        .method(Method::Get)
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let err = client
        .coupon_send(&send("쿠폰"))
        .await
        .into_result()
        .unwrap_err();
    seen.push(("connect", format!("{err}"), format!("{err:?}")));
    let utf8_client = Client::builder(Environment::Custom("http://127.0.0.1:1/".into()), poc_id())
        .charset(Charset::Utf8)
        .build()
        .unwrap();
    let err = utf8_client
        .coupon_send(&send("쿠폰"))
        .await
        .into_result()
        .unwrap_err();
    seen.push(("charset mismatch", format!("{err}"), format!("{err:?}")));
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
    let refused = Client::builder(Environment::Custom(plain.clone()), poc_id()).build();
    assert!(matches!(
        refused,
        Err(coufun_api::BuildError::PlainHttpRefused { .. })
    ));
    assert!(
        Client::builder(Environment::Custom(plain), poc_id())
            .allow_plain_http()
            .build()
            .is_ok()
    );
    assert!(
        Client::builder(Environment::Production, poc_id())
            .build()
            .is_ok()
    );
    assert!(Client::builder(Environment::Test, poc_id()).build().is_ok());
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

/// A create answer listing fewer coupon numbers than it states and than were
/// asked for is still issued (the numbers that arrived are real), its count says
/// so, and the client logs a warning; an answer that agrees logs none.
#[tokio::test]
async fn a_create_answer_short_of_coupons_is_issued_with_a_warning() {
    const WARNING: &str = "the answer lists another number of coupons";
    let server = TestServer::start(|r| async move {
        let short = r.raw_form().contains("TR_ID=TR-SHORT");
        let mut answer = CouponCreateResponse {
            order_id: Some("ORD-7".into()),
            order_count: Some(3),
            ..Default::default()
        };
        for i in 0..if short { 2 } else { 3 } {
            answer.coupons.push(CouponCreateItem {
                coupon_number: Some(format!("C-{i}").into()),
                ..Default::default()
            });
        }
        xml(answer.to_xml(Charset::Cp949))
    })
    .await;
    let create = |tr_id: &str| {
        CouponCreateRequest::builder()
            .goods_id("0000012345")
            .quantity(3)
            .tr_id(tr_id)
            .build()
            .unwrap()
    };
    let c = client(&server);
    let trace = TraceCapture::start();

    let whole = c
        .coupon_create(&create("TR-WHOLE"))
        .await
        .into_result()
        .unwrap();
    assert!(whole.coupon_count().is_consistent());
    assert!(!trace.text().contains(WARNING), "{}", trace.text());

    let short = c
        .coupon_create(&create("TR-SHORT"))
        .await
        .into_result()
        .unwrap();
    assert_eq!(short.coupon_numbers(), ["C-0", "C-1"]);
    let count = short.coupon_count();
    assert_eq!(
        (count.requested, count.stated, count.listed),
        (Some(3), Some(3), 2)
    );
    assert!(!count.is_consistent());
    let log = trace.text();
    let warning = log
        .lines()
        .find(|line| line.contains(WARNING))
        .unwrap_or_else(|| panic!("no warning logged: {log}"));
    assert!(
        warning.contains("WARN")
            && warning.contains("requested=3")
            && warning.contains("stated=3")
            && warning.contains("listed=2")
            && warning.contains("TR-SHORT"),
        "{warning}"
    );
}

/// The echo check's server: a create answer `00` that echoes the request's own
/// TR_ID and GOODS_ID, except for `TR-MIXED` (another order's TR_ID) and
/// `TR-GOODS` (another GOODS_ID). Its coupon number is `C-SECRET-1`.
fn echoing_answer(form: &str) -> Vec<u8> {
    let param = |name: &str| {
        form.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let (mut tr_id, mut goods_id) = (param("TR_ID"), param("GOODS_ID"));
    match tr_id.as_str() {
        "TR-MIXED" => tr_id = "TR-SOMEONE-ELSE".into(),
        "TR-GOODS" => goods_id = "0000099999".into(),
        _ => {}
    }
    let answer = CouponCreateResponse {
        order_id: Some("ORD-9".into()),
        tr_id: Some(tr_id),
        goods_id: Some(goods_id.into()),
        order_count: Some(1),
        coupons: vec![CouponCreateItem {
            coupon_number: Some("C-SECRET-1".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    answer.to_xml(Charset::Cp949)
}

fn create_for(tr_id: &str) -> CouponCreateRequest {
    CouponCreateRequest::builder()
        .goods_id("0000012345")
        .quantity(1)
        .tr_id(tr_id)
        .build()
        .unwrap()
}

/// What a mismatched outcome must say: which field, both values, the TR_ID,
/// and no coupon number; never `Issued`, and never "send with a new TR_ID".
fn assert_mismatched(
    outcome: coufun_api::issuance::IssueOutcome<CouponCreateResponse>,
    field: coufun_api::issuance::EchoedField,
    sent: &str,
    answered: &str,
) {
    use coufun_api::issuance::IssueOutcome;
    assert!(
        !outcome.is_issued() && outcome.may_have_issued(),
        "{outcome:?}"
    );
    let IssueOutcome::Mismatched(m) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (m.field, m.sent.as_str(), m.answered.as_str(), m.listed),
        (field, sent, answered, 1)
    );
    let err = outcome.into_result().unwrap_err();
    assert_eq!(err.retry(), Decision::EarlierAttemptReached);
    let text = err.to_string();
    assert!(text.contains(sent) && text.contains(answered), "{text}");
    assert!(!text.contains("C-SECRET"), "{text}");
}

/// An answer echoing another TR_ID or GOODS_ID is never `Issued`: it is
/// `Mismatched`, logged as a warning with both values (in the issuance span,
/// with the request's TR_ID) and without the coupon numbers.
#[tokio::test]
async fn an_answer_echoing_another_tr_id_or_goods_id_is_mismatched() {
    use coufun_api::issuance::EchoedField;
    const WARNING: &str = "the answer echoes another value than the request sent";
    let server = TestServer::start(|r| async move { xml(echoing_answer(&r.raw_form())) }).await;
    let c = client(&server);
    let trace = TraceCapture::start();

    let own = c.coupon_create(&create_for("TR-OWN")).await;
    assert!(own.is_issued(), "{own:?}");
    assert!(!trace.text().contains(WARNING), "{}", trace.text());

    let mixed = c.coupon_create(&create_for("TR-MIXED")).await;
    assert_mismatched(
        mixed,
        EchoedField::IdempotencyKey,
        "TR-MIXED",
        "TR-SOMEONE-ELSE",
    );
    let goods = c.coupon_create(&create_for("TR-GOODS")).await;
    assert_mismatched(goods, EchoedField::Goods, "0000012345", "0000099999");

    let log = trace.text();
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains(WARNING)).collect();
    assert_eq!(warnings.len(), 2, "{log}");
    for (line, tr_id, sent, answered) in [
        (warnings[0], "TR-MIXED", "TR-MIXED", "TR-SOMEONE-ELSE"),
        (warnings[1], "TR-GOODS", "0000012345", "0000099999"),
    ] {
        assert!(
            line.contains("WARN")
                && line.contains(&format!("tr_id=\"{tr_id}\""))
                    | line.contains(&format!("tr_id={tr_id}"))
                && line.contains(sent)
                && line.contains(answered),
            "{line}"
        );
    }
    assert!(
        !log.contains("C-SECRET"),
        "a coupon number was logged: {log}"
    );
}

/// The blocking client checks the echoes the same way (one state machine).
#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_reports_a_mismatched_echo_too() {
    use coufun_api::issuance::EchoedField;
    let server =
        TestServer::start_in_background(|r| async move { xml(echoing_answer(&r.raw_form())) });
    let c = coufun_api::blocking::Client::builder(
        Environment::Custom(server.base_url.clone()),
        poc_id(),
    )
    .timeout(Duration::from_millis(1500))
    .retry_policy(RetryPolicy::no_retry())
    .build()
    .unwrap();
    // the log is shared: hold it, as the async test does
    let trace = TraceCapture::start();
    assert!(c.coupon_create(&create_for("TR-OWN")).is_issued());
    assert_mismatched(
        c.coupon_create(&create_for("TR-MIXED")),
        EchoedField::IdempotencyKey,
        "TR-MIXED",
        "TR-SOMEONE-ELSE",
    );
    assert_mismatched(
        c.coupon_create(&create_for("TR-GOODS")),
        EchoedField::Goods,
        "0000012345",
        "0000099999",
    );
    let log = trace.text();
    let warned = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("the answer echoes another value"))
        .count();
    assert_eq!(warned, 2, "{log}");
    assert!(
        !log.contains("C-SECRET"),
        "a coupon number was logged: {log}"
    );
}

/// Both clients' `Debug` names the client and its settings, the POC_ID hidden.
#[test]
fn each_client_debugs_its_settings_with_the_poc_id_hidden() {
    let base = "http://127.0.0.1:1/";
    let env = || Environment::Custom(base.into());
    let shown = Client::builder(env(), poc_id()).build().unwrap();
    #[cfg_attr(not(feature = "blocking"), allow(unused_mut))]
    let mut seen = vec![("Client", format!("{shown:?}"))];
    #[cfg(feature = "blocking")]
    {
        let blocking = coufun_api::blocking::Client::builder(env(), poc_id())
            .charset(Charset::Utf8)
            .build()
            .unwrap();
        seen.push(("blocking::Client", format!("{blocking:?}")));
    }
    for (name, text) in &seen {
        assert!(text.starts_with(&format!("{name} {{")), "{text}");
        assert!(text.contains(base), "{name}: the base URL is shown: {text}");
        assert!(text.contains("charset"), "{name}: {text}");
        assert!(!text.contains(POC_ID), "{name}: POC_ID in clear: {text}");
    }
}

/// The goods lookup builds its list request in the client's charset: a UTF-8
/// client's lookup is sent, not refused as counted in another charset.
#[tokio::test]
async fn a_utf8_clients_goods_lookup_is_sent_in_utf8() {
    let body = goods(2).to_xml(Charset::Utf8);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let client = Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
        .charset(Charset::Utf8)
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let found = client.goods_info("0000000001").await.unwrap();
    assert_eq!(found.and_then(|g| g.supply_price), Some(4501));
    assert_eq!(server.requests().len(), 1);
}
