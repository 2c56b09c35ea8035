//! One worker of a campaign: claims rows from the [`Store`] with a lease, sends
//! each through an [`Issuer`] with its stored TR_ID (never a new one), at most
//! `concurrency` at once, treats each refusal as its code's generated retry
//! class says (pause the campaign and send the same row again, or stop the
//! campaign's run, or record it), records every outcome, keeps its leases
//! alive while it works, and reports progress as a stream of [`Event`]s.
//! Several workers — tasks, processes or hosts — may run on one campaign at
//! once; the worker knows nothing of HTTP: tests drive it with a fake issuer.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coufun_api::ResultCode;
use tokio::sync::{Mutex, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::outcome::{Entry, Refusal, RowOutcome, refusal};
use crate::state::{CampaignRow, RowState};
use crate::store::{Claim, LONGEST_PAUSE, Store, StoreError};

/// Issues one row (its full wire parameters, TR_ID included).
pub trait Issuer: Send + Sync + 'static {
    /// Sends the row and says how it ended.
    fn issue(&self, params: Vec<(String, String)>) -> impl Future<Output = RowOutcome> + Send;
    /// Checks the row's parameters without sending: on a broken rule, the code
    /// the server would answer and the full text.
    fn check(&self, params: &[(String, String)]) -> Result<(), (ResultCode, String)>;
}

/// One worker's settings (what holds for the whole campaign is in the store:
/// [`crate::Limits`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// The campaign worked on.
    pub campaign: String,
    /// This worker's name in the leases (unique per worker).
    pub worker: String,
    /// Rows this worker has in flight at once (at least 1).
    pub concurrency: usize,
    /// How long a claim holds a row: a crashed worker's rows are taken over
    /// once it lapses. Renewed every third of it while the worker runs.
    pub lease: Duration,
    /// Longest wait before asking the store again when nothing is claimable.
    pub poll: Duration,
    /// Wire name of the TR_ID parameter.
    pub tr_id_wire: &'static str,
}

impl Settings {
    /// A worker on `campaign` named after this process and a fresh ULID, 4 rows
    /// at once, leases of 30 s, polls every 50 ms; `tr_id_wire` is the issuing
    /// operation's TR_ID parameter.
    pub fn new(campaign: impl Into<String>, tr_id_wire: &'static str) -> Self {
        Settings {
            campaign: campaign.into(),
            worker: format!("w{}-{}", std::process::id(), ulid::Ulid::generate()),
            concurrency: 4,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(50),
            tr_id_wire,
        }
    }

    /// Sets the rows in flight at once.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Sets the lease.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets the longest wait between claims.
    pub fn poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// Sets the worker's name.
    pub fn worker(mut self, name: impl Into<String>) -> Self {
        self.worker = name.into();
        self
    }
}

/// What a worker reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The worker started: rows of the campaign still open.
    Started {
        /// Open rows (any worker may send them).
        open: usize,
    },
    /// A row's outcome was recorded.
    Outcome {
        /// The row.
        line: u64,
        /// Its state now.
        state: RowState,
        /// The code answered, if any.
        code: Option<ResultCode>,
        /// Whether it goes again in this run (a code that may be sent again).
        again: bool,
    },
    /// The campaign pauses after a code that may be sent again.
    Paused {
        /// The code.
        code: ResultCode,
        /// How long.
        pause: Duration,
    },
    /// The campaign's run stopped.
    Halted {
        /// Why.
        why: String,
    },
    /// This worker's lease on a row lapsed before it could send or record it
    /// (another worker may have taken it over, with the same TR_ID).
    LeaseLost {
        /// The row.
        line: u64,
    },
}

/// Counts of rows by state after a worker's run.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Rows in the campaign.
    pub rows: usize,
    /// Rows this worker sent (at least once) during this run.
    pub sent_this_run: usize,
    /// Rows by state.
    pub by_state: BTreeMap<RowState, usize>,
    /// Coupons issued in all.
    pub coupons: usize,
    /// Whether the worker was stopped (`stop`) before every row was tried.
    pub interrupted: bool,
    /// Why the campaign's run stopped early on a limit code, if it did.
    pub halted: Option<String>,
}

impl Summary {
    /// Rows in `state`.
    pub fn count(&self, state: RowState) -> usize {
        self.by_state.get(&state).copied().unwrap_or(0)
    }

    /// Rows still open: a rerun sends them (with their TR_IDs).
    pub fn open(&self) -> usize {
        RowState::open_in(&self.by_state)
    }

    /// Counts `rows`.
    pub fn of_rows(rows: &[CampaignRow]) -> Summary {
        let mut summary = Summary {
            rows: rows.len(),
            ..Summary::default()
        };
        for r in rows {
            *summary.by_state.entry(r.state).or_default() += 1;
            summary.coupons += r.coupon_count();
        }
        summary
    }
}

/// A run that could not go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A task of the worker stopped unexpectedly.
    #[error("a worker task stopped: {0}")]
    Task(String),
}

struct Shared<I> {
    issuer: I,
    store: Store,
    settings: Settings,
    limit_retries: u32,
    events: Option<mpsc::UnboundedSender<Event>>,
    stop: watch::Receiver<bool>,
    halted: Mutex<Option<String>>,
    pause_until: Mutex<Option<Instant>>,
    /// Whether this worker paused the campaign since it last reset the pause.
    paused: std::sync::atomic::AtomicBool,
    /// How many times this worker's rows paused the campaign: the rows it
    /// claimed ahead go back after each pause, however short.
    pauses: AtomicUsize,
    sent: AtomicUsize,
}

impl<I> Shared<I> {
    fn emit(&self, event: Event) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }

    async fn stopping(&self) -> bool {
        *self.stop.borrow() || self.halted.lock().await.is_some()
    }

    /// Stops the campaign's run with `why` (unless it was stopped already).
    async fn halt(&self, why: String) -> Result<(), StoreError> {
        let why = self.store.halt(&self.settings.campaign, &why).await?;
        let mut halted = self.halted.lock().await;
        if halted.is_none() {
            *halted = Some(why.clone());
            self.emit(Event::Halted { why });
        }
        Ok(())
    }
}

/// Works on `settings.campaign` in its current run until no row is left to
/// send and none is leased, the run stops, or `stop` turns true; every outcome
/// recorded in the store. Several workers may run on one campaign at once.
pub async fn run<I: Issuer>(
    issuer: I,
    store: Store,
    settings: Settings,
    stop: watch::Receiver<bool>,
    events: Option<mpsc::UnboundedSender<Event>>,
) -> Result<Summary, RunError> {
    let campaign = settings.campaign.clone();
    let limits = store.limits(&campaign).await?;
    let status = store.status(&campaign).await?;
    let open = status.open();
    let concurrency = settings.concurrency.max(1);
    let shared = Arc::new(Shared {
        issuer,
        store: store.clone(),
        limit_retries: limits.limit_retries,
        settings,
        events,
        stop: stop.clone(),
        halted: Mutex::new(None),
        pause_until: Mutex::new(None),
        paused: std::sync::atomic::AtomicBool::new(false),
        pauses: AtomicUsize::new(0),
        sent: AtomicUsize::new(0),
    });
    shared.emit(Event::Started { open });

    // Leases stay alive while the worker runs.
    let (beat_stop, mut beat_stopped) = watch::channel(false);
    let heartbeat = {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let every = (shared.settings.lease / 3).max(Duration::from_millis(10));
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = beat_stopped.changed() => return,
                }
                let s = &shared.settings;
                // A failed renewal is tried again at the next beat; rows whose
                // lease lapses meanwhile are not sent (see `start_attempt`).
                let _ = shared.store.renew(&s.campaign, &s.worker, s.lease).await;
            }
        })
    };

    let result = work(&shared, concurrency).await;
    let _ = beat_stop.send(true);
    let _ = heartbeat.await;
    result?;

    let rows = store.rows(&campaign).await?;
    let mut summary = Summary::of_rows(&rows);
    summary.sent_this_run = shared.sent.load(Ordering::Relaxed);
    summary.interrupted = *stop.borrow();
    summary.halted = shared.halted.lock().await.clone();
    Ok(summary)
}

async fn work<I: Issuer>(shared: &Arc<Shared<I>>, concurrency: usize) -> Result<(), RunError> {
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut tasks: JoinSet<Result<(), RunError>> = JoinSet::new();
    // Rows claimed ahead (one claim for a batch), each with its start time.
    let mut queue: std::collections::VecDeque<(CampaignRow, Instant, i64)> =
        std::collections::VecDeque::new();
    let mut stop = shared.stop.clone();
    let mut first_error: Option<RunError> = None;
    let mut seen_pauses = 0;
    let s = &shared.settings;
    loop {
        if shared.stopping().await || first_error.is_some() {
            break;
        }
        // A pause gives the rows claimed ahead back: after it, the rows to
        // send again go first (whoever claims them) — also when the pause
        // ended before this loop saw it.
        let pauses = shared.pauses.load(Ordering::Acquire);
        let paused = pauses != seen_pauses
            || shared
                .pause_until
                .lock()
                .await
                .is_some_and(|t| t > Instant::now());
        seen_pauses = pauses;
        if paused {
            for (row, _, _) in queue.drain(..) {
                shared
                    .store
                    .release(&s.campaign, &s.worker, row.line)
                    .await?;
            }
        }
        while let Some((row, start, run)) = queue.pop_front() {
            let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                queue.push_front((row, start, run));
                break;
            };
            let shared = Arc::clone(shared);
            tasks.spawn(async move {
                let result = send_row(&shared, row, start, run).await;
                drop(permit);
                result
            });
        }
        // (The queue is drained while slots are free.)
        let free = slots.available_permits();
        if free == 0 {
            if let Some(done) = tasks.join_next().await {
                note(done, &mut first_error);
            }
            continue;
        }
        // Enough for the free slots and as many again: fewer, larger claims.
        let claim = shared
            .store
            .claim(&s.campaign, &s.worker, free + concurrency, s.lease, s.poll)
            .await?;
        let wait = match claim {
            Claim::Rows { run, rows } => {
                let now = Instant::now();
                queue.extend(
                    rows.into_iter()
                        .map(|c| (c.row, deadline(now, c.wait), run)),
                );
                continue;
            }
            Claim::Halted(why) => {
                let mut halted = shared.halted.lock().await;
                if halted.is_none() {
                    *halted = Some(why.clone());
                    shared.emit(Event::Halted { why });
                }
                break;
            }
            // No row leased, so every task of ours has recorded its row (one
            // to send again would be claimable): those left only end.
            Claim::Done => break,
            Claim::Wait(wait) => wait,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            Some(done) = tasks.join_next(), if !tasks.is_empty() => note(done, &mut first_error),
            _ = stop.changed() => {}
        }
    }
    // Rows claimed but not started go back at once.
    for (row, _, _) in queue {
        shared
            .store
            .release(&s.campaign, &s.worker, row.line)
            .await?;
    }
    while let Some(done) = tasks.join_next().await {
        note(done, &mut first_error);
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// When a wait of `wait` from `now` ends. The store's waits and pauses are
/// data (a stored schedule, a caller's limits): one past what the clock holds
/// ends [`LONGEST_PAUSE`] from now, as tokio's own `sleep` takes it, instead
/// of an overflow panic (and at `now` on a clock that cannot even hold that).
fn deadline(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait)
        .or_else(|| now.checked_add(LONGEST_PAUSE))
        .unwrap_or(now)
}

fn note(
    done: Result<Result<(), RunError>, tokio::task::JoinError>,
    first_error: &mut Option<RunError>,
) {
    let error = match done {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e,
        Err(join) => RunError::Task(join.to_string()),
    };
    first_error.get_or_insert(error);
}

async fn send_row<I: Issuer>(
    shared: &Shared<I>,
    row: CampaignRow,
    start: Instant,
    run: i64,
) -> Result<(), RunError> {
    let s = &shared.settings;
    // The campaign's rate schedule, then any pause this worker saw.
    tokio::time::sleep_until(start).await;
    let until = *shared.pause_until.lock().await;
    if let Some(until) = until {
        tokio::time::sleep_until(until).await;
    }
    if shared.stopping().await {
        shared
            .store
            .release(&s.campaign, &s.worker, row.line)
            .await?;
        return Ok(());
    }
    let mut params = row.params.clone();
    params.push((s.tr_id_wire.to_owned(), row.tr_id.clone()));
    if let Err((code, why)) = shared.issuer.check(&params) {
        let entry = Entry {
            state: RowState::Invalid,
            code: Some(code),
            message: Some(&why),
            order: None,
            coupons: None,
        };
        finish(shared, &row, &entry, false, row.limit_hits).await?;
        return Ok(());
    }
    if !shared
        .store
        .start_attempt(&s.campaign, &s.worker, row.line, run)
        .await?
    {
        shared.emit(Event::LeaseLost { line: row.line });
        return Ok(());
    }
    if row.limit_hits == 0 {
        shared.sent.fetch_add(1, Ordering::Relaxed);
    }
    let outcome = shared.issuer.issue(params).await;
    let entry = Entry::of(&outcome);
    let (again, hits) = match &outcome {
        RowOutcome::Refused { code, .. } if refusal(*code) == Refusal::Retry => {
            let hits = row.limit_hits.saturating_add(1);
            (hits < shared.limit_retries, hits)
        }
        _ => (false, row.limit_hits),
    };
    // A code that may be sent again pauses the campaign before the row is
    // given back, so that no worker claims it again before the pause.
    if let RowOutcome::Refused { code, .. } = &outcome
        && refusal(*code) == Refusal::Retry
    {
        let pause = shared.store.pause(&s.campaign).await?;
        shared.paused.store(true, Ordering::Relaxed);
        {
            let mut until = shared.pause_until.lock().await;
            let end = deadline(Instant::now(), pause);
            if until.is_none_or(|t| t < end) {
                *until = Some(end);
            }
        }
        shared.pauses.fetch_add(1, Ordering::Release);
        shared.emit(Event::Paused { code: *code, pause });
    }
    finish(shared, &row, &entry, again, hits).await?;
    match outcome {
        // The next pause is the first one again (one write, by the worker
        // that paused: the others' rows need not touch the campaign's row).
        RowOutcome::Issued { .. } if shared.paused.swap(false, Ordering::Relaxed) => {
            shared.store.reset_pause(&s.campaign).await?;
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
                shared
                    .halt(format!(
                        "stopped: the server answered {} — not retried (retry: never); {admin}rerun to resume (same TR_IDs)",
                        code.display(coufun_api::Lang::En),
                    ))
                    .await?;
            }
            // The limit outlasted every pause: stop sending; a later run resumes.
            Refusal::Retry if !again => {
                shared
                    .halt(format!(
                        "stopped: the server kept answering {} after {} pauses; rerun later to resume",
                        code.display(coufun_api::Lang::En),
                        shared.limit_retries
                    ))
                    .await?;
            }
            Refusal::Retry | Refusal::Final => {}
        },
        _ => {}
    }
    Ok(())
}

/// Records `entry` for `row` and reports it.
async fn finish<I>(
    shared: &Shared<I>,
    row: &CampaignRow,
    entry: &Entry<'_>,
    again: bool,
    hits: u32,
) -> Result<(), RunError> {
    let s = &shared.settings;
    let kept = shared
        .store
        .record(&s.campaign, &s.worker, row.line, entry, again, hits)
        .await?;
    if kept {
        shared.emit(Event::Outcome {
            line: row.line,
            state: entry.state,
            code: entry.code,
            again,
        });
    } else {
        shared.emit(Event::LeaseLost { line: row.line });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wait past any clock (`Duration::MAX`: `now + wait` panics) ends
    /// [`LONGEST_PAUSE`] from now; a wait the clock holds ends as added.
    #[test]
    fn a_wait_past_any_clock_ends_the_longest_pause_from_now() {
        let now = Instant::now();
        assert_eq!(deadline(now, Duration::MAX), now + LONGEST_PAUSE);
        let five = Duration::from_secs(5);
        assert_eq!(deadline(now, five), now + five);
        assert_eq!(deadline(now, Duration::ZERO), now);
    }
}
