//! The goods catalogue sync against the sandbox: the first sync lists every
//! goods item as added; after the sandbox's catalogue changes (a price, a
//! validity, a send type, an image, a guide text, one goods added, one
//! removed) the next sync reports exactly that (snapshots); a second fetch the
//! same Korean day is refused before anything is sent; the server's daily
//! limit (`09`) stops fetches until the next day; and instances sharing a
//! database share the budget (SQLite and PostgreSQL).

mod common;

use common::{client, fresh_pg_database};
use coufun_api::Charset;
use coufun_sandbox::{Sandbox, SandboxConfig};
use coufun_sync::{FetchBudget, SyncError, SyncStore, sync_goods_at};

/// 2024-06-02 04:30 in Korea.
fn day_one() -> jiff::Timestamp {
    "2024-06-01T19:30:00Z".parse().unwrap()
}

/// The next Korean day, 04:00.
fn day_two() -> jiff::Timestamp {
    "2024-06-02T19:00:00Z".parse().unwrap()
}

async fn sqlite_store(dir: &tempfile::TempDir) -> SyncStore {
    SyncStore::sqlite(dir.path().join("goods.db"))
        .await
        .unwrap()
}

/// The sandbox's catalogue, changed in every way the report tells apart.
fn change_catalogue(sandbox: &Sandbox) {
    let mut catalogue = sandbox.catalogue();
    let template = catalogue.goods[0].clone();
    for goods in &mut catalogue.goods {
        match goods.goods_id.as_str() {
            // prices
            "0000100001" => {
                goods.price = 4_300;
                goods.list_price = Some(4_800);
            }
            // validity and send type
            "0000100003" => {
                goods.valid_days = 30;
                goods.send_type = "L".to_owned();
            }
            // images and a guide text
            "0000100004" => {
                goods.image_url = "https://sandbox.invalid/img/0000100004-v2.png".to_owned();
                goods.use_guide = "매장에서 바코드를 보여 주세요 (2024년 6월 개정).".to_owned();
            }
            _ => {}
        }
    }
    catalogue.goods.retain(|g| g.goods_id != "0000100002");
    let mut added = template;
    added.goods_id = "0000100099".to_owned();
    added.name = "콜드브루 Tall".to_owned();
    added.price = 4_600;
    added.list_price = Some(5_000);
    catalogue.goods.push(added);
    sandbox.set_catalogue(catalogue);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_sync_reports_what_changed() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let budget = FetchBudget::default();

    let first = sync_goods_at(&store, &client, budget, Charset::Cp949, day_one())
        .await
        .unwrap();
    assert!(first.diff.first_sync);
    assert_eq!(first.diff.added.len(), first.goods);
    insta::assert_json_snapshot!("first_sync", first);

    // the same Korean day: refused before anything is sent
    let requests = sandbox.request_count();
    let later = day_one()
        .checked_add(jiff::SignedDuration::from_hours(10))
        .unwrap();
    let refused = sync_goods_at(&store, &client, budget, Charset::Cp949, later).await;
    let Err(refused @ SyncError::FetchBudgetSpent { .. }) = refused else {
        panic!("a second fetch the same day: {refused:?}");
    };
    insta::assert_snapshot!("budget_spent", refused.to_string());
    assert_eq!(sandbox.request_count(), requests, "nothing was sent");

    // the catalogue changes; the next Korean day syncs again
    change_catalogue(&sandbox);
    let second = sync_goods_at(&store, &client, budget, Charset::Cp949, day_two())
        .await
        .unwrap();
    assert!(!second.diff.first_sync);
    insta::assert_json_snapshot!("second_sync", second);
    assert_eq!(store.catalogue().await.unwrap().len(), second.goods);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_daily_limit_stops_fetches_until_the_next_day() {
    let mut config = SandboxConfig::default();
    config.goods_list_daily_limit = 1;
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    // a budget larger than the server's limit
    let budget = FetchBudget::per_day(5).unwrap();
    let now = jiff::Timestamp::now();
    sync_goods_at(&store, &client, budget, Charset::Cp949, now)
        .await
        .unwrap();
    let limited = sync_goods_at(&store, &client, budget, Charset::Cp949, now).await;
    let Err(SyncError::DailyLimitReached { code, .. }) = &limited else {
        panic!("the server's 09: {limited:?}");
    };
    assert_eq!(
        *code,
        coufun_api::ResultCode::GoodsListDailyLimitExceeded.as_str()
    );
    let requests = sandbox.request_count();
    let again = sync_goods_at(&store, &client, budget, Charset::Cp949, now).await;
    let Err(again @ SyncError::DailyLimitReached { .. }) = again else {
        panic!("after a 09 the same day: {again:?}");
    };
    assert!(
        again.to_string().contains("not fetched again before"),
        "{again}"
    );
    assert_eq!(
        sandbox.request_count(),
        requests,
        "nothing was sent after the 09"
    );
    sandbox.shutdown().await;
}

async fn shared_budget(name: &str, a: SyncStore, b: SyncStore) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = client(&sandbox);
    let budget = FetchBudget::per_day(2).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..6 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let client = client.clone();
        tasks.spawn(async move {
            sync_goods_at(&store, &client, budget, Charset::Cp949, day_one()).await
        });
    }
    let (mut synced, mut refused) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok(_) => synced += 1,
            Err(SyncError::FetchBudgetSpent { fetches, .. }) => {
                assert_eq!(fetches, 2, "{name}");
                refused += 1;
            }
            Err(other) => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!((synced, refused), (2, 4), "{name}");
    assert_eq!(
        sandbox.request_count(),
        2,
        "{name}: two goods-list calls reached the server"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_on_one_database_share_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let a = SyncStore::sqlite(&path).await.unwrap();
    let b = SyncStore::sqlite(&path).await.unwrap();
    shared_budget("sqlite", a, b).await;
    if let Some(url) = fresh_pg_database().await {
        let a = SyncStore::open(&url).await.unwrap();
        let b = SyncStore::open(&url).await.unwrap();
        shared_budget("postgres", a, b).await;
    }
}
