//! `coufun state-sync` and `coufun goods-sync`: thin front ends over
//! coufun-sync (coupon-state polling into a store's history; the goods
//! catalogue within a daily budget, with what changed), their command
//! definitions and their output (a table, or JSON with `--json`).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;

use clap::value_parser;
use coufun_api::notice::NoticeAnswerCode;
use coufun_api::{Charset, CouponNumber, GoodsId};
use coufun_notify::{AllowList, PostgresStore, Receiver, SqliteStore};
use coufun_sync::{
    CatalogueDiff, FetchBudget, GoodsSyncReport, PollConfig, RoundReport, SyncError, SyncStore,
};

use crate::cli::Global;
use crate::exit::{CliError, Exit, LocalIn};
use crate::output;

/// `--database`, for both subcommands.
#[derive(Debug, clap::Args)]
pub struct Database {
    /// The sync store: sqlite:PATH (created if missing) or postgres://USER@HOST/DB (several instances share it) [env COUFUN_SYNC_DATABASE]
    #[arg(long, value_name = "URL", env = "COUFUN_SYNC_DATABASE")]
    database: String,
}

/// `coufun state-sync --help`.
pub const STATE_SYNC_ABOUT: &str = "Keep each issued coupon's state history. Every round asks the status operation \
     about each coupon still open (unused, or a stored-value voucher with a balance \
     left, within its validity) and records a history row for each real change; \
     exchange notices, received by this command with --listen (and --notice-from, \
     the supplier's addresses) or by a coufun-notify receiver of your own writing \
     through the same store (coufun_sync::StateNotices), land in the same history, \
     and a change seen by both is recorded once. Coupons to watch are registered with --track. \
     Without --once, rounds repeat every --every seconds until Ctrl-C.";

/// `coufun state-sync`'s options.
#[derive(Debug, clap::Args)]
pub struct StateSync {
    #[command(flatten)]
    database: Database,
    /// Register coupons first: one per line, goods id and coupon number separated by a comma (lines starting with # are skipped)
    #[arg(long, value_name = "FILE")]
    track: Option<PathBuf>,
    /// One round, then exit
    #[arg(long)]
    once: bool,
    /// Seconds from the start of one round to the next
    #[arg(long, value_name = "SECONDS", default_value = "300")]
    #[arg(value_parser = value_parser!(u64).range(1..))]
    every: u64,
    /// Most status calls started per second (0: no cap)
    #[arg(long, value_name = "CALLS_PER_SECOND", default_value = "10")]
    #[arg(value_parser = calls_per_second)]
    rate: f64,
    /// Status calls in flight at once
    #[arg(long, value_name = "N", default_value = "4")]
    #[arg(value_parser = value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Also receive exchange notices on ADDR (e.g. 0.0.0.0:8080) and write their states into the same history (the URL to give the supplier is printed at start)
    #[arg(
        long,
        value_name = "ADDR",
        conflicts_with = "once",
        requires = "notice_from"
    )]
    listen: Option<SocketAddr>,
    /// The path notices are posted to, under --listen
    #[arg(long, value_name = "PATH", default_value = "/", requires = "listen")]
    #[arg(value_parser = notice_path)]
    notice_path: String,
    #[arg(long, value_name = "IP", requires = "listen", value_parser = notice_from)]
    #[arg(help = format!(
        "Accept notices only from IP (repeatable: the addresses the supplier posts from); `any` accepts every address. Others are answered {}",
        NoticeAnswerCode::IpNotRegistered.as_str()
    ))]
    notice_from: Vec<Option<IpAddr>>,
}

/// `--notice-path`: an absolute path, `/` or deeper.
fn notice_path(path: &str) -> Result<String, String> {
    if path.starts_with('/') {
        Ok(path.trim_end_matches('/').to_owned())
    } else {
        Err(format!("{path:?} does not start with /"))
    }
}

/// `--rate`: a number of calls per second, 0 or more (coufun-sync paces a
/// rate too small or too large for a duration at its bounds).
fn calls_per_second(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate >= 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a number of calls per second, 0 (no cap) or more"
        )),
    }
}

/// `--notice-from`: an IP address, or `any` (`None`).
fn notice_from(text: &str) -> Result<Option<IpAddr>, String> {
    if text == "any" {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{text:?} is neither an IP address nor `any`"))
}

/// `coufun goods-sync --help`.
pub const GOODS_SYNC_ABOUT: &str = "Fetch the goods list, store it in the sync store and show what changed since \
     the last sync: goods added and removed, list or supply price, validity, send \
     type, images, guide texts. The server allows a number of goods-list lookups a \
     day and then answers 09 (the manuals state no number): the store counts fetches \
     per Korean day against --per-day and refuses an early fetch before sending \
     anything (exit 3); after a 09 no fetch is made before the next Korean day.";

/// `coufun goods-sync`'s options.
#[derive(Debug, clap::Args)]
pub struct GoodsSync {
    #[command(flatten)]
    database: Database,
    /// Fetches allowed a Korean day (what your contract allows; shared by every instance on the store)
    #[arg(long, value_name = "N", default_value = "1")]
    #[arg(value_parser = value_parser!(u32).range(1..))]
    per_day: u32,
}

fn store_error(e: SyncError) -> CliError {
    let exit = match &e {
        SyncError::UnsupportedUrl { .. } | SyncError::ZeroBudget(_) => Exit::BadArguments,
        SyncError::FetchBudgetSpent { .. } | SyncError::DailyLimitReached { .. } => Exit::Refused,
        SyncError::Api(api) if api.result_code().is_some() => Exit::Refused,
        SyncError::Api(_) => Exit::Transport,
        _ => Exit::Local,
    };
    CliError::new(exit, coufun_api::ErrorChain(&e).to_string())
}

/// The coupons of a `--track` file.
fn read_track_file(path: &Path) -> Result<Vec<(CouponNumber, GoodsId)>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::local(format!("cannot read {}: {e}", path.display())))?;
    let mut coupons = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: String| {
            CliError::bad(format!(
                "{} line {}: {what}; nothing was tracked",
                path.display(),
                n + 1
            ))
        };
        let Some((goods, coupon)) = line.split_once(',') else {
            return Err(bad("expected GOODS_ID,COUPON_NUMBER".to_owned()));
        };
        let goods = GoodsId::new(goods.trim()).map_err(|v| bad(format!("goods id: {v}")))?;
        let coupon =
            CouponNumber::new(coupon.trim()).map_err(|v| bad(format!("coupon number: {v}")))?;
        coupons.push((coupon, goods));
    }
    Ok(coupons)
}

fn round_text(report: &RoundReport) -> String {
    format!(
        "round: polled {}, changed {}, unchanged {}, stale {}, failed {}; {} coupon(s) still open",
        report.polled, report.changed, report.unchanged, report.stale, report.failed, report.open
    )
}

/// `coufun state-sync`.
pub async fn state_sync(global: &Global, m: &StateSync) -> Result<Exit, CliError> {
    let json = global.json;
    let coupons = m.track.as_deref().map(read_track_file).transpose()?;
    let coupons = coupons.unwrap_or_default();
    let store = SyncStore::open(&m.database.database)
        .await
        .map_err(store_error)?;
    let tracked = store.track_many(&coupons).await.map_err(store_error)?;
    if !json && !coupons.is_empty() {
        println!(
            "tracked {tracked} new coupon(s) ({} already held)",
            coupons.len() as u64 - tracked
        );
    }
    let client = crate::client(global)?;
    let config = PollConfig::default()
        .rate(m.rate)
        .concurrency(usize::from(m.concurrency))
        .charset(Charset::default());
    if m.once {
        let report = coufun_sync::poll_round(&store, &client, &config)
            .await
            .map_err(store_error)?;
        let value = serde_json::json!({ "tracked": tracked, "round": report });
        output::say(json, value, round_text(&report));
        if report.failed > 0 {
            eprintln!(
                "warning: {} status lookup(s) failed (logged; retried next round)",
                report.failed
            );
        }
        return Ok(Exit::Success);
    }
    let (interrupt, interrupted) = tokio::sync::watch::channel(false);
    let ctrl_c = crate::bulk::interrupt()
        .map_err(|e| CliError::local(format!("cannot listen for Ctrl-C: {e}")))?;
    tokio::spawn(async move {
        let _ = ctrl_c.await;
        let _ = interrupt.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let notices = match m.listen {
        Some(addr) => {
            let path = m.notice_path.as_str();
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| CliError::local(format!("cannot listen on {addr}: {e}")))?;
            let app = notice_app(&store, path, allow_list(&m.notice_from)).await?;
            let shown = listener
                .local_addr()
                .map_or_else(|_| addr.to_string(), |a| a.to_string());
            let url = format!("http://{shown}{}", if path.is_empty() { "/" } else { path });
            output::say(
                json,
                serde_json::json!({ "receiving_notices": url }),
                format!("receiving exchange notices at {url}"),
            );
            let serve = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(stopped(interrupted.clone()));
            Some(tokio::spawn(async move { serve.await }))
        }
        None => None,
    };
    coufun_sync::run(
        &store,
        &client,
        &config,
        Duration::from_secs(m.every),
        stopped(interrupted),
        |report| output::say(json, report, round_text(report)),
    )
    .await
    .map_err(store_error)?;
    if let Some(server) = notices {
        server
            .await
            .map_err(|e| e.to_string())
            .and_then(|served| served.map_err(|e| e.to_string()))
            .map_err(|e| CliError::local(format!("the notice receiver stopped: {e}")))?;
    }
    Ok(Exit::Interrupted)
}

/// The `--notice-from` addresses (any address when one of them is `any`).
fn allow_list(from: &[Option<IpAddr>]) -> AllowList {
    if from.iter().any(Option::is_none) {
        AllowList::any()
    } else {
        AllowList::only(from.iter().flatten().copied())
    }
}

/// The exchange-notice receiver on the sync store's own pool: each notice is
/// deduplicated and its state written to the history in one transaction
/// ([`coufun_sync::StateNotices`]), served at `path` (`""`: the root).
async fn notice_app(store: &SyncStore, path: &str, allow: AllowList) -> Result<Router, CliError> {
    let failed = "cannot open the notice store";
    let handler = coufun_sync::StateNotices::new();
    let router = match store {
        SyncStore::Sqlite(pool) => {
            let notices = SqliteStore::with_pool(pool.clone())
                .await
                .local_in(failed)?;
            Receiver::new(notices, handler, allow).router()
        }
        SyncStore::Postgres(pool) => {
            let notices = PostgresStore::with_pool(pool.clone())
                .await
                .local_in(failed)?;
            Receiver::new(notices, handler, allow).router()
        }
        _ => {
            return Err(CliError::bad(
                "--listen: this store cannot hold notices".to_owned(),
            ));
        }
    };
    Ok(if path.is_empty() {
        router
    } else {
        Router::new().nest(path, router)
    })
}

fn shorten(text: Option<&str>) -> String {
    let Some(text) = text else {
        return "(none)".to_owned();
    };
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > 40 {
        format!("{}…", chars[..39].iter().collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The report as a table.
pub fn goods_text(report: &GoodsSyncReport) -> String {
    let mut out = format!(
        "goods sync {} (fetch {} of {} on Korean day {}): {} goods listed\n",
        report.synced_at, report.fetch, report.per_day, report.day, report.goods
    );
    let diff: &CatalogueDiff = &report.diff;
    if diff.first_sync {
        out.push_str("first sync: every goods item is new\n");
    }
    let price = |p: &Option<String>| p.clone().unwrap_or_else(|| "-".to_owned());
    for g in &diff.added {
        out.push_str(&format!(
            "+ {:<10}  {}  list {}  supply {}\n",
            g.goods_id,
            g.name.as_deref().unwrap_or(""),
            price(&g.list_price),
            price(&g.supply_price)
        ));
    }
    for g in &diff.removed {
        out.push_str(&format!(
            "- {:<10}  {}\n",
            g.goods_id,
            g.name.as_deref().unwrap_or("")
        ));
    }
    for g in &diff.changed {
        let aspects: Vec<&str> = g.aspects().iter().map(|a| a.label()).collect();
        out.push_str(&format!(
            "~ {:<10}  {}  [{}]\n",
            g.goods_id,
            g.name.as_deref().unwrap_or(""),
            aspects.join(", ")
        ));
        for f in &g.fields {
            out.push_str(&format!(
                "    {}: {} → {}\n",
                f.field,
                shorten(f.before.as_deref()),
                shorten(f.after.as_deref())
            ));
        }
    }
    out.push_str(&format!(
        "added {}, removed {}, changed {}, unchanged {}\n",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len(),
        diff.unchanged
    ));
    if report.without_goods_id > 0 {
        out.push_str(&format!(
            "warning: {} record(s) without a goods id were left out\n",
            report.without_goods_id
        ));
    }
    out
}

/// `coufun goods-sync`.
pub async fn goods_sync(global: &Global, m: &GoodsSync) -> Result<Exit, CliError> {
    let budget = FetchBudget::per_day(m.per_day).map_err(store_error)?;
    let store = SyncStore::open(&m.database.database)
        .await
        .map_err(store_error)?;
    let client = crate::client(global)?;
    let report = coufun_sync::sync_goods(&store, &client, budget, Charset::default())
        .await
        .map_err(store_error)?;
    if global.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", goods_text(&report));
    }
    Ok(Exit::Success)
}
