//! [`SyncError`]: why a sync step failed. Never holds a coupon number in clear.

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The database answered an error.
    #[error("the sync store's database failed")]
    Database(#[source] sqlx::Error),
    /// Creating the schema failed.
    #[error("the sync store's migrations failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A database URL this crate cannot open.
    #[error("database URL {scheme:?}: expected sqlite:PATH or postgres://…")]
    UnsupportedUrl {
        /// The URL's scheme (what comes before the first `:`).
        scheme: String,
    },
    /// The goods list was already fetched as often today as the budget allows.
    #[error(
        "the goods list was already fetched {fetches} time(s) on {day} (Korean day; budget {per_day} a day, last at {last_at}): not fetched again before {next_at}"
    )]
    FetchBudgetSpent {
        /// The Korean day, `YYYY-MM-DD`.
        day: String,
        /// Fetches recorded that day.
        fetches: u32,
        /// The budget.
        per_day: u32,
        /// The last fetch (ISO 8601, Korean time).
        last_at: String,
        /// When the next fetch is allowed (ISO 8601, Korean time).
        next_at: String,
    },
    /// The server answered the daily goods-list limit today: no fetch before tomorrow.
    #[error(
        "the server answered the daily goods-list limit ({code}) on {day} at {refused_at} (Korean time): not fetched again before {next_at}"
    )]
    DailyLimitReached {
        /// The Korean day, `YYYY-MM-DD`.
        day: String,
        /// The code the server answered.
        code: &'static str,
        /// When (ISO 8601, Korean time).
        refused_at: String,
        /// When the next fetch is allowed (ISO 8601, Korean time).
        next_at: String,
    },
    /// A budget of zero fetches a day.
    #[error("a goods-list budget must allow at least 1 fetch a day (got {0})")]
    ZeroBudget(u32),
    /// A call to COUFUN failed.
    #[error(transparent)]
    Api(#[from] coufun_api::Error),
    /// A stored value could not be read back.
    #[error("the sync store holds {what} it cannot read")]
    Corrupt {
        /// What.
        what: &'static str,
    },
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Database(e)
    }
}
