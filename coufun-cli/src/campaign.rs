//! `coufun campaign load|work|status|reconcile`: campaigns in a shared store
//! (`--database postgres://…`, or a SQLite file) run by any number of worker
//! processes, over `coufun-campaign`: `load` puts a CSV of orders in (goods
//! per row or `--goods`, TR_IDs committed) and sets the campaign-wide limits;
//! `work` runs one worker until the run is done; `status` counts the rows;
//! `reconcile` writes the supplier's request.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use coufun_api::tr_id::TrIdGenerator;
use coufun_campaign::Store;
use serde_json::json;

use crate::bulk::{self, input};
use crate::exit::{CliError, Exit};
use crate::{bulk_operation, output, sdk};

/// The subcommand's name.
pub const COMMAND: &str = "campaign";

/// The variable `--database` defaults to.
const DATABASE_ENV: &str = "COUFUN_DATABASE_URL";

/// `--database` and `--campaign`, for the campaign subcommands (`required`:
/// the store is needed, `COUFUN_DATABASE_URL` by default) and `reconcile`
/// (where `--journal` may name it instead: no default from the environment).
pub fn store_args(cmd: Command, required: bool) -> Command {
    let database = Arg::new("database")
        .long("database")
        .value_name("URL")
        .required(required);
    let database = if required {
        database.env(DATABASE_ENV).hide_env_values(true)
    } else {
        database
    };
    cmd.arg(
        database
            .help(
                "The campaign store: postgres://… (several workers, on any hosts) or a SQLite file (sqlite:PATH or PATH; one process)",
            ),
    )
    .arg(
        Arg::new("campaign")
            .long("campaign")
            .value_name("NAME")
            .help("The campaign (default: the store's only one)"),
    )
}

/// The `campaign` command tree.
pub fn command_def() -> Command {
    let limits = |cmd: Command| {
        cmd.arg(
            Arg::new("max-in-flight")
                .long("max-in-flight")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..))
                .help("Most rows in flight at once across all workers (default: no campaign-wide cap)"),
        )
        .arg(
            Arg::new("rate")
                .long("rate")
                .value_name("ROWS_PER_SECOND")
                .value_parser(value_parser!(f64))
                .help("Most rows started per second across all workers (no cap by default)"),
        )
        .arg(
            Arg::new("limit-pause")
                .long("limit-pause")
                .value_name("SECONDS")
                .value_parser(value_parser!(f64))
                .default_value("2")
                .help("First pause of the whole campaign after a code whose retry class allows sending it again; doubles up to 60 s"),
        )
        .arg(
            Arg::new("limit-retries")
                .long("limit-retries")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..=100))
                .default_value("3")
                .help("Such answers for one row before the run stops (`work --new-run` resumes)"),
        )
    };
    let load = Command::new("load")
        .about("Load a CSV of orders into a campaign (TR_IDs committed) and set its campaign-wide limits")
        .arg(
            Arg::new("file")
                .required(true)
                .value_name("FILE.csv")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("goods")
                .long("goods")
                .value_name("ID")
                .help("Goods id of the rows whose goods column is empty or absent"),
        );
    let work = Command::new("work")
        .about("Run one worker on the campaign until its run is done (start as many as you like, on any hosts)")
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .value_parser(value_parser!(u16).range(1..=64))
                .default_value("4")
                .help("Rows this worker has in flight at once"),
        )
        .arg(
            Arg::new("lease")
                .long("lease")
                .value_name("SECONDS")
                .value_parser(value_parser!(f64))
                .default_value("30")
                .help("How long a claimed row stays this worker's; a crashed worker's rows are taken over once it lapses"),
        )
        .arg(
            Arg::new("new-run")
                .long("new-run")
                .action(ArgAction::SetTrue)
                .help("Start a new run first: rows left unknown or deferred go again (same TR_IDs), a stop is lifted"),
        )
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("Write every row's outcome to PATH (CSV) when the worker ends"),
        )
        .arg(
            Arg::new("no-progress")
                .long("no-progress")
                .action(ArgAction::SetTrue)
                .help("No progress bar (it is hidden anyway when stderr is not a terminal)"),
        );
    let status = Command::new("status").about("Count the campaign's rows by state, and its leases");
    let reconcile = Command::new("reconcile")
        .about(
            "Write the reconciliation request for the supplier (as `coufun reconcile --database`)",
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_name("FORMAT")
                .value_parser(["text", "csv"])
                .default_value("text"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf)),
        );
    Command::new(COMMAND)
        .about("Campaigns in a shared store (PostgreSQL or SQLite), issued exactly once by any number of workers")
        .subcommand_required(true)
        .subcommand(store_args(limits(load), true))
        .subcommand(store_args(work, true))
        .subcommand(store_args(status, true))
        .subcommand(store_args(reconcile, true))
}

/// Opens the store `database` names, and how to name it in messages (no
/// credentials).
pub async fn open(database: &str) -> Result<(Store, String), CliError> {
    let postgres = database.starts_with("postgres://") || database.starts_with("postgresql://");
    let shown = if postgres {
        let (scheme, rest) = database.split_once("://").unwrap_or(("postgres", database));
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        format!("database {scheme}://{host}")
    } else {
        format!("database {database}")
    };
    let opened = if postgres {
        Store::postgres(database).await
    } else {
        let path = database.strip_prefix("sqlite:").unwrap_or(database);
        if path.is_empty() {
            return Err(CliError::new(Exit::BadArguments, "--database is empty"));
        }
        Store::sqlite(path).await
    };
    let store = opened.map_err(|e| {
        CliError::new(
            Exit::Local,
            format!("{shown}: {}", coufun_api::ErrorChain(&e)),
        )
    })?;
    Ok((store, shown))
}

/// The campaign `given` names, checked to exist, or the store's only one.
pub async fn which(store: &Store, given: Option<&String>) -> Result<String, CliError> {
    let all = store
        .campaigns()
        .await
        .map_err(|e| CliError::new(Exit::Local, coufun_api::ErrorChain(&e).to_string()))?;
    match given {
        Some(name) if all.contains(name) => Ok(name.clone()),
        Some(name) => Err(CliError::new(
            Exit::BadArguments,
            format!(
                "no campaign {name:?} in the store (there are: {})",
                all.join(", ")
            ),
        )),
        None if all.len() == 1 => Ok(all.into_iter().next().unwrap_or_default()),
        None => Err(CliError::new(
            Exit::BadArguments,
            format!(
                "--campaign is needed: the store holds {} campaigns ({})",
                all.len(),
                all.join(", ")
            ),
        )),
    }
}

/// `coufun campaign …`.
pub async fn command(global: &ArgMatches, m: &ArgMatches, json: bool) -> Result<Exit, CliError> {
    let Some((sub, m)) = m.subcommand() else {
        return Err(CliError::new(Exit::BadArguments, "campaign: no subcommand"));
    };
    if sub == "reconcile" {
        return crate::reconcile::command(m).await;
    }
    let database = m.get_one::<String>("database").cloned().unwrap_or_default();
    let (store, shown) = open(&database).await?;
    let fail = |e: &dyn std::error::Error| {
        CliError::new(
            Exit::Local,
            format!("{shown}: {}", coufun_api::ErrorChain(e)),
        )
    };
    let (op, columns) = bulk_operation()?;
    let env = global
        .get_one::<String>("env")
        .cloned()
        .unwrap_or_else(|| "default".into());
    let identity = format!("{} env={env}", op.name);
    let exit = match sub {
        "load" => {
            let name = m
                .get_one::<String>("campaign")
                .cloned()
                .ok_or_else(|| CliError::new(Exit::BadArguments, "load needs --campaign NAME"))?;
            let file = m.get_one::<PathBuf>("file").cloned().unwrap_or_default();
            let fixed: Vec<&str> = op.idempotency_key.into_iter().collect();
            let rows = input::read(&file, op, &fixed).map_err(|e| {
                CliError::new(Exit::BadArguments, coufun_api::ErrorChain(&e).to_string())
            })?;
            let goods = m.get_one::<String>("goods").map(String::as_str);
            let orders = input::orders(rows, columns, goods);
            let limits = crate::bulk::limits(
                m,
                m.get_one::<u32>("max-in-flight").copied(),
                m.get_one::<f64>("rate").copied(),
            );
            store.create(&name, &identity).await.map_err(|e| fail(&e))?;
            store
                .set_limits(&name, &limits)
                .await
                .map_err(|e| CliError::new(Exit::BadArguments, e.to_string()))?;
            let generator = TrIdGenerator::new();
            store
                .load(&name, &orders, || sdk::new_tr_id(&generator))
                .await
                .map_err(|e| fail(&e))?;
            let run = store.new_run(&name).await.map_err(|e| fail(&e))?;
            if json {
                println!(
                    "{}",
                    json!({"campaign": name, "rows": orders.len(), "run": run})
                );
            } else {
                println!(
                    "campaign {name}: {} rows loaded, run {run}; start workers with `coufun campaign work --campaign {name}`",
                    orders.len()
                );
            }
            Exit::Success
        }
        "work" => {
            let name = which(&store, m.get_one::<String>("campaign")).await?;
            // A campaign loaded for another environment is refused.
            store.create(&name, &identity).await.map_err(|e| fail(&e))?;
            if m.get_flag("new-run") {
                store.new_run(&name).await.map_err(|e| fail(&e))?;
            }
            let client = crate::client(global)?;
            let concurrency = usize::from(m.get_one::<u16>("concurrency").copied().unwrap_or(4));
            let lease = m
                .get_one::<f64>("lease")
                .copied()
                .unwrap_or(30.0)
                .clamp(0.1, 3600.0);
            let settings = coufun_campaign::Settings::new(&name, columns.tr_id)
                .concurrency(concurrency)
                .lease(Duration::from_secs_f64(lease));
            let summary = bulk::work(&store, settings, !m.get_flag("no-progress"), client)
                .await
                .map_err(|e| fail(&e))?;
            let all = store.rows(&name).await.map_err(|e| fail(&e))?;
            let mut places = vec![("campaign", name.clone())];
            if let Some(report) = m.get_one::<PathBuf>("report") {
                input::write_report(report, &all).map_err(|e| {
                    CliError::new(Exit::Local, format!("report {}: {e}", report.display()))
                })?;
                places.push(("report", report.display().to_string()));
            }
            bulk::print_summary(
                &summary,
                &all,
                json,
                &format!("--database … --campaign {name}"),
                &places,
            );
            bulk::bulk_exit(&summary)
        }
        _ => {
            let name = which(&store, m.get_one::<String>("campaign")).await?;
            let status = store.status(&name).await.map_err(|e| fail(&e))?;
            if json {
                println!("{}", json!({"campaign": name, "status": status}));
            } else {
                let rows: Vec<Vec<String>> = status
                    .by_state
                    .iter()
                    .map(|(s, n)| vec![s.as_str().to_owned(), n.to_string()])
                    .collect();
                print!("{}", output::table(&["OUTCOME", "ROWS"], &rows));
                println!(
                    "campaign {name}: {} rows, run {}, {} leased to a worker now, {} leases lapsed",
                    status.rows, status.run, status.leased, status.lapsed
                );
                if let Some(why) = &status.halted {
                    println!("{why}");
                }
            }
            Exit::Success
        }
    };
    store.close().await;
    Ok(exit)
}
