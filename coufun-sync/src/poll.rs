//! Polling: asks COUFUN's status operation about every open coupon, at a rate
//! and concurrency the caller sets, and writes what it sees through the store
//! (which decides whether it is a change). [`poll_round`] does one round;
//! [`run`] repeats rounds until told to stop.

use std::sync::Arc;
use std::time::Duration;

use coufun_api::responses::{CouponStatusItem, CouponStatusResponse};
use coufun_api::{Charset, Client, CouponNumber, CouponStatusRequest};
use futures_util::StreamExt;
use tokio::sync::Mutex;
use tokio::time::{Interval, MissedTickBehavior};

use crate::clock::korean_day;
use crate::error::SyncError;
use crate::state::{Observation, Verdict};
use crate::store::{Applied, DueCoupon, SyncStore};

/// How polling goes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PollConfig {
    /// Most status calls started per second, over the whole round.
    pub rate_per_second: f64,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// Most coupons asked about in one round (the least recently polled first).
    pub batch: usize,
    /// The charset the client sends in.
    pub charset: Charset,
}

impl Default for PollConfig {
    /// 10 calls a second, 4 at once, up to 10,000 coupons a round, CP949.
    fn default() -> Self {
        PollConfig {
            rate_per_second: 10.0,
            concurrency: 4,
            batch: 10_000,
            charset: Charset::Cp949,
        }
    }
}

impl PollConfig {
    /// At most `rate` calls started per second (a rate that is not a positive
    /// number means no cap). The gap between two starts is at least a
    /// nanosecond and at most 30 years: a rate above 10⁹ is taken as 10⁹, one
    /// below one call in 30 years as that.
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate_per_second = rate;
        self
    }

    /// `n` calls in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// At most `n` coupons a round.
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n;
        self
    }

    /// The charset the client sends in.
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }
}

/// What one round saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct RoundReport {
    /// Coupons asked about.
    pub polled: u64,
    /// Changes recorded (one history row each).
    pub changed: u64,
    /// Answers that were the state recorded.
    pub unchanged: u64,
    /// Answers dropped as older than what was recorded meanwhile.
    pub stale: u64,
    /// Calls that failed or answered no state (logged, coupon numbers masked).
    pub failed: u64,
    /// Coupons still open after the round.
    pub open: u64,
}

enum Outcome {
    Applied(Applied),
    Failed,
}

/// The record of `answer` about `number`: the one with that number, else the
/// only one (the status manual's sample holds one record, flat).
fn record_of<'a>(
    answer: &'a CouponStatusResponse,
    number: &CouponNumber,
) -> Option<&'a CouponStatusItem> {
    answer
        .coupons
        .iter()
        .find(|c| {
            c.coupon_number
                .as_ref()
                .is_some_and(|n| n.as_str().trim() == number.as_str())
        })
        .or(match answer.coupons.as_slice() {
            [only] => Some(only),
            _ => None,
        })
}

async fn poll_one(
    store: &SyncStore,
    client: &Client,
    due: &DueCoupon,
    charset: Charset,
) -> Outcome {
    let request = CouponStatusRequest::builder()
        .goods_id(due.goods.clone())
        .coupon_number(due.number.clone())
        .build_with(charset);
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(coupon = ?due.number, error = %e, "a held coupon does not make a status request");
            return Outcome::Failed;
        }
    };
    let seen = match client.coupon_status(&request).await {
        Ok(answer) => record_of(&answer, &due.number).and_then(Observation::from_status),
        Err(e) => {
            tracing::warn!(coupon = ?due.number, error = %e, "status lookup failed");
            None
        }
    };
    let Some(seen) = seen else {
        if let Err(e) = store.polled_without_answer(&due.number).await {
            tracing::warn!(coupon = ?due.number, error = %e, "cannot record the poll");
        }
        return Outcome::Failed;
    };
    match store.record_poll(&due.number, &seen, due.version).await {
        Ok(applied) => Outcome::Applied(applied),
        Err(e) => {
            tracing::warn!(coupon = ?due.number, error = %e, "cannot record the poll's answer");
            Outcome::Failed
        }
    }
}

/// The longest gap between two calls a rate makes: the SDK's longest wait,
/// [`coufun_api::client::LONGEST_TIMEOUT`] (30 years, the longest period a
/// tokio interval keeps), for a rate smaller than one call in that time, even
/// one too small for any duration to hold one over it.
const LONGEST_GAP: Duration = coufun_api::client::LONGEST_TIMEOUT;

/// The gap between two calls at `rate` (a positive, finite number), from a
/// nanosecond (a rate beyond 10⁹ a second) to [`LONGEST_GAP`].
fn gap(rate: f64) -> Duration {
    Duration::try_from_secs_f64(1.0 / rate).map_or(LONGEST_GAP, |gap| {
        gap.clamp(Duration::from_nanos(1), LONGEST_GAP)
    })
}

fn pacer(rate: f64) -> Option<Arc<Mutex<Interval>>> {
    (rate.is_finite() && rate > 0.0).then(|| {
        let mut interval = tokio::time::interval(gap(rate));
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Arc::new(Mutex::new(interval))
    })
}

/// One round: every open coupon (up to `config.batch`, least recently polled
/// first) asked about once.
pub async fn poll_round(
    store: &SyncStore,
    client: &Client,
    config: &PollConfig,
) -> Result<RoundReport, SyncError> {
    let today = korean_day(jiff::Timestamp::now());
    let due = store.due(today, config.batch).await?;
    let pace = pacer(config.rate_per_second);
    let polled = due.len() as u64;
    let outcomes: Vec<Outcome> = futures_util::stream::iter(due)
        .map(|due| {
            let pace = pace.clone();
            async move {
                if let Some(pace) = pace {
                    pace.lock().await.tick().await;
                }
                poll_one(store, client, &due, config.charset).await
            }
        })
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    let mut report = RoundReport {
        polled,
        ..RoundReport::default()
    };
    for outcome in outcomes {
        match outcome {
            Outcome::Applied(Applied::Recorded { .. }) => report.changed += 1,
            Outcome::Applied(Applied::Unchanged(Verdict::Stale)) => report.stale += 1,
            Outcome::Applied(Applied::Unchanged(_)) => report.unchanged += 1,
            Outcome::Applied(_) | Outcome::Failed => report.failed += 1,
        }
    }
    report.open = store.open_count(today).await?;
    Ok(report)
}

/// Rounds every `every` (from the start of one to the start of the next; a
/// round that takes longer is followed at once) until `stop` completes;
/// `on_round` gets each report. A round whose store fails ends the run.
pub async fn run(
    store: &SyncStore,
    client: &Client,
    config: &PollConfig,
    every: Duration,
    stop: impl std::future::Future<Output = ()>,
    mut on_round: impl FnMut(&RoundReport),
) -> Result<(), SyncError> {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            _ = ticks.tick() => {}
        }
        tokio::select! {
            () = &mut stop => return Ok(()),
            report = poll_round(store, client, config) => on_round(&report?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rate whose gap no duration holds, or one shorter than a nanosecond,
    /// is paced at the longest or shortest gap: both used to panic building
    /// the pacer (`Duration::from_secs_f64` overflowed; `interval` refused a
    /// zero period).
    #[tokio::test]
    async fn a_rate_too_small_or_too_large_for_a_duration_is_paced_at_the_bounds() {
        for (rate, expected) in [
            (1e-300, LONGEST_GAP),
            (f64::MIN_POSITIVE, LONGEST_GAP),
            (5e-324, LONGEST_GAP),
            (1e-10, LONGEST_GAP),
            (1e9, Duration::from_nanos(1)),
            (1e10, Duration::from_nanos(1)),
            (1e300, Duration::from_nanos(1)),
            (f64::MAX, Duration::from_nanos(1)),
        ] {
            assert_eq!(gap(rate), expected, "{rate}");
            let pace = pacer(rate).expect("a positive rate is paced");
            assert_eq!(pace.lock().await.period(), expected, "{rate}");
        }
    }

    /// Rates within the bounds keep their gap; no cap without a positive,
    /// finite rate.
    #[test]
    fn a_rate_within_the_bounds_keeps_its_gap() {
        assert_eq!(gap(10.0), Duration::from_millis(100));
        assert_eq!(gap(0.5), Duration::from_secs(2));
        assert_eq!(gap(0.25), Duration::from_secs(4));
        // One call in 29 years (of 365 days) is within the bounds: 30 years.
        let years = |n: u64| Duration::from_secs(n * 365 * 86_400);
        let gap_29 = gap(1.0 / years(29).as_secs_f64());
        assert!(
            gap_29.abs_diff(years(29)) < Duration::from_millis(1),
            "{gap_29:?}"
        );
        assert_eq!(LONGEST_GAP, years(30));
        assert_eq!(gap(1e6), Duration::from_micros(1));
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(pacer(rate).is_none(), "{rate}");
        }
    }
}
