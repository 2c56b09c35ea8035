//! `--ca-cert FILE` against the sandbox serving https with a throwaway CA: the
//! CLI trusts the CA and the call succeeds; without it the call fails (exit 5)
//! naming the certificate problem and the option; a file that holds no
//! certificate is a bad argument that sends nothing.
//!
//! `--env test` itself is not run here: the test server's URL carries a fixed
//! port (446) that a test cannot bind, and `--resolve` keeps a URL's own port.
//! The same path is run with `--env` given the test server's host name and the
//! sandbox's port, and `--resolve` sending that name to the sandbox, so TLS
//! checks the certificate against the test server's name.

mod common;

use common::Host;
use coufun_sandbox::SandboxConfig;
use coufun_sandbox::tls::{TlsConfig, test_server_host};

/// An https sandbox whose certificate also covers the test server's host, and
/// its CA written to `ca.pem` in the host's scratch directory.
fn https_host() -> (Host, std::path::PathBuf) {
    let host =
        Host::with(SandboxConfig::default().with_tls(TlsConfig::new().with_test_server_host()));
    let ca = host.path("ca.pem");
    let pem = host
        .sandbox()
        .ca_certificate_pem()
        .expect("an https sandbox");
    std::fs::write(&ca, pem).expect("write the CA");
    (host, ca)
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

#[test]
fn goods_list_over_https_with_the_ca_trusted() {
    let (host, ca) = https_host();
    assert!(
        host.base_url().starts_with("https://"),
        "{}",
        host.base_url()
    );
    let listed = host.run(&["--ca-cert", path(&ca), "--json", "goods-list"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.json()["records"].is_array(), "{}", listed.stdout);
    assert_eq!(host.sandbox().request_count(), 1);

    // The same from the environment.
    let listed = host
        .cmd()
        .env("COUFUN_CA_CERT", &ca)
        .args(["--json", "goods-list"])
        .output()
        .expect("coufun runs");
    assert_eq!(listed.status.code(), Some(0), "{listed:?}");
}

#[test]
fn without_the_ca_the_call_fails_naming_the_certificate_problem() {
    let (host, _ca) = https_host();
    let refused = host.run(&["goods-list"]);
    assert_eq!(refused.code, 5, "{refused:?}");
    for said in [
        "TLS handshake failed",
        "certificate is not signed by a certificate authority this client trusts",
        "--ca-cert FILE",
        "the request was not sent",
    ] {
        assert!(
            refused.stderr.contains(said),
            "{said:?} missing: {}",
            refused.stderr
        );
    }
    assert_eq!(host.sandbox().request_count(), 0);

    // An issuing call is not retried for the default 30 s either, and issues nothing.
    let created = host.run(&[
        "coupon-create",
        "--goods-id",
        "0000100001",
        "--quantity",
        "1",
        "--tr-id",
        "cli-tls-untrusted",
    ]);
    assert_eq!(created.code, 5, "{created:?}");
    assert!(created.stderr.contains("--ca-cert"), "{}", created.stderr);
    assert!(host.ledger().order_by_tr_id("cli-tls-untrusted").is_none());
}

#[test]
fn the_test_servers_host_name_resolved_to_the_sandbox() {
    let (host, ca) = https_host();
    let name = test_server_host();
    let sandbox = host.sandbox();
    let env = sandbox.base_url_for_host(name);
    let resolve = format!("{name}={}", sandbox.addr());
    let listed = common::bare(host.dir.path())
        .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
        .args(["--env", &env, "--resolve", &resolve, "--ca-cert", path(&ca)])
        .args(["--json", "goods-list"])
        .output()
        .expect("coufun runs");
    let listed = common::Run::from(listed);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(listed.json()["records"].is_array(), "{}", listed.stdout);

    // A name the certificate does not cover is refused on the name.
    let other = "not-in-the-certificate.example";
    let refused = common::bare(host.dir.path())
        .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
        .args(["--env", &sandbox.base_url_for_host(other)])
        .args(["--resolve", &format!("{other}={}", sandbox.addr())])
        .args(["--ca-cert", path(&ca), "goods-list"])
        .output()
        .expect("coufun runs");
    let refused = common::Run::from(refused);
    assert_eq!(refused.code, 5, "{refused:?}");
    assert!(
        refused.stderr.contains("not valid for the host name"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        sandbox.request_count(),
        1,
        "only the first call got through"
    );
}

#[test]
fn an_https_url_at_the_plain_http_sandbox_says_it_speaks_plain_http() {
    let host = Host::start();
    let env = host.base_url().replacen("http://", "https://", 1);
    let refused = common::bare(host.dir.path())
        .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
        .args(["--env", &env, "goods-list"])
        .output()
        .expect("coufun runs");
    let refused = common::Run::from(refused);
    assert_eq!(refused.code, 5, "{refused:?}");
    assert!(
        refused.stderr.contains("plain http server"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_ca_cert_that_holds_no_certificate_is_a_bad_argument() {
    let (host, _ca) = https_host();
    let key = host.path("key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let refused = host.run(&["--ca-cert", path(&key), "goods-list"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("--ca-cert") && refused.stderr.contains("no certificate"),
        "{}",
        refused.stderr
    );
    let missing = host.path("missing.pem");
    let unreadable = host.run(&["--ca-cert", path(&missing), "goods-list"]);
    assert_eq!(unreadable.code, 1, "{unreadable:?}");
    assert!(
        unreadable.stderr.contains("--ca-cert") && unreadable.stderr.contains("cannot read"),
        "{}",
        unreadable.stderr
    );
    assert_eq!(host.sandbox().request_count(), 0, "nothing was sent");
}
