//! Drift: where a server's answer differs from the spec. [`inspect`] compares
//! one answer document with its operation's entry of the generated operation
//! table ([`crate::OPERATIONS`]: root, record element, the elements it names,
//! their lengths and value tables, which are secret) and with the charset the
//! spec says answers declare ([`crate::responses::ANSWER_CHARSET`]), and
//! returns a [`DriftFinding`] per difference: an element the spec does not
//! name, a value outside a value table, a text longer than the spec's length,
//! another root or record element, another declared charset.
//!
//! A finding names the operation, the element, what the spec says and what
//! arrived, never a value of an element the spec marks secret, nor any value
//! of an element it does not know (only its shape and length): the report is
//! safe to hand to a maintainer, who turns it into spec changes (the findings
//! are `observed` facts in the spec's own terms).
//!
//! The client collects findings only when asked
//! ([`ClientBuilder::observe_drift`](crate::ClientBuilder::observe_drift),
//! off by default): decoding itself is untouched, and with no observer a call
//! costs one `Option` check more ([`decode_observed`]).
//!
//! ```
//! use coufun_api::OperationId;
//! use coufun_api::drift::{DriftKind, inspect};
//! use coufun_api::responses::GoodsListResponse;
//! use coufun_api::xml::{Response, encode_document};
//! use coufun_api::{Charset, Lang, ResultCode};
//!
//! let ok = ResultCode::Success;
//! let body = encode_document(ok, ok.message(Lang::Ko), Some(&GoodsListResponse::default()), Charset::Cp949);
//! assert!(inspect(OperationId::GoodsList, &body, None).is_empty());
//! // The same answer under another operation's root: the root differs.
//! let found = inspect(OperationId::CouponStatus, &body, None);
//! assert_eq!(found[0].kind, DriftKind::UnexpectedRoot);
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use encoding_rs::Encoding;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::charset::{content_type_charset, encoding_for_label};
use crate::generated::responses::{ANSWER_CHARSET, RESULT_CODE_ELEMENT, RESULT_MESSAGE_ELEMENT};
use crate::operation::{AnswerFieldSpec, AnswerType, OperationId, OperationSpec};
use crate::xml::{DecodeError, Reply, Response, decode_document};

/// Characters of an element name or charset label kept in a finding.
const NAME_CHARS: usize = 64;
/// Elements read at most per document (a bigger one is inspected in part).
const MAX_ELEMENTS: usize = 200_000;

/// What kind of difference a [`DriftFinding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DriftKind {
    /// An element the spec does not name for this answer (or this record).
    UnknownElement,
    /// A value outside the element's value table (an enum kind).
    ValueOutsideTable,
    /// A text longer than the element's length in the spec.
    TooLong,
    /// The document's root is not the operation's.
    UnexpectedRoot,
    /// Records stand in another element than the spec's record element.
    UnexpectedRecordElement,
    /// The answer declares another charset than the spec's (or none).
    Charset,
}

impl DriftKind {
    /// The kind's name in reports: `unknown_element`, `value_outside_table`,
    /// `too_long`, `unexpected_root`, `unexpected_record_element`, `charset`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DriftKind::UnknownElement => "unknown_element",
            DriftKind::ValueOutsideTable => "value_outside_table",
            DriftKind::TooLong => "too_long",
            DriftKind::UnexpectedRoot => "unexpected_root",
            DriftKind::UnexpectedRecordElement => "unexpected_record_element",
            DriftKind::Charset => "charset",
        }
    }

    /// The kind in words, for people.
    pub const fn describe(self) -> &'static str {
        match self {
            DriftKind::UnknownElement => "an element the spec does not name",
            DriftKind::ValueOutsideTable => "a value outside the spec's value table",
            DriftKind::TooLong => "a text longer than the spec's length",
            DriftKind::UnexpectedRoot => "another root element than the spec's",
            DriftKind::UnexpectedRecordElement => "another record element than the spec's",
            DriftKind::Charset => "another charset than the spec's",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between an answer and the spec. It holds no value of an
/// element the spec marks secret and no value of an element it does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DriftFinding {
    /// The spec's name of the operation, e.g. `goods_list`.
    pub operation: &'static str,
    /// What differs.
    pub kind: DriftKind,
    /// Where: the element's path under the root (`RECORD/ELEMENT` for a record's
    /// child), the root's name for a root finding, or where a charset was
    /// declared (`xml-declaration`, `content-type`, `byte-order-mark`, `none`).
    pub element: String,
    /// What the spec says (the root, the record element, the value table, the
    /// length, the charset; `not named` for an unknown element).
    pub spec: String,
    /// What arrived: a name, a value of a value table, a length in bytes, a
    /// charset label, or an unknown element's shape. Never a secret value.
    pub arrived: String,
    /// For [`DriftKind::TooLong`]: the bytes (counted in CP949, as the manuals
    /// count) of the longest text seen.
    pub length: Option<usize>,
}

impl fmt::Display for DriftFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (operation, element, kind) = (self.operation, &self.element, self.kind.describe());
        let (spec, arrived) = (&self.spec, &self.arrived);
        if self.kind == DriftKind::UnknownElement {
            return write!(f, "{operation}: <{element}>: {kind} ({arrived})");
        }
        write!(
            f,
            "{operation}: <{element}>: {kind}: the spec says {spec}, the answer has {arrived}"
        )
    }
}

/// The answer `body` of `operation` compared with the spec: every difference,
/// in document order (one per element and kind of difference; records
/// repeating one are merged). `header_charset` is the `Content-Type`'s
/// `charset`, if any. A body that is not XML, or that breaks off, yields what
/// was found up to there: decoding reports the error itself.
pub fn inspect(
    operation: OperationId,
    body: &[u8],
    header_charset: Option<&str>,
) -> Vec<DriftFinding> {
    let spec = operation.spec();
    let mut out = Findings {
        operation: spec.name,
        merged: DriftReport::default(),
    };
    charset_findings(body, header_charset, &mut out);
    if let Ok(text) = crate::xml::body_text(body, header_charset) {
        walk(spec, &text, &mut out);
    }
    out.merged.findings.into_iter().map(|e| e.finding).collect()
}

/// Findings of one document of `operation`, merged as they come.
struct Findings {
    operation: &'static str,
    merged: DriftReport,
}

impl Findings {
    /// A finding of `kind` at `element`: what the spec says, what arrived.
    fn add(
        &mut self,
        kind: DriftKind,
        element: impl Into<String>,
        spec: impl Into<String>,
        arrived: impl Into<String>,
        length: Option<usize>,
    ) {
        self.merged.add(DriftFinding {
            operation: self.operation,
            kind,
            element: element.into(),
            spec: spec.into(),
            arrived: arrived.into(),
            length,
        });
    }
}

/// Whether two findings say the same thing (a longer text of the same element
/// is the same finding, its length the longest).
fn same_place(a: &DriftFinding, b: &DriftFinding) -> bool {
    a.operation == b.operation
        && a.kind == b.kind
        && a.element == b.element
        && a.spec == b.spec
        && (a.kind == DriftKind::TooLong || a.arrived == b.arrived)
}

fn charset_findings(body: &[u8], header_charset: Option<&str>, out: &mut Findings) {
    let Some(expected_label) = ANSWER_CHARSET else {
        return;
    };
    let expected = encoding_for_label(expected_label);
    let mut finding = |element: &str, arrived: String| {
        out.add(DriftKind::Charset, element, expected_label, arrived, None);
    };
    let differs = |label: &str| encoding_for_label(label) != expected || expected.is_none();
    if let Some((encoding, _)) = Encoding::for_bom(body)
        && Some(encoding) != expected
    {
        finding("byte-order-mark", encoding.name().to_owned());
    }
    let declared = crate::xml::declared_encoding(body);
    if let Some(label) = declared
        && differs(label)
    {
        finding("xml-declaration", clean(label));
    }
    if let Some(label) = header_charset
        && differs(label)
    {
        finding("content-type", clean(label));
    }
    if declared.is_none() && header_charset.is_none() && Encoding::for_bom(body).is_none() {
        finding("none", "no declared charset".to_owned());
    }
}

/// A name or label as a finding shows it: at most [`NAME_CHARS`] characters,
/// control characters replaced.
fn clean(text: &str) -> String {
    text.chars()
        .take(NAME_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// One open element while the document is walked.
struct Open<'t> {
    name: &'t str,
    /// The spec's entry when the element's text is to be checked (a value
    /// table or a length): its text is then kept.
    field: Option<&'static AnswerFieldSpec>,
    /// Its text so far (only for `field`).
    text: String,
    /// Whether it held any text that is not whitespace.
    has_text: bool,
    /// Child elements it had.
    children: usize,
    /// Of those, children the record names (for a renamed record).
    record_children: usize,
}

/// The spec's entry of `name`, opened under `stack`, when its text is to be
/// checked.
fn checked_field(
    spec: &OperationSpec,
    stack: &[Open<'_>],
    name: &str,
) -> Option<&'static AnswerFieldSpec> {
    let field = match stack.len() {
        1 => spec
            .answer_field(name)
            .or_else(|| spec.flat_record.then(|| spec.record_field(name)).flatten()),
        2 if spec.record_element == stack.last().map(|p| p.name) => spec.record_field(name),
        _ => None,
    }?;
    (matches!(field.ty, AnswerType::Enum(_)) || field.max_bytes.is_some()).then_some(field)
}

fn walk(spec: &OperationSpec, text: &[u8], out: &mut Findings) {
    let mut reader = Reader::from_reader(text);
    let mut stack: Vec<Open<'_>> = Vec::with_capacity(4);
    let mut seen = 0usize;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(_) => return,
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) if seen < MAX_ELEMENTS => {
                seen += 1;
                // The name, borrowed from the text: the tag starts at `at`.
                let len = start.name().0.len();
                let Some(name) = at
                    .checked_add(1)
                    .and_then(|from| text.get(from..from + len))
                    .and_then(|bytes| std::str::from_utf8(bytes).ok())
                else {
                    return;
                };
                if stack.is_empty() && name != spec.root {
                    let name = clean(name);
                    out.add(
                        DriftKind::UnexpectedRoot,
                        name.clone(),
                        spec.root,
                        name,
                        None,
                    );
                    return;
                }
                let depth = stack.len();
                if let Some(parent) = stack.last_mut() {
                    parent.children += 1;
                    if depth == 2 && spec.record_field(name).is_some() {
                        parent.record_children += 1;
                    }
                }
                let field = checked_field(spec, &stack, name);
                stack.push(Open {
                    name,
                    field,
                    text: String::new(),
                    has_text: false,
                    children: 0,
                    record_children: 0,
                });
                if empty && let Some(open) = stack.pop() {
                    close(spec, &stack, open, out);
                }
            }
            Event::Start(_) | Event::Empty(_) => return,
            Event::End(_) => {
                if let Some(open) = stack.pop() {
                    close(spec, &stack, open, out);
                }
            }
            Event::Text(t) => append(&mut stack, &t.xml10_content()),
            Event::CData(c) => append(&mut stack, &c.into_inner()),
            Event::GeneralRef(r) => {
                let mut buf = [0u8; 4];
                if let Ok(resolved) = crate::xml::resolve_reference(&r, &mut buf) {
                    let resolved = resolved.to_owned();
                    append(&mut stack, &resolved);
                }
            }
            Event::Eof | Event::DocType(_) => return,
            _ => {}
        }
    }
}

fn append(stack: &mut [Open<'_>], text: &str) {
    let Some(open) = stack.last_mut() else {
        return;
    };
    if !open.has_text && !text.trim().is_empty() {
        open.has_text = true;
    }
    if open.field.is_some() && open.text.len() < 64 * 1024 {
        open.text.push_str(text);
    }
}

/// What the element `open` (just closed, under `stack`) says of the spec.
fn close(spec: &OperationSpec, stack: &[Open<'_>], open: Open<'_>, out: &mut Findings) {
    let record = spec.record_element;
    match stack.len() {
        // The root's own children.
        1 => {
            let name = open.name;
            if name == RESULT_CODE_ELEMENT || name == RESULT_MESSAGE_ELEMENT || record == Some(name)
            {
                // a record's children were checked as they closed
            } else if spec.answer_field(name).is_some()
                || (spec.flat_record && spec.record_field(name).is_some())
            {
                if let Some(field) = open.field {
                    check_value(field, name, &open.text, out);
                }
            } else if let Some(record) = record
                && open.record_children > 0
            {
                let name = clean(name);
                let arrived = format!(
                    "{name} holding {} of the record's elements",
                    open.record_children
                );
                out.add(
                    DriftKind::UnexpectedRecordElement,
                    name,
                    record,
                    arrived,
                    None,
                );
            } else {
                unknown(clean(name), &open, out);
            }
        }
        // A record's children.
        2 => {
            let parent = stack.last().map_or("", |p| p.name);
            if record != Some(parent) {
                return;
            }
            if spec.record_field(open.name).is_some() {
                if let Some(field) = open.field {
                    let path = format!("{parent}/{}", open.name);
                    check_value(field, &path, &open.text, out);
                }
            } else {
                let path = format!("{parent}/{}", clean(open.name));
                unknown(path, &open, out);
            }
        }
        _ => {}
    }
}

fn unknown(element: String, open: &Open<'_>, out: &mut Findings) {
    let arrived = if open.children > 0 {
        format!("an element holding {} elements", open.children)
    } else if !open.has_text {
        "an empty element".to_owned()
    } else {
        "an element holding text".to_owned()
    };
    out.add(
        DriftKind::UnknownElement,
        element,
        "not named",
        arrived,
        None,
    );
}

fn check_value(field: &AnswerFieldSpec, element: &str, text: &str, out: &mut Findings) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if let AnswerType::Enum(kind) = field.ty
        && !kind.wire_values.contains(&text)
    {
        let arrived = if field.secret {
            format!("a value of {} bytes (secret: not shown)", text.len())
        } else {
            clean(text)
        };
        let table = format!("one of {}", kind.wire_values.join(", "));
        out.add(DriftKind::ValueOutsideTable, element, table, arrived, None);
    }
    // A text's CP949 bytes are never more than its UTF-8 bytes: one within
    // the length in UTF-8 needs no count.
    if let Some(max) = field.max_bytes
        && text.len() > max as usize
    {
        let bytes = crate::cp949_len(text).unwrap_or(text.len());
        if bytes > max as usize {
            let (limit, arrived) = (format!("at most {max} bytes"), format!("{bytes} bytes"));
            out.add(DriftKind::TooLong, element, limit, arrived, Some(bytes));
        }
    }
}

/// Decodes `body` as [`decode_document`] does and, when `observer` is given,
/// reports every drift of the answer to it ([`inspect`], for the operation `R`
/// answers; an answer type not in the operation table is not inspected).
/// Without an observer this is [`decode_document`] and one branch: what the
/// client runs for every answer.
pub fn decode_observed<R: Response>(
    body: &[u8],
    header_charset: Option<&str>,
    observer: Option<&DriftObserver>,
) -> Result<Reply<R>, DecodeError> {
    let reply = decode_document::<R>(body, header_charset);
    if let Some(observer) = observer {
        observe::<R>(body, header_charset, observer);
    }
    reply
}

#[cold]
fn observe<R: Response>(body: &[u8], header_charset: Option<&str>, observer: &DriftObserver) {
    let Some(id) = OperationId::from_name(R::OPERATION) else {
        return;
    };
    if id.spec().root != R::ROOT || !crate::xml::looks_like_xml(body) {
        return;
    }
    for finding in inspect(id, body, header_charset) {
        observer.notify(&finding);
    }
}

/// [`inspect`] for a whole `Content-Type` header value rather than its charset.
pub fn inspect_with_content_type(
    operation: OperationId,
    body: &[u8],
    content_type: Option<&str>,
) -> Vec<DriftFinding> {
    inspect(operation, body, content_type.and_then(content_type_charset))
}

type Notify = dyn Fn(&DriftFinding) + Send + Sync;

/// What the client calls with each drift finding of each answer, when set with
/// [`ClientBuilder::observe_drift`](crate::ClientBuilder::observe_drift).
/// Cheap to clone.
///
/// ```
/// use coufun_api::drift::{DriftCollector, DriftObserver};
///
/// let logged = DriftObserver::tracing(); // one `warn` event per finding
/// let collector = DriftCollector::new(); // or keep them, merged, for a report
/// let kept = collector.observer();
/// let custom = DriftObserver::new(|finding| eprintln!("{finding}"));
/// # let _ = (logged, kept, custom);
/// ```
#[derive(Clone)]
pub struct DriftObserver(Arc<Notify>);

impl fmt::Debug for DriftObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DriftObserver")
    }
}

impl DriftObserver {
    /// Calls `notify` with every finding.
    pub fn new(notify: impl Fn(&DriftFinding) + Send + Sync + 'static) -> Self {
        DriftObserver(Arc::new(notify))
    }

    /// One `tracing` event per finding: level `warn`, target `coufun_api::drift`,
    /// with the fields `operation`, `kind`, `element`, `spec` and `arrived`.
    pub fn tracing() -> Self {
        DriftObserver::new(|f| {
            tracing::warn!(
                target: "coufun_api::drift",
                operation = f.operation,
                kind = f.kind.as_str(),
                element = f.element.as_str(),
                spec = f.spec.as_str(),
                arrived = f.arrived.as_str(),
                "the answer differs from the spec"
            );
        })
    }

    /// Hands `finding` to the observer.
    pub fn notify(&self, finding: &DriftFinding) {
        (self.0)(finding);
    }
}

/// Every finding of a session merged, with how often it was seen: what a
/// maintainer turns into spec changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftReport {
    /// The findings, in the order first seen.
    pub findings: Vec<DriftEntry>,
}

/// One finding of a [`DriftReport`] and how many answers had it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DriftEntry {
    /// The finding (for a too-long text: the longest seen).
    pub finding: DriftFinding,
    /// Answers it was seen in.
    pub count: u64,
}

impl DriftReport {
    /// Adds `finding` (merged into an entry that says the same).
    pub fn add(&mut self, finding: DriftFinding) {
        match self
            .findings
            .iter_mut()
            .find(|e| same_place(&e.finding, &finding))
        {
            Some(entry) => {
                entry.count += 1;
                if finding.length > entry.finding.length {
                    entry.finding.length = finding.length;
                    entry.finding.arrived = finding.arrived;
                }
            }
            None => self.findings.push(DriftEntry { finding, count: 1 }),
        }
    }

    /// Whether nothing differed.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}

/// A [`DriftReport`] the client fills as answers arrive (share it between
/// threads and clients; clones share one report).
#[derive(Debug, Clone, Default)]
pub struct DriftCollector(Arc<Mutex<DriftReport>>);

impl DriftCollector {
    /// An empty collector.
    pub fn new() -> Self {
        DriftCollector::default()
    }

    /// The observer to give the client: it adds every finding here.
    pub fn observer(&self) -> DriftObserver {
        let report = self.0.clone();
        DriftObserver::new(move |finding| {
            report
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .add(finding.clone());
        })
    }

    /// A copy of the report so far.
    pub fn report(&self) -> DriftReport {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

// Serialization by hand (coufun-api builds serde without its derive, to spare
// every consumer serde_derive): a kind as its report name; a finding as its
// fields, `length` only when known; an entry as its finding's fields and `count`.

impl Serialize for DriftKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl DriftFinding {
    /// The fields a report writes: 5, or 6 with a length.
    fn field_count(&self) -> usize {
        5 + usize::from(self.length.is_some())
    }

    fn serialize_fields<S: SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error> {
        out.serialize_field("operation", self.operation)?;
        out.serialize_field("kind", &self.kind)?;
        out.serialize_field("element", &self.element)?;
        out.serialize_field("spec", &self.spec)?;
        out.serialize_field("arrived", &self.arrived)?;
        match self.length {
            Some(length) => out.serialize_field("length", &length),
            None => out.skip_field("length"),
        }
    }
}

impl Serialize for DriftFinding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("DriftFinding", self.field_count())?;
        self.serialize_fields(&mut out)?;
        out.end()
    }
}

impl Serialize for DriftEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("DriftEntry", self.finding.field_count() + 1)?;
        self.finding.serialize_fields(&mut out)?;
        out.serialize_field("count", &self.count)?;
        out.end()
    }
}

impl Serialize for DriftReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("DriftReport", 1)?;
        out.serialize_field("findings", &self.findings)?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::responses::{
        CouponStatusItem, CouponStatusResponse, GoodsListItem, GoodsListResponse,
    };
    use crate::xml::{Reported, encode_document};
    use crate::{Charset, CouponStatus, Lang, ResultCode};

    fn document<R: Response>(body: &R, charset: Charset) -> Vec<u8> {
        let ok = ResultCode::Success;
        encode_document(ok, ok.message(Lang::Ko), Some(body), charset)
    }

    fn goods(n: usize) -> Vec<u8> {
        let item = GoodsListItem {
            goods_name: Some("아메리카노".into()),
            ..GoodsListItem::default()
        };
        let list = GoodsListResponse {
            list_count: Some(n as i64),
            goods: vec![item; n],
            ..GoodsListResponse::default()
        };
        document(&list, Charset::Cp949)
    }

    /// `body` (EUC-KR) with its text changed by `change`.
    fn edited(body: &[u8], change: impl FnOnce(&str) -> String) -> Vec<u8> {
        let text = change(&encoding_rs::EUC_KR.decode(body).0);
        encoding_rs::EUC_KR.encode(&text).0.into_owned()
    }

    /// The drift of a status answer holding `item` alone.
    fn status_drift(item: CouponStatusItem) -> Vec<DriftFinding> {
        let status = CouponStatusResponse {
            coupons: vec![item],
            ..CouponStatusResponse::default()
        };
        let body = document(&status, Charset::Cp949);
        inspect(OperationId::CouponStatus, &body, None)
    }

    fn spec_of(op: OperationId) -> &'static OperationSpec {
        op.spec()
    }

    #[test]
    fn an_answer_as_the_spec_says_has_no_drift() {
        assert_eq!(inspect(OperationId::GoodsList, &goods(3), None), []);
    }

    #[test]
    fn an_unknown_element_in_a_record_is_named_once_with_its_path() {
        let list = spec_of(OperationId::GoodsList);
        let record = list.record_element.unwrap_or_default();
        let close = format!("</{record}>");
        let body = edited(&goods(2), |text| {
            text.replace(&close, &format!("<BRAND>secret-ish</BRAND>{close}"))
        });
        let found = inspect(OperationId::GoodsList, &body, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, DriftKind::UnknownElement);
        assert_eq!(found[0].element, format!("{record}/BRAND"));
        assert!(!found[0].to_string().contains("secret-ish"));
    }

    #[test]
    fn a_status_outside_the_table_and_a_long_name_are_named() {
        let found = status_drift(CouponStatusItem {
            status: Some(Reported::Unknown("777".into())),
            ..CouponStatusItem::default()
        });
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, DriftKind::ValueOutsideTable);
        assert_eq!(found[0].arrived, "777");
        for known in CouponStatus::WIRE_VALUES {
            assert!(found[0].spec.contains(known), "{}", found[0].spec);
        }
        let list = spec_of(OperationId::GoodsList);
        let name = list.record_fields.iter().find(|f| f.name == "goods_name");
        let max = name.and_then(|f| f.max_bytes).unwrap_or(0) as usize;
        let item = GoodsListItem {
            goods_name: Some("가".repeat(max / 2 + 1)),
            ..GoodsListItem::default()
        };
        let body = document(
            &GoodsListResponse {
                goods: vec![item],
                ..Default::default()
            },
            Charset::Cp949,
        );
        let found = inspect(OperationId::GoodsList, &body, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, DriftKind::TooLong);
        assert_eq!(found[0].length, Some(max + 2));
    }

    #[test]
    fn a_secret_value_outside_nothing_is_ever_quoted() {
        // A too-long coupon number: its length, never its text.
        let number = "9".repeat(40);
        let found = status_drift(CouponStatusItem {
            coupon_number: Some(number.clone().into()),
            ..CouponStatusItem::default()
        });
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!format!("{found:?}").contains(&number));
    }

    #[test]
    fn another_root_another_record_and_another_charset_are_named() {
        let found = inspect(OperationId::CouponCancel, &goods(1), None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, DriftKind::UnexpectedRoot);
        assert_eq!(found[0].spec, OperationId::CouponCancel.spec().root);
        let record = spec_of(OperationId::GoodsList)
            .record_element
            .unwrap_or_default();
        let body = edited(&goods(2), |text| text.replace(record, "ITEM"));
        let found = inspect(OperationId::GoodsList, &body, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, DriftKind::UnexpectedRecordElement);
        assert_eq!(
            (found[0].element.as_str(), found[0].spec.as_str()),
            ("ITEM", record)
        );
        let list = GoodsListResponse::default();
        let utf8 = document(&list, Charset::Utf8);
        let found = inspect(OperationId::GoodsList, &utf8, Some("utf-8"));
        let places: Vec<&str> = found.iter().map(|f| f.element.as_str()).collect();
        assert_eq!(places, ["xml-declaration", "content-type"], "{found:?}");
        assert!(found.iter().all(|f| f.kind == DriftKind::Charset));
        // Another name of the same charset is no drift.
        let found = inspect(OperationId::GoodsList, &goods(1), Some("ks_c_5601-1987"));
        assert_eq!(found, []);
    }

    #[test]
    fn the_report_merges_repeats_and_keeps_the_longest() {
        let mut report = DriftReport::default();
        let f = |len: usize| DriftFinding {
            operation: "op",
            kind: DriftKind::TooLong,
            element: "E".into(),
            spec: "at most 1 bytes".into(),
            arrived: format!("{len} bytes"),
            length: Some(len),
        };
        report.add(f(3));
        report.add(f(9));
        report.add(f(5));
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].count, 3);
        assert_eq!(report.findings[0].finding.length, Some(9));
    }

    #[test]
    fn without_an_observer_decoding_is_decode_document() {
        let body = goods(2);
        let plain = decode_document::<GoodsListResponse>(&body, None);
        assert_eq!(
            decode_observed::<GoodsListResponse>(&body, None, None),
            plain
        );
        let collector = DriftCollector::new();
        let drifting = edited(&body, |text| {
            text.replacen("<LIST_CNT>", "<NEW/><LIST_CNT>", 1)
        });
        let observed =
            decode_observed::<GoodsListResponse>(&drifting, None, Some(&collector.observer()));
        assert!(observed.is_ok());
        assert_eq!(collector.report().findings.len(), 1);
    }
}
