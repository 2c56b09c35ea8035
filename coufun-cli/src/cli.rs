//! The command tree: the global options and the hand-written subcommands
//! (`explain`, `codes`, `bulk-create`, …) by clap's derive, each module's
//! options its own; and (clap builder) one subcommand per operation of the spec
//! with one flag per request field, its help the field kind's doc.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, Args, Command, Subcommand, value_parser};
use coufun_api::OperationId;

use crate::config::Settings;
use crate::exit::CliError;
use crate::sdk::{Connection, OPERATIONS, OpMeta};

/// Exit codes, for `--help`.
pub const EXIT_CODES: &str = "Exit codes: 0 success · 1 local failure (file, journal, config) · \
2 bad arguments (nothing sent) · 3 server refusal (a code other than 00) · \
4 outcome unknown (coupons may exist: send again with the same --tr-id, or rerun bulk-create) · \
5 transport failure (no usable answer) · \
6 never send again (an earlier attempt reached the server, or the answer was another order's: \
coupons probably exist; `coufun reconcile` writes the request to the supplier) · \
7 `coufun doctor` only: works, with warnings · 130 interrupted.";

/// One `--resolve HOST=ADDR`: the host name and the socket address (`IP:PORT`)
/// to connect to for it.
pub type Resolve = (String, std::net::SocketAddr);

/// Parses `HOST=ADDR` for `--resolve`, naming what is wrong.
fn parse_resolve(value: &str) -> Result<Resolve, String> {
    let Some((host, addr)) = value.split_once('=') else {
        return Err(format!(
            "{value:?} is not HOST=ADDR (e.g. example.com=127.0.0.1:8080)"
        ));
    };
    let host = host.trim();
    if host.is_empty() {
        return Err(format!("{value:?} has no HOST before '='"));
    }
    let addr = addr
        .trim()
        .parse()
        .map_err(|e| format!("ADDR {addr:?} is not IP:PORT ({e})"))?;
    Ok((host.to_owned(), addr))
}

/// The client-side lookup of one goods item over the goods list (no manual
/// documents a goods-info operation; the SDK's `Client::goods_info`).
pub const GOODS_INFO: &str = "goods-info";

/// The global options, taken by every subcommand (listed under their own
/// heading in each subcommand's help, after the subcommand's own options).
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Server: `test` (the interface manuals' https test server), `test-http` (the code manual's plain-http test server), `production`, or a base URL (plain http only for loopback, else with --allow-plain-http) [default: config file's env, else test]
    #[arg(long, global = true, value_name = "test|test-http|production|URL")]
    pub env: Option<String>,
    /// Accept a plain http:// --env URL other than loopback (the POC_ID and phone numbers travel in clear)
    #[arg(long, global = true)]
    pub allow_plain_http: bool,
    /// Connect to ADDR (IP:PORT) whenever the --env URL names HOST, instead of asking DNS (curl's --resolve; repeatable). E.g. a local sandbox standing in for the test server's host
    #[arg(long, global = true, value_name = "HOST=ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<Resolve>,
    /// Also trust the CA certificate(s) in FILE (PEM) for https, besides the built-in roots: e.g. the one `coufun-sandbox --tls --tls-ca-out FILE` writes, or a private CA in front of the test server
    #[arg(long, global = true, value_name = "FILE", env = "COUFUN_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
    /// Print JSON for scripts instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// Config file (default $XDG_CONFIG_HOME/coufun/config.toml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Time allowed for one HTTP call
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30")]
    #[arg(value_parser = value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

impl Global {
    /// The config file and `$COUFUN_POC_ID`, as `--config` points to them.
    pub fn settings(&self) -> Result<Settings, CliError> {
        crate::config::load(self.config.as_deref())
    }

    /// How to reach the server: `--env` (else the config file's `env`, else
    /// `test`), `--timeout`, `--allow-plain-http`, `--resolve` and the PEM
    /// `--ca-cert` names, read.
    pub fn connection(&self, settings: &Settings) -> Result<Connection, CliError> {
        let env_name = self.env.clone().or(settings.env.clone());
        let env_name = env_name.unwrap_or_else(|| "test".into());
        let ca_cert = match &self.ca_cert {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                CliError::local(format!("--ca-cert {}: cannot read it: {e}", path.display()))
            })?),
            None => None,
        };
        Ok(Connection {
            environment: crate::sdk::environment(&env_name),
            env_name,
            timeout: Duration::from_secs(self.timeout),
            allow_plain_http: self.allow_plain_http,
            resolve: self.resolve.clone(),
            ca_cert,
        })
    }
}

/// The subcommands written by hand (the operations' are built from the spec).
#[derive(Debug, clap::Subcommand)]
pub enum Static {
    /// Explain a result code: texts (ko/en), category, whether and how to retry
    Explain {
        /// A result code: the server's two digits (or one, for the code it pads: `1` is `01`)
        code: String,
    },
    /// List every result code of the manual
    Codes,
    /// Issue coupons for every row of a CSV, exactly once across crashes and reruns
    #[command(long_about = crate::bulk::long_about())]
    BulkCreate(crate::bulk::Args),
    /// Write the reconciliation request for the supplier from a bulk-create journal
    #[command(long_about = crate::reconcile::LONG_ABOUT)]
    Reconcile(crate::reconcile::Args),
    /// Check this machine's setup against the server (read-only): DNS, TCP, TLS, the goods list, a coupon's status, drift from the spec
    #[command(long_about = crate::doctor::long_about())]
    Doctor(crate::doctor::Args),
    /// Keep each issued coupon's state history: poll the status of every open coupon into the sync store
    #[command(long_about = crate::sync_cmd::STATE_SYNC_ABOUT)]
    StateSync(crate::sync_cmd::StateSync),
    /// Fetch the goods list (within the daily budget), store it, and show what changed since the last sync
    #[command(long_about = crate::sync_cmd::GOODS_SYNC_ABOUT)]
    GoodsSync(crate::sync_cmd::GoodsSync),
    /// Campaigns in a shared store (PostgreSQL or SQLite), issued exactly once by any number of workers
    #[command(subcommand, arg_required_else_help = false)]
    Campaign(crate::campaign::Campaign),
}

/// The whole command.
pub fn command() -> Command {
    // The subcommands first: the enum's derive sets the about, then replaced.
    let cmd = Static::augment_subcommands(Global::augment_args(Command::new("coufun")));
    let mut cmd = cmd
        .about("Operator command line for the COUFUN B2C mobile-coupon API (쿠폰 운영 도구)")
        .after_help(format!(
            "POC_ID: from $COUFUN_POC_ID, or poc_id = \"...\" in $XDG_CONFIG_HOME/coufun/config.toml \
             (~/.config/coufun/config.toml); never printed.\n{EXIT_CODES}"
        ))
        .subcommand_required(true)
        .arg_required_else_help(true);
    for op in OPERATIONS {
        cmd = cmd.subcommand(operation_command(op));
    }
    // Only while the spec has no operation of that name.
    if crate::sdk::operation(GOODS_INFO).is_none() {
        cmd = cmd.subcommand(goods_info_command());
    }
    cmd
}

fn goods_info_command() -> Command {
    let list = OperationId::GoodsList.spec();
    let goods = crate::sdk::goods_field();
    let wire = goods.map_or("", |f| f.wire);
    let help = goods.map_or_else(String::new, |f| {
        format!("{} A broken rule answers {}.", f.doc, f.code.as_str())
    });
    Command::new(GOODS_INFO)
        .about("상품상세 — One goods item in full (price, supply price, validity, send type, description, images), looked up over the goods list")
        .long_about(format!(
            "상품상세 — One goods item in full: price, supply price, validity type and \
             value, send type, exchange place, description, use guide, images.\n\n\
             No manual documents a goods-info operation: this calls the goods list \
             ({}) and picks {wire} from it, as the SDK's Client::goods_info \
             does. Exit 3 when the list does not hold it.",
            list.path
        ))
        .arg(
            Arg::new("goods_id")
                .required(true)
                .value_name(wire)
                .help(help),
        )
}

/// The subcommand name of an operation.
pub fn subcommand_name(op: &OpMeta) -> String {
    op.name.replace('_', "-")
}

fn operation_command(op: &'static OpMeta) -> Command {
    let effect = if op.effect == coufun_api::Effect::Write {
        "changes state"
    } else {
        "reads only"
    };
    let mut cmd = Command::new(subcommand_name(op))
        .about(format!("{} — {}", op.summary_ko, op.summary_en))
        .long_about(format!(
            "{} — {}\n\nPath {}, {effect}; may answer codes {}.",
            op.summary_ko,
            op.summary_en,
            op.path,
            op.codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    for f in op.fields {
        let mut help = format!(
            "{} Kind {}, wire {}; a broken rule answers {}.",
            f.doc,
            f.kind,
            f.wire,
            f.code.as_str()
        );
        if f.required && op.idempotency_key == Some(f.name) {
            help.push_str(" Generated when omitted (and printed).");
        } else if f.required {
            help.push_str(" Required.");
        }
        let mut arg = Arg::new(f.name)
            .long(f.name.replace('_', "-"))
            .value_name(f.wire)
            .help(help);
        if let Some(list) = &f.list {
            arg = arg
                .action(ArgAction::Append)
                .value_delimiter(',')
                .help(format!(
                    "{} Up to {} values, comma-separated or repeated.",
                    f.doc, list.max
                ));
        }
        cmd = cmd.arg(arg);
    }
    cmd
}
