//! The sandbox's request parsing on arbitrary bytes: the form/query decoder in
//! both charsets, then every operation's `from_wire`. No panic.
#![no_main]

use coufun_api::{Charset, OperationId, for_operation};
use coufun_sandbox::wire::decode_params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Cp949, Charset::Utf8] {
        let Ok(params) = decode_params(data, charset) else {
            continue;
        };
        // Every operation (an operation added to the spec is fuzzed here once
        // the code is regenerated).
        for id in OperationId::ALL {
            for_operation!(id, |Request, _Answer| {
                drop(Request::from_wire(&params, charset))
            });
        }
    }
});
