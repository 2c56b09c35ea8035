//! `coufun campaign` through the real binary: worker processes share one
//! campaign against a sandbox (hosted by this test process, so it outlives a
//! killed worker) with a fixed latency per call and about 10 % faults; one
//! worker is SIGKILLed mid-run and restarted. Judged by the sandbox's ledger
//! and the store: no TR_ID issued twice, every valid row issued or reported
//! with its outcome, no row left leased. On PostgreSQL with three workers, and
//! on SQLite (one process at a time) with one.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::Host;
use coufun_campaign::{RowState, Store};
use coufun_sandbox::{DEFAULT_POC_ID, FaultOdds, FaultPlan, PocAccount, SandboxConfig};

const GOODS: &str = "0000100001";
const OTHER_GOODS: &str = "0000100002";
/// Rows of the campaign: 400, or `COUFUN_CAMPAIGN_ROWS` (the full-size run:
/// 20000).
fn rows() -> usize {
    std::env::var("COUFUN_CAMPAIGN_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}
/// Row with quantity 0: refused by our own check, never sent.
const INVALID_ROW: usize = 77;
const NAME: &str = "spring";

/// A sandbox answering after 20 ms, with about 10 % faults: lost answers
/// (committed or not), 5xx pages and 99s, which the SDK retries with the
/// same TR_ID.
fn latency_bound_host() -> Host {
    let mut config = SandboxConfig::default().with_latency(Duration::from_millis(20));
    config.accounts = vec![PocAccount::new(DEFAULT_POC_ID).with_issue_limit(1_000_000)];
    config.faults = FaultPlan::random(FaultOdds {
        drop_after_commit: 0.03,
        reset_before_commit: 0.03,
        bad_gateway: 0.02,
        code_99: 0.02,
        ..FaultOdds::seeded(21)
    });
    Host::with(config)
}

/// `ref,GOODS_ID,quantity,reserve1`: odd rows name their goods, even rows
/// take `--goods`; one row asks for 0 coupons.
fn write_campaign(path: &std::path::Path, rows: usize) {
    let mut text = String::from("ref,GOODS_ID,quantity,reserve1\n");
    for i in 1..=rows {
        let goods = if i % 2 == 1 { OTHER_GOODS } else { "" };
        let quantity = if i == INVALID_ROW { 0 } else { 1 };
        text.push_str(&format!(
            "cust-{i:05},{goods},{quantity},spring-{}\n",
            i % 3
        ));
    }
    std::fs::write(path, text).expect("write the campaign");
}

fn worker(host: &Host, database: &str) -> Child {
    host.cmd()
        .args([
            "campaign",
            "work",
            "--database",
            database,
            "--campaign",
            NAME,
        ])
        .args(["--concurrency", "8", "--lease", "2", "--no-progress"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("coufun starts")
}

/// Loads the campaign, runs `workers` workers, kills the first once a third of
/// the rows are issued, restarts it, and checks the result.
fn killed_and_restarted(host: &Host, database: &str, workers: usize) {
    let rows_wanted = rows();
    let input = host.path("campaign.csv");
    write_campaign(&input, rows_wanted);
    let load = host.run(&[
        "--json",
        "campaign",
        "load",
        input.to_str().unwrap(),
        "--database",
        database,
        "--campaign",
        NAME,
        "--goods",
        GOODS,
    ]);
    assert_eq!(load.code, 0, "{load:?}");
    assert_eq!(load.json()["rows"], rows_wanted);

    let started = Instant::now();
    let mut children: Vec<Child> = (0..workers).map(|_| worker(host, database)).collect();
    while host.ledger().orders.len() < rows_wanted / 3 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the workers stalled"
        );
        assert!(
            children[0].try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    children[0].kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    assert!(!children[0].wait().unwrap().success());
    let at_kill = host.ledger().orders.len();
    assert!(at_kill < rows_wanted, "killed partway: {at_kill} orders");
    children[0] = worker(host, database);
    for child in children {
        let out = child.wait_with_output().unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0) | Some(3) | Some(6)),
            "a worker exited {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let took = started.elapsed();

    // The ledger: no TR_ID issued twice.
    let ledger = host.ledger();
    let per_tr = ledger.orders_per_tr_id();
    assert!(per_tr.values().all(|n| *n == 1), "a TR_ID issued twice");

    // The store: every valid row issued or reported with its outcome, none
    // left open or leased, each issued row's coupons the ledger's.
    let rows = host.runtime.block_on(async {
        let store = if database.starts_with("postgres") {
            Store::postgres(database).await.unwrap()
        } else {
            Store::sqlite(database.trim_start_matches("sqlite:"))
                .await
                .unwrap()
        };
        let rows = store.rows(NAME).await.unwrap();
        store.close().await;
        rows
    });
    assert_eq!(rows.len(), rows_wanted);
    let mut by_state: BTreeMap<RowState, usize> = BTreeMap::new();
    for row in &rows {
        *by_state.entry(row.state).or_default() += 1;
        assert!(row.lease_owner.is_none(), "row {} still leased", row.line);
        let order = ledger.order_by_tr_id(&row.tr_id);
        if row.line as usize == INVALID_ROW {
            assert_eq!(row.state, RowState::Invalid);
            assert!(order.is_none(), "the invalid row was never sent");
            continue;
        }
        match row.state {
            RowState::Issued => {
                let order = order.expect("an issued row's order");
                assert_eq!(row.order_id.as_deref(), Some(order.order_id.as_str()));
                assert_eq!(
                    row.coupons.as_deref(),
                    Some(order.coupons[0].coupon_number.as_str())
                );
                let goods = if row.line % 2 == 1 {
                    OTHER_GOODS
                } else {
                    GOODS
                };
                assert_eq!(order.goods_id, goods, "row {}", row.line);
            }
            // A repeat answered 12 after a lost answer: the order exists.
            RowState::Reached => assert!(order.is_some(), "row {}", row.line),
            other => panic!("row {} ended {other}", row.line),
        }
    }
    assert_eq!(
        per_tr.len(),
        rows_wanted - 1,
        "every valid row issued once: {by_state:?}"
    );

    // The reconciliation request lists exactly the rows whose numbers are unknown,
    // the same from `reconcile` and `campaign reconcile` (which once panicked on a
    // flag it lacks).
    let reconcile = |command: &[&str]| {
        let store = [
            "--database",
            database,
            "--campaign",
            NAME,
            "--format",
            "csv",
        ];
        host.run(&[command, &store[..]].concat())
    };
    let csv = reconcile(&["reconcile"]);
    assert_eq!(csv.code, 0, "{csv:?}");
    let reached = by_state.get(&RowState::Reached).copied().unwrap_or(0);
    assert_eq!(csv.stdout.lines().count(), 1 + reached, "{}", csv.stdout);
    let same = reconcile(&["campaign", "reconcile"]);
    assert_eq!(same.code, 0, "{same:?}");
    assert_eq!(same.stdout, csv.stdout);

    let status = host.run(&[
        "--json",
        "campaign",
        "status",
        "--database",
        database,
        "--campaign",
        NAME,
    ]);
    assert_eq!(status.code, 0, "{status:?}");
    assert_eq!(status.json()["status"]["leased"], 0);
    assert_eq!(status.json()["status"]["lapsed"], 0);
    println!(
        "{workers} workers, {rows_wanted} rows, 20 ms latency: {:.1} s; {at_kill} orders at the kill; \
         states {by_state:?}; {} faults injected; 0 TR_IDs issued twice",
        took.as_secs_f64(),
        host.sandbox().fault_counts().total()
    );
}

#[test]
fn three_workers_share_a_postgres_campaign_and_one_is_killed_and_restarted() {
    let host = latency_bound_host();
    let fresh = coufun_store::testing::fresh_pg_database("coufun_cli_campaign");
    let Some(database) = host.runtime.block_on(fresh) else {
        return;
    };
    killed_and_restarted(&host, &database, 3);
}

#[test]
fn a_sqlite_campaign_worker_is_killed_and_restarted() {
    let host = latency_bound_host();
    let database = format!("sqlite:{}", host.path("campaign.sqlite").display());
    killed_and_restarted(&host, &database, 1);
}

#[test]
fn a_campaign_of_another_environment_or_name_is_refused() {
    let host = Host::start();
    let database = format!("sqlite:{}", host.path("c.sqlite").display());
    let input = host.path("few.csv");
    write_campaign(&input, 3);
    let load = host.run(&[
        "campaign",
        "load",
        input.to_str().unwrap(),
        "--database",
        &database,
        "--campaign",
        NAME,
        "--goods",
        GOODS,
    ]);
    assert_eq!(load.code, 0, "{load:?}");
    let elsewhere = common::bare(host.dir.path())
        .env("COUFUN_POC_ID", DEFAULT_POC_ID)
        .args(["--env", "http://127.0.0.1:9", "campaign", "work"])
        .args(["--database", &database, "--campaign", NAME])
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&elsewhere.stderr).contains("was started for"),
        "{elsewhere:?}"
    );
    let unknown = host.run(&[
        "campaign",
        "status",
        "--database",
        &database,
        "--campaign",
        "autumn",
    ]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains(NAME), "{}", unknown.stderr);
    assert_eq!(host.sandbox().request_count(), 0);
}
