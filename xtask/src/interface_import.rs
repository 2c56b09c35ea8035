//! Maps a parsed interface manual onto the spec and merges it: the one module
//! that knows the spec's shape (`[documents]`, `[[operations]]`,
//! `[[notifications]]`, `[kinds]`, `[[conflicts]]`, `[client]`, `[envelope]`).
//! What the manual owns is replaced (paths, methods, roots, record elements,
//! wire names, lengths, required flags, values), what the project owns is kept
//! (Rust names, English docs, kinds, checks, `always_sent`), what only a person
//! can decide is marked `NEEDS HUMAN`. Edits go through `toml_edit`, so comments
//! and layout survive. Adjust the constants and accessors here when the spec's
//! shape changes.

use std::collections::BTreeSet;

use toml_edit::{Array, DocumentMut, InlineTable, Item, TableLike, Value};

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

/// The `source` of the code-definition manual: its limits win over an interface
/// manual's, which is then reported as a conflict.
pub const CODE_DOCUMENT: &str = "code";
/// Sources an interface manual replaces with its own key when it confirms the name.
pub const WEAK_SOURCES: [&str; 2] = ["inferred", "observed"];
/// A request field the SDK sends even where the manual says it is optional.
pub const ALWAYS_SENT: &str = "always_sent";

/// Which spec file holds what a manual describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `[[operations]]` of `spec/endpoints.toml`.
    Endpoints,
    /// `[[notifications]]` of `spec/notifications.toml`.
    Notifications,
}

/// Where the manual of `kind` lands.
pub fn target(kind: ManualKind) -> Target {
    match kind {
        ManualKind::Exchange => Target::Notifications,
        _ => Target::Endpoints,
    }
}

fn array_key(target: Target) -> &'static str {
    match target {
        Target::Endpoints => "operations",
        Target::Notifications => "notifications",
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
    /// The exchange manual needs `spec/notifications.toml`.
    #[error("the exchange manual maps onto {0}, which does not exist yet")]
    NoNotifications(&'static str),
}

/// The merged spec texts and what changed.
#[derive(Debug, Clone)]
pub struct Merged {
    /// What the import changes.
    pub diff: InterfaceDiff,
    /// The new `spec/endpoints.toml`.
    pub endpoints: String,
    /// The new `spec/notifications.toml` (when given).
    pub notifications: Option<String>,
}

/// Path of the notification spec, relative to the workspace root.
pub const NOTIFICATIONS_PATH: &str = "spec/notifications.toml";
const ENDPOINTS: &str = coufun_codegen::ENDPOINTS_PATH;

/// Merges `manual` into the texts of `spec/endpoints.toml` and (for the
/// exchange manual) `spec/notifications.toml`.
pub fn merge(
    endpoints: &str,
    notifications: Option<&str>,
    manual: &InterfaceManual,
    missing: MissingCodes,
) -> Result<Merged, MapError> {
    let parse = |file: &'static str, text: &str| {
        text.parse::<DocumentMut>()
            .map_err(|source| MapError::Syntax { file, source })
    };
    let mut edoc = parse(ENDPOINTS, endpoints)?;
    let mut ndoc = notifications
        .map(|t| parse(NOTIFICATIONS_PATH, t))
        .transpose()?;
    let key = document_key(manual.kind);
    let mut m = Merger {
        key,
        manual,
        missing,
        diff: InterfaceDiff::default(),
        kinds_done: BTreeSet::new(),
    };
    m.document(&mut edoc)?;

    let target = target(manual.kind);
    let (file, holder) = match target {
        Target::Endpoints => (ENDPOINTS, &mut edoc),
        Target::Notifications => (
            NOTIFICATIONS_PATH,
            ndoc.as_mut()
                .ok_or(MapError::NoNotifications(NOTIFICATIONS_PATH))?,
        ),
    };
    let what = array_key(target);
    let mut ops = std::mem::take(
        holder
            .get_mut(what)
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| MapError::Shape {
                file,
                what: format!("[[{what}]] entries"),
            })?,
    );
    let mut found = 0;
    for op in ops.iter_mut() {
        let documented = ["path", "root"]
            .iter()
            .any(|k| sub_str(op, k, "source") == Some(key));
        if documented {
            found += 1;
            m.operation(op, &mut edoc)?;
        }
    }
    let holder = match target {
        Target::Endpoints => &mut edoc,
        Target::Notifications => ndoc
            .as_mut()
            .ok_or(MapError::NoNotifications(NOTIFICATIONS_PATH))?,
    };
    holder.insert(what, Item::ArrayOfTables(ops));
    if found == 0 {
        return Err(MapError::Shape {
            file,
            what: format!(
                "an entry of [[{what}]] whose path or root has source = \"{key}\" (the \
                 {} manual describes it); add one by hand first",
                manual.kind.name()
            ),
        });
    }
    Ok(Merged {
        diff: m.diff,
        endpoints: edoc.to_string(),
        notifications: ndoc.map(|d| d.to_string()),
    })
}

struct Merger<'a> {
    key: &'static str,
    manual: &'a InterfaceManual,
    missing: MissingCodes,
    diff: InterfaceDiff,
    kinds_done: BTreeSet<String>,
}

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

/// The environment a URL row names: `상용` → production, `테스트` → test.
fn environment(label: &str) -> String {
    let squashed: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    if squashed.contains("상용") || squashed.to_lowercase().contains("prod") {
        "production".into()
    } else if squashed.contains("테스트") || squashed.to_lowercase().contains("test") {
        "test".into()
    } else {
        squashed.trim_end_matches("URL").to_owned()
    }
}

impl Merger<'_> {
    fn document(&mut self, edoc: &mut DocumentMut) -> Result<(), MapError> {
        let key = self.key;
        let scope = format!("document {key}");
        let docs = edoc
            .get_mut("documents")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| MapError::Shape {
                file: ENDPOINTS,
                what: "a [documents] table".into(),
            })?;
        if docs.get(key).is_none() {
            let mut t = toml_edit::Table::new();
            t.insert("title_ko", toml_edit::value(self.manual.title.as_str()));
            docs.insert(key, Item::Table(t));
            self.diff.push(
                &scope,
                Sign::Added,
                "document",
                self.manual.title.clone(),
                None,
            );
        }
        let doc = docs
            .get_mut(key)
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| MapError::Shape {
                file: ENDPOINTS,
                what: format!("[documents.{key}] to be a table"),
            })?;
        for (k, new) in [
            ("version", &self.manual.version),
            ("date", &self.manual.date),
        ] {
            if let Some(old) = set(doc, k, Value::from(new.as_str())) {
                self.diff.changed(&scope, k, &old, new);
            }
        }
        if self.manual.urls.is_empty() {
            return Ok(());
        }
        if doc.get("hosts").is_none() {
            doc.insert("hosts", Item::Value(Value::InlineTable(InlineTable::new())));
        }
        if let Some(hosts) = doc.get_mut("hosts").and_then(Item::as_table_like_mut) {
            for row in &self.manual.urls {
                let env = environment(&row.label);
                if let Some(old) = set(hosts, &env, Value::from(row.base.as_str())) {
                    self.diff
                        .changed(&scope, format!("hosts.{env}"), &old, &row.base);
                }
            }
        }
        Ok(())
    }

    fn operation(
        &mut self,
        op: &mut toml_edit::Table,
        edoc: &mut DocumentMut,
    ) -> Result<(), MapError> {
        let scope = format!("operation {}", get_str(op, "name"));
        let key = self.key;
        let manual = self.manual;

        // path, root, record element: the manual's names
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
            let old = get_str(records, "element").to_owned();
            let mentioned = manual.record_mentioned.as_ref().map(|r| r.name.as_str());
            if let Some(new) = record
                && old != new.name
                && mentioned != Some(old.as_str())
            {
                set(records, "element", Value::from(new.name.as_str()));
                self.diff.changed(&scope, "record element", &old, &new.name);
            }
            self.weak_source(records, &scope, "record element");
        } else if let Some(r) = &manual.record {
            self.diff.push(
                &scope,
                Sign::Added,
                "record element",
                r.name.clone(),
                Some(format!(
                    "the sample repeats <{}>; the spec has no `records`: add them by hand",
                    r.name
                )),
            );
        }

        self.request(op, edoc, &scope)?;
        self.response(op, edoc, &scope);
        self.values(op, edoc);
        if target(manual.kind) == Target::Notifications {
            self.codes(op, &scope);
        }
        let _ = key;
        Ok(())
    }

    /// `op.<key> = { name, source }`: takes the manual's name.
    fn name_ref(&mut self, op: &mut toml_edit::Table, key: &str, new: &str, scope: &str) {
        let Some(t) = op.get_mut(key).and_then(Item::as_table_like_mut) else {
            let mut t = InlineTable::new();
            t.insert("name", Value::from(new));
            t.insert("source", Value::from(self.key));
            t.fmt();
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

    fn request(
        &mut self,
        op: &mut toml_edit::Table,
        edoc: &mut DocumentMut,
        scope: &str,
    ) -> Result<(), MapError> {
        let manual = self.manual;
        // fields the client sends with every call: name → kind
        let client: Vec<(String, String)> = edoc
            .get("client")
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter()
                    .filter_map(|(_, v)| {
                        let v = v.as_table_like()?;
                        Some((get_str(v, "name").to_owned(), get_str(v, "kind").to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let request = op
            .get_mut("request")
            .and_then(Item::as_array_mut)
            .ok_or_else(|| MapError::Shape {
                file: ENDPOINTS,
                what: format!("`request = [ … ]` (an array of inline tables) in {scope}"),
            })?;
        let mut limits: Vec<(String, String, Length)> = Vec::new();
        for p in &manual.request {
            if let Some((_, kind)) = client.iter().find(|(n, _)| *n == p.name) {
                limits.push((kind.clone(), p.name.clone(), p.length));
                continue;
            }
            let entry = request
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .find(|t| get_str(*t, "wire") == p.name);
            match entry {
                Some(t) => {
                    let what = format!("request {}", p.name);
                    if let Some(required) = p.required
                        && let Some(old) = set(t, "required", Value::from(required))
                    {
                        let note = t
                            .get(ALWAYS_SENT)
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                            .then(|| {
                                format!("`{ALWAYS_SENT} = true` kept: the SDK still sends it")
                            });
                        self.diff.push(
                            scope,
                            Sign::Changed,
                            format!("{what} required"),
                            format!("{old} → {required}"),
                            note,
                        );
                    }
                    self.weak_source(t, scope, &what);
                    limits.push((get_str(t, "kind").to_owned(), p.name.clone(), p.length));
                }
                None => {
                    push_like(request, self.new_request(p));
                    self.diff.push(
                        scope,
                        Sign::Added,
                        format!("request {}", p.name),
                        format!(
                            "{}, {}",
                            p.length,
                            if p.required == Some(true) {
                                "required"
                            } else {
                                "optional"
                            }
                        ),
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
        for (kind, wire, length) in limits {
            self.limit(edoc, &kind, &wire, length);
        }
        Ok(())
    }

    fn removed(&mut self, scope: &str, what: &str) {
        let fate = match self.missing {
            MissingCodes::Keep => "not in the manual; kept (--remove-missing removes it)",
            MissingCodes::Remove => "not in the manual; removed",
        };
        self.diff.push(scope, Sign::Removed, what, fate, None);
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

    /// Compares a request field's length with its kind's limit.
    fn limit(&mut self, edoc: &mut DocumentMut, kind: &str, wire: &str, length: Length) {
        let scope = format!("kind {kind}");
        let Some(k) = edoc
            .get_mut("kinds")
            .and_then(Item::as_table_like_mut)
            .and_then(|t| t.get_mut(kind))
            .and_then(Item::as_table_like_mut)
        else {
            return; // a kind still to be named, or none: nothing to compare
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
                return; // dates and enums carry no byte limit
            }
        };
        let Some(old) = k
            .get(limit_key)
            .and_then(Item::as_integer)
            .and_then(|v| u32::try_from(v).ok())
        else {
            return;
        };
        if old == new {
            return;
        }
        let source = get_str(k, "limit_source").to_owned();
        if source == CODE_DOCUMENT {
            self.conflict(edoc, &scope, wire, limit_key, old, new);
            return;
        }
        if !self.kinds_done.insert(format!("{kind}.{limit_key}")) {
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

    /// A length the code-definition manual contradicts: recorded, not taken.
    fn conflict(
        &mut self,
        edoc: &mut DocumentMut,
        scope: &str,
        wire: &str,
        limit_key: &str,
        code_value: u32,
        new: u32,
    ) {
        let key = self.key;
        if edoc.get("conflicts").is_none() {
            edoc.insert("conflicts", Item::ArrayOfTables(Default::default()));
        }
        let Some(conflicts) = edoc
            .get_mut("conflicts")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return;
        };
        let existing = conflicts
            .iter_mut()
            .find(|t| get_str(*t, "wire") == wire && get_str(*t, "what") == limit_key);
        let detail =
            format!("code manual {code_value}, {key} manual {new}: the code manual's limit stays");
        match existing {
            Some(t) => {
                let Some(values) = t.get_mut("values").and_then(Item::as_table_like_mut) else {
                    return;
                };
                let Some(old) = set(values, key, Value::from(new.to_string())) else {
                    return; // known already
                };
                self.diff.push(
                    scope,
                    Sign::Conflict,
                    format!("{wire} {limit_key}"),
                    detail,
                    Some(format!(
                        "[[conflicts]] {wire}: values.{key} {} ; review `taken` and `doc`",
                        arrow(&old, &new.to_string())
                    )),
                );
            }
            None => {
                let mut t = toml_edit::Table::new();
                t.insert("wire", toml_edit::value(wire));
                t.insert("what", toml_edit::value(limit_key));
                let values = inline(&[
                    (CODE_DOCUMENT, Value::from(code_value.to_string())),
                    (key, Value::from(new.to_string())),
                ]);
                t.insert("values", toml_edit::value(values));
                t.insert("taken", toml_edit::value(CODE_DOCUMENT));
                t.insert(
                    "doc",
                    toml_edit::value(needs_human(&format!(
                        "say which {limit_key} of {wire} the SDK checks and why"
                    ))),
                );
                t.decor_mut().set_prefix("\n");
                conflicts.push(t);
                self.diff.push(
                    scope,
                    Sign::Conflict,
                    format!("{wire} {limit_key}"),
                    detail,
                    Some("added to [[conflicts]]; its `doc` is marked NEEDS HUMAN".into()),
                );
            }
        }
    }

    fn response(&mut self, op: &mut toml_edit::Table, edoc: &DocumentMut, scope: &str) {
        let manual = self.manual;
        let envelope: BTreeSet<String> = edoc
            .get("envelope")
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter()
                    .filter_map(|(_, v)| Some(get_str(v.as_table_like()?, "name").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let has_records = op.get("records").is_some();
        let params: Vec<&Param> = manual
            .response
            .iter()
            .filter(|p| !envelope.contains(&p.name))
            .collect();
        for (list, in_record) in [("response", false), ("records", true)] {
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
            let wanted: Vec<&&Param> = params
                .iter()
                .filter(|p| (p.in_record && has_records) == in_record)
                .collect();
            for p in &wanted {
                let entry = array
                    .iter_mut()
                    .filter_map(Value::as_inline_table_mut)
                    .find(|t| get_str(*t, "wire") == p.name);
                match entry {
                    Some(t) => self.weak_source(t, scope, &format!("{what} {}", p.name)),
                    None => {
                        push_like(
                            array,
                            inline(&[
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
                            ]),
                        );
                        self.diff.push(
                            scope,
                            Sign::Added,
                            format!("{what} {}", p.name),
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
            let _ = list;
        }
    }

    /// Value tables: the values of the enum kind of the field they belong to.
    fn values(&mut self, op: &toml_edit::Table, edoc: &mut DocumentMut) {
        let manual = self.manual;
        for table in &manual.value_tables {
            let kind = field_kind(op, edoc, &table.field);
            let Some(kind) = kind else { continue };
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
            // `5` in the manual for `05` in the spec: pad to the spec's width
            let width = spec_wires
                .iter()
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
                .then(|| spec_wires.iter().map(String::len).max())
                .flatten();
            let wire_of = |w: &str| match width {
                Some(n) if w.bytes().all(|b| b.is_ascii_digit()) && w.len() < n => {
                    format!("{w:0>n$}")
                }
                _ => w.to_owned(),
            };
            let manual_wires: Vec<String> = table.values.iter().map(|v| wire_of(&v.wire)).collect();
            for (v, wire) in table.values.iter().zip(&manual_wires) {
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
                    format!("value {wire} ({})", table.field),
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
                self.removed(&scope, &format!("value {wire} ({})", table.field));
            }
        }
    }

    /// The answer codes of a notification.
    fn codes(&mut self, op: &mut toml_edit::Table, scope: &str) {
        let manual = self.manual;
        if manual.codes.is_empty() {
            return;
        }
        let Some(codes) = op.get_mut("codes").and_then(Item::as_array_mut) else {
            return;
        };
        for c in &manual.codes {
            let entry = codes
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .find(|t| get_str(*t, "code") == c.code);
            match entry {
                Some(t) => {
                    if let Some(old) = set(t, "message_ko", Value::from(c.message.as_str())) {
                        self.diff.push(
                            scope,
                            Sign::Changed,
                            format!("code {} message_ko", c.code),
                            arrow(&old, &c.message),
                            Some(format!(
                                "English kept, review: doc = {:?}",
                                get_str(t, "doc")
                            )),
                        );
                    }
                }
                None => {
                    push_like(
                        codes,
                        inline(&[
                            ("code", Value::from(c.code.as_str())),
                            ("message_ko", Value::from(c.message.as_str())),
                            (
                                "name",
                                Value::from(needs_human(&format!(
                                    "UpperCamelCase name for code {}",
                                    c.code
                                ))),
                            ),
                            (
                                "doc",
                                Value::from(needs_human(&format!("English for `{}`", c.message))),
                            ),
                        ]),
                    );
                    self.diff.push(
                        scope,
                        Sign::Added,
                        format!("code {}", c.code),
                        format!("{:?} / {:?}", c.message, c.description),
                        Some("name and doc marked NEEDS HUMAN".into()),
                    );
                }
            }
        }
        let gone: Vec<(usize, String)> = codes
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let code = get_str(v.as_inline_table()?, "code").to_owned();
                (!manual.codes.iter().any(|c| c.code == code)).then_some((i, code))
            })
            .collect();
        for (i, code) in gone.iter().rev() {
            if self.missing == MissingCodes::Remove {
                codes.remove(*i);
            }
            self.removed(scope, &format!("code {code}"));
        }
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

/// The kind (request) or type (answer) of the field `wire` of `op`, or of the
/// client field of that name.
fn field_kind(op: &toml_edit::Table, edoc: &DocumentMut, wire: &str) -> Option<String> {
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
        .or_else(|| {
            edoc.get("client")
                .and_then(Item::as_table_like)?
                .iter()
                .filter_map(|(_, v)| v.as_table_like())
                .find(|t| get_str(*t, "name") == wire)
                .map(|t| get_str(t, "kind").to_owned())
        })
}
