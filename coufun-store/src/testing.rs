//! For the workspace's tests (feature `testing`), one job: a fresh, uniquely
//! named PostgreSQL database on the server [`PG_ENV`] names, or a loud skip
//! when it names none (a failure in CI).
//!
//! The tests of coufun-notify, coufun-sync, coufun-campaign and the command
//! line's campaigns all take their PostgreSQL database from here, so that they
//! agree on the variable, on what an unset one means, and on the message.

use sqlx::Connection;

/// The variable holding a PostgreSQL server URL for the tests
/// (`postgres://user@host:port/database`, as `.ci/start-postgres` prints it).
pub const PG_ENV: &str = "COUFUN_TEST_DATABASE_URL";

/// The variable that, set to anything, says the tests run in CI: there an unset
/// [`PG_ENV`] fails the test instead of skipping it.
pub const CI_ENV: &str = "CI";

/// A fresh database on the server [`PG_ENV`] names, created as
/// `{prefix}_{ulid}` (lower case); its URL. `None` when the variable is unset,
/// after a loud SKIPPING message on stderr.
///
/// # Panics
///
/// When [`PG_ENV`] is unset in CI ([`CI_ENV`] set), so that the PostgreSQL tests
/// cannot be skipped there unnoticed; when the server cannot be reached or the
/// database cannot be created. `prefix` goes into `CREATE DATABASE` as it is:
/// a lower-case identifier, e.g. `coufun_sync`.
pub async fn fresh_pg_database(prefix: &str) -> Option<String> {
    let name = database_name(prefix);
    let Ok(url) = std::env::var(PG_ENV) else {
        if std::env::var_os(CI_ENV).is_some() {
            panic!(
                "{PG_ENV} is unset in CI: the PostgreSQL tests must run (see .ci/start-postgres)"
            );
        }
        eprintln!(
            "\n!!! SKIPPING the PostgreSQL part: {PG_ENV} is unset.\n\
             !!! Run `eval \"$(.ci/start-postgres)\"` first (in CI this fails instead).\n"
        );
        return None;
    };
    let mut admin = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL test server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    // The database exists either way; a failed goodbye only leaves the server
    // to notice the closed socket.
    let _ = admin.close().await;
    Some(database_url(&url, &name))
}

/// `{prefix}_{ulid}`, in lower case.
fn database_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

/// `url` with its database (the path, if any) replaced by `name`; the query
/// string, if any, kept.
fn database_url(url: &str, name: &str) -> String {
    let (rest, query) = match url.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (url, None),
    };
    let authority = rest.find("://").map_or(0, |i| i + 3);
    let server = match rest[authority..].find('/') {
        Some(slash) => &rest[..authority + slash],
        None => rest,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_replaces_the_path_and_keeps_the_query() {
        let cases = [
            (
                "postgres://u@127.0.0.1:5432/coufun_test",
                "postgres://u@127.0.0.1:5432/n",
            ),
            (
                "postgres://u@127.0.0.1:5432",
                "postgres://u@127.0.0.1:5432/n",
            ),
            (
                "postgres://u@127.0.0.1:5432/",
                "postgres://u@127.0.0.1:5432/n",
            ),
            (
                "postgres://u@127.0.0.1/db?sslmode=disable",
                "postgres://u@127.0.0.1/n?sslmode=disable",
            ),
            (
                "postgres://u@127.0.0.1?sslmode=disable",
                "postgres://u@127.0.0.1/n?sslmode=disable",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(database_url(url, "n"), want, "{url}");
        }
    }

    #[test]
    fn names_are_the_prefix_and_a_fresh_lower_case_ulid() {
        let a = database_name("coufun_x");
        let b = database_name("coufun_x");
        assert_ne!(a, b);
        let ulid = a.strip_prefix("coufun_x_").expect("the prefix");
        assert_eq!(ulid.len(), 26);
        assert_eq!(ulid, ulid.to_lowercase());
    }
}
