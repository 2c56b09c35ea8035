//! The one generator behind coufun: loads `spec/`, validates it, and emits Rust.
//!
//! Data flow: [`load`] (TOML → [`model`], with located errors) → [`validate`]
//! (cross-references, every problem reported with file, line and column) →
//! [`emit`] (one `TokenStream` per generated item) → [`render`] (prettyplease and
//! the `@generated` header). The xtask writes what [`generated_files`] returns, the
//! literal table of `coufun-macros` ([`literal`]) among them.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod diagnostic;
pub mod emit;
pub mod literal;
pub mod load;
pub mod model;
pub mod render;
pub mod validate;

pub use diagnostic::{SpecError, SpecErrors};
pub use load::{Spec, SpecSource, SpecSources};

/// Text that `cargo xtask import-manual` puts in what a human must still write
/// (a variant name, an English text); validation refuses a spec that holds it.
pub const NEEDS_HUMAN: &str = "NEEDS HUMAN";

/// Path of the result-code spec, relative to the workspace root.
pub const RESULT_CODES_PATH: &str = coufun_spec::RESULT_CODES.path;
/// Path of the endpoint spec, relative to the workspace root.
pub const ENDPOINTS_PATH: &str = coufun_spec::ENDPOINTS.path;

/// One file the generator owns: its path relative to the workspace root and its
/// full contents (header included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root, with `/` separators.
    pub path: &'static str,
    /// The whole file as it must stand on disk.
    pub contents: String,
}

/// Everything the generator writes, in a fixed order.
pub fn generated_files(spec: &Spec) -> Result<Vec<GeneratedFile>, render::RenderError> {
    let both = &[RESULT_CODES_PATH, ENDPOINTS_PATH];
    Ok(vec![
        GeneratedFile {
            path: "coufun-api/src/generated/mod.rs",
            contents: render::rust_file(
                emit::module_index(&[
                    "client",
                    "inbound",
                    "issuing",
                    "kinds",
                    "manual",
                    "operations",
                    "requests",
                    "responses",
                    "result_code",
                ]),
                both,
            )?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/result_code.rs",
            contents: render::rust_file(emit::result_code::emit(spec), &[RESULT_CODES_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/kinds.rs",
            contents: render::rust_file(emit::kinds::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/requests.rs",
            contents: render::rust_file(emit::requests::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/operations.rs",
            contents: render::rust_file(emit::operations::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/manual.rs",
            contents: render::rust_file(emit::manual::emit(spec), &[RESULT_CODES_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/responses.rs",
            contents: render::rust_file(emit::responses::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/issuing.rs",
            contents: render::rust_file(emit::issuing::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/client.rs",
            contents: render::rust_file(emit::client::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-api/src/generated/inbound.rs",
            contents: render::rust_file(emit::inbound::emit(spec), &[ENDPOINTS_PATH])?,
        },
        GeneratedFile {
            path: "coufun-macros/src/generated/literal_table.rs",
            contents: render::rust_file(literal::emit(spec), both)?,
        },
        GeneratedFile {
            path: "docs/result-codes.md",
            contents: emit::docs::result_codes_markdown(spec),
        },
        GeneratedFile {
            path: "docs/endpoints.md",
            contents: emit::docs::endpoints_markdown(spec),
        },
        GeneratedFile {
            path: "docs/notifications.md",
            contents: emit::docs::notifications_markdown(spec),
        },
    ])
}

/// The spec as it stood when this crate was compiled (from the `coufun-spec`
/// crate), for tests and tools that need it without a workspace on disk.
///
/// `coufun-spec` embeds the files with `include_str!`, so cargo rebuilds it, this
/// crate and every macro expansion that reads it whenever a spec file changes.
pub mod embedded {
    use crate::{Spec, SpecErrors, SpecSources};

    /// Loads and validates the embedded spec (both files).
    pub fn spec() -> Result<Spec, SpecErrors> {
        Spec::parse(SpecSources::embedded())
    }
}

/// The generated files whose contents on disk below `root` differ from `files`
/// (or that are missing), in the order given.
pub fn stale_files<'a>(
    root: &std::path::Path,
    files: &'a [GeneratedFile],
) -> Vec<&'a GeneratedFile> {
    files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(root.join(f.path))
                .map(|on_disk| on_disk.replace("\r\n", "\n") != f.contents)
                .unwrap_or(true)
        })
        .collect()
}
