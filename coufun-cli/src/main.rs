//! `coufun`: the operator command line. Parses the command tree, resolves the
//! environment and POC_ID, runs the subcommand and exits with a documented code.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod bulk;
mod campaign;
mod cli;
mod codes;
mod config;
mod doctor;
mod exit;
mod output;
mod present;
mod reconcile;
mod sdk;
mod sync_cmd;

use std::process::ExitCode;

use clap::{ArgMatches, FromArgMatches, Subcommand};
use coufun_api::tr_id::TrIdGenerator;
use coufun_api::{Charset, OperationId, ResultCode};
use serde_json::{Value, json};

use cli::{Global, Static};
use exit::{CliError, Exit};
use sdk::{CallOutcome, OpMeta};

fn main() -> ExitCode {
    let matches = cli::command().get_matches();
    let global = Global::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coufun: cannot start the async runtime: {e}");
            return Exit::Local.into();
        }
    };
    match runtime.block_on(run(&matches, &global)) {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("coufun: {}", e.message);
            e.exit.into()
        }
    }
}

async fn run(matches: &ArgMatches, global: &Global) -> Result<Exit, CliError> {
    let json = global.json;
    let Some((name, m)) = matches.subcommand() else {
        return Err(CliError::bad("no subcommand"));
    };
    if Static::has_subcommand(name) {
        return match Static::from_arg_matches(matches).unwrap_or_else(|e| e.exit()) {
            Static::Explain { code } => {
                println!("{}", codes::explain(&code, json)?.trim_end());
                Ok(Exit::Success)
            }
            Static::Codes => {
                println!("{}", codes::codes(json).trim_end());
                Ok(Exit::Success)
            }
            Static::BulkCreate(args) => bulk::bulk_create(global, &args).await,
            Static::Reconcile(args) => reconcile::command(&args).await,
            Static::Campaign(sub) => campaign::command(global, sub).await,
            Static::Doctor(args) => doctor::main(global, &args).await,
            Static::StateSync(args) => sync_cmd::state_sync(global, &args).await,
            Static::GoodsSync(args) => sync_cmd::goods_sync(global, &args).await,
        };
    }
    match sdk::operation(name) {
        Some(op) => call_operation(global, op, m).await,
        None if name == cli::GOODS_INFO => goods_info(global, m).await,
        None => Err(CliError::bad(format!("no subcommand {name}"))),
    }
}

/// Builds the client from the global options.
pub(crate) fn client(global: &Global) -> Result<coufun_api::Client, CliError> {
    let settings = global.settings()?;
    let poc_id = config::require_poc_id(&settings)?;
    let connection = global.connection(&settings)?;
    connection
        .client(poc_id)
        .map_err(|e| match (e, &global.ca_cert) {
            (sdk::ClientError::CaCert(e), Some(path)) => {
                CliError::bad(format!("--ca-cert {}: {e}", path.display()))
            }
            (e, _) => CliError::bad(format!("--env {}: {e}", connection.env_name)),
        })
}

/// Arguments the SDK's checks refused for `operation` (`shown` as its
/// subcommand): the JSON for scripts with `--json`, and the error (exit 2).
fn invalid(
    json: bool,
    operation: &str,
    shown: &str,
    code: ResultCode,
    errors: Value,
    text: String,
) -> CliError {
    if json {
        println!(
            "{}",
            json!({"operation": operation, "outcome": "invalid", "code": code.as_str(), "errors": errors})
        );
    }
    CliError::bad(format!(
        "invalid arguments for {shown}; nothing was sent:\n{text}"
    ))
}

async fn call_operation(
    global: &Global,
    op: &'static OpMeta,
    m: &ArgMatches,
) -> Result<Exit, CliError> {
    let mut params: Vec<(String, String)> = Vec::new();
    for f in op.fields {
        let values: Vec<String> = m
            .get_many::<String>(f.name)
            .map(|v| v.cloned().collect())
            .unwrap_or_default();
        if values.is_empty() {
            if op.idempotency_key == Some(f.name) {
                params.push((f.wire.to_owned(), sdk::new_tr_id(&TrIdGenerator::new())));
            }
            continue;
        }
        let separator = f.list.as_ref().map(|l| l.separator).unwrap_or(",");
        params.push((f.wire.to_owned(), values.join(separator)));
    }
    let client = client(global)?;
    let outcome = match sdk::dispatch(&client, op.id, &params, Charset::default()).await {
        Ok(o) => o,
        Err(errors) => {
            return Err(invalid(
                global.json,
                op.name,
                &cli::subcommand_name(op),
                errors.code(),
                output::validation_json(&errors),
                output::validation_text(&errors),
            ));
        }
    };
    Ok(print_outcome(op, outcome, global.json))
}

fn print_outcome(op: &OpMeta, outcome: CallOutcome, json: bool) -> Exit {
    let (value, text, exit) = match outcome {
        CallOutcome::Ok {
            answer,
            tr_id,
            count_warning,
        } => {
            if json {
                let shown =
                    present::answer_json(op, &answer, tr_id.as_deref(), count_warning.as_deref());
                println!("{shown}");
            } else {
                if let Some(warning) = &count_warning {
                    eprintln!("warning: {warning}");
                }
                print!("{}", present::answer_text(op, &answer, tr_id.as_deref()));
            }
            return Exit::Success;
        }
        CallOutcome::Refused { code, message } => {
            let mut text = format!(
                "{}: {}\n  {}\n  {}\n  retry: {}",
                op.name,
                output::code_line(code),
                code.description(coufun_api::Lang::Ko),
                code.description(coufun_api::Lang::En),
                output::retry_advice(code)
            );
            for lang in [coufun_api::Lang::Ko, coufun_api::Lang::En] {
                if let Some(action) = code.action(lang) {
                    text.push_str(&format!("\n  {action}"));
                }
            }
            let result = output::code_json(code);
            let value = json!({"operation": op.name, "outcome": "refused", "code": code.as_str(), "server_message": message, "result": result});
            (value, text, Exit::Refused)
        }
        CallOutcome::Reached {
            tr_id,
            code,
            detail,
        } => (
            json!({"operation": op.name, "outcome": "earlier_attempt_reached", "tr_id": tr_id, "code": code.as_str(), "detail": detail}),
            format!(
                "{}: an earlier attempt with TR_ID {tr_id} reached the server — coupons probably exist, their numbers are not retrievable; do not issue again (`coufun explain {}` says what to do)\n  {detail}",
                op.name,
                code.as_str()
            ),
            Exit::DoNotResend,
        ),
        CallOutcome::Unknown { tr_id, detail } => (
            json!({"operation": op.name, "outcome": "unknown", "tr_id": tr_id, "detail": detail}),
            format!(
                "{}: outcome unknown — coupons may exist; send the same command again with --tr-id {tr_id} (the server deduplicates on it: never a new TR_ID)\n  {detail}",
                op.name
            ),
            Exit::Unknown,
        ),
        CallOutcome::EchoMismatch { tr_id, detail } => (
            json!({"operation": op.name, "outcome": "echo_mismatch", "tr_id": tr_id, "detail": detail}),
            format!(
                "{}: the answer was another order's — its coupons are not this request's, and what TR_ID {tr_id} did is not known; do not send it again, ask the supplier to reconcile it\n  {detail}",
                op.name
            ),
            Exit::DoNotResend,
        ),
        // For people on stderr: no usable answer is no output.
        CallOutcome::Transport(detail) if !json => {
            eprintln!("coufun: {detail}");
            return Exit::Transport;
        }
        CallOutcome::Transport(detail) => (
            json!({"operation": op.name, "outcome": "transport_failure", "detail": detail}),
            String::new(),
            Exit::Transport,
        ),
    };
    output::say(json, value, text);
    exit
}

/// `coufun goods-info`: one goods item, looked up over the goods list
/// by the SDK's `Client::goods_info` (no manual documents an operation of its own).
async fn goods_info(global: &Global, m: &ArgMatches) -> Result<Exit, CliError> {
    let json = global.json;
    let goods_id = m
        .get_one::<String>("goods_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let goods =
        sdk::goods_field().ok_or_else(|| CliError::local("the spec has no goods id field"))?;
    if let Err(violation) = coufun_api::GoodsId::check(&goods_id) {
        let spec = coufun_api::validation::FieldSpec {
            name: goods.name,
            wire: goods.wire,
            code: goods.code,
        };
        let error = coufun_api::ValidationError::new(&spec, violation, Charset::default());
        return Err(invalid(
            json,
            cli::GOODS_INFO,
            cli::GOODS_INFO,
            error.code(),
            json!([output::validation_error_json(&error)]),
            output::validation_line(&error, goods.wire),
        ));
    }
    let client = client(global)?;
    let item = match client.goods_info(&goods_id).await {
        Ok(Some(item)) => item,
        Ok(None) => {
            output::say(
                json,
                json!({"operation": cli::GOODS_INFO, "outcome": "not_found", "goods_id": goods_id}),
                format!(
                    "goods-info: {goods_id} is not in the goods list of this POC_ID (`coufun goods-list` lists them)"
                ),
            );
            return Ok(Exit::Refused);
        }
        Err(e) => {
            // The list call failed: report it as the goods list's outcome.
            let outcome =
                CallOutcome::from_call::<coufun_api::responses::GoodsListResponse>(Err(e));
            return Ok(print_outcome(OperationId::GoodsList.spec(), outcome, json));
        }
    };
    if json {
        println!("{}", present::goods_json(&item));
    } else {
        print!("{}", present::goods_text(&item));
    }
    Ok(Exit::Success)
}

/// Fields of the bulk operation bulk-create fills itself (goods, TR_ID).
pub(crate) fn bulk_fixed_fields() -> Vec<&'static str> {
    let goods = sdk::goods_field().map(|f| f.name);
    goods
        .into_iter()
        .chain(sdk::BULK.spec().idempotency_key)
        .collect()
}

/// The bulk operation's quantity field (`CREATE_CNT`): 1 when a row leaves it out.
const QUANTITY_FIELD: &str = "quantity";

/// The wire names of the bulk operation's TR_ID, goods and quantity
/// parameters, from the operation table.
pub(crate) fn bulk_columns() -> Option<reconcile::Columns> {
    let op = sdk::BULK.spec();
    let wire_of = |name: &str| op.field(name).map(|f| f.wire);
    Some(reconcile::Columns {
        tr_id: op.idempotency_key.and_then(wire_of)?,
        goods: sdk::goods_field()?.wire,
        quantity: wire_of(QUANTITY_FIELD),
    })
}

/// The bulk operation and its columns, from the operation table.
pub(crate) fn bulk_operation() -> Result<(&'static OpMeta, reconcile::Columns), CliError> {
    let op = sdk::BULK.spec();
    let columns = bulk_columns()
        .ok_or_else(|| CliError::local(format!("{} has no goods or TR_ID field", op.name)))?;
    Ok((op, columns))
}
