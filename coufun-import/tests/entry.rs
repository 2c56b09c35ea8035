//! `entry::write`: the difference between two typed values goes into the TOML
//! document, located by identity, and nothing else moves — comments, layout and
//! the entries that did not change stay byte for byte.

#![allow(clippy::panic, reason = "a test fails by panicking, with the cause")]

use coufun_import::entry::{self, Comments};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct File {
    codes: Vec<Code>,
    kind: Kind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Code {
    code: String,
    text: String,
    #[serde(default)]
    removed_in: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kind {
    rule: String,
    values: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Value {
    name: String,
    wire: String,
}

const TEXT: &str = r#"# the codes
[[codes]]
code = "00"   # success
text = "ok"

# a comment above 01
[[codes]]
code = "01"
text = "bad ip"

[kind]
rule = "enum"  # kept
values = [
  { name = "A", wire = "a" },
  { name = "B", wire = "b" },
]
"#;

fn written(change: impl FnOnce(&mut File), comments: &Comments) -> String {
    let old: File = toml::from_str(TEXT).unwrap_or_else(|e| panic!("{e}"));
    let mut new = old.clone();
    change(&mut new);
    let mut doc: toml_edit::DocumentMut = TEXT.parse().unwrap_or_else(|e| panic!("{e}"));
    entry::write(doc.as_table_mut(), &old, &new, comments).unwrap_or_else(|e| panic!("{e}"));
    doc.to_string()
}

#[test]
fn no_change_writes_the_text_unchanged() {
    assert_eq!(written(|_| {}, &Comments::new()), TEXT);
}

#[test]
fn a_changed_field_is_the_only_edit_and_keeps_its_comment() {
    let text = written(|f| f.codes[0].text = "fine".into(), &Comments::new());
    assert_eq!(text, TEXT.replace("text = \"ok\"", "text = \"fine\""));
    let text = written(
        |f| f.codes[1].removed_in = Some("1.7".into()),
        &Comments::new(),
    );
    assert_eq!(
        text,
        TEXT.replace(
            "text = \"bad ip\"\n",
            "text = \"bad ip\"\nremoved_in = \"1.7\"\n"
        )
    );
}

#[test]
fn entries_are_added_in_order_with_their_comment_and_dropped_by_identity() {
    let comments = Comments::from([("02".to_owned(), "# new: review".to_owned())]);
    let text = written(
        |f| {
            f.codes.remove(0);
            f.codes.push(Code {
                code: "02".into(),
                text: "busy".into(),
                removed_in: None,
            });
        },
        &comments,
    );
    let expected = TEXT
        // the comment above a dropped entry goes with it
        .replace(
            "# the codes\n[[codes]]\ncode = \"00\"   # success\ntext = \"ok\"\n",
            "",
        )
        .replace(
            "text = \"bad ip\"\n",
            "text = \"bad ip\"\n\n# new: review\n[[codes]]\ncode = \"02\"\ntext = \"busy\"\n",
        );
    assert_eq!(text, expected);
}

#[test]
fn a_new_inline_entry_takes_its_siblings_layout() {
    let text = written(
        |f| {
            f.kind.values.push(Value {
                name: "C".into(),
                wire: "c".into(),
            });
        },
        &Comments::new(),
    );
    assert_eq!(
        text,
        TEXT.replace(
            "  { name = \"B\", wire = \"b\" },\n",
            "  { name = \"B\", wire = \"b\" },\n  { name = \"C\", wire = \"c\" },\n"
        )
    );
}
