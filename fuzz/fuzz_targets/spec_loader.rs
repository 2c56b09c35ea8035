//! The spec loader on arbitrary TOML text: in place of each spec file in turn
//! (the others as shipped). No panic; every problem is a `SpecErrors`.
#![no_main]

use coufun_codegen::notice_model::NoticeSpec;
use coufun_codegen::{Spec, SpecSource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let codes = coufun_spec::RESULT_CODES;
    let endpoints = coufun_spec::ENDPOINTS;
    match which % 3 {
        0 => {
            let _ = Spec::parse(
                SpecSource::new(codes.path, codes.text),
                SpecSource::new(endpoints.path, text),
            );
        }
        1 => {
            let _ = Spec::parse(
                SpecSource::new(codes.path, text),
                SpecSource::new(endpoints.path, endpoints.text),
            );
        }
        _ => {
            let _ = NoticeSpec::parse(SpecSource::new(coufun_spec::NOTIFICATIONS.path, text));
        }
    }
});
