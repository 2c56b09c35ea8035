//! The receiver's logs name the coupon only masked, on a failed handler and on a
//! rejected notice. Alone in its own test binary: `tracing` caches each
//! callsite's interest process-wide, computed on the thread that first reaches
//! it, so a sibling test reaching the same `warn!` with no subscriber would make
//! it silent here too (the test would fail for no fault of the receiver).

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use common::{localhost, notice};
use coufun_api::notice::{ExchangeNotice, NoticeAnswerCode};
use coufun_notify::{HandlerError, MemoryStore, Receiver, handler_fn};

#[tokio::test]
async fn logs_never_show_the_coupon_number() {
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let secret = notice(10).coupon_number.as_str().to_owned();
    let handler = handler_fn(move |n: ExchangeNotice| async move {
        Err(HandlerError::failed(format!(
            "no row for {}",
            n.coupon_number.as_str()
        )))
    });
    let receiver = Receiver::new(MemoryStore::new(), handler, localhost());
    let peer = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let form = notice(10).to_form().unwrap();
    let d = receiver
        .process(peer, Some(ExchangeNotice::form_content_type()), &form)
        .await;
    assert_eq!(d.answer.code(), &NoticeAnswerCode::Other);
    let bad = String::from_utf8(form)
        .unwrap()
        .replace("STATUS=001", "STATUS=5");
    receiver.process(peer, None, bad.as_bytes()).await;
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("handler failed"), "{logs}");
    assert!(logs.contains("rejected"), "{logs}");
    assert!(logs.contains("***0010"), "{logs}");
    assert!(!logs.contains(&secret), "{logs}");
}
