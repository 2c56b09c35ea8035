//! An issuing answer that echoes another TR_ID or another GOODS_ID (the
//! sandbox's `Fault::ForeignTrId` / `Fault::ForeignGoodsId`: the server commits
//! the order, then answers `00` as another order's), through the real binary:
//! `coupon-create` exits 6 (never send again) without printing the answer's
//! coupon numbers as its own, and bulk-create records the row `echo_mismatch`,
//! never resends it and lists it for `coufun reconcile`.

mod common;

use std::collections::BTreeMap;

use common::Host;
use coufun_api::OperationId;
use coufun_sandbox::{Fault, FaultPlan, ScheduledFault};

const GOODS: &str = "0000100001";

/// The wire name of request field `field` of the create, from the table.
fn create_wire(field: &str) -> &'static str {
    OperationId::CouponCreate
        .spec()
        .field(field)
        .expect("field")
        .wire
}

/// The bulk report's rows as maps of column → value (read as CSV: messages
/// hold commas and quotes).
fn read_report(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("report exists");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a report row");
            headers
                .iter()
                .map(str::to_owned)
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The coupon numbers the ledger holds for the order of `tr_id`.
fn committed(host: &Host, tr_id: &str) -> Vec<String> {
    host.ledger()
        .order_by_tr_id(tr_id)
        .expect("the order is committed under the TR_ID sent")
        .coupons
        .iter()
        .map(|c| c.coupon_number.clone())
        .collect()
}

#[test]
fn a_create_answered_as_another_order_exits_never_send_again_and_prints_no_coupon() {
    for (fault, differing) in [
        (Fault::ForeignTrId, create_wire("tr_id")),
        (Fault::ForeignGoodsId, create_wire("goods_id")),
    ] {
        let host = Host::start();
        host.sandbox()
            .set_faults(FaultPlan::scheduled([ScheduledFault::on(
                OperationId::CouponCreate,
                fault,
            )]));
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

        let json_run = create("cli-echo-json", true);
        assert_eq!(json_run.code, 6, "{fault:?}: {json_run:?}");
        let json = json_run.json();
        assert_eq!(json["outcome"], "echo_mismatch", "{fault:?}: {json}");
        assert_eq!(json["tr_id"], "cli-echo-json");
        assert!(json["records"].is_null(), "no coupons shown: {json}");
        let detail = json["detail"].as_str().expect("a detail");
        assert!(
            detail.contains(&format!("({differing}: sent ")),
            "{fault:?} names the echo that differs: {detail}"
        );
        assert!(detail.contains("2 coupon numbers listed, not attributed"));

        let text = create("cli-echo-text", false);
        assert_eq!(text.code, 6, "{fault:?}: {text:?}");
        assert!(
            text.stdout.contains("the answer was another order's"),
            "{fault:?}: {}",
            text.stdout
        );
        assert!(text.stdout.contains("do not send it again"));

        for (run, tr_id) in [(&json_run, "cli-echo-json"), (&text, "cli-echo-text")] {
            let numbers = committed(&host, tr_id);
            assert_eq!(numbers.len(), 2, "the server issued them all the same");
            for number in &numbers {
                assert!(
                    !run.stdout.contains(number.as_str()) && !run.stderr.contains(number.as_str()),
                    "{fault:?}: coupon {number} of another order's answer printed: {run:?}"
                );
            }
        }
    }
}

#[test]
fn a_bulk_row_answered_as_another_order_is_recorded_never_resent_and_reconciled() {
    let host = Host::start();
    // At concurrency 1 the COUFUN requests are the rows in order: row b gets
    // another TR_ID back, row c another GOODS_ID.
    host.sandbox().set_faults(FaultPlan::scheduled([
        ScheduledFault::at_on(1, OperationId::CouponCreate, Fault::ForeignTrId),
        ScheduledFault::at_on(2, OperationId::CouponCreate, Fault::ForeignGoodsId),
    ]));
    let input = host.path("echo.csv");
    std::fs::write(&input, "ref\na\nb\nc\nd\n").unwrap();
    let bulk = |json: bool| -> common::Run {
        let mut cmd = host.cmd();
        if json {
            cmd.arg("--json");
        }
        cmd.args(["bulk-create", input.to_str().unwrap(), "--goods", GOODS])
            .args(["--concurrency", "1", "--no-progress"])
            .output()
            .unwrap()
            .into()
    };
    let run = bulk(false);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.stdout
            .contains("2 rows were answered with another order's TR_ID or goods"),
        "{}",
        run.stdout
    );
    let report = read_report(&host.path("echo.report.csv"));
    let outcomes: Vec<_> = report.iter().map(|r| r["outcome"].as_str()).collect();
    assert_eq!(
        outcomes,
        ["issued", "echo_mismatch", "echo_mismatch", "issued"]
    );
    for row in &report[1..3] {
        assert!(
            row["coupon_numbers"].is_empty(),
            "no coupon attributed to {row:?}"
        );
        assert!(
            row["message"].contains("the answer is not this request's"),
            "{row:?}"
        );
        let numbers = committed(&host, &row["tr_id"]);
        assert_eq!(numbers.len(), 1, "the server issued it all the same");
        let text = std::fs::read_to_string(host.path("echo.report.csv")).unwrap();
        assert!(!text.contains(numbers[0].as_str()), "{text}");
    }
    assert_eq!(host.ledger().orders.len(), 4);

    let again = bulk(true);
    assert_eq!(
        again.code, 6,
        "a rerun sends nothing and still says so: {again:?}"
    );
    assert_eq!(again.json()["summary"]["sent_this_run"], 0);
    assert_eq!(again.json()["to_reconcile"], 2);
    assert_eq!(host.ledger().orders.len(), 4, "nothing was sent again");

    let journal = host.path("echo.journal.sqlite");
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
    for row in &report[1..3] {
        assert!(
            text.stdout.contains(row["tr_id"].as_str()),
            "{}",
            text.stdout
        );
    }
    for issued in [&report[0], &report[3]] {
        assert!(
            !text.stdout.contains(issued["tr_id"].as_str()),
            "issued rows are not asked about: {}",
            text.stdout
        );
    }
    assert!(text.stdout.contains("다른 주문의 응답"), "{}", text.stdout);
    let csv = reconcile("csv");
    assert_eq!(csv.code, 0, "{csv:?}");
    let mut reader = ::csv::Reader::from_reader(csv.stdout.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let listed: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(listed, [&report[1]["tr_id"], &report[2]["tr_id"]]);
}
