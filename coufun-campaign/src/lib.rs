//! # coufun-campaign
//!
//! COUFUN issuing campaigns, exactly once, by one worker or many. A campaign
//! is rows of orders — goods, quantity, reserve fields and the merchant's
//! reference per row — each given a TR_ID that is committed to the [`Store`]
//! before its first attempt and never replaced: a crash, a lost answer or a
//! rerun sends the row again with the same TR_ID, and COUFUN's deduplication
//! on it means a coupon is issued at most once.
//!
//! - [`Store`]: SQLite (one process; what `coufun bulk-create` journals in) or
//!   PostgreSQL (several processes or hosts on one campaign), schema applied
//!   by the sqlx migrations in this crate.
//! - [`run`]: one worker. Rows are claimed with a lease (`FOR UPDATE SKIP
//!   LOCKED` on PostgreSQL); a row leased to a live worker is never in flight
//!   in another, and a crashed worker's rows are taken over, with their TR_IDs,
//!   once its lease lapses. The campaign's [`Limits`] — rows in flight, rate,
//!   the pause after a code that may be sent again, the stop after a limit
//!   code (which codes do what comes from the generated result-code table:
//!   [`refusal`]) — hold across all workers: their state is in the database.
//! - Outcomes are the SDK's [`IssueOutcome`](coufun_api::issuance::IssueOutcome),
//!   read into a [`RowOutcome`] by an exhaustive match, and stored typed
//!   ([`RowState`], [`ResultCode`](coufun_api::ResultCode)).
//! - Progress is a stream of [`Event`]s.
//!
//! ```no_run
//! use coufun_campaign::{Limits, Order, SdkIssuer, Settings, Store, TR_ID_WIRE, run};
//! use coufun_api::{Client, Environment, privacy::PocId};
//!
//! # async fn demo(orders: Vec<Order>, poc_id: PocId) -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::postgres("postgres://coupons@db/merchant").await?;
//! store.create("spring-2025", "coupon_create spring").await?;
//! store.set_limits("spring-2025", &Limits { rate: Some(50.0), ..Limits::default() }).await?;
//! let ids = coufun_api::tr_id::TrIdGenerator::new();
//! store.load("spring-2025", &orders, || ids.next_id().to_string()).await?;
//! store.new_run("spring-2025").await?;
//!
//! // On each app instance:
//! let client = Client::builder(Environment::Production, poc_id).build()?;
//! let (_stop, stopped) = tokio::sync::watch::channel(false);
//! let settings = Settings::new("spring-2025", TR_ID_WIRE).concurrency(8);
//! let summary = run(SdkIssuer::new(client), store, settings, stopped, None).await?;
//! println!("{} rows open", summary.open());
//! # Ok(()) }
//! ```

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod outcome;
pub mod runner;
pub mod sdk;
pub mod state;
pub mod store;

#[cfg(test)]
mod tests;

pub use outcome::{Refusal, RowOutcome, refusal};
pub use runner::{Event, Issuer, RunError, Settings, Summary, run};
pub use sdk::{SdkIssuer, TR_ID_WIRE};
pub use state::{CampaignRow, Order, RowState};
pub use store::{
    Bound, Claim, Claimed, DEFAULT_CAMPAIGN, LEAST_RATE, LONGEST_PAUSE, Limits, Status, Store,
    StoreError,
};
