//! `coufun_store::testing` as the workspace's tests see it: with
//! `COUFUN_TEST_DATABASE_URL` unset it skips loudly (None) outside CI and fails
//! in CI; with it set, each call makes a new, empty database.
//!
//! The environment is the whole process's (and changing it is `unsafe`), so each
//! unset case runs this test binary again as a child with its own environment,
//! running the [`child`] test alone.

use std::process::{Command, Output};

use coufun_store::testing::{CI_ENV, PG_ENV, fresh_pg_database};
use sqlx::Connection;

/// Set by a parent below in the child's environment: run the case.
const CHILD: &str = "COUFUN_STORE_TESTING_CHILD";

/// What the child prints of the helper's answer.
const ANSWER: &str = "fresh_pg_database answered: ";

/// The child's side: the helper's answer on stdout. Does nothing in a normal run.
#[tokio::test]
async fn child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let url = fresh_pg_database("coufun_store_child").await;
    println!("{ANSWER}{url:?}");
}

/// This binary run for [`child`] alone, without [`PG_ENV`], with `CI` set or not.
fn child_without_database(ci: bool) -> (Output, String) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove(PG_ENV)
        .env_remove(CI_ENV);
    if ci {
        command.env(CI_ENV, "true");
    }
    let output = command.output().expect("the test binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

#[test]
fn without_the_variable_outside_ci_the_test_is_skipped_loudly() {
    let (output, text) = child_without_database(false);
    assert!(output.status.success(), "{text}");
    assert!(text.contains(&format!("{ANSWER}None")), "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "!!! SKIPPING the PostgreSQL part: {PG_ENV} is unset."
        )),
        "{stderr}"
    );
    assert!(stderr.contains(".ci/start-postgres"), "{stderr}");
}

#[test]
fn without_the_variable_in_ci_the_test_fails() {
    let (output, text) = child_without_database(true);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "{PG_ENV} is unset in CI: the PostgreSQL tests must run"
        )),
        "{text}"
    );
    assert!(!text.contains(ANSWER), "{text}");
    assert!(!text.contains("SKIPPING"), "{text}");
}

/// The database `url` names, as the server sees it, and its tables.
async fn database_and_tables(url: &str) -> (String, i64) {
    let mut db = sqlx::PgConnection::connect(url)
        .await
        .expect("the fresh database");
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    (name, tables)
}

#[tokio::test]
async fn postgres_each_call_makes_a_new_empty_database() {
    let Some(first) = fresh_pg_database("coufun_store").await else {
        return;
    };
    let second = fresh_pg_database("coufun_store").await.unwrap();
    assert_ne!(first, second);
    for url in [&first, &second] {
        let (name, tables) = database_and_tables(url).await;
        assert!(name.starts_with("coufun_store_"), "{name}");
        assert!(url.ends_with(&format!("/{name}")), "{url} is {name}");
        assert_eq!(tables, 0, "{name} is empty");
    }
}
