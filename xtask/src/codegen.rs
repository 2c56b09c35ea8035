//! `cargo xtask codegen [--check]`: writes, or checks, the generated files.

use std::path::Path;
use std::process::ExitCode;

/// Rewrites every stale generated file below `root`; with `check`, writes
/// nothing and fails naming each stale file. `Err` is a message for the user.
pub fn run(root: &Path, check: bool) -> Result<ExitCode, String> {
    let spec =
        coufun_codegen::Spec::load(root).map_err(|e| format!("the spec is invalid:\n{e}"))?;
    let files = coufun_codegen::generated_files(&spec).map_err(|e| format!("{e}: {}", e.source))?;
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
