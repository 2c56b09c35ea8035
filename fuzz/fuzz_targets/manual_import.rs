//! The manual importer's parsers on arbitrary markdown: the code-definition
//! manual parser and the interface-manual detector and parser. No panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coufun_import::manual_md::parse(&text);
    let _ = coufun_import::interface_md::detect(&text);
    let _ = coufun_import::interface_md::parse(&text);
});
