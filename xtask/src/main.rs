//! `cargo xtask`: maintainer tasks, run through the cargo alias in `.cargo/config.toml`.
//!
//! - `cargo xtask codegen`          rewrite every generated file from `spec/`
//! - `cargo xtask codegen --check`  write nothing; fail naming each stale file
//! - `cargo xtask import-manual FILE [--dry-run] [--remove-missing|--keep-missing]`
//!   recognise the manual (markdown): the code-definition manual merges into
//!   `spec/result_codes.toml`, an interface manual into `spec/endpoints.toml`
//!   (the exchange manual into its inbound operation); print the diff

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use coufun_import::{self as import, MissingCodes, Options};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => xtask::codegen::run(&workspace_root(), false),
        ["codegen", "--check"] => xtask::codegen::run(&workspace_root(), true),
        ["import-manual", rest @ ..] => match import_options(rest) {
            Some((file, options)) => import_manual(&workspace_root(), file, options),
            None => usage(),
        },
        _ => usage(),
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
  cargo xtask codegen --check    write nothing; exit 1 naming each stale file
  cargo xtask import-manual FILE [--dry-run] [--remove-missing|--keep-missing]
                                 recognise the manual FILE (markdown): the code definition
                                 merges into spec/result_codes.toml, an interface manual
                                 (goods, create, status, cancel) into spec/endpoints.toml,
                                 the exchange manual into its inbound operation; print
                                 what changed. Codes, parameters and values the manual
                                 dropped are kept unless --remove-missing. With --dry-run
                                 write nothing and exit 0 when the spec agrees, 1 when it
                                 differs, 2 when FILE cannot be read as a manual";

fn usage() -> Result<ExitCode, String> {
    eprintln!("{USAGE}");
    Ok(ExitCode::from(2))
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// `FILE [--dry-run] [--remove-missing|--keep-missing]`, in any order.
fn import_options<'a>(args: &[&'a str]) -> Option<(&'a str, Options)> {
    let mut file = None;
    let mut options = Options::default();
    let mut missing_flag = None;
    for &arg in args {
        match arg {
            "--dry-run" => options.dry_run = true,
            "--remove-missing" | "--keep-missing" => {
                if missing_flag.is_some_and(|f| f != arg) {
                    return None;
                }
                missing_flag = Some(arg);
                options.missing = if arg == "--remove-missing" {
                    MissingCodes::Remove
                } else {
                    MissingCodes::Keep
                };
            }
            flag if flag.starts_with("--") => return None,
            path if file.is_none() => file = Some(path),
            _ => return None,
        }
    }
    file.map(|f| (f, options))
}

fn import_manual(root: &Path, file: &str, options: Options) -> Result<ExitCode, String> {
    let outcome = import::run(root, Path::new(file), options).map_err(|e| error_chain(&e))?;
    print!("{}", outcome.diff);
    if !outcome.todo.is_empty() {
        let when = if options.dry_run {
            "after this import, "
        } else {
            ""
        };
        println!(
            "{when}{} must be fixed by hand before `cargo xtask codegen` accepts the spec:",
            outcome.files.join(" and ")
        );
        for line in &outcome.todo {
            println!("  {line}");
        }
    }
    if options.dry_run {
        return Ok(if outcome.diff.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    if outcome.wrote {
        println!(
            "wrote {}; next: cargo xtask codegen",
            outcome.files.join(" and ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `error` and each of its causes, joined with `: `.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
