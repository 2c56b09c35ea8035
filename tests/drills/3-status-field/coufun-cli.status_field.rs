//! Drill 3 (see .ci/spec-drill): a new field in the status answer, added in
//! spec/ alone, is decoded and printed by `coufun coupon-status` (table and
//! `--json`). A one-answer server on 127.0.0.1 stands in for COUFUN.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use coufun_api::Charset;
use coufun_api::responses::{CouponStatusItem, CouponStatusResponse};
use coufun_api::xml::Response;

/// Serves `answer` to each of `calls` requests; the base URL.
fn serve(answer: Vec<u8>, calls: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(calls) {
            let mut stream = stream.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then the body its Content-Length announces.
            loop {
                let n = stream.read(&mut buf).unwrap();
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=EUC-KR\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&answer).unwrap();
        }
    });
    url
}

#[test]
fn the_cli_prints_the_new_status_field() {
    let answer = CouponStatusResponse {
        coupons: vec![CouponStatusItem {
            issuer_note: Some("note-7".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let body = answer.to_xml(Charset::Cp949);
    assert!(String::from_utf8_lossy(&body).contains("ISSUER_NOTE"));
    let decoded = coufun_api::xml::decode_document::<CouponStatusResponse>(&body, None).unwrap();
    assert_eq!(decoded.body.coupons[0].issuer_note.as_deref(), Some("note-7"));

    let url = serve(body, 2);
    let home = tempfile::tempdir().unwrap();
    let run = |json: bool| {
        let mut cmd = common::bare(home.path());
        cmd.env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID).args(["--env", &url]);
        if json {
            cmd.arg("--json");
        }
        let out: common::Run = cmd
            .args(["coupon-status", "--goods-id", "0000100001", "--coupon-number", "900000000001"])
            .output()
            .unwrap()
            .into();
        out
    };
    let json = run(true);
    assert_eq!(json.code, 0, "{json:?}");
    assert!(json.stdout.contains("\"ISSUER_NOTE\":\"note-7\""), "{json:?}");
    let text = run(false);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.contains("note-7"), "{text:?}");
}
