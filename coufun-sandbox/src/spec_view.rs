//! The parts of `spec/endpoints.toml` the server routes by: each operation's
//! path, methods, codes and request wire names, read once from the spec
//! embedded in `coufun-codegen`, so a spec change moves the sandbox with the SDK.

use std::sync::OnceLock;

use coufun_api::ResultCode;
use coufun_codegen::model;

/// The envelope and per-operation facts, owned and ready to look up.
#[derive(Debug)]
pub(crate) struct SpecView {
    /// The wire name of the client id (`POC_ID`).
    pub poc_id: String,
    /// Every operation, in spec order.
    pub operations: Vec<OpView>,
}

/// One operation as the server sees it.
#[derive(Debug)]
pub(crate) struct OpView {
    /// Spec name, e.g. `coupon_send`.
    pub name: String,
    /// Path under the base path, e.g. `coufunSend.do`.
    pub path: String,
    /// Whether GET is accepted.
    pub get: bool,
    /// Whether POST is accepted.
    pub post: bool,
    /// Codes the spec says the operation may answer.
    pub codes: Vec<ResultCode>,
    /// Request fields: (spec name, wire name, list separator).
    pub request: Vec<RequestView>,
}

/// One request field.
#[derive(Debug)]
pub(crate) struct RequestView {
    /// Spec (Rust) name.
    pub name: String,
    /// Wire name.
    pub wire: String,
    /// Separator when the field is a list.
    pub separator: Option<String>,
}

impl OpView {
    /// The wire name of request field `name`.
    pub fn request_field(&self, name: &str) -> Option<&RequestView> {
        self.request.iter().find(|f| f.name == name)
    }

    /// Whether the spec lists `code` among this operation's answers.
    pub fn may_answer(&self, code: ResultCode) -> bool {
        self.codes.contains(&code)
    }
}

/// Error loading the embedded spec (it is validated at build time by the
/// codegen tests, so this means a broken build).
#[derive(Debug, thiserror::Error)]
#[error("the embedded spec does not load: {0}")]
pub struct SpecLoadError(String);

static VIEW: OnceLock<Result<SpecView, String>> = OnceLock::new();

/// The spec view, loaded on first use.
pub(crate) fn spec() -> Result<&'static SpecView, SpecLoadError> {
    VIEW.get_or_init(load)
        .as_ref()
        .map_err(|e| SpecLoadError(e.clone()))
}

fn load() -> Result<SpecView, String> {
    let spec = coufun_codegen::embedded::spec().map_err(|e| e.to_string())?;
    let endpoints = &spec.endpoints;
    let operations = endpoints
        .operations
        .iter()
        .map(|op| OpView {
            name: op.name().to_owned(),
            path: op.path.name.get_ref().clone(),
            get: op.methods.contains(&model::Method::Get),
            post: op.methods.contains(&model::Method::Post),
            codes: op
                .codes
                .iter()
                .filter_map(|c| c.get_ref().parse().ok())
                .collect(),
            request: op
                .request
                .iter()
                .map(|f| RequestView {
                    name: f.name().to_owned(),
                    wire: f.wire.get_ref().clone(),
                    separator: f.list.as_ref().map(|l| l.separator.clone()),
                })
                .collect(),
        })
        .collect();
    Ok(SpecView {
        poc_id: endpoints.client.poc_id.name.get_ref().clone(),
        operations,
    })
}

/// The path every operation lives under, taken from the test environment's URL
/// (e.g. `/b2c_api/`), so the SDK's base-URL joining works unchanged.
pub(crate) fn base_path() -> &'static str {
    let url = coufun_api::TEST_URL;
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}
