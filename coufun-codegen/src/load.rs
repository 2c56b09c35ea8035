//! Reading the two spec files into the [`model`](crate::model), with located errors.

use std::path::Path;

use crate::diagnostic::{SpecError, SpecErrors};
use crate::model::{Direction, EndpointsFile, ResultCodesFile};
use crate::{ENDPOINTS_PATH, RESULT_CODES_PATH, validate};

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

/// The two spec files [`Spec::parse`] reads, each with the name its errors carry.
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
}

impl SpecSources {
    /// The two files as they stood when this crate was compiled (from the
    /// `coufun-spec` crate), under their workspace paths.
    pub fn embedded() -> Self {
        SpecSources {
            result_codes: coufun_spec::RESULT_CODES.into(),
            endpoints: coufun_spec::ENDPOINTS.into(),
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
}

impl Spec {
    /// Loads `spec/result_codes.toml` and `spec/endpoints.toml` below `root`
    /// (the workspace root); file names in errors are relative to it.
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
        match (read(RESULT_CODES_PATH), read(ENDPOINTS_PATH)) {
            (Ok(result_codes), Ok(endpoints)) => Spec::parse(SpecSources {
                result_codes,
                endpoints,
            }),
            (a, b) => Err(SpecErrors(
                [a.err(), b.err()].into_iter().flatten().collect(),
            )),
        }
    }

    /// Parses and validates both files; every problem is returned, none panics.
    pub fn parse(sources: SpecSources) -> Result<Spec, SpecErrors> {
        let SpecSources {
            result_codes,
            endpoints,
        } = sources;
        let (codes, endpoints, codes_source, endpoints_source) =
            parse_codes_and_endpoints(result_codes, endpoints)?;
        Ok(Spec {
            codes,
            endpoints,
            codes_source,
            endpoints_source,
        })
    }
}

/// The two request-side files parsed and cross-checked, with their sources.
type CodesAndEndpoints = (ResultCodesFile, EndpointsFile, SpecSource, SpecSource);

fn parse_codes_and_endpoints(
    codes_source: SpecSource,
    endpoints_source: SpecSource,
) -> Result<CodesAndEndpoints, SpecErrors> {
    let codes = parse_toml::<ResultCodesFile>(&codes_source);
    let endpoints = parse_toml::<EndpointsFile>(&endpoints_source).map(split_directions);
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

/// Moves the inbound operations to [`EndpointsFile::inbound`], keeping the
/// outbound ones (the calls the client makes) in `operations`.
fn split_directions(mut file: EndpointsFile) -> EndpointsFile {
    let (inbound, outbound) = std::mem::take(&mut file.operations)
        .into_iter()
        .partition(|op| op.direction == Direction::Inbound);
    file.operations = outbound;
    file.inbound = inbound;
    file
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
    // In an inline table, the key whose value stands at `offset`.
    let before = text.get(start..offset).unwrap_or("");
    if let Some(eq) = before.rfind('=') {
        let key = before[..eq].rsplit(['{', ',']).next().unwrap_or("").trim();
        if !key.is_empty() && !key.contains(['[', '"', '}']) {
            return key.to_owned();
        }
    }
    let line = line.trim();
    if let Some(header) = line.strip_prefix('[') {
        return header.trim_matches(|c| c == '[' || c == ']').to_owned();
    }
    line.split('=').next().unwrap_or("").trim().to_owned()
}
