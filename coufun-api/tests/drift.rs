//! The client's drift observer against a drifting sandbox: off by default
//! (nothing is inspected), a collector keeps every finding merged, the tracing
//! observer logs one event per finding; no secret reaches either.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use coufun_api::drift::{DriftCollector, DriftKind, DriftObserver};
use coufun_api::privacy::PocId;
use coufun_api::responses::CouponStatusItem;
use coufun_api::{Client, CouponCreateRequest, CouponStatusRequest, Environment, GoodsListRequest};
use coufun_sandbox::{DEFAULT_POC_ID, DriftPlan, Sandbox, SandboxConfig};
use support::TraceCapture;

fn drifting() -> SandboxConfig {
    SandboxConfig::default().with_drift(DriftPlan::all_but_root())
}

fn client(sandbox: &Sandbox, observer: Option<DriftObserver>) -> Client {
    let builder = Client::builder(
        Environment::Custom(sandbox.base_url()),
        PocId::new(DEFAULT_POC_ID).unwrap(),
    );
    match observer {
        Some(o) => builder.observe_drift(o),
        None => builder,
    }
    .build()
    .unwrap()
}

/// A coupon of the first goods (goods id, coupon number).
async fn coupon(client: &Client) -> (String, String) {
    let goods = client
        .goods_list(&GoodsListRequest::builder().build().unwrap())
        .await
        .unwrap()
        .goods[0]
        .goods_id
        .as_ref()
        .unwrap()
        .to_string();
    let request = CouponCreateRequest::builder()
        .goods_id(goods.as_str())
        .quantity(1u64)
        .tr_id(coufun_api::tr_id::TrIdGenerator::new().next_id())
        .build()
        .unwrap();
    let coufun_api::IssueOutcome::Issued(issued) = client.coupon_create(&request).await else {
        panic!("not issued");
    };
    (goods, issued.coupon_numbers()[0].to_string())
}

#[tokio::test]
async fn a_collector_keeps_every_drift_of_normal_use_and_no_secret() {
    let sandbox = Sandbox::start(drifting()).await.unwrap();
    let drift = DriftCollector::new();
    let client = client(&sandbox, Some(drift.observer()));
    let (goods, number) = coupon(&client).await;
    let status = CouponStatusRequest::builder()
        .goods_id(goods.as_str())
        .coupon_number(number.as_str())
        .build()
        .unwrap();
    // The answers decode as before: drift is observed, not refused.
    let answer = client.coupon_status(&status).await.unwrap();
    assert_eq!(answer.coupons.len(), 1);
    let report = drift.report();
    let kinds: Vec<(&str, DriftKind)> = report
        .findings
        .iter()
        .map(|e| (e.finding.operation, e.finding.kind))
        .collect();
    for expected in [
        ("goods_list", DriftKind::UnknownElement),
        ("goods_list", DriftKind::TooLong),
        ("goods_list", DriftKind::Charset),
        ("coupon_create", DriftKind::UnknownElement),
        ("coupon_status", DriftKind::ValueOutsideTable),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} missing: {kinds:?}");
    }
    let state = report
        .findings
        .iter()
        .find(|e| e.finding.kind == DriftKind::ValueOutsideTable)
        .unwrap();
    assert_eq!(state.finding.element, CouponStatusItem::STATUS.wire);
    let all = format!("{report:?}");
    assert!(!all.contains(&number), "{all}");
    assert!(!all.contains(DEFAULT_POC_ID), "{all}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn off_by_default_and_the_observer_is_never_called_without_drift() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let observer = DriftObserver::new(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    let exact = client(&sandbox, Some(observer));
    exact
        .goods_list(&GoodsListRequest::builder().build().unwrap())
        .await
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the sandbox answers as the spec says"
    );
    sandbox.shutdown().await;
    // Against a drifting server, a client without an observer inspects nothing.
    let sandbox = Sandbox::start(drifting()).await.unwrap();
    let capture = TraceCapture::start();
    let plain = client(&sandbox, None);
    plain
        .goods_list(&GoodsListRequest::builder().build().unwrap())
        .await
        .unwrap();
    assert!(
        !capture.text().contains("coufun_api::drift"),
        "{}",
        capture.text()
    );
    drop(capture);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_tracing_observer_logs_one_event_per_finding() {
    let sandbox = Sandbox::start(drifting()).await.unwrap();
    let capture = TraceCapture::start();
    let client = client(&sandbox, Some(DriftObserver::tracing()));
    client
        .goods_list(&GoodsListRequest::builder().build().unwrap())
        .await
        .unwrap();
    let logged = capture.text();
    let events: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("coufun_api::drift") && l.contains("differs from the spec"))
        .collect();
    // Charset (declaration and header), a long name, two unknown elements.
    assert_eq!(events.len(), 5, "{logged}");
    assert!(
        events
            .iter()
            .all(|e| e.contains("WARN") && e.contains("operation=\"goods_list\"")),
        "{logged}"
    );
    assert!(!logged.contains(DEFAULT_POC_ID), "{logged}");
    drop(capture);
    sandbox.shutdown().await;
}
