//! The sandbox as COUFUN's sender of exchange notifications: [`NoticeSender`]
//! POSTs each notice (an EUC-KR form) to the merchant's URL, retries on any
//! answer but `00`/`04` on a schedule (the manual's 10 minutes by default), and
//! keeps a log of every delivery and its answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use coufun_api::notice::{
    CouponNumber, ExchangeNotice, NoticeAnswer, NoticeAnswerCode, NoticeError, RETRY_INTERVAL,
};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Where and how notices are sent.
#[derive(Debug, Clone)]
pub struct NoticeSenderConfig {
    /// The merchant's registered URL.
    pub url: String,
    /// The wait between attempts on a notice not yet answered `00`/`04`
    /// (default: the manual's 10 minutes; tests use milliseconds).
    pub retry_interval: Duration,
    /// Attempts per notice before giving up (`None`: never give up).
    pub max_attempts: Option<u32>,
    /// Timeout of one HTTP attempt.
    pub request_timeout: Duration,
}

impl NoticeSenderConfig {
    /// Sends to `url`, retrying every [`RETRY_INTERVAL`] without end.
    pub fn new(url: impl Into<String>) -> Self {
        NoticeSenderConfig {
            url: url.into(),
            retry_interval: RETRY_INTERVAL,
            max_attempts: None,
            request_timeout: Duration::from_secs(10),
        }
    }

    /// With `interval` between attempts.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// At most `attempts` attempts per notice.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
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
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The coupon (masked in `Debug`).
    pub coupon_number: CouponNumber,
    /// `EXCHANGE_NUM`.
    pub approval_number: String,
    /// `STATUS`, as sent.
    pub state: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When the attempt ended.
    pub at: SystemTime,
    /// What it got.
    pub result: AttemptResult,
}

/// A notice that cannot be sent: it breaks a limit of the spec (nothing is sent).
#[derive(Debug, thiserror::Error)]
#[error("the notice cannot be sent")]
pub struct EnqueueError(#[source] pub NoticeError);

/// The sender's HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("the notice sender's HTTP client cannot be built")]
pub struct SenderBuildError(#[source] pub reqwest::Error);

#[derive(Debug, Default)]
struct Shared {
    log: Mutex<Vec<DeliveryRecord>>,
}

/// Sends exchange notices to one merchant URL; each notice retries on its own.
#[derive(Debug)]
pub struct NoticeSender {
    config: Arc<NoticeSenderConfig>,
    http: reqwest::Client,
    shared: Arc<Shared>,
    tasks: Mutex<JoinSet<()>>,
    pending: watch::Sender<usize>,
}

impl NoticeSender {
    /// A sender with `config` (call from within a tokio runtime).
    pub fn new(config: NoticeSenderConfig) -> Result<Self, SenderBuildError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(SenderBuildError)?;
        Ok(NoticeSender {
            config: Arc::new(config),
            http,
            shared: Arc::default(),
            tasks: Mutex::new(JoinSet::new()),
            pending: watch::channel(0).0,
        })
    }

    /// Queues `notice`: it is sent now and again on the schedule until answered
    /// `00` or `04` (or `max_attempts` is reached). Refuses, sending nothing, a
    /// notice that breaks a limit of the spec.
    pub fn enqueue(&self, notice: ExchangeNotice) -> Result<(), EnqueueError> {
        let body = notice.to_form().map_err(EnqueueError)?;
        self.pending.send_modify(|n| *n += 1);
        let config = Arc::clone(&self.config);
        let http = self.http.clone();
        let shared = Arc::clone(&self.shared);
        let pending = self.pending.clone();
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.spawn(async move {
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                let result = post(&http, &config.url, body.clone()).await;
                let done = result.is_final();
                shared
                    .log
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(DeliveryRecord {
                        coupon_number: notice.coupon_number.clone(),
                        approval_number: notice.approval_number.clone(),
                        state: notice.state.as_str().to_owned(),
                        attempt,
                        at: SystemTime::now(),
                        result,
                    });
                if done || config.max_attempts.is_some_and(|max| attempt >= max) {
                    break;
                }
                tokio::time::sleep(config.retry_interval).await;
            }
            pending.send_modify(|n| *n = n.saturating_sub(1));
        });
        Ok(())
    }

    /// Every attempt so far, in the order they ended.
    pub fn log(&self) -> Vec<DeliveryRecord> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many notices are still being delivered.
    pub fn pending(&self) -> usize {
        *self.pending.borrow()
    }

    /// Waits until every queued notice is answered `00`/`04` or given up, or
    /// `timeout` passes; `true` when nothing is pending.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut rx = self.pending.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Stops every delivery still retrying.
    pub fn shutdown(&self) {
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .abort_all();
    }
}

impl Drop for NoticeSender {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>) -> AttemptResult {
    let response = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            ExchangeNotice::form_content_type(),
        )
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(r) => r,
        Err(e) => {
            return AttemptResult::Failed {
                reason: format!("request failed: {}", e.without_url()),
            };
        }
    };
    let status = response.status();
    if !status.is_success() {
        return AttemptResult::Failed {
            reason: format!("HTTP {status}"),
        };
    }
    match response.bytes().await {
        Ok(bytes) => match NoticeAnswer::decode(&bytes) {
            Ok(answer) => AttemptResult::Answered {
                code: answer.code().clone(),
                exchange_id: answer.exchange_id().map(str::to_owned),
            },
            Err(e) => AttemptResult::Failed {
                reason: e.to_string(),
            },
        },
        Err(e) => AttemptResult::Failed {
            reason: format!("reading the answer failed: {}", e.without_url()),
        },
    }
}
