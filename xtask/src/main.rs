//! `cargo xtask`: maintainer tasks, run through the cargo alias in `.cargo/config.toml`.
//!
//! - `cargo xtask codegen`          rewrite every generated file from `spec/`
//! - `cargo xtask codegen --check`  write nothing; fail naming each stale file

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(&workspace_root(), false),
        ["codegen", "--check"] => codegen(&workspace_root(), true),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage:
  cargo xtask codegen            rewrite every generated file from spec/
  cargo xtask codegen --check    write nothing; exit 1 naming each stale file";

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn codegen(root: &Path, check: bool) -> Result<ExitCode, String> {
    let spec =
        coufun_codegen::Spec::load(root).map_err(|e| format!("the spec is invalid:\n{e}"))?;
    let files = coufun_codegen::generated_files(&spec).map_err(|e| e.to_string())?;
    let stale = coufun_codegen::stale_files(root, &files);
    if check {
        if stale.is_empty() {
            println!("{} generated files are up to date", files.len());
            return Ok(ExitCode::SUCCESS);
        }
        for f in &stale {
            eprintln!("stale: {} (run `cargo xtask codegen`)", f.path);
        }
        return Ok(ExitCode::FAILURE);
    }
    for f in &stale {
        let path = root.join(f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &f.contents).map_err(|e| format!("{}: {e}", f.path))?;
        println!("wrote {}", f.path);
    }
    println!("{} generated files, {} rewritten", files.len(), stale.len());
    Ok(ExitCode::SUCCESS)
}
