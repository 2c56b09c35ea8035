//! The receiver's side: [`StateNotices`], the coufun-notify handler that writes
//! each exchange notice's state through the notice's own transaction, so the
//! history row commits with the receiver's dedup record or not at all.

use coufun_api::notice::ExchangeNotice;
use coufun_notify::{BoxFuture, HandlerError, NoticeHandler};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::state::{Observation, Source};
use crate::store::{apply_postgres, apply_sqlite, now_text};

/// A [`NoticeHandler`] for a `coufun_notify::SqliteStore` or `PostgresStore`
/// on the same database as the [`crate::SyncStore`]: each new notice is a
/// sighting of its coupon (one history row when it is a change; nothing when
/// a poll saw the change first). A notice of a coupon the store does not hold
/// adds it (without goods id, so it is not polled until tracked).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use coufun_notify::{AllowList, Receiver, SqliteStore};
/// use coufun_sync::{StateNotices, SyncStore};
///
/// let notices = SqliteStore::open("merchant.db").await?;
/// // One pool for both: SQLite's write lock is the notice's while it is handled.
/// let sync = SyncStore::with_sqlite_pool(notices.pool().clone()).await?;
/// let receiver = Receiver::new(notices, StateNotices::new(), AllowList::any());
/// # let _ = (sync, receiver);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StateNotices {
    _private: (),
}

impl StateNotices {
    /// The handler.
    pub fn new() -> Self {
        StateNotices::default()
    }
}

/// The handler on `$db`'s notice transactions, writing through `$apply`.
macro_rules! handler {
    ($db:ty, $apply:ident) => {
        impl NoticeHandler<Transaction<'static, $db>> for StateNotices {
            fn handle<'a>(
                &'a self,
                tx: &'a mut Transaction<'static, $db>,
                notice: &'a ExchangeNotice,
            ) -> BoxFuture<'a, Result<(), HandlerError>> {
                Box::pin(async move {
                    let seen = Observation::from_notice(notice);
                    let number = notice.coupon_number.as_str();
                    $apply(tx, number, &seen, Source::Notice, None, &now_text())
                        .await
                        .map_err(HandlerError::failed)?;
                    Ok(())
                })
            }
        }
    };
}

handler!(Sqlite, apply_sqlite);
handler!(Postgres, apply_postgres);
