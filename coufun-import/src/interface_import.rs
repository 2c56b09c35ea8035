//! Maps a parsed interface manual onto the spec and merges it. `spec/endpoints.toml`
//! is read into coufun-codegen's model ([`EndpointsFile`]): the manual's
//! document entry, the operation it describes (path, methods, root, record
//! element, request and answer fields, their lengths and required flags), the
//! limits of the kinds those fields use and the values of their enum kinds are
//! changed as typed values, and [`entry::write`] puts the difference into the
//! file, comments and layout kept. What the manual owns is replaced, what the
//! project owns is kept (Rust names, English docs, kinds, checks, the choices
//! recorded in `[[conflicts]]`), what only a person can decide is marked
//! `NEEDS HUMAN`. The exchange manual maps onto the inbound operation
//! (`direction = "inbound"`), the same way, with what only an inbound
//! operation has: request fields holding their own `max_bytes` (a new one is
//! described by a `type` and a `doc`), and its answer's element lengths and
//! `codes`. Enum values shared by several documents are compared with each
//! document's own `wording` only.

use std::collections::BTreeSet;

use coufun_codegen::model::{
    AnswerCode, Conflict, Direction, Document, EndpointsFile, EnumValue, Method, Operation,
    RequestField, ResponseField, ResultCodesFile, Rule, Source, Spanned, Statement, Wording,
};
use toml_edit::DocumentMut;

use crate::entry::{self, Comments, EntryError};
use crate::import::{MissingCodes, human, needs_human, new};
use crate::interface_diff::{InterfaceDiff, Sign, arrow};
use crate::interface_md::{
    AnswerCode as ManualCode, InterfaceManual, Length, ManualKind, Param, ValueRow,
};

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

/// Whether `source` is a guess an interface manual replaces with its own key
/// when it confirms the name (`inferred`, `observed`).
pub fn is_weak(source: &Source) -> bool {
    matches!(source, Source::Inferred | Source::Observed)
}

/// The operation whose path or root comes from document `key`, and its index.
fn operation_of(spec: &EndpointsFile, key: &str) -> Option<(usize, Operation)> {
    let ours = |s: &Spanned<Source>| s.get_ref().document() == Some(key);
    let mut all = spec.operations.iter().enumerate();
    let (index, op) = all.find(|(_, op)| ours(&op.path.source) || ours(&op.root.source))?;
    Some((index, op.clone()))
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
    /// A spec file does not fit the spec's model.
    #[error("{file}: does not fit the spec's model")]
    Model {
        /// The file.
        file: &'static str,
        /// The cause.
        source: toml::de::Error,
    },
    /// A spec file lacks what the import writes into.
    #[error("{file}: expected {what}")]
    Shape {
        /// The file.
        file: &'static str,
        /// What is missing.
        what: String,
    },
    /// The merged values could not be written.
    #[error(transparent)]
    Write(#[from] EntryError),
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

fn typed<T: serde::de::DeserializeOwned>(file: &'static str, text: &str) -> Result<T, MapError> {
    toml::from_str(text).map_err(|source| MapError::Model { file, source })
}

/// Merges `manual` into `spec/endpoints.toml`: its `[documents]` entry and the
/// operation the manual describes (the exchange manual: the inbound one).
pub fn merge(
    spec: &SpecTexts<'_>,
    manual: &InterfaceManual,
    missing: MissingCodes,
) -> Result<Merged, MapError> {
    let mut edoc: DocumentMut = spec.endpoints.parse().map_err(|source| MapError::Syntax {
        file: ENDPOINTS,
        source,
    })?;
    let old: EndpointsFile = typed(ENDPOINTS, spec.endpoints)?;
    let codes: ResultCodesFile = typed(coufun_codegen::RESULT_CODES_PATH, spec.result_codes)?;
    let known_hosts: Vec<String> = codes
        .environments
        .iter()
        .map(|e| e.url.get_ref().clone())
        .collect();
    let mut new_spec = old.clone();
    let mut m = Merge {
        key: document_key(manual.kind),
        manual,
        missing,
        diff: InterfaceDiff::default(),
        client_wire: old.client.poc_id.name.get_ref().clone(),
        kinds_done: BTreeSet::new(),
        conflicts: Vec::new(),
    };
    m.document(&mut new_spec);
    m.hosts(&mut new_spec, &known_hosts);
    m.operation(&mut new_spec)?;
    entry::write(edoc.as_table_mut(), &old, &new_spec, &Comments::new())?;
    Ok(Merged {
        diff: m.diff,
        endpoints: edoc.to_string(),
    })
}

/// What every part of a merge shares: the manual, its document key, what to do
/// with what it dropped, and the diff so far; and for the endpoints side (one
/// operation, the kinds it uses, `[[conflicts]]`), what it found so far.
struct Merge<'a> {
    key: &'static str,
    manual: &'a InterfaceManual,
    missing: MissingCodes,
    diff: InterfaceDiff,
    /// The wire name of the client's `POC_ID` parameter.
    client_wire: String,
    kinds_done: BTreeSet<String>,
    conflicts: Vec<PendingConflict>,
}

impl Merge<'_> {
    /// Reports what the manual dropped; `true` when it goes from the spec.
    fn removed(&mut self, scope: &str, what: &str) -> bool {
        let fate = match self.missing {
            MissingCodes::Keep => "not in the manual; kept (--remove-missing removes it)",
            MissingCodes::Remove => "not in the manual; removed",
        };
        self.diff.push(scope, Sign::Removed, what, fate, None);
        self.missing == MissingCodes::Remove
    }

    /// Replaces `slot` with `value` when they differ, adding `what: old → new`
    /// (with `note`); whether it changed. The one compare-report-overwrite step
    /// of every merged field.
    fn set<T: PartialEq + serde::Serialize>(
        &mut self,
        scope: &str,
        what: impl Into<String>,
        slot: &mut T,
        value: T,
        note: Option<String>,
    ) -> bool {
        if *slot == value {
            return false;
        }
        let detail = arrow(&*slot, &value);
        self.diff.push(scope, Sign::Changed, what, detail, note);
        *slot = value;
        true
    }

    /// Keeps `list` in step with the manual's `rows`, the one walker of every
    /// list a manual owns: each row meets the entry `same` matches it with, or
    /// the list's last entry when none does (`each` returns the entry it adds);
    /// then `gone` is asked of each entry no row matches, last first (it
    /// reports what the manual dropped through [`Merge::removed`]), and those
    /// it says go are dropped.
    fn follow<T, R>(
        &mut self,
        list: &mut Vec<T>,
        rows: &[R],
        same: impl Fn(&T, &R) -> bool,
        mut gone: impl FnMut(&mut Self, &mut T) -> bool,
        mut each: impl FnMut(&mut Self, Slot<'_, T>, &R) -> Option<T>,
    ) {
        for row in rows {
            let slot = match list.iter().position(|e| same(e, row)) {
                Some(i) => list.get_mut(i).map_or(Slot::New(None), Slot::Found),
                None => Slot::New(list.last()),
            };
            let added = each(self, slot, row);
            list.extend(added);
        }
        let missing = list.iter_mut().rev();
        let mut drop: Vec<bool> = missing
            .map(|e| !rows.iter().any(|r| same(e, r)) && gone(self, e))
            .collect();
        list.retain(|_| !drop.pop().unwrap_or(false));
    }

    /// Adds a line with a note for the reviewer.
    fn note(&mut self, scope: &str, sign: Sign, what: String, detail: String, note: &str) {
        let note = Some(note.to_owned());
        self.diff.push(scope, sign, what, detail, note);
    }

    /// `{label} length`: a length the manual gives that the spec cannot take.
    fn refuse(&mut self, scope: &str, label: &str, detail: String, review: &str) {
        let what = format!("{label} length");
        let note = format!("not taken: review {review}");
        self.note(scope, Sign::Conflict, what, detail, &note);
    }

    fn source(&self) -> Spanned<Source> {
        new(Source::Document(self.key.to_owned()))
    }

    /// Makes `source` this document, keeping the section it cites when it
    /// already is this document.
    fn cite(&self, source: &mut Spanned<Source>) {
        if source.get_ref().document() != Some(self.key) {
            *source = self.source();
        }
    }

    /// The source of an entry new to a list whose last entry cites a section
    /// of this document: the same section (no row: the manual's rows are not
    /// the spec's); else the document.
    fn source_like(&self, sibling: Option<&Spanned<Source>>) -> Spanned<Source> {
        match sibling.map(Spanned::get_ref) {
            Some(Source::Section {
                document, section, ..
            }) if document == self.key => new(Source::Section {
                document: document.clone(),
                section: section.clone(),
                row: None,
            }),
            _ => self.source(),
        }
    }

    /// `[documents.<key>]`: the manual's version and date.
    fn document(&mut self, spec: &mut EndpointsFile) {
        let key = self.key;
        let scope = format!("document {key}");
        let manual = self.manual;
        let Some(doc) = spec.documents.get_mut(key) else {
            spec.documents.insert(
                key.to_owned(),
                Document {
                    title: manual.title.clone(),
                    version: new(manual.version.clone()),
                    date: new(manual.date.clone()),
                },
            );
            let detail = format!("{} {} ({})", manual.title, manual.version, manual.date);
            let note = "review its `title` (we add the English name)";
            self.note(&scope, Sign::Added, "document".into(), detail, note);
            return;
        };
        let (version, date) = (new(manual.version.clone()), new(manual.date.clone()));
        self.set(&scope, "version", &mut doc.version, version, None);
        self.set(&scope, "date", &mut doc.date, date, None);
    }

    /// The URL rows' hosts: known when they are an environment of
    /// `spec/result_codes.toml` or the `[test_server]`; a new test host of the
    /// manual the test server comes from is taken, any other is a conflict.
    fn hosts(&mut self, spec: &mut EndpointsFile, known: &[String]) {
        let scope = format!("document {}", self.key);
        let test = &mut spec.test_server;
        let mut known = known.to_vec();
        known.push(test.url.get_ref().clone());
        let test_is_ours = test.source.get_ref().document() == Some(self.key);
        let mut seen = BTreeSet::new();
        for row in &self.manual.urls {
            if known.contains(&row.base) || !seen.insert(row.base.clone()) {
                continue;
            }
            if is_test(&row.label) && test_is_ours {
                let url = new(row.base.clone());
                self.set(&scope, "test_server.url", &mut test.url, url, None);
            } else {
                let (what, detail) = (
                    format!("host ({})", row.label),
                    format!("{} is no environment we know", row.base),
                );
                let note = "not taken: add it to [[environments]] of spec/result_codes.toml \
                            (or [test_server]) by hand";
                self.note(&scope, Sign::Conflict, what, detail, note);
            }
        }
    }
}

/// Where a row of the manual meets a list of the spec: on the entry it
/// names, or (none does) after the list's last entry.
enum Slot<'s, T> {
    Found(&'s mut T),
    New(Option<&'s T>),
}

/// A contradiction between two documents found during the merge, written to
/// `[[conflicts]]` at the end (one entry per limit and value).
struct PendingConflict {
    /// The wire names it concerns.
    wires: Vec<String>,
    /// The document whose limit stays, and its value.
    holder_source: Source,
    old: u32,
    /// This manual's value.
    new: u32,
}

/// The rule the client's `POC_ID` parameter is checked by (the SDK's `PocId`
/// checks it as a token of at most `max_bytes`).
const CLIENT_RULE: Rule = Rule::Token;

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

/// Whether a URL row names the test environment (`테스트`), not another
/// (`상용`: production).
fn is_test(label: &str) -> bool {
    let squashed: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    squashed.contains("테스트") || squashed.to_lowercase().contains("test")
}

/// `, `description`` for a placeholder, or "".
pub(crate) fn describe(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(", `{description}`")
    }
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

/// `5` in the manual for `05` in the spec: a short number padded to the width of
/// the spec's values when they are all numbers.
pub(crate) fn padded(spec: &[EnumValue], wire: &str) -> String {
    let numeric = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let all_numeric = spec.iter().all(|v| numeric(v.wire.get_ref()));
    let widest = spec.iter().map(|v| v.wire.get_ref().len()).max();
    match widest.filter(|_| all_numeric) {
        Some(n) if numeric(wire) && wire.len() < n => format!("{wire:0>n$}"),
        _ => wire.to_owned(),
    }
}

/// The kind (request) or type (answer) of the field `wire` of `op`.
fn field_kind(op: &Operation, wire: &str) -> Option<String> {
    let request = op.request.iter().find(|f| f.wire.get_ref() == wire);
    let answer = op
        .response
        .iter()
        .chain(op.records.iter().flat_map(|r| &r.fields))
        .find(|f| f.wire.get_ref() == wire);
    request
        .map(|f| f.kind.get_ref().clone())
        .or_else(|| answer.map(|f| f.type_name.get_ref().clone()))
}

impl Merge<'_> {
    /// A name the manual confirms takes the manual as its source.
    fn weak_source(&mut self, source: &mut Spanned<Source>, scope: &str, what: &str) {
        if is_weak(source.get_ref()) {
            self.set(scope, format!("{what} source"), source, self.source(), None);
        }
    }

    /// A name (path, root, record element) the manual gives: taken with the
    /// manual as its source when it differs, else its source confirmed.
    fn name(
        &mut self,
        name: &mut Spanned<String>,
        source: &mut Spanned<Source>,
        new_name: &str,
        scope: &str,
        what: &str,
    ) {
        if self.set(scope, what, name, new(new_name.to_owned()), None) {
            self.cite(source);
        } else {
            self.weak_source(source, scope, what);
        }
    }

    fn operation(&mut self, spec: &mut EndpointsFile) -> Result<(), MapError> {
        let key = self.key;
        let manual = self.manual;
        let (index, mut op) = operation_of(spec, key).ok_or_else(|| MapError::Shape {
            file: ENDPOINTS,
            what: format!(
                "an entry of [[operations]] whose path or root has source = \"{key}\" (the {} \
                 manual describes it); add one by hand first",
                manual.kind.name()
            ),
        })?;
        let op = &mut op;
        let scope = format!("operation {}", op.name());

        let paths: BTreeSet<&str> = manual.urls.iter().map(|u| u.path.as_str()).collect();
        if let Some(path) = manual.urls.first().map(|u| u.path.as_str()) {
            self.name(&mut op.path.name, &mut op.path.source, path, &scope, "path");
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
            let r = &mut op.root;
            self.name(&mut r.name, &mut r.source, &root.name, &scope, "root");
        }
        self.methods(op, &scope);
        let record = manual.record.as_ref().or(manual.record_mentioned.as_ref());
        if let Some(records) = &mut op.records {
            let (element, source) = (&mut records.element, &mut records.source);
            match record {
                Some(r) => self.name(element, source, &r.name, &scope, "record element"),
                None => self.weak_source(source, &scope, "record element"),
            }
        } else if let Some(r) = &manual.record {
            let note = format!(
                "the sample repeats <{}>; the spec has no `records`: add them by hand",
                r.name
            );
            let what = "record element".to_owned();
            self.note(&scope, Sign::Conflict, what, r.name.clone(), &note);
        }

        // The code and message elements every answer holds: the inbound
        // operation names its own.
        let answer = match &op.answer {
            Some(inbound) => [&inbound.result_code.name, &inbound.result_message.name]
                .map(|name| name.get_ref().clone()),
            None => [&spec.answer.result_code, &spec.answer.result_message]
                .map(|w| w.name.get_ref().clone()),
        };
        self.request(op, &spec.conflicts, &scope);
        for p in &manual.request {
            self.limit(spec, op, p);
        }
        self.response(op, &answer, &scope);
        self.values(op, spec);
        self.inbound_answer(op, &scope);
        if let Some(slot) = spec.operations.get_mut(index) {
            *slot = op.clone();
        }
        self.write_conflicts(&mut spec.conflicts);
        Ok(())
    }

    fn methods(&mut self, op: &mut Operation, scope: &str) {
        let manual = self.manual;
        if manual.methods.is_empty() {
            return;
        }
        let old: Vec<String> = op.methods.iter().map(|m| m.name().to_owned()).collect();
        if old.iter().collect::<BTreeSet<_>>() == manual.methods.iter().collect() {
            return;
        }
        let parsed: Option<Vec<Method>> = manual
            .methods
            .iter()
            .map(|m| Method::from_spec_word(m))
            .collect();
        match parsed {
            Some(methods) => {
                op.methods = methods;
                let (old, new) = (old.join(", "), manual.methods.join(", "));
                self.diff.changed(scope, "methods", &old, &new);
            }
            None => {
                let detail = format!("the manual says {}", manual.methods.join(", "));
                let note = "not taken: the spec knows no such method";
                self.note(scope, Sign::Conflict, "methods".into(), detail, note);
            }
        }
    }

    /// Whether a `[[conflicts]]` entry already records that this manual says
    /// `needle` about `wire`.
    fn known_conflict(&self, conflicts: &[Conflict], wire: &str, needle: &str) -> bool {
        conflicts.iter().any(|c| {
            let about = mentions(&c.fact, wire) || c.says.iter().any(|s| mentions(&s.text, wire));
            about
                && c.says.iter().any(|s| {
                    s.source.get_ref().document() == Some(self.key) && mentions(&s.text, needle)
                })
        })
    }

    /// The request table: each parameter's field (added when new), its required
    /// flag, source and own length (the client's parameter and the kinds'
    /// limits are [`Merge::limit`]'s).
    fn request(&mut self, op: &mut Operation, conflicts: &[Conflict], scope: &str) {
        let mut flags = Vec::new();
        let inbound = op.direction == Direction::Inbound;
        let same = |f: &RequestField, p: &Param| f.wire.get_ref() == &p.name;
        // Only what this document is the source of can be missing from it: a
        // field the spec marks inferred or observed is not the manual's claim.
        let gone = |cx: &mut Self, f: &mut RequestField| {
            f.source.get_ref().document() == Some(cx.key)
                && cx.removed(scope, &format!("request {}", f.wire.get_ref()))
        };
        let rows = &self.manual.request;
        self.follow(&mut op.request, rows, same, gone, |cx, slot, p| {
            if cx.client_wire == p.name {
                return None;
            }
            let label = format!("request {}", p.name);
            let field = match slot {
                Slot::Found(field) => field,
                Slot::New(last) => {
                    let field = cx.new_request(p, inbound, last.map(|f| &f.source));
                    let note = if inbound {
                        "name, type and doc marked NEEDS HUMAN"
                    } else {
                        "name and kind marked NEEDS HUMAN"
                    };
                    let detail = format!("{}, {}", p.length, required_word(field.required));
                    cx.note(scope, Sign::Added, label, detail, note);
                    return Some(field);
                }
            };
            flags.extend(p.required.map(|required| (p.name.clone(), required)));
            cx.weak_source(&mut field.source, scope, &label);
            if field.max_bytes.is_some() || field.kind.get_ref().is_empty() {
                // an inbound field carries its own length; an amount is a number
                let shown = field.type_name.as_ref().map(|t| t.get_ref().as_str());
                let number = (field.kind.get_ref().is_empty() && shown != Some("amount"))
                    .then(|| format!("{:?}", shown.unwrap_or_default()));
                let slot = &mut field.max_bytes;
                cx.own_length((scope, &label), slot, (p.length, false), new, number);
            }
            None
        });
        for (wire, required) in flags {
            if let Some(field) = op.request.iter_mut().find(|f| f.wire.get_ref() == &wire) {
                self.required(field, required, conflicts, scope);
            }
        }
    }

    /// A required flag the manual states: taken unless `[[conflicts]]` records
    /// the choice; a recorded choice the manual no longer contradicts is reported.
    fn required(
        &mut self,
        field: &mut RequestField,
        required: bool,
        conflicts: &[Conflict],
        scope: &str,
    ) {
        let wire = field.wire.get_ref().clone();
        let what = format!("request {wire} required");
        if field.required == required {
            if self.known_conflict(conflicts, &wire, required_word(!required)) {
                let detail = format!(
                    "the {} manual now says {}",
                    self.key,
                    required_word(required)
                );
                let note =
                    format!("the [[conflicts]] entry about {wire} no longer holds: review it");
                self.note(scope, Sign::Changed, what, detail, &note);
            }
            return;
        }
        if self.known_conflict(conflicts, &wire, required_word(required)) {
            return; // a choice recorded in [[conflicts]]
        }
        self.set(scope, what, &mut field.required, required, None);
    }

    /// A field's own `max_bytes` against the manual's length, for a field
    /// that holds one (an answer field's, an inbound request field's): taken
    /// where the field has one (or `takes` one anyway); `Number` is refused
    /// where the field's type (`number`: as the refusal shows it) is no number.
    fn own_length<T: PartialEq + serde::Serialize>(
        &mut self,
        (scope, label): (&str, &str),
        slot: &mut Option<T>,
        (length, takes): (Length, bool),
        bytes: fn(u32) -> T,
        number: Option<String>,
    ) {
        match (length, number) {
            (Length::Bytes(n), _) if slot.is_some() || takes => {
                let what = format!("{label} max_bytes");
                self.set(scope, what, slot, Some(bytes(n)), None);
            }
            (Length::Number, Some(shown)) => {
                let detail = format!("the manual says Number, the spec's type is {shown}");
                self.refuse(scope, label, detail, "its `type`");
            }
            _ => {}
        }
    }

    /// A request field new to the spec. An inbound one is described by a
    /// `type`, its own `max_bytes` and a `doc`, and is required unless the
    /// manual says optional (COUFUN sends what its table lists).
    fn new_request(
        &self,
        p: &Param,
        inbound: bool,
        sibling: Option<&Spanned<Source>>,
    ) -> RequestField {
        let human_kind = human!(
            "kind for {} (manual: {}{})",
            p.name,
            p.length,
            describe(&p.description)
        );
        let type_name = human!(
            "a type (text, timestamp, amount) or a `kind` for {}{}",
            p.name,
            describe(&p.description)
        );
        RequestField {
            name: human!("snake_case Rust name for {}", p.name),
            wire: new(p.name.clone()),
            source: if inbound {
                self.source_like(sibling)
            } else {
                self.source()
            },
            kind: if inbound {
                new(String::new())
            } else {
                human_kind
            },
            type_name: inbound.then_some(type_name),
            max_bytes: p.length.bytes().filter(|_| inbound).map(new),
            doc: inbound.then(|| needs_human(&format!("English for {}", p.name))),
            // COUFUN sends what its table lists: an inbound field is required
            // unless the manual says optional
            required: p.required.unwrap_or(inbound),
            code: None,
            list: None,
            role: None,
        }
    }

    /// Compares a request parameter's length with the limit of its field's
    /// kind (or of the client parameter): taken when the limit comes from this
    /// manual or is a guess, a conflict when another document sets it. The
    /// limit is the kind's `max_bytes` or `max_len` (`what` the diff calls
    /// it), the client parameter's `max_bytes`; a kind may have none, a field
    /// that holds its own length has no kind's.
    fn limit(&mut self, spec: &mut EndpointsFile, op: &Operation, p: &Param) {
        let (key, wire, length) = (self.key, p.name.as_str(), p.length);
        let conflicts = spec.conflicts.clone();
        let (scope, holder, rule, what, value, source) = if self.client_wire == p.name {
            let c = &mut spec.client.poc_id;
            let (scope, value) = ("client poc_id".to_owned(), Some(&mut c.max_bytes));
            let holder = "the client parameter";
            (
                scope,
                holder,
                CLIENT_RULE,
                "max_bytes",
                value,
                &mut c.limit_source,
            )
        } else {
            let field = op.request.iter().find(|f| f.wire.get_ref() == wire);
            let name = field
                .filter(|f| f.max_bytes.is_none())
                .map(|f| f.kind.get_ref());
            let Some((name, k)) = name.and_then(|n| Some((n, spec.kinds.get_mut(n)?))) else {
                return; // a kind still to be named (or none): nothing to compare
            };
            let (what, value) = match (&mut k.max_bytes, &mut k.max_len) {
                (Some(v), _) => ("max_bytes", Some(v)),
                (None, v) => ("max_len", v.as_mut()),
            };
            (
                format!("kind {name}"),
                "the kind",
                k.rule,
                what,
                value,
                &mut k.limit_source,
            )
        };
        let (value, new_value) = match (value, length) {
            (Some(v), Length::Bytes(n)) => (v, n),
            (None, Length::Number) => return,
            (Some(_), Length::Number) => {
                let detail = format!(
                    "the manual says Number, {holder} is a `{}` with a limit",
                    rule.word()
                );
                self.refuse(&scope, wire, detail, holder);
                return;
            }
            (None, Length::Bytes(n)) => {
                if rule == Rule::Count {
                    let detail = format!("the manual says {n} bytes, {holder} is a number");
                    self.refuse(&scope, wire, detail, holder);
                }
                return; // dates, mobiles and enums carry no byte limit
            }
        };
        let old = *value.get_ref();
        if old == new_value {
            return;
        }
        let cited = source.get_ref().clone();
        if cited.document() != Some(key) && !is_weak(&cited) {
            if self.known_conflict(&conflicts, wire, &format!("{new_value} bytes")) {
                return;
            }
            let doc = cited.as_str();
            let detail = format!(
                "{doc} manual {old}, {key} manual {new_value}: the {doc} manual's limit stays"
            );
            let note = "added to [[conflicts]]; its `choice` and `why` are marked NEEDS HUMAN";
            self.note(
                &scope,
                Sign::Conflict,
                format!("{wire} {what}"),
                detail,
                note,
            );
            match self
                .conflicts
                .iter_mut()
                .find(|c| c.holder_source == cited && c.old == old && c.new == new_value)
            {
                Some(c) => c.wires.push(wire.to_owned()),
                None => self.conflicts.push(PendingConflict {
                    wires: vec![wire.to_owned()],
                    holder_source: cited,
                    old,
                    new: new_value,
                }),
            }
            return;
        }
        if !self.kinds_done.insert(format!("{scope}.{what}")) {
            return;
        }
        let note = (cited.document() != Some(key))
            .then(|| format!("limit_source: {} → {key}", cited.as_str()));
        let what = format!("{what} ({wire})");
        self.set(&scope, what, value, new(new_value), note);
        self.cite(source);
    }

    /// The conflicts found, as `[[conflicts]]` entries after the last one.
    fn write_conflicts(&mut self, conflicts: &mut Vec<Conflict>) {
        let version = &self.manual.version;
        for c in &self.conflicts {
            let wires = c.wires.join(" / ");
            conflicts.push(Conflict {
                fact: format!("Length of {wires}"),
                says: vec![
                    Statement {
                        source: new(c.holder_source.clone()),
                        text: format!("limit of {wires}: {} bytes", c.old),
                    },
                    Statement {
                        source: self.source(),
                        text: format!("version {version}, request table: {} bytes", c.new),
                    },
                ],
                choice: needs_human(&format!(
                    "which length of {wires} the SDK checks ({} or {})",
                    c.old, c.new
                )),
                why: needs_human(&format!("why that length of {wires}")),
            });
        }
    }

    /// The answer table: the fields under the root and those of the record.
    fn response(&mut self, op: &mut Operation, answer: &[String], scope: &str) {
        let manual = self.manual;
        let also_flat = op.records.as_ref().map(|r| r.also_flat);
        let flat_wires: BTreeSet<String> = op
            .response
            .iter()
            .map(|f| f.wire.get_ref().clone())
            .collect();
        // a flat sample of records that may stand flat: its fields are the record's
        let flat_records = also_flat == Some(true) && manual.record.is_none();
        let in_records = |p: &Param| {
            also_flat.is_some() && (p.in_record || (flat_records && !flat_wires.contains(&p.name)))
        };
        for (in_record, what) in [(false, "response"), (true, "record field")] {
            let fields = match (&mut op.records, in_record) {
                (_, false) => &mut op.response,
                (Some(r), true) => &mut r.fields,
                (None, true) => continue,
            };
            let wanted: Vec<&Param> = manual
                .response
                .iter()
                .filter(|p| !answer.contains(&p.name) && in_records(p) == in_record)
                .collect();
            let same = |f: &ResponseField, p: &&Param| f.wire.get_ref() == &p.name;
            // Only what this document is the source of can be missing from it.
            let gone = |cx: &mut Self, f: &mut ResponseField| {
                f.source.get_ref().document() == Some(cx.key)
                    && cx.removed(scope, &format!("{what} {}", f.wire.get_ref()))
            };
            self.follow(fields, &wanted, same, gone, |cx, slot, p| {
                let label = format!("{what} {}", p.name);
                if let Slot::Found(f) = slot {
                    cx.weak_source(&mut f.source, scope, &label);
                    // dates, timestamps, numbers and mobiles without a
                    // length keep their type's format
                    let text = (f.type_name.get_ref() == "text").then(|| "text".to_owned());
                    let takes = (p.length, text.is_some());
                    cx.own_length((scope, &label), &mut f.max_bytes, takes, |n| n, text);
                    return None;
                }
                let note = "name and type marked NEEDS HUMAN";
                cx.note(scope, Sign::Added, label, p.length.to_string(), note);
                Some(ResponseField {
                    name: human!("snake_case Rust name for {}", p.name),
                    wire: new(p.name.clone()),
                    source: cx.source(),
                    type_name: human!(
                        "type for {} (manual: {}{})",
                        p.name,
                        p.length,
                        describe(&p.description)
                    ),
                    max_bytes: p.length.bytes(),
                    secret: false,
                    role: None,
                })
            });
        }
    }

    /// An inbound operation's answer: the lengths of its code and message
    /// elements, and its code table (`answer.codes`): a code's Korean texts are
    /// the manual's, a new code is added with its variant and English marked
    /// `NEEDS HUMAN`, a code the manual drops is reported (removed with
    /// `--remove-missing`).
    fn inbound_answer(&mut self, op: &mut Operation, scope: &str) {
        let manual = self.manual;
        let Some(answer) = &mut op.answer else {
            return;
        };
        for element in [&mut answer.result_code, &mut answer.result_message] {
            let wire = element.name.get_ref();
            let p = manual.response.iter().find(|p| p.name == *wire);
            if let Some(Length::Bytes(n)) = p.map(|p| p.length) {
                let what = format!("answer {wire} max_bytes");
                self.set(scope, what, &mut element.max_bytes, new(n), None);
            }
        }
        if manual.codes.is_empty() {
            return;
        }
        let same = |a: &AnswerCode, c: &ManualCode| a.code.get_ref() == &c.code;
        let gone = |cx: &mut Self, a: &mut AnswerCode| {
            cx.removed(scope, &format!("code {}", a.code.get_ref()))
        };
        self.follow(
            &mut answer.codes,
            &manual.codes,
            same,
            gone,
            |cx, slot, c| {
                let label = format!("code {}", c.code);
                let last = match slot {
                    Slot::Found(a) => {
                        for (what, value, text) in [
                            ("message_ko", &mut a.message_ko, &c.message),
                            ("description_ko", &mut a.description_ko, &c.description),
                        ] {
                            let what = format!("{label} {what}");
                            let note = "English kept: review message_en and description_en";
                            let text = new(text.clone());
                            cx.set(scope, what, value, text, Some(note.into()));
                        }
                        return None;
                    }
                    Slot::New(last) => last,
                };
                let english = |what: &str| human!("English for `{what}`");
                let detail = format!("{:?} / {:?}", c.message, c.description);
                let note = "variant and English marked NEEDS HUMAN; stops_retry = false: review";
                cx.note(scope, Sign::Added, label, detail, note);
                Some(AnswerCode {
                    code: new(c.code.clone()),
                    variant: human!("UpperCamelCase name for code {}", c.code),
                    message_ko: new(c.message.clone()),
                    description_ko: new(c.description.clone()),
                    message_en: english(&c.message),
                    description_en: english(&c.description),
                    stops_retry: false,
                    source: cx.source_like(last.map(|a| &a.source)),
                })
            },
        );
    }

    /// Value tables: the values of the enum kind of the field they belong to,
    /// compared by their wire text. Where a kind's values carry each
    /// document's `wording`, this manual's words are compared with this
    /// document's wording only (status and exchange both list coupon states
    /// and types, in their own words): changed, or added with its `en` marked
    /// `NEEDS HUMAN`; a new value gets this document's wording. A value this
    /// manual leaves out is reported only when it is this document's too:
    /// one that only another document's wording holds is not ours to drop,
    /// and one another document also words loses only this document's wording.
    fn values(&mut self, op: &Operation, spec: &mut EndpointsFile) {
        let manual = self.manual;
        let key = self.key;
        let ours = |w: &Wording| w.source.get_ref().document() == Some(key);
        for vt in &manual.value_tables {
            let done = &mut self.kinds_done;
            let kind = field_kind(op, &vt.field).filter(|k| done.insert(format!("{k}.values")));
            let Some(kind) = kind else {
                continue;
            };
            let scope = format!("kind {kind}");
            let Some(k) = spec.kinds.get_mut(&kind).filter(|k| k.rule == Rule::Enum) else {
                continue;
            };
            // In a kind whose values carry their documents' wording, a value no
            // document words is no manual's (observed or inferred).
            let worded = k.values.iter().any(|v| !v.wording.is_empty());
            let rows: Vec<(&ValueRow, String)> = vt
                .values
                .iter()
                .map(|v| (v, padded(&k.values, &v.wire)))
                .collect();
            let our_wording = |ko: &str| Wording {
                source: new(Source::Document(key.to_owned())),
                ko: new(ko.to_owned()),
                en: human!("English for `{ko}`"),
            };
            let label = |wire: &str| format!("value {wire} ({})", vt.field);
            let same = |x: &EnumValue, (_, wire): &(&ValueRow, String)| x.wire.get_ref() == wire;
            let gone = |cx: &mut Self, value: &mut EnumValue| {
                let label = label(value.wire.get_ref());
                let mine = value.wording.iter().any(&ours);
                let others = value.wording.iter().any(|w| !ours(w));
                match (mine, others) {
                    // only another document words it: not this manual's value
                    (false, true) => false,
                    (false, false) if worded => false,
                    // another document words it too: only this wording goes
                    (true, true) => {
                        if cx.removed(&scope, &format!("{label} wording")) {
                            value.wording.retain(|w| !ours(w));
                        }
                        false
                    }
                    _ => cx.removed(&scope, &label),
                }
            };
            self.follow(&mut k.values, &rows, same, gone, |cx, slot, (v, wire)| {
                let (label, ko) = (label(wire), &v.description);
                let Slot::Found(value) = slot else {
                    let note = if worded {
                        "name, doc and en marked NEEDS HUMAN"
                    } else {
                        "name and doc marked NEEDS HUMAN"
                    };
                    cx.note(&scope, Sign::Added, label, format!("{ko:?}"), note);
                    return Some(EnumValue {
                        name: human!("UpperCamelCase name for value {wire}"),
                        wire: new(wire.clone()),
                        doc: needs_human(&format!("English for `{ko}`")),
                        wording: worded.then(|| our_wording(ko)).into_iter().collect(),
                    });
                };
                let what = format!("{label} wording");
                match value.wording.iter_mut().find(|w| ours(w)) {
                    _ if !worded => {}
                    Some(w) => {
                        let note = Some("English kept: review its `en`".into());
                        cx.set(&scope, what, &mut w.ko, new(ko.clone()), note);
                    }
                    None => {
                        value.wording.push(our_wording(ko));
                        let note = "en marked NEEDS HUMAN";
                        cx.note(&scope, Sign::Added, what, format!("{ko:?}"), note);
                    }
                }
                None
            });
        }
    }
}
