//! Two receiver instances on one store, the same notice delivered to both at
//! once, 1,000 times over distinct notices: every notice processed exactly once,
//! none lost — in memory, on SQLite and on PostgreSQL.

mod common;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::{client, fresh_pg_database, notice, post, serve};
use coufun_api::notice::{ExchangeNotice, NoticeAnswerCode};
use coufun_notify::{
    AllowList, MemoryStore, NoticeHandler, NoticeStore, PostgresStore, Receiver, SqliteStore,
    handler_fn, store::Claim,
};

const NOTICES: u32 = 1_000;
/// Pairs in flight at once.
const IN_FLIGHT: usize = 32;

type Calls = Arc<Mutex<HashMap<String, u32>>>;

fn counting<Tx: Send + 'static>(calls: Calls) -> impl NoticeHandler<Tx> {
    handler_fn(move |n: ExchangeNotice| {
        let calls = Arc::clone(&calls);
        async move {
            // Yield so the other delivery really overlaps with this one.
            tokio::task::yield_now().await;
            *calls
                .lock()
                .unwrap()
                .entry(n.approval_number.clone())
                .or_default() += 1;
            Ok(())
        }
    })
}

/// Runs the suite on two stores sharing one database; returns the counts.
async fn suite<S: NoticeStore>(name: &str, a: S, b: S) {
    let calls: Calls = Arc::default();
    let allow = || AllowList::only([IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    let url_a = serve(Receiver::new(
        a.clone(),
        counting::<<S::Claim as Claim>::Tx>(Arc::clone(&calls)),
        allow(),
    ))
    .await;
    let url_b = serve(Receiver::new(
        b,
        counting::<<S::Claim as Claim>::Tx>(Arc::clone(&calls)),
        allow(),
    ))
    .await;
    let http = client();
    let started = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..NOTICES {
        let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
        let (http, url_a, url_b) = (http.clone(), url_a.clone(), url_b.clone());
        tasks.spawn(async move {
            let n = notice(i);
            let (x, y) = tokio::join!(post(&http, &url_a, &n), post(&http, &url_b, &n));
            drop(permit);
            (x, y)
        });
    }
    let mut answered = 0;
    while let Some(result) = tasks.join_next().await {
        let (x, y) = result.unwrap();
        assert_eq!(x.code(), &NoticeAnswerCode::Done);
        assert_eq!(y.code(), &NoticeAnswerCode::Done);
        assert!(x.exchange_id().is_some());
        assert_eq!(
            x.exchange_id(),
            y.exchange_id(),
            "both answers carry the first EXCHANGE_ID"
        );
        answered += 2;
    }
    let elapsed = started.elapsed();
    let calls = calls.lock().unwrap().clone();
    let handled: u32 = calls.values().sum();
    let twice = calls.values().filter(|&&c| c > 1).count();
    let recorded = a.processed_count().await.unwrap();
    eprintln!(
        "[{name}] {NOTICES} notices x 2 instances: {answered} answers, handler calls {handled}, \
         distinct notices handled {}, handled twice {twice}, recorded {recorded}, in {elapsed:.2?}",
        calls.len()
    );
    assert_eq!(answered, 2 * NOTICES);
    assert_eq!(calls.len() as u32, NOTICES, "none lost");
    assert_eq!(twice, 0, "none processed twice");
    assert_eq!(handled, NOTICES);
    assert_eq!(recorded, u64::from(NOTICES));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_two_instances_process_each_notice_once() {
    let store = MemoryStore::new();
    suite("memory", store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_instances_process_each_notice_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notices.db");
    // Two stores, two pools: two instances on one file.
    let a = SqliteStore::open(&path).await.unwrap();
    let b = SqliteStore::open(&path).await.unwrap();
    suite("sqlite", a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_instances_process_each_notice_once() {
    let Some(url) = fresh_pg_database().await else {
        return;
    };
    let a = PostgresStore::connect(&url).await.unwrap();
    let b = PostgresStore::connect(&url).await.unwrap();
    suite("postgres", a, b).await;
}
