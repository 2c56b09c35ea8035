//! The SQL stores: [`SqliteStore`] (a file, the embedded default) and
//! [`PostgresStore`] (several receiver instances on one server), with the
//! migrations this crate ships.
//!
//! A claim is the notice's row inserted (`ON CONFLICT DO NOTHING`) inside a
//! transaction that stays open while the handler runs. A second delivery of the
//! same key blocks on that row (PostgreSQL: the unique index; SQLite: the write
//! lock taken by `BEGIN IMMEDIATE`) until the first commits — it then sees the
//! row and answers a duplicate — or rolls back, and then it processes the notice.

use std::path::Path;
use std::time::Duration;

use coufun_api::notice::ExchangeNotice;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Postgres, Row, Sqlite, Transaction};

use crate::store::{Claim, Claimed, NoticeKey, NoticeStore, StoreError};

/// The version of this crate's one migration in sqlx's `_sqlx_migrations`
/// table: date-shaped, so it does not collide with an application's own
/// numbered migrations in the same database.
pub const MIGRATION_VERSION: i64 = 20_240_301_000_001;

/// The PostgreSQL schema (what [`PostgresStore::connect`] applies).
pub const POSTGRES_SCHEMA: &str = include_str!("../migrations/postgres/0001_exchange_notices.sql");
/// The SQLite schema (what [`SqliteStore::open`] applies).
pub const SQLITE_SCHEMA: &str = include_str!("../migrations/sqlite/0001_exchange_notices.sql");

fn migrator(sql: &'static str) -> Migrator {
    // The application's own migrations may share the table (coufun-store
    // leaves the ones it does not know alone).
    coufun_store::migrator(
        [MIGRATION_VERSION],
        ["coufun-notify exchange notices"],
        [sql],
    )
}

/// The notice's columns besides the key.
struct Row9<'a> {
    key: NoticeKey,
    exchange_id: &'a str,
    coupon_type: std::borrow::Cow<'a, str>,
    price: i64,
    balance: i64,
    time: String,
}

impl<'a> Row9<'a> {
    fn of(notice: &'a ExchangeNotice, exchange_id: &'a str) -> Self {
        Row9 {
            key: NoticeKey::of(notice),
            exchange_id,
            coupon_type: coufun_api::notice::reported_wire(&notice.coupon_type),
            price: notice.price,
            balance: notice.balance,
            time: notice.time.to_compact(),
        }
    }
}

const INSERT: &str = "INSERT INTO coufun_exchange_notices \
     (coupon_number, approval_number, state, exchange_id, coupon_type, price, balance, exchange_time) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (coupon_number, approval_number, state) DO NOTHING";
const SELECT_ID: &str = "SELECT exchange_id FROM coufun_exchange_notices \
     WHERE coupon_number = $1 AND approval_number = $2 AND state = $3";
const COUNT: &str = "SELECT COUNT(*) FROM coufun_exchange_notices";

macro_rules! sql_store {
    ($store:ident, $claim:ident, $db:ty, $pool:ty, $begin:expr) => {
        /// An open claim: the notice's row, inserted in a transaction not yet
        /// committed. Dropping it rolls the transaction back.
        #[derive(Debug)]
        pub struct $claim {
            tx: Transaction<'static, $db>,
        }

        impl Claim for $claim {
            type Tx = Transaction<'static, $db>;

            fn tx(&mut self) -> &mut Self::Tx {
                &mut self.tx
            }

            async fn commit(self) -> Result<(), StoreError> {
                self.tx.commit().await.map_err(StoreError::from)
            }
        }

        impl $store {
            /// The pool, for the application's own queries.
            pub fn pool(&self) -> &$pool {
                &self.pool
            }
        }

        impl NoticeStore for $store {
            type Claim = $claim;

            async fn claim(
                &self,
                notice: &ExchangeNotice,
                exchange_id: &str,
            ) -> Result<Claimed<$claim>, StoreError> {
                let row = Row9::of(notice, exchange_id);
                let begin: &'static str = $begin;
                let mut tx = self.pool.begin_with(begin).await?;
                let inserted = sqlx::query(INSERT)
                    .bind(&row.key.coupon_number)
                    .bind(&row.key.approval_number)
                    .bind(&row.key.state)
                    .bind(row.exchange_id)
                    .bind(row.coupon_type)
                    .bind(row.price)
                    .bind(row.balance)
                    .bind(&row.time)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if inserted == 1 {
                    return Ok(Claimed::New($claim { tx }));
                }
                let first: String = sqlx::query(SELECT_ID)
                    .bind(&row.key.coupon_number)
                    .bind(&row.key.approval_number)
                    .bind(&row.key.state)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                tx.rollback().await?;
                Ok(Claimed::Processed { exchange_id: first })
            }

            async fn processed_count(&self) -> Result<u64, StoreError> {
                let n: i64 = sqlx::query(COUNT).fetch_one(&self.pool).await?.try_get(0)?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn exchange_id(&self, key: &NoticeKey) -> Result<Option<String>, StoreError> {
                let row = sqlx::query(SELECT_ID)
                    .bind(&key.coupon_number)
                    .bind(&key.approval_number)
                    .bind(&key.state)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|r| r.try_get(0)).transpose()?)
            }
        }
    };
}

/// Processed notices in a SQLite file: survives restarts; several receivers in
/// one process, or several processes on one machine, may share the file.
///
/// A claim holds SQLite's write lock (`BEGIN IMMEDIATE`) while the handler runs,
/// so on SQLite the handler should write to the same file only through the
/// claim's transaction (the transactional form), never through another connection.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

sql_store!(
    SqliteStore,
    SqliteClaim,
    Sqlite,
    SqlitePool,
    "BEGIN IMMEDIATE"
);

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`, in WAL mode with
    /// a 30 s busy timeout, and applies the schema.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        SqliteStore::with_pool(pool).await
    }

    /// Uses `pool` (the application's own), applying the schema.
    pub async fn with_pool(pool: SqlitePool) -> Result<Self, StoreError> {
        migrator(SQLITE_SCHEMA)
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(SqliteStore { pool })
    }
}

/// Processed notices in PostgreSQL: any number of receiver instances share it.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

sql_store!(PostgresStore, PostgresClaim, Postgres, PgPool, "BEGIN");

impl PostgresStore {
    /// Connects to `url` (a pool of up to 10 connections) and applies the schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await?;
        PostgresStore::with_pool(pool).await
    }

    /// Uses `pool` (the application's own), applying the schema.
    pub async fn with_pool(pool: PgPool) -> Result<Self, StoreError> {
        migrator(POSTGRES_SCHEMA)
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(PostgresStore { pool })
    }
}
