//! Errors follow the Rust convention: `Display` says what this error is and
//! `source()` returns the cause, so a reporter walking the chain never prints
//! a cause twice. Real errors from real failures, each chain walked.
#![cfg(feature = "client")]

mod support;

use std::error::Error as _;
use std::time::Duration;

use coufun_api::issuance::IssueOutcome;
use coufun_api::privacy::PocId;
use coufun_api::responses::GoodsListResponse;
use coufun_api::retry::RetryPolicy;
use coufun_api::{Client, CouponSendRequest, Environment, Error, GoodsListRequest};
use support::{TestServer, reply, xml};

/// Each message of `error`'s chain, outermost first.
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        messages.push(cause.to_string());
        source = cause.source();
    }
    messages
}

/// No message of the chain contains the text of the cause below it.
fn assert_no_repeats(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let messages = chain(error);
    for pair in messages.windows(2) {
        assert!(
            !pair[1].is_empty() && !pair[0].contains(pair[1].as_str()),
            "{:?} repeats its cause {:?}; whole chain: {messages:#?}",
            pair[0],
            pair[1]
        );
    }
    messages
}

fn client(base_url: String, timeout: Duration) -> Client {
    Client::builder(
        Environment::Custom(base_url),
        PocId::new("POC0000001").unwrap(),
    )
    .timeout(timeout)
    .retry_policy(RetryPolicy::no_retry())
    .build()
    .unwrap()
}

fn send() -> CouponSendRequest {
    CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-CHAIN-1")
        .sender("02-1234-5678")
        .subject("쿠폰")
        .recipients(["01098765432"])
        .build()
        .unwrap()
}

#[tokio::test]
async fn no_error_prints_its_cause() {
    let list = GoodsListRequest::builder().build().unwrap();
    let mut errors: Vec<Error> = Vec::new();

    // connection refused: Connect → TransportError → reqwest → hyper → io
    let (_held, closed) = support::refusing_address();
    let port = closed.port();
    let refused = client(format!("http://127.0.0.1:{port}/"), Duration::from_secs(2));
    errors.push(refused.goods_list(&list).await.unwrap_err());

    // timeout
    let slow = TestServer::start(|_| async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        xml(Vec::new())
    })
    .await;
    let slow = client(slow.base_url.clone(), Duration::from_millis(200));
    errors.push(slow.goods_list(&list).await.unwrap_err());

    // malformed XML: MalformedXml → DecodeError
    let truncated = TestServer::start(|_| async {
        reply(
            200,
            "text/xml",
            "<?xml version=\"1.0\"?><RESULT><CODE>00</CODE>",
        )
    })
    .await;
    let truncated = client(truncated.base_url.clone(), Duration::from_secs(2));
    let malformed: Result<GoodsListResponse, Error> = truncated.goods_list(&list).await;
    errors.push(malformed.unwrap_err());

    // issuance with the outcome unknown: OutcomeUnknown → the last failure → …
    let outcome = slow.coupon_send(&send()).await;
    let IssueOutcome::Unknown(_) = &outcome else {
        panic!("{outcome:?}")
    };
    errors.push(outcome.into_result().map(|_| ()).unwrap_err());

    let mut longest = 0;
    for error in &errors {
        let messages = assert_no_repeats(error);
        longest = longest.max(messages.len());
    }
    // the chains do reach the HTTP stack's own errors
    assert!(longest >= 3, "{errors:#?}");
    let connect = chain(&errors[0]);
    assert!(
        matches!(&errors[0], Error::Connect { source, .. } if source.is_connect()),
        "{connect:?}"
    );
    assert!(
        matches!(&errors[1], Error::Timeout { source, .. } if source.is_timeout()),
        "{errors:?}"
    );
    assert!(
        errors[2].source().is_some(),
        "a malformed answer keeps its cause"
    );
}
