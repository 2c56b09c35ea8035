//! Bounded, stable form of the `manual_import` fuzz target: the
//! code-definition manual parser and the interface-manual detector and parser
//! on arbitrary text and on the fixtures with lines deleted, repeated, cut or
//! replaced never panic, and every refusal is located (a line, a message).

use proptest::prelude::*;

// The line-edit generator is the spec loader's (one generator for every text parser).
#[path = "../../coufun-codegen/tests/support/line_edits.rs"]
mod line_edits;
use coufun_import::{interface_md, manual_md};
use line_edits::{edit, mutate};

const CODE_MANUAL: &str = include_str!("fixtures/coufun-code-definition-v1.6.md");
const INTERFACE_MANUALS: [&str; 4] = [
    include_str!("fixtures/interface/goods-v1.3.md"),
    include_str!("fixtures/interface/status-v1.4.md"),
    include_str!("fixtures/interface/create-v1.5.md"),
    include_str!("fixtures/interface/exchange-v1.7.md"),
];

fn check(text: &str) -> Result<(), TestCaseError> {
    if let Err(e) = manual_md::parse(text) {
        prop_assert!(e.line >= 1 && !e.message.is_empty(), "{e:?}");
    }
    let _ = interface_md::detect(text);
    if let Err(e) = interface_md::parse(text) {
        prop_assert!(e.line >= 1 && !e.message.is_empty(), "{e:?}");
    }
    Ok(())
}

/// Lines shaped like the format's own.
fn markdown_lines() -> impl Strategy<Value = String> {
    prop_oneof!["\\|[^|]{0,10}\\|[^|]{0,10}\\|", "#{1,4} [가-힣0-9. ]{0,20}",]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        check(&text)?;
    }

    #[test]
    fn edited_code_manual(edits in prop::collection::vec(edit(markdown_lines()), 1..8)) {
        check(&mutate(CODE_MANUAL, &edits))?;
    }

    #[test]
    fn edited_interface_manuals(which in 0..INTERFACE_MANUALS.len(), edits in prop::collection::vec(edit(markdown_lines()), 1..8)) {
        check(&mutate(INTERFACE_MANUALS[which], &edits))?;
    }
}
