//! Helpers for driving the real `coufun` binary against a sandbox that this
//! test process hosts (so the sandbox outlives a killed CLI).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use coufun_sandbox::{Ledger, Sandbox, SandboxConfig};

/// A sandbox on 127.0.0.1:0 in its own runtime, and a scratch directory.
pub struct Host {
    pub runtime: tokio::runtime::Runtime,
    pub sandbox: Option<Sandbox>,
    pub dir: tempfile::TempDir,
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Host {
    /// A sandbox with the default config.
    pub fn start() -> Host {
        Host::with(SandboxConfig::default())
    }

    /// A sandbox with `config`.
    pub fn with(config: SandboxConfig) -> Host {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sandbox = runtime
            .block_on(Sandbox::start(config))
            .expect("sandbox starts");
        Host {
            runtime,
            sandbox: Some(sandbox),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The sandbox's base URL.
    pub fn base_url(&self) -> String {
        self.sandbox().base_url()
    }

    /// The sandbox.
    pub fn sandbox(&self) -> &Sandbox {
        self.sandbox.as_ref().expect("sandbox running")
    }

    /// The ledger now.
    pub fn ledger(&self) -> Ledger {
        self.sandbox().ledger()
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `coufun --env <sandbox>` with the sandbox's POC_ID, and a config home
    /// of its own (no user config is read).
    pub fn cmd(&self) -> Command {
        let mut cmd = bare(self.dir.path());
        cmd.env("COUFUN_POC_ID", coufun_sandbox::DEFAULT_POC_ID)
            .arg("--env")
            .arg(self.base_url());
        cmd
    }

    /// Runs `coufun <args>` against the sandbox.
    pub fn run(&self, args: &[&str]) -> Run {
        self.cmd().args(args).output().expect("coufun runs").into()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.runtime.block_on(s.shutdown());
        }
    }
}

/// `coufun` with no POC_ID and `home` as its config home.
pub fn bare(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coufun"));
    cmd.env_remove("COUFUN_POC_ID")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env("NO_COLOR", "1");
    cmd
}

/// Writes a bulk input of `rows` rows: `ref,quantity,reserve1` (one coupon each,
/// the campaign in RESERVE1).
pub fn write_orders(path: &Path, rows: usize) {
    let mut text = String::from("ref,quantity,reserve1\n");
    for i in 1..=rows {
        text.push_str(&format!("cust-{i:04},1,campaign-{}\n", i % 3));
    }
    std::fs::write(path, text).expect("write orders");
}

/// Writes a bulk input of `rows` rows with only the reference: each row orders
/// one coupon (the default quantity).
pub fn write_refs(path: &Path, rows: usize) {
    let mut text = String::from("ref\n");
    for i in 1..=rows {
        text.push_str(&format!("cust-{i:04}\n"));
    }
    std::fs::write(path, text).expect("write refs");
}

/// The report's rows as maps of column → value.
pub fn read_report(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("report exists");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .map(|l| {
            // Rows of a successful run hold no quoted commas.
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}
