//! The tidy test (after rust-analyzer's `xtask/src/tidy.rs`): hand-written code
//! holds no fact the spec holds. It reads `spec/` through `coufun-codegen` and scans
//! every hand-written `.rs` file under each crate's `src/` (not `generated/`, and
//! not past a `#[cfg(test)]` line) for
//! - a string literal equal to a wire name (a path, a root, an element or a
//!   parameter name),
//! - a string literal equal to an operation's name (a rename in the spec would
//!   fail at run time there, not at compile time),
//! - a two-digit string literal equal to a result code, within three lines of
//!   a word about codes, results, answers or records (a hand-typed code is how a
//!   journal came to store `12` for a `23`),
//! - a numeric literal equal to a spec limit, on a line naming its field or kind.
//!
//! Each finding names the file, the line and the fact. What is there today is
//! listed, exactly, in [`ALLOWLIST`]: an entry that no longer occurs fails too, so
//! the list can only shrink.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use coufun_codegen::Spec;
use coufun_tests::workspace_root;

/// Violations present when this test was written, `(file, literal)`: each entry
/// covers every occurrence of that literal in that file. Remove an entry when the
/// code no longer holds it (the test fails until you do).
const ALLOWLIST: &[(&str, &str)] = &[
    // The generator's hand-written parts: the notice example in the docs, the
    // validator's list of required codes, the inbound emitter's fallback text
    // (code 99's message, for an answer text that breaks the ASCII rule).
    ("coufun-codegen/src/emit/inbound.rs", "99"),
    ("coufun-codegen/src/emit/docs.rs", "00"),
    ("coufun-codegen/src/validate.rs", "00"),
    ("coufun-codegen/src/validate.rs", "01"),
    ("coufun-codegen/src/validate.rs", "04"),
    ("coufun-codegen/src/validate.rs", "99"),
    // import: the manual importer recognises a manual by its sample's answer
    // root, before any spec is read (it must recognise a manual the spec does
    // not know yet).
    ("coufun-import/src/interface_md.rs", "PRODUCTLIST"),
    ("coufun-import/src/interface_md.rs", "COUFUNCREATE"),
    ("coufun-import/src/interface_md.rs", "COUFUNSEARCH"),
    ("coufun-import/src/interface_md.rs", "COUFUNCANCEL"),
    ("coufun-import/src/interface_md.rs", "COUPONEXCHANGE"),
];

/// The spec's facts that hand-written code must not repeat.
#[derive(Debug, Default)]
struct Facts {
    /// Wire name -> what it names.
    wire: BTreeMap<String, String>,
    /// Operation name -> what it names.
    names: BTreeMap<String, String>,
    /// Two-digit result code -> what it is.
    codes: BTreeMap<String, String>,
    /// Limits, each with the names (lower case) that mark a line as about it.
    limits: Vec<Limit>,
}

#[derive(Debug)]
struct Limit {
    value: u64,
    names: BTreeSet<String>,
    what: String,
}

impl Facts {
    fn wire(&mut self, name: &str, what: String) {
        self.wire.entry(name.to_owned()).or_insert(what);
    }

    fn limit(&mut self, value: u64, names: &[&str], what: String) {
        // 0 and 1 are everywhere; a limit that small says nothing on its own.
        if value >= 2 {
            let names = names.iter().map(|n| n.to_lowercase()).collect();
            self.limits.push(Limit { value, names, what });
        }
    }

    fn from_spec(spec: &Spec) -> Facts {
        let mut f = Facts::default();
        let ep = &spec.endpoints;
        f.wire(
            ep.answer.result_code.name.get_ref(),
            "the answers' result-code element".into(),
        );
        f.wire(
            ep.answer.result_message.name.get_ref(),
            "the answers' result-message element".into(),
        );
        let poc = &ep.client.poc_id;
        f.wire(poc.name.get_ref(), "the client id parameter".into());
        f.limit(
            u64::from(*poc.max_bytes.get_ref()),
            &["poc_id", poc.name.get_ref(), "PocId"],
            format!("the byte limit of {}", poc.name.get_ref()),
        );
        for op in &ep.operations {
            let o = op.name();
            f.names
                .entry(o.to_owned())
                .or_insert_with(|| "an operation's name".into());
            f.wire(op.path.name.get_ref(), format!("the path of `{o}`"));
            f.wire(op.root.name.get_ref(), format!("the answer root of `{o}`"));
            for field in &op.request {
                let wire = field.wire.get_ref();
                f.wire(wire, format!("request field `{}` of `{o}`", field.name()));
                if let Some(list) = &field.list {
                    f.limit(
                        u64::from(*list.max.get_ref()),
                        &[field.name(), wire],
                        format!("the most values of `{}` in `{o}`", field.name()),
                    );
                }
            }
            for field in &op.response {
                f.wire(
                    field.wire.get_ref(),
                    format!("answer field `{}` of `{o}`", field.name.get_ref()),
                );
            }
            if let Some(records) = &op.records {
                f.wire(
                    records.element.get_ref(),
                    format!("the record element of `{o}`"),
                );
                for field in &records.fields {
                    f.wire(
                        field.wire.get_ref(),
                        format!("record field `{}` of `{o}`", field.name.get_ref()),
                    );
                }
            }
        }
        for (key, kind) in &ep.kinds {
            let mut names = vec![key.as_str(), kind.type_name.get_ref().as_str()];
            for op in &ep.operations {
                for field in op.request.iter().filter(|r| r.kind.get_ref() == key) {
                    names.push(field.name());
                    names.push(field.wire.get_ref());
                }
            }
            let limits = [
                (
                    "max_bytes",
                    kind.max_bytes.as_ref().map(|v| u64::from(*v.get_ref())),
                ),
                (
                    "max_len",
                    kind.max_len.as_ref().map(|v| u64::from(*v.get_ref())),
                ),
                ("max", kind.max.as_ref().map(|v| *v.get_ref())),
            ];
            for (which, value) in limits {
                if let Some(value) = value {
                    f.limit(value, &names, format!("`{which}` of kind `{key}`"));
                }
            }
        }
        for (key, limit) in &ep.server_limits {
            f.limit(
                u64::from(*limit.value.get_ref()),
                &[key],
                format!("server limit `{key}`"),
            );
        }
        for c in &spec.codes.codes {
            f.codes.insert(
                c.code().to_owned(),
                format!("result code `{}`", c.variant()),
            );
        }
        // The inbound operations (the exchange notice): what COUFUN sends and
        // the answer the merchant owes.
        for op in &ep.inbound {
            let o = op.name();
            f.names
                .entry(o.to_owned())
                .or_insert_with(|| "an operation's name".into());
            f.wire(op.root.name.get_ref(), format!("the answer root of `{o}`"));
            for field in &op.request {
                let wire = field.wire.get_ref();
                f.wire(wire, format!("notice field `{}` of `{o}`", field.name()));
                if let Some(max) = &field.max_bytes {
                    f.limit(
                        u64::from(*max.get_ref()),
                        &[wire, field.name()],
                        format!("the byte limit of notice field `{}`", field.name()),
                    );
                }
            }
            for field in &op.response {
                f.wire(
                    field.wire.get_ref(),
                    format!("answer field `{}` of `{o}`", field.name.get_ref()),
                );
            }
            if let Some(answer) = &op.answer {
                for (element, what) in [
                    (&answer.result_code, "code element"),
                    (&answer.result_message, "message element"),
                ] {
                    f.wire(
                        element.name.get_ref(),
                        format!("the {what} of `{o}`'s answer"),
                    );
                }
                for c in &answer.codes {
                    f.codes.entry(c.code.get_ref().clone()).or_insert_with(|| {
                        format!("answer code `{}` of `{o}`", c.variant.get_ref())
                    });
                }
            }
        }
        f
    }
}

/// One fact found in hand-written code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    file: String,
    line: usize,
    literal: String,
    fact: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}` is {} (spec/): use the generated item",
            self.file, self.line, self.literal, self.fact
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Str(String),
    Num(String),
    Ident(String),
}

/// The string literals, numbers and identifiers of `text`, each with its line,
/// comments left out; stops at the first line that starts with `#[cfg(test)]`.
fn tokens(text: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let mut line_start = true;
    while i < chars.len() {
        let c = chars[i];
        if line_start && !c.is_whitespace() {
            line_start = false;
            let rest: String = chars[i..chars.len().min(i + 12)].iter().collect();
            if rest.starts_with("#[cfg(test)]") {
                break;
            }
        }
        match c {
            '\n' => {
                line += 1;
                line_start = true;
                i += 1;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => {
                let at = line;
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        s.push(chars[i]);
                        i += 1;
                    }
                    if let Some(&ch) = chars.get(i) {
                        if ch == '\n' {
                            line += 1;
                        }
                        s.push(ch);
                    }
                    i += 1;
                }
                i += 1;
                out.push((at, Token::Str(s)));
            }
            'r' if matches!(chars.get(i + 1), Some('"' | '#'))
                && (i == 0 || !is_ident(chars[i - 1])) =>
            {
                // A raw string r"…" or r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let at = line;
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let body: String = chars[j + 1..].iter().collect();
                let end = body.find(&close).unwrap_or(body.len());
                let s = &body[..end];
                line += s.matches('\n').count();
                i = j + 1 + s.chars().count() + close.chars().count();
                out.push((at, Token::Str(s.to_owned())));
            }
            '\'' => {
                // A char literal ('x', '\n', '"'), or a lifetime.
                if chars.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            c if c.is_ascii_digit() => {
                let start = i;
                while i < chars.len() && (is_ident(chars[i]) || chars[i] == '.') {
                    if chars[i] == '.' && !chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                        break;
                    }
                    i += 1;
                }
                out.push((line, Token::Num(chars[start..i].iter().collect())));
            }
            c if is_ident(c) => {
                let start = i;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
                out.push((line, Token::Ident(chars[start..i].iter().collect())));
            }
            _ => i += 1,
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The integer a numeric token writes (`40`, `40u32`, `1_000`), if it is one.
fn integer(text: &str) -> Option<u64> {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .filter(|c| *c != '_')
        .collect();
    let suffix = &text[text
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '_')
        .map_or(text.len(), |(i, _)| i)..];
    let integer_suffix = matches!(
        suffix,
        "" | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    );
    if integer_suffix {
        digits.parse().ok()
    } else {
        None
    }
}

/// Every fact of `facts` that `text` (the file `file`) holds.
fn scan(file: &str, text: &str, facts: &Facts) -> Vec<Finding> {
    let tokens = tokens(text);
    let mut by_line: BTreeMap<usize, Vec<&Token>> = BTreeMap::new();
    for (line, token) in &tokens {
        by_line.entry(*line).or_default().push(token);
    }
    // The lines that mention codes, for the two-digit literals near them.
    let about_codes: BTreeSet<usize> = by_line
        .iter()
        .filter(|(_, tokens)| {
            tokens.iter().any(|t| match t {
                Token::Ident(s) | Token::Str(s) => {
                    let s = s.to_lowercase();
                    ["code", "result", "answer", "record"]
                        .iter()
                        .any(|w| s.contains(w))
                }
                Token::Num(_) => false,
            })
        })
        .map(|(line, _)| *line)
        .collect();
    let mut found = Vec::new();
    for (&line, tokens) in &by_line {
        let near_codes = about_codes
            .range(line.saturating_sub(3)..=line + 3)
            .next()
            .is_some();
        let idents: BTreeSet<String> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Ident(s) => Some(s.to_lowercase()),
                _ => None,
            })
            .collect();
        let mut push = |literal: &str, fact: &str| {
            found.push(Finding {
                file: file.to_owned(),
                line,
                literal: literal.to_owned(),
                fact: fact.to_owned(),
            });
        };
        for token in tokens {
            match token {
                Token::Str(s) => {
                    if let Some(what) = facts.wire.get(s) {
                        push(s, &format!("the wire name of {what}"));
                    } else if let Some(what) = facts.names.get(s) {
                        push(s, what);
                    } else if near_codes && let Some(what) = facts.codes.get(s) {
                        push(s, what);
                    }
                }
                Token::Num(n) => {
                    let Some(value) = integer(n) else { continue };
                    if let Some(limit) = facts
                        .limits
                        .iter()
                        .find(|l| l.value == value && !l.names.is_disjoint(&idents))
                    {
                        push(n, &limit.what);
                    }
                }
                Token::Ident(_) => {}
            }
        }
    }
    found
}

/// The hand-written `.rs` files under each crate's `src/` (below `root`), with
/// `generated/` left out, as paths relative to `root`.
fn hand_written_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "generated") {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root)
        .expect("workspace root readable")
        .flatten()
    {
        let dir = entry.path();
        let name = entry.file_name();
        // The tests crate and the fuzz targets are tests.
        if name == "tests" || name == "fuzz" || !dir.join("Cargo.toml").is_file() {
            continue;
        }
        walk(&dir.join("src"), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p))
        .collect()
}

/// The findings `allowlist` does not cover, and the entries that cover nothing.
fn check_allowlist<'a>(
    findings: &[Finding],
    allowlist: &[(&'a str, &'a str)],
) -> (Vec<Finding>, Vec<(&'a str, &'a str)>) {
    let new = findings
        .iter()
        .filter(|f| !allowlist.contains(&(f.file.as_str(), f.literal.as_str())))
        .cloned()
        .collect();
    let stale = allowlist
        .iter()
        .filter(|(file, literal)| {
            !findings
                .iter()
                .any(|f| f.file == *file && f.literal == *literal)
        })
        .copied()
        .collect();
    (new, stale)
}

fn spec_facts() -> Facts {
    let spec =
        Spec::load(&workspace_root()).unwrap_or_else(|e| panic!("the spec is invalid:\n{e}"));
    Facts::from_spec(&spec)
}

#[test]
fn hand_written_code_holds_no_fact_of_the_spec() {
    let root = workspace_root();
    let facts = spec_facts();
    let mut findings = Vec::new();
    let files = hand_written_files(&root);
    assert!(
        files.iter().any(|f| f.ends_with("coufun-api/src/lib.rs")),
        "the scan reaches the SDK's sources: {files:?}"
    );
    for file in &files {
        let text = std::fs::read_to_string(root.join(file)).expect("source readable");
        let name = file.to_string_lossy().replace('\\', "/");
        findings.extend(scan(&name, &text, &facts));
    }
    let (new, stale) = check_allowlist(&findings, ALLOWLIST);
    let mut report = String::new();
    for f in &new {
        report.push_str(&format!("{f}\n"));
    }
    for (file, literal) in &stale {
        report.push_str(&format!(
            "ALLOWLIST entry ({file:?}, {literal:?}) no longer occurs: remove it\n"
        ));
    }
    assert!(report.is_empty(), "tidy:\n{report}");
}

#[test]
fn a_fake_file_with_each_kind_of_violation_is_reported() {
    let facts = spec_facts();
    let (wire, _) = facts.wire.iter().next().expect("the spec has wire names");
    let (code, _) = facts.codes.iter().nth(1).expect("the spec has codes");
    let limit = facts.limits.first().expect("the spec has limits");
    let name = limit.names.iter().next().expect("a limit has a name");
    let value = limit.value;
    let file = format!(
        "//! A module.\n\
         fn wire() -> &'static str {{ \"{wire}\" }}\n\
         fn code() -> bool {{ ResultCode::from(\"{code}\") == ok }}\n\
         fn limit({name}: usize) -> bool {{ {name} > {value} }}\n\
         // \"{wire}\" in a comment is fine.\n\
         /// So is `{code}` and \"{wire}\" in a doc comment.\n\
         #[cfg(test)]\n\
         mod tests {{ const X: &str = \"{wire}\"; }}\n"
    );
    let found = scan("fake.rs", &file, &facts);
    let lines: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.literal.as_str())).collect();
    let value = value.to_string();
    assert_eq!(
        lines,
        [(2, wire.as_str()), (3, code.as_str()), (4, value.as_str())],
        "{found:#?}"
    );
    assert!(
        found[0].to_string().starts_with("fake.rs:2: "),
        "{}",
        found[0]
    );
    assert!(found[0].to_string().contains("wire name"), "{}", found[0]);
}

#[test]
fn a_code_far_from_codes_a_char_literal_a_lifetime_and_a_raw_string_are_read_right() {
    let facts = spec_facts();
    let quiet = |w: &&String| {
        let w = w.to_lowercase();
        !["code", "result", "answer", "record"]
            .iter()
            .any(|q| w.contains(q))
    };
    let wire = facts
        .wire
        .keys()
        .find(quiet)
        .expect("the spec has wire names");
    let (code, _) = facts.codes.iter().nth(1).expect("the spec has codes");
    let file = format!(
        "fn f<'a>(x: &'a str) -> (char, &'a str) {{ ('\"', \"{code}\") }}\n\
         const R: &str = r#\"{wire}\"#;\n"
    );
    let found = scan("fake.rs", &file, &facts);
    let lines: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.literal.as_str())).collect();
    assert_eq!(lines, [(2, wire.as_str())], "{found:#?}");
}

#[test]
fn the_allowlist_is_exact() {
    let finding = Finding {
        file: "a.rs".into(),
        line: 3,
        literal: "X".into(),
        fact: "a fact".into(),
    };
    let findings = [finding.clone()];
    let (new, stale) = check_allowlist(&findings, &[("a.rs", "X"), ("b.rs", "Y")]);
    assert!(new.is_empty());
    assert_eq!(stale, [("b.rs", "Y")]);
    let (new, stale) = check_allowlist(&findings, &[]);
    assert_eq!(new, [finding]);
    assert!(stale.is_empty());
}
