//! bulk-create through the real binary: a 500-row run killed with SIGKILL
//! partway (the sandbox lives in this test process and outlives it), resumed,
//! and judged by the sandbox's ledger: every row issued exactly once, the
//! report complete. Also a run stopped by the server's issue limit (95), and
//! the reconciliation request written from a journal with a lost answer.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{Host, read_report, write_orders, write_refs};
use coufun_api::OperationId;
use coufun_sandbox::{Fault, FaultPlan, PocAccount, SandboxConfig, ScheduledFault};

const GOODS: &str = "0000100001";
const ROWS: usize = 500;

#[test]
fn a_bulk_run_killed_partway_resumes_and_issues_every_row_exactly_once() {
    let host = Host::start();
    // Lost answers along the way: the SDK retries with the same TR_ID and
    // reconciles by status, in the first run and in the resumed one.
    host.sandbox().set_faults(FaultPlan::scheduled(
        [40, 130, 260, 390, 520, 610]
            .into_iter()
            .map(|i| ScheduledFault::at(i, Fault::DropAfterCommit)),
    ));
    let input = host.path("orders.csv");
    write_orders(&input, ROWS);
    let bulk = |extra: &[&str]| {
        let mut cmd = host.cmd();
        cmd.args(["bulk-create", input.to_str().unwrap(), "--goods", GOODS]);
        cmd.args(extra);
        cmd
    };

    // First run, throttled so that it is still going when killed.
    let mut child = bulk(&["--rate", "250", "--concurrency", "4"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("coufun starts");
    let started = Instant::now();
    // Somewhere between 120 and 370 orders, varying from run to run.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as usize;
    let kill_at = 120 + nanos % 250;
    while host.ledger().orders.len() < kill_at {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first run stalled"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());
    std::thread::sleep(Duration::from_millis(100)); // requests in flight land
    let at_kill = host.ledger().orders.len();
    assert!(at_kill < ROWS, "killed partway: {at_kill} orders");

    // Resume: the same command.
    let resumed: common::Run = bulk(&["--json"]).output().unwrap().into();
    let summary = resumed.json();
    let by_state = &summary["summary"]["by_state"];
    let issued = by_state["issued"].as_u64().unwrap_or(0) as usize;
    // `reached`: a 12 after a lost answer, where the SDK cannot look the order up
    // (the documented API has no lookup by TR_ID): coupons exist, numbers unknown.
    let reached = by_state["reached"].as_u64().unwrap_or(0) as usize;
    assert_eq!(issued + reached, ROWS, "{summary}");
    // Nothing is left open: `reached` rows are never sent again (exit 6).
    assert_eq!(
        resumed.code,
        if reached == 0 { 0 } else { 6 },
        "{resumed:?}"
    );
    let sent_again = summary["summary"]["sent_this_run"].as_u64().unwrap() as usize;
    assert!(
        sent_again <= ROWS - at_kill + 8,
        "resumed only what was left"
    );

    // The ledger: one order per row, exactly; nothing else.
    let ledger = host.ledger();
    let per_tr = ledger.orders_per_tr_id();
    assert_eq!(ledger.orders.len(), ROWS);
    assert!(per_tr.values().all(|n| *n == 1), "a TR_ID issued twice");
    assert_eq!(ledger.coupon_count(), ROWS);

    // The report: every row, with the ledger's order and coupon numbers when the
    // answer said them; a `reached` row's TR_ID did issue.
    let report = read_report(&host.path("orders.report.csv"));
    assert_eq!(report.len(), ROWS);
    let mut refs = BTreeSet::new();
    for row in &report {
        let order = ledger.order_by_tr_id(&row["tr_id"]).expect("row's order");
        match row["outcome"].as_str() {
            "issued" => {
                assert_eq!(row["order_id"], order.order_id);
                assert_eq!(row["coupon_numbers"], order.coupons[0].coupon_number);
            }
            "reached" => assert!(row["coupon_numbers"].is_empty()),
            other => panic!("row outcome {other}: {row:?}"),
        }
        refs.insert(row["ref"].clone());
    }
    assert_eq!(refs.len(), ROWS);

    // A third run sends nothing.
    let third: common::Run = bulk(&["--json"]).output().unwrap().into();
    assert_eq!(third.code, resumed.code);
    assert_eq!(third.json()["summary"]["sent_this_run"], 0);
    assert_eq!(host.ledger().orders.len(), ROWS);
    println!(
        "ledger: {} orders at kill, {} after resume ({} rows sent again), {} TR_IDs each issued once, {} coupons; report {} issued, {} reached",
        at_kill,
        ledger.orders.len(),
        sent_again,
        per_tr.len(),
        ledger.coupon_count(),
        issued,
        reached
    );
}

#[test]
fn the_issue_limit_stops_the_run_and_a_later_run_resumes() {
    let mut config = SandboxConfig::default();
    config.accounts = vec![PocAccount::new(coufun_sandbox::DEFAULT_POC_ID).with_issue_limit(5)];
    let host = Host::with(config);
    let input = host.path("few.csv");
    write_refs(&input, 12);
    let run: common::Run = host
        .cmd()
        .args(["bulk-create", input.to_str().unwrap(), "--goods", GOODS])
        .args([
            "--concurrency",
            "1",
            "--limit-pause",
            "0.05",
            "--limit-retries",
            "2",
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 4, "rows left open: {run:?}");
    assert!(run.stdout.contains("95"), "{}", run.stdout);
    assert!(run.stdout.contains("rerun"), "{}", run.stdout);
    assert_eq!(host.ledger().orders.len(), 5);
    // 95 is never retried (as `coufun codes` says): the sixth row was sent once.
    assert_eq!(
        host.sandbox().request_count(),
        6,
        "no pause and resend of a 95"
    );
    assert!(run.stdout.contains("administrator"), "{}", run.stdout);
    let report = read_report(&host.path("few.report.csv"));
    assert_eq!(report.len(), 12);
    assert_eq!(
        report.iter().filter(|r| r["outcome"] == "issued").count(),
        5
    );
    assert_eq!(
        report.iter().filter(|r| r["outcome"] == "deferred").count(),
        1
    );
    assert_eq!(
        report.iter().filter(|r| r["outcome"] == "pending").count(),
        6
    );
}

#[test]
fn the_input_columns_are_the_create_fields() {
    let host = Host::start();
    let bulk = |name: &str, text: &str| -> common::Run {
        let input = host.path(name);
        std::fs::write(&input, text).unwrap();
        host.cmd()
            .args(["bulk-create", input.to_str().unwrap(), "--goods", GOODS])
            .output()
            .unwrap()
            .into()
    };
    // Recipients are not a field of the create operation: refused, nothing sent.
    let run = bulk("phones.csv", "ref,recipient\ncust-1,010-1234-5678\n");
    assert_eq!(run.code, 2, "{run:?}");
    for part in ["recipient", "quantity", "reserve1", "reserve2"] {
        assert!(run.stderr.contains(part), "lacks {part}: {}", run.stderr);
    }
    assert!(
        !run.stderr.contains("5678"),
        "no phone echoed: {}",
        run.stderr
    );
    assert_eq!(host.sandbox().request_count(), 0);

    // Wire names work too; a row over CREATE_CNT's limit is refused by our own
    // check (08) and never sent; the others issue their quantity.
    let over = coufun_api::Quantity::MAX.map_or(u64::MAX, |max| max + 1);
    let run = bulk(
        "wire.csv",
        &format!("ref,CREATE_CNT,RESERVE1,RESERVE2\na,2,spring,x\nb,{over},spring,\nc,,spring,\n"),
    );
    assert_eq!(run.code, 3, "{run:?}");
    let report = read_report(&host.path("wire.report.csv"));
    let outcomes: Vec<_> = report.iter().map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["issued", "invalid", "issued"]);
    assert_eq!(report[1]["code"], "08");
    assert_eq!(report[0]["coupon_numbers"].split_whitespace().count(), 2);
    let ledger = host.ledger();
    assert_eq!(ledger.orders.len(), 2);
    assert_eq!(ledger.coupon_count(), 3, "2 + the default 1");
}

#[test]
fn a_row_answered_short_of_a_coupon_is_issued_with_its_warning_in_the_report() {
    let host = Host::start();
    // The second COUFUN request (row 2 at concurrency 1) is answered short.
    host.sandbox()
        .set_faults(FaultPlan::scheduled([ScheduledFault::at_on(
            1,
            OperationId::CouponCreate,
            Fault::ShortOfACoupon,
        )]));
    let input = host.path("pairs.csv");
    std::fs::write(&input, "ref,quantity\na,2\nb,2\nc,2\n").unwrap();
    let run: common::Run = host
        .cmd()
        .args(["bulk-create", input.to_str().unwrap(), "--goods", GOODS])
        .args(["--concurrency", "1", "--no-progress"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "every row issued: {run:?}");
    assert!(
        run.stdout
            .contains("1 issued rows list another number of coupons"),
        "{}",
        run.stdout
    );
    // The message holds commas: read the report as CSV.
    let mut report = csv::Reader::from_path(host.path("pairs.report.csv")).unwrap();
    let headers = report.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = report.records().map(Result::unwrap).collect();
    let listed: Vec<usize> = rows
        .iter()
        .map(|r| r[column("coupon_numbers")].split_whitespace().count())
        .collect();
    assert_eq!(listed, [2, 1, 2]);
    let messages: Vec<&str> = rows.iter().map(|r| &r[column("message")]).collect();
    assert_eq!(messages[0], "");
    assert!(
        messages[1].contains("listed 1, stated 2 (ORDER_CNT), requested 2"),
        "{}",
        messages[1]
    );
    assert_eq!(messages[2], "");
    assert!(rows.iter().all(|r| &r[column("outcome")] == "issued"));
    assert_eq!(host.ledger().coupon_count(), 6, "every coupon exists");
}

/// A row whose answer is lost and whose repeat is answered 12: recorded
/// `reached` with that code, the run exits 6 (never send again), and
/// `coufun reconcile` lists exactly that row, as text and as CSV.
#[test]
fn a_lost_answer_goes_to_the_reconciliation_request() {
    let host = Host::start();
    // The second request (row 2 at concurrency 1): committed, answer dropped.
    host.sandbox()
        .set_faults(FaultPlan::scheduled([ScheduledFault::at(
            1,
            Fault::DropAfterCommit,
        )]));
    let input = host.path("lost.csv");
    write_refs(&input, 3);
    let run: common::Run = host
        .cmd()
        .args(["bulk-create", input.to_str().unwrap(), "--goods", GOODS])
        .args(["--concurrency", "1", "--no-progress"])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 6, "{run:?}");
    assert!(run.stdout.contains("coufun reconcile"), "{}", run.stdout);
    let json: common::Run = host
        .cmd()
        .args([
            "--json",
            "bulk-create",
            input.to_str().unwrap(),
            "--goods",
            GOODS,
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(
        json.code, 6,
        "a rerun sends nothing and still says so: {json:?}"
    );
    assert_eq!(json.json()["to_reconcile"], 1);
    assert_eq!(json.json()["summary"]["sent_this_run"], 0);
    let report = read_report(&host.path("lost.report.csv"));
    let outcomes: Vec<_> = report.iter().map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["issued", "reached", "issued"]);
    assert_eq!(
        report[1]["code"],
        coufun_api::ResultCode::DuplicateTrId.as_str()
    );
    let lost = report[1]["tr_id"].clone();
    assert!(report.iter().all(|r| !r["first_attempt_utc"].is_empty()));
    assert!(report.iter().all(|r| !r["last_attempt_utc"].is_empty()));

    let journal = host.path("lost.journal.sqlite");
    let reconcile = |format: &str| -> common::Run {
        common::bare(host.dir.path())
            .args(["reconcile", "--journal", journal.to_str().unwrap()])
            .args(["--format", format])
            .output()
            .unwrap()
            .into()
    };
    let text = reconcile("text");
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout.contains("쿠폰 발행 확인 요청"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("reconciliation request"));
    assert!(text.stdout.contains(&lost));
    for other in [&report[0]["tr_id"], &report[2]["tr_id"]] {
        assert!(
            !text.stdout.contains(other.as_str()),
            "issued rows are not asked about"
        );
    }
    let csv = reconcile("csv");
    assert_eq!(csv.code, 0, "{csv:?}");
    let mut reader = ::csv::Reader::from_reader(csv.stdout.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{}", csv.stdout);
    assert_eq!(&rows[0][0], lost.as_str());
    assert_eq!(&rows[0][1], GOODS);
    assert_eq!(&rows[0][2], "1");
    assert!(
        !rows[0][3].is_empty() && !rows[0][4].is_empty(),
        "attempt times"
    );

    let missing = common::bare(host.dir.path())
        .args([
            "reconcile",
            "--journal",
            host.path("none.sqlite").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// A pause or a lease of NaN seconds is refused as an argument (exit 2, nothing
/// sent), as no duration holds it: it used to panic when the limits were built.
#[test]
fn a_pause_or_a_lease_of_nan_seconds_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let input = home.path().join("orders.csv");
    write_refs(&input, 1);
    let file = input.to_str().unwrap();
    let database = format!("sqlite:{}", home.path().join("c.sqlite").display());
    for args in [
        vec![
            "bulk-create",
            file,
            "--goods",
            GOODS,
            "--limit-pause",
            "NaN",
        ],
        vec![
            "campaign",
            "load",
            file,
            "--database",
            &database,
            "--limit-pause",
            "NaN",
        ],
        vec![
            "campaign",
            "work",
            "--database",
            &database,
            "--lease",
            "nan",
        ],
    ] {
        let run: common::Run = common::bare(home.path())
            .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
            .args(&args)
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("not a number of seconds"), "{run:?}");
        assert!(!home.path().join("orders.journal.sqlite").exists());
    }
}

/// The goods (from `--goods`) and the TR_ID (assigned in the journal) are the
/// command's to fill: `--help` lists the other fields as the input's columns,
/// and a column naming either is refused before anything is sent.
#[test]
fn the_goods_and_the_tr_id_are_no_input_columns() {
    let op = OperationId::CouponCreate.spec();
    let goods = op
        .fields
        .iter()
        .find(|f| f.kind == coufun_api::GoodsId::KIND);
    let tr_id = op.idempotency_key.and_then(|k| op.field(k));
    let (goods, tr_id) = (goods.unwrap(), tr_id.unwrap());
    let allowed: Vec<&str> = op
        .fields
        .iter()
        .map(|f| f.name)
        .filter(|name| ![goods.name, tr_id.name].contains(name))
        .collect();
    let host = Host::start();
    let help = host.run(&["bulk-create", "--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    assert!(help.stdout.contains(&format!("({})", op.name)), "{help:?}");
    let columns = format!("any of: {} (field names", allowed.join(", "));
    assert!(help.stdout.contains(&columns), "lacks {columns}: {help:?}");
    for column in [goods.name, goods.wire, tr_id.name, tr_id.wire] {
        let input = host.path(&format!("{column}.csv"));
        std::fs::write(&input, format!("ref,{column}\na,{GOODS}\n")).unwrap();
        let run = host.run(&["bulk-create", input.to_str().unwrap(), "--goods", GOODS]);
        assert_eq!(run.code, 2, "{column}: {run:?}");
        assert!(run.stderr.contains("is not a field"), "{column}: {run:?}");
    }
    assert_eq!(host.sandbox().request_count(), 0);
}

/// `reconcile --journal` of a file that is not there says so (exit 2) and
/// leaves no journal behind; a store without campaigns asks for --campaign.
#[test]
fn a_missing_journal_or_campaign_is_named() {
    let home = tempfile::tempdir().unwrap();
    let journal = home.path().join("none.journal.sqlite");
    let run: common::Run = common::bare(home.path())
        .args(["reconcile", "--journal", journal.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no journal at"), "{run:?}");
    assert!(!journal.exists());
    let database = format!("sqlite:{}", home.path().join("empty.sqlite").display());
    let run: common::Run = common::bare(home.path())
        .args(["campaign", "status", "--database", &database])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("--campaign is needed: the store holds 0 campaigns"),
        "{run:?}"
    );
}

/// A rate below the campaign store's least (1e-9 rows a second: 0 and negative
/// rates too, which bulk-create once read as no cap), NaN or infinite is refused as an argument (exit 2, nothing sent, no journal or
/// campaign store made): 1e-300 used to overflow the rate schedule once a
/// second row was scheduled (a panic, exit 101).
#[test]
fn a_rate_below_the_least_or_not_a_number_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let input = home.path().join("orders.csv");
    write_refs(&input, 2);
    let file = input.to_str().unwrap();
    let store = home.path().join("c.sqlite");
    let database = format!("sqlite:{}", store.display());
    for (rate, says) in [
        (
            "1e-300",
            "below the least rate: a rate must be at least 1e-9 rows per second",
        ),
        ("5e-10", "below the least rate"),
        ("0", "below the least rate"),
        ("-1", "(leave --rate out for no cap)"),
        ("NaN", "not a number of rows per second"),
        ("inf", "not a number of rows per second"),
        ("-inf", "not a number of rows per second"),
    ] {
        let rate = format!("--rate={rate}");
        for args in [
            vec!["bulk-create", file, "--goods", GOODS, &rate],
            vec!["campaign", "load", file, "--database", &database, &rate],
        ] {
            let run: common::Run = common::bare(home.path())
                .env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
                .args(&args)
                .output()
                .unwrap()
                .into();
            assert_eq!(run.code, 2, "{args:?}: {run:?}");
            assert!(run.stderr.contains("--rate"), "{run:?}");
            assert!(run.stderr.contains(says), "{says}: {run:?}");
            assert!(!home.path().join("orders.journal.sqlite").exists());
            assert!(!store.exists());
        }
    }
    // The help names the least rate (from the campaign store's constant).
    for args in [
        vec!["bulk-create", "--help"],
        vec!["campaign", "load", "--help"],
    ] {
        let run: common::Run = common::bare(home.path())
            .args(&args)
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stdout.contains("at least 1e-9 (no cap by default)"),
            "{run:?}"
        );
    }
}

/// The least rate is a rate: the first row starts at once, the second would
/// wait about 32 years (a second `campaign work` would), so one row of a
/// one-row input is issued and the run ends.
#[test]
fn the_least_rate_issues_a_row_at_once() {
    let host = Host::start();
    let input = host.path("orders.csv");
    write_refs(&input, 1);
    let run = host.run(&[
        "bulk-create",
        input.to_str().unwrap(),
        "--goods",
        GOODS,
        "--rate",
        "1e-9",
        "--no-progress",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}
