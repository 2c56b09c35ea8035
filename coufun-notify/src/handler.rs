//! The application's side: the [`NoticeHandler`] trait a receiver calls once per
//! new notice, the adapters [`handler_fn`] (plain) and [`tx_handler_fn`]
//! (transactional), and [`HandlerError`].

use std::future::Future;
use std::pin::Pin;

use coufun_api::notice::ExchangeNotice;

/// A boxed, `Send` future borrowing for `'a`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why the handler did not process a notice. Nothing is recorded, and COUFUN
/// sends the notice again (after
/// [`RETRY_INTERVAL`](coufun_api::notice::RETRY_INTERVAL)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandlerError {
    /// The coupon is not one of ours: answered `03`.
    #[error("the coupon is not known to this merchant")]
    NoSuchCoupon,
    /// Anything else: answered `99`.
    #[error("the notice handler failed")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl HandlerError {
    /// A failure caused by `error` (answered `99`).
    pub fn failed(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        HandlerError::Failed(error.into())
    }
}

impl From<sqlx::Error> for HandlerError {
    fn from(e: sqlx::Error) -> Self {
        HandlerError::Failed(Box::new(e))
    }
}

/// Processes one new notice. `tx` is the store's open transaction (a
/// `sqlx::Transaction` for the SQL stores, `()` in memory): what the handler
/// writes through it commits together with the notice's dedup record, or not at all.
pub trait NoticeHandler<Tx>: Send + Sync + 'static {
    /// Processes `notice`. `Ok` commits; `Err` rolls back and answers `99` (or `03`).
    fn handle<'a>(
        &'a self,
        tx: &'a mut Tx,
        notice: &'a ExchangeNotice,
    ) -> BoxFuture<'a, Result<(), HandlerError>>;
}

/// A plain handler from an async function of the notice; it ignores the store's
/// transaction (its own side effects are not part of it).
pub fn handler_fn<F, Fut>(f: F) -> FnHandler<F>
where
    F: Fn(ExchangeNotice) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    FnHandler(f)
}

/// See [`handler_fn`].
#[derive(Debug, Clone)]
pub struct FnHandler<F>(F);

impl<Tx, F, Fut> NoticeHandler<Tx> for FnHandler<F>
where
    Tx: Send + 'static,
    F: Fn(ExchangeNotice) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn handle<'a>(
        &'a self,
        _tx: &'a mut Tx,
        notice: &'a ExchangeNotice,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin((self.0)(notice.clone()))
    }
}

/// A transactional handler from a function that returns a boxed future borrowing
/// the transaction: `|tx, notice| Box::pin(async move { … })`.
pub fn tx_handler_fn<Tx, F>(f: F) -> TxFnHandler<F>
where
    F: for<'a> Fn(&'a mut Tx, &'a ExchangeNotice) -> BoxFuture<'a, Result<(), HandlerError>>
        + Send
        + Sync
        + 'static,
{
    TxFnHandler(f)
}

/// See [`tx_handler_fn`].
#[derive(Debug, Clone)]
pub struct TxFnHandler<F>(F);

impl<Tx, F> NoticeHandler<Tx> for TxFnHandler<F>
where
    Tx: Send + 'static,
    F: for<'a> Fn(&'a mut Tx, &'a ExchangeNotice) -> BoxFuture<'a, Result<(), HandlerError>>
        + Send
        + Sync
        + 'static,
{
    fn handle<'a>(
        &'a self,
        tx: &'a mut Tx,
        notice: &'a ExchangeNotice,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        (self.0)(tx, notice)
    }
}
