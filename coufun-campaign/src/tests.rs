//! Unit tests of the store's leases and claims and of the worker, on SQLite
//! and (when `COUFUN_TEST_DATABASE_URL` names a server) PostgreSQL, with a
//! fake issuer.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use coufun_api::ResultCode;

use super::*;
use crate::outcome::Entry;

/// The stores a test runs on: SQLite always, PostgreSQL when there is one.
async fn stores(dir: &tempfile::TempDir) -> Vec<Store> {
    let mut out = vec![Store::sqlite(dir.path().join("c.sqlite")).await.unwrap()];
    if let Some(url) = coufun_store::testing::fresh_pg_database("coufun_campaign").await {
        out.push(Store::postgres(&url).await.unwrap());
    }
    out
}

const C: &str = "test";
const TR: &str = TR_ID_WIRE;
const QTY: &str = "CREATE_CNT_TEST";

fn order(i: u64, qty: &str) -> Order {
    Order::new(i, format!("r{i}"), vec![(QTY.to_owned(), qty.to_owned())])
}

/// A campaign of `rows` rows (row `bad` asks for 0), TR_IDs `T0001`…, run 1 started.
async fn campaign(store: &Store, rows: u64, bad: Option<u64>, limits: Limits) {
    store.create(C, "test").await.unwrap();
    store.set_limits(C, &limits).await.unwrap();
    let orders: Vec<_> = (1..=rows)
        .map(|i| order(i, if Some(i) == bad { "0" } else { "1" }))
        .collect();
    let mut n = 0;
    store
        .load(C, &orders, || {
            n += 1;
            format!("T{n:04}")
        })
        .await
        .unwrap();
    store.new_run(C).await.unwrap();
}

fn limits() -> Limits {
    Limits {
        limit_pause: Duration::from_millis(20),
        max_pause: Duration::from_millis(50),
        ..Limits::default()
    }
}

const LEASE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(5);

async fn claim(store: &Store, worker: &str, max: usize) -> Claim {
    store.claim(C, worker, max, LEASE, POLL).await.unwrap()
}

fn lines(claim: &Claim) -> Vec<u64> {
    match claim {
        Claim::Rows { rows, .. } => rows.iter().map(|c| c.row.line).collect(),
        _ => Vec::new(),
    }
}

/// An outcome of `state` with `code` and `message`, no order or coupons.
fn entry(state: RowState, code: Option<ResultCode>, message: Option<&str>) -> Entry<'_> {
    Entry {
        state,
        code,
        message,
        order: None,
        coupons: None,
    }
}

/// Records row `line` issued, by `worker` (after `limit_hits` answers that may
/// be sent again); whether `worker` still held the row's lease.
async fn record_issued(store: &Store, worker: &str, line: u64, limit_hits: u32) -> bool {
    let issued = Entry {
        coupons: Some("C1".into()),
        ..entry(RowState::Issued, Some(ResultCode::Success), None)
    };
    store
        .record(C, worker, line, &issued, false, limit_hits)
        .await
        .unwrap()
}

/// The server's refusal with `code`.
fn refused(code: ResultCode, message: &str) -> RowOutcome {
    RowOutcome::Refused {
        code,
        message: message.into(),
    }
}

#[tokio::test]
async fn a_leased_row_is_claimed_by_no_other_worker_until_its_lease_lapses() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 3, None, limits()).await;
        assert_eq!(lines(&claim(&store, "a", 2).await), [1, 2]);
        assert_eq!(lines(&claim(&store, "b", 5).await), [3]);
        // Everything is leased: b waits (a's leases are live), is not done.
        assert!(matches!(claim(&store, "b", 5).await, Claim::Wait(_)));
        assert!(store.start_attempt(C, "a", 1, 1).await.unwrap());
        assert!(
            !store.start_attempt(C, "b", 2, 1).await.unwrap(),
            "not b's lease"
        );
        let leases = store.status(C).await.unwrap();
        assert_eq!((leases.leased, leases.lapsed), (3, 0));

        // a's leases lapse (a crashed): b takes rows 1 and 2 over, same TR_IDs.
        let short = store.claim(C, "c", 0, Duration::ZERO, POLL).await.unwrap();
        assert!(matches!(short, Claim::Wait(_) | Claim::Rows { .. }));
        assert_eq!(store.renew(C, "a", Duration::ZERO).await.unwrap(), 2);
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(store.status(C).await.unwrap().lapsed, 2);
        assert!(
            !store.start_attempt(C, "a", 2, 1).await.unwrap(),
            "a lapsed lease does not send"
        );
        let taken = claim(&store, "b", 5).await;
        assert_eq!(lines(&taken), [1, 2]);
        let Claim::Rows { rows, .. } = taken else {
            unreachable!()
        };
        assert_eq!(rows[0].row.tr_id, "T0001");
        assert_eq!(
            rows[0].row.state,
            RowState::Sending,
            "a crashed mid-attempt"
        );
        assert_eq!(rows[1].row.tr_id, "T0002");
        // a's late outcome is not recorded over b's lease.
        assert!(!record_issued(&store, "a", 1, 0).await);
        for line in [1, 2, 3] {
            assert!(record_issued(&store, "b", line, 0).await);
        }
        assert!(matches!(claim(&store, "b", 5).await, Claim::Done));
        let rows = store.rows(C).await.unwrap();
        assert!(rows.iter().all(|r| r.lease_owner.is_none()));
        assert_eq!(rows[0].attempts, 1);
        store.close().await;
    }
}

#[tokio::test]
async fn the_cap_on_rows_in_flight_holds_across_workers() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        let capped = Limits {
            max_in_flight: Some(2),
            ..limits()
        };
        campaign(&store, 5, None, capped).await;
        assert_eq!(lines(&claim(&store, "a", 1).await), [1]);
        assert_eq!(lines(&claim(&store, "b", 4).await), [2]);
        assert!(matches!(claim(&store, "c", 4).await, Claim::Wait(_)));
        record_issued(&store, "a", 1, 0).await;
        assert_eq!(lines(&claim(&store, "c", 4).await), [3]);
        // A released row frees its place and is claimable again at once.
        store.release(C, "c", 3).await.unwrap();
        assert_eq!(lines(&claim(&store, "a", 4).await), [3]);
        store.close().await;
    }
}

/// The rate cap is one schedule in the campaign's row: each claim takes the
/// next start times from it, whichever worker claims.
#[tokio::test]
async fn the_rate_cap_spaces_starts_across_workers() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        let rated = Limits {
            rate: Some(4.0),
            ..limits()
        };
        campaign(&store, 30, None, rated).await;
        let waits = |c: &Claim| match c {
            Claim::Rows { rows, .. } => rows.iter().map(|r| r.wait).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        let next = || async {
            store
                .scalar_for_test("SELECT next_start_us FROM coufun_campaigns")
                .await
        };
        let gap = Duration::from_millis(250);
        let a = waits(&claim(&store, "a", 3).await);
        let after_a = next().await;
        let b = waits(&claim(&store, "b", 2).await);
        let after_b = next().await;
        assert_eq!(
            a,
            [Duration::ZERO, gap, gap * 2],
            "starts a quarter second apart"
        );
        assert_eq!(b.len(), 2);
        assert_eq!(b[1] - b[0], gap);
        // b's starts follow a's on the one schedule (b claimed well within a's 750 ms).
        assert_eq!(after_b - after_a, 2 * 250_000, "{after_a} {after_b}");
        assert!(b[0] > Duration::ZERO, "b waits for a's starts: {b:?}");
        // At most a second's worth of starts is handed out at once.
        let c = waits(&claim(&store, "c", 50).await);
        assert_eq!(c.len(), 4);
        store.close().await;
    }
}

#[tokio::test]
async fn a_pause_holds_every_worker_and_doubles_up_to_the_longest() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        let slow = Limits {
            limit_pause: Duration::from_millis(300),
            max_pause: Duration::from_millis(500),
            ..limits()
        };
        campaign(&store, 3, None, slow).await;
        let first = store.pause(C).await.unwrap();
        assert!(first <= Duration::from_millis(300) && first >= Duration::from_millis(250));
        assert!(
            matches!(claim(&store, "b", 3).await, Claim::Wait(w) if w > Duration::from_millis(100))
        );
        let second = store.pause(C).await.unwrap();
        assert!(second > Duration::from_millis(450), "{second:?}");
        let third = store.pause(C).await.unwrap();
        assert!(third <= Duration::from_millis(500), "capped: {third:?}");
        store.reset_pause(C).await.unwrap();
        tokio::time::sleep(Duration::from_millis(520)).await;
        assert_eq!(lines(&claim(&store, "b", 3).await), [1, 2, 3]);
        let again = store.pause(C).await.unwrap();
        assert!(again <= Duration::from_millis(300), "reset: {again:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_halt_stops_every_claim_until_a_new_run() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 2, None, limits()).await;
        assert_eq!(store.halt(C, "first").await.unwrap(), "first");
        assert_eq!(store.halt(C, "second").await.unwrap(), "first");
        assert!(matches!(claim(&store, "a", 2).await, Claim::Halted(w) if w == "first"));
        assert_eq!(
            store.status(C).await.unwrap().halted.as_deref(),
            Some("first")
        );
        let run = store.new_run(C).await.unwrap();
        assert_eq!(run, 2);
        assert_eq!(lines(&claim(&store, "a", 2).await), [1, 2]);
        store.close().await;
    }
}

#[tokio::test]
async fn a_row_tried_in_this_run_waits_for_the_next_unless_it_goes_again() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 3, None, limits()).await;
        assert_eq!(lines(&claim(&store, "a", 3).await), [1, 2, 3]);
        for line in [1, 2, 3] {
            assert!(store.start_attempt(C, "a", line, 1).await.unwrap());
        }
        let unknown = entry(RowState::Unknown, None, Some("lost"));
        let deferred = entry(
            RowState::Deferred,
            Some(ResultCode::SystemError),
            Some("system error"),
        );
        store.record(C, "a", 1, &unknown, false, 0).await.unwrap();
        store.record(C, "a", 2, &deferred, false, 0).await.unwrap();
        store.record(C, "a", 3, &deferred, true, 1).await.unwrap();
        // Only the row to send again in this run.
        let c = claim(&store, "b", 3).await;
        assert_eq!(lines(&c), [3]);
        let Claim::Rows { rows, .. } = c else {
            unreachable!()
        };
        assert_eq!(rows[0].row.limit_hits, 1);
        record_issued(&store, "b", 3, 1).await;
        assert!(matches!(claim(&store, "b", 3).await, Claim::Done));
        // A new run sends the unknown and deferred rows again, same TR_IDs.
        store.new_run(C).await.unwrap();
        let c = claim(&store, "b", 3).await;
        assert_eq!(lines(&c), [1, 2]);
        let Claim::Rows { rows, run } = c else {
            unreachable!()
        };
        assert_eq!(run, 2);
        assert_eq!(rows[0].row.tr_id, "T0001");
        assert_eq!(rows[1].row.limit_hits, 0, "a new run counts afresh");
        store.close().await;
    }
}

#[tokio::test]
async fn a_campaign_of_another_identity_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        store.create(C, "goods=1").await.unwrap();
        store.create(C, "goods=1").await.unwrap();
        assert!(matches!(
            store.create(C, "goods=2").await,
            Err(StoreError::OtherRun(id)) if id == "goods=1"
        ));
        assert!(matches!(
            store.new_run("nope").await,
            Err(StoreError::NoCampaign(_))
        ));
        assert!(store.set_limits("nope", &limits()).await.is_err());
        let bad = Limits {
            rate: Some(0.0),
            ..limits()
        };
        assert!(matches!(
            store.set_limits(C, &bad).await,
            Err(StoreError::Limit { name: "rate", .. })
        ));
        assert_eq!(store.campaigns().await.unwrap(), [C]);
        store.close().await;
    }
}

#[tokio::test]
async fn reopening_a_sqlite_store_voids_the_leases_of_the_process_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let store = Store::sqlite(&path).await.unwrap();
    campaign(&store, 2, None, limits()).await;
    assert_eq!(lines(&claim(&store, "gone", 2).await), [1, 2]);
    store.close().await;
    let store = Store::sqlite(&path).await.unwrap();
    assert_eq!(lines(&claim(&store, "next", 2).await), [1, 2]);
    // The file is this process's while it is open.
    assert!(Store::sqlite(&path).await.is_err() || cfg!(not(unix)));
    store.close().await;
}

/// A fake server: answers by a script keyed on the call number, records TR_IDs.
struct Fake {
    calls: StdMutex<Vec<String>>,
    answer: fn(usize, &str) -> RowOutcome,
    delay: Duration,
}

impl Fake {
    fn new(answer: fn(usize, &str) -> RowOutcome) -> Arc<Self> {
        Arc::new(Fake {
            calls: StdMutex::new(Vec::new()),
            answer,
            delay: Duration::ZERO,
        })
    }
}

impl Issuer for Arc<Fake> {
    async fn issue(&self, params: Vec<(String, String)>) -> RowOutcome {
        let tr = params
            .iter()
            .find(|(k, _)| k == TR)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(tr.clone());
            calls.len()
        };
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        (self.answer)(n, &tr)
    }
    fn check(&self, params: &[(String, String)]) -> Result<(), (ResultCode, String)> {
        if params.iter().any(|(k, v)| k == QTY && v == "0") {
            return Err((ResultCode::InvalidQuantity, "quantity 0".into()));
        }
        Ok(())
    }
}

fn settings(concurrency: usize) -> Settings {
    Settings::new(C, TR).concurrency(concurrency).poll(POLL)
}

fn issued(_: usize, tr: &str) -> RowOutcome {
    RowOutcome::Issued {
        order: Some(format!("O-{tr}")),
        coupons: vec![format!("C-{tr}")],
        warning: None,
    }
}

/// A new run of the campaign through `fake`, never stopped.
async fn run_all(fake: &Arc<Fake>, store: &Store, s: Settings) -> Summary {
    store.new_run(C).await.unwrap();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    run(Arc::clone(fake), store.clone(), s, rx, None)
        .await
        .unwrap()
}

async fn sqlite(dir: &tempfile::TempDir, rows: u64, bad: Option<u64>) -> Store {
    let store = Store::sqlite(dir.path().join("j.sqlite")).await.unwrap();
    campaign(&store, rows, bad, limits()).await;
    store
}

#[tokio::test]
async fn a_worker_task_that_fails_fails_the_run_after_the_others_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, tr| {
        if tr == "T0002" {
            panic!("the issuer broke on {tr}");
        }
        issued(0, tr)
    });
    let j = sqlite(&dir, 4, None).await;
    j.new_run(C).await.unwrap();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let error = run(Arc::clone(&fake), j.clone(), settings(1), rx, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, RunError::Task(why) if why.contains("panic")),
        "{error:?}"
    );
    // The row whose task broke stays open (sent once, outcome unknown to the
    // store): a rerun sends it again with its TR_ID.
    let rows = j.rows(C).await.unwrap();
    assert_eq!(rows[0].state, RowState::Issued);
    assert_eq!(rows[1].state, RowState::Sending);
    assert!(rows[1].state.needs_sending());
    // The rows not started are given back, not left claimed.
    assert!(
        rows[2..]
            .iter()
            .all(|r| r.state == RowState::Pending && r.lease_owner.is_none())
    );
}

#[tokio::test]
async fn unknown_rows_are_retried_with_their_own_tr_id_and_nothing_else_is_resent() {
    let dir = tempfile::tempdir().unwrap();
    let first = Fake::new(|_, tr| {
        if tr == "T0003" || tr == "T0007" {
            RowOutcome::Unknown("answer lost".into())
        } else {
            issued(0, tr)
        }
    });
    let j = sqlite(&dir, 10, Some(5)).await;
    let s = run_all(&first, &j, settings(3)).await;
    assert_eq!(s.count(RowState::Issued), 7);
    assert_eq!(s.count(RowState::Unknown), 2);
    assert_eq!(s.count(RowState::Invalid), 1);
    assert_eq!((s.rows, s.open(), s.coupons), (10, 2, 7));
    assert_eq!(
        first.calls.lock().unwrap().len(),
        9,
        "the invalid row is never sent"
    );

    let second = Fake::new(issued);
    let s = run_all(&second, &j, settings(3)).await;
    let mut again = second.calls.lock().unwrap().clone();
    again.sort();
    assert_eq!(again, ["T0003", "T0007"]);
    assert_eq!(s.count(RowState::Issued), 9);
    assert_eq!(s.coupons, 9);
    assert_eq!(s.sent_this_run, 2);
    assert_eq!(s.open(), 0);
    let rows = j.rows(C).await.unwrap();
    assert_eq!(rows[2].attempts, 2);
    assert_eq!(rows[2].coupons.as_deref(), Some("C-T0003"));
    assert_eq!(rows[4].code, Some(ResultCode::InvalidQuantity));
    assert_eq!(rows[4].attempts, 0);
    assert_eq!(rows[4].first_attempt, None, "never sent");
    assert!(rows.iter().all(|r| r.lease_owner.is_none()));
}

#[tokio::test]
async fn a_row_whose_earlier_attempt_reached_the_server_is_never_resent() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, tr| {
        if tr == "T0002" {
            RowOutcome::Reached {
                code: ResultCode::DuplicateTrId,
                detail: "12 after a lost answer".into(),
            }
        } else {
            issued(0, tr)
        }
    });
    let j = sqlite(&dir, 3, None).await;
    let s = run_all(&fake, &j, settings(3)).await;
    assert_eq!(s.count(RowState::Reached), 1);
    let again = run_all(&fake, &j, settings(3)).await;
    assert_eq!(again.sent_this_run, 0);
    assert_eq!(fake.calls.lock().unwrap().len(), 3);
}

/// Issue 19: a row answered 23 was journaled as 12. Each repeat's code is
/// kept as answered, read back as a `ResultCode` from a reopened store, and
/// a resumed run neither resends those rows nor rewrites their codes.
#[tokio::test]
async fn a_repeat_is_journaled_with_the_code_it_was_answered_across_a_resume() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, tr| match tr {
        "T0001" => RowOutcome::Reached {
            code: ResultCode::DuplicateRequest,
            detail: "23 after a lost answer".into(),
        },
        "T0002" => RowOutcome::Reached {
            code: ResultCode::DuplicateTrId,
            detail: "12 after a lost answer".into(),
        },
        _ => issued(0, tr),
    });
    let j = sqlite(&dir, 3, None).await;
    run_all(&fake, &j, settings(3)).await;
    j.close().await;

    let reopened = Store::sqlite(dir.path().join("j.sqlite")).await.unwrap();
    let codes =
        |rows: &[CampaignRow]| -> Vec<Option<ResultCode>> { rows.iter().map(|r| r.code).collect() };
    let rows = reopened.rows(C).await.unwrap();
    assert_eq!(
        codes(&rows),
        [
            Some(ResultCode::DuplicateRequest),
            Some(ResultCode::DuplicateTrId),
            Some(ResultCode::Success)
        ]
    );
    assert!(rows[..2].iter().all(|r| r.state == RowState::Reached));

    let again = run_all(&fake, &reopened, settings(3)).await;
    assert_eq!(again.sent_this_run, 0);
    assert_eq!(fake.calls.lock().unwrap().len(), 3);
    assert_eq!(codes(&reopened.rows(C).await.unwrap()), codes(&rows));
}

/// A code outside the manual survives the store with its digits.
#[tokio::test]
async fn a_code_outside_the_manual_is_kept_by_the_store() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 1, None, limits()).await;
        let newer = (0..=99)
            .filter_map(ResultCode::from_number)
            .find(|c| !c.is_known())
            .unwrap();
        assert_eq!(lines(&claim(&store, "a", 1).await), [1]);
        let entry = entry(RowState::Refused, Some(newer), Some("newer"));
        store.record(C, "a", 1, &entry, false, 0).await.unwrap();
        let row = &store.rows(C).await.unwrap()[0];
        assert_eq!(row.code, Some(newer));
        assert!(!row.code.unwrap().is_known());
        store.close().await;
    }
}

/// An answer that was another order's: the row records no coupons, is never
/// sent again, and is one the supplier is asked about.
#[tokio::test]
async fn an_echo_mismatch_is_recorded_without_coupons_and_never_resent() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, tr| {
        if tr == "T0002" {
            RowOutcome::EchoMismatch {
                detail: "echoed T9999".into(),
            }
        } else {
            issued(0, tr)
        }
    });
    let j = sqlite(&dir, 3, None).await;
    let s = run_all(&fake, &j, settings(3)).await;
    assert_eq!(s.count(RowState::EchoMismatch), 1);
    assert_eq!(s.coupons, 2);
    let rows = j.rows(C).await.unwrap();
    assert_eq!(rows[1].state, RowState::EchoMismatch);
    assert_eq!(rows[1].coupons, None);
    assert_eq!(rows[1].message.as_deref(), Some("echoed T9999"));
    assert!(rows[1].state.needs_reconciliation());
    let again = run_all(&fake, &j, settings(3)).await;
    assert_eq!(again.sent_this_run, 0);
    assert_eq!(fake.calls.lock().unwrap().len(), 3);
}

/// A code that may be sent again (retry class `same_tr_id`).
const RETRYABLE: ResultCode = ResultCode::SystemError;

#[tokio::test]
async fn a_retryable_code_pauses_then_the_same_row_goes_again() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|n, tr| {
        if n <= 2 {
            refused(RETRYABLE, "system error")
        } else {
            issued(n, tr)
        }
    });
    let j = sqlite(&dir, 4, None).await;
    let started = Instant::now();
    let s = run_all(&fake, &j, settings(3)).await;
    assert_eq!(s.count(RowState::Issued), 4);
    assert!(started.elapsed() >= Duration::from_millis(20), "it paused");
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 6);
    // The refused rows went again with their own TR_IDs.
    let mut sorted = calls.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 4);
    assert_eq!(s.sent_this_run, 4);
    assert!(j.rows(C).await.unwrap().iter().all(|r| r.limit_hits <= 1));
}

/// 95 is never retried (as `coufun codes` says): the run sends it once,
/// stops at once, and leaves that row and the rest open for a rerun.
#[tokio::test]
async fn the_issue_limit_is_not_retried_and_stops_the_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|n, tr| {
        if n == 2 {
            refused(ResultCode::IssueLimitExceeded, "limit")
        } else {
            issued(n, tr)
        }
    });
    let j = sqlite(&dir, 5, None).await;
    let s = run_all(&fake, &j, settings(1)).await;
    assert_eq!(fake.calls.lock().unwrap().as_slice(), ["T0001", "T0002"]);
    let halted = s.halted.clone().expect("stopped");
    assert!(
        halted.contains(ResultCode::IssueLimitExceeded.as_str()),
        "{halted}"
    );
    assert!(halted.contains("administrator"), "{halted}");
    assert_eq!(s.count(RowState::Issued), 1);
    assert_eq!(s.count(RowState::Deferred), 1);
    assert_eq!(s.count(RowState::Pending), 3);
    assert_eq!(s.open(), 4, "the deferred row and the pending ones");
    let rows = j.rows(C).await.unwrap();
    assert_eq!(rows[1].code, Some(ResultCode::IssueLimitExceeded));
    assert!(
        rows[1].state.needs_sending(),
        "a rerun sends it, same TR_ID"
    );
    assert!(rows.iter().all(|r| r.lease_owner.is_none()));
    // A second worker joining the stopped run sends nothing.
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let joined = run(Arc::clone(&fake), j.clone(), settings(1), rx, None)
        .await
        .unwrap();
    assert!(joined.halted.is_some());
    assert_eq!(fake.calls.lock().unwrap().len(), 2);
    // A new run resumes, the deferred row first, with its TR_ID.
    let resumed = run_all(&Fake::new(issued), &j, settings(1)).await;
    assert_eq!(resumed.count(RowState::Issued), 5);
}

#[tokio::test]
async fn a_lasting_retryable_code_stops_the_run_and_leaves_rows_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, _| refused(RETRYABLE, "system error"));
    let j = sqlite(&dir, 20, None).await;
    let s = run_all(&fake, &j, settings(1)).await;
    assert!(s.halted.is_some());
    assert_eq!(s.count(RowState::Issued), 0);
    assert_eq!(s.count(RowState::Deferred) + s.count(RowState::Pending), 20);
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(calls, ["T0001"; 3], "one row, sent --limit-retries times");
}

#[tokio::test]
async fn rows_claimed_ahead_go_back_after_a_pause_that_ended_before_the_worker_looked() {
    // A pause of 1 ms is over before the row's outcome is even recorded: the
    // row claimed ahead must still wait for the row to send again.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::sqlite(dir.path().join("j.sqlite")).await.unwrap();
    let short = Limits {
        limit_pause: Duration::from_millis(1),
        max_pause: Duration::from_millis(1),
        ..Limits::default()
    };
    campaign(&store, 20, None, short).await;
    let fake = Fake::new(|_, _| refused(RETRYABLE, "system error"));
    let s = run_all(&fake, &store, settings(1)).await;
    assert!(s.halted.is_some());
    let calls = fake.calls.lock().unwrap().clone();
    assert_eq!(calls, ["T0001"; 3], "one row, sent --limit-retries times");
}

#[tokio::test]
async fn a_lasting_limit_stops_the_run_and_leaves_rows_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, _| refused(ResultCode::IssueLimitExceeded, "limit"));
    let j = sqlite(&dir, 20, None).await;
    let s = run_all(&fake, &j, settings(1)).await;
    assert!(s.halted.is_some());
    assert_eq!(s.count(RowState::Issued), 0);
    assert_eq!(s.count(RowState::Deferred) + s.count(RowState::Pending), 20);
    assert!(fake.calls.lock().unwrap().len() < 20, "it stopped sending");
}

#[tokio::test]
async fn a_changed_input_is_refused_but_an_invalid_row_may_be_corrected() {
    let dir = tempfile::tempdir().unwrap();
    let j = sqlite(&dir, 3, Some(2)).await;
    let fixed = vec![order(1, "1"), order(2, "0"), order(3, "2")];
    assert!(matches!(
        j.load(C, &fixed, || "X".into()).await,
        Err(StoreError::Changed(3))
    ));
    let longer: Vec<_> = (1..=4)
        .map(|i| order(i, if i == 2 { "0" } else { "1" }))
        .collect();
    j.load(C, &longer[..2], || "X".into())
        .await
        .map(|_| ())
        .expect_err("a shorter input is a changed one");
    let fake = Fake::new(issued);
    run_all(&fake, &j, settings(3)).await;
    let mut corrected = fixed.clone();
    corrected[1].params[0].1 = "1".into();
    corrected[2].params[0].1 = "1".into();
    j.load(C, &corrected, || "X".into()).await.unwrap();
    let rows = j.rows(C).await.unwrap();
    assert_eq!(rows[1].state, RowState::Pending);
    assert_eq!(rows[1].tr_id, "T0002", "the TR_ID stays");
}

/// Three workers on one campaign, one of them stopped partway by a kill (its
/// task dropped with rows leased and in flight): every row ends issued, each
/// TR_ID sent to the fake server... and issued once; no row stays leased.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_share_a_campaign_and_take_over_a_dead_ones_rows() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 120, None, limits()).await;
        let fake = Arc::new(Fake {
            calls: StdMutex::new(Vec::new()),
            answer: issued,
            delay: Duration::from_millis(2),
        });
        // The dead worker's leases lapse soon; the live ones' are long, so that a
        // starved machine (a renewal late by more than a lease) cannot hand a
        // live worker's row to the other: only the dead one's rows change hands.
        let spawn = |name: &str, lease: Duration| {
            let (fake, store) = (Arc::clone(&fake), store.clone());
            let s = settings(4).worker(name).lease(lease);
            tokio::spawn(async move {
                let (_tx, rx) = tokio::sync::watch::channel(false);
                run(fake, store, s, rx, None).await
            })
        };
        let doomed = spawn("doomed", Duration::from_millis(300));
        while fake.calls.lock().unwrap().len() < 10 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        doomed.abort();
        let _ = doomed.await;
        let live = Duration::from_secs(30);
        let others = [spawn("a", live), spawn("b", live)];
        for w in others {
            w.await.unwrap().unwrap();
        }
        let rows = store.rows(C).await.unwrap();
        assert!(
            rows.iter().all(|r| r.state == RowState::Issued),
            "all issued"
        );
        assert!(rows.iter().all(|r| r.lease_owner.is_none()), "none leased");
        let mut calls = fake.calls.lock().unwrap().clone();
        let sent = calls.len();
        calls.sort();
        calls.dedup();
        assert_eq!(calls.len(), 120);
        // Only rows the dead worker had in flight went twice.
        assert!(sent - 120 <= 4, "{sent} calls");
        store.close().await;
    }
}

/// The progress stream: a start with the open rows, one outcome per row.
#[tokio::test]
async fn the_worker_reports_each_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let j = sqlite(&dir, 4, Some(3)).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    run(Fake::new(issued), j.clone(), settings(2), stopped, Some(tx))
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    assert_eq!(events[0], Event::Started { open: 4 });
    let mut outcomes: Vec<_> = events[1..]
        .iter()
        .map(|e| match e {
            Event::Outcome { line, state, .. } => (*line, *state),
            other => panic!("{other:?}"),
        })
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            (1, RowState::Issued),
            (2, RowState::Issued),
            (3, RowState::Invalid),
            (4, RowState::Issued)
        ]
    );
}

/// A stopped worker sends nothing more and gives its unsent rows back.
#[tokio::test]
async fn a_stopped_worker_sends_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let j = sqlite(&dir, 4, None).await;
    let (stop, stopped) = tokio::sync::watch::channel(true);
    let fake = Fake::new(issued);
    let s = run(Arc::clone(&fake), j.clone(), settings(2), stopped, None)
        .await
        .unwrap();
    drop(stop);
    assert!(s.interrupted);
    assert_eq!(fake.calls.lock().unwrap().len(), 0);
    assert_eq!(s.count(RowState::Pending), 4);
}

/// A plain SQLite connection to `path` (created), outside the store.
async fn raw_sqlite(path: &std::path::Path) -> sqlx::SqlitePool {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path)
        .create_if_missing(true);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_database_holding_other_migrations_opens() {
    // An application's own migration (or coufun-notify's) already recorded in
    // `_sqlx_migrations`: the store applies its own beside it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite");
    {
        let pool = raw_sqlite(&path).await;
        let app = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(vec![sqlx::migrate::Migration::new(
                1,
                "the application's own".into(),
                sqlx::migrate::MigrationType::Simple,
                "CREATE TABLE app_orders (id INTEGER PRIMARY KEY);".into(),
                false,
            )]),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        app.run(&pool).await.unwrap();
        pool.close().await;
    }
    let store = Store::sqlite(&path).await.unwrap();
    campaign(&store, 2, None, limits()).await;
    assert_eq!(store.rows(C).await.unwrap().len(), 2);
    store.close().await;
    // And again, with both crates' migrations recorded; the status names the run.
    let store = Store::sqlite(&path).await.unwrap();
    assert_eq!(store.rows(C).await.unwrap().len(), 2);
    let run = store.new_run(C).await.unwrap();
    assert_eq!(run, 2);
    assert_eq!(store.status(C).await.unwrap().run, run);
    store.close().await;
}

/// A journal written by `coufun bulk-create` before the campaign store (its
/// tables as they were, before the attempt times too) opens, keeps its rows
/// and codes, and gains the times from then on.
#[tokio::test]
async fn an_old_journal_is_migrated_and_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let pool = raw_sqlite(&path).await;
        for statement in [
            "CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO run VALUES ('identity', 'coupon_create goods=1 env=test')",
            "CREATE TABLE rows (
                line INTEGER PRIMARY KEY,
                reference TEXT NOT NULL,
                params TEXT NOT NULL,
                tr_id TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                code TEXT,
                message TEXT,
                order_id TEXT,
                coupons TEXT
            )",
            "INSERT INTO rows (line, reference, params, tr_id, state, attempts, code) VALUES
                (1, 'a', '[]', 'T1', 'reached', 2, '23'),
                (2, 'b', '[]', 'T2', 'pending', 0, NULL)",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let store = Store::sqlite(&path).await.unwrap();
    let old_tables = "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('run', 'rows')";
    assert_eq!(
        store.scalar_for_test(old_tables).await,
        0,
        "old tables dropped"
    );
    let b = DEFAULT_CAMPAIGN;
    let rows = store.rows(b).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].state, RowState::Reached);
    assert_eq!(rows[0].code, Some(ResultCode::DuplicateRequest));
    assert_eq!(rows[0].attempts, 2);
    assert_eq!(rows[0].first_attempt, None, "made before times were kept");
    assert!(matches!(
        store.create(b, "another").await,
        Err(StoreError::OtherRun(_))
    ));
    store
        .create(b, "coupon_create goods=1 env=test")
        .await
        .unwrap();

    let run = store.new_run(b).await.unwrap();
    let claimed = store.claim(b, "w", 2, LEASE, POLL).await.unwrap();
    assert_eq!(lines(&claimed), [2], "the reached row is never resent");
    // An attempt of the migrated row gets its times; the earlier ones stay unknown.
    store
        .execute_for_test(
            "UPDATE coufun_campaign_rows SET lease_owner = 'w', lease_until_ms = 9000000000000",
        )
        .await;
    store.start_attempt(b, "w", 1, run).await.unwrap();
    store.start_attempt(b, "w", 2, run).await.unwrap();
    let rows = store.rows(b).await.unwrap();
    assert_eq!(rows[0].first_attempt, None, "not this attempt's time");
    assert!(rows[0].last_attempt.is_some());
    assert!(rows[1].first_attempt.is_some());
    assert_eq!(rows[1].first_attempt, rows[1].last_attempt);
    store.close().await;
    // A second open finds the store there and migrates nothing.
    let again = Store::sqlite(&path).await.unwrap();
    assert_eq!(again.rows(b).await.unwrap()[1].attempts, 1);
    assert_eq!(again.campaigns().await.unwrap(), [b]);
}

/// A journal whose `rows` table stands without the `run` table (and already
/// has the attempt-time columns) is migrated too, with no identity.
#[tokio::test]
async fn an_old_journal_without_its_run_table_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let pool = raw_sqlite(&path).await;
        sqlx::query(
            "CREATE TABLE rows (line INTEGER PRIMARY KEY, reference TEXT NOT NULL, \
             params TEXT NOT NULL, tr_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, \
             attempts INTEGER NOT NULL DEFAULT 0, code TEXT, message TEXT, order_id TEXT, \
             coupons TEXT, first_attempt_at TEXT, last_attempt_at TEXT)",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO rows (line, reference, params, tr_id, state, first_attempt_at) \
             VALUES (1, 'a', '[]', 'T1', 'unknown', '2026-01-02T03:04:05Z')",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let store = Store::sqlite(&path).await.unwrap();
    let rows = store.rows(DEFAULT_CAMPAIGN).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, RowState::Unknown);
    assert_eq!(
        rows[0].first_attempt.as_deref(),
        Some("2026-01-02T03:04:05Z")
    );
    let tables = "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('run', 'rows')";
    assert_eq!(store.scalar_for_test(tables).await, 0);
    store.create(DEFAULT_CAMPAIGN, "").await.unwrap();
    store.close().await;
}

/// The status counts every row once, by state; closing a SQLite store
/// checkpoints its WAL (no `-wal` file is left beside the journal).
#[tokio::test]
async fn the_status_counts_rows_and_closing_checkpoints_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::sqlite(dir.path().join("c.sqlite")).await.unwrap();
    campaign(&store, 5, Some(2), limits()).await;
    let status = store.status(C).await.unwrap();
    assert_eq!(status.rows, 5);
    assert_eq!(status.by_state.values().sum::<usize>(), 5);
    assert_eq!(status.by_state.get(&RowState::Pending), Some(&5));
    assert_eq!(status.open(), 5);
    assert!(dir.path().join("c.sqlite-wal").exists(), "WAL while open");
    store.close().await;
    assert!(
        !dir.path().join("c.sqlite-wal").exists(),
        "WAL left after close"
    );
}

/// An attempt's outcome moves the last-attempt time to its end; a row
/// refused by our own checks (never sent) gets no time.
#[tokio::test]
async fn attempt_times_span_the_attempts_and_only_them() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 2, None, limits()).await;
        assert_eq!(lines(&claim(&store, "w", 2).await), [1, 2]);
        let invalid = entry(RowState::Invalid, Some(ResultCode::InvalidQuantity), None);
        store.record(C, "w", 1, &invalid, false, 0).await.unwrap();
        store.start_attempt(C, "w", 2, 1).await.unwrap();
        store
            .execute_for_test(
                "UPDATE coufun_campaign_rows SET last_attempt_at = '2000-01-01T00:00:00Z' WHERE line = 2",
            )
            .await;
        record_issued(&store, "w", 2, 0).await;
        let rows = store.rows(C).await.unwrap();
        assert_eq!(
            (&rows[0].first_attempt, &rows[0].last_attempt),
            (&None, &None)
        );
        let (first, last) = (rows[1].first_attempt.clone(), rows[1].last_attempt.clone());
        assert!(first.is_some());
        assert_ne!(
            last.as_deref(),
            Some("2000-01-01T00:00:00Z"),
            "set at the outcome"
        );
        assert!(last >= first, "{first:?} .. {last:?}");
        assert_eq!(store.now().await.unwrap().len(), 20);
        store.close().await;
    }
}

/// The issuer over the SDK against the sandbox: each of the SDK's outcomes
/// becomes its row outcome (issued with and without a count warning, an
/// earlier attempt that reached the server, a refusal), and a broken rule is
/// found without sending.
#[tokio::test]
async fn the_sdk_issuer_reads_each_outcome_of_the_sdk() {
    use coufun_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig, ScheduledFault};
    let mut config = SandboxConfig::default();
    config.faults = FaultPlan::scheduled([
        ScheduledFault::at(1, Fault::ShortOfACoupon),
        ScheduledFault::at(2, Fault::DropAfterCommit),
    ]);
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = coufun_api::Client::builder(
        coufun_api::Environment::Custom(sandbox.base_url()),
        coufun_api::privacy::PocId::new(coufun_sandbox::DEFAULT_POC_ID).unwrap(),
    )
    .build()
    .unwrap();
    let issuer = SdkIssuer::new(client);
    let fields = coufun_api::OperationId::CouponCreate.spec().fields;
    let wire = |kind: &str| fields.iter().find(|f| f.kind == kind).unwrap().wire;
    let params = |goods: &str, qty: &str, tr: &str| {
        vec![
            (wire(coufun_api::GoodsId::KIND).to_owned(), goods.to_owned()),
            (wire(coufun_api::Quantity::KIND).to_owned(), qty.to_owned()),
            (TR_ID_WIRE.to_owned(), tr.to_owned()),
        ]
    };
    let goods = "0000100001";

    let one = issuer.issue(params(goods, "1", "campaign-sdk-1")).await;
    let RowOutcome::Issued {
        order,
        coupons,
        warning,
    } = &one
    else {
        panic!("{one:?}")
    };
    assert!(order.is_some());
    assert_eq!((coupons.len(), warning), (1, &None));
    let shown = format!("{one:?}");
    assert!(shown.contains("Issued") && shown.contains("***"), "{shown}");
    assert!(!shown.contains(&coupons[0]), "{shown}");

    let short = issuer.issue(params(goods, "2", "campaign-sdk-2")).await;
    let RowOutcome::Issued {
        coupons, warning, ..
    } = &short
    else {
        panic!("{short:?}")
    };
    assert_eq!(coupons.len(), 1);
    assert_eq!(
        warning.as_deref(),
        Some(
            "coupon count disagrees (listed 1, stated 2 (ORDER_CNT), requested 2): deliver \
             the coupons listed, reconcile the rest with the supplier by TR_ID"
        )
    );

    let lost = issuer.issue(params(goods, "1", "campaign-sdk-3")).await;
    let RowOutcome::Reached { code, detail } = &lost else {
        panic!("{lost:?}")
    };
    assert_eq!(*code, ResultCode::DuplicateTrId);
    assert_eq!(
        *detail,
        format!(
            "result code {} after 1 lost answer(s): an earlier attempt reached the server; \
             the coupons' numbers cannot be retrieved through the API",
            code.as_str()
        )
    );

    let refused = issuer
        .issue(params("9999999999", "1", "campaign-sdk-4"))
        .await;
    assert!(
        matches!(refused, RowOutcome::Refused { code, .. } if code != ResultCode::Success),
        "{refused:?}"
    );

    let broken = params(goods, "0", "campaign-sdk-5");
    let (code, why) = issuer.check(&broken).unwrap_err();
    assert_eq!(code, ResultCode::InvalidQuantity);
    assert!(!why.is_empty());
    assert!(issuer.check(&params(goods, "1", "campaign-sdk-6")).is_ok());
    assert!(matches!(issuer.issue(broken).await, RowOutcome::Invalid(_)));
    assert_eq!(sandbox.ledger().orders.len(), 3, "nothing invalid was sent");
    sandbox.shutdown().await;

    // A server that takes no connection: nothing reached it, so nothing was
    // issued and the row is not for the supplier (not `Unknown`).
    // Bound but not listening, and held: refused for sure (no other process
    // can take the port, as it could one bound and let go).
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    held.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let closed = held.local_addr().unwrap().as_socket().unwrap();
    let url = format!("http://{closed}/b2c_api/");
    let client = coufun_api::Client::builder(
        coufun_api::Environment::Custom(url),
        coufun_api::privacy::PocId::new(coufun_sandbox::DEFAULT_POC_ID).unwrap(),
    )
    .retry_policy(coufun_api::retry::RetryPolicy::no_retry())
    .build()
    .unwrap();
    let unreachable = SdkIssuer::new(client)
        .issue(params(goods, "1", "campaign-sdk-7"))
        .await;
    assert!(
        matches!(&unreachable, RowOutcome::NotSent(why) if !why.is_empty()),
        "{unreachable:?}"
    );
}

/// The issuer over the SDK when the answer is another order's (the sandbox
/// echoes another TR_ID) and when it is lost with no retry left: each row's
/// message is worded by `outcome` (the words the command line prints too).
#[tokio::test]
async fn the_sdk_issuer_words_a_mismatch_and_an_unknown_outcome() {
    use coufun_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig, ScheduledFault};
    let mut config = SandboxConfig::default();
    config.faults = FaultPlan::scheduled([
        ScheduledFault::at(0, Fault::ForeignTrId),
        ScheduledFault::at(1, Fault::DropAfterCommit),
    ]);
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = coufun_api::Client::builder(
        coufun_api::Environment::Custom(sandbox.base_url()),
        coufun_api::privacy::PocId::new(coufun_sandbox::DEFAULT_POC_ID).unwrap(),
    )
    .retry_policy(coufun_api::retry::RetryPolicy::no_retry())
    .build()
    .unwrap();
    let issuer = SdkIssuer::new(client);
    let fields = coufun_api::OperationId::CouponCreate.spec().fields;
    let wire = |kind: &str| fields.iter().find(|f| f.kind == kind).unwrap().wire;
    let params = |tr: &str| {
        vec![
            (
                wire(coufun_api::GoodsId::KIND).to_owned(),
                "0000100001".to_owned(),
            ),
            (wire(coufun_api::Quantity::KIND).to_owned(), "1".to_owned()),
            (TR_ID_WIRE.to_owned(), tr.to_owned()),
        ]
    };

    let foreign = issuer.issue(params("campaign-echo-1")).await;
    let RowOutcome::EchoMismatch { detail } = &foreign else {
        panic!("{foreign:?}")
    };
    let (head, tail) = (
        format!("the answer is not this request's ({TR_ID_WIRE}: sent \"campaign-echo-1\""),
        "not attributed to TR_ID campaign-echo-1)): coupons may exist for this TR_ID; \
         do not send it again with a new TR_ID, reconcile with the supplier by TR_ID",
    );
    assert!(detail.starts_with(&head), "{detail}");
    assert!(detail.ends_with(tail), "{detail}");

    let lost = issuer.issue(params("campaign-echo-2")).await;
    let RowOutcome::Unknown(detail) = &lost else {
        panic!("{lost:?}")
    };
    assert_eq!(
        *detail,
        format!(
            "{}: transport failed; the request may have reached the server",
            coufun_api::OperationId::CouponCreate.name()
        ),
        "the last failure is named"
    );
    sandbox.shutdown().await;
}

/// A call slower than the lease: the worker's renewals keep the row its own,
/// so that no other worker sends it meanwhile (each TR_ID sent once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_longer_than_the_lease_is_not_taken_over_while_the_worker_lives() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 4, None, limits()).await;
        let fake = Arc::new(Fake {
            calls: StdMutex::new(Vec::new()),
            answer: issued,
            delay: Duration::from_millis(1500),
        });
        let spawn = |name: &str| {
            let (fake, store) = (Arc::clone(&fake), store.clone());
            let s = settings(4)
                .worker(name)
                .lease(Duration::from_millis(600))
                .poll(Duration::from_millis(10));
            tokio::spawn(async move {
                let (_tx, rx) = tokio::sync::watch::channel(false);
                run(fake, store, s, rx, None).await
            })
        };
        let workers = [spawn("a"), spawn("b")];
        for w in workers {
            w.await.unwrap().unwrap();
        }
        let mut calls = fake.calls.lock().unwrap().clone();
        calls.sort();
        assert_eq!(
            calls,
            ["T0001", "T0002", "T0003", "T0004"],
            "each sent once"
        );
        store.close().await;
    }
}

/// The worker keeps to the start times the campaign's rate hands out (a lower
/// bound: 5 starts at 20 a second span at least 4 gaps of 50 ms).
#[tokio::test]
async fn a_rate_capped_worker_starts_rows_no_faster_than_the_rate() {
    let dir = tempfile::tempdir().unwrap();
    let j = Store::sqlite(dir.path().join("j.sqlite")).await.unwrap();
    let rated = Limits {
        rate: Some(20.0),
        ..limits()
    };
    campaign(&j, 5, None, rated).await;
    let started = Instant::now();
    let s = run_all(&Fake::new(issued), &j, settings(5)).await;
    assert_eq!(s.count(RowState::Issued), 5);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
}

/// A refusal no retry can change: recorded, never sent again in the run.
#[tokio::test]
async fn a_final_refusal_is_recorded_and_not_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|_, tr| {
        if tr == "T0002" {
            refused(ResultCode::InvalidGoods, "goods")
        } else {
            issued(0, tr)
        }
    });
    let j = sqlite(&dir, 3, None).await;
    let s = run_all(&fake, &j, settings(2)).await;
    assert_eq!(s.count(RowState::Refused), 1);
    assert_eq!(s.halted, None);
    assert_eq!(fake.calls.lock().unwrap().len(), 3);
    let rows = j.rows(C).await.unwrap();
    assert_eq!(rows[1].code, Some(ResultCode::InvalidGoods));
    assert_eq!(rows[1].limit_hits, 0);
    let again = run_all(&fake, &j, settings(2)).await;
    assert_eq!(again.sent_this_run, 0, "a refused row is never resent");
}

/// After a row issues, the next pause is the first one again (20 ms, not
/// the doubled 40 ms), as the pause events show.
#[tokio::test]
async fn a_row_issued_after_a_pause_resets_the_pause() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(|n, tr| {
        if n == 1 || n == 3 {
            refused(RETRYABLE, "system error")
        } else {
            issued(n, tr)
        }
    });
    let j = sqlite(&dir, 2, None).await;
    j.new_run(C).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let s = run(Arc::clone(&fake), j.clone(), settings(1), stopped, Some(tx))
        .await
        .unwrap();
    assert_eq!(s.count(RowState::Issued), 2);
    let mut pauses = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if let Event::Paused { pause, .. } = e {
            pauses.push(pause);
        }
    }
    assert_eq!(pauses.len(), 2, "{pauses:?}");
    assert!(
        pauses.iter().all(|p| *p <= Duration::from_millis(25)),
        "{pauses:?}"
    );
}

/// The limits read back as they were set (the rate through its gap in
/// microseconds), on both databases; each store says which it is.
#[tokio::test]
async fn the_limits_read_back_as_set() {
    let dir = tempfile::tempdir().unwrap();
    for (i, store) in stores(&dir).await.into_iter().enumerate() {
        assert_eq!(store.is_postgres(), i == 1);
        store.create(C, "test").await.unwrap();
        let set = Limits {
            max_in_flight: Some(7),
            rate: Some(250.0),
            limit_pause: Duration::from_millis(1500),
            max_pause: Duration::from_secs(9),
            limit_retries: 5,
        };
        store.set_limits(C, &set).await.unwrap();
        assert_eq!(store.limits(C).await.unwrap(), set);
        assert!(matches!(
            store.limits("other").await,
            Err(StoreError::NoCampaign(name)) if name == "other"
        ));
        store.close().await;
    }
}

/// A rate so small that the gap between two starts is past any clock (it
/// used to overflow the rate schedule, a panic in a debug build, when a
/// second row was scheduled) is refused, naming the least rate.
#[tokio::test]
async fn a_rate_below_the_least_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        store.create(C, "test").await.unwrap();
        for rate in [1e-300, f64::MIN_POSITIVE, 1e-10, LEAST_RATE / 2.0] {
            let tiny = Limits {
                rate: Some(rate),
                ..limits()
            };
            let refused = store.set_limits(C, &tiny).await.unwrap_err();
            assert!(
                matches!(&refused, StoreError::Limit { name: "rate", limit: Bound::LeastRate, value } if *value == rate.to_string()),
                "{refused}"
            );
            assert!(refused.to_string().contains("at least 1e-9"), "{refused}");
        }
        let least = Limits {
            rate: Some(LEAST_RATE),
            ..limits()
        };
        store.set_limits(C, &least).await.unwrap();
        assert_eq!(store.limits(C).await.unwrap().rate, Some(LEAST_RATE));
        store.close().await;
    }
}

/// Each bound is worded from its constant, in the words it had when they were
/// typed by hand; a refusal names the setting, the bound and the value.
#[test]
fn each_bound_is_worded_from_its_constant() {
    for (bound, text) in [
        (Bound::AtLeastOne, "at least 1"),
        (Bound::PositiveRate, "a positive number of rows per second"),
        (
            Bound::LeastRate,
            "at least 1e-9 rows per second (one row in about 32 years)",
        ),
        (Bound::LongestPause, "at most 30 years"),
    ] {
        assert_eq!(bound.to_string(), text, "{bound:?}");
    }
    let refused = StoreError::Limit {
        name: "rate",
        limit: Bound::LeastRate,
        value: "5e-10".into(),
    };
    assert_eq!(
        refused.to_string(),
        "rate must be at least 1e-9 rows per second (one row in about 32 years); got 5e-10"
    );
}

/// A rate schedule the store holds out of any range a rate makes (a gap of
/// zero, negative or past any clock; a start time at the end of time) gives
/// waits, never an overflow or a division by zero.
#[tokio::test]
async fn a_stored_schedule_out_of_range_gives_waits_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 6, None, limits()).await;
        for (gap, next) in [
            (i64::MAX, 0),
            (i64::MAX / 2, i64::MAX - 1),
            (0, 0),
            (-5, 0),
            (1, i64::MAX),
        ] {
            store
                .execute_for_test(&format!(
                    "UPDATE coufun_campaigns SET rate_gap_us = {gap}, next_start_us = {next}"
                ))
                .await;
            let Claim::Rows { rows, .. } = claim(&store, "a", 2).await else {
                panic!("rows for gap {gap}, next start {next}");
            };
            assert!(!rows.is_empty(), "{gap} {next}");
            for row in &rows {
                store.release(C, "a", row.row.line).await.unwrap();
            }
        }
        store.close().await;
    }
}

/// Pauses longer than 30 years (as `Duration::MAX`) are refused, naming the
/// pause: the store's pause arithmetic (`now + pause`, `pause * 2`, in
/// milliseconds) overflowed its integers, failing the worker at its first
/// code that may be sent again.
#[tokio::test]
async fn a_pause_past_thirty_years_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        store.create(C, "test").await.unwrap();
        for (first, longest, name) in [
            (Duration::MAX, Duration::MAX, "limit_pause"),
            (Duration::from_secs(1), Duration::MAX, "max_pause"),
            (
                LONGEST_PAUSE + Duration::from_millis(1),
                LONGEST_PAUSE,
                "limit_pause",
            ),
        ] {
            let long = Limits {
                limit_pause: first,
                max_pause: longest,
                ..limits()
            };
            let refused = store.set_limits(C, &long).await.unwrap_err();
            assert!(
                matches!(&refused, StoreError::Limit { name: n, limit: Bound::LongestPause, .. } if *n == name),
                "{refused}"
            );
            assert!(
                refused.to_string().contains("at most 30 years"),
                "{refused}"
            );
        }
        let years = |n: u64| Duration::from_secs(n * 365 * 86_400);
        assert_eq!(LONGEST_PAUSE, years(30));
        let long = Limits {
            limit_pause: years(29),
            max_pause: years(29),
            ..limits()
        };
        store.set_limits(C, &long).await.unwrap();
        let longest = Limits {
            limit_pause: LONGEST_PAUSE,
            max_pause: LONGEST_PAUSE,
            ..limits()
        };
        store.set_limits(C, &longest).await.unwrap();
        store.new_run(C).await.unwrap();
        for _ in 0..3 {
            let pause = store.pause(C).await.unwrap();
            assert!(pause <= LONGEST_PAUSE, "{pause:?}");
            assert!(pause > LONGEST_PAUSE / 2, "{pause:?}");
            assert!(matches!(claim(&store, "w", 1).await, Claim::Wait(_)));
        }
        store.close().await;
    }
}

/// A lease past any clock (`Duration::MAX`) counts as 30 years: renewing
/// with it used to overflow the store's `now + lease` (SQLite then held a
/// REAL no later claim could read; PostgreSQL: bigint out of range).
#[tokio::test]
async fn a_lease_past_any_clock_counts_as_thirty_years() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(&dir).await {
        campaign(&store, 2, None, limits()).await;
        let claimed = store.claim(C, "a", 1, Duration::MAX, POLL).await.unwrap();
        assert_eq!(lines(&claimed), [1]);
        assert_eq!(store.renew(C, "a", Duration::MAX).await.unwrap(), 1);
        let until = store
            .scalar_for_test("SELECT lease_until_ms FROM coufun_campaign_rows WHERE line = 1")
            .await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let left = Duration::from_millis(u64::try_from(until).unwrap()).saturating_sub(now);
        assert!(left <= LONGEST_PAUSE, "{left:?}");
        assert!(left > LONGEST_PAUSE - Duration::from_secs(60), "{left:?}");
        assert_eq!(lines(&claim(&store, "b", 2).await), [2], "row 1 stays a's");
        store.close().await;
    }
}
