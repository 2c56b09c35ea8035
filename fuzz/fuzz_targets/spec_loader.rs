//! The spec loader on arbitrary TOML text: in place of each spec file in turn
//! (the others as shipped). No panic; every problem is a `SpecErrors`.
#![no_main]

use coufun_codegen::{Spec, SpecSource, SpecSources};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let shipped = SpecSources::embedded();
    let sources = match which % 3 {
        0 => SpecSources {
            endpoints: SpecSource::new(coufun_spec::ENDPOINTS.path, text),
            ..shipped
        },
        1 => SpecSources {
            result_codes: SpecSource::new(coufun_spec::RESULT_CODES.path, text),
            ..shipped
        },
        _ => SpecSources {
            notifications: SpecSource::new(coufun_spec::NOTIFICATIONS.path, text),
            ..shipped
        },
    };
    let _ = Spec::parse(sources);
});
