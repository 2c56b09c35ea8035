//! Reads the code-definition manual in its markdown form: the title and metadata
//! lines, the system-information table, the result-code table and the revision
//! history. Tolerates the manual's variations (whitespace, alignment rows, emoji,
//! `5` for `05`, a missing description cell, CRLF); refuses anything else with
//! the line at fault and what was expected there.

/// What the manual says, as far as the spec cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualDoc {
    /// Title, without emoji and without the trailing `(Ver. x.y)`.
    pub title: String,
    /// Document version, e.g. `1.6`.
    pub version: String,
    /// Date of the last revision, `YYYY-MM-DD`.
    pub revised: String,
    /// The "작성자" (publisher) line.
    pub publisher: String,
    /// The "통신방식" (transport) row of the system-information table.
    pub transport: String,
    /// The "결과형식" (result format) row of the system-information table.
    pub result_format: String,
    /// Every row of the system-information table whose label ends in `URL`.
    pub urls: Vec<UrlRow>,
    /// The revision history, in the manual's order.
    pub revisions: Vec<RevisionRow>,
    /// The result codes, in the manual's order.
    pub codes: Vec<CodeRow>,
}

/// One `… URL` row of the system-information table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRow {
    /// The row label, e.g. `상용 URL`.
    pub label: String,
    /// The URL, without backticks.
    pub url: String,
    /// 1-based line in the manual.
    pub line: usize,
}

/// One row of the revision history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    /// Version, e.g. `1.2`.
    pub version: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// The change, as the manual writes it.
    pub change: String,
    /// The "작성/개정자" cell (empty when the table has no such column).
    pub author: String,
    /// 1-based line in the manual.
    pub line: usize,
}

/// One row of the result-code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// Two ASCII digits (`5` in the manual becomes `05`).
    pub code: String,
    /// The message cell.
    pub message: String,
    /// The description cell; `None` when the row has no such cell or it is empty.
    pub description: Option<String>,
    /// 1-based line in the manual.
    pub line: usize,
}

use crate::markdown::{self, Block, Table, again, normalize, normalize_date, strip_markup};

/// Why the manual could not be read: the line at fault and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line in the manual (the last line for something missing).
    pub line: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    let message = message.into();
    ParseError { line, message }
}

/// The tables the parser knows, by their header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    SystemInfo,
    Codes,
    Revisions,
}

impl TableKind {
    const ALL: [TableKind; 3] = [
        TableKind::SystemInfo,
        TableKind::Codes,
        TableKind::Revisions,
    ];

    /// Columns the header must have, then optional ones, as normalized cells.
    fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            TableKind::SystemInfo => (&["항목", "내용"], &[]),
            TableKind::Codes => (&["코드", "메시지"], &["설명"]),
            TableKind::Revisions => (
                &["버전", "개정일자", "개정내역"],
                &["작성/개정자", "확인자"],
            ),
        }
    }

    fn name(self) -> &'static str {
        match self {
            TableKind::SystemInfo => "system-information table",
            TableKind::Codes => "result-code table",
            TableKind::Revisions => "revision-history table",
        }
    }

    fn expected_header(self) -> String {
        let (required, optional) = self.columns();
        let mut cells: Vec<String> = required.iter().map(|c| (*c).to_owned()).collect();
        cells.extend(optional.iter().map(|c| format!("[{c}]")));
        format!("| {} |", cells.join(" | "))
    }
}

/// Parses the manual's markdown text.
pub fn parse(text: &str) -> Result<ManualDoc, ParseError> {
    let doc = markdown::parse(text);
    let last_line = doc.lines.len().max(1);
    let front = markdown::front(&doc).map_err(|(line, message)| err(line, message))?;
    let (mut system, mut codes, mut revisions) = (None, None, None);
    for block in doc.blocks {
        let table = match block {
            Block::Table(t) if !t.aligned => {
                return Err(match t.rows.first() {
                    Some((n, _)) => err(
                        *n,
                        "expected the alignment row under the table header, e.g. `|:--:|:--|`",
                    ),
                    None => err(
                        t.line,
                        "a table header with no rows: expected an alignment row `|:--:|:--|` \
                         and rows after it",
                    ),
                });
            }
            Block::Table(table) => table,
            _ => continue,
        };
        let kind = recognise(&table)?;
        let slot = match kind {
            TableKind::SystemInfo => &mut system,
            TableKind::Codes => &mut codes,
            TableKind::Revisions => &mut revisions,
        };
        if let Some(first) = slot.as_ref().map(|t: &Table| t.line) {
            let what = kind.name();
            return Err(err(
                table.line,
                format!("a second {what} (the first is at line {first}): expected only one"),
            ));
        }
        *slot = Some(table);
    }
    let need = |t: Option<Table>, kind: TableKind| {
        t.ok_or_else(|| {
            let (what, header) = (kind.name(), kind.expected_header());
            err(
                last_line,
                format!("no {what}: expected a table with the header {header}"),
            )
        })
    };
    let system = need(system, TableKind::SystemInfo)?;
    let codes = need(codes, TableKind::Codes)?;
    let revisions = need(revisions, TableKind::Revisions)?;
    let (transport, result_format, urls) = system_info(&system)?;
    Ok(ManualDoc {
        title: front.title,
        version: front.version,
        revised: front.date,
        publisher: front.publisher,
        transport,
        result_format,
        urls,
        revisions: revision_rows(&revisions)?,
        codes: code_rows(&codes)?,
    })
}

/// Which table this is, by its header; an unknown header is an error.
fn recognise(table: &Table) -> Result<TableKind, ParseError> {
    let header: Vec<String> = table.header.iter().map(|c| normalize(&c.text)).collect();
    for kind in TableKind::ALL {
        let (required, optional) = kind.columns();
        let all_known = header
            .iter()
            .all(|h| required.contains(&h.as_str()) || optional.contains(&h.as_str()));
        if all_known && required.iter().all(|r| header.iter().any(|h| h == r)) {
            return Ok(kind);
        }
    }
    let expected: Vec<String> = TableKind::ALL
        .iter()
        .map(|k| format!("{} for the {}", k.expected_header(), k.name()))
        .collect();
    let header: Vec<&str> = table.header.iter().map(|c| c.text.as_str()).collect();
    Err(err(
        table.line,
        format!(
            "table header `| {} |` is not recognised: expected {}",
            header.join(" | "),
            expected.join(", or ")
        ),
    ))
}

/// The cells of each row under the columns `names` (normalized), "" where a row is short.
fn columns<const N: usize>(
    table: &Table,
    names: [&str; N],
) -> impl Iterator<Item = (usize, [String; N])> {
    let rows = table.columns(names.each_ref().map(std::slice::from_ref));
    rows.map(|(n, cells)| (n, cells.map(|c| c.text)))
}

fn system_info(table: &Table) -> Result<(String, String, Vec<UrlRow>), ParseError> {
    let (mut transport, mut result_format, mut urls) = (None, None, Vec::new());
    for (n, [label, value]) in columns(table, ["항목", "내용"]) {
        let (label, url) = (strip_markup(&label), strip_markup(&value));
        match normalize(&label).as_str() {
            "통신방식" => transport = Some(url),
            "결과형식" => result_format = Some(url),
            l if l.ends_with("URL") && url.is_empty() => {
                return Err(err(
                    n,
                    format!("`{label}` has no URL: expected e.g. `https://host/path/`"),
                ));
            }
            l if l.ends_with("URL") => urls.push(UrlRow {
                label,
                url,
                line: n,
            }),
            _ => {}
        }
    }
    let need = |v: Option<String>, label: &str| {
        v.ok_or_else(|| {
            err(
                table.line,
                format!("the system-information table has no `{label}` row"),
            )
        })
    };
    Ok((
        need(transport, "통신방식")?,
        need(result_format, "결과형식")?,
        urls,
    ))
}

fn revision_rows(table: &Table) -> Result<Vec<RevisionRow>, ParseError> {
    let mut out: Vec<RevisionRow> = Vec::new();
    for (n, [version, raw_date, change, author]) in
        columns(table, ["버전", "개정일자", "개정내역", "작성/개정자"])
    {
        let version = strip_markup(&version);
        if version.is_empty() {
            return Err(err(n, "a revision with no version: expected e.g. `1.7`"));
        }
        let what = format!("revision {version}");
        if let Some(e) = again(&out, |r| (&r.version, r.line), &version, &what) {
            return Err(err(n, e));
        }
        let date = normalize_date(&strip_markup(&raw_date)).ok_or_else(|| {
            err(
                n,
                format!("revision date `{raw_date}` is not a date: expected YYYY-MM-DD"),
            )
        })?;
        out.push(RevisionRow {
            version,
            date,
            change,
            author,
            line: n,
        });
    }
    Ok(out)
}

fn code_rows(table: &Table) -> Result<Vec<CodeRow>, ParseError> {
    let mut out: Vec<CodeRow> = Vec::new();
    for (n, [raw, message, description]) in columns(table, ["코드", "메시지", "설명"]) {
        let Some(code) = markdown::two_digits(&raw) else {
            return Err(err(
                n,
                format!("code cell `{raw}` is not a number: expected one or two digits, e.g. `05`"),
            ));
        };
        if let Some(e) = again(&out, |r| (&r.code, r.line), &code, &format!("code {code}")) {
            return Err(err(n, e));
        }
        if message.is_empty() {
            return Err(err(
                n,
                format!("code {code} has no message: expected a 메시지 cell"),
            ));
        }
        let description = Some(description).filter(|s| !s.is_empty());
        out.push(CodeRow {
            code,
            message,
            description,
            line: n,
        });
    }
    Ok(out)
}
