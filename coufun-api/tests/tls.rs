//! https end to end, against the sandbox serving TLS with a throwaway CA
//! (`coufun_sandbox::tls`): trusted through `add_root_certificate_pem` the
//! calls succeed; without it, at a host name the certificate does not cover, or
//! with an `https://` URL at the plain-http sandbox, they fail as typed TLS
//! problems (`TransportError::tls_problem`) whose Display says what is wrong,
//! are never retried, and never count as maybe sent.
//!
//! `Environment::Test` itself is not called here: its URL carries a fixed port
//! (446) that a test cannot bind, and `resolve` keeps a URL's own port. The
//! same path is covered with the test server's host name and the sandbox's
//! port (`Sandbox::base_url_for_host`), resolved to the sandbox.

use coufun_api::issuance::IssueOutcome;
use coufun_api::privacy::PocId;
use coufun_api::retry::RetryPolicy;
use coufun_api::{
    BuildError, Client, ClientBuilder, CouponCreateRequest, Environment, Error, GoodsListRequest,
    TlsProblem,
};
use coufun_sandbox::tls::{TlsConfig, test_server_host};
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};

fn builder(url: String) -> ClientBuilder<Client> {
    Client::builder(
        Environment::Custom(url),
        PocId::new(DEFAULT_POC_ID).unwrap(),
    )
}

async fn https_sandbox(tls: TlsConfig) -> Sandbox {
    Sandbox::start(SandboxConfig::default().with_tls(tls))
        .await
        .expect("the https sandbox starts")
}

fn ca(sandbox: &Sandbox) -> Vec<u8> {
    sandbox
        .ca_certificate_pem()
        .expect("an https sandbox has a CA")
        .as_bytes()
        .to_vec()
}

fn list() -> GoodsListRequest {
    GoodsListRequest::builder().build().unwrap()
}

/// The TLS problem of a failed call, checking it is a connect failure that
/// never reached the server.
fn tls_problem(error: &Error) -> Option<TlsProblem> {
    let Error::Connect { source, .. } = error else {
        panic!("not a connect failure: {error:?}");
    };
    assert!(!error.may_have_reached_server(), "{error}");
    source.tls_problem()
}

#[tokio::test]
async fn the_goods_list_over_https_succeeds_with_the_sandbox_ca_trusted() {
    let sandbox = https_sandbox(TlsConfig::new()).await;
    assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
    let client = builder(sandbox.base_url())
        .add_root_certificate_pem(&ca(&sandbox))
        .unwrap()
        .build()
        .unwrap();
    let goods = client
        .goods_list(&list())
        .await
        .expect("goods list over https");
    assert!(!goods.goods.is_empty());
    assert_eq!(sandbox.request_count(), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn without_the_ca_the_call_fails_as_an_untrusted_certificate() {
    let sandbox = https_sandbox(TlsConfig::new()).await;
    let client = builder(sandbox.base_url())
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let error = client.goods_list(&list()).await.unwrap_err();
    assert_eq!(
        tls_problem(&error),
        Some(TlsProblem::UntrustedCertificate),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("TLS handshake failed"), "{text}");
    assert!(
        text.contains("not signed by a certificate authority this client trusts"),
        "{text}"
    );
    assert!(text.contains("the request was not sent"), "{text}");
    // The transport error says it too, shortly.
    let Error::Connect { source, .. } = &error else {
        unreachable!()
    };
    assert_eq!(
        source.to_string(),
        "TLS handshake failed (untrusted certificate)"
    );
    assert!(source.is_connect() && !source.is_timeout());
    assert_eq!(sandbox.request_count(), 0, "no request got through");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_untrusted_certificate_issues_nothing_and_is_tried_once() {
    let sandbox = https_sandbox(TlsConfig::new()).await;
    // The default policy retries connection failures; a certificate problem
    // it stops at once: sending again would fail the same way.
    let client = builder(sandbox.base_url()).build().unwrap();
    let request = CouponCreateRequest::builder()
        .goods_id("0000100001")
        .quantity(1u64)
        .tr_id("tls-untrusted-1")
        .build()
        .unwrap();
    let outcome = client.coupon_create(&request).await;
    assert_eq!(outcome.attempts(), 1, "{outcome:?}");
    let IssueOutcome::NotIssued(not_issued) = outcome else {
        panic!("a call refused in the TLS handshake must be NotIssued: {outcome:?}");
    };
    assert_eq!(
        tls_problem(&not_issued.error),
        Some(TlsProblem::UntrustedCertificate)
    );
    assert!(sandbox.ledger().order_by_tr_id("tls-untrusted-1").is_none());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_https_url_at_the_plain_http_sandbox_says_it_speaks_plain_http() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let url = sandbox.base_url().replacen("http://", "https://", 1);
    let client = builder(url).build().unwrap();
    let error = client.goods_list(&list()).await.unwrap_err();
    assert_eq!(tls_problem(&error), Some(TlsProblem::NotTls), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("did not answer in TLS") && text.contains("plain http server"),
        "{text}"
    );
    // Stopped at once, not retried for the default policy's 30 s.
    assert!(
        error.retry() == coufun_api::retry::Decision::Stop,
        "{error}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_test_servers_host_name_resolved_to_the_sandbox_is_checked_and_accepted() {
    let host = test_server_host();
    let sandbox = https_sandbox(TlsConfig::new().with_test_server_host()).await;
    let url = sandbox.base_url_for_host(host);
    assert!(url.starts_with(&format!("https://{host}:")), "{url}");
    let client = builder(url)
        .resolve(host, sandbox.addr())
        .add_root_certificate_pem(&ca(&sandbox))
        .unwrap()
        .build()
        .unwrap();
    let goods = client
        .goods_list(&list())
        .await
        .expect("over the test host name");
    assert!(!goods.goods.is_empty());

    // A name the certificate does not cover fails on the name, even with the CA trusted.
    let other = "not-in-the-certificate.example";
    let client = builder(sandbox.base_url_for_host(other))
        .resolve(other, sandbox.addr())
        .add_root_certificate_pem(&ca(&sandbox))
        .unwrap()
        .build()
        .unwrap();
    let error = client.goods_list(&list()).await.unwrap_err();
    assert_eq!(
        tls_problem(&error),
        Some(TlsProblem::WrongHostName),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("not valid for the host name"),
        "{error}"
    );
    assert_eq!(
        sandbox.request_count(),
        1,
        "only the first call got through"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn another_sandboxs_ca_is_not_trusted_for_this_one() {
    let ours = https_sandbox(TlsConfig::new()).await;
    let theirs = https_sandbox(TlsConfig::new()).await;
    // Both CAs may be given; only the one that signed the server's certificate counts.
    let client = builder(ours.base_url())
        .add_root_certificate_pem(&ca(&theirs))
        .unwrap()
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let error = client.goods_list(&list()).await.unwrap_err();
    assert_eq!(tls_problem(&error), Some(TlsProblem::UntrustedCertificate));
    let client = builder(ours.base_url())
        .add_root_certificate_pem(&ca(&theirs))
        .unwrap()
        .add_root_certificate_pem(&ca(&ours))
        .unwrap()
        .build()
        .unwrap();
    assert!(client.goods_list(&list()).await.is_ok());
    ours.shutdown().await;
    theirs.shutdown().await;
}

#[tokio::test]
async fn a_root_certificate_that_is_not_one_is_refused_naming_why() {
    let sandbox = https_sandbox(TlsConfig::new()).await;
    let good = ca(&sandbox);
    let reason = |pem: &[u8]| match builder(sandbox.base_url()).add_root_certificate_pem(pem) {
        Err(BuildError::RootCertificate { reason }) => reason,
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("accepted: {}", String::from_utf8_lossy(pem)),
    };
    // Nothing that looks like a certificate: DER bytes, an empty file, a key.
    let der_like = [0x30u8, 0x82, 0x01, 0x0a, 0x02, 0x82];
    for no_certificate in [
        &der_like[..],
        b"",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        let why = reason(no_certificate);
        assert!(why.contains("no certificate"), "{why}");
        assert!(why.contains("BEGIN CERTIFICATE"), "{why}");
    }
    // A CERTIFICATE block whose bytes are not a certificate: the second one, named.
    let text = String::from_utf8(good.clone()).unwrap();
    let bogus = format!("{text}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    let why = reason(bogus.as_bytes());
    assert!(why.contains("certificate 2"), "{why}");
    // The Display names what was given.
    let error = builder(sandbox.base_url())
        .add_root_certificate_pem(b"")
        .err()
        .map(|e| e.to_string());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.starts_with("root certificate PEM: no certificate")),
        "{error:?}"
    );
    // Two good certificates in one PEM are both taken.
    let twice = format!("{text}{text}");
    assert!(
        builder(sandbox.base_url())
            .add_root_certificate_pem(twice.as_bytes())
            .is_ok()
    );
    sandbox.shutdown().await;
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_client_trusts_the_ca_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(https_sandbox(TlsConfig::new()));
    let poc = || PocId::new(DEFAULT_POC_ID).unwrap();
    let env = || Environment::Custom(sandbox.base_url());
    let trusted = coufun_api::blocking::Client::builder(env(), poc())
        .add_root_certificate_pem(&ca(&sandbox))
        .unwrap()
        .build()
        .unwrap();
    assert!(trusted.goods_list(&list()).is_ok());
    let untrusted = coufun_api::blocking::Client::builder(env(), poc())
        .build()
        .unwrap();
    let error = untrusted.goods_list(&list()).unwrap_err();
    assert_eq!(tls_problem(&error), Some(TlsProblem::UntrustedCertificate));
    runtime.block_on(sandbox.shutdown());
}
