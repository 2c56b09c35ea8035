//! The `coufun-sandbox` binary serves on a port, a second process (this test)
//! gets a valid XML answer from it, and Ctrl-C (SIGINT) stops it cleanly; it
//! logs on stderr why it refused a request; with `--tls` it serves https with
//! the CA it writes to `--tls-ca-out`.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{POC, Reply, path_of};
use coufun_api::ResultCode;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Starts the binary with `args` on a free port: (child, base URL).
async fn spawn(args: &[&str]) -> (tokio::process::Child, String) {
    spawn_with(args, Stdio::inherit()).await
}

/// [`spawn`], the child's stderr going to `stderr`.
async fn spawn_with(args: &[&str], stderr: Stdio) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_coufun-sandbox"))
        .args(["--addr", "127.0.0.1", "--port", "0"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("stdout readable") {
            if let Some((_, url)) = line.split_once("base URL ") {
                return url.trim().to_owned();
            }
        }
        panic!("the binary never printed its base URL");
    })
    .await
    .expect("base URL printed in time");
    assert!(
        base.starts_with("http://127.0.0.1:") || base.starts_with("https://127.0.0.1:"),
        "{base}"
    );
    // Keep reading what it prints, so its stdout stays open.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

#[tokio::test]
async fn binary_serves_a_second_process_and_stops_cleanly() {
    let (mut child, base) = spawn(&[]).await;

    let response = reqwest::Client::new()
        .get(format!("{base}{}?POC_ID={POC}", path_of("goods_list")))
        .send()
        .await
        .expect("the binary answers");
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.expect("body");
    let xml = encoding_rs::EUC_KR.decode(&bytes).0.into_owned();
    let reply = Reply { status: 200, xml };
    assert_eq!(reply.code(), ResultCode::Success.as_str(), "{}", reply.xml);
    assert!(!reply.all("GOODS_ID").is_empty());

    let pid = child.id().expect("running");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops after Ctrl-C")
        .expect("exit status");
    assert!(status.success(), "{status:?}");
}

/// `--latency-ms`: every COUFUN call waits that long before it is answered
/// (a lower bound only: nothing here depends on the machine being fast).
#[tokio::test]
async fn binary_latency_flag_delays_every_call() {
    let (_child, base) = spawn(&["--latency-ms", "150"]).await;
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let started = std::time::Instant::now();
        let response = http
            .get(format!("{base}{}?POC_ID={POC}", path_of("goods_list")))
            .send()
            .await
            .expect("the binary answers");
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            started.elapsed() >= Duration::from_millis(150),
            "{:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn binary_fault_flags_inject_faults() {
    let (_child, base) = spawn(&["--fault-seed", "3", "--fault-bad-gateway", "1"]).await;
    let response = reqwest::Client::new()
        .get(format!("{base}{}?POC_ID={POC}", path_of("goods_list")))
        .send()
        .await
        .expect("the binary answers");
    assert_eq!(response.status().as_u16(), 502);

    let (_child, base) = spawn(&["--fault-short-of-a-coupon", "1"]).await;
    let answer = reqwest::Client::new()
        .post(format!("{base}{}", path_of("coupon_create")))
        .form(&[
            ("POC_ID", POC),
            ("GOODS_ID", "0000100001"),
            ("CREATE_CNT", "2"),
            ("TR_ID", "bin-short"),
        ])
        .send()
        .await
        .expect("the binary answers")
        .bytes()
        .await
        .expect("a body");
    let reply = coufun_api::xml::decode_document::<coufun_api::responses::CouponCreateResponse>(
        &answer, None,
    )
    .expect("a create answer");
    assert_eq!(
        (reply.code, reply.body.order_count, reply.body.coupons.len()),
        (ResultCode::Success, Some(2), 1),
        "{reply:?}"
    );
}

#[tokio::test]
async fn binary_notice_flags_send_exchange_notices() {
    use std::sync::{Arc, Mutex};

    use coufun_api::notice::{ExchangeNotice, NoticeAnswer, NoticeAnswerCode, NoticeParser};

    // A merchant on 127.0.0.1 recording what it is sent, answering 00.
    let seen: Arc<Mutex<Vec<ExchangeNotice>>> = Arc::default();
    let recorder = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/exchange",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let recorder = Arc::clone(&recorder);
                async move {
                    let ct = headers.get("content-type").and_then(|v| v.to_str().ok());
                    let notice = NoticeParser::new().parse(&body, ct).expect("a notice");
                    recorder.lock().expect("lock").push(notice);
                    NoticeAnswer::new(NoticeAnswerCode::Done).encode()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/exchange", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (_child, base) = spawn(&[
        "--notice-url",
        &url,
        "--notice-retry-ms",
        "20",
        "--branch-name",
        "역삼점",
        "--branch-code",
        "YS01",
    ])
    .await;
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{base}{}", path_of("coupon_create")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "POC_ID={POC}&GOODS_ID=0000100001&CREATE_CNT=1&TR_ID=tr-binary-notice"
        ))
        .send()
        .await
        .expect("create answers");
    assert_eq!(created.status().as_u16(), 200);
    let admin = base.split("/b2c_api/").next().expect("host").to_owned();
    let ledger: serde_json::Value = serde_json::from_slice(
        &http
            .get(format!("{admin}/_admin/ledger"))
            .send()
            .await
            .expect("ledger")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("JSON");
    let coupon = ledger["orders"][0]["coupons"][0]["coupon_number"]
        .as_str()
        .expect("a coupon")
        .to_owned();
    let redeemed = http
        .post(format!("{admin}/_admin/coupons/{coupon}/redeem"))
        .send()
        .await
        .expect("redeem answers");
    assert_eq!(redeemed.status().as_u16(), 200);

    let notice = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(n) = seen.lock().expect("lock").first().cloned() {
                return n;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("a notice arrives");
    assert_eq!(notice.coupon_number.as_str(), coupon);
    assert_eq!(notice.branch_name.as_deref(), Some("역삼점"));
    assert_eq!(notice.branch_code.as_deref(), Some("YS01"));
    assert_eq!(coufun_api::notice::reported_wire(&notice.state), "001");
}

/// A body the sandbox cannot read in its charset (CP949 by default) answers
/// 99, and the binary's log (stderr, `info` by default) says why: the charset
/// tried and the parameter, and never the POC_ID.
#[tokio::test]
async fn binary_logs_why_it_answered_99() {
    let (mut child, base) = spawn_with(&[], Stdio::piped()).await;
    let stderr = child.stderr.take().expect("stderr piped");
    let mut log = BufReader::new(stderr).lines();
    let response = reqwest::Client::new()
        .post(format!("{base}{}", path_of("coupon_create")))
        .header("content-type", "application/x-www-form-urlencoded")
        // 0x80 opens no character in CP949
        .body(format!(
            "POC_ID={POC}&GOODS_ID=0000100001&CREATE_CNT=1&TR_ID=tr-%80"
        ))
        .send()
        .await
        .expect("the binary answers");
    let bytes = response.bytes().await.expect("body");
    let xml = encoding_rs::EUC_KR.decode(&bytes).0.into_owned();
    let reply = Reply { status: 200, xml };
    assert_eq!(
        reply.code(),
        ResultCode::SystemError.as_str(),
        "{}",
        reply.xml
    );
    let line = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = log.next_line().await.expect("stderr readable") {
            if line.contains("answering 99") {
                return line;
            }
        }
        panic!("the binary never logged why it answered 99");
    })
    .await
    .expect("logged in time");
    assert!(line.contains("TR_ID"), "names the parameter: {line}");
    assert!(line.contains("euc-kr"), "names the charset tried: {line}");
    assert!(line.contains("WARN"), "{line}");
    assert!(!line.contains(POC), "never logs the POC_ID: {line}");

    // a request the field rules refuse: the code, the field and the rule
    let refused = reqwest::Client::new()
        .post(format!("{base}{}", path_of("coupon_create")))
        .form(&[
            ("POC_ID", POC),
            ("GOODS_ID", "0000100001"),
            ("CREATE_CNT", "0"),
            ("TR_ID", "tr-zero"),
        ])
        .send()
        .await
        .expect("the binary answers");
    assert_eq!(refused.status().as_u16(), 200);
    let line = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = log.next_line().await.expect("stderr readable") {
            if line.contains("refused") {
                return line;
            }
        }
        panic!("the binary never logged the refusal");
    })
    .await
    .expect("logged in time");
    let code = ResultCode::InvalidQuantity.as_str();
    assert!(line.contains(&format!("code=\"{code}\"")), "{line}");
    assert!(line.contains("CREATE_CNT"), "{line}");
    assert!(!line.contains(POC), "never logs the POC_ID: {line}");
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn binary_serves_https_with_the_ca_it_writes() {
    use coufun_api::privacy::PocId;
    use coufun_api::{Client, Environment, GoodsListRequest};
    use coufun_sandbox::tls::test_server_host;

    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("ca.pem");
    let ca_arg = ca_file.to_str().expect("a UTF-8 temp path");
    let (_child, base) = spawn(&["--tls", "--tls-test-host", "--tls-ca-out", ca_arg]).await;
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    // Written before the base URL was printed.
    let ca = std::fs::read(&ca_file).expect("the CA certificate was written");
    let list = GoodsListRequest::builder()
        .build()
        .expect("a goods-list request");
    let poc = || PocId::new(POC).expect("the sandbox's POC_ID");

    let client = Client::builder(Environment::Custom(base.clone()), poc())
        .add_root_certificate_pem(&ca)
        .expect("the written CA is a certificate")
        .build()
        .expect("client");
    let goods = client.goods_list(&list).await.expect("goods over https");
    assert!(!goods.goods.is_empty());

    // --tls-test-host: the certificate covers the test server's host name.
    let host = test_server_host();
    let port = base
        .trim_start_matches("https://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .expect("a port in the base URL");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let client = Client::builder(
        Environment::Custom(base.replacen("127.0.0.1", host, 1)),
        poc(),
    )
    .resolve(host, addr)
    .add_root_certificate_pem(&ca)
    .expect("the written CA is a certificate")
    .build()
    .expect("client");
    assert!(client.goods_list(&list).await.is_ok());

    // Without the CA the same call is refused in the handshake.
    let untrusted = Client::builder(Environment::Custom(base), poc())
        .retry_policy(coufun_api::retry::RetryPolicy::no_retry())
        .build()
        .expect("client");
    let error = untrusted.goods_list(&list).await.unwrap_err();
    let coufun_api::Error::Connect { source, .. } = &error else {
        panic!("not a connect failure: {error}");
    };
    assert_eq!(
        source.tls_problem(),
        Some(coufun_api::TlsProblem::UntrustedCertificate)
    );
}

#[cfg(feature = "tls")]
#[test]
fn binary_tls_options_need_tls() {
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_coufun-sandbox"))
        .args(["--port", "0", "--tls-ca-out", "ca.pem"])
        .output()
        .expect("binary runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--tls"), "{stderr}");
}

/// A fault's probability is a number from 0 to 1: NaN, a negative one or one
/// above 1 is refused at parsing (exit 2, the flag named), and the bounds pass.
#[test]
fn a_fault_probability_out_of_range_is_refused() {
    for (flag, value) in [
        ("--fault-code-50", "1.5"),
        ("--fault-delay", "-0.1"),
        ("--fault-bad-gateway", "NaN"),
        ("--fault-foreign-goods-id", "x"),
    ] {
        let out = parse_only(flag, value);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{stderr}");
        assert!(stderr.contains("not a probability from 0 to 1"), "{stderr}");
    }
    for value in ["0", "1", "0.25"] {
        let out = parse_only("--fault-code-99", value);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{value}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Runs the binary with `flag=value` and `--help`: the value is parsed (and
/// refused, exit 2) before the help is printed (exit 0).
fn parse_only(flag: &str, value: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_coufun-sandbox"))
        .args([&format!("{flag}={value}"), "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `--notice-retry-ms` below the sender's floor (0 among them: a failing
/// notice would be sent again in a loop) and `--notice-max-attempts 0` are
/// refused at parsing (exit 2, the flag named); the floor itself, the default
/// and one attempt pass.
#[test]
fn notice_numbers_that_would_spin_or_mean_nothing_are_refused() {
    use coufun_sandbox::notices::MIN_RETRY_INTERVAL;

    let floor = MIN_RETRY_INTERVAL.as_millis();
    let below = (floor - 1).to_string();
    for (flag, value, why) in [
        ("--notice-retry-ms", "0", "below the shortest wait"),
        (
            "--notice-retry-ms",
            below.as_str(),
            "below the shortest wait",
        ),
        ("--notice-retry-ms", "-1", "not a whole number"),
        ("--notice-retry-ms", "1.5", "not a whole number"),
        ("--notice-max-attempts", "0", "not in 1.."),
    ] {
        let out = parse_only(flag, value);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{stderr}");
        assert!(stderr.contains(why), "{flag} {value}: {stderr}");
    }
    let floor = floor.to_string();
    // The default is the spec's notice retry interval, and the help says so.
    let default = coufun_api::notice::RETRY_INTERVAL.as_millis().to_string();
    for (flag, value) in [
        ("--notice-retry-ms", floor.as_str()),
        ("--notice-retry-ms", default.as_str()),
        ("--notice-max-attempts", "1"),
    ] {
        let out = parse_only(flag, value);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{flag} {value}: {stderr}");
        let help = String::from_utf8_lossy(&out.stdout);
        let (_, retry) = help
            .split_once("--notice-retry-ms")
            .expect("the flag's help");
        let retry = &retry[..retry.find("--notice-max-attempts").unwrap_or(retry.len())];
        assert!(retry.contains(&format!("[default: {default}]")), "{retry}");
        assert!(retry.contains(&format!("floor, {floor})")), "{retry}");
    }
}
