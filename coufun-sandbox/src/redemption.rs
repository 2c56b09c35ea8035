//! Redemptions: a shop using a coupon (in whole, or an amount of an `AMOUNT`
//! voucher) or cancelling such a use. One pure function applies one to a coupon
//! and returns what happened — the facts an exchange notification carries
//! (coupon number, approval number, state, time, shop, amount, balance) — and
//! [`Redemption::to_notice`] turns that into the notice the sandbox sends.

use coufun_api::notice::{
    CouponNumber, CouponStatus, CouponType, ExchangeNotice, ExchangeNoticeRequired, NoticeError,
    Reported,
};
use coufun_api::privacy::mask;
use jiff::civil::DateTime;
use serde::Serialize;

use crate::bridge::timestamp;
use crate::config::Branch;
use crate::ledger::{Coupon, wire_text};

/// What a shop does with a coupon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RedeemAction {
    /// Uses it: an exchange voucher in whole; an `AMOUNT` voucher by this
    /// amount, or its whole balance when `None`.
    Use(Option<u64>),
    /// Cancels a use: an exchange voucher becomes unused again; an `AMOUNT`
    /// voucher gets this amount back (at most up to its face value).
    CancelUse(u64),
}

/// One redemption or use-cancel, as it happened. `Debug` masks the coupon
/// number (a bearer value).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Redemption {
    /// The coupon (`BARCODE_NUM`).
    pub coupon_number: String,
    /// Its goods.
    pub goods_id: String,
    /// Exchange or stored-value voucher.
    #[serde(serialize_with = "wire_text")]
    pub kind: CouponType,
    /// A use, or the cancel of one.
    pub action: RedeemAction,
    /// The approval number of this use or use-cancel (`EXCHANGE_NUM`), unique per event.
    pub approval_number: String,
    /// The shop (`BRANCH_NAME`, `BRANCH_CODE`).
    pub branch: Branch,
    /// The coupon's state afterwards. An `AMOUNT` voucher stays used until a
    /// cancel gives back its whole face value (its notice still reports the
    /// cancel as `000`: see [`Redemption::to_notice`]).
    #[serde(serialize_with = "wire_text")]
    pub state: CouponStatus,
    /// When (`EXCHANGE_DATE`).
    pub at: DateTime,
    /// Exchange voucher: the goods' supply price; `AMOUNT` voucher: the amount
    /// used (or given back).
    pub amount: u64,
    /// What is left: `0` for an exchange voucher.
    pub balance: u64,
}

/// Why a redemption was refused. The coupon number (a bearer value) is held
/// as a [`CouponNumber`], whose `Display` and `Debug` mask it (`***5678`), as
/// this error's message and `Debug` do; [`CouponNumber::as_str`] reads it in
/// clear. A number the caller gave that is no valid coupon number (a
/// [`NoSuchCoupon`](Self::NoSuchCoupon) of an admin route's path, say) is kept
/// as given ([`CouponNumber::reported`]: its
/// [`breaks_rule`](CouponNumber::breaks_rule) says so), masked the same way.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedeemError {
    /// No coupon has this number.
    #[error("no coupon numbered \"{0}\"")]
    NoSuchCoupon(CouponNumber),
    /// The coupon was cancelled.
    #[error("coupon \"{0}\" is cancelled")]
    Cancelled(CouponNumber),
    /// The coupon is past its validity.
    #[error("coupon \"{0}\" is expired")]
    Expired(CouponNumber),
    /// Nothing is left to use.
    #[error("coupon \"{0}\" is already used up")]
    UsedUp(CouponNumber),
    /// No use to cancel.
    #[error("coupon \"{0}\" has no use to cancel")]
    NotUsed(CouponNumber),
    /// A coupon type the sandbox does not know how to redeem.
    #[error("coupon \"{0}\" is of a type the sandbox cannot redeem")]
    UnknownType(CouponNumber),
    /// An amount for an exchange voucher, or a zero amount.
    #[error("coupon \"{coupon}\": amount {amount} is not usable here")]
    BadAmount {
        /// The coupon.
        coupon: CouponNumber,
        /// The amount asked.
        amount: u64,
    },
    /// More than the balance.
    #[error("coupon \"{coupon}\": amount {amount} exceeds the balance {balance}")]
    OverBalance {
        /// The coupon.
        coupon: CouponNumber,
        /// The amount asked.
        amount: u64,
        /// What is left.
        balance: u64,
    },
}

/// The message, whose coupon number is masked.
impl std::fmt::Debug for RedeemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RedeemError")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl std::fmt::Debug for Redemption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redemption")
            .field("coupon_number", &mask(&self.coupon_number))
            .field("goods_id", &self.goods_id)
            .field("kind", &self.kind)
            .field("action", &self.action)
            .field("approval_number", &self.approval_number)
            .field("branch", &self.branch)
            .field("state", &self.state)
            .field("at", &self.at)
            .field("amount", &self.amount)
            .field("balance", &self.balance)
            .finish()
    }
}

/// Where and when a redemption happens: the approval number it gets, the shop, the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `EXCHANGE_NUM` for this use or use-cancel.
    pub approval_number: String,
    /// The shop.
    pub branch: Branch,
    /// The time (Korean time).
    pub at: DateTime,
}

/// Applies `action` to `coupon` as `event`; `price` is the goods' supply price
/// (what an exchange voucher's redemption is worth). Changes nothing on error.
pub fn apply(
    coupon: &mut Coupon,
    price: u64,
    action: RedeemAction,
    event: Event,
) -> Result<Redemption, RedeemError> {
    let now = event.at;
    // The ledger's number, one the sandbox made (so a valid coupon number):
    // `reported` keeps it as it is, with no check that could fail (a test may
    // have put another there).
    let number = || CouponNumber::reported(coupon.coupon_number.clone());
    let bad_amount = |amount| RedeemError::BadAmount {
        coupon: number(),
        amount,
    };
    if coupon.state == CouponStatus::Cancelled {
        return Err(RedeemError::Cancelled(number()));
    }
    if coupon.expired {
        return Err(RedeemError::Expired(number()));
    }
    let (amount, state, remaining) = match (coupon.kind, action) {
        (CouponType::Barcode, RedeemAction::Use(None)) => {
            if coupon.state == CouponStatus::Used {
                return Err(RedeemError::UsedUp(number()));
            }
            (price, CouponStatus::Used, None)
        }
        (CouponType::Barcode, RedeemAction::CancelUse(0)) => {
            if coupon.state != CouponStatus::Used {
                return Err(RedeemError::NotUsed(number()));
            }
            (price, CouponStatus::Unused, None)
        }
        (
            CouponType::Barcode,
            RedeemAction::Use(Some(amount)) | RedeemAction::CancelUse(amount),
        ) => return Err(bad_amount(amount)),
        (CouponType::Amount, RedeemAction::Use(asked)) => {
            let balance = coupon.remaining_amount.unwrap_or(0);
            if balance == 0 {
                return Err(RedeemError::UsedUp(number()));
            }
            let amount = asked.unwrap_or(balance);
            if amount == 0 {
                return Err(bad_amount(amount));
            }
            if amount > balance {
                return Err(RedeemError::OverBalance {
                    coupon: number(),
                    amount,
                    balance,
                });
            }
            (amount, CouponStatus::Used, Some(balance - amount))
        }
        (CouponType::Amount, RedeemAction::CancelUse(amount)) => {
            let total = coupon.total_amount.unwrap_or(0);
            let balance = coupon.remaining_amount.unwrap_or(0);
            if coupon.state != CouponStatus::Used {
                return Err(RedeemError::NotUsed(number()));
            }
            let Some(back) = balance
                .checked_add(amount)
                .filter(|back| amount != 0 && *back <= total)
            else {
                return Err(bad_amount(amount));
            };
            let state = if back == total {
                CouponStatus::Unused
            } else {
                CouponStatus::Used
            };
            (amount, state, Some(back))
        }
        _ => return Err(RedeemError::UnknownType(number())),
    };
    coupon.state = state;
    coupon.exchanged_at = Some(now);
    if remaining.is_some() {
        coupon.remaining_amount = remaining;
    }
    Ok(Redemption {
        coupon_number: coupon.coupon_number.clone(),
        goods_id: coupon.goods_id.clone(),
        kind: coupon.kind,
        action,
        approval_number: event.approval_number,
        branch: event.branch,
        state,
        at: now,
        amount,
        balance: remaining.unwrap_or(0),
    })
}

impl Redemption {
    /// The exchange notice COUFUN sends for this event: `PRICE` is the supply
    /// price for a `BARCODE` voucher and the amount used (or given back) for an
    /// `AMOUNT` one; `BALANCE` is 0 for `BARCODE` and what remains for `AMOUNT`;
    /// `STATUS` is `001` for a use and `000` (unused again) for a use-cancel,
    /// even when a partial cancel leaves an `AMOUNT` voucher partly used (its
    /// `BALANCE` tells). An empty branch name or code is left out. Refuses what the
    /// spec's limits refuse (a branch name over 50 EUC-KR bytes, an amount over
    /// 10 digits, a time before year 1).
    pub fn to_notice(&self) -> Result<ExchangeNotice, NoticeError> {
        let time = timestamp(self.at).ok_or_else(|| NoticeError::BadTime {
            field: ExchangeNotice::TIME.wire,
            value: self.at.to_string(),
        })?;
        let amount = |field: coufun_api::notice::InboundField, value: u64| {
            i64::try_from(value).map_err(|_| NoticeError::BadAmount {
                field: field.wire,
                value: value.to_string(),
                max_digits: field.max_bytes,
            })
        };
        let coupon_number = CouponNumber::new(self.coupon_number.clone()).map_err(|violation| {
            NoticeError::Invalid {
                field: ExchangeNotice::COUPON_NUMBER.wire,
                violation,
            }
        })?;
        // STATUS says what happened: a use leaves the coupon used, a use-cancel
        // reports it unused again — also for an `AMOUNT` voucher a partial
        // cancel leaves partly used; its BALANCE says what is left.
        let state = match self.action {
            RedeemAction::Use(_) => CouponStatus::Used,
            RedeemAction::CancelUse(_) => CouponStatus::Unused,
        };
        let (coupon_type, balance) = match self.kind {
            CouponType::Amount => (CouponType::Amount, self.balance),
            other => (other, 0),
        };
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let mut notice = ExchangeNotice::new(ExchangeNoticeRequired {
            coupon_number,
            approval_number: self.approval_number.clone(),
            state: Reported::Known(state),
            time,
            coupon_type: Reported::Known(coupon_type),
            price: amount(ExchangeNotice::PRICE, self.amount)?,
            balance: amount(ExchangeNotice::BALANCE, balance)?,
        });
        notice.branch_name = non_empty(&self.branch.name);
        notice.branch_code = non_empty(&self.branch.code);
        notice.validate()?;
        Ok(notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coupon(kind: CouponType) -> Coupon {
        let amount = (kind == CouponType::Amount).then_some(10_000);
        Coupon {
            coupon_number: "C1".into(),
            goods_id: "G1".into(),
            kind,
            recipient: None,
            state: CouponStatus::Unused,
            expired: false,
            send_count: 0,
            resend_count: 0,
            valid_until: jiff::civil::date(2030, 1, 1),
            total_amount: amount,
            remaining_amount: amount,
            exchanged_at: None,
            cancelled_at: None,
        }
    }

    fn now() -> Event {
        Event {
            approval_number: "SBX1".into(),
            branch: Branch::default(),
            at: jiff::civil::date(2026, 5, 1).at(9, 30, 0, 0),
        }
    }

    /// A redemption and a refusal show the coupon number masked, in `Debug`
    /// and in their message (a bearer value: whoever has it can redeem it).
    #[test]
    fn debug_and_messages_mask_the_coupon_number() {
        let mut c = coupon(CouponType::Barcode);
        c.coupon_number = "900012345678".into();
        let done = apply(&mut c, 4_500, RedeemAction::Use(None), now()).unwrap();
        let shown = format!("{done:?}");
        assert!(shown.starts_with("Redemption {"), "{shown}");
        assert!(
            shown.contains("\"***5678\"") && shown.contains("SBX1"),
            "{shown}"
        );
        assert!(!shown.contains("900012345678"), "{shown}");
        let refused = apply(&mut c, 4_500, RedeemAction::Use(None), now()).unwrap_err();
        for shown in [refused.to_string(), format!("{refused:?}")] {
            assert!(shown.contains("***5678"), "{shown}");
            assert!(!shown.contains("900012345678"), "{shown}");
        }
        assert!(format!("{refused:?}").starts_with("RedeemError("));
        let unknown = crate::SandboxError::Redeem(RedeemError::NoSuchCoupon(
            CouponNumber::reported("900012345678"),
        ));
        for shown in [unknown.to_string(), format!("{unknown:?}")] {
            assert!(shown.contains("***5678"), "{shown}");
            assert!(!shown.contains("900012345678"), "{shown}");
        }
    }

    /// The coupon number a refusal holds, formatted by itself with `{}` and
    /// `{:?}` (whatever its type: one arm per variant).
    fn field_shown(refused: &RedeemError) -> [String; 2] {
        fn shown(number: &(impl std::fmt::Display + std::fmt::Debug)) -> [String; 2] {
            [format!("{number}"), format!("{number:?}")]
        }
        match refused {
            RedeemError::NoSuchCoupon(number) => shown(number),
            RedeemError::Cancelled(number) => shown(number),
            RedeemError::Expired(number) => shown(number),
            RedeemError::UsedUp(number) => shown(number),
            RedeemError::NotUsed(number) => shown(number),
            RedeemError::UnknownType(number) => shown(number),
            RedeemError::BadAmount { coupon, .. } => shown(coupon),
            RedeemError::OverBalance { coupon, .. } => shown(coupon),
        }
    }

    /// Each refusal's coupon field, formatted by itself (`{}`, `{:?}`), shows
    /// the number masked: it was a public `String`, which a caller formatting
    /// the field (rather than the error) printed in clear. The messages keep
    /// their masked form. A number the caller gave that is no valid coupon
    /// number is kept as given, masked the same way.
    #[test]
    fn a_refusals_coupon_field_masks_the_number_by_itself() {
        const CLEAR: &str = "900012345678";
        let numbered = |kind| Coupon {
            coupon_number: CLEAR.into(),
            ..coupon(kind)
        };
        let mut used = numbered(CouponType::Barcode);
        apply(&mut used, 4_500, RedeemAction::Use(None), now()).unwrap();
        let mut cancelled = numbered(CouponType::Barcode);
        cancelled.state = CouponStatus::Cancelled;
        let mut expired = numbered(CouponType::Amount);
        expired.expired = true;
        let mut state = crate::rules::State::new(crate::SandboxConfig::default());
        // Past its last day in the server's ledger: refused before `apply`.
        issue(&mut state, "900087655678", jiff::civil::date(2000, 1, 1));
        let refusals = [
            (
                apply(&mut used, 4_500, RedeemAction::Use(None), now()).unwrap_err(),
                "coupon \"***5678\" is already used up",
            ),
            (
                apply(&mut cancelled, 4_500, RedeemAction::Use(None), now()).unwrap_err(),
                "coupon \"***5678\" is cancelled",
            ),
            (
                apply(&mut expired, 4_500, RedeemAction::Use(None), now()).unwrap_err(),
                "coupon \"***5678\" is expired",
            ),
            (
                apply(
                    &mut numbered(CouponType::Barcode),
                    4_500,
                    RedeemAction::CancelUse(0),
                    now(),
                )
                .unwrap_err(),
                "coupon \"***5678\" has no use to cancel",
            ),
            (
                apply(
                    &mut numbered(CouponType::Barcode),
                    4_500,
                    RedeemAction::Use(Some(1)),
                    now(),
                )
                .unwrap_err(),
                "coupon \"***5678\": amount 1 is not usable here",
            ),
            (
                apply(
                    &mut numbered(CouponType::Amount),
                    4_500,
                    RedeemAction::Use(Some(20_000)),
                    now(),
                )
                .unwrap_err(),
                "coupon \"***5678\": amount 20000 exceeds the balance 10000",
            ),
            (
                state.redeem(CLEAR, RedeemAction::Use(None)).unwrap_err(),
                "no coupon numbered \"***5678\"",
            ),
            (
                state
                    .redeem("900087655678", RedeemAction::Use(None))
                    .unwrap_err(),
                "coupon \"***5678\" is expired",
            ),
            (
                state.mark_expired(CLEAR).unwrap_err(),
                "no coupon numbered \"***5678\"",
            ),
            (
                state
                    .redeem(" 9000 12345678 ", RedeemAction::Use(None))
                    .unwrap_err(),
                "no coupon numbered \"***5678\"",
            ),
        ];
        for (refused, message) in refusals {
            assert_eq!(refused.to_string(), message);
            for shown in field_shown(&refused) {
                assert!(shown.contains("***5678"), "{message}: {shown}");
                assert!(
                    !shown.contains(CLEAR)
                        && !shown.contains("12345678")
                        && !shown.contains("87655678"),
                    "{message}: {shown}"
                );
            }
        }
        // The caller's number that is no coupon number (a space in it) is
        // kept as given, and says so.
        match state.redeem("9000 12345678", RedeemAction::Use(None)) {
            Err(RedeemError::NoSuchCoupon(number)) => {
                assert!(number.breaks_rule());
                assert_eq!(number.as_str(), "9000 12345678");
            }
            other => panic!("{other:?}"),
        }
        match state.redeem(CLEAR, RedeemAction::Use(None)) {
            Err(RedeemError::NoSuchCoupon(number)) => {
                assert!(!number.breaks_rule());
                assert_eq!(number.as_str(), CLEAR);
            }
            other => panic!("{other:?}"),
        }
    }

    /// Puts an exchange voucher numbered `number`, valid until `valid_until`,
    /// in `state`'s ledger.
    fn issue(state: &mut crate::rules::State, number: &str, valid_until: jiff::civil::Date) {
        state.ledger.push(crate::ledger::Order {
            order_id: format!("o-{number}"),
            tr_id: format!("tr-{number}"),
            operation: coufun_api::OperationId::CouponCreate,
            goods_id: "G1".into(),
            issued_on: jiff::civil::date(2000, 1, 1),
            coupons: vec![Coupon {
                coupon_number: number.into(),
                valid_until,
                ..coupon(CouponType::Barcode)
            }],
            poc_id: String::new(),
        });
    }

    /// An unused coupon is usable through its last valid day (by the
    /// sandbox's clock) and expired from the day after.
    #[test]
    fn a_coupon_is_usable_through_its_last_day() {
        let today = jiff::civil::date(2026, 6, 1);
        let mut state = crate::rules::State::new(crate::SandboxConfig {
            clock: crate::Clock::Fixed(today),
            ..crate::SandboxConfig::default()
        });
        let yesterday = today.yesterday().unwrap();
        issue(&mut state, "900000000001", today);
        issue(&mut state, "900000000002", yesterday);
        let used = state.redeem("900000000001", RedeemAction::Use(None));
        assert_eq!(used.map(|r| r.state), Ok(CouponStatus::Used));
        assert!(matches!(
            state.redeem("900000000002", RedeemAction::Use(None)),
            Err(RedeemError::Expired(_))
        ));
    }

    /// Giving back more than a voucher of the largest face value holds is
    /// refused: the balance and the amount used to overflow (a panic) when
    /// their sum passed u64::MAX, as saturating it equalled the face value.
    /// Nothing given back is no give-back.
    #[test]
    fn giving_back_past_the_largest_face_value_is_refused() {
        let mut c = coupon(CouponType::Amount);
        (c.total_amount, c.remaining_amount) = (Some(u64::MAX), Some(u64::MAX));
        apply(&mut c, 9_500, RedeemAction::Use(Some(1)), now()).unwrap();
        for amount in [0, 2, u64::MAX] {
            let over = apply(&mut c, 9_500, RedeemAction::CancelUse(amount), now());
            assert!(
                matches!(over, Err(RedeemError::BadAmount { amount: a, .. }) if a == amount),
                "{amount}: {over:?}"
            );
        }
        let back = apply(&mut c, 9_500, RedeemAction::CancelUse(1), now()).unwrap();
        assert_eq!((back.balance, back.state), (u64::MAX, CouponStatus::Unused));
    }

    #[test]
    fn an_amount_voucher_is_used_in_parts_until_empty() {
        let mut c = coupon(CouponType::Amount);
        let r = apply(&mut c, 9_500, RedeemAction::Use(Some(2_500)), now()).unwrap();
        assert_eq!(
            (r.amount, r.balance, r.state),
            (2_500, 7_500, CouponStatus::Used)
        );
        assert_eq!(c.exchanged_at, Some(now().at));
        let over = apply(&mut c, 9_500, RedeemAction::Use(Some(8_000)), now());
        assert!(matches!(
            over,
            Err(RedeemError::OverBalance { balance: 7_500, .. })
        ));
        let rest = apply(&mut c, 9_500, RedeemAction::Use(None), now()).unwrap();
        assert_eq!((rest.amount, rest.balance), (7_500, 0));
        assert!(matches!(
            apply(&mut c, 9_500, RedeemAction::Use(None), now()),
            Err(RedeemError::UsedUp(_))
        ));
        let back = apply(&mut c, 9_500, RedeemAction::CancelUse(10_000), now()).unwrap();
        assert_eq!((back.balance, back.state), (10_000, CouponStatus::Unused));
    }

    #[test]
    fn an_exchange_voucher_is_used_once_for_its_price() {
        let mut c = coupon(CouponType::Barcode);
        assert!(matches!(
            apply(&mut c, 4_000, RedeemAction::Use(Some(1)), now()),
            Err(RedeemError::BadAmount { .. })
        ));
        let r = apply(&mut c, 4_000, RedeemAction::Use(None), now()).unwrap();
        assert_eq!(
            (r.amount, r.balance, r.state),
            (4_000, 0, CouponStatus::Used)
        );
        assert!(matches!(
            apply(&mut c, 4_000, RedeemAction::Use(None), now()),
            Err(RedeemError::UsedUp(_))
        ));
        let undo = apply(&mut c, 4_000, RedeemAction::CancelUse(0), now()).unwrap();
        assert_eq!(undo.state, CouponStatus::Unused);
        c.state = CouponStatus::Cancelled;
        assert!(matches!(
            apply(&mut c, 4_000, RedeemAction::Use(None), now()),
            Err(RedeemError::Cancelled(_))
        ));
    }

    #[test]
    fn notices_follow_the_manuals_price_and_balance_rules() {
        let mut c = coupon(CouponType::Amount);
        let used = apply(&mut c, 9_500, RedeemAction::Use(Some(2_500)), now()).unwrap();
        let n = used.to_notice().unwrap();
        assert_eq!(n.approval_number, "SBX1");
        assert_eq!(n.coupon_number.as_str(), "C1");
        assert_eq!(n.state, Reported::Known(CouponStatus::Used));
        assert_eq!(n.coupon_type, Reported::Known(CouponType::Amount));
        assert_eq!((n.price, n.balance), (2_500, 7_500));
        assert_eq!(n.time.to_compact(), "20260501093000");
        assert_eq!(n.branch_name.as_deref(), Some("샌드박스점"));
        assert_eq!(n.branch_code.as_deref(), Some("SB0001"));
        let back = apply(&mut c, 9_500, RedeemAction::CancelUse(2_500), now()).unwrap();
        let n = back.to_notice().unwrap();
        assert_eq!(
            (n.state, n.price, n.balance),
            (Reported::Known(CouponStatus::Unused), 2_500, 10_000)
        );

        let mut c = coupon(CouponType::Barcode);
        let mut event = now();
        event.branch = Branch {
            name: String::new(),
            code: "X".into(),
        };
        let used = apply(&mut c, 4_000, RedeemAction::Use(None), event).unwrap();
        let n = used.to_notice().unwrap();
        assert_eq!(n.coupon_type, Reported::Known(CouponType::Barcode));
        assert_eq!((n.price, n.balance), (4_000, 0));
        assert_eq!(n.branch_name, None);
        let undo = apply(&mut c, 4_000, RedeemAction::CancelUse(0), now()).unwrap();
        assert_eq!(
            undo.to_notice().unwrap().state,
            Reported::Known(CouponStatus::Unused)
        );

        let mut c = coupon(CouponType::Barcode);
        let mut event = now();
        event.branch.name = "가".repeat(26);
        let used = apply(&mut c, 4_000, RedeemAction::Use(None), event).unwrap();
        assert!(matches!(
            used.to_notice(),
            Err(NoticeError::TooLong {
                field: "BRANCH_NAME",
                limit: 50,
                measured: 52
            })
        ));
    }
}
