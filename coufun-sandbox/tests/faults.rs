//! Fault injection seen from outside: each fault by schedule (what the caller
//! sees, what the ledger holds afterwards), random faults reproducible by seed,
//! and the counts the server reports.

mod common;

use std::time::{Duration, Instant};

use common::*;
use coufun_api::{OperationId, ResultCode};
use coufun_sandbox::{Fault, FaultOdds, FaultPlan, ScheduledFault};

async fn with_plan(plan: FaultPlan) -> (coufun_sandbox::Sandbox, Raw) {
    let mut config = config();
    config.faults = plan;
    let sandbox = start(config).await;
    let raw = Raw::new(&sandbox);
    (sandbox, raw)
}

#[tokio::test]
async fn drop_after_commit_issues_but_never_answers() {
    let plan = FaultPlan::scheduled([ScheduledFault::at(0, Fault::DropAfterCommit)]);
    let (sandbox, raw) = with_plan(plan).await;
    let result = raw
        .try_post("coupon_send", &send_params("tr-drop", COFFEE, ALICE))
        .await;
    assert!(result.is_err(), "the caller got an answer: {result:?}");
    assert_eq!(sandbox.ledger().orders_per_tr_id().get("tr-drop"), Some(&1));
    assert_eq!(sandbox.fault_counts().dropped_after_commit, 1);
    // The same TR_ID again: the server answers 12 (an earlier attempt reached it).
    let again = raw
        .post("coupon_send", &send_params("tr-drop", COFFEE, ALICE))
        .await;
    assert_eq!(
        again.code(),
        ResultCode::DuplicateTrId.as_str(),
        "{}",
        again.xml
    );
    assert_eq!(sandbox.ledger().orders_per_tr_id().get("tr-drop"), Some(&1));
}

#[tokio::test]
async fn reset_before_commit_issues_nothing() {
    let plan = FaultPlan::scheduled([ScheduledFault::at(0, Fault::ResetBeforeCommit)]);
    let (sandbox, raw) = with_plan(plan).await;
    let result = raw
        .try_post("coupon_send", &send_params("tr-reset", COFFEE, ALICE))
        .await;
    assert!(result.is_err(), "the caller got an answer: {result:?}");
    assert!(sandbox.ledger().orders.is_empty());
    assert_eq!(sandbox.fault_counts().reset_before_commit, 1);
    // Request 1 is not scheduled: the retry with the same TR_ID issues once.
    let retry = raw
        .post("coupon_send", &send_params("tr-reset", COFFEE, ALICE))
        .await;
    assert_eq!(retry.code(), ResultCode::Success.as_str());
    assert_eq!(
        sandbox.ledger().orders_per_tr_id().get("tr-reset"),
        Some(&1)
    );
}

#[tokio::test]
async fn bad_gateway_answers_an_html_502_and_commits_nothing() {
    let plan = FaultPlan::scheduled([ScheduledFault::at_on(
        0,
        OperationId::CouponSend,
        Fault::BadGateway,
    )]);
    let (sandbox, raw) = with_plan(plan).await;
    let reply = raw
        .post("coupon_send", &send_params("tr-502", COFFEE, ALICE))
        .await;
    assert_eq!(reply.status, 502);
    assert!(reply.xml.contains("<html>"), "{}", reply.xml);
    assert!(sandbox.ledger().orders.is_empty());
    assert_eq!(sandbox.fault_counts().bad_gateway, 1);
}

#[tokio::test]
async fn code_50_by_fault_setting() {
    let plan = FaultPlan::scheduled([ScheduledFault::on(OperationId::CouponSend, Fault::Code50)]);
    let (sandbox, raw) = with_plan(plan).await;
    let reply = raw
        .post("coupon_send", &send_params("tr-50", COFFEE, ALICE))
        .await;
    assert_eq!(
        reply.code(),
        ResultCode::CouponCreationFailed.as_str(),
        "{}",
        reply.xml
    );
    assert!(sandbox.ledger().orders.is_empty());
    assert_eq!(sandbox.fault_counts().code_50, 1, "the fault fired");
}

#[tokio::test]
async fn code_99_by_fault_setting() {
    let plan = FaultPlan::scheduled([ScheduledFault::on(OperationId::GoodsList, Fault::Code99)]);
    let (sandbox, raw) = with_plan(plan).await;
    let reply = raw.post("goods_list", &[("POC_ID", POC)]).await;
    assert_eq!(
        reply.code(),
        ResultCode::SystemError.as_str(),
        "{}",
        reply.xml
    );
    assert_eq!(sandbox.fault_counts().code_99, 1);
}

/// The longest delay and latency there are (`Duration::MAX`, what
/// `--fault-delay-ms` and `--latency-ms` can reach and beyond) wait rather
/// than panic: the timer holds any wait at its own longest, so the request
/// is left unanswered and the server carries on serving the next one.
#[tokio::test]
async fn the_longest_delay_and_latency_wait_without_panicking() {
    let plan = FaultPlan::scheduled([ScheduledFault::at(0, Fault::Delay(Duration::MAX))]);
    let (sandbox, mut raw) = with_plan(plan).await;
    raw.client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let waited = raw
        .try_post("coupon_send", &send_params("tr-forever", COFFEE, ALICE))
        .await;
    assert!(waited.is_err_and(|e| e.is_timeout()));
    assert_eq!(sandbox.fault_counts().delayed, 1);
    let next = raw
        .try_post("coupon_send", &send_params("tr-next", COFFEE, ALICE))
        .await
        .expect("the next request answered");
    assert_eq!(next.code(), ResultCode::Success.as_str());

    let sandbox = start(config().with_latency(Duration::MAX)).await;
    let waited = Raw {
        client: raw.client.clone(),
        ..Raw::new(&sandbox)
    }
    .try_post("coupon_send", &send_params("tr-slow", COFFEE, ALICE))
    .await;
    assert!(waited.is_err_and(|e| e.is_timeout()));
    assert_eq!(sandbox.request_count(), 0, "still waiting, not counted");
}

#[tokio::test]
async fn delay_answers_late_after_committing() {
    let delay = Duration::from_millis(300);
    let plan = FaultPlan::scheduled([ScheduledFault::at(0, Fault::Delay(delay))]);
    let (sandbox, raw) = with_plan(plan).await;
    let started = Instant::now();
    let reply = raw
        .post("coupon_send", &send_params("tr-slow", COFFEE, ALICE))
        .await;
    assert!(started.elapsed() >= delay);
    assert_eq!(reply.code(), ResultCode::Success.as_str());
    assert_eq!(sandbox.fault_counts().delayed, 1);
    // A client that gave up earlier would have lost a committed issuance.
    let short = reqwest::Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .expect("client");
    sandbox.set_faults(FaultPlan::scheduled([ScheduledFault::on(
        OperationId::CouponSend,
        Fault::Delay(delay),
    )]));
    let impatient = short
        .post(format!("{}{}", raw.base, path_of("coupon_send")))
        .body(form(&send_params("tr-gave-up", COFFEE, ALICE)))
        .send()
        .await;
    assert!(impatient.is_err());
    assert_eq!(
        sandbox.fault_counts().delayed,
        2,
        "the scheduled delay fired"
    );
    tokio::time::sleep(delay).await;
    assert_eq!(
        sandbox.ledger().orders_per_tr_id().get("tr-gave-up"),
        Some(&1)
    );
}

#[tokio::test]
async fn random_faults_repeat_with_the_same_seed() {
    let odds = FaultOdds {
        bad_gateway: 0.3,
        code_99: 0.2,
        ..FaultOdds::seeded(7)
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let (sandbox, raw) = with_plan(FaultPlan::random(odds)).await;
        let mut seen = Vec::new();
        for _ in 0..40 {
            let reply = raw.post("goods_list", &[("POC_ID", POC)]).await;
            seen.push((reply.status, reply.code()));
        }
        let counts = sandbox.fault_counts();
        assert_eq!(counts.total(), counts.bad_gateway + counts.code_99);
        assert_eq!(
            seen.iter().filter(|(status, _)| *status == 502).count() as u64,
            counts.bad_gateway
        );
        assert!(counts.bad_gateway > 0 && counts.code_99 > 0, "{counts:?}");
        runs.push(seen);
    }
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn admin_faults_route_reports_counts() {
    let plan = FaultPlan::scheduled([ScheduledFault::on(
        OperationId::GoodsList,
        Fault::BadGateway,
    )]);
    let (sandbox, raw) = with_plan(plan).await;
    raw.post("goods_list", &[("POC_ID", POC)]).await;
    raw.post("goods_list", &[("POC_ID", POC)]).await;
    let body = raw
        .client
        .get(format!("http://{}/_admin/faults", sandbox.addr()))
        .send()
        .await
        .expect("answers")
        .text()
        .await
        .expect("body");
    let counts: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(counts["bad_gateway"], 2);
    assert_eq!(sandbox.request_count(), 2);
}

#[tokio::test]
async fn short_of_a_coupon_commits_all_and_lists_one_fewer() {
    let plan = FaultPlan::scheduled([
        ScheduledFault::on(OperationId::CouponCreate, Fault::ShortOfACoupon),
        ScheduledFault::on(OperationId::CouponSend, Fault::ShortOfACoupon),
    ]);
    let (sandbox, raw) = with_plan(plan).await;
    let reply = raw
        .post(
            "coupon_create",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", COFFEE),
                ("CREATE_CNT", "3"),
                ("TR_ID", "tr-short"),
            ],
        )
        .await;
    assert_eq!(reply.code(), "00", "{}", reply.xml);
    assert_eq!(
        reply.first("ORDER_CNT").as_deref(),
        Some("3"),
        "{}",
        reply.xml
    );
    let listed = reply.all("BARCODE_NUM");
    assert_eq!(listed.len(), 2, "{}", reply.xml);
    let ledger = sandbox.ledger();
    let order = ledger
        .orders
        .iter()
        .find(|o| o.tr_id == "tr-short")
        .expect("the order is committed");
    let committed: Vec<&str> = order
        .coupons
        .iter()
        .map(|c| c.coupon_number.as_str())
        .collect();
    assert_eq!(committed.len(), 3, "all three coupons exist");
    assert_eq!(committed[..2], listed, "the first two are listed, in order");
    // A send has no stated count to disagree with: it answers whole.
    let (_, sent) = issue(&raw, "tr-short-send").await;
    assert_eq!(sent.len(), 2, "one coupon per recipient, all listed");
    assert_eq!(sandbox.fault_counts().short_of_a_coupon, 2);
}

/// The coupon numbers the ledger holds for the order of `tr_id`.
fn committed(sandbox: &coufun_sandbox::Sandbox, tr_id: &str) -> Vec<String> {
    let ledger = sandbox.ledger();
    let order = ledger
        .orders
        .iter()
        .find(|o| o.tr_id == tr_id)
        .expect("the order is committed under the TR_ID sent");
    order
        .coupons
        .iter()
        .map(|c| c.coupon_number.clone())
        .collect()
}

#[tokio::test]
async fn foreign_tr_id_commits_and_answers_00_under_another_tr_id() {
    let plan = FaultPlan::scheduled([
        ScheduledFault::on(OperationId::CouponCreate, Fault::ForeignTrId),
        ScheduledFault::on(OperationId::CouponSend, Fault::ForeignTrId),
    ]);
    let (sandbox, raw) = with_plan(plan).await;
    let reply = raw
        .post(
            "coupon_create",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", COFFEE),
                ("CREATE_CNT", "2"),
                ("TR_ID", "tr-foreign"),
            ],
        )
        .await;
    assert_eq!(reply.code(), "00", "{}", reply.xml);
    let echoed = reply.first("TR_ID").expect("a TR_ID echo");
    assert_ne!(echoed, "tr-foreign", "{}", reply.xml);
    assert_eq!(echoed.len(), "tr-foreign".len(), "{}", reply.xml);
    assert_eq!(reply.first("GOODS_ID").as_deref(), Some(COFFEE));
    assert_eq!(
        committed(&sandbox, "tr-foreign"),
        reply.all("BARCODE_NUM"),
        "the coupons are issued under the TR_ID sent"
    );
    let recipients = format!("{ALICE},{BOB}");
    let sent = raw
        .post(
            "coupon_send",
            &send_params("tr-foreign-send", COFFEE, &recipients),
        )
        .await;
    assert_eq!(sent.code(), "00", "{}", sent.xml);
    let echoed = sent.first("TR_ID").expect("a TR_ID echo");
    assert_ne!(echoed, "tr-foreign-send", "{}", sent.xml);
    assert_eq!(committed(&sandbox, "tr-foreign-send").len(), 2);
    assert_eq!(sandbox.fault_counts().foreign_tr_id, 2);
}

#[tokio::test]
async fn foreign_goods_id_commits_and_answers_00_for_other_goods() {
    let plan = FaultPlan::scheduled([ScheduledFault::on(
        OperationId::CouponCreate,
        Fault::ForeignGoodsId,
    )]);
    let (sandbox, raw) = with_plan(plan).await;
    let reply = raw
        .post(
            "coupon_create",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", COFFEE),
                ("CREATE_CNT", "1"),
                ("TR_ID", "tr-other-goods"),
            ],
        )
        .await;
    assert_eq!(reply.code(), "00", "{}", reply.xml);
    let echoed = reply.first("GOODS_ID").expect("a GOODS_ID echo");
    assert_ne!(echoed, COFFEE, "{}", reply.xml);
    assert_eq!(reply.first("TR_ID").as_deref(), Some("tr-other-goods"));
    let ledger = sandbox.ledger();
    let order = ledger
        .orders
        .iter()
        .find(|o| o.tr_id == "tr-other-goods")
        .expect("the order is committed");
    assert_eq!(order.coupons.len(), 1);
    assert_eq!(
        order.goods_id, COFFEE,
        "the goods ordered are the goods issued"
    );
    assert_eq!(sandbox.fault_counts().foreign_goods_id, 1);
}
