//! The sync store: [`SyncStore`] on SQLite (one process, or several on one
//! machine) or PostgreSQL (several instances), its migrations, and the one
//! write path every sighting of a coupon's state goes through.
//!
//! A sighting is written in one transaction: the coupon's row is locked
//! (PostgreSQL `FOR UPDATE`; SQLite's write lock, `BEGIN IMMEDIATE`), [`judge`]
//! compares it with what is recorded, and a change inserts its history row
//! (`seq` = the coupon's next version, `change_key` naming the change, both
//! unique per coupon, `ON CONFLICT DO NOTHING`) and moves the coupon's version
//! on only where it still is the version read (`WHERE version = $v`). A second
//! sighting of the same change — the notice and the poll racing, two instances
//! — waits for the lock, then finds the change recorded; and if it did not, the
//! database's unique keys refuse the second row. A poll also carries the version
//! it read before asking COUFUN: when the coupon moved on meanwhile, its answer
//! may predate the move, and it is dropped (the next round asks again).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use coufun_api::xml::{CalendarDate, Reported};
use coufun_api::{CouponNumber, CouponStatus, CouponType, GoodsId};
use coufun_store::migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::SyncError;
use crate::goods::{Catalogue, CatalogueDiff};
use crate::state::{
    Observation, Reading, Source, Verdict, coupon_type_from_wire, is_open, judge, state_from_wire,
};

/// The versions of this crate's migrations in sqlx's `_sqlx_migrations`
/// table: date-shaped and apart from coufun-notify's, so the two crates (and an
/// application's own numbered migrations) can share one database.
pub const MIGRATION_VERSIONS: [i64; 2] = [20_240_601_000_001, 20_240_601_000_002];

/// The PostgreSQL schema, in order.
pub const POSTGRES_SCHEMA: [&str; 2] = [
    include_str!("../migrations/postgres/0001_coupon_state.sql"),
    include_str!("../migrations/postgres/0002_goods.sql"),
];
/// The SQLite schema, in order.
pub const SQLITE_SCHEMA: [&str; 2] = [
    include_str!("../migrations/sqlite/0001_coupon_state.sql"),
    include_str!("../migrations/sqlite/0002_goods.sql"),
];

const MIGRATION_NAMES: [&str; 2] = ["coufun-sync coupon state", "coufun-sync goods catalogue"];

/// What writing one sighting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Applied {
    /// A change: history row `seq` written.
    Recorded {
        /// The row's sequence number (the coupon's new version).
        seq: i64,
    },
    /// Not a change ([`Verdict::Same`] or [`Verdict::Stale`]): nothing written.
    Unchanged(Verdict),
    /// A poll of a coupon the store does not hold.
    Unknown,
}

impl Applied {
    /// Whether a history row was written.
    pub fn recorded(self) -> bool {
        matches!(self, Applied::Recorded { .. })
    }
}

/// One coupon as the store holds it. `Debug` masks the number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CouponRecord {
    /// The coupon number.
    pub coupon_number: CouponNumber,
    /// Its goods (`None` when only a notice told of it: it cannot be polled).
    pub goods_id: Option<GoodsId>,
    /// Exchange or stored-value voucher, when known.
    pub coupon_type: Option<Reported<CouponType>>,
    /// Its state.
    pub state: Reported<CouponStatus>,
    /// A stored-value voucher's balance, when known.
    pub balance: Option<i64>,
    /// Its last valid day, when known.
    pub valid_until: Option<CalendarDate>,
    /// Whether it is polled ([`is_open`]).
    pub open: bool,
    /// How many history rows it has (its version).
    pub version: i64,
}

/// One row of a coupon's state history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct HistoryRow {
    /// 1 for the first row, then one more per change.
    pub seq: i64,
    /// The state from then on (wire text).
    pub state: String,
    /// A stored-value voucher's balance from then on.
    pub balance: Option<i64>,
    /// The use or use-cancel time (`YYYYMMDDHHMISS`, Korean time).
    pub exchanged_at: Option<String>,
    /// The cancel time.
    pub cancelled_at: Option<String>,
    /// Who saw it first.
    pub source: String,
    /// The approval number (notices).
    pub approval_number: Option<String>,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
}

/// A coupon due for a poll: what the status request needs, and the version
/// read now (hand it to [`SyncStore::record_poll`] with the answer). `Debug`
/// masks the number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DueCoupon {
    /// The coupon number.
    pub number: CouponNumber,
    /// Its goods.
    pub goods: GoodsId,
    /// Its version when it was read.
    pub version: i64,
}

/// The goods-list fetches of one Korean day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchDay {
    pub fetches: u32,
    pub last_at: String,
    pub refused_at: Option<String>,
}

/// Now, for the `*_at` columns (RFC 3339, UTC).
pub(crate) fn now_text() -> String {
    jiff::Timestamp::now().to_string()
}

fn opt_date(text: Option<String>) -> Option<CalendarDate> {
    text.as_deref().and_then(CalendarDate::parse_ymd)
}

/// The coupon's columns besides its number, merged: what `seen` says, else
/// what was stored.
struct Merged {
    state: String,
    coupon_type: Option<String>,
    balance: Option<i64>,
    total_amount: Option<i64>,
    exchanged_at: Option<String>,
    cancelled_at: Option<String>,
    valid_until: Option<String>,
    open: bool,
}

/// One history row's own columns.
struct Entry<'a> {
    seq: i64,
    key: &'a str,
    source: Source,
    approval: Option<&'a str>,
}

struct Stored {
    reading: Reading,
    version: i64,
    coupon_type: Option<String>,
    total_amount: Option<i64>,
    valid_until: Option<String>,
}

impl Merged {
    fn of(stored: Option<&Stored>, seen: &Observation, change: bool) -> Merged {
        let reading = seen.reading();
        let keep =
            |s: Option<String>, f: fn(&Stored) -> Option<String>| s.or_else(|| stored.and_then(f));
        let coupon_type = keep(
            seen.coupon_type
                .as_ref()
                .map(|t| coufun_api::notice::reported_wire(t).into_owned()),
            |s| s.coupon_type.clone(),
        );
        let total_amount = seen.total_amount.or(stored.and_then(|s| s.total_amount));
        let valid_until = keep(seen.valid_until.map(|d| d.to_string()), |s| {
            s.valid_until.clone()
        });
        let (state, balance, exchanged_at, cancelled_at) = match (change, stored) {
            (false, Some(s)) => (
                s.reading.state.clone(),
                s.reading.balance,
                s.reading.exchanged_at.clone(),
                s.reading.cancelled_at.clone(),
            ),
            _ => {
                let before = stored.map(|s| &s.reading);
                (
                    reading.state.clone(),
                    reading.balance.or(before.and_then(|b| b.balance)),
                    reading
                        .exchanged_at
                        .clone()
                        .or(before.and_then(|b| b.exchanged_at.clone())),
                    reading
                        .cancelled_at
                        .clone()
                        .or(before.and_then(|b| b.cancelled_at.clone())),
                )
            }
        };
        let open = is_open(
            &state_from_wire(&state),
            coupon_type.as_deref().map(coupon_type_from_wire).as_ref(),
            balance,
        );
        Merged {
            state,
            coupon_type,
            balance,
            total_amount,
            exchanged_at,
            cancelled_at,
            valid_until,
            open,
        }
    }
}

/// What to do with a sighting of a held coupon (decided under its row lock).
enum Plan {
    /// No change ([`Verdict::Same`], [`Verdict::Stale`]): only what the
    /// sighting teaches besides the state is written.
    Keep { verdict: Verdict, merged: Merged },
    /// A change: history row `seq` named `key`, the coupon's columns `merged`,
    /// its version moved from `seq - 1` to `seq`.
    Write {
        seq: i64,
        key: String,
        merged: Merged,
    },
}

/// The decision for `seen` against `current`: a poll's answer (`read_version`:
/// the version read before asking) is stale when the coupon moved on since;
/// otherwise [`judge`] says.
fn plan(current: &Stored, seen: &Observation, read_version: Option<i64>) -> Plan {
    let keep = |verdict| Plan::Keep {
        verdict,
        merged: Merged::of(Some(current), seen, false),
    };
    if read_version.is_some_and(|v| v != current.version) {
        return keep(Verdict::Stale);
    }
    let reading = seen.reading();
    match judge(&current.reading, &reading) {
        Verdict::Change => {
            let seq = current.version + 1;
            Plan::Write {
                seq,
                key: reading.change_key(seq),
                merged: Merged::of(Some(current), seen, true),
            }
        }
        verdict => keep(verdict),
    }
}

macro_rules! ops {
    ($db:ty, $pool:ty, $begin:literal, $lock:literal, $lock_goods:literal) => {
        use sqlx::{Connection, Row};

        use super::*;

        type Conn = <$db as sqlx::Database>::Connection;

        async fn stored(conn: &mut Conn, number: &str) -> Result<Option<Stored>, SyncError> {
            let row = sqlx::query(concat!(
                "SELECT state, balance, exchanged_at, cancelled_at, version, coupon_type, \
                 total_amount, valid_until FROM coufun_coupons WHERE coupon_number = $1",
                $lock
            ))
            .bind(number)
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else { return Ok(None) };
            Ok(Some(Stored {
                reading: Reading::new(
                    row.try_get::<String, _>(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ),
                version: row.try_get(4)?,
                coupon_type: row.try_get(5)?,
                total_amount: row.try_get(6)?,
                valid_until: row.try_get(7)?,
            }))
        }

        async fn insert_history(
            conn: &mut Conn,
            number: &str,
            entry: Entry<'_>,
            m: &Merged,
            now: &str,
        ) -> Result<bool, SyncError> {
            let Entry {
                seq,
                key,
                source,
                approval,
            } = entry;
            let inserted = sqlx::query(
                "INSERT INTO coufun_coupon_history (coupon_number, seq, change_key, state, \
                 balance, exchanged_at, cancelled_at, source, approval_number, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            )
            .bind(number)
            .bind(seq)
            .bind(key)
            .bind(&m.state)
            .bind(m.balance)
            .bind(&m.exchanged_at)
            .bind(&m.cancelled_at)
            .bind(source.as_str())
            .bind(approval)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            Ok(inserted == 1)
        }

        async fn insert_coupon(
            conn: &mut Conn,
            number: &str,
            goods: Option<&str>,
            m: &Merged,
            now: &str,
        ) -> Result<bool, SyncError> {
            let inserted = sqlx::query(
                "INSERT INTO coufun_coupons (coupon_number, goods_id, coupon_type, state, \
                 balance, total_amount, exchanged_at, cancelled_at, valid_until, open, version, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11) \
                 ON CONFLICT (coupon_number) DO NOTHING",
            )
            .bind(number)
            .bind(goods)
            .bind(&m.coupon_type)
            .bind(&m.state)
            .bind(m.balance)
            .bind(m.total_amount)
            .bind(&m.exchanged_at)
            .bind(&m.cancelled_at)
            .bind(&m.valid_until)
            .bind(m.open)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            Ok(inserted == 1)
        }

        /// Registers a coupon (state unused, history row 1) unless held; a
        /// coupon a notice told of first gets its goods id. `true`: newly held.
        pub(crate) async fn track(
            conn: &mut Conn,
            number: &str,
            goods: &str,
            now: &str,
        ) -> Result<bool, SyncError> {
            let first = Observation::of_state(CouponStatus::Unused);
            let m = Merged::of(None, &first, true);
            if insert_coupon(conn, number, Some(goods), &m, now).await? {
                let key = first.reading().change_key(1);
                let entry = Entry {
                    seq: 1,
                    key: &key,
                    source: Source::Registered,
                    approval: None,
                };
                insert_history(conn, number, entry, &m, now).await?;
                return Ok(true);
            }
            sqlx::query(
                "UPDATE coufun_coupons SET goods_id = $2 WHERE coupon_number = $1 AND goods_id IS NULL",
            )
            .bind(number)
            .bind(goods)
            .execute(&mut *conn)
            .await?;
            Ok(false)
        }

        /// Writes one sighting inside the caller's transaction (see the module
        /// header). `read_version`: the version a poll read before asking.
        pub(crate) async fn apply(
            conn: &mut Conn,
            number: &str,
            seen: &Observation,
            source: Source,
            read_version: Option<i64>,
            now: &str,
        ) -> Result<Applied, SyncError> {
            let reading = seen.reading();
            // Twice at most: a notice for a coupon not held inserts it, and
            // when another delivery inserted it first, reads it as held.
            for _ in 0..2 {
                let Some(current) = stored(conn, number).await? else {
                    if read_version.is_some() {
                        return Ok(Applied::Unknown);
                    }
                    let m = Merged::of(None, seen, true);
                    let mut sp = Connection::begin(&mut *conn).await?;
                    if !insert_coupon(&mut sp, number, None, &m, now).await? {
                        sp.rollback().await?;
                        continue;
                    }
                    let key = reading.change_key(1);
                    let entry = Entry {
                        seq: 1,
                        key: &key,
                        source,
                        approval: seen.approval_number.as_deref(),
                    };
                    insert_history(&mut sp, number, entry, &m, now).await?;
                    sp.commit().await?;
                    return Ok(Applied::Recorded { seq: 1 });
                };
                let polled = (source == Source::Poll).then_some(now);
                let (seq, key, m) = match plan(&current, seen, read_version) {
                    Plan::Keep { verdict, merged } => {
                        touch(conn, number, &merged, polled).await?;
                        return Ok(Applied::Unchanged(verdict));
                    }
                    Plan::Write { seq, key, merged } => (seq, key, merged),
                };
                let mut sp = Connection::begin(&mut *conn).await?;
                let approval = seen.approval_number.as_deref();
                let entry = Entry {
                    seq,
                    key: &key,
                    source,
                    approval,
                };
                if !insert_history(&mut sp, number, entry, &m, now).await? {
                    sp.rollback().await?;
                    return Ok(Applied::Unchanged(Verdict::Same));
                }
                let updated = sqlx::query(
                    "UPDATE coufun_coupons SET state = $3, balance = $4, coupon_type = $5, \
                     total_amount = $6, exchanged_at = $7, cancelled_at = $8, valid_until = $9, \
                     open = $10, version = $11, updated_at = $12, \
                     polled_at = COALESCE($13, polled_at) \
                     WHERE coupon_number = $1 AND version = $2",
                )
                .bind(number)
                .bind(current.version)
                .bind(&m.state)
                .bind(m.balance)
                .bind(&m.coupon_type)
                .bind(m.total_amount)
                .bind(&m.exchanged_at)
                .bind(&m.cancelled_at)
                .bind(&m.valid_until)
                .bind(m.open)
                .bind(seq)
                .bind(now)
                .bind(polled)
                .execute(&mut *sp)
                .await?
                .rows_affected();
                if updated != 1 {
                    // Moved on under us (only without the row lock): read again.
                    sp.rollback().await?;
                    continue;
                }
                sp.commit().await?;
                return Ok(Applied::Recorded { seq });
            }
            Ok(Applied::Unchanged(Verdict::Same))
        }

        /// What a sighting that is no change still teaches: type, face value,
        /// validity (and so whether the coupon stays open), and the poll time.
        async fn touch(
            conn: &mut Conn,
            number: &str,
            m: &Merged,
            polled: Option<&str>,
        ) -> Result<(), SyncError> {
            sqlx::query(
                "UPDATE coufun_coupons SET coupon_type = $2, total_amount = $3, \
                 valid_until = $4, open = $5, polled_at = COALESCE($6, polled_at) \
                 WHERE coupon_number = $1",
            )
            .bind(number)
            .bind(&m.coupon_type)
            .bind(m.total_amount)
            .bind(&m.valid_until)
            .bind(m.open)
            .bind(polled)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        pub(crate) async fn track_many(
            pool: &$pool,
            coupons: &[(CouponNumber, GoodsId)],
        ) -> Result<u64, SyncError> {
            let now = now_text();
            let mut tx = pool.begin_with($begin).await?;
            let mut added = 0;
            for (number, goods) in coupons {
                if track(&mut tx, number.as_str(), goods.as_str(), &now).await? {
                    added += 1;
                }
            }
            tx.commit().await?;
            Ok(added)
        }

        pub(crate) async fn record(
            pool: &$pool,
            number: &str,
            seen: &Observation,
            source: Source,
            read_version: Option<i64>,
        ) -> Result<Applied, SyncError> {
            let mut tx = pool.begin_with($begin).await?;
            let applied = apply(&mut tx, number, seen, source, read_version, &now_text()).await?;
            tx.commit().await?;
            Ok(applied)
        }

        pub(crate) async fn polled_without_answer(
            pool: &$pool,
            number: &str,
        ) -> Result<(), SyncError> {
            sqlx::query("UPDATE coufun_coupons SET polled_at = $2 WHERE coupon_number = $1")
                .bind(number)
                .bind(now_text())
                .execute(pool)
                .await?;
            Ok(())
        }

        pub(crate) async fn coupon(
            pool: &$pool,
            number: &str,
        ) -> Result<Option<CouponRecord>, SyncError> {
            let row = sqlx::query(
                "SELECT coupon_number, goods_id, coupon_type, state, balance, valid_until, open, \
                 version FROM coufun_coupons WHERE coupon_number = $1",
            )
            .bind(number)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let number: String = row.try_get(0)?;
            let goods: Option<String> = row.try_get(1)?;
            let kind: Option<String> = row.try_get(2)?;
            let current: String = row.try_get(3)?;
            Ok(Some(CouponRecord {
                coupon_number: CouponNumber::new(number)
                    .map_err(|_| SyncError::Corrupt { what: "a coupon number" })?,
                goods_id: goods.map(GoodsId::new).transpose().map_err(|_| {
                    SyncError::Corrupt { what: "a goods id" }
                })?,
                coupon_type: kind.as_deref().map(coupon_type_from_wire),
                state: state_from_wire(&current),
                balance: row.try_get(4)?,
                valid_until: opt_date(row.try_get(5)?),
                open: row.try_get(6)?,
                version: row.try_get(7)?,
            }))
        }

        pub(crate) async fn history(
            pool: &$pool,
            number: &str,
        ) -> Result<Vec<HistoryRow>, SyncError> {
            let rows = sqlx::query(
                "SELECT seq, state, balance, exchanged_at, cancelled_at, source, approval_number, \
                 recorded_at FROM coufun_coupon_history WHERE coupon_number = $1 ORDER BY seq",
            )
            .bind(number)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(HistoryRow {
                        seq: row.try_get(0)?,
                        state: row.try_get(1)?,
                        balance: row.try_get(2)?,
                        exchanged_at: row.try_get(3)?,
                        cancelled_at: row.try_get(4)?,
                        source: row.try_get(5)?,
                        approval_number: row.try_get(6)?,
                        recorded_at: row.try_get(7)?,
                    })
                })
                .collect()
        }

        pub(crate) async fn history_len(pool: &$pool) -> Result<u64, SyncError> {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM coufun_coupon_history")
                .fetch_one(pool)
                .await?;
            Ok(u64::try_from(n).unwrap_or(0))
        }

        pub(crate) async fn due(
            pool: &$pool,
            today: &str,
            limit: i64,
        ) -> Result<Vec<DueCoupon>, SyncError> {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT coupon_number, goods_id, version FROM coufun_coupons \
                 WHERE open AND goods_id IS NOT NULL \
                 AND (valid_until IS NULL OR valid_until >= $1) \
                 ORDER BY polled_at NULLS FIRST, coupon_number LIMIT $2",
            )
            .bind(today)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|(number, goods, version)| {
                    match (CouponNumber::new(number), GoodsId::new(goods)) {
                        (Ok(number), Ok(goods)) => Ok(DueCoupon { number, goods, version }),
                        _ => Err(SyncError::Corrupt { what: "a coupon number or goods id" }),
                    }
                })
                .collect()
        }

        pub(crate) async fn open_count(pool: &$pool, today: &str) -> Result<u64, SyncError> {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM coufun_coupons WHERE open AND goods_id IS NOT NULL \
                 AND (valid_until IS NULL OR valid_until >= $1)",
            )
            .bind(today)
            .fetch_one(pool)
            .await?;
            Ok(u64::try_from(n).unwrap_or(0))
        }

        // ---- goods ----

        pub(crate) async fn claim_fetch(
            pool: &$pool,
            day: &str,
            at: &str,
            per_day: u32,
        ) -> Result<Result<u32, FetchDay>, SyncError> {
            let claimed: Option<i64> = sqlx::query_scalar(
                "INSERT INTO coufun_goods_fetches (day, fetches, last_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (day) DO UPDATE SET fetches = coufun_goods_fetches.fetches + 1, \
                 last_at = excluded.last_at \
                 WHERE coufun_goods_fetches.fetches < $3 AND coufun_goods_fetches.refused_at IS NULL \
                 RETURNING fetches",
            )
            .bind(day)
            .bind(at)
            .bind(i64::from(per_day))
            .fetch_optional(pool)
            .await?;
            let fetches = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
            if let Some(n) = claimed {
                return Ok(Ok(fetches(n)));
            }
            let (n, last_at, refused_at): (i64, String, Option<String>) = sqlx::query_as(
                "SELECT fetches, last_at, refused_at FROM coufun_goods_fetches WHERE day = $1",
            )
            .bind(day)
            .fetch_one(pool)
            .await?;
            Ok(Err(FetchDay {
                fetches: fetches(n),
                last_at,
                refused_at,
            }))
        }

        pub(crate) async fn mark_refused(pool: &$pool, day: &str, at: &str) -> Result<(), SyncError> {
            sqlx::query("UPDATE coufun_goods_fetches SET refused_at = $2 WHERE day = $1")
                .bind(day)
                .bind(at)
                .execute(pool)
                .await?;
            Ok(())
        }

        pub(crate) async fn load_catalogue(conn: &mut Conn) -> Result<Catalogue, SyncError> {
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT goods_id, fields FROM coufun_goods")
                    .fetch_all(&mut *conn)
                    .await?;
            rows.into_iter()
                .map(|(id, fields)| match serde_json::from_str(&fields) {
                    Ok(fields) => Ok((id, fields)),
                    Err(_) => Err(SyncError::Corrupt { what: "a goods item" }),
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Catalogue)
        }

        pub(crate) async fn save_catalogue(
            pool: &$pool,
            fetched: &Catalogue,
            synced_at: &str,
            diff: impl FnOnce(&Catalogue, &Catalogue) -> CatalogueDiff,
        ) -> Result<CatalogueDiff, SyncError> {
            let mut tx = pool.begin_with($begin).await?;
            // One sync at a time writes the catalogue (PostgreSQL: instances wait here).
            sqlx::query($lock_goods).execute(&mut *tx).await?;
            let stored = load_catalogue(&mut tx).await?;
            let diff = diff(&stored, fetched);
            let now = now_text();
            for id in stored.0.keys().filter(|id| !fetched.0.contains_key(*id)) {
                sqlx::query("DELETE FROM coufun_goods WHERE goods_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (id, fields) in &fetched.0 {
                let json = serde_json::to_string(fields)
                    .map_err(|_| SyncError::Corrupt { what: "a goods item" })?;
                sqlx::query(
                    "INSERT INTO coufun_goods (goods_id, fields, first_seen, updated_at) \
                     VALUES ($1, $2, $3, $3) ON CONFLICT (goods_id) DO UPDATE \
                     SET fields = excluded.fields, updated_at = excluded.updated_at",
                )
                .bind(id)
                .bind(json)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            let report = serde_json::to_string(&diff)
                .map_err(|_| SyncError::Corrupt { what: "a sync report" })?;
            sqlx::query("INSERT INTO coufun_goods_syncs (synced_at, goods, report) VALUES ($1, $2, $3)")
                .bind(synced_at)
                .bind(i64::try_from(fetched.0.len()).unwrap_or(i64::MAX))
                .bind(report)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(diff)
        }

        pub(crate) async fn stored_catalogue(pool: &$pool) -> Result<Catalogue, SyncError> {
            let mut conn = pool.acquire().await?;
            load_catalogue(&mut conn).await
        }
    };
}

mod sqlite_ops {
    ops!(sqlx::Sqlite, SqlitePool, "BEGIN IMMEDIATE", "", "SELECT 1");
}

mod pg_ops {
    ops!(
        sqlx::Postgres,
        PgPool,
        "BEGIN",
        " FOR UPDATE",
        "LOCK TABLE coufun_goods IN EXCLUSIVE MODE"
    );
}

pub(crate) use pg_ops::apply as apply_postgres;
pub(crate) use sqlite_ops::apply as apply_sqlite;

/// Where coupons, their history and the goods catalogue are kept. Cloning
/// shares the pool.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SyncStore {
    /// A SQLite file: one process, or several on one machine.
    Sqlite(SqlitePool),
    /// A PostgreSQL database: any number of instances.
    Postgres(PgPool),
}

macro_rules! dispatch {
    ($self:expr, $f:ident ( $($arg:expr),* )) => {
        match $self {
            SyncStore::Sqlite(pool) => sqlite_ops::$f(pool, $($arg),*).await,
            SyncStore::Postgres(pool) => pg_ops::$f(pool, $($arg),*).await,
        }
    };
}

impl SyncStore {
    /// Opens `url`: `sqlite:PATH` (also `sqlite://PATH`; created if missing)
    /// or `postgres://…` / `postgresql://…`, and applies the schema.
    pub async fn open(url: &str) -> Result<Self, SyncError> {
        let scheme = url.split_once(':').map_or(url, |(s, _)| s);
        match scheme {
            "sqlite" => {
                let path = url
                    .strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                    .unwrap_or(url);
                SyncStore::sqlite(path).await
            }
            "postgres" | "postgresql" => SyncStore::postgres(url).await,
            other => Err(SyncError::UnsupportedUrl {
                scheme: other.to_owned(),
            }),
        }
    }

    /// Opens (creating if missing) the SQLite file at `path`, in WAL mode with
    /// a 30 s busy timeout, and applies the schema.
    pub async fn sqlite(path: impl AsRef<Path>) -> Result<Self, SyncError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        SyncStore::with_sqlite_pool(pool).await
    }

    /// Connects to PostgreSQL at `url` (a pool of up to 10) and applies the schema.
    pub async fn postgres(url: &str) -> Result<Self, SyncError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await?;
        SyncStore::with_postgres_pool(pool).await
    }

    /// Uses `pool` (e.g. the one of a `coufun_notify::SqliteStore`, so that
    /// notices and polls write the same file through one pool), applying the schema.
    pub async fn with_sqlite_pool(pool: SqlitePool) -> Result<Self, SyncError> {
        migrator(MIGRATION_VERSIONS, MIGRATION_NAMES, SQLITE_SCHEMA)
            .run(&pool)
            .await
            .map_err(SyncError::Migrate)?;
        Ok(SyncStore::Sqlite(pool))
    }

    /// Uses `pool`, applying the schema.
    pub async fn with_postgres_pool(pool: PgPool) -> Result<Self, SyncError> {
        migrator(MIGRATION_VERSIONS, MIGRATION_NAMES, POSTGRES_SCHEMA)
            .run(&pool)
            .await
            .map_err(SyncError::Migrate)?;
        Ok(SyncStore::Postgres(pool))
    }

    /// Registers an issued coupon of `goods` (unused; history row 1), to be
    /// polled until it is no longer open. `false`: it was already held (a
    /// coupon a notice told of first gets its goods id now).
    pub async fn track(&self, coupon: &CouponNumber, goods: &GoodsId) -> Result<bool, SyncError> {
        Ok(self.track_many(&[(coupon.clone(), goods.clone())]).await? == 1)
    }

    /// [`SyncStore::track`] for many coupons in one transaction; how many were new.
    pub async fn track_many(&self, coupons: &[(CouponNumber, GoodsId)]) -> Result<u64, SyncError> {
        dispatch!(self, track_many(coupons))
    }

    /// Writes one sighting of `coupon` in a transaction of its own (the
    /// receiver's handler writes through the notice's transaction instead:
    /// [`crate::StateNotices`]). A coupon not held is added (without goods
    /// id: it is not polled until [`SyncStore::track`] gives one).
    pub async fn record(
        &self,
        coupon: &CouponNumber,
        seen: &Observation,
        source: Source,
    ) -> Result<Applied, SyncError> {
        dispatch!(self, record(coupon.as_str(), seen, source, None))
    }

    /// A poll's sighting: written as [`SyncStore::record`] does, but dropped
    /// as stale ([`Verdict::Stale`]) when the coupon's version is no longer
    /// `read_version`, the one read before asking COUFUN ([`SyncStore::due`]):
    /// a notice written meanwhile may be newer than the answer.
    pub async fn record_poll(
        &self,
        coupon: &CouponNumber,
        seen: &Observation,
        read_version: i64,
    ) -> Result<Applied, SyncError> {
        dispatch!(
            self,
            record(coupon.as_str(), seen, Source::Poll, Some(read_version))
        )
    }

    /// A poll that got no usable answer: the coupon goes to the back of the queue.
    pub(crate) async fn polled_without_answer(
        &self,
        coupon: &CouponNumber,
    ) -> Result<(), SyncError> {
        dispatch!(self, polled_without_answer(coupon.as_str()))
    }

    /// The coupon as held, if it is.
    pub async fn coupon(&self, coupon: &CouponNumber) -> Result<Option<CouponRecord>, SyncError> {
        dispatch!(self, coupon(coupon.as_str()))
    }

    /// The coupon's state history, oldest first.
    pub async fn history(&self, coupon: &CouponNumber) -> Result<Vec<HistoryRow>, SyncError> {
        dispatch!(self, history(coupon.as_str()))
    }

    /// How many history rows the store holds, over every coupon.
    pub async fn history_len(&self) -> Result<u64, SyncError> {
        dispatch!(self, history_len())
    }

    /// How many coupons are open (polled) on Korean day `today`.
    pub async fn open_count(&self, today: jiff::civil::Date) -> Result<u64, SyncError> {
        dispatch!(self, open_count(&crate::clock::ymd(today)))
    }

    /// The open coupons (a goods id known, validity not past on Korean day
    /// `today`), least recently polled first, at most `limit`.
    pub async fn due(
        &self,
        today: jiff::civil::Date,
        limit: usize,
    ) -> Result<Vec<DueCoupon>, SyncError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        dispatch!(self, due(&crate::clock::ymd(today), limit))
    }

    pub(crate) async fn claim_fetch(
        &self,
        day: &str,
        at: &str,
        per_day: u32,
    ) -> Result<Result<u32, FetchDay>, SyncError> {
        dispatch!(self, claim_fetch(day, at, per_day))
    }

    pub(crate) async fn mark_refused(&self, day: &str, at: &str) -> Result<(), SyncError> {
        dispatch!(self, mark_refused(day, at))
    }

    pub(crate) async fn save_catalogue(
        &self,
        fetched: &Catalogue,
        synced_at: &str,
        diff: impl FnOnce(&Catalogue, &Catalogue) -> CatalogueDiff,
    ) -> Result<CatalogueDiff, SyncError> {
        dispatch!(self, save_catalogue(fetched, synced_at, diff))
    }

    /// The goods catalogue as last synced (empty before the first sync).
    pub async fn catalogue(&self) -> Result<Catalogue, SyncError> {
        dispatch!(self, stored_catalogue())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coufun_api::xml::Timestamp;

    fn stored(state: CouponStatus, version: i64) -> Stored {
        Stored {
            reading: Reading::new(state.as_wire(), None, None, None),
            version,
            coupon_type: Some(CouponType::Barcode.as_wire().to_owned()),
            total_amount: None,
            valid_until: Some("20991231".to_owned()),
        }
    }

    fn used_at_ten() -> Observation {
        let mut seen = Observation::of_state(CouponStatus::Used);
        seen.exchanged_at = Timestamp::from_ymd_hms(2024, 6, 1, 10, 0, 0);
        seen
    }

    #[test]
    fn a_change_moves_the_version_on_by_one() {
        let Plan::Write { seq, key, merged } =
            plan(&stored(CouponStatus::Unused, 4), &used_at_ten(), None)
        else {
            panic!("a use is a change");
        };
        assert_eq!(seq, 5);
        assert_eq!(key, used_at_ten().reading().change_key(5));
        assert_eq!(merged.state, CouponStatus::Used.as_wire());
        // an exchange voucher used is closed; what was stored is kept
        assert!(!merged.open);
        assert_eq!(
            merged.coupon_type.as_deref(),
            Some(CouponType::Barcode.as_wire())
        );
        assert_eq!(merged.valid_until.as_deref(), Some("20991231"));
        assert_eq!(merged.exchanged_at.as_deref(), Some("20240601100000"));
    }

    #[test]
    fn a_poll_that_read_another_version_is_stale_and_keeps_the_state() {
        let current = stored(CouponStatus::Unused, 4);
        for read in [3, 5] {
            let Plan::Keep { verdict, merged } = plan(&current, &used_at_ten(), Some(read)) else {
                panic!("read version {read}: not written");
            };
            assert_eq!(verdict, Verdict::Stale);
            assert_eq!(merged.state, CouponStatus::Unused.as_wire());
            assert_eq!(merged.exchanged_at, None);
            assert!(merged.open);
        }
        assert!(matches!(
            plan(&current, &used_at_ten(), Some(4)),
            Plan::Write { seq: 5, .. }
        ));
    }

    #[test]
    fn the_same_state_is_kept() {
        let current = stored(CouponStatus::Unused, 1);
        let Plan::Keep { verdict, merged } = plan(
            &current,
            &Observation::of_state(CouponStatus::Unused),
            Some(1),
        ) else {
            panic!("no change");
        };
        assert_eq!(verdict, Verdict::Same);
        assert_eq!(merged.state, CouponStatus::Unused.as_wire());
    }

    #[test]
    fn merged_takes_what_is_seen_and_keeps_what_is_not() {
        let mut current = stored(CouponStatus::Used, 2);
        current.reading = Reading::new(
            CouponStatus::Used.as_wire(),
            Some(7_000),
            Some("20240601100000".to_owned()),
            None,
        );
        current.coupon_type = Some(CouponType::Amount.as_wire().to_owned());
        current.total_amount = Some(10_000);
        let mut seen = Observation::of_state(CouponStatus::Cancelled);
        seen.cancelled_at = Timestamp::from_ymd_hms(2024, 6, 2, 9, 0, 0);
        let m = Merged::of(Some(&current), &seen, true);
        assert_eq!(m.state, CouponStatus::Cancelled.as_wire());
        assert_eq!(m.balance, Some(7_000));
        assert_eq!(m.total_amount, Some(10_000));
        assert_eq!(m.exchanged_at.as_deref(), Some("20240601100000"));
        assert_eq!(m.cancelled_at.as_deref(), Some("20240602090000"));
        assert!(!m.open);
        // no change: the stored state stands, the type learnt is kept
        let kept = Merged::of(Some(&current), &seen, false);
        assert_eq!(kept.state, CouponStatus::Used.as_wire());
        assert_eq!(kept.cancelled_at, None);
        assert!(kept.open, "a stored-value voucher with a balance left");
        // a new coupon from a sighting alone
        let fresh = Merged::of(None, &used_at_ten(), true);
        assert_eq!(fresh.coupon_type, None);
        assert!(!fresh.open, "used, type unknown: not polled");
    }
}
