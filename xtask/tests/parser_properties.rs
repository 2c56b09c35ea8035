//! Bounded, stable form of the `manual_import` fuzz target: the
//! code-definition manual parser and the interface-manual detector and parser
//! on arbitrary text and on the fixtures with lines deleted, repeated, cut or
//! replaced never panic, and every refusal is located (a line, a message).

use proptest::prelude::*;
use xtask::{interface_md, manual_md};

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

#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index),
    Repeat(prop::sample::Index),
    Cut(prop::sample::Index, prop::sample::Index),
    Replace(prop::sample::Index, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let junk = prop_oneof![
        "\\PC{0,30}",
        "\\|[^|]{0,10}\\|[^|]{0,10}\\|",
        "#{1,4} [가-힣0-9. ]{0,20}",
        Just(String::new())
    ];
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        any::<prop::sample::Index>().prop_map(Edit::Repeat),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(l, c)| Edit::Cut(l, c)),
        (any::<prop::sample::Index>(), junk).prop_map(|(l, s)| Edit::Replace(l, s)),
    ]
}

/// `text` with `edits` applied line by line.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for edit in edits {
        if lines.is_empty() {
            break;
        }
        match edit {
            Edit::Delete(i) => {
                lines.remove(i.index(lines.len()));
            }
            Edit::Repeat(i) => {
                let i = i.index(lines.len());
                lines.insert(i, lines[i].clone());
            }
            Edit::Cut(i, at) => {
                let n = lines.len();
                let line = &mut lines[i.index(n)];
                let chars: Vec<char> = line.chars().collect();
                if !chars.is_empty() {
                    *line = chars[..at.index(chars.len())].iter().collect();
                }
            }
            Edit::Replace(i, with) => {
                let i = i.index(lines.len());
                lines[i] = with.clone();
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        check(&text)?;
    }

    #[test]
    fn edited_code_manual(edits in prop::collection::vec(edit(), 1..8)) {
        check(&mutate(CODE_MANUAL, &edits))?;
    }

    #[test]
    fn edited_interface_manuals(which in 0..INTERFACE_MANUALS.len(), edits in prop::collection::vec(edit(), 1..8)) {
        check(&mutate(INTERFACE_MANUALS[which], &edits))?;
    }
}
