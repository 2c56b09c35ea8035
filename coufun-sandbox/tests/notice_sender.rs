//! The notice sender on its own, against a scripted merchant on 127.0.0.1:
//! retries until 00/04, gives up after max_attempts, logs every attempt, and
//! sends nothing for a notice that breaks a limit; and a running sandbox told
//! where to send its notices (`Sandbox::set_notices`).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use coufun_api::notice::{
    CouponNumber, CouponStatus, CouponType, ExchangeNotice, ExchangeNoticeRequired, NoticeAnswer,
    NoticeAnswerCode, NoticeParser, Reported,
};
use coufun_api::xml::Timestamp;
use coufun_sandbox::Sandbox;
use coufun_sandbox::notices::{
    AttemptResult, MIN_RETRY_INTERVAL, NoticeSender, NoticeSenderConfig,
};

/// A merchant answering `codes` in turn (the last one forever), recording bodies.
async fn merchant(codes: &[&str]) -> (String, Arc<Mutex<Vec<ExchangeNotice>>>) {
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    let app = Router::new().route(
        "/exchange",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let seen = Arc::clone(&seen2);
                let codes = codes.clone();
                async move {
                    let ct = headers.get("content-type").and_then(|v| v.to_str().ok());
                    let notice = NoticeParser::new().parse(&body, ct).unwrap();
                    let n = {
                        let mut seen = seen.lock().unwrap();
                        seen.push(notice);
                        seen.len()
                    };
                    let code = codes.get(n - 1).or(codes.last()).unwrap();
                    NoticeAnswer::new(NoticeAnswerCode::from_wire(code))
                        .with_exchange_id(format!("X{n}"))
                        .unwrap()
                        .encode()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/exchange", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn notice(branch: &str) -> ExchangeNotice {
    let mut notice = ExchangeNotice::new(ExchangeNoticeRequired {
        coupon_number: CouponNumber::new("900000000001").unwrap(),
        approval_number: "AP1".into(),
        state: Reported::Known(CouponStatus::Used),
        time: Timestamp::from_ymd_hms(2024, 5, 1, 9, 0, 0).unwrap(),
        coupon_type: Reported::Known(CouponType::Barcode),
        price: 4500,
        balance: 0,
    });
    notice.branch_name = Some(branch.into());
    notice.branch_code = Some("B1".into());
    notice
}

#[tokio::test]
async fn retries_until_00_and_logs_every_attempt() {
    let (url, seen) = merchant(&["99", "03", "00"]).await;
    let sender =
        NoticeSender::new(NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(10)))
            .unwrap();
    sender.enqueue(notice("역삼점")).unwrap();
    assert!(sender.wait_idle(Duration::from_secs(10)).await);
    let log = sender.log();
    let codes: Vec<String> = log
        .iter()
        .map(|r| match &r.result {
            AttemptResult::Answered { code, .. } => code.as_str().to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(codes, ["99", "03", "00"]);
    assert_eq!(log.iter().map(|r| r.attempt).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(log[2].result.is_final());
    // The merchant read the Hangul branch name back from EUC-KR.
    assert_eq!(
        seen.lock().unwrap()[0].branch_name.as_deref(),
        Some("역삼점")
    );
    assert!(!format!("{log:?}").contains("900000000001"));
}

#[tokio::test]
async fn a_duplicate_answer_04_stops_retrying_and_max_attempts_gives_up() {
    let (url, seen) = merchant(&["04"]).await;
    let sender =
        NoticeSender::new(NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(5)))
            .unwrap();
    sender.enqueue(notice("A")).unwrap();
    assert!(sender.wait_idle(Duration::from_secs(10)).await);
    assert_eq!(seen.lock().unwrap().len(), 1);

    let (url, seen) = merchant(&["99"]).await;
    let sender = NoticeSender::new(
        NoticeSenderConfig::new(url)
            .retry_interval(Duration::from_millis(5))
            .max_attempts(4),
    )
    .unwrap();
    sender.enqueue(notice("A")).unwrap();
    assert!(sender.wait_idle(Duration::from_secs(10)).await);
    assert_eq!(seen.lock().unwrap().len(), 4);
    assert_eq!(sender.log().len(), 4);
    assert!(sender.log().iter().all(|r| !r.result.is_final()));
}

#[tokio::test]
async fn an_unreachable_merchant_is_logged_as_a_failure() {
    let (_held, closed) = common::refusing_address();
    let url = format!("http://{closed}/exchange");
    let sender = NoticeSender::new(NoticeSenderConfig::new(url).max_attempts(1)).unwrap();
    sender.enqueue(notice("A")).unwrap();
    assert!(sender.wait_idle(Duration::from_secs(10)).await);
    assert!(matches!(
        sender.log()[0].result,
        AttemptResult::Failed { .. }
    ));
}

#[tokio::test]
async fn a_notice_over_a_limit_is_not_sent() {
    let sender = NoticeSender::new(NoticeSenderConfig::new("http://127.0.0.1:9/")).unwrap();
    let err = sender.enqueue(notice(&"가".repeat(26))).unwrap_err();
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "field BRANCH_NAME is 52 EUC-KR bytes, over the limit of 50"
    );
    assert_eq!(sender.pending(), 0);
    assert!(sender.log().is_empty());
}

#[test]
fn the_default_schedule_is_the_manuals_ten_minutes() {
    assert_eq!(
        NoticeSenderConfig::new("http://127.0.0.1/").retry_interval,
        Duration::from_secs(600)
    );
}

/// A retry interval below the floor (zero) is held at [`MIN_RETRY_INTERVAL`]
/// by the setter; one above it is kept as given.
#[test]
fn a_retry_interval_below_the_floor_is_held_at_it() {
    let config = |interval| NoticeSenderConfig::new("http://127.0.0.1/").retry_interval(interval);
    assert_eq!(config(Duration::ZERO).retry_interval, MIN_RETRY_INTERVAL);
    let below = MIN_RETRY_INTERVAL.saturating_sub(Duration::from_nanos(1));
    assert_eq!(config(below).retry_interval, MIN_RETRY_INTERVAL);
    assert_eq!(
        config(MIN_RETRY_INTERVAL).retry_interval,
        MIN_RETRY_INTERVAL
    );
    let above = MIN_RETRY_INTERVAL + Duration::from_nanos(1);
    assert_eq!(config(above).retry_interval, above);
}

/// A zero interval set on the field itself (past the setter) does not spin
/// either: against a merchant that is down (a refused connection fails in
/// microseconds), attempts come at most one a [`MIN_RETRY_INTERVAL`]; without
/// the floor they come as fast as a refused connect goes, one every 2 ms or faster.
#[tokio::test]
async fn a_zero_retry_interval_set_on_the_field_does_not_spin() {
    let (_held, closed) = common::refusing_address();
    let url = format!("http://{closed}/exchange");
    let mut config = NoticeSenderConfig::new(url);
    config.retry_interval = Duration::ZERO;
    let started = std::time::Instant::now();
    let sender = NoticeSender::new(config).unwrap();
    sender.enqueue(notice("A")).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    sender.shutdown();
    let elapsed = started.elapsed();
    let attempts = sender.log().len() as u128;
    let most = elapsed.as_nanos() / MIN_RETRY_INTERVAL.as_nanos() + 1;
    assert!(attempts >= 2, "it retried: {attempts}");
    assert!(
        attempts <= most,
        "{attempts} attempts in {elapsed:?}: more than one a {MIN_RETRY_INTERVAL:?}"
    );
}

/// `max_attempts(0)` is one attempt: the first is always made, none follows.
#[tokio::test]
async fn max_attempts_zero_is_one_attempt() {
    let (url, seen) = merchant(&["99"]).await;
    let sender = NoticeSender::new(
        NoticeSenderConfig::new(url)
            .retry_interval(Duration::from_millis(5))
            .max_attempts(0),
    )
    .unwrap();
    sender.enqueue(notice("A")).unwrap();
    assert!(sender.wait_idle(Duration::from_secs(10)).await);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(sender.log().len(), 1);
}

/// The coupon numbers of the notices `seen` holds, in order.
fn numbers(seen: &Mutex<Vec<ExchangeNotice>>) -> Vec<String> {
    let seen = seen.lock().unwrap();
    seen.iter()
        .map(|n| n.coupon_number.as_str().to_owned())
        .collect()
}

/// Uses coupon `number` and waits for its notice to be answered.
async fn use_and_wait(sandbox: &Sandbox, number: &str) {
    sandbox.mark_used(number).unwrap();
    assert!(sandbox.wait_for_notices(Duration::from_secs(10)).await);
}

/// A sandbox started without a notice URL sends nothing; told one after start
/// (`set_notices`: a receiver on an ephemeral port, its URL known only then),
/// it sends each use's notice there; told another, the next notice goes to
/// that one alone, the deliveries listed are the new sender's, and the
/// retries still pending with the one replaced stop.
#[tokio::test]
async fn a_running_sandbox_sends_notices_where_it_is_told_from_then_on() {
    let sandbox = common::start(common::config()).await;
    let raw = common::Raw::new(&sandbox);
    let coupons = common::create(&raw, "tr-notice-later", common::COFFEE, 4).await;
    let every_10_ms = |url| NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(10));

    use_and_wait(&sandbox, &coupons[0]).await;
    assert!(sandbox.notice_deliveries().is_empty());

    let (first, first_seen) = merchant(&["00"]).await;
    sandbox.set_notices(every_10_ms(first)).unwrap();
    use_and_wait(&sandbox, &coupons[1]).await;
    assert_eq!(numbers(&first_seen), [coupons[1].clone()]);
    let deliveries = sandbox.notice_deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0].coupon_number.as_str(), coupons[1]);
    assert_eq!(deliveries[0].result.code(), Some(&NoticeAnswerCode::Done));

    // A merchant that never takes it: the notice is retried until replaced.
    let (failing, failing_seen) = merchant(&["99"]).await;
    sandbox.set_notices(every_10_ms(failing)).unwrap();
    sandbox.mark_used(&coupons[2]).unwrap();
    let retried = async {
        while numbers(&failing_seen).len() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    assert!(
        tokio::time::timeout(Duration::from_secs(10), retried)
            .await
            .is_ok()
    );

    let (second, second_seen) = merchant(&["00"]).await;
    sandbox.set_notices(every_10_ms(second)).unwrap();
    // An attempt already on its way when the sender stopped may still land.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopped_at = numbers(&failing_seen).len();
    use_and_wait(&sandbox, &coupons[3]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(numbers(&failing_seen).len(), stopped_at, "no retry after");
    assert_eq!(numbers(&first_seen), [coupons[1].clone()]);
    assert_eq!(numbers(&second_seen), [coupons[3].clone()]);
    let deliveries = sandbox.notice_deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0].coupon_number.as_str(), coupons[3]);
    assert_eq!(deliveries[0].index, 0);
    assert_eq!(sandbox.ledger().notices, deliveries);
    sandbox.shutdown().await;
}

/// `set_notices` is callable outside the runtime the sandbox runs in (a
/// test's own thread): the sender it makes runs in the sandbox's runtime.
#[test]
fn set_notices_works_from_a_thread_outside_the_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = runtime.block_on(common::start(common::config()));
    let coupons = runtime.block_on(async {
        let raw = common::Raw::new(&sandbox);
        common::create(&raw, "tr-notice-thread", common::COFFEE, 1).await
    });
    let (url, seen) = runtime.block_on(merchant(&["00"]));
    sandbox.set_notices(NoticeSenderConfig::new(url)).unwrap();
    sandbox.mark_used(&coupons[0]).unwrap();
    assert!(runtime.block_on(sandbox.wait_for_notices(Duration::from_secs(10))));
    assert_eq!(numbers(&seen), [coupons[0].clone()]);
    runtime.block_on(sandbox.shutdown());
}
