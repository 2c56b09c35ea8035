//! Exchange notices and status polls racing over 1,000 coupons, on SQLite and
//! on PostgreSQL: the sandbox redeems coupons (uses, use-cancels, partial uses
//! of stored-value vouchers) and cancels some at the merchant's request, sends
//! a notice for every use and use-cancel to a receiver writing through the
//! sync store, while poll rounds run without pause; each coupon ends with
//! exactly one history row per change (plus its first row), whichever saw the
//! change first, and its state is the sandbox's.

mod common;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{COFFEE, VOUCHER, client, fresh_pg_database, issue, sandbox_notifying, serve};
use coufun_api::{Client, CouponCancelRequest, CouponNumber, CouponStatus, GoodsId};
use coufun_notify::{AllowList, NoticeStore, PostgresStore, Receiver, SqliteStore};
use coufun_sandbox::{RedeemAction, Sandbox};
use coufun_sync::{PollConfig, StateNotices, SyncStore, poll_round};

const EXCHANGE_VOUCHERS: usize = 800;
const STORED_VALUE: usize = 200;

/// What happens to one coupon in phase A and phase B.
#[derive(Debug, Clone, Copy)]
enum Step {
    Use(Option<u64>),
    CancelUse(u64),
    MerchantCancel,
}

struct Plan {
    coupon: CouponNumber,
    goods: GoodsId,
    a: Option<Step>,
    b: Option<Step>,
}

impl Plan {
    /// History rows expected: the first, then one per change.
    fn rows(&self) -> usize {
        1 + usize::from(self.a.is_some()) + usize::from(self.b.is_some())
    }
}

fn plans(barcode: Vec<(CouponNumber, GoodsId)>, amount: Vec<(CouponNumber, GoodsId)>) -> Vec<Plan> {
    let mut plans = Vec::new();
    for (i, (coupon, goods)) in barcode.into_iter().enumerate() {
        let (a, b) = match i % 5 {
            0 => (None, None),
            1 | 4 => (Some(Step::Use(None)), None),
            2 => (Some(Step::Use(None)), Some(Step::CancelUse(0))),
            _ => (None, Some(Step::MerchantCancel)),
        };
        plans.push(Plan {
            coupon,
            goods,
            a,
            b,
        });
    }
    for (j, (coupon, goods)) in amount.into_iter().enumerate() {
        let (a, b) = match j % 4 {
            0 => (None, None),
            1 => (Some(Step::Use(Some(3_000))), None),
            // a partial use-cancel: its notice says 000, the lookup 001
            2 => (Some(Step::Use(Some(5_000))), Some(Step::CancelUse(2_000))),
            _ => (Some(Step::Use(Some(3_000))), Some(Step::Use(Some(7_000)))),
        };
        plans.push(Plan {
            coupon,
            goods,
            a,
            b,
        });
    }
    plans
}

async fn perform(sandbox: &Sandbox, client: &Client, plan: &Plan, step: Step) {
    let number = plan.coupon.as_str();
    match step {
        Step::Use(amount) => {
            sandbox.redeem(number, RedeemAction::Use(amount)).unwrap();
        }
        Step::CancelUse(amount) => {
            sandbox
                .redeem(number, RedeemAction::CancelUse(amount))
                .unwrap();
        }
        Step::MerchantCancel => {
            let request = CouponCancelRequest::builder()
                .goods_id(plan.goods.clone())
                .coupon_number(plan.coupon.clone())
                .build()
                .unwrap();
            client.coupon_cancel(&request).await.unwrap();
        }
    }
}

/// Poll rounds back to back until `stop`; how many rounds ran.
fn poll_without_pause(
    store: SyncStore,
    client: Client,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<u32> {
    tokio::spawn(async move {
        let config = PollConfig::default().rate(f64::INFINITY).concurrency(8);
        let mut rounds = 0;
        while !stop.load(Ordering::SeqCst) {
            poll_round(&store, &client, &config).await.unwrap();
            rounds += 1;
        }
        rounds
    })
}

async fn phase(
    sandbox: &Sandbox,
    client: &Client,
    plans: &[Plan],
    pick: fn(&Plan) -> Option<Step>,
) {
    for (n, plan) in plans.iter().enumerate() {
        if let Some(step) = pick(plan) {
            perform(sandbox, client, plan, step).await;
        }
        if n % 16 == 0 {
            // let the notices and the polls interleave with the redemptions
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    assert!(
        sandbox.wait_for_notices(Duration::from_secs(120)).await,
        "every notice answered"
    );
}

/// Runs the scenario: `store` polls, `url` is the receiver writing notices
/// into the same database.
async fn scenario(name: &str, store: SyncStore, url: String) {
    let sandbox = sandbox_notifying(&url).await;
    let client = client(&sandbox);
    let barcode = issue(
        &sandbox,
        &client,
        COFFEE,
        EXCHANGE_VOUCHERS,
        &format!("{name}-b"),
    )
    .await;
    let amount = issue(
        &sandbox,
        &client,
        VOUCHER,
        STORED_VALUE,
        &format!("{name}-a"),
    )
    .await;
    let all: Vec<_> = barcode.iter().chain(amount.iter()).cloned().collect();
    assert_eq!(store.track_many(&all).await.unwrap(), all.len() as u64);
    let plans = plans(barcode, amount);

    let stop = Arc::new(AtomicBool::new(false));
    let poller = poll_without_pause(store.clone(), client.clone(), Arc::clone(&stop));
    phase(&sandbox, &client, &plans, |p| p.a).await;
    // phase B's events in a later second than phase A's
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    phase(&sandbox, &client, &plans, |p| p.b).await;
    stop.store(true, Ordering::SeqCst);
    let rounds = poller.await.unwrap();
    // what only a poll can see (the merchant's cancels), seen at last
    poll_round(
        &store,
        &client,
        &PollConfig::default().rate(f64::INFINITY).concurrency(8),
    )
    .await
    .unwrap();

    let ledger = sandbox.ledger();
    let mut sources: HashMap<String, usize> = HashMap::new();
    let mut wrong = Vec::new();
    for plan in &plans {
        let history = store.history(&plan.coupon).await.unwrap();
        for row in &history {
            *sources.entry(row.source.clone()).or_default() += 1;
        }
        let seqs: Vec<i64> = history.iter().map(|r| r.seq).collect();
        let expected: Vec<i64> = (1..=plan.rows() as i64).collect();
        if seqs != expected {
            wrong.push(format!(
                "{:?} a={:?} b={:?}: rows {:?}",
                plan.coupon,
                plan.a,
                plan.b,
                history
                    .iter()
                    .map(|r| (r.seq, r.state.clone(), r.balance, r.source.clone()))
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        let (_, coupon) = ledger.coupon(plan.coupon.as_str()).unwrap();
        let held = store.coupon(&plan.coupon).await.unwrap().unwrap();
        let partial_cancel = matches!(plan.b, Some(Step::CancelUse(n)) if n > 0);
        // a partial use-cancel reads 000 in its notice and 001 in a lookup:
        // the first sighting stands
        if !partial_cancel && held.state != coufun_api::Reported::Known(coupon.state) {
            wrong.push(format!(
                "{:?}: state {:?}, sandbox {:?}",
                plan.coupon, held.state, coupon.state
            ));
        }
        if coupon.state == CouponStatus::Cancelled && held.open {
            wrong.push(format!("{:?}: cancelled but still open", plan.coupon));
        }
    }
    let expected_rows: usize = plans.iter().map(Plan::rows).sum();
    assert!(
        wrong.is_empty(),
        "{name}: {} coupons wrong, e.g. {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    assert_eq!(
        store.history_len().await.unwrap(),
        expected_rows as u64,
        "{name}"
    );
    eprintln!(
        "{name}: {} coupons, {expected_rows} history rows ({sources:?}), {rounds} poll rounds during the redemptions",
        plans.len()
    );
    // both sides saw changes first (the race was run)
    assert!(
        sources.get("notice").copied().unwrap_or(0) > 0,
        "{name}: {sources:?}"
    );
    assert!(
        sources.get("poll").copied().unwrap_or(0) > 0,
        "{name}: {sources:?}"
    );
    assert!(rounds >= 1, "{name}");
    sandbox.shutdown().await;
}

fn local() -> AllowList {
    AllowList::only([IpAddr::V4(Ipv4Addr::LOCALHOST)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notices_and_polls_over_1000_coupons_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let notices = SqliteStore::open(dir.path().join("merchant.db"))
        .await
        .unwrap();
    let store = SyncStore::with_sqlite_pool(notices.pool().clone())
        .await
        .unwrap();
    let url = serve(Receiver::new(notices.clone(), StateNotices::new(), local())).await;
    scenario("sqlite", store, url).await;
    assert!(notices.processed_count().await.unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notices_and_polls_over_1000_coupons_on_postgres() {
    let Some(db) = fresh_pg_database().await else {
        return;
    };
    // the receiver and the poller as two instances: a pool each
    let notices = PostgresStore::connect(&db).await.unwrap();
    let store = SyncStore::open(&db).await.unwrap();
    let url = serve(Receiver::new(notices.clone(), StateNotices::new(), local())).await;
    scenario("postgres", store, url).await;
    assert!(notices.processed_count().await.unwrap() > 0);
}
