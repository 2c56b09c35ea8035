//! The migrator on a SQLite file: the schema applied once under its version and
//! name, and an application's own migrations in the same table left alone.

use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

const OURS: [&str; 2] = [
    "CREATE TABLE first (id INTEGER PRIMARY KEY)",
    "CREATE TABLE second (id INTEGER PRIMARY KEY)",
];

fn ours() -> Migrator {
    coufun_store::migrator(
        [20_240_301_000_001, 20_240_301_000_002],
        ["first table", "second table"],
        OURS,
    )
}

async fn connect(dir: &tempfile::TempDir) -> SqliteConnection {
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("store.db"))
        .create_if_missing(true);
    SqliteConnection::connect_with(&options).await.unwrap()
}

async fn applied(db: &mut SqliteConnection) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT version, description FROM _sqlx_migrations ORDER BY version")
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_schema_is_applied_once_under_its_version_and_name() {
    let migrator = ours();
    let versions: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    assert_eq!(versions, [20_240_301_000_001, 20_240_301_000_002]);
    let dir = tempfile::tempdir().unwrap();
    let mut db = connect(&dir).await;
    migrator.run(&mut db).await.unwrap();
    ours().run(&mut db).await.unwrap();
    assert_eq!(
        applied(&mut db).await,
        [
            (20_240_301_000_001, "first table".to_owned()),
            (20_240_301_000_002, "second table".to_owned()),
        ]
    );
    for table in ["first", "second"] {
        sqlx::query(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut db)
            .await
            .unwrap();
    }
}

/// A migration in the table that this migrator does not know (the
/// application's own, another crate's) is no error, before or after ours.
#[tokio::test]
async fn an_applications_own_migrations_in_the_table_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = connect(&dir).await;
    let app = coufun_store::migrator(
        [1],
        ["the application's"],
        ["CREATE TABLE app (id INTEGER)"],
    );
    app.run(&mut db).await.unwrap();
    ours().run(&mut db).await.unwrap();
    ours().run(&mut db).await.unwrap();
    let versions: Vec<i64> = applied(&mut db).await.into_iter().map(|(v, _)| v).collect();
    assert_eq!(versions, [1, 20_240_301_000_001, 20_240_301_000_002]);
}
