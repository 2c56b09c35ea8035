//! The store's write path, one rule at a time, on SQLite and PostgreSQL: a
//! change gets one history row and a repeat none; a poll answer older than a
//! notice written meanwhile is dropped; the database's unique keys refuse a
//! second row for one change even when the rule would write it; many writers
//! of one sighting at once write one row; a notice of a coupon not held adds
//! it; only open coupons are due; coupon numbers never show in `Debug`.

mod common;

use std::collections::BTreeSet;

use common::fresh_pg_database;
use coufun_api::notice::{ExchangeNotice, ExchangeNoticeRequired};
use coufun_api::xml::{CalendarDate, Reported, Timestamp};
use coufun_api::{CouponNumber, CouponStatus, CouponType, GoodsId};
use coufun_sync::{Applied, Observation, Source, SyncStore, Verdict};

fn number(n: u32) -> CouponNumber {
    CouponNumber::new(format!("7300{n:08}")).unwrap()
}

fn goods() -> GoodsId {
    GoodsId::new("0000100001").unwrap()
}

fn today() -> jiff::civil::Date {
    coufun_sync::clock::korean_day(jiff::Timestamp::now())
}

fn notice(
    n: u32,
    state: CouponStatus,
    kind: CouponType,
    balance: i64,
    at: (u8, u8),
) -> Observation {
    Observation::from_notice(&ExchangeNotice::new(ExchangeNoticeRequired {
        coupon_number: number(n),
        approval_number: format!("AP{n}{}{}", at.0, at.1),
        state: Reported::Known(state),
        time: Timestamp::from_ymd_hms(2024, 6, 1, at.0, at.1, 0).unwrap(),
        coupon_type: Reported::Known(kind),
        price: 1_000,
        balance,
    }))
}

fn used(n: u32) -> Observation {
    notice(n, CouponStatus::Used, CouponType::Barcode, 0, (10, 0))
}

/// A status answer with a state and nothing else.
fn bare(state: CouponStatus) -> Observation {
    Observation::of_state(state)
}

async fn rows(store: &SyncStore, n: u32) -> Vec<(i64, String, String)> {
    store
        .history(&number(n))
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.state, r.source))
        .collect()
}

async fn each_store(test: impl AsyncFn(SyncStore, &str)) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SyncStore::open(&format!("sqlite:{}", dir.path().join("s.db").display()))
        .await
        .unwrap();
    test(sqlite, "sqlite").await;
    if let Some(url) = fresh_pg_database().await {
        test(SyncStore::open(&url).await.unwrap(), "postgres").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_gets_one_row_and_a_repeat_none() {
    each_store(async |store, name| {
        assert!(store.track(&number(1), &goods()).await.unwrap());
        assert!(!store.track(&number(1), &goods()).await.unwrap(), "{name}");
        let first = store.record(&number(1), &used(1), Source::Notice).await;
        assert_eq!(first.unwrap(), Applied::Recorded { seq: 2 }, "{name}");
        let again = store.record(&number(1), &used(1), Source::Notice).await;
        assert_eq!(again.unwrap(), Applied::Unchanged(Verdict::Same), "{name}");
        // a status answer of the same use (same time, no balance)
        let mut polled = bare(CouponStatus::Used);
        polled.exchanged_at = used(1).exchanged_at;
        polled.coupon_type = Some(Reported::Known(CouponType::Barcode));
        let due = store.due(today(), 10).await.unwrap();
        assert!(
            due.is_empty(),
            "{name}: a used exchange voucher is not polled"
        );
        let seen = store.record_poll(&number(1), &polled, 2).await.unwrap();
        assert_eq!(seen, Applied::Unchanged(Verdict::Same), "{name}");
        assert_eq!(
            rows(&store, 1).await,
            [
                (1, "000".into(), "registered".into()),
                (2, "001".into(), "notice".into())
            ],
            "{name}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_answer_older_than_a_notice_written_meanwhile_is_dropped() {
    each_store(async |store, name| {
        store.track(&number(2), &goods()).await.unwrap();
        let due = store.due(today(), 10).await.unwrap();
        assert_eq!(due.len(), 1, "{name}");
        assert_eq!(due[0].version, 1, "{name}");
        // the poll asked, then the notice of a use was written, then the
        // poll's answer (still unused, no time) arrives
        store
            .record(&number(2), &used(2), Source::Notice)
            .await
            .unwrap();
        let late = store
            .record_poll(&number(2), &bare(CouponStatus::Unused), due[0].version)
            .await;
        assert_eq!(late.unwrap(), Applied::Unchanged(Verdict::Stale), "{name}");
        assert_eq!(rows(&store, 2).await.len(), 2, "{name}");
        let held = store.coupon(&number(2)).await.unwrap().unwrap();
        assert_eq!(held.state, Reported::Known(CouponStatus::Used), "{name}");
        assert_eq!(held.version, 2, "{name}");
        // a poll that read the new version is believed
        let fresh = store
            .record_poll(&number(2), &bare(CouponStatus::Unused), 2)
            .await;
        assert_eq!(fresh.unwrap(), Applied::Recorded { seq: 3 }, "{name}");
        let held = store.coupon(&number(2)).await.unwrap().unwrap();
        assert_eq!(held.version, 3, "{name}");
        assert!(held.open, "{name}");
        // a poll of a coupon not held
        let unknown = store
            .record_poll(&number(99), &bare(CouponStatus::Unused), 1)
            .await;
        assert_eq!(unknown.unwrap(), Applied::Unknown, "{name}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_a_second_row_for_one_change() {
    each_store(async |store, name| {
        store.track(&number(3), &goods()).await.unwrap();
        store
            .record(&number(3), &used(3), Source::Notice)
            .await
            .unwrap();
        // a sighting without a time says unused (a use-cancel nobody notified)
        let unused = store
            .record(&number(3), &bare(CouponStatus::Unused), Source::Poll)
            .await;
        assert_eq!(unused.unwrap(), Applied::Recorded { seq: 3 }, "{name}");
        // the first use's notice delivered again: by state it is a change,
        // but that change is recorded (row 2): its key refuses a second row
        let again = store.record(&number(3), &used(3), Source::Notice).await;
        assert_eq!(again.unwrap(), Applied::Unchanged(Verdict::Same), "{name}");
        assert_eq!(rows(&store, 3).await.len(), 3, "{name}");
        let held = store.coupon(&number(3)).await.unwrap().unwrap();
        assert_eq!(held.state, Reported::Known(CouponStatus::Unused), "{name}");
        assert_eq!(held.version, 3, "{name}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_writers_of_one_sighting_at_once_write_one_row() {
    each_store(async |store, name| {
        for n in 10..20 {
            store.track(&number(n), &goods()).await.unwrap();
        }
        let mut tasks = tokio::task::JoinSet::new();
        for n in 10..20 {
            for writer in 0..8 {
                let store = store.clone();
                tasks.spawn(async move {
                    if writer % 2 == 0 {
                        store.record(&number(n), &used(n), Source::Notice).await
                    } else {
                        store.record_poll(&number(n), &used(n), 1).await
                    }
                });
            }
        }
        let mut recorded = 0;
        while let Some(done) = tasks.join_next().await {
            if done.unwrap().unwrap().recorded() {
                recorded += 1;
            }
        }
        assert_eq!(recorded, 10, "{name}: one writer per coupon records");
        assert_eq!(store.history_len().await.unwrap(), 20, "{name}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_of_a_coupon_not_held_adds_it_and_track_gives_its_goods() {
    each_store(async |store, name| {
        let partly = notice(4, CouponStatus::Used, CouponType::Amount, 7_000, (9, 0));
        let added = store.record(&number(4), &partly, Source::Notice).await;
        assert_eq!(added.unwrap(), Applied::Recorded { seq: 1 }, "{name}");
        let held = store.coupon(&number(4)).await.unwrap().unwrap();
        assert_eq!(held.goods_id, None, "{name}");
        assert_eq!(held.balance, Some(7_000), "{name}");
        assert!(
            held.open,
            "{name}: a stored-value voucher with a balance left"
        );
        assert!(
            store.due(today(), 10).await.unwrap().is_empty(),
            "{name}: no goods id, no poll"
        );
        assert!(!store.track(&number(4), &goods()).await.unwrap(), "{name}");
        let due = store.due(today(), 10).await.unwrap();
        assert_eq!(due.len(), 1, "{name}");
        assert_eq!(due[0].goods, goods(), "{name}");
        assert_eq!(
            rows(&store, 4).await,
            [(1, "001".into(), "notice".into())],
            "{name}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_open_coupons_are_due() {
    each_store(async |store, name| {
        for n in 20..26 {
            store.track(&number(n), &goods()).await.unwrap();
        }
        // 20: a used exchange voucher
        store
            .record(&number(20), &used(20), Source::Notice)
            .await
            .unwrap();
        // 21: a stored-value voucher used in part; 22: used up
        let part = notice(21, CouponStatus::Used, CouponType::Amount, 5_000, (9, 0));
        store
            .record(&number(21), &part, Source::Notice)
            .await
            .unwrap();
        let all = notice(22, CouponStatus::Used, CouponType::Amount, 0, (9, 0));
        store
            .record(&number(22), &all, Source::Notice)
            .await
            .unwrap();
        // 23: cancelled
        let mut cancelled = bare(CouponStatus::Cancelled);
        cancelled.cancelled_at = Timestamp::from_ymd_hms(2024, 6, 2, 9, 0, 0);
        store.record_poll(&number(23), &cancelled, 1).await.unwrap();
        // 24: unused, valid until a day long past
        let mut expired = bare(CouponStatus::Unused);
        expired.valid_until = CalendarDate::new(2000, 1, 1);
        let seen = store.record_poll(&number(24), &expired, 1).await.unwrap();
        assert_eq!(seen, Applied::Unchanged(Verdict::Same), "{name}");
        // 25: unused
        let due: BTreeSet<String> = store
            .due(today(), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.number.as_str().to_owned())
            .collect();
        let expected: BTreeSet<String> = [21, 25].map(|n| number(n).as_str().to_owned()).into();
        assert_eq!(due, expected, "{name}");
        assert_eq!(store.open_count(today()).await.unwrap(), 2, "{name}");
        // the least recently polled come first, at most `limit`
        let again = store.record_poll(&number(21), &part, 2).await.unwrap();
        assert_eq!(again, Applied::Unchanged(Verdict::Same), "{name}");
        let first = store.due(today(), 1).await.unwrap();
        assert_eq!(first.len(), 1, "{name}");
        assert_eq!(first[0].number, number(25), "{name}: never polled");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupon_numbers_never_show_in_debug() {
    each_store(async |store, name| {
        store.track(&number(30), &goods()).await.unwrap();
        let clear = number(30).as_str().to_owned();
        let held = store.coupon(&number(30)).await.unwrap().unwrap();
        let due = store.due(today(), 10).await.unwrap();
        for shown in [
            format!("{held:?}"),
            format!("{due:?}"),
            format!("{:?}", used(30)),
        ] {
            assert!(!shown.contains(&clear), "{name}: {shown}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_shares_its_database_with_the_notice_receivers() {
    // either crate's migrations first, and each opened again after the other
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    coufun_notify::SqliteStore::open(&path).await.unwrap();
    SyncStore::sqlite(&path).await.unwrap();
    coufun_notify::SqliteStore::open(&path).await.unwrap();
    let store = SyncStore::sqlite(&path).await.unwrap();
    assert!(store.track(&number(40), &goods()).await.unwrap());
    if let Some(url) = fresh_pg_database().await {
        SyncStore::open(&url).await.unwrap();
        coufun_notify::PostgresStore::connect(&url).await.unwrap();
        let store = SyncStore::open(&url).await.unwrap();
        assert!(store.track(&number(40), &goods()).await.unwrap());
    }
}
