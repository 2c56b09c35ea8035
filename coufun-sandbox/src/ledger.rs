//! The coupon ledger: every order the sandbox issued (by send or create), its
//! TR_ID, each coupon's recipient, state, send count, balance and times, the
//! redemptions and the notice deliveries. Readable from the library handle and
//! the admin route, so tests can check what was issued and notified.

use std::collections::HashMap;
use std::fmt;

use coufun_api::{CouponStatus, CouponType, OperationId};
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes one of the generated enums (`CouponType`, `CouponStatus`) as its
/// wire text, e.g. `BARCODE` or `001`: they carry no serde of their own.
pub(crate) fn wire_text<T: fmt::Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Reads a [`CouponType`] from its wire text (`BARCODE`, `AMOUNT`), as a
/// catalogue file writes it.
pub(crate) fn coupon_type_from_wire<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<CouponType, D::Error> {
    let text = String::deserialize(deserializer)?;
    CouponType::from_wire(&text).map_err(|_| {
        serde::de::Error::custom(format!(
            "coupon type {text:?} is none of {:?}",
            CouponType::WIRE_VALUES
        ))
    })
}

/// One issued coupon. `Debug` masks its number (a bearer value) and its recipient.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Coupon {
    /// Coupon number (`BARCODE_NUM`).
    pub coupon_number: String,
    /// The goods it was issued for.
    pub goods_id: String,
    /// Exchange or stored-value voucher (its wire text in JSON).
    #[serde(serialize_with = "wire_text")]
    pub kind: CouponType,
    /// The recipient's mobile number (digits), `None` for created coupons.
    pub recipient: Option<String>,
    /// State, as the status manual's table has it (its wire text in JSON); an
    /// `AMOUNT` voucher is used from its first redemption.
    #[serde(serialize_with = "wire_text")]
    pub state: CouponStatus,
    /// Marked expired by the admin route: writes answer 04, status still shows
    /// `state` (the table has no expired value). An unused coupon past its
    /// last valid day counts as expired as well.
    pub expired: bool,
    /// Times sent (the issuing send counts as one).
    pub send_count: u32,
    /// Resends and image sends after the issuing send (limited: 20).
    pub resend_count: u32,
    /// Last valid day.
    pub valid_until: Date,
    /// AMOUNT vouchers: the face value.
    pub total_amount: Option<u64>,
    /// AMOUNT vouchers: what is left.
    pub remaining_amount: Option<u64>,
    /// When it was last used or its use cancelled (`EXCHANGE_DATE`).
    pub exchanged_at: Option<DateTime>,
    /// When it was cancelled (`CANCEL_DATE`).
    pub cancelled_at: Option<DateTime>,
}

impl fmt::Debug for Coupon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coupon")
            .field(
                "coupon_number",
                &coufun_api::privacy::mask(&self.coupon_number),
            )
            .field("goods_id", &self.goods_id)
            .field("kind", &self.kind)
            .field(
                "recipient",
                &self
                    .recipient
                    .as_deref()
                    .map(coufun_api::privacy::mask_phone),
            )
            .field("state", &self.state)
            .field("expired", &self.expired)
            .field("send_count", &self.send_count)
            .field("resend_count", &self.resend_count)
            .field("valid_until", &self.valid_until)
            .field("total_amount", &self.total_amount)
            .field("remaining_amount", &self.remaining_amount)
            .field("exchanged_at", &self.exchanged_at)
            .field("cancelled_at", &self.cancelled_at)
            .finish()
    }
}

/// One issuing request that succeeded. `Debug` leaves out the account's `POC_ID`.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Order {
    /// Order id the server assigned.
    pub order_id: String,
    /// The TR_ID that issued it.
    pub tr_id: String,
    /// The operation that issued it (send or create; its spec name in JSON).
    #[serde(serialize_with = "operation_name")]
    pub operation: OperationId,
    /// The goods issued.
    pub goods_id: String,
    /// Issue day.
    pub issued_on: Date,
    /// The coupons, in issue order.
    pub coupons: Vec<Coupon>,
    #[serde(skip)]
    pub(crate) poc_id: String,
}

impl fmt::Debug for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Order")
            .field("order_id", &self.order_id)
            .field("tr_id", &self.tr_id)
            .field("operation", &self.operation)
            .field("goods_id", &self.goods_id)
            .field("issued_on", &self.issued_on)
            .field("coupons", &self.coupons)
            .field("poc_id", &"***")
            .finish()
    }
}

/// An operation as its spec name (`OperationId` has no serde of its own).
fn operation_name<S: Serializer>(op: &OperationId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(op.name())
}

/// Every order, in issue order, every redemption, in time order, and every
/// delivery of an exchange notice, in the order the attempts ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Ledger {
    /// The orders.
    pub orders: Vec<Order>,
    /// Uses and use-cancels at shops (the admin redeem routes).
    pub redemptions: Vec<crate::redemption::Redemption>,
    /// Each POST of an exchange notice to the merchant and its answer (empty
    /// when no notice URL is configured).
    pub notices: Vec<crate::notices::DeliveryRecord>,
    /// What each request would otherwise look up by reading every order:
    /// the sandbox answers in the same time with 20 or 20,000 orders.
    #[serde(skip)]
    index: Index,
}

/// Lookups into [`Ledger::orders`], kept as orders are added through
/// [`Ledger::push`]; orders pushed onto the vector directly (a copy a test
/// changed) are found by reading them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Index {
    /// How many orders, from the first, the index covers.
    orders: usize,
    /// Order position by POC_ID and TR_ID.
    tr_ids: HashMap<(String, String), usize>,
    /// Order and coupon position by coupon number.
    coupons: HashMap<String, (usize, usize)>,
    /// Coupons issued per POC_ID.
    issued: HashMap<String, u64>,
}

impl Ledger {
    /// Adds an order (and indexes it).
    pub(crate) fn push(&mut self, order: Order) {
        let at = self.orders.len();
        if self.index.orders == at {
            let index = &mut self.index;
            index
                .tr_ids
                .insert((order.poc_id.clone(), order.tr_id.clone()), at);
            for (i, coupon) in order.coupons.iter().enumerate() {
                index.coupons.insert(coupon.coupon_number.clone(), (at, i));
            }
            *index.issued.entry(order.poc_id.clone()).or_default() += order.coupons.len() as u64;
            index.orders = at + 1;
        }
        self.orders.push(order);
    }

    /// Whether the index covers every order.
    fn indexed(&self) -> bool {
        self.index.orders == self.orders.len()
    }

    /// The order with this id.
    pub fn order(&self, order_id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.order_id == order_id)
    }

    /// The order a TR_ID issued.
    pub fn order_by_tr_id(&self, tr_id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.tr_id == tr_id)
    }

    /// How many orders each TR_ID issued (exactly once means 1 everywhere).
    pub fn orders_per_tr_id(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for order in &self.orders {
            *counts.entry(order.tr_id.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// The number of coupons issued, over all orders.
    pub fn coupon_count(&self) -> usize {
        self.orders.iter().map(|o| o.coupons.len()).sum()
    }

    /// Where coupon `coupon_number` is: order and coupon position.
    fn coupon_at(&self, coupon_number: &str) -> Option<(usize, usize)> {
        if self.indexed() {
            return self.index.coupons.get(coupon_number).copied();
        }
        self.orders.iter().enumerate().find_map(|(o, order)| {
            let c = order
                .coupons
                .iter()
                .position(|c| c.coupon_number == coupon_number)?;
            Some((o, c))
        })
    }

    /// The coupon with this number and the order holding it.
    pub fn coupon(&self, coupon_number: &str) -> Option<(&Order, &Coupon)> {
        let (o, c) = self.coupon_at(coupon_number)?;
        let order = &self.orders[o];
        Some((order, &order.coupons[c]))
    }

    pub(crate) fn order_by_tr_id_for(&self, poc_id: &str, tr_id: &str) -> Option<&Order> {
        if self.indexed() {
            let key = (poc_id.to_owned(), tr_id.to_owned());
            return self.index.tr_ids.get(&key).map(|&o| &self.orders[o]);
        }
        self.orders
            .iter()
            .find(|o| o.tr_id == tr_id && o.poc_id == poc_id)
    }

    /// The coupon `coupon_number` of goods `goods_id` issued to `poc_id`, and its order.
    pub(crate) fn coupon_for(
        &self,
        poc_id: &str,
        goods_id: &str,
        coupon_number: &str,
    ) -> Option<(&Order, &Coupon)> {
        self.coupon(coupon_number)
            .filter(|(o, c)| o.poc_id == poc_id && c.goods_id == goods_id)
    }

    pub(crate) fn coupon_mut(&mut self, coupon_number: &str) -> Option<&mut Coupon> {
        let (o, c) = self.coupon_at(coupon_number)?;
        Some(&mut self.orders[o].coupons[c])
    }

    pub(crate) fn issued_by(&self, poc_id: &str) -> u64 {
        if self.indexed() {
            return self.index.issued.get(poc_id).copied().unwrap_or(0);
        }
        self.orders
            .iter()
            .filter(|o| o.poc_id == poc_id)
            .map(|o| o.coupons.len() as u64)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coupon(number: &str) -> Coupon {
        Coupon {
            coupon_number: number.to_owned(),
            goods_id: "0000100001".to_owned(),
            kind: CouponType::Barcode,
            recipient: None,
            state: CouponStatus::Unused,
            expired: false,
            send_count: 0,
            resend_count: 0,
            valid_until: jiff::civil::date(2030, 1, 1),
            total_amount: None,
            remaining_amount: None,
            exchanged_at: None,
            cancelled_at: None,
        }
    }

    /// A coupon's `Debug` (and so an order's and the ledger's) masks its
    /// recipient and its number (a bearer value: it used to be shown in clear).
    #[test]
    fn coupon_debug_masks_the_recipient_and_the_number() {
        let coupon = Coupon {
            recipient: Some("01012345678".to_owned()),
            send_count: 1,
            ..coupon("900012349876")
        };
        let shown = format!("{coupon:?}");
        assert!(!shown.contains("01012345678"), "{shown}");
        assert!(shown.contains("010-****-5678"), "{shown}");
        assert!(!shown.contains("900012349876"), "{shown}");
        assert!(shown.contains("coupon_number: \"***9876\""), "{shown}");

        let order = Order {
            coupons: vec![coupon],
            ..order(1, "POC7654321")
        };
        let shown = format!(
            "{:?}",
            Ledger {
                orders: vec![order],
                ..Ledger::default()
            }
        );
        assert!(!shown.contains("POC7654321"), "the POC_ID: {shown}");
        assert!(!shown.contains("01012345678"), "{shown}");
        assert!(!shown.contains("900012349876"), "{shown}");
    }

    fn order(n: u64, poc_id: &str) -> Order {
        Order {
            order_id: format!("o{n}"),
            tr_id: format!("tr-{n}"),
            operation: OperationId::CouponCreate,
            goods_id: "0000100001".to_owned(),
            issued_on: jiff::civil::date(2026, 6, 1),
            coupons: vec![coupon(&format!("{n}")), coupon(&format!("{n}b"))],
            poc_id: poc_id.to_owned(),
        }
    }

    #[test]
    fn lookups_find_indexed_orders_and_orders_pushed_onto_a_copy() {
        let mut ledger = Ledger::default();
        ledger.push(order(1, "POC1"));
        ledger.push(order(2, "POC2"));
        let indexed = ledger.clone();
        // A copy whose vector was changed directly: the index no longer covers it.
        ledger.orders.push(order(3, "POC1"));
        for ledger in [&indexed, &ledger] {
            assert_eq!(
                ledger.coupon("2b").map(|(o, _)| o.order_id.as_str()),
                Some("o2")
            );
            assert_eq!(
                ledger
                    .order_by_tr_id_for("POC2", "tr-2")
                    .map(|o| o.order_id.as_str()),
                Some("o2")
            );
            assert!(ledger.order_by_tr_id_for("POC1", "tr-2").is_none());
            assert!(ledger.coupon_for("POC2", "0000100001", "2").is_some());
            assert!(ledger.coupon_for("POC1", "0000100001", "2").is_none());
            assert!(ledger.coupon_for("POC2", "0000100002", "2").is_none());
            assert_eq!(ledger.issued_by("POC2"), 2);
            assert_eq!(ledger.issued_by("POC9"), 0);
        }
        assert_eq!(indexed.issued_by("POC1"), 2);
        assert_eq!(ledger.issued_by("POC1"), 4);
        assert!(indexed.coupon("3").is_none());
        assert_eq!(
            ledger.coupon("3b").map(|(o, _)| o.order_id.as_str()),
            Some("o3")
        );
        assert!(ledger.order_by_tr_id_for("POC1", "tr-3").is_some());
        // Pushed after the copy diverged: still found.
        ledger.push(order(4, "POC1"));
        assert_eq!(
            ledger.coupon("4").map(|(o, _)| o.order_id.as_str()),
            Some("o4")
        );
        assert_eq!(ledger.issued_by("POC1"), 6);
        if let Some(c) = ledger.coupon_mut("4b") {
            c.expired = true;
        }
        assert!(ledger.coupon("4b").is_some_and(|(_, c)| c.expired));
    }
}
