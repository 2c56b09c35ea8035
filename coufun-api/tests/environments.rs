//! The two test servers of the manuals, reached on purpose: the interface
//! manuals' https one by default, the code manual's plain-http one by name
//! (`Environment::TestPlainHttp`), here against a local server standing in for
//! its host through `ClientBuilder::resolve`; any other plain-http URL only
//! with `allow_plain_http`.

mod support;

use std::net::SocketAddr;

use coufun_api::privacy::PocId;
use coufun_api::responses::{DEFAULT_TEST_URL, GoodsListResponse};
use coufun_api::retry::RetryPolicy;
use coufun_api::xml::Response;
use coufun_api::{BuildError, Charset, Client, Environment, GoodsListRequest, Operation, TEST_URL};
use reqwest::Url;
use support::{TestServer, xml};

fn poc_id() -> PocId {
    PocId::new("POC0000001").unwrap()
}

/// The local server's address, from its base URL.
fn local_addr(server: &TestServer) -> SocketAddr {
    let url = Url::parse(&server.base_url).unwrap();
    SocketAddr::new(
        url.host_str().unwrap().parse().unwrap(),
        url.port().unwrap(),
    )
}

#[tokio::test]
async fn the_plain_http_test_server_is_called_at_the_code_manuals_url() {
    let body = GoodsListResponse::default().to_xml(Charset::Cp949);
    let server = TestServer::start(move |_| {
        let body = body.clone();
        async move { xml(body) }
    })
    .await;
    let test_url = Url::parse(TEST_URL).unwrap();
    assert_eq!(test_url.scheme(), "http");
    let client = Client::builder(Environment::TestPlainHttp, poc_id())
        .resolve(test_url.host_str().unwrap(), local_addr(&server))
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .expect("the code manual's test server, chosen by name, needs no opt-in");
    let answer = client
        .goods_list(&GoodsListRequest::builder().build().unwrap())
        .await;
    assert!(answer.is_ok(), "{answer:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    // The path is the code manual's base path joined with the operation's.
    assert_eq!(
        requests[0].path,
        format!("{}{}", test_url.path(), GoodsListRequest::PATH)
    );
}

#[test]
fn the_https_test_server_is_the_default_and_the_plain_one_needs_its_name() {
    assert!(DEFAULT_TEST_URL.starts_with("https://"));
    assert_eq!(Environment::Test.base_url(), DEFAULT_TEST_URL);
    assert_eq!(Environment::TestPlainHttp.base_url(), TEST_URL);
    assert!(Client::builder(Environment::Test, poc_id()).build().is_ok());
    assert!(
        Client::builder(Environment::TestPlainHttp, poc_id())
            .build()
            .is_ok()
    );
    // The same plain URL given by hand is refused, and the error says what to choose.
    let refused = Client::builder(Environment::Custom(TEST_URL.to_owned()), poc_id()).build();
    match refused {
        Err(e @ BuildError::PlainHttpRefused { .. }) => {
            assert!(e.to_string().contains("TestPlainHttp"), "{e}");
        }
        other => panic!("expected PlainHttpRefused, got {other:?}"),
    }
    assert!(
        Client::builder(Environment::Custom(TEST_URL.to_owned()), poc_id())
            .allow_plain_http()
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn a_refusal_displays_in_both_languages_and_01_says_what_to_check() {
    let server = TestServer::start(|_| async {
        xml("<PRODUCTLIST><RESULT_CODE>01</RESULT_CODE><RESULT_MSG>IP 오류</RESULT_MSG></PRODUCTLIST>"
            .as_bytes()
            .to_vec())
    })
    .await;
    let client = Client::builder(Environment::Custom(server.base_url.clone()), poc_id())
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let error = client
        .goods_list(&GoodsListRequest::builder().build().unwrap())
        .await
        .unwrap_err();
    let code = error.result_code().unwrap();
    assert_eq!(code, coufun_api::ResultCode::IpNotRegistered);
    let text = error.to_string();
    for shown in [
        code.message(coufun_api::Lang::Ko),
        code.message(coufun_api::Lang::En),
        code.action(coufun_api::Lang::En).unwrap(),
        code.action(coufun_api::Lang::Ko).unwrap(),
        "IP 오류",
    ] {
        assert!(text.contains(shown), "{shown:?} missing from {text}");
    }
    // The action names what to check: the caller's address, per environment.
    let action = code.action(coufun_api::Lang::En).unwrap();
    for said in [
        "IP address",
        "registered",
        "test and production",
        "supplier",
    ] {
        assert!(action.contains(said), "{said:?} missing from {action}");
    }
}
