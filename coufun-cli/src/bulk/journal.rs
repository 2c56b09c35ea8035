//! The bulk journal: a SQLite file (through sqlx) holding every row of a run,
//! its TR_ID (assigned before the first attempt) and its outcome, each write
//! committed before the next step, so that a rerun after a crash resumes.
//! Result codes are stored as their two-digit text and read back as
//! [`ResultCode`] (a code outside the manual stays as it came); journals written
//! before the attempt times were kept are migrated in place when opened.

use std::path::Path;
use std::str::FromStr;

use coufun_api::ResultCode;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    /// TR_ID assigned, never sent.
    Pending,
    /// An attempt started; its outcome is not recorded yet (a crash left it so).
    Sending,
    /// Coupons exist.
    Issued,
    /// The server refused; nothing was issued.
    Refused,
    /// The row broke a field rule; nothing was sent.
    Invalid,
    /// Sent, outcome unknown: retried with the same TR_ID on the next run.
    Unknown,
    /// Refused by a limit code (nothing issued): sent again, same TR_ID, next run.
    Deferred,
    /// An earlier attempt reached the server (a `12` after a lost answer):
    /// coupons probably exist, their numbers are not retrievable. Never resent.
    Reached,
    /// The answer echoed another TR_ID or goods id than the row sent: the coupons
    /// in it are not this row's, and what this row's TR_ID did is not known.
    /// Never resent; reconciled with the supplier.
    EchoMismatch,
}

impl RowState {
    /// The word stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Sending => "sending",
            RowState::Issued => "issued",
            RowState::Refused => "refused",
            RowState::Invalid => "invalid",
            RowState::Unknown => "unknown",
            RowState::Deferred => "deferred",
            RowState::Reached => "reached",
            RowState::EchoMismatch => "echo_mismatch",
        }
    }

    fn parse(text: &str) -> Result<Self, JournalError> {
        Ok(match text {
            "pending" => RowState::Pending,
            "sending" => RowState::Sending,
            "issued" => RowState::Issued,
            "refused" => RowState::Refused,
            "invalid" => RowState::Invalid,
            "unknown" => RowState::Unknown,
            "deferred" => RowState::Deferred,
            "reached" => RowState::Reached,
            "echo_mismatch" => RowState::EchoMismatch,
            other => return Err(JournalError::Corrupt(format!("row state {other:?}"))),
        })
    }

    /// Whether a run must still send the row (with its TR_ID).
    pub fn needs_sending(self) -> bool {
        matches!(
            self,
            RowState::Pending | RowState::Sending | RowState::Unknown | RowState::Deferred
        )
    }

    /// Whether the supplier must be asked what the row's TR_ID issued (the
    /// reconciliation request): its outcome is unknown, an earlier attempt
    /// reached the server with its answer lost, or the answer was another order's.
    pub fn needs_reconciliation(self) -> bool {
        matches!(
            self,
            RowState::Sending | RowState::Unknown | RowState::Reached | RowState::EchoMismatch
        )
    }
}

/// A journal that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite failed.
    #[error("journal database error")]
    Db(#[from] sqlx::Error),
    /// The journal belongs to another input or goods.
    #[error("the journal was started for {0}; use another --journal for a different run")]
    OtherRun(String),
    /// Row `line` of the input differs from what the journal recorded for it
    /// (only rows refused by our own checks may be corrected).
    #[error(
        "row {0} of the input differs from the journal's copy: the input changed since the first run (only invalid rows may be corrected); restore it or start a new journal"
    )]
    Changed(u64),
    /// Unexpected content.
    #[error("the journal holds unexpected data: {0}")]
    Corrupt(String),
}

/// One row as journalled.
#[derive(Debug, Clone)]
pub struct JournalRow {
    /// 1-based data row number in the input.
    pub line: u64,
    /// The operator's reference (not sent).
    pub reference: String,
    /// The wire parameters sent (goods and TR_ID included).
    pub params: Vec<(String, String)>,
    /// The TR_ID, fixed before the first attempt.
    pub tr_id: String,
    /// Where it stands.
    pub state: RowState,
    /// Attempts made across runs.
    pub attempts: u32,
    /// Result code, when one was answered (or our own check gave one).
    pub code: Option<ResultCode>,
    /// Message or error.
    pub message: Option<String>,
    /// Order id.
    pub order_id: Option<String>,
    /// Coupon numbers, space-separated.
    pub coupons: Option<String>,
    /// When the first attempt started (UTC, `YYYY-MM-DDTHH:MM:SSZ`); `None`
    /// before it, and for attempts made before the journal kept times.
    pub first_attempt: Option<String>,
    /// When the latest attempt ended (its outcome recorded), or started while
    /// it has no outcome (UTC, as `first_attempt`): with `first_attempt`, the
    /// span holding every request sent for the row, the SDK's retries included.
    pub last_attempt: Option<String>,
}

/// The journal file.
#[derive(Debug, Clone)]
pub struct Journal {
    pool: SqlitePool,
}

impl Journal {
    /// Opens (creating) the journal at `path`.
    pub async fn open(path: &Path) -> Result<Self, JournalError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .execute(&pool)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS rows (
                line INTEGER PRIMARY KEY,
                reference TEXT NOT NULL,
                params TEXT NOT NULL,
                tr_id TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                code TEXT,
                message TEXT,
                order_id TEXT,
                coupons TEXT,
                first_attempt_at TEXT,
                last_attempt_at TEXT
            )",
        )
        .execute(&pool)
        .await?;
        migrate(&pool).await?;
        Ok(Journal { pool })
    }

    /// Records `identity` (goods, operation) on first use; refuses a journal of another run.
    pub async fn claim(&self, identity: &str) -> Result<(), JournalError> {
        sqlx::query("INSERT OR IGNORE INTO run (key, value) VALUES ('identity', ?)")
            .bind(identity)
            .execute(&self.pool)
            .await?;
        let stored: String = sqlx::query_scalar("SELECT value FROM run WHERE key = 'identity'")
            .fetch_one(&self.pool)
            .await?;
        if stored != identity {
            return Err(JournalError::OtherRun(stored));
        }
        Ok(())
    }

    /// Adds every row not yet journalled, each with a TR_ID from `tr_id`, in one
    /// transaction; checks journalled rows against the input.
    pub async fn plan(
        &self,
        rows: &[crate::bulk::input::InputRow],
        mut tr_id: impl FnMut() -> String,
    ) -> Result<(), JournalError> {
        let mut tx = self.pool.begin().await?;
        for (line, reference, params) in rows {
            let encoded = encode_params(params);
            let existing: Option<(String, String, String)> =
                sqlx::query_as("SELECT reference, params, state FROM rows WHERE line = ?")
                    .bind(*line as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some((r, p, _)) if r == *reference && p == encoded => {}
                // A row refused by our own checks was never sent: it may be corrected.
                Some((_, _, state)) if state == RowState::Invalid.as_str() => {
                    sqlx::query(
                        "UPDATE rows SET reference = ?, params = ?, state = 'pending', code = NULL, message = NULL WHERE line = ?",
                    )
                    .bind(reference)
                    .bind(&encoded)
                    .bind(*line as i64)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(_) => return Err(JournalError::Changed(*line)),
                None => {
                    sqlx::query(
                        "INSERT INTO rows (line, reference, params, tr_id, state) VALUES (?, ?, ?, ?, 'pending')",
                    )
                    .bind(*line as i64)
                    .bind(reference)
                    .bind(&encoded)
                    .bind(tr_id())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let extra: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rows WHERE line > ?")
            .bind(rows.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
        if extra > 0 {
            return Err(JournalError::Changed(rows.len() as u64 + 1));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every row, in input order.
    pub async fn rows(&self) -> Result<Vec<JournalRow>, JournalError> {
        let rows = sqlx::query(
            "SELECT line, reference, params, tr_id, state, attempts, code, message, order_id, coupons, first_attempt_at, last_attempt_at FROM rows ORDER BY line",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let line: i64 = r.try_get("line")?;
                let state: String = r.try_get("state")?;
                let params: String = r.try_get("params")?;
                let attempts: i64 = r.try_get("attempts")?;
                let code: Option<String> = r.try_get("code")?;
                Ok(JournalRow {
                    line: line as u64,
                    reference: r.try_get("reference")?,
                    params: decode_params(&params)?,
                    tr_id: r.try_get("tr_id")?,
                    state: RowState::parse(&state)?,
                    attempts: attempts as u32,
                    code: code.as_deref().map(parse_code).transpose()?,
                    message: r.try_get("message")?,
                    order_id: r.try_get("order_id")?,
                    coupons: r.try_get("coupons")?,
                    first_attempt: r.try_get("first_attempt_at")?,
                    last_attempt: r.try_get("last_attempt_at")?,
                })
            })
            .collect()
    }

    /// Marks `line` as being sent (one more attempt, its start time kept),
    /// durably, before the call. The first attempt's time is kept only when it is
    /// this one: a row migrated with attempts but no times keeps `None`.
    pub async fn start_attempt(&self, line: u64) -> Result<(), JournalError> {
        sqlx::query(
            "UPDATE rows SET state = 'sending', attempts = attempts + 1,
                first_attempt_at = CASE WHEN attempts = 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE first_attempt_at END,
                last_attempt_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
             WHERE line = ?",
        )
            .bind(line as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records the outcome of `line`.
    pub async fn record(
        &self,
        line: u64,
        state: RowState,
        code: Option<ResultCode>,
        message: Option<&str>,
        order_id: Option<&str>,
        coupons: Option<&str>,
    ) -> Result<(), JournalError> {
        // An attempt's outcome: its end is the latest time the row was sent.
        sqlx::query(
            "UPDATE rows SET state = ?, code = ?, message = ?, order_id = ?, coupons = ?,
                last_attempt_at = CASE WHEN state = 'sending' THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE last_attempt_at END
             WHERE line = ?",
        )
        .bind(state.as_str())
        .bind(code.map(ResultCode::as_str))
        .bind(message)
        .bind(order_id)
        .bind(coupons)
        .bind(line as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The time now (UTC, as the attempt times are written), by the journal's clock.
    pub async fn now(&self) -> Result<String, JournalError> {
        Ok(
            sqlx::query_scalar("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Closes the pool (checkpointing the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// Brings a journal written by an older coufun up to the current table: the
/// attempt-time columns are added (empty for the attempts already made).
async fn migrate(pool: &SqlitePool) -> Result<(), JournalError> {
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('rows')")
        .fetch_all(pool)
        .await?;
    for column in ["first_attempt_at", "last_attempt_at"] {
        if !columns.iter().any(|c| c == column) {
            sqlx::query(&format!("ALTER TABLE rows ADD COLUMN {column} TEXT"))
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

/// A stored result code: its two digits, read back as the SDK's [`ResultCode`]
/// (a code outside the manual becomes its `Unknown`, keeping the digits).
fn parse_code(text: &str) -> Result<ResultCode, JournalError> {
    text.parse()
        .map_err(|e| JournalError::Corrupt(format!("result code: {e}")))
}

/// Parameters as stored: JSON pairs.
fn encode_params(params: &[(String, String)]) -> String {
    serde_json::to_string(params).unwrap_or_default()
}

fn decode_params(text: &str) -> Result<Vec<(String, String)>, JournalError> {
    serde_json::from_str(text).map_err(|e| JournalError::Corrupt(format!("row parameters: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journal written before the attempt times were kept (the table as it
    /// was) opens, keeps its rows and codes, and gains the times from then on.
    #[tokio::test]
    async fn an_old_journal_is_migrated_and_stays_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let options = SqliteConnectOptions::from_str("sqlite:")
                .unwrap()
                .filename(&path)
                .create_if_missing(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .unwrap();
            for statement in [
                "CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                "CREATE TABLE rows (
                    line INTEGER PRIMARY KEY,
                    reference TEXT NOT NULL,
                    params TEXT NOT NULL,
                    tr_id TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    code TEXT,
                    message TEXT,
                    order_id TEXT,
                    coupons TEXT
                )",
                "INSERT INTO rows (line, reference, params, tr_id, state, attempts, code) VALUES
                    (1, 'a', '[]', 'T1', 'reached', 2, '23'),
                    (2, 'b', '[]', 'T2', 'pending', 0, NULL)",
            ] {
                sqlx::query(statement).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        let journal = Journal::open(&path).await.unwrap();
        let rows = journal.rows().await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].state, RowState::Reached);
        assert_eq!(rows[0].code, Some(ResultCode::DuplicateRequest));
        assert_eq!(rows[0].attempts, 2);
        assert_eq!(rows[0].first_attempt, None, "made before times were kept");

        journal.start_attempt(1).await.unwrap();
        journal.start_attempt(2).await.unwrap();
        let rows = journal.rows().await.unwrap();
        assert_eq!(rows[0].first_attempt, None, "not this attempt's time");
        assert!(rows[0].last_attempt.is_some());
        assert!(rows[1].first_attempt.is_some());
        assert_eq!(rows[1].first_attempt, rows[1].last_attempt);
        journal.close().await;
        // A second open finds the columns there and adds nothing.
        let again = Journal::open(&path).await.unwrap();
        assert_eq!(again.rows().await.unwrap()[1].attempts, 1);
    }

    /// An attempt's outcome moves the last-attempt time to its end; a row
    /// refused by our own checks (never sent) gets no time.
    #[tokio::test]
    async fn attempt_times_span_the_attempts_and_only_them() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(&dir.path().join("j.sqlite")).await.unwrap();
        let rows: Vec<crate::bulk::input::InputRow> =
            (1..=2).map(|i| (i, format!("r{i}"), Vec::new())).collect();
        let mut n = 0;
        journal
            .plan(&rows, || {
                n += 1;
                format!("T{n}")
            })
            .await
            .unwrap();
        let check = Some(ResultCode::InvalidQuantity);
        journal
            .record(1, RowState::Invalid, check, None, None, None)
            .await
            .unwrap();
        journal.start_attempt(2).await.unwrap();
        sqlx::query("UPDATE rows SET last_attempt_at = '2000-01-01T00:00:00Z' WHERE line = 2")
            .execute(&journal.pool)
            .await
            .unwrap();
        let ok = Some(ResultCode::Success);
        journal
            .record(2, RowState::Issued, ok, None, None, None)
            .await
            .unwrap();
        let rows = journal.rows().await.unwrap();
        assert_eq!(
            (&rows[0].first_attempt, &rows[0].last_attempt),
            (&None, &None)
        );
        let (first, last) = (rows[1].first_attempt.clone(), rows[1].last_attempt.clone());
        assert!(first.is_some());
        assert_ne!(
            last.as_deref(),
            Some("2000-01-01T00:00:00Z"),
            "set at the outcome"
        );
        assert!(last >= first, "{first:?} .. {last:?}");
    }

    /// Every state is stored as a word and read back as itself.
    #[test]
    fn every_state_reads_back_as_itself() {
        for state in [
            RowState::Pending,
            RowState::Sending,
            RowState::Issued,
            RowState::Refused,
            RowState::Invalid,
            RowState::Unknown,
            RowState::Deferred,
            RowState::Reached,
            RowState::EchoMismatch,
        ] {
            assert_eq!(RowState::parse(state.as_str()).unwrap(), state);
        }
    }
}
