//! The campaign store: campaigns and their rows in SQLite (one process: the
//! file is locked for it) or PostgreSQL (several processes or hosts on one
//! campaign), with the migrations this crate ships. Every write is committed
//! before the step it allows: a row's TR_ID before its first attempt, an
//! attempt's start before the request, its outcome before the next.
//!
//! A worker claims rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
//! on SQLite the claim is one statement under `BEGIN IMMEDIATE`): a row leased
//! to a live worker is never claimed by another, and a crashed worker's rows
//! are taken over, with their TR_IDs, only once its lease has lapsed. The claim
//! also enforces what holds for the whole campaign, whatever the number of
//! workers: the cap on rows in flight, the rate cap (start times handed out
//! from one schedule in the campaign's row), the pause after a code that may
//! be sent again, and the stop after a limit code. Times are the database's
//! clock, so that workers on several hosts agree.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use coufun_api::ResultCode;
use coufun_store::migrator;
use sqlx::Row;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqliteLockingMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::outcome::Entry;
use crate::state::{CampaignRow, Order, RowState};

/// The campaign a `coufun bulk-create` journal holds (one per SQLite file).
pub const DEFAULT_CAMPAIGN: &str = "bulk";

/// The versions of this crate's migrations in sqlx's `_sqlx_migrations` table:
/// date-shaped, so that they do not collide with an application's own.
pub const MIGRATION_VERSIONS: [i64; 2] = [20_250_101_000_021, 20_250_101_000_022];

/// The PostgreSQL schema, in order (what [`Store::postgres`] applies).
pub const POSTGRES_SCHEMA: [&str; 2] = [
    include_str!("../migrations/postgres/0001_campaigns.sql"),
    include_str!("../migrations/postgres/0002_claim_index.sql"),
];
/// The SQLite schema, in order (what [`Store::sqlite`] applies).
pub const SQLITE_SCHEMA: [&str; 2] = [
    include_str!("../migrations/sqlite/0001_campaigns.sql"),
    include_str!("../migrations/sqlite/0002_claim_index.sql"),
];

const MIGRATION_NAMES: [&str; 2] = ["coufun-campaign campaigns", "coufun-campaign claim index"];

/// A store that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed.
    #[error("campaign database error")]
    Db(#[from] sqlx::Error),
    /// The schema could not be applied.
    #[error("cannot apply the campaign schema")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The campaign belongs to another input, goods or environment.
    #[error("the journal was started for {0}; use another --journal for a different run")]
    OtherRun(String),
    /// Row `0` of the input differs from what the store recorded for it (only
    /// rows refused by our own checks may be corrected).
    #[error(
        "row {0} of the input differs from the journal's copy: the input changed since the first run (only invalid rows may be corrected); restore it or start a new journal"
    )]
    Changed(u64),
    /// No campaign of this name.
    #[error("no campaign {0:?} in this store")]
    NoCampaign(String),
    /// A limit out of range.
    #[error("{name} must be {limit}; got {value}")]
    Limit {
        /// The setting.
        name: &'static str,
        /// What it must be.
        limit: Bound,
        /// What it was.
        value: String,
    },
    /// Unexpected content.
    #[error("the journal holds unexpected data: {0}")]
    Corrupt(String),
}

/// The least [`Limits::rate`]: 10⁻⁹ rows per second, one row in about 32
/// years (a smaller rate's gap between two starts is past what the schedule
/// counts in).
pub const LEAST_RATE: f64 = 1e-9;

/// The longest [`Limits::limit_pause`] and [`Limits::max_pause`]: the SDK's
/// longest wait, [`coufun_api::client::LONGEST_TIMEOUT`] (30 years; a longer
/// pause overflows the store's arithmetic on times).
pub const LONGEST_PAUSE: Duration = coufun_api::client::LONGEST_TIMEOUT;

/// What a [`Limits`] setting must be, in [`StoreError::Limit`]: its text is
/// written from the constant it names, so that changing [`LEAST_RATE`] or
/// [`LONGEST_PAUSE`] changes the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bound {
    /// At least 1 (`max_in_flight`, `limit_retries`).
    AtLeastOne,
    /// A positive, finite number of rows per second (`rate`).
    PositiveRate,
    /// At least [`LEAST_RATE`] rows per second (`rate`).
    LeastRate,
    /// At most [`LONGEST_PAUSE`] (`limit_pause`, `max_pause`).
    LongestPause,
}

/// Seconds in a year of 365 days, the years the limits' texts count.
const YEAR_SECONDS: f64 = 86_400.0 * 365.0;

/// `at least 1e-9 rows per second (one row in about 32 years)`, `at most 30
/// years`, …: the years rounded to whole ones.
impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::AtLeastOne => f.write_str("at least 1"),
            Bound::PositiveRate => f.write_str("a positive number of rows per second"),
            Bound::LeastRate => write!(
                f,
                "at least {LEAST_RATE:e} rows per second (one row in about {:.0} years)",
                1.0 / LEAST_RATE / YEAR_SECONDS
            ),
            Bound::LongestPause => write!(
                f,
                "at most {:.0} years",
                LONGEST_PAUSE.as_secs_f64() / YEAR_SECONDS
            ),
        }
    }
}

/// What holds for a whole campaign, across all its workers (kept in the
/// campaign's row). Build it with `..Limits::default()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Most rows leased (in flight or about to be) at once across workers
    /// (`None`: each worker's own concurrency is the only cap).
    pub max_in_flight: Option<u32>,
    /// Most rows started per second across workers (`None`: no cap); at
    /// least [`LEAST_RATE`].
    pub rate: Option<f64>,
    /// First pause after a code that may be sent again; doubles while such
    /// codes go on. At most [`LONGEST_PAUSE`].
    pub limit_pause: Duration,
    /// Longest pause; at most [`LONGEST_PAUSE`].
    pub max_pause: Duration,
    /// Such answers tolerated for one row in one run before the run stops and
    /// leaves it for the next.
    pub limit_retries: u32,
}

impl Default for Limits {
    /// No cap on rows in flight or rate; pauses of 2 s doubling to 60 s; 3 answers.
    fn default() -> Self {
        Limits {
            max_in_flight: None,
            rate: None,
            limit_pause: Duration::from_secs(2),
            max_pause: Duration::from_secs(60),
            limit_retries: 3,
        }
    }
}

impl Limits {
    fn check(&self) -> Result<(), StoreError> {
        if self.max_in_flight == Some(0) {
            return Err(StoreError::Limit {
                name: "max_in_flight",
                limit: Bound::AtLeastOne,
                value: "0".into(),
            });
        }
        if let Some(rate) = self.rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(StoreError::Limit {
                name: "rate",
                limit: Bound::PositiveRate,
                value: rate.to_string(),
            });
        }
        if let Some(rate) = self.rate
            && rate < LEAST_RATE
        {
            return Err(StoreError::Limit {
                name: "rate",
                limit: Bound::LeastRate,
                value: rate.to_string(),
            });
        }
        for (name, pause) in [
            ("limit_pause", self.limit_pause),
            ("max_pause", self.max_pause),
        ] {
            if pause > LONGEST_PAUSE {
                return Err(StoreError::Limit {
                    name,
                    limit: Bound::LongestPause,
                    value: format!("{pause:?}"),
                });
            }
        }
        if self.limit_retries == 0 {
            return Err(StoreError::Limit {
                name: "limit_retries",
                limit: Bound::AtLeastOne,
                value: "0".into(),
            });
        }
        Ok(())
    }

    /// Microseconds between two starts, for `rate`.
    fn gap_us(&self) -> Option<i64> {
        self.rate.map(|r| ((1_000_000.0 / r).round() as i64).max(1))
    }
}

/// A row handed to a worker by [`Store::claim`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Claimed {
    /// The row as stored when claimed.
    pub row: CampaignRow,
    /// How long to wait before sending it (the campaign's rate schedule).
    pub wait: Duration,
}

/// What a claim gave.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Claim {
    /// Rows leased to the worker, in the order to send them.
    Rows {
        /// The campaign's current run.
        run: i64,
        /// The rows.
        rows: Vec<Claimed>,
    },
    /// Nothing to claim now: the campaign is paused, at its cap of rows in
    /// flight, or its remaining rows are leased to workers (which may yet
    /// release them, or crash and let their leases lapse). Ask again after this.
    Wait(Duration),
    /// The campaign's run was stopped (a limit code): nothing more is claimed
    /// until a new run starts ([`Store::new_run`]).
    Halted(String),
    /// No row of this run is left to send, and none is leased.
    Done,
}

/// A campaign's rows counted by state, and how many are leased.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Status {
    /// Rows in all.
    pub rows: usize,
    /// Rows by state.
    pub by_state: std::collections::BTreeMap<RowState, usize>,
    /// Rows leased to a worker now (lapsed leases not counted).
    pub leased: usize,
    /// Rows whose lease has lapsed without an outcome (a crashed worker's).
    pub lapsed: usize,
    /// The current run.
    pub run: i64,
    /// Why the run stopped, if it did.
    pub halted: Option<String>,
}

impl Status {
    /// Rows a run must still send (pending, sending, unknown, deferred).
    pub fn open(&self) -> usize {
        RowState::open_in(&self.by_state)
    }
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The SQL that differs between the two databases.
#[derive(Debug, Clone, Copy)]
struct Dialect {
    /// Now, in milliseconds since the epoch.
    now_ms: &'static str,
    /// Now, in microseconds since the epoch.
    now_us: &'static str,
    /// Now as UTC text `YYYY-MM-DDTHH:MM:SSZ`.
    now_text: &'static str,
    /// The larger / smaller of two values.
    greatest: &'static str,
    least: &'static str,
    /// Row locks for a claim.
    skip_locked: &'static str,
    lock_campaign: &'static str,
}

const SQLITE: Dialect = Dialect {
    now_ms: "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    now_us: "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)",
    now_text: "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    greatest: "MAX",
    least: "MIN",
    skip_locked: "",
    lock_campaign: "",
};

const POSTGRES: Dialect = Dialect {
    now_ms: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
    now_us: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
    now_text: "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    greatest: "GREATEST",
    least: "LEAST",
    skip_locked: " FOR UPDATE SKIP LOCKED",
    lock_campaign: " FOR UPDATE",
};

/// Runs `$body` with `$p` bound to the pool, whichever database it is.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

/// The columns a row is read from.
const ROW_COLUMNS: &str = "line, reference, params, tr_id, state, attempts, code, message, \
     order_id, coupons, first_attempt_at, last_attempt_at, lease_owner, limit_hits";

/// Reads a row selected with [`ROW_COLUMNS`].
fn read_row<R>(r: &R) -> Result<CampaignRow, StoreError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let line: i64 = r.try_get("line")?;
    let state: String = r.try_get("state")?;
    let params: String = r.try_get("params")?;
    let attempts: i64 = r.try_get("attempts")?;
    let code: Option<String> = r.try_get("code")?;
    let hits: i64 = r.try_get("limit_hits")?;
    Ok(CampaignRow {
        line: count(line),
        reference: r.try_get("reference")?,
        params: decode_params(&params)?,
        tr_id: r.try_get("tr_id")?,
        state: RowState::parse(&state)?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        code: code.as_deref().map(parse_code).transpose()?,
        message: r.try_get("message")?,
        order_id: r.try_get("order_id")?,
        coupons: r.try_get("coupons")?,
        first_attempt: r.try_get("first_attempt_at")?,
        last_attempt: r.try_get("last_attempt_at")?,
        lease_owner: r.try_get("lease_owner")?,
        limit_hits: u32::try_from(hits).unwrap_or(u32::MAX),
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A lease in milliseconds, at most [`LONGEST_PAUSE`]'s: the store adds it to
/// the time now, which a longer one would overflow.
fn lease_ms(lease: Duration) -> i64 {
    ms(lease.min(LONGEST_PAUSE))
}

/// The campaign's row as a claim reads it.
#[derive(Debug)]
struct CampaignState {
    run: i64,
    halted: Option<String>,
    pause_until_ms: i64,
    max_in_flight: Option<i64>,
    rate_gap_us: Option<i64>,
    next_start_us: i64,
    now_ms: i64,
    now_us: i64,
}

/// A campaign store: cheap to clone (a pool inside).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    sql: Dialect,
}

impl Store {
    /// Opens (creating) the SQLite store at `path`, for this process alone:
    /// the file stays locked while the store is open, so that no other process
    /// can run a worker on it, and the leases a killed process left are void at
    /// once. A `coufun bulk-create` journal written before the campaign store
    /// existed is migrated in place.
    pub async fn sqlite(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path.as_ref())
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .locking_mode(SqliteLockingMode::Exclusive)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        migrator(MIGRATION_VERSIONS, MIGRATION_NAMES, SQLITE_SCHEMA)
            .run(&pool)
            .await?;
        migrate_bulk_journal(&pool).await?;
        // This process alone has the file: whoever held a lease is gone.
        sqlx::query(
            "UPDATE coufun_campaign_rows SET lease_owner = NULL, lease_until_ms = NULL \
             WHERE lease_owner IS NOT NULL",
        )
        .execute(&pool)
        .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            sql: SQLITE,
        })
    }

    /// Connects to the PostgreSQL server at `url` and applies the schema.
    pub async fn postgres(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        Self::postgres_pool(pool).await
    }

    /// Over an existing PostgreSQL pool; applies the schema.
    pub async fn postgres_pool(pool: PgPool) -> Result<Self, StoreError> {
        migrator(MIGRATION_VERSIONS, MIGRATION_NAMES, POSTGRES_SCHEMA)
            .run(&pool)
            .await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            sql: POSTGRES,
        })
    }

    /// Whether the store is PostgreSQL (else SQLite).
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Creates `campaign` for `identity` (what it issues: operation, goods,
    /// environment…) on first use; refuses a campaign created for another.
    pub async fn create(&self, campaign: &str, identity: &str) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO coufun_campaigns (id, identity) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            )
            .bind(campaign)
            .bind(identity)
            .execute(p)
            .await?;
            // A migrated journal that never recorded what it was for takes this.
            sqlx::query("UPDATE coufun_campaigns SET identity = $2 WHERE id = $1 AND identity = ''")
                .bind(campaign)
                .bind(identity)
                .execute(p)
                .await?;
            let stored: String =
                sqlx::query_scalar("SELECT identity FROM coufun_campaigns WHERE id = $1")
                    .bind(campaign)
                    .fetch_one(p)
                    .await?;
            if stored != identity {
                return Err(StoreError::OtherRun(stored));
            }
            Ok(())
        })
    }

    /// The campaigns in the store, by name.
    pub async fn campaigns(&self) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT id FROM coufun_campaigns ORDER BY id")
                .fetch_all(p)
                .await?
        }))
    }

    /// Sets what holds for the whole of `campaign` (its workers read it at
    /// each claim).
    pub async fn set_limits(&self, campaign: &str, limits: &Limits) -> Result<(), StoreError> {
        limits.check()?;
        let done = on_pool!(self, p => {
            sqlx::query(
                "UPDATE coufun_campaigns SET max_in_flight = $2, rate_gap_us = $3, \
                 limit_pause_ms = $4, max_pause_ms = $5, limit_retries = $6 WHERE id = $1",
            )
            .bind(campaign)
            .bind(limits.max_in_flight.map(i64::from))
            .bind(limits.gap_us())
            .bind(ms(limits.limit_pause))
            .bind(ms(limits.max_pause.max(limits.limit_pause)))
            .bind(i64::from(limits.limit_retries))
            .execute(p)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NoCampaign(campaign.to_owned()));
        }
        Ok(())
    }

    /// The limits `campaign` holds.
    pub async fn limits(&self, campaign: &str) -> Result<Limits, StoreError> {
        /// In-flight cap, rate gap, first and longest pause, retries.
        type Stored = (Option<i64>, Option<i64>, i64, i64, i64);
        let row: Option<Stored> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT max_in_flight, rate_gap_us, limit_pause_ms, max_pause_ms, limit_retries \
                 FROM coufun_campaigns WHERE id = $1",
            )
            .bind(campaign)
            .fetch_optional(p)
            .await?
        });
        let (cap, gap, pause, max_pause, retries) =
            row.ok_or_else(|| StoreError::NoCampaign(campaign.to_owned()))?;
        Ok(Limits {
            max_in_flight: cap.and_then(|c| u32::try_from(c).ok()),
            rate: gap.map(|g| 1_000_000.0 / g.max(1) as f64),
            limit_pause: Duration::from_millis(count(pause)),
            max_pause: Duration::from_millis(count(max_pause)),
            limit_retries: u32::try_from(retries).unwrap_or(u32::MAX),
        })
    }

    /// Adds every order not yet in `campaign`, each with a TR_ID from `tr_id`,
    /// in one transaction, so that every row has its TR_ID committed before
    /// any is sent; checks the rows already there against the orders (only a
    /// row refused by our own checks may be corrected).
    pub async fn load(
        &self,
        campaign: &str,
        orders: &[Order],
        mut tr_id: impl FnMut() -> String,
    ) -> Result<(), StoreError> {
        macro_rules! load_in {
            ($tx:ident) => {{
                for order in orders {
                    let encoded = encode_params(&order.params);
                    let line = int(order.line);
                    let existing: Option<(String, String, String)> = sqlx::query_as(
                        "SELECT reference, params, state FROM coufun_campaign_rows \
                         WHERE campaign = $1 AND line = $2",
                    )
                    .bind(campaign)
                    .bind(line)
                    .fetch_optional(&mut *$tx)
                    .await?;
                    match existing {
                        Some((r, p, _)) if r == order.reference && p == encoded => {}
                        // A row refused by our own checks was never sent: it may be corrected.
                        Some((_, _, state)) if state == RowState::Invalid.as_str() => {
                            sqlx::query(
                                "UPDATE coufun_campaign_rows SET reference = $3, params = $4, \
                                 state = 'pending', code = NULL, message = NULL \
                                 WHERE campaign = $1 AND line = $2",
                            )
                            .bind(campaign)
                            .bind(line)
                            .bind(&order.reference)
                            .bind(&encoded)
                            .execute(&mut *$tx)
                            .await?;
                        }
                        Some(_) => return Err(StoreError::Changed(order.line)),
                        None => {
                            sqlx::query(
                                "INSERT INTO coufun_campaign_rows \
                                 (campaign, line, reference, params, tr_id, state) \
                                 VALUES ($1, $2, $3, $4, $5, 'pending')",
                            )
                            .bind(campaign)
                            .bind(line)
                            .bind(&order.reference)
                            .bind(&encoded)
                            .bind(tr_id())
                            .execute(&mut *$tx)
                            .await?;
                        }
                    }
                }
                let last = orders.iter().map(|o| o.line).max().unwrap_or(0);
                let extra: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM coufun_campaign_rows WHERE campaign = $1 AND line > $2",
                )
                .bind(campaign)
                .bind(int(last))
                .fetch_one(&mut *$tx)
                .await?;
                if extra > 0 {
                    return Err(StoreError::Changed(last + 1));
                }
                $tx.commit().await?;
            }};
        }
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut tx = p.begin().await?;
                load_in!(tx)
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                load_in!(tx)
            }
        }
        Ok(())
    }

    /// Starts a new run of `campaign`: rows whose outcome was unknown, or that
    /// a limit code deferred, are sent again (same TR_IDs); a stop and a pause
    /// are lifted. Returns the run's number. Workers joining a campaign do not
    /// call this: they take part in the current run.
    pub async fn new_run(&self, campaign: &str) -> Result<i64, StoreError> {
        let run: Option<i64> = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let run: Option<i64> = sqlx::query_scalar(
                "UPDATE coufun_campaigns SET run = run + 1, halted = NULL, pause_until_ms = 0, \
                 pause_len_ms = limit_pause_ms, next_start_us = 0 WHERE id = $1 RETURNING run",
            )
            .bind(campaign)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE coufun_campaign_rows SET again = 0, limit_hits = 0 \
                 WHERE campaign = $1 AND (again <> 0 OR limit_hits <> 0)",
            )
            .bind(campaign)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            run
        });
        run.ok_or_else(|| StoreError::NoCampaign(campaign.to_owned()))
    }

    /// Claims up to `max` rows of `campaign` for `worker`, leased for `lease`
    /// (at most [`LONGEST_PAUSE`], 30 years; a longer lease counts as it).
    pub async fn claim(
        &self,
        campaign: &str,
        worker: &str,
        max: usize,
        lease: Duration,
        poll: Duration,
    ) -> Result<Claim, StoreError> {
        let d = self.sql;
        let read_campaign = format!(
            "SELECT run, halted, pause_until_ms, max_in_flight, rate_gap_us, next_start_us, \
             {now_ms} AS now_ms, {now_us} AS now_us FROM coufun_campaigns WHERE id = $1{lock}",
            now_ms = d.now_ms,
            now_us = d.now_us,
            lock = d.lock_campaign,
        );
        let leased = "SELECT COUNT(*) FROM coufun_campaign_rows \
             WHERE campaign = $1 AND lease_owner IS NOT NULL AND lease_until_ms >= $2";
        // Open rows not leased (or whose lease lapsed): never sent, or left
        // mid-attempt by a crash, or left open by an earlier run, or to be sent
        // again in this one after a pause.
        let claim = format!(
            "WITH picked AS (\
                SELECT line AS picked_line FROM coufun_campaign_rows \
                WHERE campaign = $1 \
                  AND state IN ('pending', 'sending', 'unknown', 'deferred') \
                  AND (lease_owner IS NULL OR lease_until_ms < $4) \
                  AND (state IN ('pending', 'sending') OR tried_run < $5 OR again <> 0) \
                ORDER BY again DESC, line LIMIT $6{skip}) \
             UPDATE coufun_campaign_rows SET lease_owner = $2, lease_until_ms = $3 \
             FROM picked WHERE campaign = $1 AND line = picked_line \
             RETURNING {ROW_COLUMNS}",
            skip = d.skip_locked,
        );
        let next_lease = "SELECT MIN(lease_until_ms) FROM coufun_campaign_rows \
             WHERE campaign = $1 AND lease_owner IS NOT NULL";
        macro_rules! claim_in {
            ($tx:ident) => {{
                let c = sqlx::query(&read_campaign)
                    .bind(campaign)
                    .fetch_optional(&mut *$tx)
                    .await?
                    .ok_or_else(|| StoreError::NoCampaign(campaign.to_owned()))?;
                let c = CampaignState {
                    run: c.try_get("run")?,
                    halted: c.try_get("halted")?,
                    pause_until_ms: c.try_get("pause_until_ms")?,
                    max_in_flight: c.try_get("max_in_flight")?,
                    rate_gap_us: c.try_get("rate_gap_us")?,
                    next_start_us: c.try_get("next_start_us")?,
                    now_ms: c.try_get("now_ms")?,
                    now_us: c.try_get("now_us")?,
                };
                if let Some(why) = c.halted {
                    $tx.commit().await?;
                    return Ok(Claim::Halted(why));
                }
                if c.pause_until_ms > c.now_ms {
                    $tx.commit().await?;
                    let left = Duration::from_millis(count(c.pause_until_ms - c.now_ms));
                    return Ok(Claim::Wait(left));
                }
                let mut room = int(max as u64);
                if let Some(cap) = c.max_in_flight {
                    let held: i64 = sqlx::query_scalar(leased)
                        .bind(campaign)
                        .bind(c.now_ms)
                        .fetch_one(&mut *$tx)
                        .await?;
                    room = room.min(cap.saturating_sub(held));
                }
                // A gap the store holds below a microsecond (none that a rate
                // makes) counts as one.
                let gap_us = c.rate_gap_us.map(|gap| gap.max(1));
                if let Some(gap) = gap_us {
                    // Hand out start times up to a second ahead.
                    room = room.min((1_000_000 / gap).max(1));
                }
                if room <= 0 {
                    $tx.commit().await?;
                    return Ok(Claim::Wait(poll));
                }
                let rows = sqlx::query(&claim)
                    .bind(campaign)
                    .bind(worker)
                    .bind(c.now_ms.saturating_add(lease_ms(lease)))
                    .bind(c.now_ms)
                    .bind(c.run)
                    .bind(room)
                    .fetch_all(&mut *$tx)
                    .await?;
                let mut rows = rows.iter().map(read_row).collect::<Result<Vec<_>, _>>()?;
                rows.sort_by_key(|r| (std::cmp::Reverse(r.limit_hits), r.line));
                if rows.is_empty() {
                    let next: Option<i64> = sqlx::query_scalar(next_lease)
                        .bind(campaign)
                        .fetch_one(&mut *$tx)
                        .await?;
                    $tx.commit().await?;
                    return Ok(match next {
                        None => Claim::Done,
                        Some(until) => {
                            let left = Duration::from_millis(count(
                                until.saturating_sub(c.now_ms).saturating_add(1),
                            ));
                            Claim::Wait(left.min(poll).max(Duration::from_millis(1)))
                        }
                    });
                }
                let mut waits = vec![Duration::ZERO; rows.len()];
                if let Some(gap) = gap_us {
                    // Start times saturate at the end of time rather than wrap.
                    let start = |i: usize| {
                        let first = c.next_start_us.max(c.now_us);
                        first.saturating_add(gap.saturating_mul(int(i as u64)))
                    };
                    for (i, wait) in waits.iter_mut().enumerate() {
                        *wait = Duration::from_micros(count(start(i).saturating_sub(c.now_us)));
                    }
                    sqlx::query("UPDATE coufun_campaigns SET next_start_us = $2 WHERE id = $1")
                        .bind(campaign)
                        .bind(start(rows.len()))
                        .execute(&mut *$tx)
                        .await?;
                }
                $tx.commit().await?;
                Ok(Claim::Rows {
                    run: c.run,
                    rows: rows
                        .into_iter()
                        .zip(waits)
                        .map(|(row, wait)| Claimed { row, wait })
                        .collect(),
                })
            }};
        }
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                claim_in!(tx)
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                claim_in!(tx)
            }
        }
    }

    /// Marks `line` as being sent in `run` (one more attempt, its start time
    /// kept), durably, before the request — if `worker` still holds its lease.
    /// The first attempt's time is kept only when it is this one (a row
    /// migrated with attempts but no times keeps `None`).
    pub async fn start_attempt(
        &self,
        campaign: &str,
        worker: &str,
        line: u64,
        run: i64,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE coufun_campaign_rows SET state = 'sending', attempts = attempts + 1, \
             tried_run = $4, again = 0, \
             first_attempt_at = CASE WHEN attempts = 0 THEN {now} ELSE first_attempt_at END, \
             last_attempt_at = {now} \
             WHERE campaign = $1 AND line = $2 AND lease_owner = $3 AND lease_until_ms >= {now_ms}",
            now = self.sql.now_text,
            now_ms = self.sql.now_ms
        );
        let n = on_pool!(self, p => {
            sqlx::query(&sql)
                .bind(campaign)
                .bind(int(line))
                .bind(worker)
                .bind(run)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Records the outcome of `line` and ends `worker`'s lease on it; `again`:
    /// send it again in this run (a code that may be sent again, with
    /// `limit_hits` such answers so far). `false` when the worker no longer
    /// held the lease (nothing written).
    pub(crate) async fn record(
        &self,
        campaign: &str,
        worker: &str,
        line: u64,
        entry: &Entry<'_>,
        again: bool,
        limit_hits: u32,
    ) -> Result<bool, StoreError> {
        // An attempt's outcome: its end is the latest time the row was sent.
        let sql = format!(
            "UPDATE coufun_campaign_rows SET state = $4, code = $5, message = $6, order_id = $7, \
             coupons = $8, again = $9, limit_hits = $10, lease_owner = NULL, lease_until_ms = NULL, \
             last_attempt_at = CASE WHEN state = 'sending' THEN {now} ELSE last_attempt_at END \
             WHERE campaign = $1 AND line = $2 AND lease_owner = $3",
            now = self.sql.now_text
        );
        let n = on_pool!(self, p => {
            sqlx::query(&sql)
                .bind(campaign)
                .bind(int(line))
                .bind(worker)
                .bind(entry.state.as_str())
                .bind(entry.code.map(ResultCode::as_str))
                .bind(entry.message)
                .bind(entry.order)
                .bind(entry.coupons.as_deref())
                .bind(i64::from(again))
                .bind(i64::from(limit_hits))
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Gives `line` back unsent (the worker is stopping): another worker may
    /// claim it at once.
    pub async fn release(&self, campaign: &str, worker: &str, line: u64) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE coufun_campaign_rows SET lease_owner = NULL, lease_until_ms = NULL \
                 WHERE campaign = $1 AND line = $2 AND lease_owner = $3",
            )
            .bind(campaign)
            .bind(int(line))
            .bind(worker)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Extends every lease `worker` holds in `campaign` to `lease` from now
    /// (at most [`LONGEST_PAUSE`], 30 years; a longer lease counts as it);
    /// how many it holds.
    pub async fn renew(
        &self,
        campaign: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE coufun_campaign_rows SET lease_until_ms = {now} + $3 \
             WHERE campaign = $1 AND lease_owner = $2",
            now = self.sql.now_ms
        );
        Ok(on_pool!(self, p => {
            sqlx::query(&sql)
                .bind(campaign)
                .bind(worker)
                .bind(lease_ms(lease))
                .execute(p)
                .await?
                .rows_affected()
        }))
    }

    /// Pauses the whole campaign (a code that may be sent again): no worker
    /// claims a row until the pause ends; the next pause is twice as long, up
    /// to the longest. Returns the pause's length.
    pub async fn pause(&self, campaign: &str) -> Result<Duration, StoreError> {
        let d = self.sql;
        let sql = format!(
            "UPDATE coufun_campaigns SET \
             pause_until_ms = {g}(pause_until_ms, {now} + pause_len_ms), \
             pause_len_ms = {l}(pause_len_ms * 2, max_pause_ms) \
             WHERE id = $1 RETURNING pause_until_ms - {now} AS left_ms",
            g = d.greatest,
            l = d.least,
            now = d.now_ms
        );
        let left: Option<i64> = on_pool!(self, p => {
            sqlx::query_scalar(&sql).bind(campaign).fetch_optional(p).await?
        });
        Ok(Duration::from_millis(count(left.unwrap_or(0))))
    }

    /// After a row issued: the next pause is the first one again.
    pub async fn reset_pause(&self, campaign: &str) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE coufun_campaigns SET pause_len_ms = limit_pause_ms \
                 WHERE id = $1 AND pause_len_ms <> limit_pause_ms",
            )
            .bind(campaign)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Stops the campaign's run with `why`, unless it was stopped already;
    /// the reason it stopped with.
    pub async fn halt(&self, campaign: &str, why: &str) -> Result<String, StoreError> {
        let stored: Option<Option<String>> = on_pool!(self, p => {
            sqlx::query_scalar(
                "UPDATE coufun_campaigns SET halted = COALESCE(halted, $2) WHERE id = $1 RETURNING halted",
            )
            .bind(campaign)
            .bind(why)
            .fetch_optional(p)
            .await?
        });
        Ok(stored.flatten().unwrap_or_else(|| why.to_owned()))
    }

    /// Every row of `campaign`, in order.
    pub async fn rows(&self, campaign: &str) -> Result<Vec<CampaignRow>, StoreError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM coufun_campaign_rows WHERE campaign = $1 ORDER BY line"
        );
        on_pool!(self, p => {
            sqlx::query(&sql)
                .bind(campaign)
                .fetch_all(p)
                .await?
                .iter()
                .map(read_row)
                .collect()
        })
    }

    /// `campaign`'s rows counted by state, its leases and its run.
    pub async fn status(&self, campaign: &str) -> Result<Status, StoreError> {
        let sql = format!(
            "SELECT state, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN lease_owner IS NOT NULL AND lease_until_ms >= {now} THEN 1 ELSE 0 END) AS BIGINT) AS leased, \
             CAST(SUM(CASE WHEN lease_owner IS NOT NULL AND lease_until_ms < {now} THEN 1 ELSE 0 END) AS BIGINT) AS lapsed \
             FROM coufun_campaign_rows WHERE campaign = $1 GROUP BY state",
            now = self.sql.now_ms
        );
        let head: Option<(i64, Option<String>)> = on_pool!(self, p => {
            sqlx::query_as("SELECT run, halted FROM coufun_campaigns WHERE id = $1")
                .bind(campaign)
                .fetch_optional(p)
                .await?
        });
        let (run, halted) = head.ok_or_else(|| StoreError::NoCampaign(campaign.to_owned()))?;
        let mut status = Status {
            run,
            halted,
            ..Status::default()
        };
        // State, rows, leased, lapsed (the sums are NULL over no row).
        let groups: Vec<(String, i64, Option<i64>, Option<i64>)> = on_pool!(self, p => {
            sqlx::query_as(&sql).bind(campaign).fetch_all(p).await?
        });
        let size = |n: Option<i64>| usize::try_from(n.unwrap_or(0)).unwrap_or(0);
        for (state, n, leased, lapsed) in groups {
            *status.by_state.entry(RowState::parse(&state)?).or_default() += size(Some(n));
            status.rows += size(Some(n));
            status.leased += size(leased);
            status.lapsed += size(lapsed);
        }
        Ok(status)
    }

    /// The time now (UTC, as the attempt times are written), by the database's clock.
    pub async fn now(&self) -> Result<String, StoreError> {
        let sql = format!("SELECT {}", self.sql.now_text);
        Ok(on_pool!(self, p => {
            sqlx::query_scalar(&sql).fetch_one(p).await?
        }))
    }

    /// Runs `sql` (tests only).
    #[cfg(test)]
    pub(crate) async fn execute_for_test(&self, sql: &str) {
        on_pool!(self, p => {
            sqlx::query(sql).execute(p).await.unwrap();
        })
    }

    /// The one number `sql` selects (tests only).
    #[cfg(test)]
    pub(crate) async fn scalar_for_test(&self, sql: &str) -> i64 {
        on_pool!(self, p => sqlx::query_scalar(sql).fetch_one(p).await.unwrap())
    }

    /// Closes the pool (SQLite: checkpointing the WAL and unlocking the file).
    pub async fn close(self) {
        on_pool!(self, p => p.close().await)
    }
}

/// Brings a `coufun bulk-create` journal written before the campaign store
/// (tables `run` and `rows`) into it, as campaign [`DEFAULT_CAMPAIGN`]: the
/// attempt-time columns are added when the journal predates them (empty for
/// the attempts already made), the rows copied with their TR_IDs, states and
/// codes, and the old tables dropped, in one transaction.
async fn migrate_bulk_journal(pool: &SqlitePool) -> Result<(), StoreError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('rows', 'run')",
    )
    .fetch_all(pool)
    .await?;
    if !tables.iter().any(|t| t == "rows") {
        return Ok(());
    }
    let has_run = tables.iter().any(|t| t == "run");
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('rows')")
        .fetch_all(&mut *tx)
        .await?;
    for column in ["first_attempt_at", "last_attempt_at"] {
        if !columns.iter().any(|c| c == column) {
            sqlx::query(&format!("ALTER TABLE rows ADD COLUMN {column} TEXT"))
                .execute(&mut *tx)
                .await?;
        }
    }
    let identity: Option<String> = if has_run {
        sqlx::query_scalar("SELECT value FROM run WHERE key = 'identity'")
            .fetch_optional(&mut *tx)
            .await?
    } else {
        None
    };
    sqlx::query(
        "INSERT INTO coufun_campaigns (id, identity) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(DEFAULT_CAMPAIGN)
    .bind(identity.unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO coufun_campaign_rows (campaign, line, reference, params, tr_id, state, \
         attempts, code, message, order_id, coupons, first_attempt_at, last_attempt_at) \
         SELECT $1, line, reference, params, tr_id, state, attempts, code, message, order_id, \
         coupons, first_attempt_at, last_attempt_at FROM rows",
    )
    .bind(DEFAULT_CAMPAIGN)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DROP TABLE rows").execute(&mut *tx).await?;
    if has_run {
        sqlx::query("DROP TABLE run").execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A stored result code: its two digits, read back as the SDK's [`ResultCode`]
/// (a code outside the manual becomes its `Unknown`, keeping the digits).
fn parse_code(text: &str) -> Result<ResultCode, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("result code: {e}")))
}

/// Parameters as stored: JSON pairs.
fn encode_params(params: &[(String, String)]) -> String {
    serde_json::to_string(params).unwrap_or_default()
}

fn decode_params(text: &str) -> Result<Vec<(String, String)>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("row parameters: {e}")))
}
