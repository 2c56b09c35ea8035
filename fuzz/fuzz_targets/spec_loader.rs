//! The spec loader on arbitrary TOML text: in place of each spec file in turn
//! (the others as shipped). No panic; every problem is a `SpecErrors`.
#![no_main]

use coufun_codegen::Spec;
use libfuzzer_sys::fuzz_target;

// The input's shape is the stable twin's (coufun-codegen/tests/spec_properties.rs).
#[path = "../../coufun-codegen/tests/support/one_file_replaced.rs"]
mod one_file_replaced;
use one_file_replaced::one_file_replaced;

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text).into_owned();
    let _ = Spec::parse(one_file_replaced(usize::from(*which), text));
});
