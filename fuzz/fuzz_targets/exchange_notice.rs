//! The exchange-notice parser (and the notice answer decoder) on arbitrary
//! bytes, under each kind of Content-Type. No panic; a notice that parses
//! writes back to a form that parses to the same notice.
#![no_main]

use coufun_api::notice::{NoticeAnswer, NoticeParser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    let content_type = [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=euc-kr"),
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        Some("text/plain; charset=klingon"),
    ][usize::from(which % 5)];
    let parser = NoticeParser::new().accept_utf8(which & 0x80 != 0);
    if let Ok(notice) = parser.parse(body, content_type) {
        if let Ok(form) = notice.to_form() {
            let again = parser.parse(
                &form,
                Some(coufun_api::notice::ExchangeNotice::form_content_type()),
            );
            assert_eq!(again.ok(), Some(notice));
        }
    }
    let _ = NoticeAnswer::decode(body);
});
