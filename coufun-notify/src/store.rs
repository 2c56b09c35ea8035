//! The deduplication store: the [`NoticeStore`] trait, its claim, and the
//! in-memory implementation.
//!
//! Exactly-once processing rests on one rule: a notice's key is *claimed* in the
//! store before the handler runs, the claim stays open (uncommitted) while it
//! runs, and the claim is committed only when it succeeded. A second delivery of
//! the same key waits on the open claim: when the first commits it sees a
//! processed notice; when the first fails (or its process dies) the claim rolls
//! back and the second processes it. In the SQL stores the claim is a row inserted
//! inside a database transaction, so the wait and the rollback are the database's,
//! across every receiver instance that shares it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex as StdMutex};

use coufun_api::notice::ExchangeNotice;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// What makes two notices the same: coupon number, approval number and state.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NoticeKey {
    /// `BARCODE_NUM`, in clear (for the database).
    pub coupon_number: String,
    /// `EXCHANGE_NUM`.
    pub approval_number: String,
    /// `STATUS`, as on the wire.
    pub state: String,
}

impl NoticeKey {
    /// The key of `notice`.
    pub fn of(notice: &ExchangeNotice) -> Self {
        NoticeKey {
            coupon_number: notice.coupon_number.as_str().to_owned(),
            approval_number: notice.approval_number.clone(),
            state: coufun_api::notice::reported_wire(&notice.state).into_owned(),
        }
    }
}

impl std::fmt::Debug for NoticeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoticeKey")
            .field(
                "coupon_number",
                &coufun_api::notice::mask(&self.coupon_number),
            )
            .field("approval_number", &self.approval_number)
            .field("state", &self.state)
            .finish()
    }
}

/// A store failed (connection, query, migration).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database answered an error.
    #[error("the notice store's database failed")]
    Database(#[source] sqlx::Error),
    /// Creating the schema failed.
    #[error("the notice store's migrations failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

/// The outcome of claiming a key.
#[derive(Debug)]
pub enum Claimed<C> {
    /// Not processed yet: the caller holds the claim; commit it after the handler.
    New(C),
    /// Already processed, with the `EXCHANGE_ID` answered the first time.
    Processed {
        /// The first answer's `EXCHANGE_ID`.
        exchange_id: String,
    },
}

/// An open claim on one notice key. Dropping it without [`Claim::commit`]
/// releases the key (a SQL store rolls its transaction back), recording nothing.
pub trait Claim: Send + 'static {
    /// What a transactional handler writes through: the claim's database
    /// transaction for SQL stores, `()` in memory.
    type Tx: Send + 'static;

    /// The transaction the claim lives in.
    fn tx(&mut self) -> &mut Self::Tx;

    /// Records the notice as processed (and, in SQL stores, commits the handler's
    /// writes with it).
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Where processed notices are recorded. Cloning shares the store.
pub trait NoticeStore: Clone + Send + Sync + 'static {
    /// The claim this store hands out.
    type Claim: Claim;

    /// Claims `notice`'s key, recording `exchange_id` for it if the claim is
    /// committed. Waits while another delivery of the same key holds it.
    fn claim(
        &self,
        notice: &ExchangeNotice,
        exchange_id: &str,
    ) -> impl Future<Output = Result<Claimed<Self::Claim>, StoreError>> + Send;

    /// How many notices are recorded as processed.
    fn processed_count(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The `EXCHANGE_ID` recorded for `key`, if it was processed.
    fn exchange_id(
        &self,
        key: &NoticeKey,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
}

// ---------------------------------------------------------------------------
// In memory

type Slot = Arc<Mutex<Option<String>>>;

/// A store in this process's memory: for tests and demos. Receivers sharing one
/// `MemoryStore` (clones) deduplicate among themselves; nothing survives a restart.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    slots: Arc<StdMutex<HashMap<NoticeKey, Slot>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn slot(&self, key: NoticeKey) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(key).or_default().clone()
    }
}

/// A claim on a [`MemoryStore`] key: holds the key's lock until committed or dropped.
#[derive(Debug)]
pub struct MemoryClaim {
    guard: OwnedMutexGuard<Option<String>>,
    exchange_id: String,
    tx: (),
}

impl Claim for MemoryClaim {
    type Tx = ();

    fn tx(&mut self) -> &mut () {
        &mut self.tx
    }

    async fn commit(mut self) -> Result<(), StoreError> {
        *self.guard = Some(std::mem::take(&mut self.exchange_id));
        Ok(())
    }
}

impl NoticeStore for MemoryStore {
    type Claim = MemoryClaim;

    async fn claim(
        &self,
        notice: &ExchangeNotice,
        exchange_id: &str,
    ) -> Result<Claimed<MemoryClaim>, StoreError> {
        let guard = self.slot(NoticeKey::of(notice)).lock_owned().await;
        match guard.as_ref() {
            Some(id) => Ok(Claimed::Processed {
                exchange_id: id.clone(),
            }),
            None => Ok(Claimed::New(MemoryClaim {
                guard,
                exchange_id: exchange_id.to_owned(),
                tx: (),
            })),
        }
    }

    async fn processed_count(&self) -> Result<u64, StoreError> {
        let slots: Vec<Slot> = {
            let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.values().cloned().collect()
        };
        let mut n = 0;
        for slot in slots {
            if slot.lock().await.is_some() {
                n += 1;
            }
        }
        Ok(n)
    }

    async fn exchange_id(&self, key: &NoticeKey) -> Result<Option<String>, StoreError> {
        let slot = {
            let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.get(key).cloned()
        };
        match slot {
            Some(slot) => Ok(slot.lock().await.clone()),
            None => Ok(None),
        }
    }
}
