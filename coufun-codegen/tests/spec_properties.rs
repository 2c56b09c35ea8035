//! Bounded, stable form of the `spec_loader` fuzz target: the spec loader on
//! arbitrary text and on the shipped spec files with lines deleted, repeated,
//! cut or replaced never panics, and every refusal is a `SpecErrors` holding
//! at least one error with a message.

use coufun_codegen::{Spec, SpecSource, SpecSources};
use proptest::prelude::*;

fn check(which: usize, text: &str) -> Result<(), TestCaseError> {
    let shipped = SpecSources::embedded();
    let sources = match which {
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
    let errors = Spec::parse(sources).err();
    if let Some(errors) = errors {
        prop_assert!(!errors.0.is_empty());
        prop_assert!(!errors.to_string().is_empty());
    }
    Ok(())
}

fn shipped(which: usize) -> &'static str {
    [
        coufun_spec::ENDPOINTS,
        coufun_spec::RESULT_CODES,
        coufun_spec::NOTIFICATIONS,
    ][which]
        .text
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
        "[a-z_]{1,12} = (\"[^\"]{0,10}\"|[0-9]{1,4}|true|\\[\\]|\\{\\})",
        "\\[\\[?[a-z_.]{1,16}\\]\\]?",
        Just(String::new()),
    ];
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        any::<prop::sample::Index>().prop_map(Edit::Repeat),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(l, c)| Edit::Cut(l, c)),
        (any::<prop::sample::Index>(), junk).prop_map(|(l, s)| Edit::Replace(l, s)),
    ]
}

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
    fn arbitrary_text(which in 0usize..3, text in "\\PC{0,300}") {
        check(which, &text)?;
    }

    #[test]
    fn edited_spec_files(which in 0usize..3, edits in prop::collection::vec(edit(), 1..6)) {
        check(which, &mutate(shipped(which), &edits))?;
    }
}
