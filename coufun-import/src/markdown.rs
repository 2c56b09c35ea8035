//! The markdown under both manual readers: pulldown-cmark (tables extension)
//! splits a file into headings, tables, code and HTML blocks and prose lines,
//! each located by 1-based line (and a cell by 1-based column, in characters).

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// One table cell: its source text (trimmed, `\|` unescaped) and 1-based column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    pub text: String,
    pub column: usize,
}

/// One table: header cells, body rows, and the headings above it.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub line: usize,
    pub header: Vec<Cell>,
    /// False for lines starting with `|` with no delimiter row under the first
    /// (pulldown-cmark reads no table there): `rows` is then the line after the
    /// first, if any, with no cells.
    pub aligned: bool,
    /// Body rows with their lines; rows whose cells are all empty are left out.
    pub rows: Vec<(usize, Vec<Cell>)>,
    /// The headings above the table, nearest first.
    pub headings: Vec<String>,
}

impl Table {
    /// The index of the first header cell that is one of `names` (normalized).
    pub fn col(&self, names: &[&str]) -> Option<usize> {
        self.header
            .iter()
            .position(|h| names.contains(&normalize(&h.text).as_str()))
    }

    /// Each row's line and its cells under the columns `names` (a column by
    /// any of its names, as [`Table::col`] finds it), empty where a row is short.
    pub fn columns<const N: usize>(
        &self,
        names: [&[&str]; N],
    ) -> impl Iterator<Item = (usize, [Cell; N])> + use<'_, N> {
        let at = names.map(|names| self.col(names));
        self.rows
            .iter()
            .map(move |(n, row)| (*n, at.map(|i| cell(row, i))))
    }
}

/// `{what} again (first at line N)` when one of `rows`, seen as its key and
/// line, already has `key`.
pub(crate) fn again<T>(
    rows: &[T],
    seen: impl Fn(&T) -> (&String, usize),
    key: &str,
    what: &str,
) -> Option<String> {
    let (_, first) = rows.iter().map(seen).find(|(k, _)| *k == key)?;
    Some(format!("{what} again (first at line {first})"))
}

/// The cell at `index`, or an empty one at the row's end.
fn cell(row: &[Cell], index: Option<usize>) -> Cell {
    let end = row
        .last()
        .map_or(1, |c| c.column + c.text.chars().count() + 2);
    let empty = || Cell {
        text: String::new(),
        column: end,
    };
    index
        .and_then(|i| row.get(i))
        .cloned()
        .unwrap_or_else(empty)
}

/// A block of the file, in the file's order.
#[derive(Debug)]
pub(crate) enum Block<'a> {
    /// A heading; `text` is its source line without the `#` marks, trimmed.
    Heading { line: usize, text: &'a str },
    /// A table.
    Table(Table),
    /// A code block's lines (inside the fences); `closed` is false for a fence
    /// that runs to the end of the file.
    Code {
        line: usize,
        body: Vec<(usize, &'a str)>,
        closed: bool,
    },
    /// The lines of adjacent HTML blocks (e.g. an unfenced XML sample).
    Html(Vec<(usize, &'a str)>),
    /// A line outside every block above (paragraphs, list items, …), as written.
    Text { line: usize, text: &'a str },
}

/// The file's lines (without `\r`, 1-based through [`Doc::line`]) and blocks.
pub(crate) struct Doc<'a> {
    pub lines: Vec<&'a str>,
    pub blocks: Vec<Block<'a>>,
}

impl<'a> Doc<'a> {
    /// Line `n` (1-based), "" past the end.
    pub fn line(&self, n: usize) -> &'a str {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or("")
    }

    /// The text of the first level-1 heading, with its line.
    pub fn title(&self) -> Option<(usize, &'a str)> {
        self.blocks.iter().find_map(|b| match b {
            Block::Heading { line, text } if self.line(*line).trim().starts_with("# ") => {
                Some((*line, *text))
            }
            _ => None,
        })
    }
}

/// Reads `text` into its blocks.
pub(crate) fn parse(text: &str) -> Doc<'_> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut covered = vec![false; lines.len() + 2];
    // structural blocks by first line (BTreeMap: in the file's order)
    let mut found = std::collections::BTreeMap::new();
    let mut table: Option<Table> = None;
    let mut row: Option<(usize, Vec<Cell>)> = None;
    let mut html: Option<(usize, usize)> = None;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        let (first, last) = (
            line_of(range.start),
            line_of(range.end.max(range.start + 1) - 1),
        );
        let raw = |n: usize| lines.get(n - 1).copied().unwrap_or("");
        // only `#` headings: a setext one (text over `---`) stays prose lines
        let atx = raw(first).trim_start().starts_with('#');
        let block_start = match event {
            Event::Start(Tag::Heading { .. }) => atx,
            Event::Start(Tag::Table(_) | Tag::CodeBlock(_) | Tag::HtmlBlock) => true,
            _ => false,
        };
        match event {
            Event::Start(Tag::Heading { .. }) if atx => {
                let text = raw(first).trim().trim_start_matches('#').trim();
                found.insert(first, Block::Heading { line: first, text });
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(Table {
                    line: first,
                    aligned: true,
                    ..Table::default()
                });
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => row = Some((first, Vec::new())),
            Event::Start(Tag::TableCell) => {
                if let Some((n, cells)) = row.as_mut() {
                    let source = text.get(range.clone()).unwrap_or("");
                    let line_start = starts.get(*n - 1).copied().unwrap_or(0);
                    let before = text.get(line_start..range.start).unwrap_or("");
                    let lead = source.chars().take_while(|c| c.is_whitespace()).count();
                    cells.push(Cell {
                        text: source.trim().replace("\\|", "|"),
                        column: before.chars().count() + lead + 1,
                    });
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let (Some(t), Some((_, cells))) = (table.as_mut(), row.take()) {
                    t.header = cells;
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take())
                    && !r.1.iter().all(|c| c.text.is_empty())
                {
                    t.rows.push(r);
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    found.insert(t.line, Block::Table(t));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let fenced = matches!(kind, CodeBlockKind::Fenced(_));
                let fence = raw(first).trim_start().get(..3).unwrap_or("");
                let closed = !fenced || (last > first && raw(last).trim_start().starts_with(fence));
                let inner = if fenced {
                    first + 1..last + usize::from(!closed)
                } else {
                    first..last + 1
                };
                let body = inner.map(|n| (n, raw(n))).collect();
                found.insert(
                    first,
                    Block::Code {
                        line: first,
                        body,
                        closed,
                    },
                );
            }
            Event::Start(Tag::HtmlBlock) => match html.as_mut() {
                Some((_, end)) if *end + 1 >= first => *end = last,
                _ => {
                    flush_html(&mut html, &lines, &mut found);
                    html = Some((first, last));
                }
            },
            _ => {}
        }
        if block_start {
            covered[first..=last.min(lines.len())].fill(true);
        }
    }
    flush_html(&mut html, &lines, &mut found);
    let (mut blocks, mut headings) = (Vec::new(), Vec::new());
    // a line outside every block that starts like a table row
    let piped = |m: usize| !covered[m] && lines[m - 1].trim_start().starts_with('|');
    let mut n = 1;
    while n <= lines.len() {
        if let Some(mut block) = found.remove(&n) {
            match &mut block {
                Block::Heading { text, .. } => headings.insert(0, (*text).to_owned()),
                Block::Table(t) => t.headings.clone_from(&headings),
                _ => {}
            }
            blocks.push(block);
        } else if piped(n) {
            let next = Some(n + 1).filter(|m| *m <= lines.len() && piped(*m));
            let header = lines[n - 1].trim().trim_matches('|').split('|');
            let header = header.map(|h| Cell {
                text: h.trim().to_owned(),
                column: 1,
            });
            blocks.push(Block::Table(Table {
                line: n,
                header: header.collect(),
                aligned: false,
                rows: next.map(|m| (m, Vec::new())).into_iter().collect(),
                headings: headings.clone(),
            }));
            while n < lines.len() && piped(n + 1) {
                n += 1;
            }
        } else if !covered[n] {
            blocks.push(Block::Text {
                line: n,
                text: lines[n - 1],
            });
        }
        n += 1;
    }
    Doc { lines, blocks }
}

/// Puts the pending run of HTML lines `(first, last)` among the blocks.
fn flush_html<'a>(
    html: &mut Option<(usize, usize)>,
    lines: &[&'a str],
    found: &mut std::collections::BTreeMap<usize, Block<'a>>,
) {
    if let Some((first, last)) = html.take() {
        let body = (first..=last)
            .filter_map(|n| Some((n, *lines.get(n - 1)?)))
            .collect();
        found.insert(first, Block::Html(body));
    }
}

/// What every manual opens with: the title (without emoji and the trailing
/// `(Ver. x.y)`), the document version, the date of the last revision
/// (`YYYY-MM-DD`) and the publisher ("" when no line names one).
pub(crate) struct Front {
    pub title: String,
    pub version: String,
    pub date: String,
    pub publisher: String,
}

/// Reads the front matter: the title heading and the `**문서 버전:**`,
/// `**최종 개정일:**` and `**작성자:**` lines. An error is the line at fault (the
/// last one for something missing) and what was expected.
pub(crate) fn front(doc: &Doc<'_>) -> Result<Front, (usize, String)> {
    let last = doc.lines.len().max(1);
    let no_title = "no title: expected a first-level heading `# …`";
    let (title_line, heading) = doc.title().ok_or((last, no_title.to_owned()))?;
    let (title, title_version) = split_title(heading);
    let (mut version, mut date, mut publisher) = (None, None, String::new());
    for block in &doc.blocks {
        let Block::Text { line, text } = block else {
            continue;
        };
        let plain = strip_markup(text.trim());
        let Some((key, value)) = plain.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match normalize(key).as_str() {
            "문서버전" => version = Some((*line, value)),
            "최종개정일" => date = Some((*line, value)),
            "작성자" => publisher = value,
            _ => {}
        }
    }
    let version = match (version, title_version) {
        (Some((n, v)), _) if v.is_empty() => {
            let message = "the document version is empty: expected e.g. `1.7`";
            return Err((n, message.into()));
        }
        (Some((_, v)), _) | (None, Some(v)) => v,
        (None, None) => {
            let message = "no document version: expected a line `**문서 버전:** x.y` or a \
                           title ending in `(Ver. x.y)`";
            return Err((title_line, message.into()));
        }
    };
    let no_date = "no revision date: expected a line `**최종 개정일:** YYYY.MM.DD`";
    let (n, raw) = date.ok_or((last, no_date.to_owned()))?;
    let not_a_date = format!("`{raw}` is not a date: expected YYYY.MM.DD or YYYY-MM-DD");
    let date = normalize_date(&raw).ok_or((n, not_a_date))?;
    Ok(Front {
        title,
        version,
        date,
        publisher,
    })
}

/// `📘 Title (Ver. 1.6)` → (`Title`, `Some("1.6")`).
pub(crate) fn split_title(heading: &str) -> (String, Option<String>) {
    let heading = heading
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim();
    if let Some(open) = heading.rfind('(') {
        let lower = heading[open + 1..]
            .trim_end()
            .trim_end_matches(')')
            .to_ascii_lowercase();
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
    let digits = |p: &&str| p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && [m, d].iter().all(|p| (1..=2).contains(&p.len()))
                && parts.iter().all(digits) =>
        {
            Some(format!("{y}-{m:0>2}-{d:0>2}"))
        }
        _ => None,
    }
}

/// A code cell (`05`, `` `5` ``) as two ASCII digits (`05`); `None` when it is not one or two digits.
pub(crate) fn two_digits(cell: &str) -> Option<String> {
    let digits = strip_markup(cell);
    let ok = (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| format!("{digits:0>2}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_over_a_rule_stays_prose_not_a_setext_heading() {
        let doc = parse("# T (Ver. 1.0)\n\n**최종 개정일:** 2020.08.21\n**문서 버전:** 1.6\n---\n");
        let front = front(&doc).map_err(|e| e.1);
        assert_eq!(
            front.map(|f| (f.version, f.date)),
            Ok(("1.6".into(), "2020-08-21".into()))
        );
    }

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

    #[test]
    fn cells_carry_their_columns() {
        let doc = parse("| a | b | c |\n|--|--|--|\n| `A` |  10 byte | 선 택 |\n");
        let Some(Block::Table(t)) = doc.blocks.first() else {
            panic!("{:?}", doc.blocks);
        };
        let got: Vec<(&str, usize)> = t.rows[0]
            .1
            .iter()
            .map(|c| (c.text.as_str(), c.column))
            .collect();
        assert_eq!(got, vec![("`A`", 3), ("10 byte", 10), ("선 택", 20)]);
    }

    #[test]
    fn cells_honour_escaped_pipes_and_short_rows() {
        let doc = parse("| a | b |\n|--|--|\n| x \\| y |\n");
        let Some(Block::Table(t)) = doc.blocks.first() else {
            panic!("{:?}", doc.blocks);
        };
        let got: Vec<&str> = t.rows[0].1.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(got, vec!["x | y", ""]);
    }

    #[test]
    fn blocks_are_located() {
        let doc = parse("# T\r\n\ntext\n\n```xml\n<A/>\n```\n| h |\n| r |\n");
        let got: Vec<String> = doc.blocks.iter().map(|b| format!("{b:?}")).collect();
        assert_eq!(
            got,
            vec![
                "Heading { line: 1, text: \"T\" }",
                "Text { line: 2, text: \"\" }",
                "Text { line: 3, text: \"text\" }",
                "Text { line: 4, text: \"\" }",
                "Code { line: 5, body: [(6, \"<A/>\")], closed: true }",
                "Table(Table { line: 8, header: [Cell { text: \"h\", column: 1 }], aligned: false, \
                 rows: [(9, [])], headings: [\"T\"] })",
                "Text { line: 10, text: \"\" }",
            ]
        );
    }
}
