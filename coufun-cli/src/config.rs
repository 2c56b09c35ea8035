//! Where the POC_ID comes from: `COUFUN_POC_ID`, else `poc_id` in the config
//! file (`--config`, else `$XDG_CONFIG_HOME/coufun/config.toml`, else
//! `~/.config/coufun/config.toml`). The value is kept in the SDK's `PocId` and
//! never printed: errors name only where it came from.

use std::path::{Path, PathBuf};

use coufun_api::privacy::PocId;

use crate::exit::CliError;

/// The environment variable holding the POC_ID.
pub const POC_ID_VAR: &str = "COUFUN_POC_ID";

/// What the config file may hold.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// The merchant's POC_ID.
    poc_id: Option<String>,
    /// The default `--env`.
    env: Option<String>,
}

/// The config file's default path (XDG rule).
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("coufun").join("config.toml"))
}

/// The resolved settings.
#[derive(Debug)]
pub struct Settings {
    /// POC_ID, when found (masked in Debug).
    pub poc_id: Option<PocId>,
    /// The config file's `env`, if any.
    pub env: Option<String>,
}

/// Reads the environment and the config file.
pub fn load(explicit: Option<&Path>) -> Result<Settings, CliError> {
    let path = explicit.map(Path::to_path_buf).or_else(default_path);
    let file = match &path {
        Some(p) if p.exists() || explicit.is_some() => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                CliError::local(format!("cannot read config file {}: {e}", p.display()))
            })?;
            toml::from_str::<ConfigFile>(&text).map_err(|e| {
                CliError::local(format!(
                    "config file {} is not valid: {}",
                    p.display(),
                    e.message()
                ))
            })?
        }
        _ => ConfigFile::default(),
    };
    let (raw, source) = match std::env::var(POC_ID_VAR) {
        Ok(v) if !v.trim().is_empty() => (Some(v), format!("${POC_ID_VAR}")),
        _ => (
            file.poc_id,
            path.map(|p| p.display().to_string()).unwrap_or_default(),
        ),
    };
    let poc_id = raw
        .map(|v| PocId::new(v.trim()))
        .transpose()
        .map_err(|e| CliError::bad(format!("POC_ID from {source}: {e}")))?;
    Ok(Settings {
        poc_id,
        env: file.env,
    })
}

/// The POC_ID, or an error saying where to put it.
pub fn require_poc_id(settings: &Settings) -> Result<PocId, CliError> {
    settings.poc_id.clone().ok_or_else(|| {
        CliError::bad(format!(
            "no POC_ID: set {POC_ID_VAR}, or poc_id = \"...\" in {}",
            default_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "$XDG_CONFIG_HOME/coufun/config.toml".into())
        ))
    })
}
