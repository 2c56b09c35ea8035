//! The command tree (clap builder): global options, `explain`, `codes`,
//! `bulk-create`, and one subcommand per operation of the spec with one flag per
//! request field, its help the field kind's doc.

use clap::{Arg, ArgAction, Command, value_parser};

use coufun_api::OperationId;

use crate::sdk::{BULK_OPERATION, GOODS_FIELD, OPERATIONS, OpMeta};

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

/// The whole command.
pub fn command() -> Command {
    let mut cmd = Command::new("coufun")
        .about("Operator command line for the COUFUN B2C mobile-coupon API (쿠폰 운영 도구)")
        .after_help(format!(
            "POC_ID: from $COUFUN_POC_ID, or poc_id = \"...\" in $XDG_CONFIG_HOME/coufun/config.toml \
             (~/.config/coufun/config.toml); never printed.\n{EXIT_CODES}"
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("env")
                .long("env")
                .global(true)
                .value_name("test|test-http|production|URL")
                .help("Server: `test` (the interface manuals' https test server), `test-http` (the code manual's plain-http test server), `production`, or a base URL (plain http only for loopback, else with --allow-plain-http) [default: config file's env, else test]"),
        )
        .arg(
            Arg::new("allow-plain-http")
                .long("allow-plain-http")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Accept a plain http:// --env URL other than loopback (the POC_ID and phone numbers travel in clear)"),
        )
        .arg(
            Arg::new("resolve")
                .long("resolve")
                .global(true)
                .value_name("HOST=ADDR")
                .action(ArgAction::Append)
                .value_parser(parse_resolve)
                .help("Connect to ADDR (IP:PORT) whenever the --env URL names HOST, instead of asking DNS (curl's --resolve; repeatable). E.g. a local sandbox standing in for the test server's host"),
        )
        .arg(
            Arg::new("ca-cert")
                .long("ca-cert")
                .global(true)
                .value_name("FILE")
                .env("COUFUN_CA_CERT")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Also trust the CA certificate(s) in FILE (PEM) for https, besides the built-in roots: e.g. the one `coufun-sandbox --tls --tls-ca-out FILE` writes, or a private CA in front of the test server"),
        )
        .arg(
            Arg::new("json")
                .long("json")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print JSON for scripts instead of tables"),
        )
        .arg(
            Arg::new("config")
                .long("config")
                .global(true)
                .value_name("PATH")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Config file (default $XDG_CONFIG_HOME/coufun/config.toml)"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .global(true)
                .value_name("SECONDS")
                .value_parser(value_parser!(u64).range(1..=600))
                .default_value("30")
                .help("Time allowed for one HTTP call"),
        )
        .subcommand(
            Command::new("explain")
                .about("Explain a result code: texts (ko/en), category, whether and how to retry")
                .arg(Arg::new("code").required(true).value_name("CODE")),
        )
        .subcommand(Command::new("codes").about("List every result code of the manual"))
        .subcommand(bulk_command())
        .subcommand(reconcile_command())
        .subcommand(crate::doctor::command())
        .subcommands(crate::sync_cmd::commands())

        .subcommand(crate::campaign::command_def());
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
    let wire = goods.map_or(GOODS_FIELD, |f| f.wire);
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

fn reconcile_command() -> Command {
    let cmd = Command::new("reconcile")
        .about("Write the reconciliation request for the supplier from a bulk-create journal")
        .long_about(
            "Write the reconciliation request for the supplier from a bulk-create journal: \
             every row whose coupons may exist without their numbers being known — outcome \
             unknown, an earlier attempt that reached the server (a repeat answered 12 or 23 \
             after a lost answer), or an answer that was another order's — with its TR_ID, \
             goods, quantity and the times of its first and last attempt (UTC). As text ready \
             to send (Korean and English) or as CSV. Reads the journal only: nothing is sent, \
             no POC_ID is needed. From a campaign store: --database (and --campaign).",
        )
        .arg(
            Arg::new("journal")
                .long("journal")
                .conflicts_with("database")
                .required_unless_present("database")
                .value_name("FILE")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("The bulk-create journal (FILE.journal.sqlite)"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(["text", "csv"])
                .default_value("text")
                .help("text (ready to send, Korean and English) or csv"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .value_name("PATH")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Write to PATH instead of stdout"),
        );
    crate::campaign::store_args(cmd, false)
}

fn bulk_command() -> Command {
    let columns = crate::sdk::operation(BULK_OPERATION)
        .map(|op| crate::bulk::input::allowed_columns(op, &crate::bulk_fixed_fields(op)).join(", "))
        .unwrap_or_default();
    Command::new("bulk-create")
        .about("Issue coupons for every row of a CSV, exactly once across crashes and reruns")
        .long_about(format!(
            "Issue coupons ({BULK_OPERATION}) for every row of a CSV file.\n\n\
             Input: a header row, then one row per coupon order. Columns: ref (your reference, \
             never sent) and any of: {columns} (field names or their wire names); empty cells are \
             left out, and a row without a quantity orders one coupon. The goods come from \
             --goods; each row's TR_ID is assigned in the journal before its first attempt.\n\n\
             The journal (SQLite, default FILE with extension .journal.sqlite) records every \
             outcome as it happens: rerun the same command after a crash or Ctrl-C and it resumes, \
             never issuing a row twice; rows whose outcome is unknown are sent again with their \
             original TR_ID (the server deduplicates on it; a 12 after a lost answer is recorded \
             `reached`: coupons exist, never issued again). A refusal is treated as its code's \
             retry class says (`coufun codes`): a code that may be sent again (e.g. 99) pauses \
             the run and the same row goes again; a quota never retried (95) stops the run at \
             once and leaves the rows open for a rerun. The report (default \
             FILE with extension .report.csv) lists every row's outcome and coupon numbers."
        ))
        .arg(
            Arg::new("file")
                .required(true)
                .value_name("FILE.csv")
                .value_parser(value_parser!(std::path::PathBuf)),
        )
        .arg(
            Arg::new("goods")
                .long("goods")
                .required(true)
                .value_name("ID")
                .help("Goods id every row issues"),
        )
        .arg(
            Arg::new("journal")
                .long("journal")
                .value_name("PATH")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Journal file (default: next to the input, .journal.sqlite)"),
        )
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("PATH")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Report file (default: next to the input, .report.csv)"),
        )
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .value_parser(value_parser!(u16).range(1..=32))
                .default_value("4")
                .help("Rows in flight at once"),
        )
        .arg(
            Arg::new("rate")
                .long("rate")
                .value_name("ROWS_PER_SECOND")
                .value_parser(value_parser!(f64))
                .help("Most rows started per second (no cap by default)"),
        )
        .arg(
            Arg::new("limit-pause")
                .long("limit-pause")
                .value_name("SECONDS")
                .value_parser(value_parser!(f64))
                .default_value("2")
                .help(
                    "First pause after a code whose retry class allows sending it again (e.g. 99; `coufun codes`); doubles up to 60 s while it lasts",
                ),
        )
        .arg(
            Arg::new("limit-retries")
                .long("limit-retries")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..=100))
                .default_value("3")
                .help("Such answers for one row before the run stops (rerun later to resume)"),
        )
        .arg(
            Arg::new("no-progress")
                .long("no-progress")
                .action(ArgAction::SetTrue)
                .help("No progress bar (it is hidden anyway when stderr is not a terminal)"),
        )
}
