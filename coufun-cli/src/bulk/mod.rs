//! Crash-safe bulk issuance: read the orders, journal each row with its TR_ID
//! before any attempt, send the rows that still need it through an [`Issuer`]
//! with a concurrency cap, treat each refusal as its code's generated retry class
//! says (pause and send the same row again, or stop the run, or record it),
//! record every outcome, and report. The engine knows nothing of HTTP: tests
//! drive it with a fake issuer.

pub mod input;
pub mod journal;

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coufun_api::{Category, ResultCode};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Mutex;

use journal::{Journal, JournalError, JournalRow, RowState};

/// How issuing one row ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Coupons exist.
    Issued {
        /// Order id, when known.
        order: Option<String>,
        /// Coupon numbers.
        coupons: Vec<String>,
        /// Why the coupons listed need a look (they disagree with the count
        /// stated or asked for); goes to the row's message.
        warning: Option<String>,
    },
    /// The server refused: nothing issued.
    Refused {
        /// The code.
        code: ResultCode,
        /// Its message.
        message: String,
    },
    /// The row broke a field rule: nothing sent.
    Invalid(String),
    /// Outcome unknown: may exist; retried with the same TR_ID next run.
    Unknown(String),
    /// An earlier attempt reached the server (the answer to a repeat: `12` or
    /// `23`, kept as answered); numbers not retrievable; never resent.
    Reached {
        /// The code the repeat was answered.
        code: ResultCode,
        /// What the SDK said.
        detail: String,
    },
    /// The answer echoed another TR_ID or goods id than the row sent: its
    /// coupons are not attributed to the row, which is never resent and goes to
    /// the reconciliation request.
    // Built by `sdk::SdkIssuer` from `CallOutcome::EchoMismatch`, which waits
    // for one arm in `CallOutcome::from_issue` (the SDK's echo variant).
    #[allow(dead_code)]
    EchoMismatch {
        /// What differed (both values), for the row's message.
        detail: String,
    },
}

/// Issues one row (its full wire parameters, TR_ID included).
pub trait Issuer: Send + Sync + 'static {
    /// Sends the row and says how it ended.
    fn issue(&self, params: Vec<(String, String)>) -> impl Future<Output = RowOutcome> + Send;
    /// Checks the row's parameters without sending: on a broken rule, the code
    /// the server would answer and the full text.
    fn check(&self, params: &[(String, String)]) -> Result<(), (ResultCode, String)>;
}

/// Run settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Rows in flight at once (at least 1).
    pub concurrency: usize,
    /// Most rows started per second (`None`: no cap).
    pub rate: Option<f64>,
    /// First pause after a code that may be sent again ([`Refusal::Retry`]);
    /// doubles while such codes go on.
    pub limit_pause: Duration,
    /// Longest pause.
    pub max_pause: Duration,
    /// Such answers tolerated for one row in one run before the run stops and
    /// leaves it for the next.
    pub limit_retries: u32,
    /// Draw a progress bar on stderr (hidden anyway when stderr is not a terminal).
    pub progress: bool,
    /// Wire name of the TR_ID parameter.
    pub tr_id_wire: &'static str,
}

/// Counts of rows by state after a run.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    /// Rows in the input.
    pub rows: usize,
    /// Rows sent (at least once) during this run.
    pub sent_this_run: usize,
    /// Rows by state.
    pub by_state: BTreeMap<RowState, usize>,
    /// Coupons issued in all.
    pub coupons: usize,
    /// Whether the run was interrupted (Ctrl-C) before every row was tried.
    pub interrupted: bool,
    /// Why the run stopped early on a limit code, if it did.
    pub halted: Option<String>,
}

impl Summary {
    /// Rows in `state`.
    pub fn count(&self, state: RowState) -> usize {
        self.by_state.get(&state).copied().unwrap_or(0)
    }

    /// Rows still open: a rerun sends them (with their TR_IDs).
    pub fn open(&self) -> usize {
        self.by_state
            .iter()
            .filter(|(state, _)| state.needs_sending())
            .map(|(_, n)| n)
            .sum()
    }
}

/// A run that could not go on.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// The journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

struct Shared<I> {
    issuer: I,
    journal: Journal,
    queue: Mutex<VecDeque<(JournalRow, u32)>>,
    pause_until: Mutex<Option<Instant>>,
    pause_len: Mutex<Duration>,
    next_start: Mutex<Instant>,
    settings: Settings,
    bar: ProgressBar,
    stop: tokio::sync::watch::Receiver<bool>,
    halted: Mutex<Option<String>>,
    sent: std::sync::atomic::AtomicUsize,
}

/// Sends every row that still needs it; returns when each was tried once (or
/// `stop` turned true), every outcome recorded in the journal.
pub async fn run<I: Issuer>(
    issuer: I,
    journal: Journal,
    settings: Settings,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Summary, BulkError> {
    let rows = journal.rows().await?;
    let total = rows.len();
    let todo: VecDeque<(JournalRow, u32)> = rows
        .into_iter()
        .filter(|r| r.state.needs_sending())
        .map(|r| (r, 0))
        .collect();
    let bar = if settings.progress {
        ProgressBar::with_draw_target(Some(todo.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} rows · {per_sec} · ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let workers = settings.concurrency.max(1);
    let shared = Arc::new(Shared {
        issuer,
        journal: journal.clone(),
        queue: Mutex::new(todo),
        pause_until: Mutex::new(None),
        pause_len: Mutex::new(settings.limit_pause),
        next_start: Mutex::new(Instant::now()),
        settings,
        bar: bar.clone(),
        stop: stop.clone(),
        halted: Mutex::new(None),
        sent: std::sync::atomic::AtomicUsize::new(0),
    });
    let mut handles = Vec::new();
    for _ in 0..workers {
        let shared = Arc::clone(&shared);
        handles.push(tokio::spawn(async move { worker(shared).await }));
    }
    let mut first_error = None;
    for h in handles {
        match h.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => first_error = first_error.or(Some(e)),
            Err(join) => {
                first_error = first_error.or(Some(BulkError::Journal(JournalError::Corrupt(
                    format!("a worker stopped: {join}"),
                ))))
            }
        }
    }
    bar.finish_and_clear();
    if let Some(e) = first_error {
        return Err(e);
    }
    let mut summary = Summary {
        rows: total,
        sent_this_run: shared.sent.load(std::sync::atomic::Ordering::Relaxed),
        interrupted: *stop.borrow(),
        halted: shared.halted.lock().await.clone(),
        ..Summary::default()
    };
    for r in journal.rows().await? {
        *summary.by_state.entry(r.state).or_default() += 1;
        summary.coupons += r
            .coupons
            .as_deref()
            .map(|c| c.split_whitespace().count())
            .unwrap_or(0);
    }
    Ok(summary)
}

async fn worker<I: Issuer>(shared: Arc<Shared<I>>) -> Result<(), BulkError> {
    loop {
        if *shared.stop.borrow() || shared.halted.lock().await.is_some() {
            return Ok(());
        }
        let Some((row, limit_hits)) = shared.queue.lock().await.pop_front() else {
            return Ok(());
        };
        wait_turn(&shared).await;
        if *shared.stop.borrow() {
            return Ok(());
        }
        let mut params = row.params.clone();
        params.push((shared.settings.tr_id_wire.to_owned(), row.tr_id.clone()));
        if let Err((code, why)) = shared.issuer.check(&params) {
            shared
                .journal
                .record(
                    row.line,
                    RowState::Invalid,
                    Some(code),
                    Some(&why),
                    None,
                    None,
                )
                .await?;
            shared.bar.inc(1);
            continue;
        }
        shared.journal.start_attempt(row.line).await?;
        if limit_hits == 0 {
            shared
                .sent
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let outcome = shared.issuer.issue(params).await;
        let entry = Entry::of(&outcome);
        shared
            .journal
            .record(
                row.line,
                entry.state,
                entry.code,
                entry.message,
                entry.order,
                entry.coupons.as_deref(),
            )
            .await?;
        match outcome {
            RowOutcome::Issued { .. } => {
                *shared.pause_len.lock().await = shared.settings.limit_pause;
            }
            RowOutcome::Refused { code, .. } => match refusal(code) {
                Refusal::Halt => {
                    // Never sent again by this run: nothing was issued, and every
                    // following row would be refused the same way.
                    let admin = if code.contact_admin() {
                        "contact the COUFUN administrator, then "
                    } else {
                        ""
                    };
                    halt(
                        &shared,
                        format!(
                            "stopped: the server answered {} — not retried (retry: never); {admin}rerun to resume (same TR_IDs)",
                            code.display(coufun_api::Lang::En),
                        ),
                    )
                    .await;
                }
                Refusal::Retry => {
                    pause(&shared, code).await;
                    if limit_hits + 1 < shared.settings.limit_retries {
                        shared.queue.lock().await.push_front((row, limit_hits + 1));
                        continue;
                    }
                    // The limit outlasted every pause: stop sending; a later run resumes.
                    halt(
                        &shared,
                        format!(
                            "stopped: the server kept answering {} after {} pauses; rerun later to resume",
                            code.display(coufun_api::Lang::En),
                            shared.settings.limit_retries
                        ),
                    )
                    .await;
                }
                Refusal::Final => {}
            },
            _ => {}
        }
        shared.bar.inc(1);
    }
}

/// What the journal records for an outcome.
struct Entry<'a> {
    state: RowState,
    code: Option<ResultCode>,
    message: Option<&'a str>,
    order: Option<&'a str>,
    coupons: Option<String>,
}

impl<'a> Entry<'a> {
    fn of(outcome: &'a RowOutcome) -> Self {
        let entry = |state, code, message: &'a str| Entry {
            state,
            code,
            message: Some(message),
            order: None,
            coupons: None,
        };
        match outcome {
            RowOutcome::Issued {
                order,
                coupons,
                warning,
            } => Entry {
                state: RowState::Issued,
                code: Some(ResultCode::Success),
                message: warning.as_deref(),
                order: order.as_deref(),
                coupons: Some(coupons.join(" ")),
            },
            // A code that stops the run or pauses it leaves the row for a rerun.
            RowOutcome::Refused { code, message } => {
                let state = match refusal(*code) {
                    Refusal::Halt | Refusal::Retry => RowState::Deferred,
                    Refusal::Final => RowState::Refused,
                };
                entry(state, Some(*code), message)
            }
            RowOutcome::Invalid(why) => entry(RowState::Invalid, None, why),
            RowOutcome::Unknown(why) => entry(RowState::Unknown, None, why),
            RowOutcome::Reached { code, detail } => entry(RowState::Reached, Some(*code), detail),
            RowOutcome::EchoMismatch { detail } => entry(RowState::EchoMismatch, None, detail),
        }
    }
}

/// Stops the run with `why`, unless another worker stopped it first.
async fn halt<I>(shared: &Shared<I>, why: String) {
    shared.halted.lock().await.get_or_insert(why);
}

/// What a run does with a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The code's retry class allows sending it again (`as_is`, `same_tr_id`:
    /// e.g. 99): pause, then the same row with the same TR_ID; when the code
    /// outlasts the pauses, stop and leave the row for the next run.
    Retry,
    /// Never retried (retry class `never`), but a quota of the spec's category
    /// `limit` (e.g. 95, "contact the administrator"): nothing was issued and
    /// every following row would be refused alike, so the run stops at once and
    /// leaves the row open for a rerun once the limit is lifted.
    Halt,
    /// Never retried: the row is refused.
    Final,
}

/// How a run treats a refusal answering `code`: from the code's generated
/// retry class (what `coufun codes` shows) and category, nothing else.
pub fn refusal(code: ResultCode) -> Refusal {
    if code.retry().may_retry() {
        Refusal::Retry
    } else if code.category() == Category::Limit {
        Refusal::Halt
    } else {
        Refusal::Final
    }
}

async fn pause<I>(shared: &Shared<I>, code: ResultCode) {
    let mut len = shared.pause_len.lock().await;
    let until = Instant::now() + *len;
    shared.bar.set_message(format!(
        "paused {:.1}s: {}",
        len.as_secs_f64(),
        code.display(coufun_api::Lang::En)
    ));
    {
        let mut p = shared.pause_until.lock().await;
        if p.is_none_or(|t| t < until) {
            *p = Some(until);
        }
    }
    *len = (*len * 2).min(shared.settings.max_pause);
}

async fn wait_turn<I>(shared: &Shared<I>) {
    let until = *shared.pause_until.lock().await;
    if let Some(t) = until {
        let now = Instant::now();
        if t > now {
            tokio::time::sleep(t - now).await;
        }
        shared.bar.set_message("");
    }
    if let Some(rate) = shared.settings.rate.filter(|r| *r > 0.0) {
        let gap = Duration::from_secs_f64(1.0 / rate);
        let at = {
            let mut next = shared.next_start.lock().await;
            let at = (*next).max(Instant::now());
            *next = at + gap;
            at
        };
        let now = Instant::now();
        if at > now {
            tokio::time::sleep(at - now).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;

    /// The wire name of the bulk operation's request field `name`, from the
    /// generated table.
    fn wire(name: &str) -> &'static str {
        crate::sdk::operation(crate::sdk::BULK_OPERATION)
            .and_then(|op| op.field(name))
            .map(|f| f.wire)
            .unwrap_or_else(|| panic!("the bulk operation has no field {name}"))
    }

    /// The TR_ID parameter.
    fn tr_id() -> &'static str {
        wire("tr_id")
    }

    /// The quantity parameter.
    fn quantity() -> &'static str {
        wire("quantity")
    }

    /// A fake server: answers by a script keyed on the call number, records TR_IDs.
    struct Fake {
        calls: StdMutex<Vec<String>>,
        answer: fn(usize, &str) -> RowOutcome,
    }

    impl Fake {
        fn new(answer: fn(usize, &str) -> RowOutcome) -> Arc<Self> {
            Arc::new(Fake {
                calls: StdMutex::new(Vec::new()),
                answer,
            })
        }
    }

    impl Issuer for Arc<Fake> {
        async fn issue(&self, params: Vec<(String, String)>) -> RowOutcome {
            let tr = params
                .iter()
                .find(|(k, _)| k == tr_id())
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let n = {
                let mut calls = self.calls.lock().unwrap();
                calls.push(tr.clone());
                calls.len()
            };
            (self.answer)(n, &tr)
        }
        fn check(&self, params: &[(String, String)]) -> Result<(), (ResultCode, String)> {
            if params.iter().any(|(k, v)| k == quantity() && v == "0") {
                return Err((ResultCode::InvalidQuantity, "quantity 0".into()));
            }
            Ok(())
        }
    }

    fn settings() -> Settings {
        Settings {
            concurrency: 3,
            rate: None,
            limit_pause: Duration::from_millis(20),
            max_pause: Duration::from_millis(50),
            limit_retries: 3,
            progress: false,
            tr_id_wire: tr_id(),
        }
    }

    fn issued(_: usize, tr: &str) -> RowOutcome {
        RowOutcome::Issued {
            order: Some(format!("O-{tr}")),
            coupons: vec![format!("C-{tr}")],
            warning: None,
        }
    }

    /// Input row `i` (reference `r{i}`) asking for `qty` coupons.
    fn input_row(i: u64, qty: &str) -> input::InputRow {
        (
            i,
            format!("r{i}"),
            vec![(quantity().to_owned(), qty.to_owned())],
        )
    }

    /// Runs the journal's rows through `fake` with `settings`, never stopped.
    async fn run_all(fake: &Arc<Fake>, j: &Journal, settings: Settings) -> Summary {
        let (_tx, rx) = tokio::sync::watch::channel(false);
        run(Arc::clone(fake), j.clone(), settings, rx)
            .await
            .unwrap()
    }

    async fn journal(dir: &tempfile::TempDir, rows: usize, bad: Option<u64>) -> Journal {
        let j = Journal::open(&dir.path().join("j.sqlite")).await.unwrap();
        j.claim("test").await.unwrap();
        let input: Vec<_> = (1..=rows as u64)
            .map(|i| input_row(i, if Some(i) == bad { "0" } else { "1" }))
            .collect();
        let mut n = 0;
        j.plan(&input, || {
            n += 1;
            format!("T{n:04}")
        })
        .await
        .unwrap();
        j
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
        let j = journal(&dir, 10, Some(5)).await;
        let s = run_all(&first, &j, settings()).await;
        assert_eq!(s.count(RowState::Issued), 7);
        assert_eq!(s.count(RowState::Unknown), 2);
        assert_eq!(s.count(RowState::Invalid), 1);
        assert_eq!(
            first.calls.lock().unwrap().len(),
            9,
            "the invalid row is never sent"
        );

        let second = Fake::new(issued);
        let s = run_all(&second, &j, settings()).await;
        let mut again = second.calls.lock().unwrap().clone();
        again.sort();
        assert_eq!(again, ["T0003", "T0007"]);
        assert_eq!(s.count(RowState::Issued), 9);
        assert_eq!(s.coupons, 9);
        let rows = j.rows().await.unwrap();
        assert_eq!(rows[2].attempts, 2);
        assert_eq!(rows[2].coupons.as_deref(), Some("C-T0003"));
        assert_eq!(rows[4].code, Some(ResultCode::InvalidQuantity));
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
        let j = journal(&dir, 3, None).await;
        let s = run_all(&fake, &j, settings()).await;
        assert_eq!(s.count(RowState::Reached), 1);
        let again = run_all(&fake, &j, settings()).await;
        assert_eq!(again.sent_this_run, 0);
        assert_eq!(fake.calls.lock().unwrap().len(), 3);
    }

    /// Issue 19: a row answered 23 was journaled as 12. Each repeat's code is
    /// kept as answered, read back as a `ResultCode` from a reopened journal,
    /// and a resumed run neither resends those rows nor rewrites their codes.
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
        let j = journal(&dir, 3, None).await;
        run_all(&fake, &j, settings()).await;
        j.close().await;

        let reopened = Journal::open(&dir.path().join("j.sqlite")).await.unwrap();
        let codes = |rows: &[JournalRow]| -> Vec<Option<ResultCode>> {
            rows.iter().map(|r| r.code).collect()
        };
        let rows = reopened.rows().await.unwrap();
        assert_eq!(
            codes(&rows),
            [
                Some(ResultCode::DuplicateRequest),
                Some(ResultCode::DuplicateTrId),
                Some(ResultCode::Success)
            ]
        );
        assert!(rows[..2].iter().all(|r| r.state == RowState::Reached));

        let again = run_all(&fake, &reopened, settings()).await;
        assert_eq!(again.sent_this_run, 0);
        assert_eq!(fake.calls.lock().unwrap().len(), 3);
        assert_eq!(codes(&reopened.rows().await.unwrap()), codes(&rows));
    }

    /// A code outside the manual survives the journal with its digits.
    #[tokio::test]
    async fn a_code_outside_the_manual_is_kept_by_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let j = journal(&dir, 1, None).await;
        let newer = (0..=99)
            .filter_map(ResultCode::from_number)
            .find(|c| !c.is_known())
            .unwrap();
        j.record(1, RowState::Refused, Some(newer), Some("newer"), None, None)
            .await
            .unwrap();
        let row = &j.rows().await.unwrap()[0];
        assert_eq!(row.code, Some(newer));
        assert!(!row.code.unwrap().is_known());
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
        let j = journal(&dir, 3, None).await;
        let s = run_all(&fake, &j, settings()).await;
        assert_eq!(s.count(RowState::EchoMismatch), 1);
        assert_eq!(s.coupons, 2);
        let rows = j.rows().await.unwrap();
        assert_eq!(rows[1].state, RowState::EchoMismatch);
        assert_eq!(rows[1].coupons, None);
        assert_eq!(rows[1].message.as_deref(), Some("echoed T9999"));
        assert!(rows[1].state.needs_reconciliation());
        let again = run_all(&fake, &j, settings()).await;
        assert_eq!(again.sent_this_run, 0);
        assert_eq!(fake.calls.lock().unwrap().len(), 3);
    }

    /// A code that may be sent again (retry class `same_tr_id`: 99).
    const RETRYABLE: ResultCode = ResultCode::SystemError;

    #[test]
    fn refusals_follow_the_generated_retry_class() {
        for code in ResultCode::ALL {
            let r = refusal(code);
            assert_eq!(r == Refusal::Retry, code.retry().may_retry(), "{code:?}");
        }
        assert_eq!(refusal(RETRYABLE), Refusal::Retry);
        assert!(!ResultCode::IssueLimitExceeded.retry().may_retry());
        assert_eq!(refusal(ResultCode::IssueLimitExceeded), Refusal::Halt);
        assert_eq!(refusal(ResultCode::InvalidGoods), Refusal::Final);
    }

    #[tokio::test]
    async fn a_retryable_code_pauses_then_the_same_row_goes_again() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake::new(|n, tr| {
            if n <= 2 {
                RowOutcome::Refused {
                    code: RETRYABLE,
                    message: "system error".into(),
                }
            } else {
                issued(n, tr)
            }
        });
        let j = journal(&dir, 4, None).await;
        let started = Instant::now();
        let s = run_all(&fake, &j, settings()).await;
        assert_eq!(s.count(RowState::Issued), 4);
        assert!(started.elapsed() >= Duration::from_millis(20), "it paused");
        assert_eq!(fake.calls.lock().unwrap().len(), 6);
    }

    /// 95 is never retried (as `coufun codes` says): the run sends it once,
    /// stops at once, and leaves that row and the rest open for a rerun.
    #[tokio::test]
    async fn the_issue_limit_is_not_retried_and_stops_the_run_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake::new(|n, tr| {
            if n == 2 {
                RowOutcome::Refused {
                    code: ResultCode::IssueLimitExceeded,
                    message: "limit".into(),
                }
            } else {
                issued(n, tr)
            }
        });
        let j = journal(&dir, 5, None).await;
        let mut one = settings();
        one.concurrency = 1;
        let s = run_all(&fake, &j, one).await;
        assert_eq!(fake.calls.lock().unwrap().as_slice(), ["T0001", "T0002"]);
        let halted = s.halted.clone().expect("stopped");
        assert!(halted.contains("95"), "{halted}");
        assert!(halted.contains("administrator"), "{halted}");
        assert_eq!(s.count(RowState::Issued), 1);
        assert_eq!(s.count(RowState::Deferred), 1);
        assert_eq!(s.count(RowState::Pending), 3);
        let rows = j.rows().await.unwrap();
        assert_eq!(rows[1].code, Some(ResultCode::IssueLimitExceeded));
        assert!(
            rows[1].state.needs_sending(),
            "a rerun sends it, same TR_ID"
        );
    }

    #[tokio::test]
    async fn a_lasting_retryable_code_stops_the_run_and_leaves_rows_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake::new(|_, _| RowOutcome::Refused {
            code: RETRYABLE,
            message: "system error".into(),
        });
        let j = journal(&dir, 20, None).await;
        let mut one = settings();
        one.concurrency = 1;
        let s = run_all(&fake, &j, one).await;
        assert!(s.halted.is_some());
        assert_eq!(s.count(RowState::Issued), 0);
        assert_eq!(s.count(RowState::Deferred) + s.count(RowState::Pending), 20);
        let calls = fake.calls.lock().unwrap().len();
        assert_eq!(calls, 3, "one row, sent --limit-retries times");
    }

    #[tokio::test]
    async fn a_lasting_limit_stops_the_run_and_leaves_rows_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let fake = Fake::new(|_, _| RowOutcome::Refused {
            code: ResultCode::IssueLimitExceeded,
            message: "limit".into(),
        });
        let j = journal(&dir, 20, None).await;
        let mut one = settings();
        one.concurrency = 1;
        let s = run_all(&fake, &j, one).await;
        assert!(s.halted.is_some());
        assert_eq!(s.count(RowState::Issued), 0);
        assert_eq!(s.count(RowState::Deferred) + s.count(RowState::Pending), 20);
        assert!(fake.calls.lock().unwrap().len() < 20, "it stopped sending");
    }

    #[tokio::test]
    async fn a_changed_input_is_refused_but_an_invalid_row_may_be_corrected() {
        let dir = tempfile::tempdir().unwrap();
        let j = journal(&dir, 3, Some(2)).await;
        let fixed = vec![input_row(1, "1"), input_row(2, "0"), input_row(3, "2")];
        assert!(matches!(
            j.plan(&fixed, || "X".into()).await,
            Err(JournalError::Changed(3))
        ));
        let fake = Fake::new(issued);
        run_all(&fake, &j, settings()).await;
        let mut corrected = fixed.clone();
        corrected[1].2[0].1 = "1".into();
        corrected[2].2[0].1 = "1".into();
        j.plan(&corrected, || "X".into()).await.unwrap();
        let rows = j.rows().await.unwrap();
        assert_eq!(rows[1].state, RowState::Pending);
        assert_eq!(rows[1].tr_id, "T0002", "the TR_ID stays");
    }
}
