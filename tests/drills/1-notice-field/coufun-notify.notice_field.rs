//! Drill 1 (see .ci/spec-drill): a new optional notice field, added in spec/
//! alone, is parsed from COUFUN's form and handed to the merchant's handler.

mod common;

use std::sync::{Arc, Mutex};

use common::{client, notice, post, post_raw, recording, serve_local, sqlite_store};
use coufun_api::notice::{ExchangeNotice, NoticeAnswerCode};

#[tokio::test]
async fn the_receiver_exposes_the_new_notice_field() {
    let (_dir, store) = sqlite_store().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let url = serve_local(store, recording(Arc::clone(&seen))).await;
    let http = client();

    // As COUFUN would send it: the new element on the wire by its spec name.
    let mut with = notice(1);
    with.terminal_id = Some("POS-7".into());
    let form = with.to_form().unwrap();
    assert!(
        String::from_utf8_lossy(&form).contains("TERMINAL_ID=POS-7"),
        "the new field is written under its wire name"
    );
    let answer = post_raw(&http, &url, form, ExchangeNotice::form_content_type()).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::Done);

    // Optional: a notice without it is still taken.
    let answer = post(&http, &url, &notice(2)).await;
    assert_eq!(answer.code(), &NoticeAnswerCode::Done);

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].terminal_id.as_deref(), Some("POS-7"));
    assert_eq!(seen[1].terminal_id, None);
}
