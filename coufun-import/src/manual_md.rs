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

use crate::markdown::{self, Block, Cell, Table};

/// Why the manual could not be read: the line at fault and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line in the manual (the last line for something missing).
    pub line: usize,
    /// What is wrong and what was expected.
    pub message: String,
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
    let missing = |message: String| ParseError {
        line: last_line,
        message,
    };

    let title = doc.title();
    let mut meta_version = None;
    let mut revised = None;
    let mut publisher = None;
    let mut tables = Vec::new();
    for block in doc.blocks {
        match block {
            Block::Text { line: n, text } => {
                let plain = strip_markup(text.trim());
                let Some((key, value)) = plain.split_once(':') else {
                    continue;
                };
                let value = value.trim();
                match normalize(key).as_str() {
                    "문서버전" => meta_version = Some((n, value.to_owned())),
                    "최종개정일" => revised = Some((n, value.to_owned())),
                    "작성자" => publisher = Some(value.to_owned()),
                    _ => {}
                }
            }
            Block::Unaligned { line, next, .. } => tables.push(Err(match next {
                Some(n) => ParseError {
                    line: n,
                    message: "expected the alignment row under the table header, \
                              e.g. `|:--:|:--|`"
                        .into(),
                },
                None => ParseError {
                    line,
                    message: "a table header with no rows: expected an alignment row \
                              `|:--:|:--|` and rows after it"
                        .into(),
                },
            })),
            Block::Table(table) => tables.push(Ok(table)),
            _ => {}
        }
    }

    let (title_line, heading) =
        title.ok_or_else(|| missing("no title: expected a first-level heading `# …`".into()))?;
    let (title, title_version) = split_title(heading);
    let version = match (meta_version, title_version) {
        (Some((n, v)), _) if v.is_empty() => {
            return Err(ParseError {
                line: n,
                message: "the document version is empty: expected e.g. `1.7`".into(),
            });
        }
        (Some((_, v)), _) => v,
        (None, Some(v)) => v,
        (None, None) => {
            return Err(ParseError {
                line: title_line,
                message: "no document version: expected a line `**문서 버전:** x.y` \
                          or a title ending in `(Ver. x.y)`"
                    .into(),
            });
        }
    };
    let (revised_line, revised) = revised.ok_or_else(|| {
        missing("no revision date: expected a line `**최종 개정일:** YYYY.MM.DD`".into())
    })?;
    let revised = normalize_date(&revised).ok_or_else(|| ParseError {
        line: revised_line,
        message: format!("`{revised}` is not a date: expected YYYY.MM.DD or YYYY-MM-DD"),
    })?;
    let publisher = publisher.unwrap_or_default();

    let mut system = None;
    let mut codes = None;
    let mut revisions = None;
    for table in tables {
        let table = table?;
        let kind = recognise(&table)?;
        let slot = match kind {
            TableKind::SystemInfo => &mut system,
            TableKind::Codes => &mut codes,
            TableKind::Revisions => &mut revisions,
        };
        if let Some(first) = slot.as_ref().map(|t: &Table| t.line) {
            return Err(ParseError {
                line: table.line,
                message: format!(
                    "a second {} (the first is at line {first}): expected only one",
                    kind.name()
                ),
            });
        }
        *slot = Some(table);
    }
    let need = |t: Option<Table>, kind: TableKind| {
        t.ok_or_else(|| {
            missing(format!(
                "no {}: expected a table with the header {}",
                kind.name(),
                kind.expected_header()
            ))
        })
    };
    let system = need(system, TableKind::SystemInfo)?;
    let codes = need(codes, TableKind::Codes)?;
    let revisions = need(revisions, TableKind::Revisions)?;

    let (transport, result_format, urls) = system_info(&system)?;
    Ok(ManualDoc {
        title,
        version,
        revised,
        publisher,
        transport,
        result_format,
        urls,
        revisions: revision_rows(&revisions)?,
        codes: code_rows(&codes)?,
    })
}

/// `📘 Title (Ver. 1.6)` → (`Title`, `Some("1.6")`).
pub(crate) fn split_title(heading: &str) -> (String, Option<String>) {
    let heading = heading
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim();
    if let Some(open) = heading.rfind('(') {
        let inner = heading[open + 1..].trim_end().trim_end_matches(')');
        let lower = inner.to_ascii_lowercase();
        if let Some(v) = lower
            .strip_prefix("ver.")
            .or_else(|| lower.strip_prefix("ver"))
        {
            return (heading[..open].trim().to_owned(), Some(v.trim().to_owned()));
        }
    }
    (heading.to_owned(), None)
}

/// `2020.08.21`, `2020-08-21` or `2020/08/21` → `2020-08-21`.
pub(crate) fn normalize_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split(['.', '-', '/']).map(str::trim).collect();
    match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && (1..=2).contains(&m.len())
                && (1..=2).contains(&d.len())
                && [y, m, d]
                    .iter()
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Some(format!("{y}-{m:0>2}-{d:0>2}"))
        }
        _ => None,
    }
}

/// Removes bold/italic stars and code backticks; trims.
pub(crate) fn strip_markup(s: &str) -> String {
    s.replace(['*', '`'], "").trim().to_owned()
}

/// A header cell or label as compared: no markup, no whitespace.
pub(crate) fn normalize(s: &str) -> String {
    strip_markup(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
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
    Err(ParseError {
        line: table.line,
        message: format!(
            "table header `| {} |` is not recognised: expected {}",
            texts(&table.header).join(" | "),
            expected.join(", or ")
        ),
    })
}

/// The index of column `name` (normalized) in the table's header.
fn column(table: &Table, name: &str) -> Option<usize> {
    table.header.iter().position(|h| normalize(&h.text) == name)
}

/// The cell at `index` of a row, or "" when the row is short.
fn cell_at(row: &[Cell], index: Option<usize>) -> String {
    index
        .and_then(|i| row.get(i))
        .map(|c| c.text.clone())
        .unwrap_or_default()
}

fn texts(cells: &[Cell]) -> Vec<&str> {
    cells.iter().map(|c| c.text.as_str()).collect()
}

fn system_info(table: &Table) -> Result<(String, String, Vec<UrlRow>), ParseError> {
    let (label_col, value_col) = (column(table, "항목"), column(table, "내용"));
    let mut transport = None;
    let mut result_format = None;
    let mut urls = Vec::new();
    for (n, row) in &table.rows {
        let label = strip_markup(&cell_at(row, label_col));
        let value = strip_markup(&cell_at(row, value_col));
        match normalize(&label).as_str() {
            "통신방식" => transport = Some(value),
            "결과형식" => result_format = Some(value),
            l if l.ends_with("URL") => {
                if value.is_empty() {
                    return Err(ParseError {
                        line: *n,
                        message: format!(
                            "`{label}` has no URL: expected e.g. `https://host/path/`"
                        ),
                    });
                }
                urls.push(UrlRow {
                    label,
                    url: value,
                    line: *n,
                });
            }
            _ => {}
        }
    }
    let need = |v: Option<String>, label: &str| {
        v.ok_or_else(|| ParseError {
            line: table.line,
            message: format!("the system-information table has no `{label}` row"),
        })
    };
    Ok((
        need(transport, "통신방식")?,
        need(result_format, "결과형식")?,
        urls,
    ))
}

fn revision_rows(table: &Table) -> Result<Vec<RevisionRow>, ParseError> {
    let (v, d, c, a) = (
        column(table, "버전"),
        column(table, "개정일자"),
        column(table, "개정내역"),
        column(table, "작성/개정자"),
    );
    let mut out: Vec<RevisionRow> = Vec::new();
    for (n, row) in &table.rows {
        let version = strip_markup(&cell_at(row, v));
        if version.is_empty() {
            return Err(ParseError {
                line: *n,
                message: "a revision with no version: expected e.g. `1.7`".into(),
            });
        }
        if let Some(first) = out.iter().find(|r| r.version == version) {
            return Err(ParseError {
                line: *n,
                message: format!("revision {version} again (first at line {})", first.line),
            });
        }
        let raw_date = cell_at(row, d);
        let date = normalize_date(&strip_markup(&raw_date)).ok_or_else(|| ParseError {
            line: *n,
            message: format!("revision date `{raw_date}` is not a date: expected YYYY-MM-DD"),
        })?;
        out.push(RevisionRow {
            version,
            date,
            change: cell_at(row, c),
            author: cell_at(row, a),
            line: *n,
        });
    }
    Ok(out)
}

fn code_rows(table: &Table) -> Result<Vec<CodeRow>, ParseError> {
    let (c, m, d) = (
        column(table, "코드"),
        column(table, "메시지"),
        column(table, "설명"),
    );
    let mut out: Vec<CodeRow> = Vec::new();
    for (n, row) in &table.rows {
        let raw = cell_at(row, c);
        let digits = strip_markup(&raw);
        if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError {
                line: *n,
                message: format!(
                    "code cell `{raw}` is not a number: expected one or two digits, e.g. `05`"
                ),
            });
        }
        let code = format!("{digits:0>2}");
        if let Some(first) = out.iter().find(|r| r.code == code) {
            return Err(ParseError {
                line: *n,
                message: format!("code {code} again (first at line {})", first.line),
            });
        }
        let message = cell_at(row, m);
        if message.is_empty() {
            return Err(ParseError {
                line: *n,
                message: format!("code {code} has no message: expected a 메시지 cell"),
            });
        }
        let description = Some(cell_at(row, d)).filter(|s| !s.is_empty());
        out.push(CodeRow {
            code,
            message,
            description,
            line: *n,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_drops_emoji_and_version() {
        assert_eq!(
            split_title("📘 COUFUN B2C 연동 매뉴얼 – 코드정의서 (Ver. 1.6)"),
            (
                "COUFUN B2C 연동 매뉴얼 – 코드정의서".into(),
                Some("1.6".into())
            )
        );
    }

    #[test]
    fn dates_accept_dots_and_short_parts() {
        assert_eq!(normalize_date("2020.8.21").as_deref(), Some("2020-08-21"));
        assert_eq!(normalize_date("2020-08-21").as_deref(), Some("2020-08-21"));
        assert_eq!(normalize_date("20200821"), None);
    }
}
