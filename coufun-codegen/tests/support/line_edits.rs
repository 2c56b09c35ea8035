//! Structure-aware text for the property tests of the text parsers (the spec
//! loader here, the manual importers in xtask, which include this file): a
//! shipped text with lines deleted, repeated, cut short or replaced by lines
//! that look like the format's own.

use proptest::prelude::*;

/// One edit of one line, picked by index.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Drop the line.
    Delete(prop::sample::Index),
    /// Write the line twice.
    Repeat(prop::sample::Index),
    /// Cut the line after some of its characters.
    Cut(prop::sample::Index, prop::sample::Index),
    /// Put this text in place of the line.
    Replace(prop::sample::Index, String),
}

/// Any edit; replacement lines are arbitrary text, the empty line, or one of
/// `lookalikes` (lines shaped like the format's own).
pub fn edit(lookalikes: impl Strategy<Value = String> + 'static) -> impl Strategy<Value = Edit> {
    let junk = prop_oneof![
        "\\PC{0,30}".boxed(),
        lookalikes.boxed(),
        Just(String::new()).boxed(),
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
pub fn mutate(text: &str, edits: &[Edit]) -> String {
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
