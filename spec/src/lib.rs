//! The COUFUN B2C manuals as data: the TOML files of this crate's folder, embedded.
//!
//! `spec/` is where maintainers look when a new manual version arrives; this crate
//! only makes its files available to the crates that read them at build time (the
//! generator and the compile-time macros), so that every one of them packages and
//! builds alone. It parses nothing: `coufun-codegen` does.
//!
//! Because the files are embedded with `include_str!`, cargo rebuilds this crate,
//! and so everything that reads it, whenever a spec file changes.

/// One spec file: its path relative to the workspace root and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecFile {
    /// Path relative to the workspace root, with `/` separators (e.g. `spec/endpoints.toml`).
    pub path: &'static str,
    /// The file's contents as it stood when this crate was compiled.
    pub text: &'static str,
}

/// `spec/result_codes.toml`: every result code of the code-definition manual.
pub const RESULT_CODES: SpecFile = SpecFile {
    path: "spec/result_codes.toml",
    text: include_str!("../result_codes.toml"),
};

/// `spec/endpoints.toml`: the operations (outbound, and inbound: the exchange
/// notices COUFUN sends the merchant), field kinds and wire names.
pub const ENDPOINTS: SpecFile = SpecFile {
    path: "spec/endpoints.toml",
    text: include_str!("../endpoints.toml"),
};

/// Every spec file, in the order the generator reads them.
pub const ALL: [SpecFile; 2] = [RESULT_CODES, ENDPOINTS];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_is_embedded_under_its_own_path() {
        for file in ALL {
            let name = file.path.trim_start_matches("spec/");
            let on_disk = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name),
            )
            .unwrap();
            assert_eq!(file.text, on_disk, "{} is not what is embedded", file.path);
        }
    }
}
