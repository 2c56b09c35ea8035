//! Properties of the generated validators: each text kind accepts exactly the
//! strings whose CP949 encoding (by `encoding_rs`) fits its spec limits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coufun_api::{Body, Charset, Subject, TrId};
use proptest::prelude::*;

fn cp949_bytes(text: &str) -> Option<usize> {
    let (bytes, _, had_errors) = encoding_rs::EUC_KR.encode(text);
    (!had_errors).then_some(bytes.len())
}

fn within(text: &str, min: u32, max: u32) -> bool {
    cp949_bytes(text).is_some_and(|n| n >= min as usize && n <= max as usize)
}

proptest! {
    #[test]
    fn subject_accepts_exactly_what_fits(text in "[가-힣a-zA-Z0-9 ,.!ㄱ-ㅎ😀]{0,30}") {
        prop_assert_eq!(
            Subject::new(text.clone()).is_ok(),
            within(&text, Subject::MIN_BYTES, Subject::MAX_BYTES)
        );
        prop_assert_eq!(
            TrId::new(text.clone()).is_ok(),
            within(&text, TrId::MIN_BYTES, TrId::MAX_BYTES)
        );
    }

    #[test]
    fn body_accepts_exactly_what_fits(text in "[가-힣a-z \n※★]{100,200}") {
        prop_assert_eq!(
            Body::new(text.clone()).is_ok(),
            within(&text, Body::MIN_BYTES, Body::MAX_BYTES)
        );
        // In UTF-8 the limit is on the str's length.
        let utf8 = text.len() <= Body::MAX_BYTES as usize;
        prop_assert_eq!(Body::new_in(text, Charset::Utf8).is_ok(), utf8);
    }
}
