//! Reads an interface manual (goods, coupon create, status/balance, cancel,
//! exchange notifications) in its markdown form into an [`InterfaceManual`]:
//! which manual it is, version and date, URLs, methods, request and answer
//! parameters, the answer root and record element of the sample XML, and every
//! value table. Knows nothing of the spec. Tolerates what transcriptions look
//! like (CRLF, full-width spaces, emoji, `선 택`, `10 byte`, backticks, `5` for
//! `05`, extra columns, an unfenced sample); refuses anything else with the
//! line and column at fault.

use crate::markdown::{self, Block, Cell, Table, again, normalize, split_title, strip_markup};
use quick_xml::events::Event;
use quick_xml::name::QName;

/// Which interface manual a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ManualKind {
    /// Goods information (상품정보).
    Goods,
    /// Coupon create (쿠폰생성).
    Create,
    /// Coupon status and balance (쿠폰상태조회, 잔액조회).
    Status,
    /// Coupon cancel (쿠폰취소).
    Cancel,
    /// Exchange (use) notifications, server → merchant (교환정보).
    Exchange,
}

impl ManualKind {
    /// Every kind, in the manuals' numbering.
    pub const ALL: [ManualKind; 5] = [
        ManualKind::Goods,
        ManualKind::Create,
        ManualKind::Status,
        ManualKind::Cancel,
        ManualKind::Exchange,
    ];

    /// A short English name for messages.
    pub fn name(self) -> &'static str {
        match self {
            ManualKind::Goods => "goods information",
            ManualKind::Create => "coupon create",
            ManualKind::Status => "coupon status/balance",
            ManualKind::Cancel => "coupon cancel",
            ManualKind::Exchange => "exchange notification",
        }
    }

    /// Words of the title that name this manual (compared without whitespace).
    fn title_words(self) -> &'static [&'static str] {
        match self {
            ManualKind::Goods => &["상품정보", "상품목록"],
            ManualKind::Create => &["쿠폰생성"],
            ManualKind::Status => &["상태조회", "잔액조회"],
            ManualKind::Cancel => &["쿠폰취소"],
            ManualKind::Exchange => &["교환정보", "사용정보"],
        }
    }
}

/// What a file is, as far as `import-manual` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// The code-definition manual (read by [`crate::manual_md`]).
    CodeDefinition,
    /// One of the interface manuals.
    Interface(ManualKind),
}

/// An interface manual, as far as the spec cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceManual {
    /// Which manual.
    pub kind: ManualKind,
    /// Title, without emoji and without the trailing `(Ver. x.y)`.
    pub title: String,
    /// Document version, e.g. `1.4`.
    pub version: String,
    /// Date of the last revision, `YYYY-MM-DD`.
    pub date: String,
    /// The rows of the URL table, in order.
    pub urls: Vec<UrlRow>,
    /// HTTP methods named where the manual says how to call (`GET`, `POST`), in order.
    pub methods: Vec<String>,
    /// Request parameters, in order.
    pub request: Vec<Param>,
    /// Answer parameters, in order.
    pub response: Vec<Param>,
    /// The root element of the (first) sample answer.
    pub root: Option<Named>,
    /// The element of the sample answer that holds other elements (the repeated record).
    pub record: Option<Named>,
    /// A record element the prose says repeats (``여러 건인 경우 `<X>` … 반복``),
    /// when the sample shows none.
    pub record_mentioned: Option<Named>,
    /// Every value table (and value list written in a parameter's description).
    pub value_tables: Vec<ValueTable>,
    /// The answer-code table (exchange manual), in order.
    pub codes: Vec<AnswerCode>,
}

/// A name and the line the manual gives it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// 1-based line.
    pub line: usize,
}

/// One row of the URL table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRow {
    /// The row label, e.g. `상용 URL`.
    pub label: String,
    /// Everything up to and including the last `/`, e.g. `https://host:446/b2c_api/`.
    pub base: String,
    /// The last path segment, e.g. `coufunCreate.do` (query removed).
    pub path: String,
    /// 1-based line.
    pub line: usize,
}

/// The length column of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// At most this many bytes (`10byte`, `10 byte`, `10 bytes`).
    Bytes(u32),
    /// An integer (`Number`).
    Number,
}

impl Length {
    /// The bytes of a byte length; `None` for `Number`.
    pub fn bytes(self) -> Option<u32> {
        match self {
            Length::Bytes(n) => Some(n),
            Length::Number => None,
        }
    }
}

impl std::fmt::Display for Length {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Length::Bytes(n) => write!(f, "{n} bytes"),
            Length::Number => f.write_str("Number"),
        }
    }
}

/// One row of a parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Wire name, without backticks or `*`.
    pub name: String,
    /// Its length.
    pub length: Length,
    /// `Some(true)` 필수, `Some(false)` 선택, `None` when the table has no such column.
    pub required: Option<bool>,
    /// The description cell ("" when none), backticks kept.
    pub description: String,
    /// Answer parameters only: inside the record element of the sample (or, when
    /// the sample omits it, placed like the parameter before it).
    pub in_record: bool,
    /// 1-based line.
    pub line: usize,
}

/// A table (or description list) of the values one parameter may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueTable {
    /// The parameter it belongs to.
    pub field: String,
    /// The values, in order.
    pub values: Vec<ValueRow>,
    /// 1-based line of the table header (or of the parameter row).
    pub line: usize,
}

/// One value of a value table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRow {
    /// The value on the wire, without backticks.
    pub wire: String,
    /// What it means, as the manual says.
    pub description: String,
    /// 1-based line.
    pub line: usize,
}

/// One row of the answer-code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerCode {
    /// Two digits (`5` becomes `05`).
    pub code: String,
    /// The message cell.
    pub message: String,
    /// The description cell ("" when none).
    pub description: String,
    /// 1-based line.
    pub line: usize,
}

/// Why the file could not be read as an interface manual.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

fn err(line: usize, column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

/// Says which manual `text` is, without parsing it fully; `None` when it is neither.
pub fn detect(text: &str) -> Option<Detected> {
    let (_, title) = markdown::parse(text).title()?;
    let squashed = normalize(title);
    if squashed.contains("코드정의서") {
        return Some(Detected::CodeDefinition);
    }
    if let Some(kind) = kind_from_title(&squashed) {
        return Some(Detected::Interface(kind));
    }
    kind_from_content(text).map(Detected::Interface)
}

fn kind_from_title(squashed: &str) -> Option<ManualKind> {
    ManualKind::ALL
        .into_iter()
        .find(|k| k.title_words().iter().any(|w| squashed.contains(w)))
}

/// By the URL's path or the sample's root, for a title that names neither.
fn kind_from_content(text: &str) -> Option<ManualKind> {
    [
        ("coufunProduct", ManualKind::Goods),
        ("PRODUCTLIST", ManualKind::Goods),
        ("coufunCreate", ManualKind::Create),
        ("COUFUNCREATE", ManualKind::Create),
        ("AmountStatus", ManualKind::Status),
        ("COUFUNSEARCH", ManualKind::Status),
        ("coufunPartCancel", ManualKind::Cancel),
        ("COUFUNCANCEL", ManualKind::Cancel),
        ("COUPONEXCHANGE", ManualKind::Exchange),
    ]
    .into_iter()
    .find(|(word, _)| text.contains(word))
    .map(|(_, k)| k)
}

/// Parses an interface manual.
pub fn parse(text: &str) -> Result<InterfaceManual, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = markdown::parse(text);
    let last = doc.lines.len().max(1);
    let no_title = || err(1, 1, "no title: expected a first-level heading `# …`");
    let (title_line, heading) = doc.title().ok_or_else(no_title)?;
    let (title, _) = split_title(heading);
    let kind = kind_from_title(&normalize(&title))
        .or_else(|| kind_from_content(text))
        .ok_or_else(|| {
            err(
                title_line,
                1,
                format!(
                    "cannot tell which manual `{title}` is: expected a title naming 상품정보, \
                     쿠폰생성, 쿠폰상태조회, 쿠폰취소, 교환정보 or 코드정의서"
                ),
            )
        })?;

    // metadata lines, headings, tables, samples: one pass over the blocks
    let mut methods: Vec<String> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut samples: Vec<Vec<(usize, &str)>> = Vec::new();
    let mut record_mentioned = None;
    // a prose line: HTTP methods, a record the text says repeats
    let mut prose = |n: usize, line: &str| {
        let trimmed = line.trim();
        let plain = strip_markup(trimmed).to_ascii_uppercase();
        if plain.contains("HTTP") {
            for word in plain.split(|c: char| !c.is_ascii_alphabetic()) {
                if ["GET", "POST", "PUT", "DELETE"].contains(&word)
                    && !methods.iter().any(|m| m == word)
                {
                    methods.push(word.to_owned());
                }
            }
        }
        if record_mentioned.is_none()
            && trimmed.contains("반복")
            && let Some(name) = between(trimmed, "`<", ">`")
        {
            let name = name.to_owned();
            record_mentioned = Some(Named { name, line: n });
        }
    };
    // read first, reported after the blocks (an unclosed fence may hide a line)
    let front = markdown::front(&doc);
    for block in doc.blocks {
        let xml = match block {
            Block::Code {
                line,
                closed: false,
                ..
            } => {
                return Err(err(line, 1, "a code fence ``` that is never closed"));
            }
            Block::Code { body, .. } => {
                if body.iter().any(|(_, l)| looks_like_xml(l)) {
                    samples.push(body);
                }
                continue;
            }
            // an unfenced sample: HTML blocks and XML-looking prose lines, adjacent
            Block::Html(body) if body.iter().any(|(_, l)| looks_like_xml(l)) => body,
            Block::Text { line, text } if looks_like_xml(text) => vec![(line, text)],
            Block::Table(t) => {
                tables.push(t);
                continue;
            }
            Block::Text { line, text } => {
                prose(line, text);
                continue;
            }
            Block::Html(_) | Block::Heading { .. } => continue,
        };
        match samples.last_mut() {
            Some(last) if last.last().map(|l| l.0 + 1) == xml.first().map(|l| l.0) => {
                last.extend(xml);
            }
            _ => samples.push(xml),
        }
    }

    let front = front.map_err(|(line, message)| err(line, 1, message))?;
    let mut manual = InterfaceManual {
        kind,
        title: front.title,
        version: front.version,
        date: front.date,
        urls: Vec::new(),
        methods,
        request: Vec::new(),
        response: Vec::new(),
        root: None,
        record: None,
        record_mentioned: None,
        value_tables: Vec::new(),
        codes: Vec::new(),
    };
    let mut pending_values = Vec::new();
    for t in &tables {
        let header: Vec<String> = t.header.iter().map(|c| normalize(&c.text)).collect();
        let has = |names: &[&str]| header.iter().any(|h| names.contains(&h.as_str()));
        let is_params = has(PARAM_NAME) && has(PARAM_LENGTH);
        let is_urls = has(&["URL"]) && has(URL_LABEL);
        let is_codes = has(&["코드"]) && has(&["메시지"]);
        if !(is_params || is_urls || is_codes || has(VALUE_WIRE) && has(VALUE_DESCRIPTION)) {
            continue; // revision history, contacts: nothing the spec holds
        }
        if !t.aligned {
            let line = t.rows.first().map_or(t.line, |r| r.0);
            return Err(err(
                line,
                1,
                "expected the alignment row under the table header, e.g. `|:--|:--|`",
            ));
        }
        if !is_params {
            if is_urls {
                manual.urls.extend(url_rows(t)?);
            } else if is_codes {
                manual.codes = answer_codes(t)?;
            } else {
                pending_values.push(t);
            }
            continue;
        }
        let request = t.headings.iter().find_map(|h| {
            let h = h.to_lowercase();
            if h.contains("요청") || h.contains("request") {
                Some(true)
            } else if h.contains("응답") || h.contains("response") {
                Some(false)
            } else {
                None
            }
        });
        let Some(request) = request else {
            return Err(err(
                t.line,
                1,
                "a parameter table under no heading naming 요청 (request) or 응답 (response)",
            ));
        };
        let params = params(t, request)?;
        let (slot, what) = if request {
            (&mut manual.request, "request")
        } else {
            (&mut manual.response, "answer")
        };
        if !slot.is_empty() {
            let message = format!("a second {what} parameter table: expected one");
            return Err(err(t.line, 1, message));
        }
        *slot = params;
    }
    if manual.request.is_empty() {
        return Err(err(
            last,
            1,
            "no request parameter table: expected a table `| 변수명 | 설명 | 최대길이 | 필수여부 |` \
             under a heading naming 요청",
        ));
    }

    // sample answer: root, record, placement of each answer parameter
    if let Some(sample) = samples.first() {
        let shape = xml_shape(sample)?;
        manual.root = shape.root;
        manual.record = shape.record;
        let mut previous = false;
        for p in &mut manual.response {
            p.in_record = match shape.fields.iter().find(|(name, _)| *name == p.name) {
                Some((_, in_record)) => *in_record,
                None => previous,
            };
            previous = p.in_record;
        }
    }
    if manual.record.is_none() {
        manual.record_mentioned = record_mentioned;
    }

    // value tables: under a heading naming a parameter; lists inside descriptions
    let names: Vec<String> = manual
        .request
        .iter()
        .chain(&manual.response)
        .map(|p| p.name.clone())
        .collect();
    for t in pending_values {
        let field = t.headings.first().and_then(|h| {
            h.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .find(|w| names.iter().any(|n| n == w))
        });
        let Some(field) = field else {
            return Err(err(
                t.line,
                1,
                format!(
                    "a value table under the heading `{}`, which names no parameter of the \
                     manual: expected e.g. `### SEND_TYPE (발송타입)`",
                    t.headings.first().map_or("", String::as_str)
                ),
            ));
        };
        let table = value_table(t, field)?;
        if manual.value_tables.iter().any(|v| v.field == table.field) {
            return Err(err(t.line, 1, format!("a second value table for {field}")));
        }
        manual.value_tables.push(table);
    }
    for p in manual.request.iter().chain(&manual.response) {
        let values = inline_values(&p.description, p.line);
        if values.len() >= 2 && !manual.value_tables.iter().any(|v| v.field == p.name) {
            manual.value_tables.push(ValueTable {
                field: p.name.clone(),
                values,
                line: p.line,
            });
        }
    }
    Ok(manual)
}

const PARAM_NAME: &[&str] = &[
    "변수명",
    "파라미터",
    "파라미터명",
    "항목명",
    "Parameter",
    "Name",
];
const PARAM_LENGTH: &[&str] = &["최대길이", "길이", "크기", "Length", "Size"];
const PARAM_REQUIRED: &[&str] = &["필수여부", "필수", "체크", "Required"];
const PARAM_DESCRIPTION: &[&str] = &["설명", "Description"];
const VALUE_WIRE: &[&str] = &["코드", "타입", "값", "Code", "Value"];
const VALUE_DESCRIPTION: &[&str] = &["설명", "의미"];
const URL_LABEL: &[&str] = &["구분", "항목", "환경"];

fn looks_like_xml(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("<?xml")
        || (line.starts_with('<')
            && line[1..]
                .trim_start_matches('/')
                .starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// The text between the first `open` and the next `close`.
fn between<'s>(s: &'s str, open: &str, close: &str) -> Option<&'s str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

/// A wire name: whitespace, `( * )` marks and markup removed (the mark before
/// the markup, whose `*` it holds); ASCII letters, digits, `_`.
fn wire_name(n: usize, c: &Cell, what: &str) -> Result<String, ParseError> {
    let squashed: String = c.text.chars().filter(|ch| !ch.is_whitespace()).collect();
    let name = strip_markup(&squashed.replace("(*)", ""));
    if name.is_empty()
        || !name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    {
        return Err(err(
            n,
            c.column,
            format!(
                "{what} `{}` is not a parameter name: expected ASCII letters, digits and `_`, \
                 e.g. `GOODS_ID`",
                c.text
            ),
        ));
    }
    Ok(name)
}

fn length(n: usize, c: &Cell) -> Result<Length, ParseError> {
    let squashed = normalize(&c.text).to_ascii_lowercase();
    if ["number", "숫자", "numeric", "int"].contains(&squashed.as_str()) {
        return Ok(Length::Number);
    }
    let digits: String = squashed.chars().take_while(char::is_ascii_digit).collect();
    let unit = &squashed[digits.len()..];
    match (digits.parse::<u32>(), unit) {
        (Ok(bytes), "byte" | "bytes" | "b" | "바이트" | "") if bytes > 0 => {
            Ok(Length::Bytes(bytes))
        }
        _ => Err(err(
            n,
            c.column,
            format!(
                "length `{}` is not a length: expected e.g. `10byte`, `10 byte` or `Number`",
                c.text
            ),
        )),
    }
}

fn required(n: usize, c: &Cell) -> Result<Option<bool>, ParseError> {
    let squashed: String = strip_markup(&c.text)
        .chars()
        .filter(|ch| ch.is_alphanumeric())
        .collect();
    match squashed.as_str() {
        "필수" | "Y" | "O" | "Required" | "required" | "M" => Ok(Some(true)),
        "선택" | "N" | "X" | "Optional" | "optional" | "" => Ok(Some(false)),
        _ => Err(err(
            n,
            c.column,
            format!(
                "`{}` says neither required nor optional: expected 필수 or 선택",
                c.text
            ),
        )),
    }
}

fn params(t: &Table, request: bool) -> Result<Vec<Param>, ParseError> {
    let columns = [PARAM_NAME, PARAM_LENGTH, PARAM_REQUIRED, PARAM_DESCRIPTION];
    let has_required = request && t.col(PARAM_REQUIRED).is_some();
    let mut out: Vec<Param> = Vec::new();
    for (n, [name, len, req, desc]) in t.columns(columns) {
        let name = wire_name(n, &name, "parameter")?;
        if let Some(e) = again(&out, |p| (&p.name, p.line), &name, &name) {
            return Err(err(n, 1, e));
        }
        out.push(Param {
            length: length(n, &len)?,
            required: if has_required {
                required(n, &req)?
            } else {
                None
            },
            name,
            // backticks kept: they mark the values a description lists
            description: desc.text.replace('*', "").trim().to_owned(),
            in_record: false,
            line: n,
        });
    }
    Ok(out)
}

fn url_rows(t: &Table) -> Result<Vec<UrlRow>, ParseError> {
    let mut out = Vec::new();
    for (n, [label, c]) in t.columns([URL_LABEL, &["URL"]]) {
        let raw = strip_markup(&c.text);
        let raw = raw.split('?').next().unwrap_or("").trim();
        let slash = raw.rfind('/').filter(|_| raw.contains("://"));
        let Some(slash) = slash.filter(|s| *s + 1 < raw.len()) else {
            return Err(err(
                n,
                c.column,
                format!(
                    "`{}` is not a URL: expected e.g. `https://host/b2c_api/x.do`",
                    c.text
                ),
            ));
        };
        out.push(UrlRow {
            label: strip_markup(&label.text),
            base: raw[..=slash].to_owned(),
            path: raw[slash + 1..].to_owned(),
            line: n,
        });
    }
    Ok(out)
}

fn answer_codes(t: &Table) -> Result<Vec<AnswerCode>, ParseError> {
    let mut out: Vec<AnswerCode> = Vec::new();
    for (n, [c, msg, desc]) in t.columns([&["코드"], &["메시지"], &["설명"]]) {
        let Some(code) = markdown::two_digits(&c.text) else {
            let message = format!(
                "code `{}` is not a number: expected one or two digits",
                c.text
            );
            return Err(err(n, c.column, message));
        };
        if let Some(e) = again(&out, |a| (&a.code, a.line), &code, &format!("code {code}")) {
            return Err(err(n, c.column, e));
        }
        out.push(AnswerCode {
            code,
            message: strip_markup(&msg.text),
            description: strip_markup(&desc.text),
            line: n,
        });
    }
    Ok(out)
}

fn value_table(t: &Table, field: &str) -> Result<ValueTable, ParseError> {
    let mut values: Vec<ValueRow> = Vec::new();
    for (n, [c, desc]) in t.columns([VALUE_WIRE, VALUE_DESCRIPTION]) {
        let value = strip_markup(&c.text);
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            return Err(err(
                n,
                c.column,
                format!("value `{}` of {field}: expected one word, e.g. `M`", c.text),
            ));
        }
        let what = format!("value {value} of {field}");
        if let Some(e) = again(&values, |v| (&v.wire, v.line), &value, &what) {
            return Err(err(n, c.column, e));
        }
        values.push(ValueRow {
            wire: value,
            description: strip_markup(&desc.text),
            line: n,
        });
    }
    Ok(ValueTable {
        field: field.to_owned(),
        values,
        line: t.line,
    })
}

/// ``(`000`: 미사용, `001`: 사용)`` in a description → its values.
fn inline_values(description: &str, line: usize) -> Vec<ValueRow> {
    let mut out = Vec::new();
    let mut rest = description;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        let wire = after[..close].trim();
        let tail = after[close + 1..].trim_start();
        rest = &after[close + 1..];
        let Some(text) = tail.strip_prefix(':') else {
            continue;
        };
        let end = text.find([',', ')', '`']).unwrap_or(text.len());
        if !wire.is_empty() && !wire.contains(char::is_whitespace) {
            out.push(ValueRow {
                wire: wire.to_owned(),
                description: text[..end].trim().to_owned(),
                line,
            });
        }
    }
    out
}

/// The root, the record element and where each leaf sits, from a sample answer.
#[derive(Default)]
struct Shape {
    root: Option<Named>,
    record: Option<Named>,
    /// Leaf elements: name and whether it sits inside the record.
    fields: Vec<(String, bool)>,
}

fn xml_shape(sample: &[(usize, &str)]) -> Result<Shape, ParseError> {
    let lines: Vec<&str> = sample.iter().map(|(_, l)| *l).collect();
    let text = lines.join("\n");
    // the manual's line and 1-based column of a byte offset into `text`
    let at = |offset: u64| {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let line = sample.get(before.matches('\n').count()).map_or(1, |s| s.0);
        (line, column)
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let config = reader.config_mut();
    (config.check_end_names, config.allow_unmatched_ends) = (false, true);
    config.allow_dangling_amp = true;
    let mut shape = Shape::default();
    // open elements, with their lines
    let mut stack: Vec<Named> = Vec::new();
    loop {
        let (line, column) = at(reader.buffer_position());
        let event = reader.read_event().map_err(|e| {
            let (line, column) = at(reader.error_position());
            err(line, column, format!("the sample answer is not XML: {e}"))
        })?;
        let name_of = |name: QName<'_>| name.0.to_owned();
        let (name, open) = match event {
            Event::Start(e) => (name_of(e.name()), true),
            Event::Empty(e) => (name_of(e.name()), false),
            Event::End(e) => {
                let name = name_of(e.name());
                return match stack.pop() {
                    Some(open) if open.name == name => continue,
                    Some(open) => {
                        let (open, at) = (open.name, open.line);
                        let message = format!("`</{name}>` closes `<{open}>` of line {at}");
                        Err(err(line, column, message))
                    }
                    None => Err(err(line, column, format!("`</{name}>` closes nothing"))),
                };
            }
            Event::Eof => break,
            _ => continue,
        };
        let depth = stack.len();
        if depth >= 1 && !shape.fields.iter().any(|(f, _)| *f == name) {
            shape.fields.push((name.clone(), depth >= 2));
        }
        let element = Named { name, line };
        if depth == 0 && shape.root.is_none() {
            shape.root = Some(element.clone());
        }
        if depth == 2 && shape.record.is_none() {
            shape.record = stack.get(1).cloned();
        }
        if open {
            stack.push(element);
        }
    }
    if let Some(open) = stack.pop() {
        let message = format!("`<{}>` is never closed", open.name);
        return Err(err(open.line, 1, message));
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfenced_sample_is_every_adjacent_xml_line() {
        // without its root line, the sample's first line holds text: CommonMark
        // reads a paragraph there, and the sample still ends in a stray close
        let fixture = include_str!("../tests/fixtures/interface/create-v1.4-irregular.md");
        let text = fixture.replace("<COUFUNCREATE>\n", "");
        let e = parse(&text).map(|_| ()).map_err(|e| e.message);
        assert_eq!(e, Err("`</COUFUNCREATE>` closes nothing".to_owned()));
        assert_eq!(
            parse(fixture).map(|m| m.root.map(|r| r.name)),
            Ok(Some("COUFUNCREATE".into()))
        );
    }

    #[test]
    fn lengths_take_every_spelling() {
        let c = |t: &str| Cell {
            text: t.into(),
            column: 1,
        };
        assert_eq!(length(1, &c("10byte")), Ok(Length::Bytes(10)));
        assert_eq!(length(1, &c("10 byte")), Ok(Length::Bytes(10)));
        assert_eq!(length(1, &c("4000 Bytes")), Ok(Length::Bytes(4000)));
        assert_eq!(length(1, &c("Number")), Ok(Length::Number));
        assert!(length(1, &c("ten bytes")).is_err());
    }

    #[test]
    fn a_starred_name_is_the_name() {
        let c = |t: &str| Cell {
            text: t.into(),
            column: 1,
        };
        for text in [
            "NAME(*)",
            "NAME ( * )",
            "**NAME**(*)",
            "`NAME` *",
            "**NAME(*)**",
        ] {
            assert_eq!(
                wire_name(1, &c(text), "parameter"),
                Ok("NAME".into()),
                "{text}"
            );
        }
        assert!(wire_name(1, &c("NAME()"), "parameter").is_err());
    }

    #[test]
    fn inline_value_lists_are_read() {
        let v = inline_values("상태 (`000`: 미사용, `001`: 사용, `100`: 취소)", 7);
        let got: Vec<(&str, &str)> = v
            .iter()
            .map(|v| (v.wire.as_str(), v.description.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("000", "미사용"), ("001", "사용"), ("100", "취소")]
        );
    }
}
