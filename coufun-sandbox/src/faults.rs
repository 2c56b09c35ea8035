//! Fault injection: which request gets which fault, by explicit schedule (request
//! index and/or operation) or by probability from a seed, reproducibly; and the
//! counts of faults injected.

use std::time::Duration;

use coufun_api::OperationId;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde::Serialize;

/// One fault the server can inject into a COUFUN request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// Process the request, then wait this long before answering.
    Delay(Duration),
    /// Commit the operation, then close the connection without answering: the
    /// caller never learns it succeeded.
    DropAfterCommit,
    /// Reset the connection (TCP RST) before anything is committed.
    ResetBeforeCommit,
    /// Answer `502 Bad Gateway` with an HTML page, committing nothing.
    BadGateway,
    /// Answer result code 50 (coupon creation failed), committing nothing.
    Code50,
    /// Answer result code 99 (system error), committing nothing.
    Code99,
    /// Commit, then answer a coupon create with its last `ORDER_INFO` left out
    /// and its `ORDER_CNT` kept: a coupon paid for whose number never arrives.
    /// Other operations answer whole.
    ShortOfACoupon,
    /// Commit an issuing operation (create, send), then answer `00` echoing
    /// another TR_ID than the one sent: another order's answer, as a server's
    /// mix-up would give it. The coupons stay issued in the ledger. Other
    /// operations answer whole.
    ForeignTrId,
    /// Commit an issuing operation (create, send), then answer `00` echoing
    /// another GOODS_ID than the one ordered (create; the send answer echoes
    /// no goods). The coupons stay issued in the ledger. Other operations
    /// answer whole.
    ForeignGoodsId,
}

/// A fault for chosen requests: all conditions given must match.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScheduledFault {
    /// The 0-based index of the COUFUN request (admin requests are not counted).
    pub request_index: Option<u64>,
    /// The operation, from the generated table (a typo cannot compile, so a
    /// scheduled fault never silently misses its operation).
    pub operation: Option<OperationId>,
    /// The fault.
    pub fault: Fault,
}

impl ScheduledFault {
    /// The `index`-th COUFUN request gets `fault`.
    pub fn at(index: u64, fault: Fault) -> Self {
        ScheduledFault {
            request_index: Some(index),
            operation: None,
            fault,
        }
    }

    /// Every request to `operation` gets `fault`.
    pub fn on(operation: OperationId, fault: Fault) -> Self {
        ScheduledFault {
            request_index: None,
            operation: Some(operation),
            fault,
        }
    }

    /// Only the `index`-th request, and only when it is to `operation`.
    pub fn at_on(index: u64, operation: OperationId, fault: Fault) -> Self {
        ScheduledFault {
            request_index: Some(index),
            operation: Some(operation),
            fault,
        }
    }

    fn matches(&self, index: u64, operation: OperationId) -> bool {
        self.request_index.is_none_or(|i| i == index)
            && self.operation.is_none_or(|op| op == operation)
    }
}

/// Random faults: each request draws once (from the seed and its index, so the
/// same request index gets the same fault whatever the timing) and gets at most
/// one fault, the probabilities taken in the order of the fields.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultOdds {
    /// The seed.
    pub seed: u64,
    /// Probability of [`Fault::Delay`] (with `delay`).
    pub delay: f64,
    /// How long a random delay lasts.
    pub delay_for: Duration,
    /// Probability of [`Fault::DropAfterCommit`].
    pub drop_after_commit: f64,
    /// Probability of [`Fault::ResetBeforeCommit`].
    pub reset_before_commit: f64,
    /// Probability of [`Fault::BadGateway`].
    pub bad_gateway: f64,
    /// Probability of [`Fault::Code50`].
    pub code_50: f64,
    /// Probability of [`Fault::Code99`].
    pub code_99: f64,
    /// Probability of [`Fault::ShortOfACoupon`].
    pub short_of_a_coupon: f64,
    /// Probability of [`Fault::ForeignTrId`].
    pub foreign_tr_id: f64,
    /// Probability of [`Fault::ForeignGoodsId`].
    pub foreign_goods_id: f64,
}

impl FaultOdds {
    /// No faults, with this seed; set the probabilities wanted.
    pub fn seeded(seed: u64) -> Self {
        FaultOdds {
            seed,
            ..FaultOdds::default()
        }
    }

    /// Whether any fault has a probability above zero (a delay's length alone
    /// draws nothing).
    pub fn any(&self) -> bool {
        self.choices()
            .iter()
            .any(|(probability, _)| *probability > 0.0)
    }

    fn choices(&self) -> [(f64, Fault); 9] {
        [
            (self.delay, Fault::Delay(self.delay_for)),
            (self.drop_after_commit, Fault::DropAfterCommit),
            (self.reset_before_commit, Fault::ResetBeforeCommit),
            (self.bad_gateway, Fault::BadGateway),
            (self.code_50, Fault::Code50),
            (self.code_99, Fault::Code99),
            (self.short_of_a_coupon, Fault::ShortOfACoupon),
            (self.foreign_tr_id, Fault::ForeignTrId),
            (self.foreign_goods_id, Fault::ForeignGoodsId),
        ]
    }

    fn draw(&self, index: u64) -> Option<Fault> {
        let mut rng = StdRng::seed_from_u64(self.seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let roll: f64 = rng.random();
        let mut threshold = 0.0;
        for (probability, fault) in self.choices() {
            threshold += probability.max(0.0);
            if roll < threshold {
                return Some(fault);
            }
        }
        None
    }
}

/// The faults of one server: the schedule is consulted first (first match wins),
/// then the odds.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct FaultPlan {
    /// Explicit faults.
    pub schedule: Vec<ScheduledFault>,
    /// Random faults.
    pub odds: Option<FaultOdds>,
}

impl FaultPlan {
    /// No faults.
    pub fn none() -> Self {
        FaultPlan::default()
    }

    /// Only these scheduled faults.
    pub fn scheduled(schedule: impl IntoIterator<Item = ScheduledFault>) -> Self {
        FaultPlan {
            schedule: schedule.into_iter().collect(),
            odds: None,
        }
    }

    /// Only random faults.
    pub fn random(odds: FaultOdds) -> Self {
        FaultPlan {
            schedule: Vec::new(),
            odds: Some(odds),
        }
    }

    /// The fault for the `index`-th request, to `operation`.
    pub fn fault_for(&self, index: u64, operation: OperationId) -> Option<Fault> {
        self.schedule
            .iter()
            .find(|s| s.matches(index, operation))
            .map(|s| s.fault)
            .or_else(|| self.odds.and_then(|odds| odds.draw(index)))
    }
}

/// How many faults a server injected, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct FaultCounts {
    /// Delayed answers.
    pub delayed: u64,
    /// Connections dropped after committing.
    pub dropped_after_commit: u64,
    /// Connections reset before committing.
    pub reset_before_commit: u64,
    /// 502 pages.
    pub bad_gateway: u64,
    /// Forced code 50.
    pub code_50: u64,
    /// Forced code 99.
    pub code_99: u64,
    /// Answers short of a coupon number (the fault applied to any operation).
    pub short_of_a_coupon: u64,
    /// Answers echoing another TR_ID (the fault applied to any operation).
    pub foreign_tr_id: u64,
    /// Answers echoing another GOODS_ID (the fault applied to any operation).
    pub foreign_goods_id: u64,
}

impl FaultCounts {
    /// All faults injected.
    pub fn total(&self) -> u64 {
        self.delayed
            + self.dropped_after_commit
            + self.reset_before_commit
            + self.bad_gateway
            + self.code_50
            + self.code_99
            + self.short_of_a_coupon
            + self.foreign_tr_id
            + self.foreign_goods_id
    }

    pub(crate) fn record(&mut self, fault: Fault) {
        match fault {
            Fault::Delay(_) => self.delayed += 1,
            Fault::DropAfterCommit => self.dropped_after_commit += 1,
            Fault::ResetBeforeCommit => self.reset_before_commit += 1,
            Fault::BadGateway => self.bad_gateway += 1,
            Fault::Code50 => self.code_50 += 1,
            Fault::Code99 => self.code_99 += 1,
            Fault::ShortOfACoupon => self.short_of_a_coupon += 1,
            Fault::ForeignTrId => self.foreign_tr_id += 1,
            Fault::ForeignGoodsId => self.foreign_goods_id += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_matches_index_and_operation() {
        let plan = FaultPlan::scheduled([
            ScheduledFault::at_on(2, OperationId::CouponSend, Fault::DropAfterCommit),
            ScheduledFault::on(OperationId::CouponCancel, Fault::BadGateway),
        ]);
        assert_eq!(
            plan.fault_for(2, OperationId::CouponSend),
            Some(Fault::DropAfterCommit)
        );
        assert_eq!(plan.fault_for(2, OperationId::GoodsList), None);
        assert_eq!(plan.fault_for(3, OperationId::CouponSend), None);
        assert_eq!(
            plan.fault_for(7, OperationId::CouponCancel),
            Some(Fault::BadGateway)
        );
    }

    #[test]
    fn random_faults_are_reproducible_and_near_their_odds() {
        let odds = FaultOdds {
            bad_gateway: 0.3,
            ..FaultOdds::seeded(42)
        };
        let plan = FaultPlan::random(odds);
        let first: Vec<_> = (0..1000)
            .map(|i| plan.fault_for(i, OperationId::GoodsList))
            .collect();
        let again: Vec<_> = (0..1000)
            .map(|i| plan.fault_for(i, OperationId::GoodsList))
            .collect();
        assert_eq!(first, again);
        let hits = first.iter().filter(|f| f.is_some()).count();
        assert!((200..400).contains(&hits), "{hits} of 1000");
        let other_seed = FaultPlan::random(FaultOdds { seed: 43, ..odds });
        let other: Vec<_> = (0..1000)
            .map(|i| other_seed.fault_for(i, OperationId::GoodsList))
            .collect();
        assert_ne!(first, other);
    }

    #[test]
    fn odds_are_any_only_with_a_probability_above_zero() {
        let quiet = FaultOdds {
            delay_for: Duration::from_millis(3000),
            ..FaultOdds::seeded(1)
        };
        assert!(!quiet.any(), "a delay's length alone draws nothing");
        for i in 0..9 {
            let mut odds = quiet;
            let probability = [
                &mut odds.delay,
                &mut odds.drop_after_commit,
                &mut odds.reset_before_commit,
                &mut odds.bad_gateway,
                &mut odds.code_50,
                &mut odds.code_99,
                &mut odds.short_of_a_coupon,
                &mut odds.foreign_tr_id,
                &mut odds.foreign_goods_id,
            ];
            *probability[i] = 0.01;
            assert!(odds.any(), "fault {i} at 0.01");
        }
    }

    #[test]
    fn every_fault_can_be_drawn_and_is_counted_as_itself() {
        let each = 1.0 / 9.0;
        let odds = FaultOdds {
            delay: each,
            delay_for: Duration::from_millis(5),
            drop_after_commit: each,
            reset_before_commit: each,
            bad_gateway: each,
            code_50: each,
            code_99: each,
            short_of_a_coupon: each,
            foreign_tr_id: each,
            foreign_goods_id: each,
            ..FaultOdds::seeded(9)
        };
        let plan = FaultPlan::random(odds);
        let mut counts = FaultCounts::default();
        for i in 0..900 {
            if let Some(fault) = plan.fault_for(i, OperationId::CouponCreate) {
                counts.record(fault);
            }
        }
        let each_count = [
            counts.delayed,
            counts.dropped_after_commit,
            counts.reset_before_commit,
            counts.bad_gateway,
            counts.code_50,
            counts.code_99,
            counts.short_of_a_coupon,
            counts.foreign_tr_id,
            counts.foreign_goods_id,
        ];
        assert!(
            each_count.iter().all(|&n| (50..150).contains(&n)),
            "{counts:?}"
        );
        assert_eq!(counts.total(), each_count.iter().sum::<u64>());
    }
}
