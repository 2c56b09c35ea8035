//! `coufun bulk-create`: a thin front end over `coufun-campaign` on a SQLite
//! journal (one process). Reads the orders, loads them into the journal's one
//! campaign (each row's TR_ID committed before any attempt), starts a new run,
//! works it with one worker through the SDK, draws the progress bar from the
//! worker's events, writes the report and prints the summary. Also the pieces
//! `coufun campaign` shares: the summary, the exit code, the bar, Ctrl-C.

pub mod input;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use clap::value_parser;
use coufun_api::ResultCode;
use coufun_api::tr_id::TrIdGenerator;
use coufun_campaign::{CampaignRow, Event, Limits, Refusal, RowState, Store, Summary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::cli::Global;
use crate::exit::{CliError, Exit, LocalIn};
use crate::{bulk_fixed_fields, bulk_operation, output, sdk};

/// `coufun bulk-create`'s options.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    /// Goods id every row issues
    #[arg(long, value_name = "ID")]
    goods: String,
    /// Journal file (default: next to the input, .journal.sqlite)
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// Report file (default: next to the input, .report.csv)
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// Rows in flight at once
    #[arg(long, value_name = "N", default_value = "4")]
    #[arg(value_parser = value_parser!(u16).range(1..=32))]
    concurrency: u16,
    #[arg(long, value_name = "ROWS_PER_SECOND", value_parser = rows_per_second)]
    #[arg(help = rate_help("Most rows started per second"))]
    rate: Option<f64>,
    #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = seconds)]
    #[arg(help = format!(
        "First pause after a code whose retry class allows sending it again ({}; `coufun codes`); \
         doubles up to 60 s while it lasts",
        codes_treated(Refusal::Retry)
    ))]
    limit_pause: f64,
    /// Such answers for one row before the run stops (rerun later to resume)
    #[arg(long, value_name = "N", default_value = "3")]
    #[arg(value_parser = value_parser!(u32).range(1..=100))]
    limit_retries: u32,
    /// No progress bar (it is hidden anyway when stderr is not a terminal)
    #[arg(long)]
    no_progress: bool,
}

/// `coufun bulk-create --help`: the input's columns from the operation table.
pub fn long_about() -> String {
    let columns = input::allowed_columns(sdk::BULK.spec(), &bulk_fixed_fields()).join(", ");
    format!(
        "Issue coupons ({}) for every row of a CSV file.\n\n\
        Input: a header row, then one row per coupon order. Columns: ref (your reference, \
        never sent) and any of: {columns} (field names or their wire names); empty cells are \
        left out, and a row without a quantity orders one coupon. The goods come from \
        --goods; each row's TR_ID is assigned in the journal before its first attempt.\n\n\
        The journal (SQLite, default FILE with extension .journal.sqlite) records every \
        outcome as it happens: rerun the same command after a crash or Ctrl-C and it resumes, \
        never issuing a row twice; rows whose outcome is unknown are sent again with their \
        original TR_ID (the server deduplicates on it; a {duplicate} after a lost answer is \
        recorded `reached`: coupons exist, never issued again). A refusal is treated as its \
        code's retry class says (`coufun codes`): a code that may be sent again ({retry}) \
        pauses the run and the same row goes again; a quota never retried ({halt}) stops the \
        run at once and leaves the rows open for a rerun. The report (default \
        FILE with extension .report.csv) lists every row's outcome and coupon numbers.",
        sdk::BULK.name(),
        duplicate = ResultCode::DuplicateTrId.as_str(),
        retry = codes_treated(Refusal::Retry),
        halt = codes_treated(Refusal::Halt),
    )
}

/// The codes the bulk operation may answer that a run treats as `refusal`
/// (from their generated retry class and category, as the run does), e.g.
/// `50, 99`; `none` when there is none.
fn codes_treated(refusal: Refusal) -> String {
    let codes: Vec<&str> = sdk::BULK
        .spec()
        .codes
        .iter()
        .filter(|c| **c != ResultCode::Success && coufun_campaign::refusal(**c) == refusal)
        .map(|c| c.as_str())
        .collect();
    if codes.is_empty() {
        "none".to_owned()
    } else {
        codes.join(", ")
    }
}

/// `coufun bulk-create FILE --goods ID`.
pub async fn bulk_create(global: &Global, m: &Args) -> Result<Exit, CliError> {
    let (op, columns) = bulk_operation()?;
    let (file, goods) = (&m.file, &m.goods);
    let journal_path = m
        .journal
        .clone()
        .unwrap_or_else(|| file.with_extension("journal.sqlite"));
    let report_path = m
        .report
        .clone()
        .unwrap_or_else(|| file.with_extension("report.csv"));

    let rows = input::read(file, op, &bulk_fixed_fields())
        .map_err(|e| CliError::bad(coufun_api::ErrorChain(&e).to_string()))?;
    let orders = input::orders(rows, columns, Some(goods));
    let client = crate::client(global)?;
    let env = global.env.as_deref().unwrap_or("default");

    let journal = format!("journal {}", journal_path.display());
    let store = Store::sqlite(&journal_path).await.local_in(&journal)?;
    let campaign = coufun_campaign::DEFAULT_CAMPAIGN;
    store
        .create(campaign, &format!("{} goods={goods} env={env}", op.name))
        .await
        .local_in(&journal)?;
    let concurrency = usize::from(m.concurrency);
    let limits = limits(
        Some(u32::from(m.concurrency)),
        m.rate,
        m.limit_pause,
        m.limit_retries,
    );
    store
        .set_limits(campaign, &limits)
        .await
        .local_in(&journal)?;
    let generator = TrIdGenerator::new();
    store
        .load(campaign, &orders, || sdk::new_tr_id(&generator))
        .await
        .local_in(&journal)?;
    // Each invocation is a run: rows left unknown or deferred go again.
    store.new_run(campaign).await.local_in(&journal)?;

    let settings = coufun_campaign::Settings::new(campaign, columns.tr_id).concurrency(concurrency);
    let summary = work(&store, settings, !m.no_progress, client)
        .await
        .local_in(&journal)?;
    let all = store.rows(campaign).await.local_in(&journal)?;
    store.close().await;
    input::write_report(&report_path, &all)
        .map_err(|e| CliError::local(format!("report {}: {e}", report_path.display())))?;
    print_summary(
        &summary,
        &all,
        global.json,
        &format!("--journal {}", journal_path.display()),
        &[
            ("report", report_path.display().to_string()),
            ("journal", journal_path.display().to_string()),
        ],
    );
    Ok(bulk_exit(&summary))
}

/// Runs one worker of `settings.campaign` over `client` until its run is done,
/// stopped (Ctrl-C) or halted, with a progress bar on stderr when `progress`.
pub async fn work(
    store: &Store,
    settings: coufun_campaign::Settings,
    progress: bool,
    client: coufun_api::Client,
) -> Result<Summary, coufun_campaign::RunError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Listening starts here, before the first row is sent (a spawned
    // `ctrl_c()` would only listen once the task first runs).
    match interrupt() {
        Ok(interrupted) => {
            tokio::spawn(async move {
                if interrupted.await.is_ok() {
                    // Rows in flight finish and are recorded; the summary says so.
                    let _ = stop_tx.send(true);
                }
            });
        }
        Err(e) => eprintln!("coufun: cannot listen for Ctrl-C: {e}"),
    }
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let bar = draw(
        progress.then(|| (store.clone(), settings.campaign.clone())),
        received,
    );
    let issuer = coufun_campaign::SdkIssuer::new(client).invalid_text(output::validation_text);
    let summary =
        coufun_campaign::run(issuer, store.clone(), settings, stop_rx, Some(events)).await;
    let _ = bar.await;
    summary
}

/// Draws the campaign's progress as a bar on stderr (hidden when there is no
/// campaign to watch, or when stderr is not a terminal), until the worker
/// drops its sender. The bar counts the campaign's rows done by every worker
/// on it, read from the store twice a second; this worker's events give the
/// length and the pause or halt shown beside it.
fn draw(
    watched: Option<(Store, String)>,
    mut events: tokio::sync::mpsc::UnboundedReceiver<Event>,
) -> tokio::task::JoinHandle<()> {
    let bar = if watched.is_some() {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} rows · {per_sec} · ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Not drawn (stderr is no terminal): the store is not asked.
    let watched = watched.filter(|_| !bar.is_hidden());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(Event::Started { open }) => bar.set_length(open as u64),
                    Some(Event::Outcome { again: false, .. }) => bar.set_message(""),
                    Some(Event::Paused { code, pause }) => bar.set_message(format!(
                        "paused {:.1}s: {}",
                        pause.as_secs_f64(),
                        code.display(coufun_api::Lang::En)
                    )),
                    Some(Event::Halted { why }) => bar.set_message(why),
                    Some(_) => {}
                    None => break,
                },
                _ = tick.tick(), if watched.is_some() => {
                    if let Some((store, campaign)) = &watched
                        && let Ok(status) = store.status(campaign).await
                    {
                        let length = bar.length().unwrap_or(0);
                        bar.set_position(length.saturating_sub(status.open() as u64));
                    }
                }
            }
        }
        bar.finish_and_clear();
    })
}

/// Prints a worker's summary: as JSON, or a table and the advice its rows
/// call for. `reconcile_args` is what `coufun reconcile` takes to find the
/// store; `places` the files and stores to name.
pub fn print_summary(
    summary: &Summary,
    all: &[CampaignRow],
    json: bool,
    reconcile_args: &str,
    places: &[(&str, String)],
) {
    let open = summary.open();
    // Issued rows whose answer listed another number of coupons than it stated
    // or than were asked for: the warning is the row's message.
    let short = all
        .iter()
        .filter(|r| r.state == RowState::Issued && r.message.is_some())
        .count();
    // Rows whose coupons may exist unseen: `coufun reconcile` asks the supplier.
    let to_reconcile = all
        .iter()
        .filter(|r| r.state.needs_reconciliation())
        .count();
    if json {
        let mut value = json!({
            "summary": summary,
            "issued_with_count_warning": short,
            "to_reconcile": to_reconcile,
        });
        for (name, place) in places {
            value[*name] = json!(place);
        }
        println!("{value}");
        return;
    }
    print_states(&summary.by_state);
    println!(
        "{} rows, {} sent this run, {} coupons issued in all",
        summary.rows, summary.sent_this_run, summary.coupons
    );
    for (name, place) in places {
        println!("{:<8} {place}", format!("{name}:"));
    }
    if let Some(why) = &summary.halted {
        println!("{why}");
    }
    if summary.interrupted {
        println!("interrupted (Ctrl-C): the rows in flight finished and were recorded");
    }
    if open > 0 {
        println!("{open} rows still open: rerun the same command to resume (same TR_IDs)");
    }
    if short > 0 {
        println!(
            "{short} issued rows list another number of coupons than stated or asked for: deliver those listed, reconcile the rest with the supplier by TR_ID (see the report's message column)"
        );
    }
    let reached = summary.count(RowState::Reached);
    if reached > 0 {
        println!(
            "{reached} rows reached the server in an earlier attempt whose answer was lost: coupons probably exist, numbers not retrievable — never reissue them"
        );
    }
    let mismatched = summary.count(RowState::EchoMismatch);
    if mismatched > 0 {
        println!(
            "{mismatched} rows were answered with another order's TR_ID or goods: their coupons are not attributed to them — never reissue them"
        );
    }
    if to_reconcile > 0 {
        println!(
            "{to_reconcile} rows to ask the supplier about: `coufun reconcile {reconcile_args}` writes the request (--format csv|text)"
        );
    }
}

/// Prints the rows by state as an `OUTCOME ROWS` table.
pub fn print_states(by_state: &BTreeMap<RowState, usize>) {
    let rows: Vec<Vec<String>> = by_state
        .iter()
        .map(|(s, n)| vec![s.as_str().to_owned(), n.to_string()])
        .collect();
    print!("{}", output::table(&["OUTCOME", "ROWS"], &rows));
}

/// How a bulk run exits: interrupted; else rows still open (a rerun sends them
/// with their TR_IDs: 4); else rows never to be sent again (6); else refusals.
pub fn bulk_exit(summary: &Summary) -> Exit {
    let open = summary.open();
    if summary.interrupted {
        Exit::Interrupted
    } else if open > 0 {
        Exit::Unknown
    } else if summary.count(RowState::Reached) + summary.count(RowState::EchoMismatch) > 0 {
        Exit::DoNotResend
    } else if summary.count(RowState::Refused) + summary.count(RowState::Invalid) > 0 {
        Exit::Refused
    } else {
        Exit::Success
    }
}

/// Ctrl-C (SIGINT), listened for from the call on.
#[cfg(unix)]
pub fn interrupt() -> std::io::Result<impl Future<Output = std::io::Result<()>>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigint = signal(SignalKind::interrupt())?;
    Ok(async move {
        sigint.recv().await;
        Ok(())
    })
}

/// Ctrl-C, listened for from the first time the future is polled.
#[cfg(not(unix))]
pub fn interrupt() -> std::io::Result<impl Future<Output = std::io::Result<()>>> {
    Ok(tokio::signal::ctrl_c())
}

/// A number of seconds (`--limit-pause`, `--lease`; their users clamp it): any
/// number but NaN, which no duration holds.
pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if !seconds.is_nan() => Ok(seconds),
        _ => Err(format!("{text:?} is not a number of seconds")),
    }
}

/// `--rate`'s help: `what`, then the least rate (from
/// [`coufun_campaign::LEAST_RATE`]).
pub(crate) fn rate_help(what: &str) -> String {
    format!(
        "{what}, at least {:e} (no cap by default)",
        coufun_campaign::LEAST_RATE
    )
}

/// A rate (`--rate` of bulk-create and campaign load): a finite number of at
/// least [`coufun_campaign::LEAST_RATE`] (below it no schedule counts the gap
/// between two starts). 0 and negative rates are refused, not read as "no
/// cap": no cap is `--rate` left out.
pub(crate) fn rows_per_second(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if !rate.is_finite() => {
            Err(format!("{text:?} is not a number of rows per second"))
        }
        Ok(rate) if rate < coufun_campaign::LEAST_RATE => Err(format!(
            "{text} rows per second is below the least rate: a rate must be {} \
             (leave --rate out for no cap)",
            coufun_campaign::Bound::LeastRate
        )),
        Ok(rate) => Ok(rate),
        Err(_) => Err(format!("{text:?} is not a number of rows per second")),
    }
}

/// A campaign's limits from the command line: rows in flight and rate as the
/// caller reads them, the pause on limit codes (`--limit-pause`, at most 60 s)
/// and how often it pauses (`--limit-retries`).
pub(crate) fn limits(
    max_in_flight: Option<u32>,
    rate: Option<f64>,
    limit_pause: f64,
    limit_retries: u32,
) -> Limits {
    Limits {
        max_in_flight,
        rate,
        limit_pause: Duration::from_secs_f64(limit_pause.clamp(0.0, 60.0)),
        max_pause: Duration::from_secs(60),
        limit_retries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help's code lists are the bulk operation's codes, each under the
    /// treatment the run gives it: together every code but success, once.
    #[test]
    fn the_help_names_each_code_under_its_treatment() {
        let mut named = Vec::new();
        for refusal in [Refusal::Retry, Refusal::Halt, Refusal::Final] {
            for text in codes_treated(refusal).split(", ") {
                let code: ResultCode = text.parse().unwrap();
                assert_eq!(coufun_campaign::refusal(code), refusal, "{text}");
                named.push(code);
            }
        }
        let mut expected: Vec<ResultCode> = sdk::BULK.spec().codes.to_vec();
        expected.retain(|c| *c != ResultCode::Success);
        named.sort_by_key(|c| c.as_str());
        expected.sort_by_key(|c| c.as_str());
        assert_eq!(named, expected);
        let about = long_about();
        assert!(about.contains(&format!("({})", codes_treated(Refusal::Retry))));
        assert!(about.contains(&format!("({})", codes_treated(Refusal::Halt))));
        assert!(about.contains(&format!("a {} after", ResultCode::DuplicateTrId.as_str())));
    }

    /// The least rate and above are rates; below it, 0 and negative rates
    /// are refused (no cap is `--rate` left out), as are NaN and infinities.
    #[test]
    fn a_rate_parses_from_the_least_rate_up() {
        for (text, rate) in [("1e-9", 1e-9), ("2.5", 2.5)] {
            assert_eq!(rows_per_second(text), Ok(rate), "{text}");
        }
        assert_eq!(
            rows_per_second("9.9e-10"),
            Err(
                "9.9e-10 rows per second is below the least rate: a rate must be at least \
                 1e-9 rows per second (one row in about 32 years) (leave --rate out for no cap)"
                    .to_owned()
            )
        );
        for text in ["0", "-0", "-1", "-inf", "inf", "NaN"] {
            assert!(rows_per_second(text).is_err(), "{text}");
        }
        assert_eq!(
            rate_help("Most rows"),
            "Most rows, at least 1e-9 (no cap by default)"
        );
    }

    fn summary(states: &[(RowState, usize)]) -> Summary {
        let rows: Vec<CampaignRow> = Vec::new();
        let mut s = Summary::of_rows(&rows);
        for (state, n) in states {
            s.by_state.insert(*state, *n);
        }
        s
    }

    /// Rows still open come first (rerun: same TR_IDs); a run whose only
    /// unfinished rows must never be resent exits 6, not 4.
    #[test]
    fn a_bulk_run_exits_by_what_its_rows_need() {
        use RowState::*;
        assert_eq!(bulk_exit(&summary(&[(Issued, 3)])), Exit::Success);
        assert_eq!(
            bulk_exit(&summary(&[(Issued, 3), (Refused, 1)])),
            Exit::Refused
        );
        assert_eq!(
            bulk_exit(&summary(&[(Issued, 3), (Reached, 1)])),
            Exit::DoNotResend
        );
        assert_eq!(
            bulk_exit(&summary(&[(EchoMismatch, 1), (Refused, 1)])),
            Exit::DoNotResend
        );
        for open in [Unknown, Sending, Pending, Deferred] {
            assert_eq!(
                bulk_exit(&summary(&[(Reached, 1), (open, 1)])),
                Exit::Unknown
            );
        }
        let mut stopped = summary(&[(Pending, 1)]);
        stopped.interrupted = true;
        assert_eq!(bulk_exit(&stopped), Exit::Interrupted);
    }
}
