//! The spec's data model: what `spec/result_codes.toml` and `spec/endpoints.toml`
//! may say, as serde types. Values that validation must point at are `Spanned`.
//! Operations go both ways in one schema: outbound (the merchant calls COUFUN)
//! and inbound (COUFUN calls the merchant: the exchange notice).

use std::collections::BTreeMap;

/// The spec's word sets, one enum each, shared with the SDK.
pub use coufun_rules::{Category, Effect, Method, RetryClass};
use serde::{Deserialize, Serialize};
pub use toml::Spanned;

// ---------------------------------------------------------------------------
// spec/result_codes.toml

/// `spec/result_codes.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResultCodesFile {
    /// The manual this file transcribes.
    pub manual: Manual,
    /// The servers the manual names.
    pub environments: Vec<EnvironmentEntry>,
    /// Every result code, in the manual's order.
    pub codes: Vec<CodeEntry>,
}

/// The manual's metadata and revision history.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manual {
    /// Title as the manual writes it.
    pub title: Spanned<String>,
    /// Document version, e.g. `1.6`.
    pub version: Spanned<String>,
    /// Date of the last revision, `YYYY-MM-DD`.
    pub revised: Spanned<String>,
    /// Who publishes it.
    pub publisher: String,
    /// The manual's "통신방식" (transport) cell.
    pub transport: String,
    /// The manual's "결과형식" (result format) cell.
    pub result_format: String,
    /// The revision history, oldest first.
    pub revisions: Vec<Revision>,
}

/// One row of the manual's revision history.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// Version, e.g. `1.2`.
    pub version: Spanned<String>,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// The change, as the manual writes it.
    pub change_ko: Spanned<String>,
    /// The change in English (ours).
    pub change_en: Spanned<String>,
    /// Author as the manual names them.
    pub author: String,
}

/// One server environment.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentEntry {
    /// `production` or `test`.
    pub name: Spanned<String>,
    /// The manual's row label.
    pub label_ko: String,
    /// Base URL, ending in `/`.
    pub url: Spanned<String>,
}

/// One result code.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    /// Two ASCII digits.
    pub code: Spanned<String>,
    /// Rust variant name (ours).
    pub variant: Spanned<String>,
    /// Message, exactly as the manual writes it.
    pub message_ko: Spanned<String>,
    /// Description, exactly as the manual writes it.
    pub description_ko: Spanned<String>,
    /// English message (ours).
    pub message_en: Spanned<String>,
    /// English description (ours).
    pub description_en: Spanned<String>,
    /// What the code is about.
    pub category: Category,
    /// Whether the call may be sent again.
    pub retry: RetryClass,
    /// The manual says "(관리자 문의)": contact the administrator.
    pub contact_admin: bool,
    /// What the code means when it answers the repeat of an issuing call whose
    /// first answer was lost (ours, Korean): only on the codes that need it.
    #[serde(default)]
    pub after_lost_answer_ko: Option<Spanned<String>>,
    /// The same in English (ours); given together with `after_lost_answer_ko`.
    #[serde(default)]
    pub after_lost_answer_en: Option<Spanned<String>>,
    /// Manual version whose revision entry introduced the code.
    #[serde(default)]
    pub since: Option<Spanned<String>>,
    /// Manual version whose revision entry changed the code.
    #[serde(default)]
    pub changed_in: Option<Spanned<String>>,
    /// Manual version that no longer lists the code; the spec keeps it because
    /// servers may still answer it.
    #[serde(default)]
    pub removed_in: Option<Spanned<String>>,
    /// What to do on this code, in Korean (ours; absent = nothing to add to
    /// the description).
    #[serde(default)]
    pub action_ko: Option<Spanned<String>>,
    /// What to do on this code, in English (ours).
    #[serde(default)]
    pub action_en: Option<Spanned<String>>,
}

impl CodeEntry {
    /// The two-digit code.
    pub fn code(&self) -> &str {
        self.code.get_ref()
    }
    /// The Rust variant name.
    pub fn variant(&self) -> &str {
        self.variant.get_ref()
    }
}

// ---------------------------------------------------------------------------
// spec/endpoints.toml

/// `spec/endpoints.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointsFile {
    /// The source documents, by key (what a `source` may name).
    pub documents: BTreeMap<String, Document>,
    /// What every answer holds under its root.
    pub answer: AnswerElements,
    /// Parameters the client sends with every call.
    pub client: ClientParams,
    /// The test server the SDK uses by default.
    pub test_server: TestServer,
    /// Where the documents disagree.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// Field kinds by key, each one validator and one Rust type.
    pub kinds: BTreeMap<String, Kind>,
    /// Counts the server keeps across requests, by key.
    #[serde(default)]
    pub server_limits: BTreeMap<String, ServerLimit>,
    /// The outbound operations (the merchant calls COUFUN), in the manual's
    /// order. The loader moves the inbound ones to [`EndpointsFile::inbound`].
    pub operations: Vec<Operation>,
    /// The inbound operations (COUFUN calls the merchant), in the spec's order:
    /// the `[[operations]]` entries with `direction = "inbound"`, which stand
    /// after every outbound one.
    #[serde(skip)]
    pub inbound: Vec<Operation>,
}

/// One source document (a manual).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Title as the document writes it (with an English gloss).
    pub title: String,
    /// Document version, e.g. `1.3`.
    pub version: Spanned<String>,
    /// Date of its last revision, `YYYY-MM-DD`.
    pub date: Spanned<String>,
}

/// Where a wire name, path or limit comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Written in the document of `[documents]` with this key.
    Document(String),
    /// Written in a section (and a table row) of the document with this key:
    /// `source = { document = "exchange", section = "4", row = 1 }`.
    Section {
        /// The document's key in `[documents]`.
        document: String,
        /// The section number.
        section: String,
        /// The row of the section's table, 1-based, when the fact is one row.
        row: Option<u32>,
    },
    /// Seen in public integration code.
    Observed,
    /// Our best guess.
    Inferred,
}

impl Source {
    /// The word the spec uses: the document key, `observed` or `inferred`.
    pub fn as_str(&self) -> &str {
        match self {
            Source::Document(key) | Source::Section { document: key, .. } => key,
            Source::Observed => "observed",
            Source::Inferred => "inferred",
        }
    }

    /// The document key, when a document is the source.
    pub fn document(&self) -> Option<&str> {
        match self {
            Source::Document(key) | Source::Section { document: key, .. } => Some(key),
            _ => None,
        }
    }

    /// The place in the document: `§4 row 1`, `§5`, or nothing.
    pub fn place(&self) -> String {
        match self {
            Source::Section {
                section,
                row: Some(row),
                ..
            } => format!("§{section} row {row}"),
            Source::Section { section, .. } => format!("§{section}"),
            _ => String::new(),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            // the table form, as it is read
            Source::Section {
                document,
                section,
                row,
            } => {
                let mut t = serializer.serialize_struct("Source", 3)?;
                t.serialize_field("document", document)?;
                t.serialize_field("section", section)?;
                if let Some(row) = row {
                    t.serialize_field("row", row)?;
                }
                t.end()
            }
            _ => serializer.serialize_str(self.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The table form of a source.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Cited {
            document: String,
            section: String,
            #[serde(default)]
            row: Option<u32>,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Source;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a document key, `observed`, `inferred`, or { document, section, row }")
            }
            fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<Source, E> {
                Ok(match word {
                    "observed" => Source::Observed,
                    "inferred" => Source::Inferred,
                    _ => Source::Document(word.to_owned()),
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Source, A::Error> {
                let cited = Cited::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Source::Section {
                    document: cited.document,
                    section: cited.section,
                    row: cited.row,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A name on the wire and its source.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WireName {
    /// The name (element, parameter or path).
    pub name: Spanned<String>,
    /// Where it comes from.
    pub source: Spanned<Source>,
}

/// The elements every answer holds under its operation's root.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerElements {
    /// Element holding the two-digit result code.
    pub result_code: WireName,
    /// Element holding the server's message.
    pub result_message: WireName,
    /// The charset every answer declares (`EUC-KR` in the manuals' samples):
    /// what a declared charset is compared with when the client reports where
    /// a server differs from the spec. Absent: no charset is expected.
    #[serde(default)]
    pub charset: Option<WireName>,
}

/// The merchant id parameter: its name and byte limit.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PocIdParam {
    /// The parameter name.
    pub name: Spanned<String>,
    /// Where the name comes from.
    pub source: Spanned<Source>,
    /// Most bytes.
    pub max_bytes: Spanned<u32>,
    /// Where the limit comes from.
    pub limit_source: Spanned<Source>,
    /// A secret: never shown in clear (`Debug`, `Display`, logs, errors).
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
}

/// The test server's base URL the SDK uses by default.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestServer {
    /// Base URL, ending in `/`.
    pub url: Spanned<String>,
    /// Where it comes from.
    pub source: Spanned<Source>,
}

/// A fact the documents disagree on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// The fact.
    pub fact: String,
    /// What each document says.
    pub says: Vec<Statement>,
    /// What the SDK does.
    pub choice: String,
    /// Why.
    pub why: String,
}

/// What one document says about a conflicting fact.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// The document.
    pub source: Spanned<Source>,
    /// What it says (our words).
    pub text: String,
}

/// Parameters the client adds to every call.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientParams {
    /// The merchant's client id parameter.
    pub poc_id: PocIdParam,
}

/// The rule a field kind enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Text measured in bytes of the request charset: `min_bytes`, `max_bytes`.
    Text,
    /// ASCII digits after removing `-` and ` `: `max_len`.
    Digits,
    /// A Korean mobile number: `prefixes`.
    Mobile,
    /// An integer: `min`, `max`.
    Count,
    /// A calendar date written `YYYYMMDD`.
    Date,
    /// An identifier of ASCII letters, digits, `-` and `_`: `max_len`.
    Token,
    /// One of `values`.
    Enum,
}

impl Rule {
    /// The rule as the spec writes it (`text`, `digits`, …).
    pub fn word(self) -> &'static str {
        match self {
            Rule::Text => "text",
            Rule::Digits => "digits",
            Rule::Mobile => "mobile",
            Rule::Count => "count",
            Rule::Date => "date",
            Rule::Token => "token",
            Rule::Enum => "enum",
        }
    }
}

/// A field kind: one rule, its limits, and the code that guards it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    /// The Rust type generated for it.
    #[serde(rename = "type")]
    pub type_name: Spanned<String>,
    /// The rule.
    pub rule: Rule,
    /// `text`: fewest bytes (0 when absent).
    #[serde(default)]
    pub min_bytes: Option<Spanned<u32>>,
    /// `text`: most bytes.
    #[serde(default)]
    pub max_bytes: Option<Spanned<u32>>,
    /// `digits`, `token`: most characters.
    #[serde(default)]
    pub max_len: Option<Spanned<u32>>,
    /// `count`: smallest value.
    #[serde(default)]
    pub min: Option<Spanned<u64>>,
    /// `count`: largest value.
    #[serde(default)]
    pub max: Option<Spanned<u64>>,
    /// Result code the server answers when the rule is broken.
    pub code: Spanned<String>,
    /// Where the limit comes from.
    pub limit_source: Spanned<Source>,
    /// One-line English description.
    pub doc: String,
    /// `mobile`: allowed prefixes.
    #[serde(default)]
    pub prefixes: Vec<MobilePrefix>,
    /// `enum`: allowed values.
    #[serde(default)]
    pub values: Vec<EnumValue>,
    /// A secret or personal data (phone numbers, coupon numbers): its type's
    /// `Debug` (and `Display`, where it has one) masks it, and answer fields of
    /// the kind are marked secret in their views.
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
}

/// A count the server keeps across requests (e.g. sends per coupon).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLimit {
    /// The limit.
    pub value: Spanned<u32>,
    /// The code answered past it.
    pub code: Spanned<String>,
    /// Where the number comes from.
    pub source: Spanned<Source>,
    /// One-line description.
    pub doc: String,
}

/// A mobile prefix and the digit counts allowed after it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MobilePrefix {
    /// E.g. `010`.
    pub prefix: Spanned<String>,
    /// Digits allowed after the prefix, e.g. `[7, 8]`.
    pub digits: Vec<u32>,
}

/// One value of an `enum` kind.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// Rust variant name.
    pub name: Spanned<String>,
    /// Text on the wire.
    pub wire: Spanned<String>,
    /// One-line description.
    pub doc: String,
    /// Each document's own wording of the value, where documents word it
    /// differently (the status manual and the exchange manual, for one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wording: Vec<Wording>,
}

/// How one document words one value of a table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    /// The document.
    pub source: Spanned<Source>,
    /// The document's words, verbatim.
    pub ko: Spanned<String>,
    /// The same in English (ours).
    pub en: Spanned<String>,
}

/// Which way an operation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The merchant calls COUFUN (the default).
    #[default]
    Outbound,
    /// COUFUN calls the merchant (the exchange notice).
    Inbound,
}

/// How COUFUN delivers an inbound operation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// The body's media type.
    pub content_type: Spanned<String>,
    /// The body's charset label (`EUC-KR`).
    pub charset: Spanned<String>,
    /// How long COUFUN waits before sending again without a final answer, in seconds.
    pub retry_interval_seconds: Spanned<u64>,
    /// Where the document says so.
    pub source: Spanned<Source>,
}

/// The answer the merchant owes an inbound operation: its code and message
/// elements and its code table (its root is the operation's `root`, its other
/// elements the operation's `response`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InboundAnswer {
    /// Charset label the answer is declared and encoded in.
    pub charset: Spanned<String>,
    /// Whether values must be ASCII letters and digits only.
    pub ascii_only: bool,
    /// The result-code element.
    pub result_code: AnswerElement,
    /// The result-message element.
    pub result_message: AnswerElement,
    /// The answer codes, in the document's order.
    pub codes: Vec<AnswerCode>,
}

/// One element of an inbound answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerElement {
    /// Element name.
    pub name: Spanned<String>,
    /// Most bytes.
    pub max_bytes: Spanned<u32>,
    /// Where the document defines it.
    pub source: Spanned<Source>,
}

/// One code of an inbound answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerCode {
    /// Two ASCII digits.
    pub code: Spanned<String>,
    /// Rust variant name (ours).
    pub variant: Spanned<String>,
    /// Message as the document writes it.
    pub message_ko: Spanned<String>,
    /// Description as the document writes it.
    pub description_ko: Spanned<String>,
    /// English message (ours): what the answer's message element carries.
    pub message_en: Spanned<String>,
    /// English description (ours).
    pub description_en: Spanned<String>,
    /// Whether COUFUN stops sending again on this answer.
    pub stops_retry: bool,
    /// Where the document lists it.
    pub source: Spanned<Source>,
}

/// One API operation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Rust name (snake_case).
    pub name: Spanned<String>,
    /// Outbound (the default) or inbound.
    #[serde(default)]
    pub direction: Direction,
    /// The manual's name for it.
    pub summary_ko: String,
    /// English summary (ours).
    pub summary_en: String,
    /// Path under the environment's base URL (empty for an inbound operation:
    /// the merchant chooses its own URL).
    #[serde(default = "no_path")]
    pub path: WireName,
    /// Methods the server accepts, the preferred first.
    pub methods: Vec<Method>,
    /// Read or write.
    pub effect: Effect,
    /// The answer's root element.
    pub root: WireName,
    /// Result codes the operation may answer (an inbound operation's are
    /// `answer.codes`).
    #[serde(default)]
    pub codes: Vec<Spanned<String>>,
    /// Request fields, in wire order.
    pub request: Vec<RequestField>,
    /// Rules across fields.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Scalar response elements under the root.
    pub response: Vec<ResponseField>,
    /// A repeated record under the root.
    #[serde(default)]
    pub records: Option<Records>,
    /// Inbound: how COUFUN delivers it.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// Inbound: the answer's code and message elements and its codes.
    #[serde(default)]
    pub answer: Option<InboundAnswer>,
}

impl Operation {
    /// The Rust name.
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }
}

/// The path of an inbound operation: none (an empty name, inferred).
fn no_path() -> WireName {
    WireName {
        name: Spanned::new(0..0, String::new()),
        source: Spanned::new(0..0, Source::Inferred),
    }
}

/// The kind of an inbound request field that gives a `type` instead: none.
fn no_kind() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

fn is_no_kind(kind: &Spanned<String>) -> bool {
    kind.get_ref().is_empty()
}

/// One request parameter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestField {
    /// Rust name (snake_case).
    pub name: Spanned<String>,
    /// Parameter name on the wire.
    pub wire: Spanned<String>,
    /// Where the wire name comes from.
    pub source: Spanned<Source>,
    /// Key into `[kinds]` (an inbound field may give a `type` instead).
    #[serde(default = "no_kind", skip_serializing_if = "is_no_kind")]
    pub kind: Spanned<String>,
    /// Inbound: the field's type when it has no kind, as an answer field's
    /// (`text`, `int`, `amount`, `date`, `timestamp`, `mobile`).
    #[serde(rename = "type", default)]
    pub type_name: Option<Spanned<String>>,
    /// Inbound: the document's length, in bytes of the delivery charset.
    #[serde(default)]
    pub max_bytes: Option<Spanned<u32>>,
    /// Inbound: one-line documentation (ours).
    #[serde(default)]
    pub doc: Option<String>,
    /// Whether the request must carry it.
    pub required: bool,
    /// The code the server answers for this field, when not the kind's.
    #[serde(default)]
    pub code: Option<Spanned<String>>,
    /// The field holds several values.
    #[serde(default)]
    pub list: Option<ListSpec>,
    /// What the field is to issuance, when it is something (see [`RequestRole`]).
    #[serde(default)]
    pub role: Option<Spanned<RequestRole>>,
}

impl RequestField {
    /// The Rust name.
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }
}

/// A field holding several values.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// Most values allowed.
    pub max: Spanned<u32>,
    /// Code answered when there are more.
    pub code: Spanned<String>,
    /// How values are joined on the wire.
    pub separator: String,
}

/// The rule of a check across fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckRule {
    /// `first` must not come after `second` (when both are given).
    NotAfter,
    /// At least one of `fields` must be given.
    OneOf,
}

/// A rule across request fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The rule.
    pub rule: CheckRule,
    /// `not_after`: the earlier field.
    #[serde(default)]
    pub first: Option<Spanned<String>>,
    /// `not_after`: the later field.
    #[serde(default)]
    pub second: Option<Spanned<String>>,
    /// `one_of`: the fields.
    #[serde(default)]
    pub fields: Vec<Spanned<String>>,
    /// Code the server answers when the rule is broken.
    pub code: Spanned<String>,
}

/// One response element.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseField {
    /// Rust name (snake_case).
    pub name: Spanned<String>,
    /// Element name.
    pub wire: Spanned<String>,
    /// Where the element name comes from.
    pub source: Spanned<Source>,
    /// `text`, `int`, `amount`, `date`, `timestamp`, `mobile`, or the key of
    /// an `enum` or `token` kind.
    #[serde(rename = "type")]
    pub type_name: Spanned<String>,
    /// The document's length for the element, in bytes (documentation).
    #[serde(default)]
    pub max_bytes: Option<u32>,
    /// A secret, whatever its type says (a field is also secret when its
    /// type's kind is).
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
    /// What the element is to issuance, when it is something (see [`AnswerRole`]).
    #[serde(default)]
    pub role: Option<Spanned<AnswerRole>>,
}

/// A record repeated under the response root.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// Rust name of the list (snake_case, plural).
    pub name: Spanned<String>,
    /// Element name of one record.
    pub element: Spanned<String>,
    /// Where the element name comes from.
    pub source: Spanned<Source>,
    /// Most records an answer holds, when a document says.
    #[serde(default)]
    pub max: Option<u32>,
    /// The record's fields may also stand flat under the root, forming one
    /// record (a document shows both shapes).
    #[serde(default)]
    pub also_flat: bool,
    /// The record's child elements.
    pub fields: Vec<ResponseField>,
    /// What the records are to issuance, when they are something (see [`RecordsRole`]).
    #[serde(default)]
    pub role: Option<Spanned<RecordsRole>>,
}

/// What a request field is to an issuing operation (`role = ".."`): the facts the
/// generated `IssuingRequest` impl reads. Each role at most once per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestRole {
    /// The key the server deduplicates on (TR_ID): every retry sends it unchanged,
    /// a repeat answers `12`. Only on a `write` operation, on a required field.
    IdempotencyKey,
    /// How many coupons the request asks for (a `count` kind).
    CouponCount,
    /// The goods issued (the answer echoes it, role `echo_goods`).
    Goods,
}

/// What an answer element is to an issuing operation (`role = ".."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerRole {
    /// The supplier's order id for the issue.
    OrderId,
    /// The number of coupons the answer states (an `int`).
    StatedCount,
    /// The request's idempotency key, echoed: it must equal what was sent.
    EchoIdempotencyKey,
    /// The request's goods, echoed: it must equal what was sent.
    EchoGoods,
    /// A record field (of the `issued_coupons` records): one coupon's number.
    CouponNumber,
    /// A record field (of the `goods_catalog` records): the goods item's id,
    /// which the client's one-item lookup searches by.
    GoodsId,
}

/// What an answer's records are to an issuing operation (`role = ".."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordsRole {
    /// One record per coupon issued; its `coupon_number` field holds the number.
    IssuedCoupons,
    /// The goods catalog: one record per goods item, found by its field with role
    /// `goods_id` (the client's `goods_info` lookup; only on a read whose
    /// request has no required field).
    GoodsCatalog,
}

impl RequestRole {
    /// The word the spec writes.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestRole::IdempotencyKey => "idempotency_key",
            RequestRole::CouponCount => "coupon_count",
            RequestRole::Goods => "goods",
        }
    }
}

impl AnswerRole {
    /// The word the spec writes.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerRole::OrderId => "order_id",
            AnswerRole::StatedCount => "stated_count",
            AnswerRole::EchoIdempotencyKey => "echo_idempotency_key",
            AnswerRole::EchoGoods => "echo_goods",
            AnswerRole::CouponNumber => "coupon_number",
            AnswerRole::GoodsId => "goods_id",
        }
    }
}

/// Whether `role` is given and is `wanted`.
pub fn has_role<R: Copy + PartialEq>(role: &Option<Spanned<R>>, wanted: R) -> bool {
    role.as_ref().is_some_and(|r| *r.get_ref() == wanted)
}

impl Operation {
    /// The request field playing `role`, when one does.
    pub fn request_role(&self, role: RequestRole) -> Option<&RequestField> {
        self.request.iter().find(|f| has_role(&f.role, role))
    }

    /// The request field the server deduplicates on (role `idempotency_key`).
    pub fn idempotency_key(&self) -> Option<&RequestField> {
        self.request_role(RequestRole::IdempotencyKey)
    }

    /// The scalar answer element playing `role`, when one does.
    pub fn answer_role(&self, role: AnswerRole) -> Option<&ResponseField> {
        self.response.iter().find(|f| has_role(&f.role, role))
    }

    /// The records playing `role` and the field of one record playing `field`.
    fn records_with(
        &self,
        role: RecordsRole,
        field: AnswerRole,
    ) -> Option<(&Records, Option<&ResponseField>)> {
        let records = self.records.as_ref().filter(|r| has_role(&r.role, role))?;
        Some((
            records,
            records.fields.iter().find(|f| has_role(&f.role, field)),
        ))
    }

    /// The records listing the coupons issued (role `issued_coupons`) and the
    /// field of one record holding its number (role `coupon_number`).
    pub fn issued_coupons(&self) -> Option<(&Records, Option<&ResponseField>)> {
        self.records_with(RecordsRole::IssuedCoupons, AnswerRole::CouponNumber)
    }

    /// The goods catalog records (role `goods_catalog`) and the field of one
    /// record holding the goods id (role `goods_id`).
    pub fn goods_catalog(&self) -> Option<(&Records, Option<&ResponseField>)> {
        self.records_with(RecordsRole::GoodsCatalog, AnswerRole::GoodsId)
    }

    /// Whether the operation issues coupons: a write with an idempotency key.
    pub fn is_issuing(&self) -> bool {
        self.effect == Effect::Write && self.idempotency_key().is_some()
    }
}
