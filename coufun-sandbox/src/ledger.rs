//! The coupon ledger: every order the sandbox issued (by send or create), its
//! TR_ID, and each coupon's recipient, state and send count. Readable from the
//! library handle and the admin route, so tests can check what was issued.

use std::fmt;

use jiff::civil::Date;
use serde::Serialize;

/// The state of one coupon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CouponState {
    /// Issued and usable.
    Issued,
    /// Used (redeemed).
    Used,
    /// Cancelled.
    Cancelled,
    /// Past its validity (marked by the admin route or by date).
    Expired,
}

/// One issued coupon.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Coupon {
    /// Coupon number (PIN).
    pub coupon_number: String,
    /// The recipient's mobile number (digits), `None` for created coupons.
    pub recipient: Option<String>,
    /// State.
    pub state: CouponState,
    /// Times sent (the issuing send counts as one).
    pub send_count: u32,
    /// Resends and image sends after the issuing send (limited: 20).
    pub resend_count: u32,
    /// Last valid day.
    pub valid_until: Date,
}

impl fmt::Debug for Coupon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coupon")
            .field("coupon_number", &self.coupon_number)
            .field(
                "recipient",
                &self
                    .recipient
                    .as_deref()
                    .map(coufun_api::privacy::mask_phone),
            )
            .field("state", &self.state)
            .field("send_count", &self.send_count)
            .field("resend_count", &self.resend_count)
            .field("valid_until", &self.valid_until)
            .finish()
    }
}

/// One issuing request that succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Order {
    /// Order id the server assigned.
    pub order_id: String,
    /// The TR_ID that issued it.
    pub tr_id: String,
    /// The operation that issued it (`coupon_send` or `coupon_create`).
    pub operation: String,
    /// The goods issued.
    pub goods_id: String,
    /// Issue day.
    pub issued_on: Date,
    /// The coupons, in issue order.
    pub coupons: Vec<Coupon>,
    #[serde(skip)]
    pub(crate) poc_id: String,
}

/// Every order, in issue order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Ledger {
    /// The orders.
    pub orders: Vec<Order>,
}

impl Ledger {
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

    /// The coupon with this number and the order holding it.
    pub fn coupon(&self, coupon_number: &str) -> Option<(&Order, &Coupon)> {
        self.orders.iter().find_map(|o| {
            o.coupons
                .iter()
                .find(|c| c.coupon_number == coupon_number)
                .map(|c| (o, c))
        })
    }

    pub(crate) fn order_for(&self, poc_id: &str, order_id: &str) -> Option<&Order> {
        self.orders
            .iter()
            .find(|o| o.order_id == order_id && o.poc_id == poc_id)
    }

    pub(crate) fn order_by_tr_id_for(&self, poc_id: &str, tr_id: &str) -> Option<&Order> {
        self.orders
            .iter()
            .find(|o| o.tr_id == tr_id && o.poc_id == poc_id)
    }

    pub(crate) fn coupon_mut(&mut self, coupon_number: &str) -> Option<&mut Coupon> {
        self.orders
            .iter_mut()
            .flat_map(|o| o.coupons.iter_mut())
            .find(|c| c.coupon_number == coupon_number)
    }

    pub(crate) fn issued_by(&self, poc_id: &str) -> u64 {
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

    #[test]
    fn coupon_debug_masks_the_recipient() {
        let coupon = Coupon {
            coupon_number: "1".to_owned(),
            recipient: Some("01012345678".to_owned()),
            state: CouponState::Issued,
            send_count: 1,
            resend_count: 0,
            valid_until: jiff::civil::date(2030, 1, 1),
        };
        let shown = format!("{coupon:?}");
        assert!(!shown.contains("01012345678"), "{shown}");
        assert!(shown.contains("010-****-5678"), "{shown}");
    }
}
