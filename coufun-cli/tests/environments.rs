//! `--env` and `--allow-plain-http`: the SDK's plain-http rule seen from the
//! command line, against a sandbox on loopback.

mod common;

use common::Host;

#[test]
fn help_names_both_test_servers_and_the_opt_in() {
    let host = Host::start();
    let help = host.run(&["--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    for shown in ["test-http", "--allow-plain-http", "https test server"] {
        assert!(
            help.stdout.contains(shown),
            "{shown} missing from {}",
            help.stdout
        );
    }
}

#[test]
fn a_plain_http_url_off_loopback_needs_allow_plain_http() {
    let host = Host::start();
    // The sandbox's own address written as an IPv4-mapped IPv6 address: not a
    // loopback name to the SDK's rule, yet this machine.
    let url = ipv4_mapped(&host.base_url());
    let run = |args: &[&str]| -> common::Run {
        common::bare(host.dir.path())
            .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
            .args(args)
            .output()
            .expect("coufun runs")
            .into()
    };
    let refused = run(&["--env", &url, "--json", "goods-list"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("plain http"), "{refused:?}");
    assert!(refused.stderr.contains("--env"), "{refused:?}");

    let allowed = run(&["--env", &url, "--allow-plain-http", "--json", "goods-list"]);
    assert_eq!(allowed.code, 0, "{allowed:?}");
    assert_eq!(host.sandbox().request_count(), 1);
}

/// `http://127.0.0.1:PORT/path` as `http://[::ffff:127.0.0.1]:PORT/path`.
fn ipv4_mapped(base: &str) -> String {
    base.replacen("http://127.0.0.1:", "http://[::ffff:127.0.0.1]:", 1)
}

#[test]
fn an_01_refusal_prints_what_to_check() {
    let mut config = coufun_sandbox::SandboxConfig::default();
    // Only a documentation address is registered: loopback callers get 01.
    config.allowed_ips = vec!["192.0.2.1".parse().unwrap()];
    let host = Host::with(config);
    let refused = host.run(&["goods-list"]);
    assert_eq!(refused.code, 3, "{refused:?}");
    let code = coufun_api::ResultCode::IpNotRegistered;
    for lang in [coufun_api::Lang::Ko, coufun_api::Lang::En] {
        let action = code.action(lang).unwrap();
        assert!(
            refused.stdout.contains(action),
            "{action} missing from {refused:?}"
        );
    }
    let json = host.run(&["--json", "goods-list"]).json();
    assert_eq!(
        json["result"]["action_en"],
        code.action(coufun_api::Lang::En).unwrap()
    );
}
