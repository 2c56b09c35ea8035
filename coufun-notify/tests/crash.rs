//! A crash between the handler's write and the commit: the handler's
//! transaction is aborted after its write (the task processing the notice is
//! killed), the receiver restarts on the same database, COUFUN redelivers, and
//! the notice is processed once — the merchant's table holds one row.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{client, fresh_pg_database, notice, post, serve};
use coufun_api::notice::{ExchangeNotice, NoticeAnswerCode};
use coufun_notify::{
    AllowList, BoxFuture, HandlerError, NoticeHandler, NoticeStore, PostgresStore, Receiver,
    SqliteStore,
};
use sqlx::{Postgres, Sqlite, Transaction};
use tokio::sync::mpsc;

/// Writes the merchant's row in the receiver's transaction; while `hang` is
/// set it then reports the write and never finishes (the process "dies" there).
struct Merchant {
    hang: bool,
    written: mpsc::UnboundedSender<()>,
    calls: Arc<AtomicUsize>,
}

macro_rules! merchant_for {
    ($db:ty, $insert:expr) => {
        impl NoticeHandler<Transaction<'static, $db>> for Merchant {
            fn handle<'a>(
                &'a self,
                tx: &'a mut Transaction<'static, $db>,
                n: &'a ExchangeNotice,
            ) -> BoxFuture<'a, Result<(), HandlerError>> {
                Box::pin(async move {
                    self.calls.fetch_add(1, Ordering::SeqCst);
                    sqlx::query($insert)
                        .bind(n.approval_number.clone())
                        .bind(n.price as i64)
                        .execute(&mut **tx)
                        .await?;
                    if self.hang {
                        let _ = self.written.send(());
                        std::future::pending::<()>().await;
                    }
                    Ok(())
                })
            }
        }
    };
}
merchant_for!(Sqlite, "INSERT INTO merchant_uses VALUES (?, ?)");
merchant_for!(Postgres, "INSERT INTO merchant_uses VALUES ($1, $2)");

fn allow() -> AllowList {
    AllowList::only([IpAddr::V4(Ipv4Addr::LOCALHOST)])
}

/// Kills the first delivery mid-transaction, then redelivers to a restarted
/// receiver built by `restart`; returns the handler calls of the second life.
async fn crash_then_redeliver<S>(
    first: S,
    restart: impl std::future::Future<Output = S>,
) -> (usize, usize)
where
    S: NoticeStore,
    Merchant: NoticeHandler<<S::Claim as coufun_notify::Claim>::Tx>,
{
    let (written, mut was_written) = mpsc::unbounded_channel();
    let first_calls = Arc::new(AtomicUsize::new(0));
    let dying = Receiver::new(
        first.clone(),
        Merchant {
            hang: true,
            written: written.clone(),
            calls: Arc::clone(&first_calls),
        },
        allow(),
    );
    let form = notice(77).to_form().unwrap();
    let task = tokio::spawn(async move {
        dying
            .process(
                Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                Some(ExchangeNotice::form_content_type()),
                &form,
            )
            .await
    });
    was_written.recv().await.unwrap();
    task.abort(); // the crash: the write is done, the commit never happens
    assert!(task.await.unwrap_err().is_cancelled());
    drop(first);

    let calls = Arc::new(AtomicUsize::new(0));
    let store = restart.await;
    let url = serve(Receiver::new(
        store.clone(),
        Merchant {
            hang: false,
            written,
            calls: Arc::clone(&calls),
        },
        allow(),
    ))
    .await;
    let http = client();
    let answer = post(&http, &url, &notice(77)).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::Done);
    let again = post(&http, &url, &notice(77)).await;
    assert_eq!(again.exchange_id(), answer.exchange_id());
    assert_eq!(store.processed_count().await.unwrap(), 1);
    (
        first_calls.load(Ordering::SeqCst),
        calls.load(Ordering::SeqCst),
    )
}

#[tokio::test]
async fn sqlite_a_crash_before_commit_is_processed_once_on_redelivery() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merchant.db");
    let store = SqliteStore::open(&path).await.unwrap();
    sqlx::query("CREATE TABLE merchant_uses (approval TEXT, amount INTEGER)")
        .execute(store.pool())
        .await
        .unwrap();
    let restart = async { SqliteStore::open(&path).await.unwrap() };
    let (before, after) = crash_then_redeliver(store, restart).await;
    assert_eq!((before, after), (1, 1));
    let check = SqliteStore::open(&path).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM merchant_uses")
        .fetch_one(check.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1, "the merchant's table holds one row");
}

#[tokio::test]
async fn postgres_a_crash_before_commit_is_processed_once_on_redelivery() {
    let Some(url) = fresh_pg_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE merchant_uses (approval TEXT, amount BIGINT)")
        .execute(store.pool())
        .await
        .unwrap();
    let restart = async { PostgresStore::connect(&url).await.unwrap() };
    let (before, after) = crash_then_redeliver(store, restart).await;
    assert_eq!((before, after), (1, 1));
    let check = PostgresStore::connect(&url).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM merchant_uses")
        .fetch_one(check.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1, "the merchant's table holds one row");
}
