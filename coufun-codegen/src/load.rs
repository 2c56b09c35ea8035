//! Reading the three spec files into the [`model`](crate::model), with located errors.

use std::path::Path;

use crate::diagnostic::{SpecError, SpecErrors};
use crate::model::{EndpointsFile, ResultCodesFile};
use crate::notice_model::NoticeSpec;
use crate::{ENDPOINTS_PATH, NOTICES_PATH, RESULT_CODES_PATH, validate};

/// The text of one spec file and the name errors call it by.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// The file's name in messages, e.g. `spec/result_codes.toml`.
    pub name: String,
    /// Its contents.
    pub text: String,
}

impl SpecSource {
    /// A source named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SpecSource {
            name: name.into(),
            text: text.into(),
        }
    }

    /// An error at byte `offset` of this file.
    pub fn error_at(
        &self,
        offset: usize,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> SpecError {
        SpecError::at(&self.name, &self.text, offset, key, message)
    }
}

impl From<coufun_spec::SpecFile> for SpecSource {
    /// An embedded file under its workspace path.
    fn from(file: coufun_spec::SpecFile) -> Self {
        SpecSource::new(file.path, file.text)
    }
}

/// The three spec files [`Spec::parse`] reads, each with the name its errors carry.
///
/// Replace one file and keep the others as compiled in:
///
/// ```
/// use coufun_codegen::{ENDPOINTS_PATH, Spec, SpecSource, SpecSources};
///
/// let sources = SpecSources {
///     endpoints: SpecSource::new(ENDPOINTS_PATH, "not = [toml"),
///     ..SpecSources::embedded()
/// };
/// let errors = Spec::parse(sources).unwrap_err();
/// assert!(errors.0.iter().all(|e| e.file == ENDPOINTS_PATH));
/// ```
#[derive(Debug, Clone)]
pub struct SpecSources {
    /// `spec/result_codes.toml`.
    pub result_codes: SpecSource,
    /// `spec/endpoints.toml`.
    pub endpoints: SpecSource,
    /// `spec/notifications.toml`.
    pub notifications: SpecSource,
}

impl SpecSources {
    /// The three files as they stood when this crate was compiled (from the
    /// `coufun-spec` crate), under their workspace paths.
    pub fn embedded() -> Self {
        SpecSources {
            result_codes: coufun_spec::RESULT_CODES.into(),
            endpoints: coufun_spec::ENDPOINTS.into(),
            notifications: coufun_spec::NOTIFICATIONS.into(),
        }
    }
}

/// The loaded and validated spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `spec/result_codes.toml`.
    pub codes: ResultCodesFile,
    /// `spec/endpoints.toml`.
    pub endpoints: EndpointsFile,
    /// Source of `codes`, for locating problems found later.
    pub codes_source: SpecSource,
    /// Source of `endpoints`.
    pub endpoints_source: SpecSource,
    /// `spec/notifications.toml` with its source.
    pub notices: crate::notice_model::NoticeSpec,
}

impl Spec {
    /// Loads `spec/result_codes.toml`, `spec/endpoints.toml` and
    /// `spec/notifications.toml` below `root` (the workspace root); file names in
    /// errors are relative to it.
    pub fn load(root: &Path) -> Result<Spec, SpecErrors> {
        let read = |rel: &str| -> Result<SpecSource, SpecError> {
            std::fs::read_to_string(root.join(rel))
                .map(|text| SpecSource::new(rel, text))
                .map_err(|e| SpecError {
                    file: rel.to_owned(),
                    line: 1,
                    column: 1,
                    key: String::new(),
                    message: format!("cannot read the file: {e}"),
                })
        };
        match (
            read(RESULT_CODES_PATH),
            read(ENDPOINTS_PATH),
            read(NOTICES_PATH),
        ) {
            (Ok(result_codes), Ok(endpoints), Ok(notifications)) => Spec::parse(SpecSources {
                result_codes,
                endpoints,
                notifications,
            }),
            // Every problem at once: the other two files are checked even when the
            // notification spec cannot be read.
            (Ok(result_codes), Ok(endpoints), Err(unread)) => Err(SpecErrors(
                parse_codes_and_endpoints(result_codes, endpoints)
                    .err()
                    .into_iter()
                    .flat_map(|e| e.0)
                    .chain([unread])
                    .collect(),
            )),
            (a, b, c) => Err(SpecErrors(
                [a.err(), b.err(), c.err()].into_iter().flatten().collect(),
            )),
        }
    }

    /// Parses and validates the three files; every problem is returned (those of
    /// the result codes and endpoints first, then the notifications'), none panics.
    pub fn parse(sources: SpecSources) -> Result<Spec, SpecErrors> {
        let SpecSources {
            result_codes,
            endpoints,
            notifications,
        } = sources;
        // Every problem at once: the notification spec is checked even when the
        // other two files are broken.
        let base = parse_codes_and_endpoints(result_codes, endpoints);
        let notices = NoticeSpec::parse(notifications);
        match (base, notices) {
            (Ok((codes, endpoints, codes_source, endpoints_source)), Ok(notices)) => Ok(Spec {
                codes,
                endpoints,
                codes_source,
                endpoints_source,
                notices,
            }),
            (a, b) => Err(SpecErrors(
                a.err()
                    .into_iter()
                    .chain(b.err())
                    .flat_map(|e| e.0)
                    .collect(),
            )),
        }
    }
}

/// The two request-side files parsed and cross-checked, with their sources.
type CodesAndEndpoints = (ResultCodesFile, EndpointsFile, SpecSource, SpecSource);

fn parse_codes_and_endpoints(
    codes_source: SpecSource,
    endpoints_source: SpecSource,
) -> Result<CodesAndEndpoints, SpecErrors> {
    let codes = parse_toml::<ResultCodesFile>(&codes_source);
    let endpoints = parse_toml::<EndpointsFile>(&endpoints_source);
    let (codes, endpoints) = match (codes, endpoints) {
        (Ok(c), Ok(e)) => (c, e),
        (c, e) => {
            let mut errors: Vec<SpecError> = c.err().into_iter().collect();
            errors.extend(validate::with_marks(
                &endpoints_source,
                e.err().into_iter().collect(),
            ));
            return Err(SpecErrors(errors));
        }
    };
    let problems =
        validate::codes_and_endpoints(&codes_source, &codes, &endpoints_source, &endpoints);
    if problems.is_empty() {
        Ok((codes, endpoints, codes_source, endpoints_source))
    } else {
        Err(SpecErrors(problems))
    }
}

/// Parses the text of `spec/notifications.toml`, with a located error.
pub(crate) fn parse_notices_toml(
    source: &SpecSource,
) -> Result<crate::notice_model::NoticesFile, SpecError> {
    parse_toml(source)
}

fn parse_toml<T: serde::de::DeserializeOwned>(source: &SpecSource) -> Result<T, SpecError> {
    toml::from_str::<T>(&source.text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().to_owned();
        let key = key_at(&source.text, offset);
        source.error_at(offset, key, message)
    })
}

/// The key named on the line at `offset` (`name` in `name = value`), or the
/// table header, for errors toml reports without a key.
fn key_at(text: &str, offset: usize) -> String {
    let start = text
        .get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text
        .get(start..)
        .and_then(|s| s.lines().next())
        .unwrap_or("");
    let line = line.trim();
    if let Some(header) = line.strip_prefix('[') {
        return header.trim_matches(|c| c == '[' || c == ']').to_owned();
    }
    line.split('=').next().unwrap_or("").trim().to_owned()
}
