//! Merges a parsed code-definition manual into `spec/result_codes.toml`: the
//! file is read into coufun-codegen's model, the typed values the manual owns
//! are replaced, what we own is kept, what a human must still write is marked,
//! and every change is recorded in a [`ManualDiff`]. The typed result is
//! written back through [`entry::write`], so comments and layout survive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use coufun_codegen::model::{
    Category, CodeEntry, EnvironmentEntry, Manual, ResultCodesFile, RetryClass, Revision, Spanned,
};
use coufun_codegen::{
    ENDPOINTS_PATH, NEEDS_HUMAN, RESULT_CODES_PATH, Spec, SpecSource, SpecSources,
};
use toml_edit::DocumentMut;

use crate::diff::{AddedCode, AddedRevision, Change, ManualDiff, RemovedCode};
use crate::entry::{self, Comments, EntryError};
use crate::interface_diff::InterfaceDiff;
use crate::interface_import::{self, MapError, SpecTexts};
use crate::interface_md::{self, Detected};
use crate::manual_md::{self, ManualDoc};

/// The category a code new to the spec gets until a human picks one.
pub const DEFAULT_CATEGORY: Category = Category::Server;
/// The retry class a code new to the spec gets: never resend what we do not know.
pub const DEFAULT_RETRY: RetryClass = RetryClass::Never;
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
    /// The spec does not fit the model (a table missing, a value of the wrong type).
    #[error("{RESULT_CODES_PATH}: does not fit the spec's model")]
    SpecModel(#[from] toml::de::Error),
    /// The merged values could not be written.
    #[error(transparent)]
    Write(#[from] EntryError),
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
    let old: ResultCodesFile = toml::from_str(spec_text)?;
    let mut new = old.clone();
    let mut diff = ManualDiff::default();
    merge_manual(&mut new.manual, manual, &mut diff)?;
    merge_urls(&mut new.environments, manual, manual_path, &mut diff)?;
    let comments = merge_codes(&mut new.codes, manual, missing, &mut diff)?;
    entry::write(doc.as_table_mut(), &old, &new, &comments)?;
    Ok(Merged {
        diff,
        text: doc.to_string(),
    })
}

/// A mark that validation refuses, saying what the human must write.
pub fn needs_human(what: &str) -> String {
    format!("{NEEDS_HUMAN}: {what}")
}

/// [`needs_human`] of a `format!`, as a value new to the spec.
macro_rules! human {
    ($($arg:tt)*) => {
        $crate::import::new($crate::import::needs_human(&format!($($arg)*)))
    };
}
pub(crate) use human;

/// A value new to the spec (it has no place in the file yet).
pub(crate) fn new<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// What changed from `old` to `entry`, as the diff lists it, `what` prefixed: a
/// Korean text that changes carries a note naming the English we keep (the `_en`
/// twin of its `_ko` key).
fn listed<T: serde::Serialize>(
    prefix: &str,
    old: &T,
    entry: &T,
) -> Result<Vec<Change>, EntryError> {
    entry::changes(old, entry)?
        .into_iter()
        .map(|c| {
            let note = match c.key.strip_suffix("_ko") {
                Some(stem) => {
                    let english = format!("{stem}_en");
                    let kept = entry::shown(entry, &english)?.unwrap_or_default();
                    Some(format!("English kept, review: {english} = {kept:?}"))
                }
                None if c.removed => Some("the manual lists the code again".to_owned()),
                None => None,
            };
            Ok(Change {
                what: format!("{prefix}{}", c.key),
                old: c.old,
                new: c.new,
                note,
            })
        })
        .collect()
}

fn merge_manual(
    manual: &mut Manual,
    m: &ManualDoc,
    diff: &mut ManualDiff,
) -> Result<(), EntryError> {
    let old = manual.clone();
    manual.title = new(m.title.clone());
    manual.version = new(m.version.clone());
    manual.revised = new(m.revised.clone());
    manual.publisher.clone_from(&m.publisher);
    manual.transport.clone_from(&m.transport);
    manual.result_format.clone_from(&m.result_format);
    diff.manual = listed("", &old, manual)?;

    let mut by_version: BTreeMap<String, Revision> = std::mem::take(&mut manual.revisions)
        .into_iter()
        .map(|r| (r.version.get_ref().clone(), r))
        .collect();
    for r in &m.revisions {
        match by_version.remove(&r.version) {
            Some(old) => {
                let mut kept = old.clone();
                kept.date.clone_from(&r.date);
                kept.change_ko = new(r.change.clone());
                kept.author.clone_from(&r.author);
                let prefix = format!("{} ", r.version);
                diff.revisions_changed.extend(listed(&prefix, &old, &kept)?);
                manual.revisions.push(kept);
            }
            None => {
                manual.revisions.push(Revision {
                    version: new(r.version.clone()),
                    date: r.date.clone(),
                    change_ko: new(r.change.clone()),
                    change_en: human!("translate `{}`", r.change),
                    author: r.author.clone(),
                });
                diff.revisions_added.push(AddedRevision {
                    version: r.version.clone(),
                    date: r.date.clone(),
                    change_ko: r.change.clone(),
                    author: r.author.clone(),
                });
            }
        }
    }
    for (version, r) in by_version {
        diff.revisions_changed.push(Change {
            what: format!("{version} (not in the manual; removed)"),
            old: r.change_ko.into_inner(),
            new: String::new(),
            note: None,
        });
    }
    Ok(())
}

/// The environment a URL row updates: by the spec's `label_ko`, else by the
/// manual's usual labels.
fn environment_index(envs: &[EnvironmentEntry], label: &str) -> Option<usize> {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let wanted = squash(label);
    envs.iter()
        .position(|e| squash(&e.label_ko) == wanted)
        .or_else(|| {
            let name = match wanted.as_str() {
                "상용URL" => "production",
                "테스트URL" => "test",
                _ => return None,
            };
            envs.iter().position(|e| e.name.get_ref() == name)
        })
}

fn merge_urls(
    envs: &mut [EnvironmentEntry],
    m: &ManualDoc,
    manual_path: &str,
    diff: &mut ManualDiff,
) -> Result<(), ImportError> {
    for row in &m.urls {
        let index = environment_index(envs, &row.label).ok_or_else(|| ImportError::UnknownUrl {
            path: manual_path.to_owned(),
            line: row.line,
            label: row.label.clone(),
        })?;
        let Some(env) = envs.get_mut(index) else {
            continue;
        };
        let old = env.clone();
        env.url = new(row.url.clone());
        env.label_ko.clone_from(&row.label);
        let prefix = format!("{} ", env.name.get_ref());
        diff.urls.extend(listed(&prefix, &old, env)?);
    }
    Ok(())
}

fn merge_codes(
    codes: &mut Vec<CodeEntry>,
    m: &ManualDoc,
    missing: MissingCodes,
    diff: &mut ManualDiff,
) -> Result<Comments, ImportError> {
    let kept = missing == MissingCodes::Keep;
    // Each code with where it goes: a code of the manual at its row, a code
    // the manual dropped (when kept) right after the code that preceded it in
    // the spec.
    let mut placed: Vec<(Option<usize>, bool, CodeEntry)> = Vec::new();
    let mut previous: Option<usize> = None;
    for mut c in std::mem::take(codes) {
        if let Some(i) = m.codes.iter().position(|r| r.code == c.code()) {
            previous = Some(i);
            placed.push((previous, false, c));
            continue;
        }
        // a code already marked as dropped is old news, unless it goes now
        let marked = c.removed_in.is_some();
        if kept && !marked {
            c.removed_in = Some(new(m.version.clone()));
        }
        if !(kept && marked) {
            diff.codes_removed.push(RemovedCode {
                code: c.code().to_owned(),
                variant: c.variant().to_owned(),
                message_ko: c.message_ko.get_ref().clone(),
                removed_in: kept.then(|| m.version.clone()),
            });
        }
        if kept {
            placed.push((previous, true, c));
        }
    }

    let mut comments = Comments::new();
    for (i, row) in m.codes.iter().enumerate() {
        let description = row.description.clone().unwrap_or_default();
        let contact_admin = description.contains(CONTACT_ADMIN_MARK);
        if let Some((_, _, c)) = placed.iter_mut().find(|(_, _, c)| c.code() == row.code) {
            let old = c.clone();
            c.message_ko = new(row.message.clone());
            c.description_ko = new(description);
            c.contact_admin = contact_admin;
            c.removed_in = None;
            let prefix = format!("{} {} ", row.code, c.variant());
            diff.codes_changed.extend(listed(&prefix, &old, c)?);
            continue;
        }
        let (category, retry) = (
            entry::to_value(&DEFAULT_CATEGORY)?,
            entry::to_value(&DEFAULT_RETRY)?,
        );
        comments.insert(
            row.code.clone(),
            format!(
                "# New in manual {}: category = {category} and retry = {retry} are \
                 import defaults; review them, then delete this comment.",
                m.version
            ),
        );
        let c = new_code(row, &description, contact_admin, &m.version);
        placed.push((Some(i), false, c));
        diff.codes_added.push(AddedCode {
            code: row.code.clone(),
            message_ko: row.message.clone(),
            description_ko: description.clone(),
        });
    }
    placed.sort_by_key(|(at, dropped, _)| (*at, *dropped));
    codes.extend(placed.into_iter().map(|(_, _, c)| c));
    Ok(comments)
}

/// The `[[codes]]` entry of a code new to the spec: the manual's texts, our
/// fields marked or defaulted.
fn new_code(
    row: &manual_md::CodeRow,
    description: &str,
    contact_admin: bool,
    version: &str,
) -> CodeEntry {
    CodeEntry {
        code: new(row.code.clone()),
        variant: human!("UpperCamelCase name for code {}", row.code),
        message_ko: new(row.message.clone()),
        description_ko: new(description.to_owned()),
        message_en: human!("English for `{}`", row.message),
        description_en: human!("English for `{description}`"),
        category: DEFAULT_CATEGORY,
        retry: DEFAULT_RETRY,
        contact_admin,
        since: Some(new(version.to_owned())),
        changed_in: None,
        removed_in: None,
        after_lost_answer_ko: None,
        after_lost_answer_en: None,
        action_ko: None,
        action_en: None,
    }
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

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    |source| ImportError::Io {
        path: path.to_owned(),
        source,
    }
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(io_error(path))
}

/// Writes `new` over `old` at `path` unless `dry_run` or it is `old`; whether it wrote.
fn write_changed(path: &Path, old: &str, new: &str, dry_run: bool) -> Result<bool, ImportError> {
    let wrote = !dry_run && new != old;
    if wrote {
        std::fs::write(path, new).map_err(io_error(path))?;
    }
    Ok(wrote)
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
    Ok(Outcome {
        diff: AnyDiff::Codes(merged.diff),
        wrote: write_changed(&spec_path, &spec_text, &merged.text, options.dry_run)?,
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
    let source = SpecSource::new(ENDPOINTS_PATH, merged.endpoints.as_str());
    let mut todo: Vec<String> = coufun_codegen::validate::needs_human_marks(&source)
        .iter()
        .map(ToString::to_string)
        .collect();
    let checked = Spec::parse(SpecSources {
        result_codes: SpecSource::new(RESULT_CODES_PATH, codes),
        endpoints: source,
    });
    if let Err(errors) = checked {
        for e in errors.0.iter().map(ToString::to_string) {
            if !todo.contains(&e) {
                todo.push(e);
            }
        }
    }
    let wrote = write_changed(
        &endpoints_path,
        &endpoints,
        &merged.endpoints,
        options.dry_run,
    )?;
    Ok(Outcome {
        diff: AnyDiff::Interface(merged.diff),
        wrote,
        files: vec![ENDPOINTS_PATH],
        todo,
    })
}
