//! The drift report as a file a maintainer turns into spec changes: TOML (or
//! JSON for a path ending `.json`), one `[[observed]]` entry per finding with
//! the operation, the element, what the spec says, what arrived and how often,
//! each marked `source = "observed"` as the spec marks a fact seen on a server.
//! It holds no secret: findings never carry one (see `coufun_api::drift`).

use std::path::Path;

use coufun_api::drift::DriftReport;
use serde::Serialize;

/// What the spec calls a fact seen on a server rather than read in a manual.
const OBSERVED: &str = "observed";

#[derive(Debug, Serialize)]
struct File<'a> {
    about: About<'a>,
    observed: Vec<Entry<'a>>,
}

#[derive(Debug, Serialize)]
struct About<'a> {
    tool: &'static str,
    version: &'static str,
    server: &'a str,
    findings: usize,
}

#[derive(Debug, Serialize)]
struct Entry<'a> {
    operation: &'a str,
    kind: &'a str,
    element: &'a str,
    spec: &'a str,
    arrived: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<usize>,
    count: u64,
    source: &'static str,
}

/// The report's text: JSON when `json`, else TOML with a header saying what it is.
pub fn render(server: &str, report: &DriftReport, json: bool) -> Result<String, String> {
    let file = File {
        about: About {
            tool: "coufun doctor",
            version: env!("CARGO_PKG_VERSION"),
            server,
            findings: report.findings.len(),
        },
        observed: report
            .findings
            .iter()
            .map(|e| Entry {
                operation: e.finding.operation,
                kind: e.finding.kind.as_str(),
                element: &e.finding.element,
                spec: &e.finding.spec,
                arrived: &e.finding.arrived,
                length: e.finding.length,
                count: e.count,
                source: OBSERVED,
            })
            .collect(),
    };
    if json {
        return serde_json::to_string_pretty(&file)
            .map(|t| t + "\n")
            .map_err(|e| e.to_string());
    }
    let body = toml::to_string(&file).map_err(|e| e.to_string())?;
    Ok(format!(
        "# Where the answers of {server} differ from spec/endpoints.toml, as\n\
         # `coufun doctor` observed them. Each [[observed]] entry is a fact seen on\n\
         # the server (source = \"observed\"): the operation, the element, what the\n\
         # spec says and what arrived (never a secret value). A maintainer turns\n\
         # them into spec changes, then runs `cargo xtask codegen`.\n\n{body}"
    ))
}

/// Writes the report to `path` (JSON for `.json`, else TOML).
pub fn write(path: &Path, server: &str, report: &DriftReport) -> Result<(), String> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = render(server, report, json)?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_report_is_still_a_file_saying_so() {
        let text = render("http://127.0.0.1:1/", &DriftReport::default(), false).unwrap();
        let parsed: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(parsed["about"]["findings"].as_integer(), Some(0));
        let json = render("http://127.0.0.1:1/", &DriftReport::default(), true).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["observed"], serde_json::json!([]));
    }
}
