//! Merges a parsed manual into the text of `spec/result_codes.toml`: replaces
//! what the manual owns, keeps what we own, marks what a human must still
//! write, and records every change in a [`ManualDiff`]. Comments and layout
//! survive because the file is edited through `toml_edit`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use coufun_codegen::{
    ENDPOINTS_PATH, NEEDS_HUMAN, RESULT_CODES_PATH, Spec, SpecSource, SpecSources,
};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::diff::{AddedCode, AddedRevision, Change, ManualDiff, RemovedCode};
use crate::interface_diff::InterfaceDiff;
use crate::interface_import::{self, MapError, SpecTexts};
use crate::interface_md::{self, Detected};
use crate::manual_md::{self, ManualDoc};

/// The category a code new to the spec gets until a human picks one.
pub const DEFAULT_CATEGORY: &str = "server";
/// The retry class a code new to the spec gets: never resend what we do not know.
pub const DEFAULT_RETRY: &str = "never";
/// The key that marks a code the manual no longer lists.
pub const REMOVED_IN: &str = "removed_in";
/// What the manual's description says when the code means "contact the administrator".
pub const CONTACT_ADMIN_MARK: &str = "(관리자 문의)";

/// What to do with a code the spec has and the manual no longer lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingCodes {
    /// Keep it in the spec (the default): servers may still answer it.
    #[default]
    Keep,
    /// Remove it from the spec.
    Remove,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file could not be read or written.
    #[error("{path}: cannot be read or written")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The manual could not be parsed.
    #[error("{path}:{error}")]
    Manual {
        /// The manual file.
        path: String,
        /// The located problem.
        error: manual_md::ParseError,
    },
    /// The interface manual could not be parsed.
    #[error("{path}:{error}")]
    InterfaceManual {
        /// The manual file.
        path: String,
        /// The located problem.
        error: interface_md::ParseError,
    },
    /// The file is neither the code-definition manual nor an interface manual.
    #[error(
        "{0}: not a COUFUN manual: expected a title `# … 연동 매뉴얼 – 코드정의서|상품정보|쿠폰생성|\
         쿠폰상태조회|쿠폰취소|교환정보 (Ver. x.y)`"
    )]
    NotAManual(String),
    /// The interface manual does not fit the spec.
    #[error(transparent)]
    Map(#[from] MapError),
    /// The spec is not TOML.
    #[error("{RESULT_CODES_PATH}: not TOML")]
    SpecSyntax(#[from] toml_edit::TomlError),
    /// The spec lacks a table the import writes into.
    #[error("{RESULT_CODES_PATH}: expected {0}")]
    SpecShape(&'static str),
    /// A `… URL` row of the manual matches no `[[environments]]` entry.
    #[error(
        "{path}:line {line}: the URL row `{label}` matches no [[environments]] label_ko in \
         {RESULT_CODES_PATH}: expected `상용 URL` or `테스트 URL`, or add an environment with that label_ko first"
    )]
    UnknownUrl {
        /// The manual file.
        path: String,
        /// 1-based line of the row.
        line: usize,
        /// The row's label.
        label: String,
    },
}

/// The merged spec text and what changed.
#[derive(Debug, Clone)]
pub struct Merged {
    /// What the import changes.
    pub diff: ManualDiff,
    /// The new contents of `spec/result_codes.toml`.
    pub text: String,
}

/// Merges `manual` (read from `manual_path`, named in errors) into `spec_text`.
pub fn merge(
    spec_text: &str,
    manual: &ManualDoc,
    manual_path: &str,
    missing: MissingCodes,
) -> Result<Merged, ImportError> {
    let mut doc: DocumentMut = spec_text.parse()?;
    let mut diff = ManualDiff::default();
    merge_manual(&mut doc, manual, &mut diff)?;
    merge_urls(&mut doc, manual, manual_path, &mut diff)?;
    merge_codes(&mut doc, manual, missing, &mut diff)?;
    Ok(Merged {
        diff,
        text: doc.to_string(),
    })
}

/// A mark that validation refuses, saying what the human must write.
pub fn needs_human(what: &str) -> String {
    format!("{NEEDS_HUMAN}: {what}")
}

/// Sets `key` to `new` keeping the old value's decor; returns the old value
/// ("" when absent) when it changed.
fn set_value(table: &mut Table, key: &str, new: Value) -> Option<String> {
    let show = |v: &Value| match v.as_str() {
        Some(s) => s.to_owned(),
        None => v.to_string().trim().to_owned(),
    };
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let same = match (old.as_str(), new.as_str()) {
                (Some(a), Some(b)) => a == b,
                _ => old.as_bool().is_some() && old.as_bool() == new.as_bool(),
            };
            if same {
                return None;
            }
            let before = show(old);
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
            Some(before)
        }
        None => {
            table.insert(key, Item::Value(new));
            Some(String::new())
        }
    }
}

fn get_str<'t>(table: &'t Table, key: &str) -> &'t str {
    table.get(key).and_then(Item::as_str).unwrap_or("")
}

fn array_of_tables<'d>(
    table: &'d mut Table,
    key: &str,
    shape: &'static str,
) -> Result<&'d mut ArrayOfTables, ImportError> {
    table
        .get_mut(key)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or(ImportError::SpecShape(shape))
}

/// Keeps a rebuilt array where the old one stood, in its new order.
fn anchor(tables: &mut ArrayOfTables, position: Option<isize>) {
    for t in tables.iter_mut() {
        t.set_position(position);
    }
}

fn merge_manual(
    doc: &mut DocumentMut,
    m: &ManualDoc,
    diff: &mut ManualDiff,
) -> Result<(), ImportError> {
    let table = doc
        .get_mut("manual")
        .and_then(Item::as_table_mut)
        .ok_or(ImportError::SpecShape("a [manual] table"))?;
    for (key, new) in [
        ("version", &m.version),
        ("revised", &m.revised),
        ("title", &m.title),
        ("publisher", &m.publisher),
        ("transport", &m.transport),
        ("result_format", &m.result_format),
    ] {
        if let Some(old) = set_value(table, key, Value::from(new.as_str())) {
            diff.manual.push(Change {
                what: key.into(),
                old,
                new: new.clone(),
                note: None,
            });
        }
    }

    let old = std::mem::take(array_of_tables(
        table,
        "revisions",
        "[[manual.revisions]] entries",
    )?);
    let position = old.iter().next().and_then(Table::position);
    let mut by_version: BTreeMap<String, Table> = old
        .iter()
        .map(|t| (get_str(t, "version").to_owned(), t.clone()))
        .collect();
    let mut rebuilt = ArrayOfTables::new();
    for r in &m.revisions {
        match by_version.remove(&r.version) {
            Some(mut t) => {
                for (key, new) in [
                    ("date", &r.date),
                    ("change_ko", &r.change),
                    ("author", &r.author),
                ] {
                    if let Some(old) = set_value(&mut t, key, Value::from(new.as_str())) {
                        let note = (key == "change_ko").then(|| {
                            format!(
                                "English kept, review: change_en = {:?}",
                                get_str(&t, "change_en")
                            )
                        });
                        diff.revisions_changed.push(Change {
                            what: format!("{} {key}", r.version),
                            old,
                            new: new.clone(),
                            note,
                        });
                    }
                }
                rebuilt.push(t);
            }
            None => {
                let mut t = Table::new();
                t.insert("version", toml_edit::value(r.version.as_str()));
                t.insert("date", toml_edit::value(r.date.as_str()));
                t.insert("change_ko", toml_edit::value(r.change.as_str()));
                t.insert(
                    "change_en",
                    toml_edit::value(needs_human(&format!("translate `{}`", r.change))),
                );
                t.insert("author", toml_edit::value(r.author.as_str()));
                t.decor_mut().set_prefix("\n");
                rebuilt.push(t);
                diff.revisions_added.push(AddedRevision {
                    version: r.version.clone(),
                    date: r.date.clone(),
                    change_ko: r.change.clone(),
                    author: r.author.clone(),
                });
            }
        }
    }
    for (version, t) in by_version {
        diff.revisions_changed.push(Change {
            what: format!("{version} (not in the manual; removed)"),
            old: get_str(&t, "change_ko").to_owned(),
            new: String::new(),
            note: None,
        });
    }
    anchor(&mut rebuilt, position);
    *array_of_tables(table, "revisions", "[[manual.revisions]] entries")? = rebuilt;
    Ok(())
}

/// The environment a URL row updates: by the spec's `label_ko`, else by the
/// manual's usual labels.
fn environment_index(envs: &ArrayOfTables, label: &str) -> Option<usize> {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let wanted = squash(label);
    envs.iter()
        .position(|t| squash(get_str(t, "label_ko")) == wanted)
        .or_else(|| {
            let name = match wanted.as_str() {
                "상용URL" => "production",
                "테스트URL" => "test",
                _ => return None,
            };
            envs.iter().position(|t| get_str(t, "name") == name)
        })
}

fn merge_urls(
    doc: &mut DocumentMut,
    m: &ManualDoc,
    manual_path: &str,
    diff: &mut ManualDiff,
) -> Result<(), ImportError> {
    let envs = array_of_tables(
        doc.as_table_mut(),
        "environments",
        "[[environments]] entries",
    )?;
    for row in &m.urls {
        let index = environment_index(envs, &row.label).ok_or_else(|| ImportError::UnknownUrl {
            path: manual_path.to_owned(),
            line: row.line,
            label: row.label.clone(),
        })?;
        let Some(env) = envs.get_mut(index) else {
            continue;
        };
        let name = get_str(env, "name").to_owned();
        for (key, new) in [("url", &row.url), ("label_ko", &row.label)] {
            if let Some(old) = set_value(env, key, Value::from(new.as_str())) {
                diff.urls.push(Change {
                    what: format!("{name} {key}"),
                    old,
                    new: new.clone(),
                    note: None,
                });
            }
        }
    }
    Ok(())
}

fn merge_codes(
    doc: &mut DocumentMut,
    m: &ManualDoc,
    missing: MissingCodes,
    diff: &mut ManualDiff,
) -> Result<(), ImportError> {
    let old = std::mem::take(array_of_tables(
        doc.as_table_mut(),
        "codes",
        "[[codes]] entries",
    )?);
    let position = old.iter().next().and_then(Table::position);
    let in_manual: BTreeMap<&str, usize> = m
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();

    // A code the manual dropped stays after the code that preceded it in the spec.
    let mut by_code: BTreeMap<String, Table> = BTreeMap::new();
    let mut kept_after: BTreeMap<Option<usize>, Vec<Table>> = BTreeMap::new();
    let mut previous: Option<usize> = None;
    for t in old.iter() {
        let code = get_str(t, "code").to_owned();
        match in_manual.get(code.as_str()) {
            Some(&i) => {
                previous = Some(i);
                by_code.insert(code, t.clone());
            }
            None => {
                let kept = missing == MissingCodes::Keep;
                let mut t = t.clone();
                // a code already marked as dropped is old news, unless it goes now
                let marked = t.contains_key(REMOVED_IN);
                if kept && !marked {
                    set_value(&mut t, REMOVED_IN, Value::from(m.version.as_str()));
                }
                if !(kept && marked) {
                    diff.codes_removed.push(RemovedCode {
                        code: code.clone(),
                        variant: get_str(&t, "variant").to_owned(),
                        message_ko: get_str(&t, "message_ko").to_owned(),
                        removed_in: kept.then(|| m.version.clone()),
                    });
                }
                if kept {
                    kept_after.entry(previous).or_default().push(t);
                }
            }
        }
    }

    let mut rebuilt = ArrayOfTables::new();
    for t in kept_after.remove(&None).unwrap_or_default() {
        rebuilt.push(t);
    }
    for (i, row) in m.codes.iter().enumerate() {
        let description = row.description.clone().unwrap_or_default();
        let contact_admin = description.contains(CONTACT_ADMIN_MARK);
        match by_code.remove(&row.code) {
            Some(mut t) => {
                let variant = get_str(&t, "variant").to_owned();
                for (key, new, english) in [
                    ("message_ko", &row.message, "message_en"),
                    ("description_ko", &description, "description_en"),
                ] {
                    if let Some(old) = set_value(&mut t, key, Value::from(new.as_str())) {
                        diff.codes_changed.push(Change {
                            what: format!("{} {variant} {key}", row.code),
                            old,
                            new: new.clone(),
                            note: Some(format!(
                                "English kept, review: {english} = {:?}",
                                get_str(&t, english)
                            )),
                        });
                    }
                }
                if let Some(old) = set_value(&mut t, "contact_admin", Value::from(contact_admin)) {
                    diff.codes_changed.push(Change {
                        what: format!("{} {variant} contact_admin", row.code),
                        old,
                        new: contact_admin.to_string(),
                        note: None,
                    });
                }
                if let Some(old) = t.remove(REMOVED_IN) {
                    diff.codes_changed.push(Change {
                        what: format!("{} {variant} {REMOVED_IN}", row.code),
                        old: old.as_str().unwrap_or_default().to_owned(),
                        new: String::new(),
                        note: Some("the manual lists the code again".into()),
                    });
                }
                rebuilt.push(t);
            }
            None => {
                rebuilt.push(new_code(row, &description, contact_admin, &m.version));
                diff.codes_added.push(AddedCode {
                    code: row.code.clone(),
                    message_ko: row.message.clone(),
                    description_ko: description.clone(),
                });
            }
        }
        for t in kept_after.remove(&Some(i)).unwrap_or_default() {
            rebuilt.push(t);
        }
    }
    anchor(&mut rebuilt, position);
    *array_of_tables(doc.as_table_mut(), "codes", "[[codes]] entries")? = rebuilt;
    Ok(())
}

/// The `[[codes]]` entry of a code new to the spec: the manual's texts, our
/// fields marked or defaulted, and a comment saying which defaults to review.
fn new_code(
    row: &manual_md::CodeRow,
    description: &str,
    contact_admin: bool,
    version: &str,
) -> Table {
    let mut t = Table::new();
    use toml_edit::value as v;
    t.insert("code", v(row.code.as_str()));
    t.insert(
        "variant",
        v(needs_human(&format!(
            "UpperCamelCase name for code {}",
            row.code
        ))),
    );
    t.insert("message_ko", v(row.message.as_str()));
    t.insert("description_ko", v(description));
    t.insert(
        "message_en",
        v(needs_human(&format!("English for `{}`", row.message))),
    );
    t.insert(
        "description_en",
        v(needs_human(&format!("English for `{description}`"))),
    );
    t.insert("category", v(DEFAULT_CATEGORY));
    t.insert("retry", v(DEFAULT_RETRY));
    t.insert("contact_admin", v(contact_admin));
    t.insert("since", v(version));
    t.decor_mut().set_prefix(format!(
        "\n# New in manual {version}: category = \"{DEFAULT_CATEGORY}\" and retry = \
         \"{DEFAULT_RETRY}\" are import defaults; review them, then delete this comment.\n"
    ));
    t
}

/// How `run` treats the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Write nothing; only report.
    pub dry_run: bool,
    /// What to do with codes the manual no longer lists.
    pub missing: MissingCodes,
}

/// The diff of either kind of manual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyDiff {
    /// The code-definition manual against `spec/result_codes.toml`.
    Codes(ManualDiff),
    /// An interface manual against `spec/endpoints.toml`.
    Interface(InterfaceDiff),
}

impl AnyDiff {
    /// True when the spec already says what the manual says.
    pub fn is_empty(&self) -> bool {
        match self {
            AnyDiff::Codes(d) => d.is_empty(),
            AnyDiff::Interface(d) => d.is_empty(),
        }
    }
}

impl std::fmt::Display for AnyDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnyDiff::Codes(d) => d.fmt(f),
            AnyDiff::Interface(d) => d.fmt(f),
        }
    }
}

/// What `run` did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The changes (applied, or that would be applied under `dry_run`).
    pub diff: AnyDiff,
    /// Whether a spec file was rewritten.
    pub wrote: bool,
    /// The spec files the manual maps onto.
    pub files: Vec<&'static str>,
    /// What the spec would still need before `cargo xtask codegen` accepts it
    /// (the `NEEDS HUMAN` marks, located), empty when it is valid.
    pub todo: Vec<String>,
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), ImportError> {
    std::fs::write(path, text).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Reads the manual at `manual_path`, recognises which manual it is, merges it
/// into the spec below `root`, and (unless `dry_run`) writes the result. Nothing
/// is written when anything fails.
pub fn run(root: &Path, manual_path: &Path, options: Options) -> Result<Outcome, ImportError> {
    let shown = manual_path.display().to_string();
    let text = read(manual_path)?;
    match interface_md::detect(&text) {
        Some(Detected::Interface(_)) => run_interface(root, &text, &shown, options),
        Some(Detected::CodeDefinition) => run_codes(root, &text, &shown, options),
        None => Err(ImportError::NotAManual(shown)),
    }
}

fn run_codes(
    root: &Path,
    text: &str,
    shown: &str,
    options: Options,
) -> Result<Outcome, ImportError> {
    let manual = manual_md::parse(text).map_err(|error| ImportError::Manual {
        path: shown.to_owned(),
        error,
    })?;
    let spec_path = root.join(RESULT_CODES_PATH);
    let spec_text = read(&spec_path)?;
    let merged = merge(&spec_text, &manual, shown, options.missing)?;
    let endpoints = read(&root.join(ENDPOINTS_PATH))?;
    // The code manual touches the result codes alone; they are checked against
    // the endpoints on disk, the only other spec file.
    let todo = match Spec::parse(SpecSources {
        result_codes: SpecSource::new(RESULT_CODES_PATH, merged.text.as_str()),
        endpoints: SpecSource::new(ENDPOINTS_PATH, endpoints),
    }) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    };
    let wrote = !options.dry_run && merged.text != spec_text;
    if wrote {
        write(&spec_path, &merged.text)?;
    }
    Ok(Outcome {
        diff: AnyDiff::Codes(merged.diff),
        wrote,
        files: vec![RESULT_CODES_PATH],
        todo,
    })
}

fn run_interface(
    root: &Path,
    text: &str,
    shown: &str,
    options: Options,
) -> Result<Outcome, ImportError> {
    let manual = interface_md::parse(text).map_err(|error| ImportError::InterfaceManual {
        path: shown.to_owned(),
        error,
    })?;
    let endpoints_path = root.join(ENDPOINTS_PATH);
    let endpoints = read(&endpoints_path)?;
    let codes = read(&root.join(RESULT_CODES_PATH))?;
    let merged = interface_import::merge(
        &SpecTexts {
            result_codes: &codes,
            endpoints: &endpoints,
        },
        &manual,
        options.missing,
    )?;
    // the marks, whatever else validation says (it may stop before reaching them)
    let mut todo: Vec<String> = Vec::new();
    let sources = [SpecSource::new(ENDPOINTS_PATH, merged.endpoints.as_str())];
    for source in &sources {
        todo.extend(
            coufun_codegen::validate::needs_human_marks(source)
                .iter()
                .map(ToString::to_string),
        );
    }
    let checked = Spec::parse(SpecSources {
        result_codes: SpecSource::new(RESULT_CODES_PATH, codes),
        endpoints: SpecSource::new(ENDPOINTS_PATH, merged.endpoints.as_str()),
    });
    if let Err(errors) = checked {
        for e in errors.0.iter().map(ToString::to_string) {
            if !todo.contains(&e) {
                todo.push(e);
            }
        }
    }
    let files = vec![ENDPOINTS_PATH];
    let writes = [(endpoints_path, endpoints, merged.endpoints)];
    let mut wrote = false;
    if !options.dry_run {
        for (path, old, new) in &writes {
            if old != new {
                write(path, new)?;
                wrote = true;
            }
        }
    }
    Ok(Outcome {
        diff: AnyDiff::Interface(merged.diff),
        wrote,
        files,
        todo,
    })
}
