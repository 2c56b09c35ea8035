//! `coufun doctor` end to end, through the real binary against the sandbox: a
//! clean run, each refusal of the first call explained (`01` with the address
//! the connection left from, `02`, `98`, `09`), plain http only where TLS was
//! asked for, and every drift the sandbox can play named exactly in the drift
//! report — with no secret (the POC_ID, coupon numbers, phone numbers) anywhere
//! in the output, text or JSON, or in the drift file.

mod common;

use common::{Host, Run};
use coufun_api::privacy::PocId;
use coufun_api::responses::{CouponStatusItem, GoodsListItem};
use coufun_api::tr_id::TrIdGenerator;
use coufun_api::{
    Client, CouponSendRequest, CouponStatus, Environment, Lang, OperationId, ResultCode,
};
use coufun_sandbox::drift::{OTHER_RECORD, OTHER_ROOT, UNKNOWN_ELEMENT};
use coufun_sandbox::{DriftPlan, PocAccount, SandboxConfig};

/// The POC_ID of the sandbox's one account in these tests.
const SECRET_POC: &str = "QZSECRET77";
/// The recipient the coupon is sent to.
const PHONE: &str = "01098765432";
const PHONE_DASHED: &str = "010-9876-5432";
const SENDER: &str = "0212345678";

/// A sandbox whose one account is [`SECRET_POC`], set up by `change`.
fn host(change: impl FnOnce(&mut SandboxConfig)) -> Host {
    let mut config = SandboxConfig::default();
    config.accounts = vec![PocAccount::new(SECRET_POC)];
    change(&mut config);
    Host::with(config)
}

/// A goods id of the sandbox's catalogue, and a coupon of it sent to [`PHONE`]
/// (its number).
fn issue(host: &Host) -> (String, String) {
    let goods = coufun_sandbox::Catalogue::default()
        .goods
        .iter()
        .find(|g| !g.discontinued)
        .map(|g| g.goods_id.clone())
        .expect("the catalogue sells something");
    let client = Client::builder(
        Environment::Custom(host.base_url()),
        PocId::new(SECRET_POC).unwrap(),
    )
    .build()
    .unwrap();
    let request = CouponSendRequest::builder()
        .goods_id(goods.as_str())
        .tr_id(TrIdGenerator::new().next_id())
        .sender(SENDER)
        .subject("커피 쿠폰")
        .recipients([PHONE])
        .build()
        .unwrap();
    let outcome = host.runtime.block_on(client.coupon_send(&request));
    let coufun_api::IssueOutcome::Issued(issued) = outcome else {
        panic!("not issued: {outcome:?}");
    };
    let number = issued.coupon_numbers()[0].to_string();
    (goods, number)
}

/// `coufun doctor <args>` with POC_ID `poc`, as text and as JSON.
fn doctor(host: &Host, poc: &str, args: &[&str]) -> (Run, Run) {
    let run = |json: bool| -> Run {
        let mut cmd = host.cmd();
        cmd.env("COUFUN_POC_ID", poc).arg("doctor").args(args);
        if json {
            cmd.arg("--json");
        }
        cmd.output().expect("coufun runs").into()
    };
    (run(false), run(true))
}

/// No secret in any of `texts`.
fn assert_no_secret(texts: &[&str], extra: &[&str]) {
    for text in texts {
        for secret in [SECRET_POC, PHONE, PHONE_DASHED].iter().chain(extra) {
            assert!(!text.contains(secret), "{secret} shown in:\n{text}");
        }
    }
}

/// The JSON step `step` of a run.
fn step(run: &Run, step: &str) -> serde_json::Value {
    run.json()["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["step"] == step).cloned())
        .unwrap_or_else(|| panic!("no step {step}: {}", run.stdout))
}

#[test]
fn a_clean_run_exits_0_with_every_step_passed() {
    let host = host(|_| {});
    let (goods, coupon) = issue(&host);
    let (text, json) = doctor(
        &host,
        SECRET_POC,
        &["--goods-id", &goods, "--coupon-number", &coupon],
    );
    assert_eq!(text.code, 0, "{}\n{}", text.stdout, text.stderr);
    assert_eq!(json.code, 0, "{}", json.stderr);
    for s in ["resolve", "connect", "goods_list", "coupon_status", "drift"] {
        assert_eq!(step(&json, s)["verdict"], "ok", "{s}: {}", json.stdout);
    }
    // Plain http to the loopback sandbox: nothing to check.
    assert_eq!(step(&json, "tls")["verdict"], "skipped");
    assert!(text.stdout.contains("exit 0"), "{}", text.stdout);
    // The status step shows the state, not the coupon number nor the phone.
    let status = step(&json, "coupon_status")["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(status.contains(CouponStatus::Unused.as_wire()), "{status}");
    for secret in [CouponStatusItem::COUPON_NUMBER, CouponStatusItem::RECIPIENT] {
        let label = secret.name.replace('_', " ");
        assert!(
            !status.contains(&label),
            "the secret {label} is left out: {status}"
        );
    }
    assert_no_secret(
        &[&text.stdout, &text.stderr, &json.stdout, &json.stderr],
        &[&coupon],
    );
}

#[test]
fn a_refused_ip_says_01_and_which_address_to_register() {
    let host = host(|c| c.allowed_ips = vec!["10.0.0.1".parse().unwrap()]);
    let (text, json) = doctor(&host, SECRET_POC, &[]);
    assert_eq!(text.code, 3, "{}", text.stdout);
    assert_eq!(json.code, 3);
    let code = ResultCode::IpNotRegistered;
    let goods = step(&json, "goods_list");
    assert_eq!(goods["verdict"], "failed");
    assert_eq!(goods["code"]["code"], code.as_str());
    let todo = goods["todo"].to_string();
    assert!(
        todo.contains("this IP is not registered: ask the supplier to register"),
        "{todo}"
    );
    assert!(
        todo.contains("127.0.0.1"),
        "the address the connection left from: {todo}"
    );
    for lang in [Lang::Ko, Lang::En] {
        let action = code.action(lang).unwrap();
        assert!(
            text.stdout.contains(action),
            "{action} missing:\n{}",
            text.stdout
        );
    }
    assert!(
        text.stdout.contains(&format!("{} ", code.as_str())),
        "{}",
        text.stdout
    );
    assert_no_secret(&[&text.stdout, &text.stderr, &json.stdout], &[]);
}

#[test]
fn a_wrong_poc_id_says_02_and_what_to_do() {
    let host = host(|_| {});
    let wrong = "QZWRONG123";
    let (text, json) = doctor(&host, wrong, &[]);
    assert_eq!(text.code, 3, "{}", text.stdout);
    let code = ResultCode::InvalidPocId;
    assert_eq!(step(&json, "goods_list")["code"]["code"], code.as_str());
    assert!(
        text.stdout.contains(code.action(Lang::En).unwrap()),
        "{}",
        text.stdout
    );
    assert_no_secret(&[&text.stdout, &text.stderr, &json.stdout], &[wrong]);
}

#[test]
fn a_missing_permission_says_98_and_the_daily_limit_09() {
    type Setup = fn(&mut SandboxConfig);
    let cases: [(ResultCode, Setup); 2] = [
        (ResultCode::ApiNotPermitted, |c| {
            c.accounts =
                vec![PocAccount::new(SECRET_POC).with_operations([OperationId::CouponStatus])];
        }),
        (ResultCode::GoodsListDailyLimitExceeded, |c| {
            c.goods_list_daily_limit = 0
        }),
    ];
    for (code, change) in cases {
        let host = host(change);
        let (text, json) = doctor(&host, SECRET_POC, &[]);
        assert_eq!(text.code, 3, "{code}: {}", text.stdout);
        assert_eq!(step(&json, "goods_list")["code"]["code"], code.as_str());
        assert!(
            text.stdout.contains(code.description(Lang::En)),
            "{}",
            text.stdout
        );
        assert!(
            text.stdout.contains(code.action(Lang::En).unwrap()),
            "{}",
            text.stdout
        );
        assert_no_secret(&[&text.stdout, &text.stderr, &json.stdout], &[]);
    }
}

#[test]
fn plain_http_only_where_tls_was_asked_for_is_said_by_the_tls_step() {
    let host = host(|_| {});
    let https = host.base_url().replacen("http://", "https://", 1);
    let run = |json: bool| -> Run {
        let mut cmd = common::bare(host.dir.path());
        cmd.env("COUFUN_POC_ID", SECRET_POC)
            .args(["--env", &https, "doctor"]);
        if json {
            cmd.arg("--json");
        }
        cmd.output().unwrap().into()
    };
    let (text, json) = (run(false), run(true));
    assert_eq!(text.code, 5, "{}", text.stdout);
    let tls = step(&json, "tls");
    assert_eq!(tls["verdict"], "failed");
    assert!(
        tls["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("plain http only"),
        "{tls}"
    );
    assert_eq!(
        step(&json, "goods_list")["verdict"],
        "skipped",
        "nothing is sent"
    );
    assert_eq!(
        host.sandbox().request_count(),
        0,
        "no call reached the server"
    );
    assert_no_secret(&[&text.stdout, &json.stdout], &[]);
}

#[test]
fn over_https_the_tls_step_trusts_the_ca_given_and_names_an_untrusted_one() {
    use coufun_sandbox::tls::TlsConfig;
    let host = host(|c| *c = c.clone().with_tls(TlsConfig::new()));
    assert!(
        host.base_url().starts_with("https://"),
        "{}",
        host.base_url()
    );
    let ca = host.path("ca.pem");
    std::fs::write(&ca, host.sandbox().ca_certificate_pem().unwrap()).unwrap();
    let ca = ca.display().to_string();
    // Trusted: the TLS step passes and names the protocol; the call goes through.
    let (text, json) = doctor(&host, SECRET_POC, &["--ca-cert", &ca]);
    assert_eq!(text.code, 0, "{}", text.stdout);
    let tls = step(&json, "tls");
    assert_eq!(tls["verdict"], "ok", "{tls}");
    assert!(
        tls["detail"].as_str().unwrap_or_default().contains("TLS"),
        "{tls}"
    );
    assert_eq!(step(&json, "goods_list")["verdict"], "ok");
    // Not trusted: the TLS step fails on the certificate and says how to trust it.
    let before = host.sandbox().request_count();
    let (text, json) = doctor(&host, SECRET_POC, &[]);
    assert_eq!(text.code, 5, "{}", text.stdout);
    let tls = step(&json, "tls");
    assert_eq!(tls["verdict"], "failed", "{tls}");
    assert!(
        tls["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("certificate"),
        "{tls}"
    );
    assert!(tls["todo"].to_string().contains("--ca-cert"), "{tls}");
    assert_eq!(host.sandbox().request_count(), before, "nothing sent");
    assert_no_secret(&[&text.stdout, &json.stdout], &[]);
}

/// One finding as the drift file holds it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Seen {
    operation: String,
    kind: String,
    element: String,
    spec: String,
    arrived: String,
}

fn seen(op: OperationId, kind: &str, element: &str, spec: &str, arrived: &str) -> Seen {
    Seen {
        operation: op.name().to_owned(),
        kind: kind.to_owned(),
        element: element.to_owned(),
        spec: spec.to_owned(),
        arrived: arrived.to_owned(),
    }
}

/// The findings of a drift file (TOML or JSON), each marked observed.
fn findings(text: &str, json: bool) -> Vec<Seen> {
    let value: serde_json::Value = if json {
        serde_json::from_str(text).unwrap()
    } else {
        let toml: toml::Value = toml::from_str(text).unwrap();
        serde_json::to_value(toml).unwrap()
    };
    let mut out: Vec<Seen> = value["observed"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            assert_eq!(f["source"], "observed", "{f}");
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            Seen {
                operation: s("operation"),
                kind: s("kind"),
                element: s("element"),
                spec: s("spec"),
                arrived: s("arrived"),
            }
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_drift_the_sandbox_plays_is_named_exactly_and_nothing_secret_is_written() {
    let list = OperationId::GoodsList;
    let status = OperationId::CouponStatus;
    let record = list.spec().record_element.unwrap();
    let name = GoodsListItem::GOODS_NAME;
    let max = name.max_bytes.unwrap();
    let state = CouponStatusItem::STATUS;
    let table = format!("one of {}", CouponStatus::WIRE_VALUES.join(", "));
    let charset = coufun_api::responses::ANSWER_CHARSET.unwrap();
    type Case = (&'static str, fn(&mut DriftPlan), bool, Vec<Seen>);
    let unknown = "an element holding text";
    let cases: Vec<Case> = vec![
        (
            "unknown elements",
            |p| p.unknown_elements = true,
            true,
            vec![
                seen(
                    list,
                    "unknown_element",
                    UNKNOWN_ELEMENT,
                    "not named",
                    unknown,
                ),
                seen(
                    list,
                    "unknown_element",
                    &format!("{record}/{UNKNOWN_ELEMENT}"),
                    "not named",
                    unknown,
                ),
                seen(
                    status,
                    "unknown_element",
                    UNKNOWN_ELEMENT,
                    "not named",
                    unknown,
                ),
            ],
        ),
        (
            "unknown state",
            |p| p.unknown_state = true,
            true,
            vec![seen(
                status,
                "value_outside_table",
                state.wire,
                &table,
                "999",
            )],
        ),
        ("long name", |p| p.long_name = true, false, vec![]),
        (
            "other root",
            |p| p.other_root = true,
            false,
            vec![seen(
                list,
                "unexpected_root",
                OTHER_ROOT,
                list.spec().root,
                OTHER_ROOT,
            )],
        ),
        (
            "other record",
            |p| p.other_record = true,
            false,
            vec![seen(
                list,
                "unexpected_record_element",
                OTHER_RECORD,
                record,
                &format!(
                    "{OTHER_RECORD} holding {} of the record's elements",
                    list.spec().record_fields.len()
                ),
            )],
        ),
        (
            "other charset",
            |p| p.other_charset = true,
            true,
            [list, status]
                .into_iter()
                .flat_map(|op| {
                    [
                        seen(op, "charset", "xml-declaration", charset, "UTF-8"),
                        seen(op, "charset", "content-type", charset, "utf-8"),
                    ]
                })
                .collect(),
        ),
    ];
    for (what, plan, with_coupon, mut expected) in cases {
        let mut drift = DriftPlan::none();
        plan(&mut drift);
        let host = host(|c| c.drift = drift);
        let coupon = with_coupon.then(|| issue(&host));
        let mut args: Vec<String> = Vec::new();
        if let Some((goods, number)) = &coupon {
            args.extend([
                "--goods-id".into(),
                goods.clone(),
                "--coupon-number".into(),
                number.clone(),
            ]);
        }
        let toml_file = host.path("drift.toml");
        let json_file = host.path("drift.json");
        let mut text_args = args.clone();
        text_args.extend(["--drift-report".into(), toml_file.display().to_string()]);
        let mut json_args = args.clone();
        json_args.extend(["--drift-report".into(), json_file.display().to_string()]);
        let text_args: Vec<&str> = text_args.iter().map(String::as_str).collect();
        let json_args: Vec<&str> = json_args.iter().map(String::as_str).collect();
        let (text, _) = doctor(&host, SECRET_POC, &text_args);
        let (_, json) = doctor(&host, SECRET_POC, &json_args);
        let toml_text = std::fs::read_to_string(&toml_file).unwrap();
        let json_text = std::fs::read_to_string(&json_file).unwrap();
        if what == "long name" {
            // The longest name of the catalogue, padded past the limit.
            let found = findings(&toml_text, false);
            assert_eq!(found.len(), 1, "{what}: {found:?}");
            let f = &found[0];
            assert_eq!(
                (
                    f.operation.as_str(),
                    f.kind.as_str(),
                    f.element.as_str(),
                    f.spec.as_str()
                ),
                (
                    list.name(),
                    "too_long",
                    format!("{record}/{}", name.wire).as_str(),
                    format!("at most {max} bytes").as_str()
                ),
            );
            let bytes: usize = f.arrived.trim_end_matches(" bytes").parse().unwrap();
            assert!(bytes > max as usize, "{what}: {f:?}");
        } else {
            expected.sort();
            assert_eq!(
                findings(&toml_text, false),
                expected,
                "{what} (TOML):\n{toml_text}"
            );
            assert_eq!(
                findings(&json_text, true),
                expected,
                "{what} (JSON):\n{json_text}"
            );
        }
        // The drift step warns (a root the client cannot read fails the call too).
        let exit = if what == "other root" { 5 } else { 7 };
        assert_eq!(text.code, exit, "{what}:\n{}", text.stdout);
        assert_eq!(json.code, exit, "{what}");
        assert_eq!(step(&json, "drift")["verdict"], "warning", "{what}");
        assert_eq!(
            json.json()["drift"].as_array().map(Vec::len),
            Some(findings(&json_text, true).len())
        );
        let number = coupon
            .as_ref()
            .map(|(_, n)| n.as_str())
            .unwrap_or(SECRET_POC);
        assert_no_secret(
            &[
                &text.stdout,
                &text.stderr,
                &json.stdout,
                &json.stderr,
                &toml_text,
                &json_text,
            ],
            &[number],
        );
    }
}
