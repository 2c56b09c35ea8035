//! `--resolve HOST=ADDR` (curl's meaning, the SDK's `ClientBuilder::resolve`):
//! the code manual's plain-http test server chosen by name (`--env test-http`)
//! reached at a local sandbox standing in for its host; a malformed value is a
//! bad argument that sends nothing.

mod common;

use common::Host;

/// The host name of the code manual's plain-http test URL (from `spec/`).
fn test_http_host() -> &'static str {
    let url = coufun_api::TEST_URL;
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = after_scheme.find(['/', ':']).unwrap_or(after_scheme.len());
    &after_scheme[..end]
}

/// `coufun <args>` with the sandbox's POC_ID and no `--env` of the host's.
fn run(host: &Host, args: &[&str]) -> common::Run {
    common::bare(host.dir.path())
        .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
        .args(args)
        .output()
        .expect("coufun runs")
        .into()
}

#[test]
fn test_http_by_name_reaches_a_local_sandbox_through_resolve() {
    let host = Host::start();
    let name = test_http_host();
    assert!(!name.is_empty() && name.parse::<std::net::IpAddr>().is_err());
    let resolve = format!("{name}={}", host.sandbox().addr());
    let listed = run(
        &host,
        &[
            "--env",
            "test-http",
            "--resolve",
            &resolve,
            "--json",
            "goods-list",
        ],
    );
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.json()["records"].is_array(), "{}", listed.stdout);
    assert_eq!(host.sandbox().request_count(), 1, "the sandbox answered it");

    // An issuing call goes the same way, and lands in the sandbox's ledger.
    let created = run(
        &host,
        &[
            "--env",
            "test-http",
            "--resolve",
            &resolve,
            "--json",
            "coupon-create",
            "--goods-id",
            "0000100001",
            "--quantity",
            "1",
            "--tr-id",
            "cli-resolve",
        ],
    );
    assert_eq!(created.code, 0, "{created:?}");
    assert!(host.ledger().order_by_tr_id("cli-resolve").is_some());
}

#[test]
fn a_malformed_resolve_is_a_bad_argument_and_sends_nothing() {
    let host = Host::start();
    let addr = host.sandbox().addr().to_string();
    for bad in [
        addr.clone(),
        format!("={addr}"),
        format!("{}=nowhere", test_http_host()),
    ] {
        let refused = run(
            &host,
            &["--env", "test-http", "--resolve", &bad, "goods-list"],
        );
        assert_eq!(refused.code, 2, "{bad}: {refused:?}");
        assert!(
            refused.stderr.contains("--resolve"),
            "{bad}: {}",
            refused.stderr
        );
    }
    assert_eq!(host.sandbox().request_count(), 0);
}
