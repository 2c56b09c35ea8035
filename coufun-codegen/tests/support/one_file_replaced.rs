//! The spec loader's input when fuzzed: the shipped spec files with one of
//! them replaced. Shared by the `spec_loader` fuzz target and its stable
//! twin, `tests/spec_properties.rs` (both include this file).

use coufun_codegen::{SpecSource, SpecSources};

/// The shipped file that selector `which` picks: `coufun_spec::ALL[which % 2]`.
pub fn picked(which: usize) -> coufun_spec::SpecFile {
    coufun_spec::ALL[which % coufun_spec::ALL.len()]
}

/// The shipped sources with the file `which` picks holding `text` instead.
pub fn one_file_replaced(which: usize, text: impl Into<String>) -> SpecSources {
    let file = picked(which);
    let replaced = SpecSource::new(file.path, text);
    let shipped = SpecSources::embedded();
    if file == coufun_spec::RESULT_CODES {
        SpecSources {
            result_codes: replaced,
            ..shipped
        }
    } else {
        SpecSources {
            endpoints: replaced,
            ..shipped
        }
    }
}
