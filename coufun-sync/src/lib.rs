//! # coufun-sync
//!
//! Keeps a merchant's copy of COUFUN in step, on SQLite (one process) or
//! PostgreSQL (several instances), with sqlx migrations shipped in this crate:
//!
//! - **Coupon state.** A [`SyncStore`] holds the coupons issued
//!   ([`SyncStore::track`]), their state, and a history of it: one row per real
//!   change, whichever saw it first — an exchange notice (the coufun-notify
//!   receiver's handler [`StateNotices`] writes through the notice's own
//!   transaction) or a status poll ([`poll_round`], [`run`]) of the coupons
//!   still open ([`is_open`]). The rule ([`judge`]) runs inside one
//!   transaction holding the coupon's row, and the history's unique keys make
//!   a second row for the same change impossible, across instances too.
//! - **Goods catalogue.** [`sync_goods`] fetches the goods list within a daily
//!   budget ([`FetchBudget`]; the server answers `09` past its own daily limit,
//!   whose number no manual states), stores it, and reports what changed
//!   ([`CatalogueDiff`]): goods added and removed, prices, validity, send
//!   type, images, guide texts.
//!
//! Coupon numbers are bearer values: they are stored in clear (polling needs
//! them) but never shown in clear by `Debug`, logs or errors.
//!
//! ```no_run
//! # async fn demo(client: coufun_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use coufun_api::{CouponNumber, GoodsId};
//! use coufun_sync::{FetchBudget, PollConfig, SyncStore, poll_round, sync_goods};
//!
//! let store = SyncStore::open("sqlite:merchant.db").await?;
//! store
//!     .track(&CouponNumber::new("900012345678")?, &GoodsId::new("0000100001")?)
//!     .await?;
//! let round = poll_round(&store, &client, &PollConfig::default().rate(5.0)).await?;
//! println!("{} changes, {} coupons still open", round.changed, round.open);
//!
//! let goods = sync_goods(&store, &client, FetchBudget::default(), Default::default()).await?;
//! println!("{} goods added, {} changed", goods.diff.added.len(), goods.diff.changed.len());
//! # Ok(()) }
//! ```

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod clock;
pub mod error;
pub mod goods;
pub mod notice;
pub mod poll;
pub mod state;
pub mod store;

pub use error::SyncError;
pub use goods::{
    Aspect, Catalogue, CatalogueDiff, FetchBudget, FieldChange, GoodsChange, GoodsSummary,
    GoodsSyncReport, diff, sync_goods, sync_goods_at,
};
pub use notice::StateNotices;
pub use poll::{PollConfig, RoundReport, poll_round, run};
pub use state::{Observation, Reading, Source, Verdict, is_open, judge};
pub use store::{Applied, CouponRecord, DueCoupon, HistoryRow, SyncStore};

/// The README's example, compiled as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
