//! Three workers against one, on one campaign, latency-bound: a sandbox that
//! answers every call after 20 ms with about 10 % faults, each worker with its
//! own client and store connection (as separate processes would have) and the
//! same concurrency. Prints both wall times and their ratio (target: three
//! workers take at most 0.4× the time of one). The store is PostgreSQL when
//! `COUFUN_TEST_DATABASE_URL` names a server, else a SQLite file (workers in
//! one process sharing it). `COUFUN_BENCH_ROWS` sets the rows (default
//! 6,000: with fewer, one row's chain of retries after faults — seconds of
//! backoff — is most of the three workers' time, and the ratio measures that
//! chain, not the workers). Each phase runs against a fresh sandbox.
//! `COUFUN_BENCH_CONCURRENCY` sets the per-worker concurrency (default 8).
//!
//! `cargo bench -p coufun-campaign --bench workers` (the work is waiting on
//! the sandbox, so `--profile dev` measures the same).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use coufun_api::privacy::PocId;
use coufun_api::{Client, Environment};
use coufun_campaign::{Limits, Order, SdkIssuer, Settings, Store, TR_ID_WIRE};
use coufun_sandbox::{DEFAULT_POC_ID, FaultOdds, FaultPlan, PocAccount, Sandbox, SandboxConfig};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn store(label: &str, dir: &tempfile::TempDir) -> (Store, Option<String>) {
    match std::env::var("COUFUN_TEST_DATABASE_URL") {
        Ok(url) => {
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            let name = format!(
                "coufun_bench_{label}_{}",
                ulid::Ulid::generate().to_string().to_lowercase()
            );
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
            let url = format!("{base}/{name}");
            (Store::postgres(&url).await.unwrap(), Some(url))
        }
        Err(_) => (
            Store::sqlite(dir.path().join(format!("{label}.sqlite")))
                .await
                .unwrap(),
            None,
        ),
    }
}

/// Issues `rows` rows with `workers` workers; the wall time.
async fn campaign(
    sandbox: &Sandbox,
    label: &str,
    rows: usize,
    workers: usize,
    conc: usize,
) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = store(label, &dir).await;
    let goods = "0000100001";
    // Goods and quantity by the generated request's wire names.
    let fields = coufun_api::OperationId::CouponCreate.spec().fields;
    let wire = |kind: &str| fields.iter().find(|f| f.kind == kind).unwrap().wire;
    let goods_wire = wire(coufun_api::GoodsId::KIND);
    let quantity_wire = wire(coufun_api::Quantity::KIND);
    let orders: Vec<Order> = (1..=rows as u64)
        .map(|i| {
            Order::new(
                i,
                format!("r{i}"),
                vec![
                    (goods_wire.to_owned(), goods.to_owned()),
                    (quantity_wire.to_owned(), "1".to_owned()),
                ],
            )
        })
        .collect();
    store.create("bench", label).await.unwrap();
    store.set_limits("bench", &Limits::default()).await.unwrap();
    let ids = coufun_api::tr_id::TrIdGenerator::new();
    store
        .load("bench", &orders, || ids.next_id().to_string())
        .await
        .unwrap();
    store.new_run("bench").await.unwrap();
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..workers {
        let client = Client::builder(
            Environment::Custom(sandbox.base_url()),
            PocId::new(DEFAULT_POC_ID).unwrap(),
        )
        .build()
        .unwrap();
        // Each worker its own connection pool, as a process of its own would.
        let store = match &url {
            Some(url) => Store::postgres(url).await.unwrap(),
            None => store.clone(),
        };
        let settings = Settings::new("bench", TR_ID_WIRE).concurrency(conc);
        handles.push(tokio::spawn(async move {
            let (_stop, stopped) = tokio::sync::watch::channel(false);
            coufun_campaign::run(SdkIssuer::new(client), store, settings, stopped, None)
                .await
                .unwrap()
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let took = started.elapsed();
    let summary = store.status("bench").await.unwrap();
    assert_eq!(summary.leased, 0);
    assert_eq!(
        summary
            .by_state
            .iter()
            .filter(|(s, _)| s.needs_sending())
            .count(),
        0,
        "{summary:?}"
    );
    store.close().await;
    took
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rows = env_number("COUFUN_BENCH_ROWS", 6000);
    let conc = env_number("COUFUN_BENCH_CONCURRENCY", 8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Each measurement against a fresh sandbox with the same seeded faults.
        let one = campaign(&sandbox().await, "one", rows, 1, conc).await;
        let three = campaign(&sandbox().await, "three", rows, 3, conc).await;
        let ratio = three.as_secs_f64() / one.as_secs_f64();
        println!(
            "workers/{rows} rows, 20 ms latency, ~10 % faults, concurrency {conc} per worker: \
             1 worker {:.2} s, 3 workers {:.2} s, ratio {ratio:.2}x (target <= 0.40x)",
            one.as_secs_f64(),
            three.as_secs_f64()
        );
    });
}

/// The sandbox: every call answered after 20 ms, about 10 % faults.
async fn sandbox() -> Sandbox {
    let mut config = SandboxConfig::default().with_latency(Duration::from_millis(20));
    config.accounts = vec![PocAccount::new(DEFAULT_POC_ID).with_issue_limit(10_000_000)];
    config.faults = FaultPlan::random(FaultOdds {
        drop_after_commit: 0.03,
        reset_before_commit: 0.03,
        bad_gateway: 0.02,
        code_99: 0.02,
        ..FaultOdds::seeded(7)
    });
    Sandbox::start(config).await.unwrap()
}
