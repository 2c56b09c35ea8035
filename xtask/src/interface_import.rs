//! Maps a parsed interface manual onto the spec and merges it: the one module
//! that knows the shapes of `spec/endpoints.toml` (`[documents]`, `[test_server]`,
//! `[client]`, `[answer]`, `[[conflicts]]`, `[kinds]`, `[[operations]]` with
//! `path`, `root`, `request`, `response`, `records`; the inbound one with its
//! `answer` and codes), and the enum kinds' values with each document's `wording`.
//! What the manual owns is replaced (paths, methods, roots, record elements,
//! wire names, lengths, required flags, values, answer codes), what the project
//! owns is kept (Rust names, English docs, kinds, checks, the choices recorded
//! in `[[conflicts]]`), what only a person can decide is marked `NEEDS HUMAN`.
//! Edits go through `toml_edit`, so comments and layout survive.

use std::collections::BTreeSet;

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::import::{MissingCodes, needs_human};
use crate::interface_diff::{InterfaceDiff, Sign, arrow};
use crate::interface_md::{InterfaceManual, Length, ManualKind, Param};

/// The key of `[documents]` each manual supplies, and that its names carry as `source`.
pub fn document_key(kind: ManualKind) -> &'static str {
    match kind {
        ManualKind::Goods => "goods",
        ManualKind::Create => "create",
        ManualKind::Status => "status",
        ManualKind::Cancel => "cancel",
        ManualKind::Exchange => "exchange",
    }
}

/// Sources an interface manual replaces with its own key when it confirms the name.
pub const WEAK_SOURCES: [&str; 2] = ["inferred", "observed"];

/// Which spec file holds what a manual describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An outbound `[[operations]]` entry of `spec/endpoints.toml`.
    Endpoints,
    /// The inbound `[[operations]]` entry (`direction = "inbound"`) of
    /// `spec/endpoints.toml`.
    Inbound,
}

/// Where the manual of `kind` lands.
pub fn target(kind: ManualKind) -> Target {
    match kind {
        ManualKind::Exchange => Target::Inbound,
        _ => Target::Endpoints,
    }
}

/// Why a manual could not be mapped onto the spec.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A spec file is not TOML.
    #[error("{file}: not TOML")]
    Syntax {
        /// The file.
        file: &'static str,
        /// The cause.
        source: toml_edit::TomlError,
    },
    /// A spec file lacks what the import writes into.
    #[error("{file}: expected {what}")]
    Shape {
        /// The file.
        file: &'static str,
        /// What is missing.
        what: String,
    },
}

/// The texts of the two spec files, as read.
#[derive(Debug, Clone, Copy)]
pub struct SpecTexts<'a> {
    /// `spec/result_codes.toml` (its `[[environments]]` are the hosts we know).
    pub result_codes: &'a str,
    /// `spec/endpoints.toml`.
    pub endpoints: &'a str,
}

/// The merged spec texts and what changed.
#[derive(Debug, Clone)]
pub struct Merged {
    /// What the import changes.
    pub diff: InterfaceDiff,
    /// The new `spec/endpoints.toml`.
    pub endpoints: String,
}
const ENDPOINTS: &str = coufun_codegen::ENDPOINTS_PATH;

fn shape(file: &'static str, what: impl Into<String>) -> MapError {
    MapError::Shape {
        file,
        what: what.into(),
    }
}

/// Merges `manual` into `spec/endpoints.toml`: its `[documents]`, and the
/// operation the manual describes there (the exchange manual: the inbound one).
pub fn merge(
    spec: &SpecTexts<'_>,
    manual: &InterfaceManual,
    missing: MissingCodes,
) -> Result<Merged, MapError> {
    let parse = |file: &'static str, text: &str| {
        text.parse::<DocumentMut>()
            .map_err(|source| MapError::Syntax { file, source })
    };
    let mut edoc = parse(ENDPOINTS, spec.endpoints)?;
    let codes = parse(coufun_codegen::RESULT_CODES_PATH, spec.result_codes)?;
    let known_hosts: Vec<String> = codes
        .get("environments")
        .and_then(Item::as_array_of_tables)
        .map(|envs| envs.iter().map(|t| get_str(t, "url").to_owned()).collect())
        .unwrap_or_default();
    let mut m = Merger {
        key: document_key(manual.kind),
        manual,
        missing,
        diff: InterfaceDiff::default(),
        kinds_done: BTreeSet::new(),
        conflicts: Vec::new(),
    };
    m.document(&mut edoc)?;
    match target(manual.kind) {
        Target::Endpoints => {
            m.hosts(&mut edoc, &known_hosts);
            m.operation(&mut edoc)?;
        }
        Target::Inbound => m.inbound(&mut edoc)?,
    }
    m.write_conflicts(&mut edoc);
    Ok(Merged {
        diff: m.diff,
        endpoints: edoc.to_string(),
    })
}

/// A contradiction between two documents found during the merge, written to
/// `[[conflicts]]` at the end (one entry per limit and value).
struct PendingConflict {
    /// The wire names it concerns.
    wires: Vec<String>,
    /// The document whose limit stays, and its value.
    holder_source: String,
    old: u32,
    /// This manual's value.
    new: u32,
}

struct Merger<'a> {
    key: &'static str,
    manual: &'a InterfaceManual,
    missing: MissingCodes,
    diff: InterfaceDiff,
    kinds_done: BTreeSet<String>,
    conflicts: Vec<PendingConflict>,
}

// ---------------------------------------------------------------------------
// toml_edit helpers

/// `table.<key>.<sub>` as a string.
fn sub_str<'t>(table: &'t dyn TableLike, key: &str, sub: &str) -> Option<&'t str> {
    table
        .get(key)
        .and_then(Item::as_table_like)
        .and_then(|t| t.get(sub))
        .and_then(Item::as_str)
}

fn get_str<'t>(table: &'t dyn TableLike, key: &str) -> &'t str {
    table.get(key).and_then(Item::as_str).unwrap_or("")
}

fn get_u32(table: &dyn TableLike, key: &str) -> Option<u32> {
    table
        .get(key)
        .and_then(Item::as_integer)
        .and_then(|v| u32::try_from(v).ok())
}

/// Sets `key` to `new`, keeping the old value's decor; returns the old value
/// shown as text ("" when absent) when it changed.
fn set(table: &mut dyn TableLike, key: &str, new: Value) -> Option<String> {
    let show = |v: &Value| match v.as_str() {
        Some(s) => s.to_owned(),
        None => v.to_string().trim().to_owned(),
    };
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            if show(old) == show(&new) {
                return None;
            }
            let before = show(old);
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
            Some(before)
        }
        None => {
            let mut new = new;
            new.decor_mut().set_prefix(" ");
            table.insert(key, Item::Value(new));
            Some(String::new())
        }
    }
}

/// Appends `t` to a multi-line array of inline tables, formatted like its elements.
fn push_like(array: &mut Array, t: InlineTable) {
    let prefix = array
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or("\n  ")
        .to_owned();
    let mut v = Value::InlineTable(t);
    v.decor_mut().set_prefix(prefix);
    v.decor_mut().set_suffix("");
    if array.is_empty() {
        array.set_trailing("\n");
    }
    array.set_trailing_comma(true);
    array.push_formatted(v);
}

fn inline(pairs: &[(&str, Value)]) -> InlineTable {
    let mut t = InlineTable::new();
    for (k, v) in pairs {
        t.insert(*k, v.clone());
    }
    t.fmt();
    t
}

fn table(pairs: &[(&str, Value)]) -> Table {
    let mut t = Table::new();
    for (k, v) in pairs {
        t.insert(k, Item::Value(v.clone()));
    }
    t.fmt();
    t
}

/// `needle` in `text`, not as the tail of a longer number (`500 bytes` is not
/// in `1500 bytes`).
fn mentions(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The environment a URL row names: `상용` → production, `테스트` → test.
fn environment(label: &str) -> &'static str {
    let squashed: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = squashed.to_lowercase();
    if squashed.contains("테스트") || lower.contains("test") {
        "test"
    } else if squashed.contains("상용") || lower.contains("prod") {
        "production"
    } else {
        "other"
    }
}

/// ` — description` for a placeholder, or "".
fn describe(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(", `{description}`")
    }
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

// ---------------------------------------------------------------------------
// spec/endpoints.toml

impl Merger<'_> {
    fn removed(&mut self, scope: &str, what: &str) {
        let fate = match self.missing {
            MissingCodes::Keep => "not in the manual; kept (--remove-missing removes it)",
            MissingCodes::Remove => "not in the manual; removed",
        };
        self.diff.push(scope, Sign::Removed, what, fate, None);
    }

    /// `[documents.<key>]`: the manual's version and date.
    fn document(&mut self, edoc: &mut DocumentMut) -> Result<(), MapError> {
        let key = self.key;
        let scope = format!("document {key}");
        let docs = edoc
            .get_mut("documents")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| shape(ENDPOINTS, "a [documents] table"))?;
        if docs.get(key).is_none() {
            let t = inline(&[
                ("title", Value::from(self.manual.title.as_str())),
                ("version", Value::from(self.manual.version.as_str())),
                ("date", Value::from(self.manual.date.as_str())),
            ]);
            docs.insert(key, Item::Value(Value::InlineTable(t)));
            self.diff.push(
                &scope,
                Sign::Added,
                "document",
                format!(
                    "{} {} ({})",
                    self.manual.title, self.manual.version, self.manual.date
                ),
                Some("review its `title` (we add the English name)".into()),
            );
            return Ok(());
        }
        let doc = docs
            .get_mut(key)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| shape(ENDPOINTS, format!("documents.{key} to be a table")))?;
        for (k, new) in [
            ("version", &self.manual.version),
            ("date", &self.manual.date),
        ] {
            if let Some(old) = set(doc, k, Value::from(new.as_str())) {
                self.diff.changed(&scope, k, &old, new);
            }
        }
        Ok(())
    }

    /// The URL rows' hosts: known when they are an environment of
    /// `spec/result_codes.toml` or the `[test_server]`; a new test host of the
    /// manual the test server comes from is taken, any other is a conflict.
    fn hosts(&mut self, edoc: &mut DocumentMut, known: &[String]) {
        let scope = format!("document {}", self.key);
        let Some(test) = edoc
            .get_mut("test_server")
            .and_then(Item::as_table_like_mut)
        else {
            return;
        };
        let mut known = known.to_vec();
        known.push(get_str(test, "url").to_owned());
        let test_is_ours = get_str(test, "source") == self.key;
        let mut seen = BTreeSet::new();
        for row in &self.manual.urls {
            if known.contains(&row.base) || !seen.insert(row.base.clone()) {
                continue;
            }
            let env = environment(&row.label);
            if env == "test" && test_is_ours {
                if let Some(old) = set(test, "url", Value::from(row.base.as_str())) {
                    self.diff
                        .changed(&scope, "test_server.url", &old, &row.base);
                }
            } else {
                self.diff.push(
                    &scope,
                    Sign::Conflict,
                    format!("host ({})", row.label),
                    format!("{} is no environment we know", row.base),
                    Some(
                        "not taken: add it to [[environments]] of spec/result_codes.toml \
                         (or [test_server]) by hand"
                            .into(),
                    ),
                );
            }
        }
    }

    fn operation(&mut self, edoc: &mut DocumentMut) -> Result<(), MapError> {
        let key = self.key;
        let ops = edoc
            .get("operations")
            .and_then(Item::as_array_of_tables)
            .ok_or_else(|| shape(ENDPOINTS, "[[operations]] entries"))?;
        let index = ops
            .iter()
            .position(|op| {
                ["path", "root"]
                    .iter()
                    .any(|k| sub_str(op, k, "source") == Some(key))
            })
            .ok_or_else(|| {
                shape(
                    ENDPOINTS,
                    format!(
                        "an entry of [[operations]] whose path or root has source = \"{key}\" \
                         (the {} manual describes it); add one by hand first",
                        self.manual.kind.name()
                    ),
                )
            })?;
        // what the operation reads from the rest of the file
        let answer: BTreeSet<String> = edoc
            .get("answer")
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter()
                    .filter_map(|(_, v)| Some(get_str(v.as_table_like()?, "name").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let client: Vec<(String, String)> = edoc
            .get("client")
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| {
                        Some((get_str(v.as_table_like()?, "name").to_owned(), k.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();

        let mut ops = std::mem::take(
            edoc.get_mut("operations")
                .and_then(Item::as_array_of_tables_mut)
                .ok_or_else(|| shape(ENDPOINTS, "[[operations]] entries"))?,
        );
        let result = match ops.get_mut(index) {
            Some(op) => self.operation_entry(op, edoc, &answer, &client),
            None => Ok(()),
        };
        edoc.insert("operations", Item::ArrayOfTables(ops));
        result
    }

    fn operation_entry(
        &mut self,
        op: &mut Table,
        edoc: &mut DocumentMut,
        answer: &BTreeSet<String>,
        client: &[(String, String)],
    ) -> Result<(), MapError> {
        let scope = format!("operation {}", get_str(op, "name"));
        let manual = self.manual;

        let paths: BTreeSet<&str> = manual.urls.iter().map(|u| u.path.as_str()).collect();
        if let Some(path) = manual.urls.first().map(|u| u.path.as_str()) {
            self.name_ref(op, "path", path, &scope);
            if paths.len() > 1 {
                self.diff.push(
                    &scope,
                    Sign::Conflict,
                    "path",
                    format!("the URL rows disagree: {paths:?}; took {path:?}"),
                    None,
                );
            }
        }
        if let Some(root) = &manual.root {
            self.name_ref(op, "root", &root.name, &scope);
        }
        if !manual.methods.is_empty()
            && let Some(methods) = op.get_mut("methods").and_then(Item::as_array_mut)
        {
            let old: Vec<String> = methods
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let old_set: BTreeSet<&String> = old.iter().collect();
            let new_set: BTreeSet<&String> = manual.methods.iter().collect();
            if old_set != new_set {
                methods.clear();
                for m in &manual.methods {
                    methods.push(m.as_str());
                }
                self.diff.changed(
                    &scope,
                    "methods",
                    &old.join(", "),
                    &manual.methods.join(", "),
                );
            }
        }
        let record = manual.record.as_ref().or(manual.record_mentioned.as_ref());
        if let Some(records) = op.get_mut("records").and_then(Item::as_table_like_mut) {
            if let Some(new) = record
                && let Some(old) = set(records, "element", Value::from(new.name.as_str()))
            {
                self.diff.changed(&scope, "record element", &old, &new.name);
                set(records, "source", Value::from(self.key));
            }
            self.weak_source(records, &scope, "record element");
        } else if let Some(r) = &manual.record {
            self.diff.push(
                &scope,
                Sign::Conflict,
                "record element",
                r.name.clone(),
                Some(format!(
                    "the sample repeats <{}>; the spec has no `records`: add them by hand",
                    r.name
                )),
            );
        }

        self.request(op, edoc, client, &scope)?;
        self.response(op, answer, &scope);
        self.values(op, edoc);
        Ok(())
    }

    /// `op.<key> = { name, source }`: takes the manual's name.
    fn name_ref(&mut self, op: &mut Table, key: &str, new: &str, scope: &str) {
        let Some(t) = op.get_mut(key).and_then(Item::as_table_like_mut) else {
            let t = inline(&[
                ("name", Value::from(new)),
                ("source", Value::from(self.key)),
            ]);
            op.insert(key, Item::Value(Value::InlineTable(t)));
            self.diff.changed(scope, key, "", new);
            return;
        };
        if let Some(old) = set(t, "name", Value::from(new)) {
            self.diff.changed(scope, key, &old, new);
            set(t, "source", Value::from(self.key));
        } else {
            self.weak_source(t, scope, key);
        }
    }

    /// A name the manual confirms takes the manual as its source.
    fn weak_source(&mut self, t: &mut dyn TableLike, scope: &str, what: &str) {
        let old = get_str(t, "source").to_owned();
        if WEAK_SOURCES.contains(&old.as_str()) {
            set(t, "source", Value::from(self.key));
            self.diff
                .changed(scope, format!("{what} source"), &old, self.key);
        }
    }

    /// Whether a `[[conflicts]]` entry already records that this manual says
    /// `needle` about `wire`.
    fn known_conflict(&self, edoc: &DocumentMut, wire: &str, needle: &str) -> bool {
        let Some(conflicts) = edoc.get("conflicts").and_then(Item::as_array_of_tables) else {
            return false;
        };
        conflicts.iter().any(|c| {
            let says: Vec<(&str, &str)> = c
                .get("says")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_inline_table)
                        .map(|s| (get_str(s, "source"), get_str(s, "text")))
                        .collect()
                })
                .unwrap_or_default();
            let about = mentions(get_str(c, "fact"), wire)
                || says.iter().any(|(_, text)| mentions(text, wire));
            about
                && says
                    .iter()
                    .any(|(source, text)| *source == self.key && mentions(text, needle))
        })
    }

    fn request(
        &mut self,
        op: &mut Table,
        edoc: &mut DocumentMut,
        client: &[(String, String)],
        scope: &str,
    ) -> Result<(), MapError> {
        let manual = self.manual;
        let mut limits: Vec<(Holder, String, Length)> = Vec::new();
        let mut required_changes: Vec<(String, bool, bool)> = Vec::new();
        {
            let request = op
                .get_mut("request")
                .and_then(Item::as_array_mut)
                .ok_or_else(|| {
                    shape(
                        ENDPOINTS,
                        format!("`request = [ … ]` (an array of inline tables) in {scope}"),
                    )
                })?;
            for p in &manual.request {
                if let Some((_, key)) = client.iter().find(|(n, _)| *n == p.name) {
                    limits.push((Holder::Client(key.clone()), p.name.clone(), p.length));
                    continue;
                }
                let entry = request
                    .iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|t| get_str(*t, "wire") == p.name);
                match entry {
                    Some(t) => {
                        if let Some(required) = p.required {
                            let old = t.get("required").and_then(Value::as_bool);
                            required_changes.push((p.name.clone(), old.unwrap_or(false), required));
                        }
                        self.weak_source(t, scope, &format!("request {}", p.name));
                        limits.push((
                            Holder::Kind(get_str(t, "kind").to_owned()),
                            p.name.clone(),
                            p.length,
                        ));
                    }
                    None => {
                        push_like(request, self.new_request(p));
                        self.diff.push(
                            scope,
                            Sign::Added,
                            format!("request {}", p.name),
                            format!("{}, {}", p.length, required_word(p.required == Some(true))),
                            Some("name and kind marked NEEDS HUMAN".into()),
                        );
                    }
                }
            }
            let gone: Vec<(usize, String)> = request
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let wire = get_str(v.as_inline_table()?, "wire").to_owned();
                    (!manual.request.iter().any(|p| p.name == wire)).then_some((i, wire))
                })
                .collect();
            for (i, wire) in gone.iter().rev() {
                if self.missing == MissingCodes::Remove {
                    request.remove(*i);
                }
                self.removed(scope, &format!("request {wire}"));
            }
        }
        for (wire, old, new) in required_changes {
            let what = format!("request {wire} required");
            if old == new {
                if self.known_conflict(edoc, &wire, required_word(!new)) {
                    self.diff.push(
                        scope,
                        Sign::Changed,
                        what,
                        format!("the {} manual now says {}", self.key, required_word(new)),
                        Some(format!(
                            "the [[conflicts]] entry about {wire} no longer holds: review it"
                        )),
                    );
                }
                continue;
            }
            if self.known_conflict(edoc, &wire, required_word(new)) {
                continue; // a choice recorded in [[conflicts]]
            }
            let request = op.get_mut("request").and_then(Item::as_array_mut);
            if let Some(t) = request.and_then(|r| {
                r.iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|t| get_str(*t, "wire") == wire)
            }) {
                set(t, "required", Value::from(new));
            }
            self.diff
                .push(scope, Sign::Changed, what, format!("{old} → {new}"), None);
        }
        for (holder, wire, length) in limits {
            self.limit(edoc, &holder, &wire, length);
        }
        Ok(())
    }

    fn new_request(&self, p: &Param) -> InlineTable {
        inline(&[
            (
                "name",
                Value::from(needs_human(&format!("snake_case Rust name for {}", p.name))),
            ),
            ("wire", Value::from(p.name.as_str())),
            ("source", Value::from(self.key)),
            (
                "kind",
                Value::from(needs_human(&format!(
                    "kind for {} (manual: {}{})",
                    p.name,
                    p.length,
                    describe(&p.description)
                ))),
            ),
            ("required", Value::from(p.required == Some(true))),
        ])
    }

    /// Compares a request field's length with the limit of its kind (or of the
    /// client parameter): taken when the limit comes from this manual or is a
    /// guess, a conflict when another document sets it.
    fn limit(&mut self, edoc: &mut DocumentMut, holder: &Holder, wire: &str, length: Length) {
        let scope = holder.scope();
        let Some(k) = edoc
            .get_mut(holder.table())
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.get_mut(holder.key()))
            .and_then(Item::as_table_like_mut)
        else {
            return; // a kind still to be named: nothing to compare
        };
        let limit_key = ["max_bytes", "max_len"]
            .into_iter()
            .find(|l| k.contains_key(l));
        let rule = get_str(k, "rule").to_owned();
        let (limit_key, new) = match (limit_key, length) {
            (Some(l), Length::Bytes(n)) => (l, n),
            (None, Length::Number) => return,
            (Some(_), Length::Number) => {
                self.diff.push(
                    &scope,
                    Sign::Conflict,
                    format!("{wire} length"),
                    format!("the manual says Number, the kind is a `{rule}` with a limit"),
                    Some("not taken: review the kind".into()),
                );
                return;
            }
            (None, Length::Bytes(n)) => {
                if rule == "count" {
                    self.diff.push(
                        &scope,
                        Sign::Conflict,
                        format!("{wire} length"),
                        format!("the manual says {n} bytes, the kind is a number"),
                        Some("not taken: review the kind".into()),
                    );
                }
                return; // dates, mobiles and enums carry no byte limit
            }
        };
        let Some(old) = get_u32(k, limit_key) else {
            return;
        };
        if old == new {
            return;
        }
        let source = get_str(k, "limit_source").to_owned();
        if source != self.key && !WEAK_SOURCES.contains(&source.as_str()) {
            if self.known_conflict(edoc, wire, &format!("{new} bytes")) {
                return;
            }
            self.diff.push(
                &scope,
                Sign::Conflict,
                format!("{wire} {limit_key}"),
                format!(
                    "{source} manual {old}, {} manual {new}: the {source} manual's limit stays",
                    self.key
                ),
                Some(
                    "added to [[conflicts]]; its `choice` and `why` are marked NEEDS HUMAN".into(),
                ),
            );
            match self
                .conflicts
                .iter_mut()
                .find(|c| c.holder_source == source && c.old == old && c.new == new)
            {
                Some(c) => c.wires.push(wire.to_owned()),
                None => self.conflicts.push(PendingConflict {
                    wires: vec![wire.to_owned()],
                    holder_source: source,
                    old,
                    new,
                }),
            }
            return;
        }
        if !self.kinds_done.insert(format!("{scope}.{limit_key}")) {
            return;
        }
        set(k, limit_key, Value::from(i64::from(new)));
        let note = (source != self.key).then(|| format!("limit_source: {source} → {}", self.key));
        set(k, "limit_source", Value::from(self.key));
        self.diff.push(
            &scope,
            Sign::Changed,
            format!("{limit_key} ({wire})"),
            format!("{old} → {new}"),
            note,
        );
    }

    /// Writes the conflicts found into `[[conflicts]]`, after the last one.
    fn write_conflicts(&mut self, edoc: &mut DocumentMut) {
        if self.conflicts.is_empty() {
            return;
        }
        if edoc.get("conflicts").is_none() {
            edoc.insert("conflicts", Item::ArrayOfTables(ArrayOfTables::new()));
        }
        let Some(conflicts) = edoc
            .get_mut("conflicts")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return;
        };
        let version = &self.manual.version;
        for c in &self.conflicts {
            let wires = c.wires.join(" / ");
            let mut says = Array::new();
            push_like(
                &mut says,
                inline(&[
                    ("source", Value::from(c.holder_source.as_str())),
                    (
                        "text",
                        Value::from(format!("limit of {wires}: {} bytes", c.old)),
                    ),
                ]),
            );
            push_like(
                &mut says,
                inline(&[
                    ("source", Value::from(self.key)),
                    (
                        "text",
                        Value::from(format!("version {version}, request table: {} bytes", c.new)),
                    ),
                ]),
            );
            let mut t = table(&[
                ("fact", Value::from(format!("Length of {wires}"))),
                ("says", Value::Array(says)),
                (
                    "choice",
                    Value::from(needs_human(&format!(
                        "which length of {wires} the SDK checks ({} or {})",
                        c.old, c.new
                    ))),
                ),
                (
                    "why",
                    Value::from(needs_human(&format!("why that length of {wires}"))),
                ),
            ]);
            t.decor_mut().set_prefix("\n");
            conflicts.push(t);
        }
    }

    fn response(&mut self, op: &mut Table, answer: &BTreeSet<String>, scope: &str) {
        let manual = self.manual;
        let (has_records, also_flat) =
            op.get("records")
                .and_then(Item::as_table_like)
                .map_or((false, false), |r| {
                    (
                        true,
                        r.get("also_flat").and_then(Item::as_bool).unwrap_or(false),
                    )
                });
        let response_wires: BTreeSet<String> = op
            .get("response")
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_inline_table)
                    .map(|t| get_str(t, "wire").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        // a flat sample of records that may stand flat: its fields are the record's
        let flat_records = also_flat && manual.record.is_none();
        let in_records = |p: &Param| {
            has_records && (p.in_record || (flat_records && !response_wires.contains(&p.name)))
        };
        let params: Vec<&Param> = manual
            .response
            .iter()
            .filter(|p| !answer.contains(&p.name))
            .collect();
        for in_record in [false, true] {
            let what = if in_record {
                "record field"
            } else {
                "response"
            };
            let array = if in_record {
                op.get_mut("records")
                    .and_then(Item::as_table_like_mut)
                    .and_then(|r| r.get_mut("fields"))
                    .and_then(Item::as_array_mut)
            } else {
                op.get_mut("response").and_then(Item::as_array_mut)
            };
            let Some(array) = array else { continue };
            let wanted: Vec<&Param> = params
                .iter()
                .copied()
                .filter(|p| in_records(p) == in_record)
                .collect();
            for p in &wanted {
                let label = format!("{what} {}", p.name);
                let entry = array
                    .iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|t| get_str(*t, "wire") == p.name);
                match entry {
                    Some(t) => {
                        self.weak_source(t, scope, &label);
                        self.answer_length(t, p, scope, &label);
                    }
                    None => {
                        let mut pairs = vec![
                            (
                                "name",
                                Value::from(needs_human(&format!(
                                    "snake_case Rust name for {}",
                                    p.name
                                ))),
                            ),
                            ("wire", Value::from(p.name.as_str())),
                            ("source", Value::from(self.key)),
                            (
                                "type",
                                Value::from(needs_human(&format!(
                                    "type for {} (manual: {}{})",
                                    p.name,
                                    p.length,
                                    describe(&p.description)
                                ))),
                            ),
                        ];
                        if let Length::Bytes(n) = p.length {
                            pairs.push(("max_bytes", Value::from(i64::from(n))));
                        }
                        push_like(array, inline(&pairs));
                        self.diff.push(
                            scope,
                            Sign::Added,
                            label,
                            p.length.to_string(),
                            Some("name and type marked NEEDS HUMAN".into()),
                        );
                    }
                }
            }
            let gone: Vec<(usize, String)> = array
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let wire = get_str(v.as_inline_table()?, "wire").to_owned();
                    (!wanted.iter().any(|p| p.name == wire)).then_some((i, wire))
                })
                .collect();
            for (i, wire) in gone.iter().rev() {
                if self.missing == MissingCodes::Remove {
                    array.remove(*i);
                }
                self.removed(scope, &format!("{what} {wire}"));
            }
        }
    }

    /// An answer field's `max_bytes` against the manual's length. Dates,
    /// timestamps, numbers and mobiles without one keep their type's format.
    fn answer_length(&mut self, t: &mut InlineTable, p: &Param, scope: &str, label: &str) {
        let ty = get_str(t, "type").to_owned();
        let old = get_u32(t, "max_bytes");
        match (p.length, old) {
            (Length::Bytes(n), Some(o)) if o != n => {
                set(t, "max_bytes", Value::from(i64::from(n)));
                self.diff.push(
                    scope,
                    Sign::Changed,
                    format!("{label} max_bytes"),
                    format!("{o} → {n}"),
                    None,
                );
            }
            (Length::Bytes(n), None) if ty == "text" => {
                set(t, "max_bytes", Value::from(i64::from(n)));
                self.diff.push(
                    scope,
                    Sign::Changed,
                    format!("{label} max_bytes"),
                    format!("(none) → {n}"),
                    None,
                );
            }
            (Length::Number, _) if ty == "text" => {
                self.diff.push(
                    scope,
                    Sign::Conflict,
                    format!("{label} length"),
                    "the manual says Number, the spec's type is text".to_owned(),
                    Some("not taken: review its `type`".into()),
                );
            }
            _ => {}
        }
    }

    /// Value tables: the values of the enum kind of the field they belong to.
    fn values(&mut self, op: &Table, edoc: &mut DocumentMut) {
        let manual = self.manual;
        for vt in &manual.value_tables {
            let Some(kind) = field_kind(op, &vt.field) else {
                continue;
            };
            if !self.kinds_done.insert(format!("{kind}.values")) {
                continue;
            }
            let scope = format!("kind {kind}");
            let Some(k) = edoc
                .get_mut("kinds")
                .and_then(Item::as_table_like_mut)
                .and_then(|t| t.get_mut(&kind))
                .and_then(Item::as_table_like_mut)
            else {
                continue;
            };
            if get_str(k, "rule") != "enum" {
                continue;
            }
            let Some(values) = k.get_mut("values").and_then(Item::as_array_mut) else {
                continue;
            };
            let spec_wires: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_inline_table().map(|t| get_str(t, "wire").to_owned()))
                .collect();
            let manual_wires: Vec<String> = vt
                .values
                .iter()
                .map(|v| padded(&spec_wires, &v.wire))
                .collect();
            for (v, wire) in vt.values.iter().zip(&manual_wires) {
                if spec_wires.contains(wire) {
                    continue;
                }
                push_like(
                    values,
                    inline(&[
                        (
                            "name",
                            Value::from(needs_human(&format!(
                                "UpperCamelCase name for value {wire}"
                            ))),
                        ),
                        ("wire", Value::from(wire.as_str())),
                        (
                            "doc",
                            Value::from(needs_human(&format!("English for `{}`", v.description))),
                        ),
                    ]),
                );
                self.diff.push(
                    &scope,
                    Sign::Added,
                    format!("value {wire} ({})", vt.field),
                    format!("{:?}", v.description),
                    Some("name and doc marked NEEDS HUMAN".into()),
                );
            }
            for (i, wire) in spec_wires.iter().enumerate().rev() {
                if manual_wires.contains(wire) {
                    continue;
                }
                if self.missing == MissingCodes::Remove {
                    values.remove(i);
                }
                self.removed(&scope, &format!("value {wire} ({})", vt.field));
            }
        }
    }
}

/// `5` in the manual for `05` in the spec: a short number padded to the width of
/// the spec's values when they are all numbers.
fn padded(spec: &[String], wire: &str) -> String {
    let numeric = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let width = spec
        .iter()
        .all(|w| numeric(w))
        .then(|| spec.iter().map(String::len).max())
        .flatten();
    match width {
        Some(n) if numeric(wire) && wire.len() < n => format!("{wire:0>n$}"),
        _ => wire.to_owned(),
    }
}

/// What holds the limit a request field is checked against.
enum Holder {
    /// `[kinds.<key>]`.
    Kind(String),
    /// `[client] <key> = { … }`.
    Client(String),
}

impl Holder {
    fn table(&self) -> &'static str {
        match self {
            Holder::Kind(_) => "kinds",
            Holder::Client(_) => "client",
        }
    }
    fn key(&self) -> &str {
        match self {
            Holder::Kind(k) | Holder::Client(k) => k,
        }
    }
    fn scope(&self) -> String {
        match self {
            Holder::Kind(k) => format!("kind {k}"),
            Holder::Client(k) => format!("client {k}"),
        }
    }
}

/// The kind (request) or type (answer) of the field `wire` of `op`.
fn field_kind(op: &Table, wire: &str) -> Option<String> {
    let in_array = |array: Option<&Array>, key: &str| {
        array?
            .iter()
            .filter_map(Value::as_inline_table)
            .find(|t| get_str(*t, "wire") == wire)
            .map(|t| get_str(t, key).to_owned())
    };
    in_array(op.get("request").and_then(Item::as_array), "kind")
        .or_else(|| in_array(op.get("response").and_then(Item::as_array), "type"))
        .or_else(|| {
            in_array(
                op.get("records")
                    .and_then(Item::as_table_like)
                    .and_then(|r| r.get("fields"))
                    .and_then(Item::as_array),
                "type",
            )
        })
}

// ---------------------------------------------------------------------------
// The inbound operation (the exchange notice) of spec/endpoints.toml

/// The scope the inbound operation's changes are reported under.
const INBOUND_SCOPE: &str = "notifications";

/// The `source` of a new entry: a sibling's document and section, with this row.
fn source_like(sibling: Option<&Value>, document: &str, row: usize) -> Value {
    let section = sibling
        .and_then(Value::as_inline_table)
        .and_then(|s| s.get("section"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut t = InlineTable::new();
    t.insert("document", Value::from(document));
    t.insert("section", Value::from(section));
    t.insert("row", Value::from(i64::try_from(row).unwrap_or(0)));
    t.fmt();
    Value::InlineTable(t)
}

/// The document a `source` names: the string, or a table's `document`.
fn source_document(source: Option<&Item>) -> &str {
    match source {
        Some(item) => item
            .as_str()
            .or_else(|| item.as_table_like().map(|t| get_str(t, "document")))
            .unwrap_or(""),
        None => "",
    }
}

/// Takes the manual's `length` as `max_bytes` of `t`; the old and new values
/// when they differ.
fn new_length(t: &mut dyn TableLike, length: Length) -> Option<(u32, u32)> {
    match (length, get_u32(t, "max_bytes")) {
        (Length::Bytes(n), Some(o)) if n != o => {
            set(t, "max_bytes", Value::from(i64::from(n)));
            Some((o, n))
        }
        _ => None,
    }
}

impl Merger<'_> {
    /// The exchange manual: the `[[operations]]` entry with `direction = "inbound"`
    /// whose root this document gives.
    fn inbound(&mut self, edoc: &mut DocumentMut) -> Result<(), MapError> {
        let key = self.key;
        let mut ops = std::mem::take(
            edoc.get_mut("operations")
                .and_then(Item::as_array_of_tables_mut)
                .ok_or_else(|| shape(ENDPOINTS, "[[operations]] entries"))?,
        );
        let index = ops.iter().position(|op| {
            get_str(op, "direction") == "inbound"
                && source_document(
                    op.get("root")
                        .and_then(Item::as_table_like)
                        .and_then(|r| r.get("source")),
                ) == key
        });
        let result = match index.and_then(|i| ops.get_mut(i)) {
            Some(op) => self.inbound_entry(op, edoc),
            None => Err(shape(
                ENDPOINTS,
                format!(
                    "an entry of [[operations]] with direction = \"inbound\" whose root has \
                     source document \"{key}\"; add one by hand first"
                ),
            )),
        };
        edoc.insert("operations", Item::ArrayOfTables(ops));
        result
    }

    fn inbound_entry(&mut self, op: &mut Table, edoc: &mut DocumentMut) -> Result<(), MapError> {
        let manual = self.manual;
        let scope = INBOUND_SCOPE;
        if let [method] = manual.methods.as_slice()
            && let Some(methods) = op.get_mut("methods").and_then(Item::as_array_mut)
        {
            let old: Vec<String> = methods
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if old != [method.clone()] {
                methods.clear();
                methods.push(method.as_str());
                self.diff.changed(scope, "methods", &old.join(", "), method);
            }
        }
        if let Some(root) = &manual.root
            && let Some(t) = op.get_mut("root").and_then(Item::as_table_like_mut)
            && let Some(old) = set(t, "name", Value::from(root.name.as_str()))
        {
            self.diff.changed(scope, "answer.root", &old, &root.name);
        }
        self.inbound_answer(op, scope);
        self.inbound_codes(op, scope);
        self.inbound_fields(op, scope)?;
        self.inbound_values(op, edoc, scope);
        Ok(())
    }

    /// The request table: the operation's `request` fields.
    fn inbound_fields(&mut self, op: &mut Table, scope: &str) -> Result<(), MapError> {
        let manual = self.manual;
        let key = self.key;
        let request = op
            .get_mut("request")
            .and_then(Item::as_array_mut)
            .ok_or_else(|| shape(ENDPOINTS, "`request = [ … ]` in the inbound operation"))?;
        for (row, p) in manual.request.iter().enumerate() {
            let label = format!("field {}", p.name);
            let sibling = request
                .iter()
                .last()
                .and_then(Value::as_inline_table)
                .and_then(|t| t.get("source"))
                .cloned();
            let entry = request
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .find(|t| get_str(*t, "wire") == p.name);
            match entry {
                Some(t) => {
                    match (p.length, get_u32(t, "max_bytes")) {
                        (Length::Bytes(n), Some(o)) if n != o => {
                            set(t, "max_bytes", Value::from(i64::from(n)));
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("{label} max_bytes"),
                                format!("{o} → {n}"),
                                None,
                            );
                        }
                        (Length::Number, _) if get_str(t, "type") != "amount" => {
                            self.diff.push(
                                scope,
                                Sign::Conflict,
                                format!("{label} length"),
                                format!(
                                    "the manual says Number, the spec's type is {:?}",
                                    get_str(t, "type")
                                ),
                                Some("not taken: review its `type`".into()),
                            );
                        }
                        _ => {}
                    }
                    if let Some(required) = p.required {
                        let old = t.get("required").and_then(Value::as_bool).unwrap_or(false);
                        if old != required {
                            set(t, "required", Value::from(required));
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("{label} required"),
                                format!("{old} → {required}"),
                                None,
                            );
                        }
                    }
                }
                None => {
                    let max = match p.length {
                        Length::Bytes(n) => Value::from(i64::from(n)),
                        Length::Number => Value::from(needs_human(&format!(
                            "digits of {} (manual: Number)",
                            p.name
                        ))),
                    };
                    push_like(
                        request,
                        inline(&[
                            (
                                "name",
                                Value::from(needs_human(&format!(
                                    "snake_case Rust name for {}",
                                    p.name
                                ))),
                            ),
                            ("wire", Value::from(p.name.as_str())),
                            ("source", source_like(sibling.as_ref(), key, row + 1)),
                            (
                                "type",
                                Value::from(needs_human(&format!(
                                    "a type (text, timestamp, amount) or a `kind` for {}{}",
                                    p.name,
                                    describe(&p.description)
                                ))),
                            ),
                            ("max_bytes", max),
                            ("required", Value::from(p.required != Some(false))),
                            (
                                "doc",
                                Value::from(needs_human(&format!("English for {}", p.name))),
                            ),
                        ]),
                    );
                    self.diff.push(
                        scope,
                        Sign::Added,
                        label,
                        p.length.to_string(),
                        Some("name, type and doc marked NEEDS HUMAN".into()),
                    );
                }
            }
        }
        let gone: Vec<(usize, String)> = request
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let wire = get_str(v.as_inline_table()?, "wire").to_owned();
                (!manual.request.iter().any(|p| p.name == wire)).then_some((i, wire))
            })
            .collect();
        for (i, wire) in gone.iter().rev() {
            if self.missing == MissingCodes::Remove {
                request.remove(*i);
            }
            self.removed(scope, &format!("field {wire}"));
        }
        Ok(())
    }

    /// The answer table: `answer.result_code`, `answer.result_message` and the
    /// operation's `response` elements, and their lengths.
    fn inbound_answer(&mut self, op: &mut Table, scope: &str) {
        let manual = self.manual;
        let mut seen: Vec<String> = Vec::new();
        for p in &manual.response {
            let label = format!("answer {}", p.name);
            // `Some(change)` once the element is found
            let mut found: Option<Option<(u32, u32)>> = None;
            if let Some(answer) = op.get_mut("answer").and_then(Item::as_table_like_mut) {
                for element in ["result_code", "result_message"] {
                    if let Some(t) = answer.get_mut(element).and_then(Item::as_table_like_mut)
                        && get_str(t, "name") == p.name
                    {
                        found = Some(new_length(t, p.length));
                    }
                }
            }
            if found.is_none()
                && let Some(response) = op.get_mut("response").and_then(Item::as_array_mut)
                && let Some(t) = response
                    .iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|t| get_str(*t, "wire") == p.name)
            {
                found = Some(new_length(t, p.length));
            }
            let Some(change) = found else {
                self.diff.push(
                    scope,
                    Sign::Added,
                    label,
                    p.length.to_string(),
                    Some("not written: add it to the operation's `response` by hand".into()),
                );
                continue;
            };
            seen.push(p.name.clone());
            if let Some((o, n)) = change {
                self.diff.push(
                    scope,
                    Sign::Changed,
                    format!("{label} max_bytes"),
                    format!("{o} → {n}"),
                    None,
                );
            }
        }
        let mut names: Vec<String> = op
            .get("answer")
            .and_then(Item::as_table_like)
            .map(|a| {
                ["result_code", "result_message"]
                    .iter()
                    .filter_map(|k| a.get(k).and_then(Item::as_table_like))
                    .map(|t| get_str(t, "name").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.extend(
            op.get("response")
                .and_then(Item::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_inline_table)
                        .map(|t| get_str(t, "wire").to_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        for name in names {
            if !seen.contains(&name) {
                self.diff.push(
                    scope,
                    Sign::Removed,
                    format!("answer {name}"),
                    "not in the manual; kept (the answer needs it)",
                    None,
                );
            }
        }
    }

    /// The answer-code table: `[[operations.answer.codes]]`.
    fn inbound_codes(&mut self, op: &mut Table, scope: &str) {
        let manual = self.manual;
        let key = self.key;
        if manual.codes.is_empty() {
            return;
        }
        let Some(codes) = op
            .get_mut("answer")
            .and_then(Item::as_table_like_mut)
            .and_then(|a| a.get_mut("codes"))
            .and_then(Item::as_array_of_tables_mut)
        else {
            return;
        };
        for (row, c) in manual.codes.iter().enumerate() {
            let sibling = codes
                .iter()
                .last()
                .and_then(|t| t.get("source"))
                .and_then(Item::as_value)
                .cloned();
            let at = codes.iter().position(|t| get_str(t, "code") == c.code);
            match at.and_then(|i| codes.get_mut(i)) {
                Some(t) => {
                    for (k, new) in [
                        ("message_ko", &c.message),
                        ("description_ko", &c.description),
                    ] {
                        if let Some(old) = set(t, k, Value::from(new.as_str())) {
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("code {} {k}", c.code),
                                arrow(&old, new),
                                Some("English kept: review message_en and description_en".into()),
                            );
                        }
                    }
                }
                None => {
                    let english =
                        |what: &str| Value::from(needs_human(&format!("English for `{what}`")));
                    let mut t = table(&[
                        ("code", Value::from(c.code.as_str())),
                        (
                            "variant",
                            Value::from(needs_human(&format!(
                                "UpperCamelCase name for code {}",
                                c.code
                            ))),
                        ),
                        ("message_ko", Value::from(c.message.as_str())),
                        ("description_ko", Value::from(c.description.as_str())),
                        ("message_en", english(&c.message)),
                        ("description_en", english(&c.description)),
                        ("stops_retry", Value::from(false)),
                        ("source", source_like(sibling.as_ref(), key, row + 1)),
                    ]);
                    t.decor_mut().set_prefix("\n");
                    codes.push(t);
                    self.diff.push(
                        scope,
                        Sign::Added,
                        format!("code {}", c.code),
                        format!("{:?} / {:?}", c.message, c.description),
                        Some(
                            "variant and English marked NEEDS HUMAN; stops_retry = false: review"
                                .into(),
                        ),
                    );
                }
            }
        }
        let gone: Vec<(usize, String)> = codes
            .iter()
            .enumerate()
            .filter(|(_, t)| !manual.codes.iter().any(|c| c.code == get_str(*t, "code")))
            .map(|(i, t)| (i, get_str(t, "code").to_owned()))
            .collect();
        for (i, code) in gone.iter().rev() {
            if self.missing == MissingCodes::Remove {
                codes.remove(*i);
            }
            self.removed(scope, &format!("code {code}"));
        }
    }

    /// Value tables: the values of the enum kind of the field they belong to,
    /// each with this document's wording (`wording = [{ source, ko, en }]`).
    /// Another document's wording of a value is never touched.
    fn inbound_values(&mut self, op: &Table, edoc: &mut DocumentMut, scope: &str) {
        let manual = self.manual;
        let key = self.key;
        for vt in &manual.value_tables {
            let Some(kind) = field_kind(op, &vt.field) else {
                continue;
            };
            let Some(values) = edoc
                .get_mut("kinds")
                .and_then(Item::as_table_like_mut)
                .and_then(|t| t.get_mut(&kind))
                .and_then(Item::as_table_like_mut)
                .filter(|k| get_str(*k, "rule") == "enum")
                .and_then(|k| k.get_mut("values"))
                .and_then(Item::as_array_mut)
            else {
                continue;
            };
            let spec_wires: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_inline_table().map(|t| get_str(t, "wire").to_owned()))
                .collect();
            let manual_wires: Vec<String> = vt
                .values
                .iter()
                .map(|v| padded(&spec_wires, &v.wire))
                .collect();
            for (v, wire) in vt.values.iter().zip(&manual_wires) {
                let label = format!("table {kind} value {wire}");
                let entry = values
                    .iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|t| get_str(*t, "wire") == wire);
                let new_wording = || {
                    inline(&[
                        ("source", Value::from(key)),
                        ("ko", Value::from(v.description.as_str())),
                        (
                            "en",
                            Value::from(needs_human(&format!("English for `{}`", v.description))),
                        ),
                    ])
                };
                match entry {
                    Some(t) => {
                        let wording = t.get_mut("wording").and_then(Value::as_array_mut);
                        let ours = wording.and_then(|w| {
                            w.iter_mut()
                                .filter_map(Value::as_inline_table_mut)
                                .find(|w| w.get("source").and_then(Value::as_str) == Some(key))
                        });
                        match ours {
                            Some(w) => {
                                if let Some(old) = set(w, "ko", Value::from(v.description.as_str()))
                                {
                                    self.diff.push(
                                        scope,
                                        Sign::Changed,
                                        format!("{label} wording"),
                                        arrow(&old, &v.description),
                                        Some("English kept: review its `en`".into()),
                                    );
                                }
                            }
                            None => {
                                match t.get_mut("wording").and_then(Value::as_array_mut) {
                                    Some(w) => push_like(w, new_wording()),
                                    None => {
                                        let mut w = Array::new();
                                        w.push(Value::InlineTable(new_wording()));
                                        t.insert("wording", Value::Array(w));
                                    }
                                }
                                self.diff.push(
                                    scope,
                                    Sign::Added,
                                    format!("{label} wording"),
                                    format!("{:?}", v.description),
                                    Some("en marked NEEDS HUMAN".into()),
                                );
                            }
                        }
                    }
                    None => {
                        let mut wording = Array::new();
                        wording.push(Value::InlineTable(new_wording()));
                        push_like(
                            values,
                            inline(&[
                                (
                                    "name",
                                    Value::from(needs_human(&format!(
                                        "UpperCamelCase name for value {wire}"
                                    ))),
                                ),
                                ("wire", Value::from(wire.as_str())),
                                (
                                    "doc",
                                    Value::from(needs_human(&format!(
                                        "English for `{}`",
                                        v.description
                                    ))),
                                ),
                                ("wording", Value::Array(wording)),
                            ]),
                        );
                        self.diff.push(
                            scope,
                            Sign::Added,
                            label,
                            format!("{:?}", v.description),
                            Some("name, doc and en marked NEEDS HUMAN".into()),
                        );
                    }
                }
            }
            for (i, wire) in spec_wires.iter().enumerate().rev() {
                if manual_wires.contains(wire) {
                    continue;
                }
                if self.missing == MissingCodes::Remove {
                    values.remove(i);
                }
                self.removed(scope, &format!("table {kind} value {wire}"));
            }
        }
    }
}
