//! # coufun-notify
//!
//! Receives COUFUN exchange notifications — a coupon used, or its use cancelled,
//! at a shop — exactly once, over COUFUN's at-least-once delivery.
//!
//! COUFUN POSTs each notice (an EUC-KR form) to a URL the merchant registered and
//! expects an XML answer (`COUPONEXCHANGE`); without a `00` it sends the notice
//! again after the manual's interval
//! ([`RETRY_INTERVAL`](coufun_api::notice::RETRY_INTERVAL)), and a stored-value
//! (`AMOUNT`) coupon is notified once per partial use. A [`Receiver`]:
//!
//! 1. answers `01` to a caller whose address is not on the [`AllowList`] (the peer
//!    address is axum's [`ConnectInfo<SocketAddr>`](axum::extract::ConnectInfo):
//!    serve with `into_make_service_with_connect_info::<SocketAddr>()`; behind a
//!    proxy, filter there and use [`AllowList::any`]);
//! 2. parses the notice ([`coufun_api::notice`]); a malformed, oversized,
//!    wrong-charset or unknown-state notice is answered `99`, nothing is
//!    recorded, and the log says why without the coupon number in clear;
//! 3. claims the notice's key — coupon number, approval number, state — in its
//!    [`NoticeStore`]; a notice already processed is answered `00` (or `04`, see
//!    [`DuplicateAnswer`]) with the first `EXCHANGE_ID`, and the handler is not
//!    called;
//! 4. calls the handler; `Ok` commits the record, an error answers `99` (or `03`)
//!    and records nothing, so COUFUN's retry processes it later.
//!
//! The claim is a row inserted in a database transaction that stays open while
//! the handler runs: a second delivery of the same notice, to this instance or to
//! another on the same database, waits for it and then sees it processed (or, if
//! it failed, processes it). The handler receives that transaction
//! ([`tx_handler_fn`]): what it writes commits together with the dedup record or
//! not at all, so a crash in between can neither lose nor double an update.
//! Stores: [`MemoryStore`] (tests), [`SqliteStore`] (a file, the embedded
//! default), [`PostgresStore`] (several instances). Their schema is applied by
//! sqlx migrations shipped in this crate ([`sql::POSTGRES_SCHEMA`],
//! [`sql::SQLITE_SCHEMA`]; version [`sql::MIGRATION_VERSION`] in `_sqlx_migrations`).
//!
//! ```no_run
//! use std::net::SocketAddr;
//!
//! use axum::Router;
//! use coufun_notify::{AllowList, HandlerError, Receiver, SqliteStore, tx_handler_fn};
//! use coufun_api::notice::ExchangeNotice;
//! use sqlx::{Sqlite, Transaction};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = SqliteStore::open("notices.db").await?;
//! sqlx::query("CREATE TABLE IF NOT EXISTS uses (coupon TEXT, amount INTEGER, balance INTEGER)")
//!     .execute(store.pool())
//!     .await?;
//! // The handler's write commits with the dedup record, in one transaction.
//! let handler = tx_handler_fn(|tx: &mut Transaction<'static, Sqlite>, notice: &ExchangeNotice| {
//!     Box::pin(async move {
//!         sqlx::query("INSERT INTO uses VALUES (?, ?, ?)")
//!             .bind(notice.coupon_number.as_str())
//!             .bind(notice.price)
//!             .bind(notice.balance)
//!             .execute(&mut **tx)
//!             .await?;
//!         Ok::<(), HandlerError>(())
//!     })
//! });
//! let coufun_servers = AllowList::only(["203.0.113.10".parse()?]);
//! let receiver = Receiver::new(store, handler, coufun_servers);
//!
//! let app = Router::new().nest("/coufun/exchange", receiver.router());
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(()) }
//! ```
//!
//! A plain handler (side effects outside the store's transaction, so a crash
//! between them and the commit means the notice is processed again):
//! `handler_fn(|notice| async move { …; Ok(()) })`.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod handler;
pub mod receiver;
pub mod sql;
pub mod store;

/// The README's example, compiled as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use handler::{BoxFuture, HandlerError, NoticeHandler, handler_fn, tx_handler_fn};
pub use receiver::{AllowList, Delivery, DuplicateAnswer, Outcome, Receiver};
pub use sql::{PostgresStore, SqliteStore};
pub use store::{Claim, Claimed, MemoryStore, NoticeKey, NoticeStore, StoreError};
