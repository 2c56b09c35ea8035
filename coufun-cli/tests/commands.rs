//! Every subcommand once against the sandbox, through the real binary: JSON
//! parsed back, tables for people, bad arguments, exit codes, POC_ID secrecy.

mod common;

use common::{Host, bare};
use coufun_api::{OPERATIONS, OperationId, ResultCode};

const GOODS: &str = "0000100001";

/// The operations of the spec, from the SDK's generated operation table.
fn spec_operations() -> Vec<String> {
    OPERATIONS
        .iter()
        .map(|o| o.name.replace('_', "-"))
        .collect()
}

/// The VALUE column of a people table's row for answer element `wire` (tables
/// `FIELD  ELEMENT  VALUE`).
fn shown(stdout: &str, wire: &str) -> Option<String> {
    stdout.lines().find_map(|line| {
        let (_, value) = line.split_once(&format!("  {wire}  "))?;
        Some(value.trim().to_owned())
    })
}

/// The wire name of request field `field` of `operation`, from the table.
fn wire_of(operation: &str, field: &str) -> String {
    let op = OperationId::from_name(operation).expect("operation").spec();
    op.field(field).expect("field").wire.to_owned()
}

#[test]
fn help_lists_every_operation_of_the_spec_and_one_flag_per_field() {
    let dir = tempfile::tempdir().unwrap();
    let out: common::Run = bare(dir.path()).arg("--help").output().unwrap().into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    for op in spec_operations() {
        assert!(
            out.stdout.contains(&op),
            "--help lacks {op}:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("Exit codes"));
    assert!(
        out.stdout.contains("6 never send again"),
        "the never-send-again exit is documented: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("goods-info"),
        "the lookup over the list"
    );
    for op in &OPERATIONS {
        let help: common::Run = bare(dir.path())
            .args([&op.name.replace('_', "-"), "--help"])
            .output()
            .unwrap()
            .into();
        // The operation's own flags first; the global ones under their heading.
        let (own, global) = help
            .stdout
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{} --help has no global heading", op.name));
        assert!(global.contains("--env <") && !own.contains("--env <"));
        for field in op.fields {
            let flag = format!("--{}", field.name.replace('_', "-"));
            assert!(own.contains(&flag), "{} lacks {flag}", op.name);
            let first_words: String = field.doc.chars().take(20).collect();
            assert!(own.contains(&first_words), "{flag} lacks its doc");
        }
    }
}

#[test]
fn explain_and_codes_print_the_sdk_texts_as_tables_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let run =
        |args: &[&str]| -> common::Run { bare(dir.path()).args(args).output().unwrap().into() };

    let table = run(&["explain", "95"]);
    assert_eq!(table.code, 0);
    let code = ResultCode::IssueLimitExceeded;
    assert!(table.stdout.contains(code.message(coufun_api::Lang::Ko)));
    assert!(
        table
            .stdout
            .contains(code.description(coufun_api::Lang::En))
    );
    assert!(table.stdout.contains("limit"));

    let json = run(&["explain", "12", "--json"]).json();
    assert_eq!(json["code"], "12");
    assert_eq!(json["category"], "duplicate");
    assert_eq!(
        json["may_retry"],
        ResultCode::DuplicateTrId.retry().may_retry()
    );
    assert_eq!(
        json["message_en"],
        ResultCode::DuplicateTrId.message(coufun_api::Lang::En)
    );

    let all = run(&["codes", "--json"]).json();
    assert_eq!(all.as_array().unwrap().len(), ResultCode::ALL.len());
    let people = run(&["codes"]);
    assert_eq!(people.stdout.lines().count(), ResultCode::ALL.len() + 1);

    let newer = run(&["explain", "42", "--json"]).json();
    assert_eq!(newer["category"], "unknown");

    let bad = run(&["explain", "abc"]);
    assert_eq!(bad.code, 2, "{bad:?}");

    // One digit is the code it pads: `explain 1` is `explain 01`.
    let one = run(&["explain", "1", "--json"]);
    assert_eq!(one.code, 0, "{one:?}");
    assert_eq!(one.json(), run(&["explain", "01", "--json"]).json());
    assert_eq!(one.json()["code"], ResultCode::IpNotRegistered.as_str());

    // 12 after a lost answer on an issuing call: the coupons probably exist.
    let twelve = run(&["explain", "12"]);
    let after = ResultCode::DuplicateTrId
        .after_lost_answer(coufun_api::Lang::En)
        .expect("the spec says what 12 means after a lost answer");
    assert!(twelve.stdout.contains(after), "{}", twelve.stdout);
}

#[test]
fn every_operation_once_with_json_parsed_back() {
    let host = Host::start();
    let ok = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = host.run(&all);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        let json = run.json();
        assert_eq!(json["outcome"], "ok", "{json}");
        assert_eq!(json["code"], "00");
        json
    };

    // The goods list: PRODUCT_INFO records with every detail.
    let list = ok(&["goods-list"]);
    let goods = list["records"].as_array().unwrap();
    assert!(goods.len() >= 3);
    assert_eq!(
        list["fields"]["LIST_CNT"].as_str().unwrap(),
        goods.len().to_string()
    );
    let first = goods.iter().find(|g| g["GOODS_ID"] == GOODS).unwrap();
    for wire in [
        "GOODS_PRICE",
        "GOODS_ORI_PRICE",
        "VALID_END_TYPE",
        "SEND_TYPE",
    ] {
        assert!(!first[wire].as_str().unwrap().is_empty(), "{wire}: {first}");
    }
    // goods-info: the SDK's lookup over that list, the same record.
    let info = ok(&["goods-info", GOODS]);
    for (wire, value) in first.as_object().unwrap() {
        assert_eq!(&info["fields"][wire], value, "{wire}");
    }
    let missing = host.run(&["--json", "goods-info", "0000999999"]);
    assert_eq!(missing.code, 3, "{missing:?}");
    assert_eq!(missing.json()["outcome"], "not_found");

    let sent = ok(&[
        "coupon-send",
        "--goods-id",
        GOODS,
        "--sender",
        "02-1234-5678",
        "--subject",
        "생일 축하 쿠폰",
        "--recipients",
        "010-1234-5678,011-123-4567",
    ]);
    assert!(
        !sent["tr_id"].as_str().unwrap().is_empty(),
        "a TR_ID was generated"
    );
    let sent_coupons = sent["records"].as_array().unwrap();
    assert_eq!(sent_coupons.len(), 2);
    assert_eq!(
        sent_coupons[0]["RECEIVER_MOBILE"], "010-****-5678",
        "phones masked"
    );
    let sent_coupon = sent_coupons[0]["BARCODE_NUM"].as_str().unwrap().to_owned();

    // Create: CREATE_CNT coupons, RESERVE1/2 echoed, ORDER_INFO records.
    let created = ok(&[
        "coupon-create",
        "--goods-id",
        GOODS,
        "--quantity",
        "2",
        "--tr-id",
        "cli-test-create-1",
        "--reserve1",
        "campaign-7",
    ]);
    assert_eq!(created["fields"]["TR_ID"], "cli-test-create-1");
    assert_eq!(created["fields"]["ORDER_CNT"], "2");
    assert_eq!(created["fields"]["RESERVE1"], "campaign-7");
    let coupons = created["records"].as_array().unwrap();
    assert_eq!(coupons.len(), 2);
    let coupon = coupons[0]["BARCODE_NUM"].as_str().unwrap().to_owned();
    let ledger = host.ledger();
    let order = ledger.order_by_tr_id("cli-test-create-1").unwrap();
    assert_eq!(created["fields"]["ORDER_ID"], order.order_id.as_str());
    assert_eq!(order.coupons[0].coupon_number, coupon);

    // Status and cancel take GOODS_ID + BARCODE_NUM.
    let status = ok(&[
        "coupon-status",
        "--goods-id",
        GOODS,
        "--coupon-number",
        &coupon,
    ]);
    assert_eq!(status["fields"]["BARCODE_NUM"], coupon.as_str());
    assert_eq!(status["fields"]["STATUS"], "000");
    assert_eq!(status["fields"]["COUPON_TYPE"], "BARCODE");

    let with_coupon = |op: &str, extra: &[&str]| {
        let mut args = vec![op, "--goods-id", GOODS, "--coupon-number", &sent_coupon];
        args.extend_from_slice(extra);
        ok(&args)
    };
    let resent = with_coupon("coupon-resend", &[]);
    assert_eq!(resent["fields"]["BARCODE_NUM"], sent_coupon.as_str());
    let changed = with_coupon("change-recipient", &["--recipient", "010-8765-4321"]);
    assert_eq!(changed["fields"]["RECEIVER_MOBILE"], "010-****-4321");
    with_coupon(
        "coupon-image-send",
        &["--sender", "0212345678", "--subject", "쿠폰 이미지"],
    );
    let cancelled = ok(&[
        "coupon-cancel",
        "--goods-id",
        GOODS,
        "--coupon-number",
        &coupon,
    ]);
    assert_eq!(cancelled["fields"]["BARCODE_NUM"], coupon.as_str());

    // For people: the result code in Korean and English, and the typed answer
    // read out: state, type, dates, times.
    let people = host.run(&[
        "coupon-status",
        "--goods-id",
        GOODS,
        "--coupon-number",
        &coupon,
    ]);
    assert_eq!(people.code, 0);
    assert!(
        people.stdout.contains("00 처리 성공 / Success"),
        "{people:?}"
    );
    // The number is masked in the table, which says where it is in clear.
    assert!(!people.stdout.contains(coupon.as_str()), "{people:?}");
    assert!(people.stdout.contains("`--json` prints"), "{people:?}");
    let row = |wire: &str| shown(&people.stdout, wire);
    assert_eq!(
        row("STATUS").as_deref(),
        Some("100 Cancelled"),
        "{people:?}"
    );
    assert_eq!(
        row("COUPON_TYPE").as_deref(),
        Some("BARCODE Exchange voucher: one goods item, used once")
    );
    let cancelled_at = row("CANCEL_DATE").unwrap_or_default();
    assert!(
        cancelled_at.len() == 19 && cancelled_at.as_bytes()[10] == b' ',
        "a timestamp spelled out: {cancelled_at}"
    );
    assert_eq!(row("EXCHANGE_DATE").as_deref(), Some("-"), "empty as -");
    // Created, never sent: no recipient, and an empty phone is no `***`.
    assert_eq!(row("RECEIVER_MOBILE").as_deref(), Some("-"), "{people:?}");
    assert!(people.stdout.contains("status  "), "labelled by Rust name");
    let sent_status = host.run(&[
        "coupon-status",
        "--goods-id",
        GOODS,
        "--coupon-number",
        &sent_coupon,
    ]);
    assert!(
        sent_status.stdout.contains("010-****-4321"),
        "{sent_status:?}"
    );
    assert!(!sent_status.stdout.contains("87654321"), "phone in clear");

    // An AMOUNT voucher shows its balance.
    let amount = ok(&[
        "coupon-create",
        "--goods-id",
        "0000200001",
        "--quantity",
        "1",
    ]);
    let voucher = amount["records"][0]["BARCODE_NUM"]
        .as_str()
        .unwrap()
        .to_owned();
    let balance = host.run(&[
        "coupon-status",
        "--goods-id",
        "0000200001",
        "--coupon-number",
        &voucher,
    ]);
    assert_eq!(
        shown(&balance.stdout, "COUPON_TYPE").as_deref(),
        Some("AMOUNT Stored-value voucher: an amount, usable in parts"),
        "{balance:?}"
    );
    assert_eq!(
        shown(&balance.stdout, "REMAIN_AMOUNT").as_deref(),
        Some("5,000 KRW"),
        "{balance:?}"
    );

    // The goods list for people: a summary with prices and validity.
    let goods_people = host.run(&["goods-list"]);
    assert!(
        goods_people.stdout.contains("4,500 KRW"),
        "{goods_people:?}"
    );
    assert!(goods_people.stdout.contains("days from sending"));
    let info_people = host.run(&["goods-info", GOODS]);
    assert!(
        info_people.stdout.contains("supply price"),
        "{info_people:?}"
    );

    // The same call twice: the server refuses the second cancel.
    let again = host.run(&[
        "--json",
        "coupon-cancel",
        "--goods-id",
        GOODS,
        "--coupon-number",
        &coupon,
    ]);
    assert_eq!(again.code, 3, "{again:?}");
    let json = again.json();
    assert_eq!(json["outcome"], "refused");
    assert_eq!(json["code"], "18");
    assert_eq!(json["result"]["category"], "coupon_state");
}

#[test]
fn bad_arguments_name_the_field_limit_size_and_code_and_send_nothing() {
    let host = Host::start();
    let before = host.sandbox().request_count();

    let wire = wire_of("coupon_create", "quantity");
    // The bounds are the spec's (the generated Quantity constants).
    let (min, max) = (
        coufun_api::Quantity::MIN,
        coufun_api::Quantity::MAX.unwrap_or(u64::MAX - 1),
    );
    for (quantity, rule) in [
        (min - 1, format!("limit {min}, measured {}", min - 1)),
        (max + 1, format!("limit {max}, measured {}", max + 1)),
    ] {
        let quantity = quantity.to_string();
        let rule = rule.as_str();
        let run = host.run(&[
            "coupon-create",
            "--goods-id",
            GOODS,
            "--quantity",
            &quantity,
        ]);
        assert_eq!(run.code, 2, "{run:?}");
        for part in ["--quantity", wire.as_str(), rule, "08"] {
            assert!(run.stderr.contains(part), "lacks {part}: {}", run.stderr);
        }
    }
    let long = "가".repeat(21);
    let run = host.run(&[
        "--json",
        "coupon-send",
        "--goods-id",
        GOODS,
        "--sender",
        "0212345678",
        "--subject",
        &long,
        "--recipients",
        "010-1234-5678",
    ]);
    assert_eq!(run.code, 2);
    let json = run.json();
    assert_eq!(json["outcome"], "invalid");
    let e = &json["errors"][0];
    assert_eq!(e["field"], "subject");
    assert_eq!(e["limit"], 40);
    assert_eq!(e["measured"], 42);
    assert_eq!(e["code"], "21");
    assert!(run.stderr.contains("--subject"));

    // A required field left out answers its code, named.
    let run = host.run(&["coupon-status", "--goods-id", GOODS]);
    assert_eq!(run.code, 2);
    let wire = wire_of("coupon_status", "coupon_number");
    assert!(
        run.stderr.contains(&format!("--coupon-number ({wire})")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("16"), "{}", run.stderr);

    // goods-info checks its GOODS_ID as the SDK does.
    let run = host.run(&["--json", "goods-info", "00001000011"]);
    assert_eq!(run.code, 2, "{run:?}");
    let e = &run.json()["errors"][0];
    assert_eq!(e["wire"], "GOODS_ID");
    assert_eq!(e["limit"], 10);
    assert_eq!(e["measured"], 11);
    assert_eq!(e["code"], "10");
    assert_eq!(host.sandbox().request_count(), before, "nothing was sent");

    // clap's own refusals share the code.
    assert_eq!(host.run(&["coupon-status", "--no-such-flag", "x"]).code, 2);
    assert_eq!(host.run(&["bulk-create"]).code, 2);
    assert_eq!(host.run(&["goods-info"]).code, 2);
}

#[test]
fn environment_rules_come_from_the_sdk_and_transport_failures_have_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> common::Run {
        bare(dir.path())
            .env("COUFUN_POC_ID", "POC0000001")
            .args(args)
            .output()
            .unwrap()
            .into()
    };
    let plain = run(&["--env", "http://coupons.example.com/b2c_api/", "goods-list"]);
    assert_eq!(plain.code, 2, "{plain:?}");
    assert!(plain.stderr.contains("plain http"));

    // Nothing listens on port 1 of loopback: connection refused, nothing sent.
    let down = run(&[
        "--env",
        "http://127.0.0.1:1/b2c_api/",
        "--json",
        "goods-list",
    ]);
    assert_eq!(down.code, 5, "{down:?}");
    assert_eq!(down.json()["outcome"], "transport_failure");

    let no_poc = bare(dir.path()).args(["goods-list"]).output().unwrap();
    assert_eq!(no_poc.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_poc.stderr).contains("COUFUN_POC_ID"));
}

#[test]
fn poc_id_comes_from_the_config_file_and_is_never_printed() {
    let host = Host::start();
    let config_dir = host.path("config/coufun");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        format!("poc_id = \"{}\"\n", coufun_sandbox::DEFAULT_POC_ID),
    )
    .unwrap();
    let from_file: common::Run = bare(host.dir.path())
        .args(["--env", &host.base_url(), "goods-info", GOODS])
        .output()
        .unwrap()
        .into();
    assert_eq!(from_file.code, 0, "{from_file:?}");
    assert!(!from_file.stdout.contains(coufun_sandbox::DEFAULT_POC_ID));

    // A POC_ID the server does not know: refused with 02, and not echoed anywhere.
    let secret = "SECRET7731"; // a well-formed POC_ID (at most 10 bytes)
    for args in [
        vec!["goods-list"],
        vec!["--json", "goods-list"],
        vec!["coupon-create", "--goods-id", GOODS, "--quantity", "1"],
    ] {
        let run: common::Run = bare(host.dir.path())
            .env("COUFUN_POC_ID", secret)
            .arg("--env")
            .arg(host.base_url())
            .args(&args)
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 3, "{run:?}");
        assert!(run.stdout.contains("02"), "{run:?}");
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
    // A malformed one is refused without being shown.
    let bad: common::Run = bare(host.dir.path())
        .env("COUFUN_POC_ID", "secret with spaces")
        .args(["goods-list"])
        .output()
        .unwrap()
        .into();
    assert_eq!(bad.code, 2);
    assert!(!bad.stderr.contains("secret"), "{}", bad.stderr);
}

/// A create answer short of a coupon number (the sandbox's fault): still issued
/// (exit 0, the numbers listed shown), with the counts in a warning, on stderr
/// for people and as `warning` in JSON; an answer that agrees has none.
#[test]
fn a_create_answer_short_of_a_coupon_is_issued_with_a_warning() {
    use coufun_sandbox::{Fault, FaultPlan, ScheduledFault};
    let host = Host::start();
    let create = |tr_id: &str, json: bool| {
        let mut args = vec![
            "coupon-create",
            "--goods-id",
            GOODS,
            "--quantity",
            "2",
            "--tr-id",
            tr_id,
        ];
        if json {
            args.insert(0, "--json");
        }
        host.run(&args)
    };
    let whole = create("cli-whole", true);
    assert_eq!(whole.code, 0, "{whole:?}");
    assert!(whole.json()["warning"].is_null(), "{}", whole.stdout);

    host.sandbox()
        .set_faults(FaultPlan::scheduled([ScheduledFault::on(
            OperationId::CouponCreate,
            Fault::ShortOfACoupon,
        )]));
    let short = create("cli-short-json", true);
    assert_eq!(short.code, 0, "issued all the same: {short:?}");
    let json = short.json();
    assert_eq!(json["outcome"], "ok");
    assert_eq!(json["records"].as_array().unwrap().len(), 1);
    let warning = json["warning"].as_str().expect("a warning");
    assert!(
        warning.contains("listed 1, stated 2 (ORDER_CNT), requested 2"),
        "{warning}"
    );

    let people = create("cli-short-text", false);
    assert_eq!(people.code, 0, "{people:?}");
    assert!(
        people
            .stderr
            .contains("warning: coupon count disagrees (listed 1"),
        "{}",
        people.stderr
    );
    assert_eq!(
        host.ledger()
            .order_by_tr_id("cli-short-text")
            .unwrap()
            .coupons
            .len(),
        2,
        "both coupons exist"
    );
}

/// A create whose answer is lost (the sandbox commits, then drops the
/// connection): the SDK sends the same TR_ID again, the server answers `12`, and
/// the command exits 6 — never send again — not 4 (send again with that TR_ID).
#[test]
fn an_earlier_attempt_that_reached_the_server_exits_never_send_again() {
    use coufun_sandbox::{Fault, FaultPlan, ScheduledFault};
    let host = Host::start();
    host.sandbox()
        .set_faults(FaultPlan::scheduled([ScheduledFault::at(
            0,
            Fault::DropAfterCommit,
        )]));
    let run = host.run(&[
        "--json",
        "coupon-create",
        "--goods-id",
        GOODS,
        "--quantity",
        "1",
        "--tr-id",
        "cli-lost-answer",
    ]);
    assert_eq!(run.code, 6, "{run:?}");
    let json = run.json();
    assert_eq!(json["outcome"], "earlier_attempt_reached", "{json}");
    assert_eq!(json["code"], ResultCode::DuplicateTrId.as_str());
    assert_eq!(json["tr_id"], "cli-lost-answer");
    assert_eq!(
        host.ledger()
            .order_by_tr_id("cli-lost-answer")
            .map(|o| o.coupons.len()),
        Some(1),
        "the coupon exists"
    );
}
