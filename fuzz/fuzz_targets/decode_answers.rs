//! The answer decoder of every operation on arbitrary bytes: no panic, and the
//! fast scanner and the general cursor agree on every answer and every error.
#![no_main]

use coufun_api::xml::{Response, decode_document, decode_document_general};
use coufun_api::{OperationId, for_operation};
use libfuzzer_sys::fuzz_target;

fn check<R: Response + PartialEq>(body: &[u8], header: Option<&str>) {
    let fast = decode_document::<R>(body, header);
    let general = decode_document_general::<R>(body, header);
    assert_eq!(fast, general, "{}", R::OPERATION);
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the Content-Type charset, the rest is the body.
    let (header, body) = match data.split_first() {
        Some((b, rest)) => (
            [None, Some("EUC-KR"), Some("utf-8"), Some("klingon")][usize::from(*b % 4)],
            rest,
        ),
        None => (None, data),
    };
    // Every operation (an operation added to the spec is fuzzed here once the
    // code is regenerated).
    for id in OperationId::ALL {
        for_operation!(id, |_Request, Answer| check::<Answer>(body, header));
    }
});
