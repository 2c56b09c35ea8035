//! # coufun-store
//!
//! What the SQL stores of coufun-campaign, coufun-sync and coufun-notify
//! share: the sqlx [`Migrator`] for the migrations each crate ships (its own
//! SQL for SQLite and for PostgreSQL, under versions of its own). With the
//! feature `testing`, the module `testing`: the workspace's tests' fresh PostgreSQL
//! database.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

// A test helper: it fails the test that calls it, by design, when the
// PostgreSQL server it is given cannot be used.
#[cfg(feature = "testing")]
#[allow(clippy::expect_used, clippy::panic)]
pub mod testing;

/// The migrator that applies `schema[i]` as migration `versions[i]`, named
/// `names[i]`, in order. Migrations it does not know in sqlx's
/// `_sqlx_migrations` table are left alone: the application's own (and
/// coufun-notify's) may share the table.
pub fn migrator<const N: usize>(
    versions: [i64; N],
    names: [&'static str; N],
    schema: [&'static str; N],
) -> Migrator {
    let migrations = versions
        .into_iter()
        .zip(names)
        .zip(schema)
        .map(|((version, name), sql)| {
            Migration::new(
                version,
                Cow::Borrowed(name),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: true,
        ..Migrator::DEFAULT
    }
}
