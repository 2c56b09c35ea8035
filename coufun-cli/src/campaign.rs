//! `coufun campaign load|work|status|reconcile`: campaigns in a shared store
//! (`--database postgres://…`, or a SQLite file) run by any number of worker
//! processes, over `coufun-campaign`: `load` puts a CSV of orders in (goods
//! per row or `--goods`, TR_IDs committed) and sets the campaign-wide limits;
//! `work` runs one worker until the run is done; `status` counts the rows;
//! `reconcile` writes the supplier's request.

use std::path::PathBuf;
use std::time::Duration;

use clap::value_parser;
use coufun_api::tr_id::TrIdGenerator;
use coufun_campaign::Store;
use serde_json::json;

use crate::bulk::{self, input};
use crate::cli::Global;
use crate::exit::{CliError, Exit, LocalIn};
use crate::{bulk_operation, output, sdk};

/// `--database` and `--campaign`, for every campaign subcommand.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The campaign store: postgres://… (several workers, on any hosts) or a SQLite file (sqlite:PATH or PATH; one process)
    #[arg(
        long,
        value_name = "URL",
        env = "COUFUN_DATABASE_URL",
        hide_env_values = true
    )]
    database: String,
    /// The campaign (default: the store's only one)
    #[arg(long, value_name = "NAME")]
    campaign: Option<String>,
}

/// The `campaign` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Campaign {
    /// Load a CSV of orders into a campaign (TR_IDs committed) and set its campaign-wide limits
    Load(Load),
    /// Run one worker on the campaign until its run is done (start as many as you like, on any hosts)
    Work(Work),
    /// Count the campaign's rows by state, and its leases
    Status(StoreArgs),
    /// Write the reconciliation request for the supplier (as `coufun reconcile --database`)
    Reconcile {
        #[command(flatten)]
        output: crate::reconcile::Output,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `coufun campaign load`'s options.
#[derive(Debug, clap::Args)]
pub struct Load {
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    /// Goods id of the rows whose goods column is empty or absent
    #[arg(long, value_name = "ID")]
    goods: Option<String>,
    /// Most rows in flight at once across all workers (default: no campaign-wide cap)
    #[arg(long, value_name = "N", value_parser = value_parser!(u32).range(1..))]
    max_in_flight: Option<u32>,
    #[arg(long, value_name = "ROWS_PER_SECOND", value_parser = bulk::rows_per_second)]
    #[arg(help = bulk::rate_help("Most rows started per second across all workers"))]
    rate: Option<f64>,
    /// First pause of the whole campaign after a code whose retry class allows sending it again; doubles up to 60 s
    #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = bulk::seconds)]
    limit_pause: f64,
    /// Such answers for one row before the run stops (`work --new-run` resumes)
    #[arg(long, value_name = "N", default_value = "3")]
    #[arg(value_parser = value_parser!(u32).range(1..=100))]
    limit_retries: u32,
    #[command(flatten)]
    store: StoreArgs,
}

/// `coufun campaign work`'s options.
#[derive(Debug, clap::Args)]
pub struct Work {
    /// Rows this worker has in flight at once
    #[arg(long, value_name = "N", default_value = "4")]
    #[arg(value_parser = value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// How long a claimed row stays this worker's; a crashed worker's rows are taken over once it lapses
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = bulk::seconds)]
    lease: f64,
    /// Start a new run first: rows left unknown or deferred go again (same TR_IDs), a stop is lifted
    #[arg(long)]
    new_run: bool,
    /// Write every row's outcome to PATH (CSV) when the worker ends
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// No progress bar (it is hidden anyway when stderr is not a terminal)
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    store: StoreArgs,
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
            return Err(CliError::bad("--database is empty"));
        }
        Store::sqlite(path).await
    };
    Ok((opened.local_in(&shown)?, shown))
}

/// The campaign `given` names, checked to exist, or the store's only one.
pub async fn which(store: &Store, given: Option<&String>) -> Result<String, CliError> {
    let all = store
        .campaigns()
        .await
        .map_err(|e| CliError::local(coufun_api::ErrorChain(&e).to_string()))?;
    match given {
        Some(name) if all.contains(name) => Ok(name.clone()),
        Some(name) => Err(CliError::bad(format!(
            "no campaign {name:?} in the store (there are: {})",
            all.join(", ")
        ))),
        None if all.len() == 1 => Ok(all.into_iter().next().unwrap_or_default()),
        None => Err(CliError::bad(format!(
            "--campaign is needed: the store holds {} campaigns ({})",
            all.len(),
            all.join(", ")
        ))),
    }
}

/// `coufun campaign …`.
pub async fn command(global: &Global, sub: Campaign) -> Result<Exit, CliError> {
    let json = global.json;
    let args = match &sub {
        Campaign::Load(Load { store, .. })
        | Campaign::Work(Work { store, .. })
        | Campaign::Status(store)
        | Campaign::Reconcile { store, .. } => store,
    };
    let (store, shown) = open(&args.database).await?;
    if let Campaign::Reconcile { output, .. } = &sub {
        return crate::reconcile::write(store, &shown, args.campaign.as_ref(), output).await;
    }
    let (op, columns) = bulk_operation()?;
    let identity = format!(
        "{} env={}",
        op.name,
        global.env.as_deref().unwrap_or("default")
    );
    let exit = match sub {
        Campaign::Load(m) => {
            let name = m
                .store
                .campaign
                .clone()
                .ok_or_else(|| CliError::bad("load needs --campaign NAME"))?;
            let fixed: Vec<&str> = op.idempotency_key.into_iter().collect();
            let rows = input::read(&m.file, op, &fixed)
                .map_err(|e| CliError::bad(coufun_api::ErrorChain(&e).to_string()))?;
            let orders = input::orders(rows, columns, m.goods.as_deref());
            let limits = bulk::limits(m.max_in_flight, m.rate, m.limit_pause, m.limit_retries);
            store.create(&name, &identity).await.local_in(&shown)?;
            store
                .set_limits(&name, &limits)
                .await
                .map_err(|e| CliError::bad(e.to_string()))?;
            let generator = TrIdGenerator::new();
            store
                .load(&name, &orders, || sdk::new_tr_id(&generator))
                .await
                .local_in(&shown)?;
            let run = store.new_run(&name).await.local_in(&shown)?;
            output::say(
                json,
                json!({"campaign": name, "rows": orders.len(), "run": run}),
                format!(
                    "campaign {name}: {} rows loaded, run {run}; start workers with `coufun campaign work --campaign {name}`",
                    orders.len()
                ),
            );
            Exit::Success
        }
        Campaign::Work(m) => {
            let name = which(&store, m.store.campaign.as_ref()).await?;
            // A campaign loaded for another environment is refused.
            store.create(&name, &identity).await.local_in(&shown)?;
            if m.new_run {
                store.new_run(&name).await.local_in(&shown)?;
            }
            let client = crate::client(global)?;
            let settings = coufun_campaign::Settings::new(&name, columns.tr_id)
                .concurrency(usize::from(m.concurrency))
                .lease(Duration::from_secs_f64(m.lease.clamp(0.1, 3600.0)));
            let summary = bulk::work(&store, settings, !m.no_progress, client)
                .await
                .local_in(&shown)?;
            let all = store.rows(&name).await.local_in(&shown)?;
            let mut places = vec![("campaign", name.clone())];
            if let Some(report) = &m.report {
                input::write_report(report, &all)
                    .map_err(|e| CliError::local(format!("report {}: {e}", report.display())))?;
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
        Campaign::Status(m) | Campaign::Reconcile { store: m, .. } => {
            let name = which(&store, m.campaign.as_ref()).await?;
            let status = store.status(&name).await.local_in(&shown)?;
            if json {
                println!("{}", json!({"campaign": name, "status": status}));
            } else {
                bulk::print_states(&status.by_state);
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
