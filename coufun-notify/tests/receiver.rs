//! The receiver end to end over HTTP on 127.0.0.1, with the sandbox's sender.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{
    client, counting, failing_once, fast_retries, localhost, notice, post, post_raw, serve,
    serve_local, serve_uses_table, sqlite_store, summary, uses_rows,
};
use coufun_api::notice::{CouponStatus, CouponType, ExchangeNotice, NoticeAnswerCode, Reported};
use coufun_notify::{
    AllowList, DuplicateAnswer, HandlerError, MemoryStore, NoticeStore, Receiver, handler_fn,
};
use coufun_sandbox::notices::NoticeSender;

#[tokio::test]
async fn a_notice_is_processed_once_and_its_duplicate_gets_the_same_exchange_id() {
    let calls = Arc::new(AtomicUsize::new(0));
    let store = MemoryStore::new();
    let url = serve_local(store.clone(), counting(Arc::clone(&calls))).await;
    let http = client();
    let first = post(&http, &url, &notice(1)).await;
    assert_eq!(first.code(), &NoticeAnswerCode::Done);
    assert_eq!(first.message(), "Success");
    let id = first.exchange_id().expect("an EXCHANGE_ID").to_owned();
    assert_eq!(id.len(), 26);
    let again = post(&http, &url, &notice(1)).await;
    assert_eq!(again.code(), &NoticeAnswerCode::Done);
    assert_eq!(again.exchange_id(), Some(id.as_str()));
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler ran once");
    assert_eq!(store.processed_count().await.unwrap(), 1);
    // A use-cancel of the same approval is another notice (the state is in the key).
    let mut cancel = notice(1);
    cancel.state = Reported::Known(CouponStatus::Unused);
    let answer = post(&http, &url, &cancel).await;
    assert_ne!(answer.exchange_id(), Some(id.as_str()));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn duplicates_may_be_answered_04() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = Receiver::new(
        MemoryStore::new(),
        counting(Arc::clone(&calls)),
        localhost(),
    )
    .duplicate_answer(DuplicateAnswer::Duplicate);
    let url = serve(receiver).await;
    let http = client();
    let first = post(&http, &url, &notice(2)).await;
    let again = post(&http, &url, &notice(2)).await;
    assert_eq!(again.code(), &NoticeAnswerCode::Duplicate);
    assert_eq!(again.exchange_id(), first.exchange_id());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_handler_failure_answers_99_records_nothing_and_the_senders_retry_succeeds() {
    let (_dir, store) = sqlite_store().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = failing_once(Arc::clone(&calls));
    let url = serve_local(store.clone(), handler).await;
    let sender = NoticeSender::new(fast_retries(&url)).unwrap();
    sender.enqueue(notice(3)).unwrap();
    assert!(sender.wait_idle(Duration::from_secs(20)).await);
    assert_eq!(
        summary(&sender.log()),
        [
            (1, "answered", "99".to_owned()),
            (2, "answered", "00".to_owned())
        ]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(store.processed_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_handler_answering_no_such_coupon_gets_03() {
    let handler = handler_fn(|_n: ExchangeNotice| async { Err(HandlerError::NoSuchCoupon) });
    let store = MemoryStore::new();
    let url = serve_local(store.clone(), handler).await;
    let answer = post(&client(), &url, &notice(4)).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::NoSuchCoupon);
    assert_eq!(answer.exchange_id(), None);
    assert_eq!(store.processed_count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_stored_value_coupon_used_in_three_parts_gives_three_notices_and_balance_0() {
    let (_dir, store, url) = serve_uses_table().await;
    let sender = NoticeSender::new(fast_retries(&url)).unwrap();
    let mut balance = 10_000;
    for (i, amount) in [3_000i64, 5_000, 2_000].into_iter().enumerate() {
        balance -= amount;
        let mut n = notice(50);
        n.approval_number = format!("PART{i}");
        n.coupon_type = Reported::Known(CouponType::Amount);
        n.price = amount;
        n.balance = balance;
        // COUFUN may deliver a notice twice: the duplicate is absorbed.
        sender.enqueue(n.clone()).unwrap();
        sender.enqueue(n).unwrap();
        assert!(sender.wait_idle(Duration::from_secs(20)).await);
    }
    let used =
        |approval: &str, amount, balance| (approval.to_owned(), "001".to_owned(), amount, balance);
    assert_eq!(
        uses_rows(&store).await,
        [
            used("PART0", 3000, 7000),
            used("PART1", 5000, 2000),
            used("PART2", 2000, 0)
        ]
    );
    assert_eq!(store.processed_count().await.unwrap(), 3);
    assert_eq!(sender.log().len(), 6);
    assert!(sender.log().iter().all(|r| r.result.is_final()));
}

#[tokio::test]
async fn bad_notices_answer_99_and_store_nothing() {
    let (_dir, store) = sqlite_store().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let url = serve_local(store.clone(), counting(Arc::clone(&calls))).await;
    let http = client();
    let good = String::from_utf8(notice(7).to_form().unwrap()).unwrap();
    let euc_kr = ExchangeNotice::form_content_type();
    // The good form with `from` (which must be in it) replaced by `to`.
    let edited = |from: &str, to: &str| {
        assert!(good.contains(from), "{from:?} is not in {good}");
        good.replace(from, to).into_bytes()
    };
    let oversized = format!("{good}&PAD={}", "x".repeat(9000)).into_bytes();
    let shift_jis = "application/x-www-form-urlencoded; charset=Shift_JIS";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("malformed escape", edited("%BA", "%B"), euc_kr),
        (
            "missing field",
            edited("EXCHANGE_NUM=AP000007&", ""),
            euc_kr,
        ),
        ("bad amount", edited("PRICE=4500", "PRICE=4,500"), euc_kr),
        ("oversized", oversized, euc_kr),
        (
            "wrong charset declared",
            good.clone().into_bytes(),
            shift_jis,
        ),
        ("bytes not EUC-KR", edited("%BA%BB", "%FF%FE"), euc_kr),
        ("unknown state", edited("STATUS=001", "STATUS=777"), euc_kr),
        (
            "not a form",
            b"{\"BARCODE_NUM\":1}".to_vec(),
            "application/json",
        ),
    ];
    for (what, body, content_type) in cases {
        let answer = post_raw(&http, &url, body, content_type).await;
        assert_eq!(answer.code(), &NoticeAnswerCode::Other, "{what}");
        assert_eq!(answer.message(), "Error", "{what}");
        assert_eq!(answer.exchange_id(), None, "{what}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(store.processed_count().await.unwrap(), 0);
    // The good one still goes through.
    let answer = post_raw(&http, &url, good.into_bytes(), euc_kr).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::Done);
}

#[tokio::test]
async fn a_caller_outside_the_allow_list_gets_01() {
    let calls = Arc::new(AtomicUsize::new(0));
    let store = MemoryStore::new();
    let only_coufun = AllowList::only(["203.0.113.10".parse().unwrap()]);
    let url = serve(Receiver::new(
        store.clone(),
        counting(Arc::clone(&calls)),
        only_coufun,
    ))
    .await;
    let answer = post(&client(), &url, &notice(8)).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::IpNotRegistered);
    assert_eq!(answer.message(), "IP not registered");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(store.processed_count().await.unwrap(), 0);
}

#[tokio::test]
async fn without_connect_info_every_notice_gets_01() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = Receiver::new(
        MemoryStore::new(),
        counting(Arc::clone(&calls)),
        AllowList::any(),
    );
    let app = axum::Router::new().nest("/exchange", receiver.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/exchange", listener.local_addr().unwrap());
    // Served without `into_make_service_with_connect_info`: no peer address.
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let answer = post(&client(), &url, &notice(9)).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::IpNotRegistered);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// A store answers the EXCHANGE_ID it recorded for a notice's key, and none
/// for a key it never processed (the memory store and SQLite alike).
#[tokio::test]
async fn a_store_tells_the_exchange_id_it_recorded_for_a_key() {
    use coufun_notify::NoticeKey;
    async fn check<S: NoticeStore + Clone>(store: S) {
        let url = serve_local(store.clone(), counting(Arc::new(AtomicUsize::new(0)))).await;
        let http = client();
        let first = post(&http, &url, &notice(7)).await;
        let id = first.exchange_id().expect("an EXCHANGE_ID").to_owned();
        let second = post(&http, &url, &notice(8)).await;
        let other = second.exchange_id().expect("an EXCHANGE_ID").to_owned();
        assert_ne!(id, other);
        let of = |n| NoticeKey::of(&notice(n));
        assert_eq!(store.exchange_id(&of(7)).await.unwrap(), Some(id));
        assert_eq!(store.exchange_id(&of(8)).await.unwrap(), Some(other));
        assert_eq!(store.exchange_id(&of(9)).await.unwrap(), None);
    }
    check(MemoryStore::new()).await;
    let (_dir, sqlite) = sqlite_store().await;
    check(sqlite).await;
}

/// Debug output names what it shows and masks the coupon number (a bearer
/// value): a receiver shows its settings, a notice key its masked number.
#[tokio::test]
async fn debug_shows_the_settings_and_masks_the_coupon_number() {
    use coufun_notify::NoticeKey;
    let key = NoticeKey::of(&notice(5));
    let shown = format!("{key:?}");
    let number = notice(5).coupon_number.as_str().to_owned();
    assert!(shown.starts_with("NoticeKey {"), "{shown}");
    assert!(
        shown.contains(&coufun_api::privacy::mask_secret(&number)),
        "{shown}"
    );
    assert!(!shown.contains(&number), "{shown}");
    assert!(shown.contains("AP000005"), "{shown}");
    let receiver = Receiver::new(
        MemoryStore::new(),
        counting(Arc::new(AtomicUsize::new(0))),
        localhost(),
    );
    let shown = format!("{receiver:?}");
    assert!(shown.starts_with("Receiver {"), "{shown}");
    assert!(
        shown.contains("allow") && shown.contains("duplicate"),
        "{shown}"
    );
}
