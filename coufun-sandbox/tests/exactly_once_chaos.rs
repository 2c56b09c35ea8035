//! Issuance at most once, never reported wrong, under injected faults: 2,000
//! coupon sends through the SDK against the sandbox, about a fifth of all calls
//! hit by one of four faults (answer delayed past the client's timeout,
//! connection dropped after the coupon was committed, connection reset before
//! committing, a 502 page). One send in ten is for goods outside their sale
//! period, which the server refuses (30): those never reach the ledger; they end
//! "not issued", or "unknown" when the refusal followed a lost answer. A retry
//! after a committed attempt whose answer was lost gets `12`: "an earlier attempt
//! reached the server". Seeded, bounded, and judged by the sandbox's own ledger.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coufun_api::issuance::IssueOutcome;
use coufun_api::privacy::PocId;
use coufun_api::retry::RetryPolicy;
use coufun_api::tr_id::TrIdGenerator;
use coufun_api::{Client, CouponSendRequest, Environment, ResultCode};
use coufun_sandbox::{FaultOdds, FaultPlan};

const SENDS: usize = 2_000;
const WORKERS: usize = 16;
const CLIENT_TIMEOUT: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
struct Tally {
    not_issued: Vec<String>,
    earlier_attempt_reached: Vec<String>,
    /// (TR_ID, whether the send was for the off-season goods)
    unknown: Vec<(String, bool)>,
    issued: BTreeMap<String, Vec<String>>,
    calls: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_sends_under_faults_never_issue_twice_nor_misreport() {
    let mut config = common::config();
    let mut odds = FaultOdds::seeded(20_261_128);
    odds.delay = 0.05;
    odds.delay_for = CLIENT_TIMEOUT * 2;
    odds.drop_after_commit = 0.05;
    odds.reset_before_commit = 0.05;
    odds.bad_gateway = 0.05;
    config.faults = FaultPlan::random(odds);
    let sandbox = common::start(config).await;

    let client = Client::builder(
        Environment::Custom(sandbox.base_url()),
        PocId::new(common::POC).unwrap(),
    )
    .timeout(CLIENT_TIMEOUT)
    .retry_policy(RetryPolicy {
        // A fifth of all calls fault: 40 calls leave a run of faults long
        // enough to exhaust the budget at odds far below one in a million.
        max_attempts: 40,
        deadline: Duration::from_secs(20),
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(40),
    })
    .build()
    .unwrap();
    let ids = Arc::new(TrIdGenerator::with_prefix("chaos-").unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(std::sync::Mutex::new(Tally::default()));

    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (client, ids, next, tally) = (client.clone(), ids.clone(), next.clone(), tally.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= SENDS {
                    break;
                }
                let goods = if i % 10 == 9 {
                    common::OFF_SEASON
                } else {
                    common::COFFEE
                };
                let request = CouponSendRequest::builder()
                    .goods_id(goods)
                    .tr_id(ids.next_id())
                    .sender(common::SENDER)
                    .subject("생일 축하 쿠폰")
                    .recipients([common::ALICE])
                    .build()
                    .unwrap();
                let outcome = client.coupon_send(&request).await;
                let tr_id = outcome.tr_id().as_str().to_owned();
                let mut t = tally.lock().unwrap();
                t.calls += u64::from(outcome.attempts());
                match outcome {
                    IssueOutcome::Issued(issued) => {
                        let numbers = issued
                            .coupon_numbers()
                            .into_iter()
                            .map(str::to_owned)
                            .collect();
                        t.issued.insert(tr_id, numbers);
                    }
                    IssueOutcome::NotIssued(refused) => {
                        assert_eq!(
                            refused.code(),
                            Some(ResultCode::GoodsNotOnSale),
                            "{refused:?}"
                        );
                        assert_eq!(goods, common::OFF_SEASON);
                        t.not_issued.push(tr_id);
                    }
                    IssueOutcome::EarlierAttemptReached(earlier) => {
                        assert_eq!(earlier.code, ResultCode::DuplicateTrId, "{earlier:?}");
                        assert!(earlier.lost_answers > 0, "{earlier:?}");
                        t.earlier_attempt_reached.push(tr_id);
                    }
                    IssueOutcome::Unknown(_) => {
                        t.unknown.push((tr_id, goods == common::OFF_SEASON))
                    }
                    // the sandbox echoes each request's own TR_ID and GOODS_ID
                    IssueOutcome::Mismatched(m) => panic!("an answer echoing another request: {m}"),
                }
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }

    let tally = tally.lock().unwrap();
    let ledger = sandbox.ledger();
    let faults = sandbox.fault_counts();
    println!(
        "faults injected: {} delayed past the timeout, {} dropped after commit, {} reset before commit, {} 502 pages ({} of {} requests)",
        faults.delayed,
        faults.dropped_after_commit,
        faults.reset_before_commit,
        faults.bad_gateway,
        faults.total(),
        sandbox.request_count(),
    );
    println!(
        "outcomes: {} issued (answered), {} earlier attempt reached (12 after a lost answer), {} not issued, {} unknown ({} of them refusals after a lost answer); {} calls by the client",
        tally.issued.len(),
        tally.earlier_attempt_reached.len(),
        tally.not_issued.len(),
        tally.unknown.len(),
        tally.unknown.iter().filter(|(_, off)| *off).count(),
        tally.calls,
    );

    // every fault kind really happened
    assert!(faults.delayed > 0 && faults.dropped_after_commit > 0);
    assert!(faults.reset_before_commit > 0 && faults.bad_gateway > 0);
    let share = faults.total() as f64 / sandbox.request_count() as f64;
    assert!(
        (0.15..0.25).contains(&share),
        "about a fifth of calls faulted: {share:.3}"
    );

    // zero TR_IDs issued twice
    let twice: Vec<_> = ledger
        .orders_per_tr_id()
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect();
    assert!(twice.is_empty(), "TR_IDs issued more than once: {twice:?}");
    // zero coupons issued that the client reported as not issued
    let lost: Vec<&String> = tally
        .not_issued
        .iter()
        .filter(|t| ledger.order_by_tr_id(t).is_some())
        .collect();
    assert!(lost.is_empty(), "issued but reported not issued: {lost:?}");
    // an earlier attempt that reached the server did issue (the ledger has it)
    for tr_id in &tally.earlier_attempt_reached {
        assert!(ledger.order_by_tr_id(tr_id).is_some(), "{tr_id}");
    }
    // the budget never ran out while the sandbox was reachable: unknown only
    // where a refusal followed a lost answer (the off-season goods)
    let coffee_unknown: Vec<_> = tally.unknown.iter().filter(|(_, off)| !off).collect();
    assert!(
        coffee_unknown.is_empty(),
        "left unknown: {coffee_unknown:?}"
    );
    for (tr_id, _) in &tally.unknown {
        assert!(ledger.order_by_tr_id(tr_id).is_none(), "{tr_id}");
    }
    // every send ended in exactly one outcome
    assert_eq!(
        tally.not_issued.len() + tally.unknown.len(),
        SENDS / 10,
        "exactly the off-season sends are refused"
    );
    assert_eq!(
        tally.issued.len()
            + tally.earlier_attempt_reached.len()
            + tally.not_issued.len()
            + tally.unknown.len(),
        SENDS
    );
    // and what the client says it issued is what the ledger holds
    for (tr_id, numbers) in &tally.issued {
        let order = ledger
            .order_by_tr_id(tr_id)
            .unwrap_or_else(|| panic!("{tr_id} issued but not in the ledger"));
        let in_ledger: Vec<&str> = order
            .coupons
            .iter()
            .map(|c| c.coupon_number.as_str())
            .collect();
        assert_eq!(numbers, &in_ledger, "{tr_id}");
    }
    assert_eq!(
        ledger.orders.len(),
        tally.issued.len() + tally.earlier_attempt_reached.len()
    );
}
