//! The sandbox as COUFUN's sender of exchange notifications: [`NoticeSender`]
//! POSTs each notice (an EUC-KR form) to the merchant's URL, retries on any
//! answer but `00`/`04` on a schedule (the manual's interval, [`RETRY_INTERVAL`], by default), and
//! keeps a log of every delivery and its answer. First attempts go out in the
//! order notices were queued; retries run on their own.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use coufun_api::notice::{
    CouponNumber, ExchangeNotice, NoticeAnswer, NoticeAnswerCode, NoticeError, RETRY_INTERVAL,
};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::lock;

/// The shortest wait between two attempts at one notice: a shorter
/// [`NoticeSenderConfig::retry_interval`] (zero included) is held at it, so a
/// notice that fails at once (a merchant down, or answering `99` at once) is
/// not sent again in a loop that keeps a core busy and floods the merchant.
/// 5 ms is the shortest schedule in use (the sender's own tests), so no
/// schedule in use changes; it is five ticks of the timer the sender sleeps
/// on (tokio's, 1 ms), and it keeps such a notice to 200 attempts a second at
/// most (measured on a loaded debug build: with no floor, one attempt every
/// 1.7 ms back to back; with a 1 ms floor the sender was still busy more than
/// half the time).
pub const MIN_RETRY_INTERVAL: Duration = Duration::from_millis(5);

/// Where and how notices are sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NoticeSenderConfig {
    /// The merchant's registered URL.
    pub url: String,
    /// The wait between attempts on a notice not yet answered `00`/`04`
    /// (default: the manual's [`RETRY_INTERVAL`]; tests use milliseconds). Never
    /// shorter than [`MIN_RETRY_INTERVAL`]: a shorter one is held at it.
    pub retry_interval: Duration,
    /// Attempts per notice before giving up (`None`: never give up). The first
    /// attempt is always made, so `Some(0)` is `Some(1)`.
    pub max_attempts: Option<u32>,
    /// Timeout of one HTTP attempt.
    pub request_timeout: Duration,
    /// A fault for reliability tests: the indexes (from 0, over every POST this
    /// sender makes) whose answer is thrown away as if the connection dropped
    /// after the merchant answered. The notice is sent again, so the merchant
    /// sees a duplicate of a notice it already processed.
    pub lose_answers: BTreeSet<u64>,
}

impl NoticeSenderConfig {
    /// Sends to `url`, retrying every [`RETRY_INTERVAL`] without end.
    pub fn new(url: impl Into<String>) -> Self {
        NoticeSenderConfig {
            url: url.into(),
            retry_interval: RETRY_INTERVAL,
            max_attempts: None,
            request_timeout: Duration::from_secs(10),
            lose_answers: BTreeSet::new(),
        }
    }

    /// With `interval` between attempts, held at [`MIN_RETRY_INTERVAL`] at least.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval.max(MIN_RETRY_INTERVAL);
        self
    }

    /// At most `attempts` attempts per notice (the first is always made: 0 is 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// With `timeout` for one HTTP attempt.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Throws away the answers of these POSTs (indexes from 0), so their
    /// notices are delivered again: see [`NoticeSenderConfig::lose_answers`].
    pub fn lose_answers(mut self, indexes: impl IntoIterator<Item = u64>) -> Self {
        self.lose_answers.extend(indexes);
        self
    }
}

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptResult {
    /// The merchant answered.
    Answered {
        /// `RESULTCODE`.
        code: NoticeAnswerCode,
        /// `EXCHANGE_ID`, when given.
        exchange_id: Option<String>,
    },
    /// The merchant answered, but an injected fault threw the answer away
    /// ([`NoticeSenderConfig::lose_answers`]): the notice is sent again.
    AnswerLost {
        /// The `RESULTCODE` the merchant gave.
        code: NoticeAnswerCode,
        /// The `EXCHANGE_ID` it gave.
        exchange_id: Option<String>,
    },
    /// No usable answer (connection, HTTP status, XML).
    Failed {
        /// Why (never holding the coupon number).
        reason: String,
    },
}

impl AttemptResult {
    /// Whether COUFUN stops sending this notice (`00` or `04`).
    pub fn is_final(&self) -> bool {
        matches!(self, AttemptResult::Answered { code, .. } if code.stops_retry())
    }

    /// The merchant's `RESULTCODE`, when it answered (even if the answer was lost).
    pub fn code(&self) -> Option<&NoticeAnswerCode> {
        match self {
            AttemptResult::Answered { code, .. } | AttemptResult::AnswerLost { code, .. } => {
                Some(code)
            }
            AttemptResult::Failed { .. } => None,
        }
    }

    /// The merchant's `EXCHANGE_ID`, when it gave one.
    pub fn exchange_id(&self) -> Option<&str> {
        match self {
            AttemptResult::Answered { exchange_id, .. }
            | AttemptResult::AnswerLost { exchange_id, .. } => exchange_id.as_deref(),
            AttemptResult::Failed { .. } => None,
        }
    }
}

/// One line of the delivery log: one POST of one notice and what it got.
/// Serialized (the admin ledger route) with the coupon number in clear, as the
/// rest of the sandbox's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryRecord {
    /// The coupon (masked in `Debug`).
    pub coupon_number: CouponNumber,
    /// `EXCHANGE_NUM`.
    pub approval_number: String,
    /// `STATUS`, as sent.
    pub state: String,
    /// `PRICE`, as sent.
    pub price: i64,
    /// `BALANCE`, as sent.
    pub balance: i64,
    /// 1 for the first attempt at this notice.
    pub attempt: u32,
    /// The POST's index among all this sender made (from 0).
    pub index: u64,
    /// When the attempt ended.
    pub at: SystemTime,
    /// What it got.
    pub result: AttemptResult,
}

impl Serialize for DeliveryRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (outcome, reason) = match &self.result {
            AttemptResult::Answered { .. } => ("answered", None),
            AttemptResult::AnswerLost { .. } => ("answer_lost", None),
            AttemptResult::Failed { reason } => ("failed", Some(reason.as_str())),
        };
        let at = jiff::Timestamp::try_from(self.at)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let mut s = serializer.serialize_struct("DeliveryRecord", 12)?;
        s.serialize_field("coupon_number", self.coupon_number.as_str())?;
        s.serialize_field("approval_number", &self.approval_number)?;
        s.serialize_field("state", &self.state)?;
        s.serialize_field("price", &self.price)?;
        s.serialize_field("balance", &self.balance)?;
        s.serialize_field("attempt", &self.attempt)?;
        s.serialize_field("index", &self.index)?;
        s.serialize_field("at", &at)?;
        s.serialize_field("outcome", outcome)?;
        s.serialize_field("code", &self.result.code().map(|c| c.as_str()))?;
        s.serialize_field("exchange_id", &self.result.exchange_id())?;
        s.serialize_field("reason", &reason)?;
        s.end()
    }
}

/// A notice that cannot be sent: it breaks a limit of the spec (nothing is sent).
#[derive(Debug, thiserror::Error)]
#[error("the notice cannot be sent")]
pub struct EnqueueError(#[source] pub NoticeError);

/// The sender's HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("the notice sender's HTTP client cannot be built")]
pub struct SenderBuildError(#[source] pub reqwest::Error);

/// One queued notice.
#[derive(Debug)]
struct Job {
    notice: ExchangeNotice,
    body: Vec<u8>,
}

/// What the sender's tasks share.
#[derive(Debug)]
struct Shared {
    config: NoticeSenderConfig,
    http: reqwest::Client,
    log: Mutex<Vec<DeliveryRecord>>,
    posts: AtomicU64,
    pending: watch::Sender<usize>,
    retries: Mutex<JoinSet<()>>,
}

/// Sends exchange notices to one merchant URL: the first attempt of each in
/// queue order, then each retries on its own.
#[derive(Debug)]
pub struct NoticeSender {
    shared: Arc<Shared>,
    queue: mpsc::UnboundedSender<Job>,
    worker: tokio::task::JoinHandle<()>,
}

impl NoticeSender {
    /// A sender with `config` (call from within a tokio runtime); a
    /// `retry_interval` set below [`MIN_RETRY_INTERVAL`] is held at it.
    pub fn new(mut config: NoticeSenderConfig) -> Result<Self, SenderBuildError> {
        config.retry_interval = config.retry_interval.max(MIN_RETRY_INTERVAL);
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(SenderBuildError)?;
        let shared = Arc::new(Shared {
            config,
            http,
            log: Mutex::default(),
            posts: AtomicU64::new(0),
            pending: watch::channel(0).0,
            retries: Mutex::new(JoinSet::new()),
        });
        let (queue, jobs) = mpsc::unbounded_channel();
        let worker = tokio::spawn(first_attempts(Arc::clone(&shared), jobs));
        Ok(NoticeSender {
            shared,
            queue,
            worker,
        })
    }

    /// Queues `notice`: it is sent (after the notices queued before it) and
    /// again on the schedule until answered `00` or `04` (or `max_attempts` is
    /// reached). Refuses, sending nothing, a notice that breaks a limit of the spec.
    pub fn enqueue(&self, notice: ExchangeNotice) -> Result<(), EnqueueError> {
        let body = notice.to_form().map_err(EnqueueError)?;
        self.shared.pending.send_modify(|n| *n += 1);
        if self.queue.send(Job { notice, body }).is_err() {
            // The worker is gone (shut down): nothing will be sent.
            self.shared
                .pending
                .send_modify(|n| *n = n.saturating_sub(1));
        }
        Ok(())
    }

    /// Every attempt so far, in the order they ended.
    pub fn log(&self) -> Vec<DeliveryRecord> {
        lock(&self.shared.log).clone()
    }

    /// How many notices are still being delivered.
    pub fn pending(&self) -> usize {
        *self.shared.pending.borrow()
    }

    /// Waits until every queued notice is answered `00`/`04` or given up, or
    /// `timeout` passes; `true` when nothing is pending.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut rx = self.shared.pending.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Stops every delivery still pending.
    pub fn shutdown(&self) {
        self.worker.abort();
        lock(&self.shared.retries).abort_all();
    }
}

impl Drop for NoticeSender {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Makes the first attempt of each job in queue order; hands the ones still
/// unanswered to their own retry task.
async fn first_attempts(shared: Arc<Shared>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        if attempt(&shared, &job, 1).await {
            done(&shared);
            continue;
        }
        let task_shared = Arc::clone(&shared);
        let mut retries = lock(&shared.retries);
        // Reap the retries that ended, so the set does not grow without bound.
        while retries.try_join_next().is_some() {}
        retries.spawn(async move {
            let mut n: u32 = 1;
            loop {
                tokio::time::sleep(task_shared.config.retry_interval).await;
                n = n.saturating_add(1);
                if attempt(&task_shared, &job, n).await {
                    break;
                }
            }
            done(&task_shared);
        });
    }
}

fn done(shared: &Shared) {
    shared.pending.send_modify(|n| *n = n.saturating_sub(1));
}

/// Attempt number `n` at `job`, logged; `true` when no further attempt follows.
async fn attempt(shared: &Shared, job: &Job, n: u32) -> bool {
    let index = shared.posts.fetch_add(1, Ordering::SeqCst);
    let mut result = post(&shared.http, &shared.config.url, job.body.clone()).await;
    if shared.config.lose_answers.contains(&index)
        && let AttemptResult::Answered { code, exchange_id } = result
    {
        tracing::debug!(index, "notice answer thrown away (injected fault)");
        result = AttemptResult::AnswerLost { code, exchange_id };
    }
    let last = result.is_final() || shared.config.max_attempts.is_some_and(|max| n >= max);
    let notice = &job.notice;
    lock(&shared.log).push(DeliveryRecord {
        coupon_number: notice.coupon_number.clone(),
        approval_number: notice.approval_number.clone(),
        state: coufun_api::notice::reported_wire(&notice.state).into_owned(),
        price: notice.price,
        balance: notice.balance,
        attempt: n,
        index,
        at: SystemTime::now(),
        result,
    });
    last
}

async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>) -> AttemptResult {
    let answered = async {
        let response = http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                ExchangeNotice::form_content_type(),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| format!("request failed: {}", e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("reading the answer failed: {}", e.without_url()))?;
        NoticeAnswer::decode(&bytes).map_err(|e| e.to_string())
    };
    match answered.await {
        Ok(answer) => AttemptResult::Answered {
            code: answer.code().clone(),
            exchange_id: answer.exchange_id().map(str::to_owned),
        },
        Err(reason) => AttemptResult::Failed { reason },
    }
}
