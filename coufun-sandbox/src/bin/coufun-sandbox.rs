//! `coufun-sandbox`: serves the COUFUN sandbox on an address and port until Ctrl-C.
//! Logs go to stderr, filtered by `RUST_LOG` (default `info`: every refused
//! request and why, e.g. a body that is not text in the request charset;
//! `RUST_LOG=coufun_sandbox=debug` adds every answer's code).
//!
//! ```text
//! coufun-sandbox --addr 127.0.0.1 --port 8080 [--catalogue goods.toml] [--charset utf-8]
//!                [--latency-ms 20] [--fault-seed 7 --fault-drop-after-commit 0.1 ...]
//!                [--notice-url http://127.0.0.1:9000/coufun/exchange --notice-retry-ms 600000]
//!                [--drift unknown-elements,unknown-state,long-name,other-root,other-record,other-charset|all]
//!                [--tls [--tls-ca-out ca.pem] [--tls-test-host] [--tls-host NAME ...]]
//! ```
//!
//! `--tls` serves https with a throwaway CA made at start; the CA certificate
//! goes to `--tls-ca-out FILE` (written before the base URL is printed), or to
//! stdout. `coufun --ca-cert FILE` and `ClientBuilder::add_root_certificate_pem`
//! trust it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use coufun_api::Charset;
use coufun_api::notice::RETRY_INTERVAL;
use coufun_sandbox::notices::{MIN_RETRY_INTERVAL, NoticeSenderConfig};
use coufun_sandbox::{
    Catalogue, DEFAULT_POC_ID, DriftPlan, FaultOdds, FaultPlan, Sandbox, SandboxConfig,
};

/// Prints a line, as `println!`; a closed stdout (`| head`) is no reason to stop serving.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*).and_then(|()| out.flush());
    }};
}

/// A local COUFUN server for trying the SDK and testing code that uses it.
#[derive(Debug, Parser)]
#[command(name = "coufun-sandbox", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    addr: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Goods catalogue (TOML); the built-in one when absent.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Charset requests are read and text limits counted in.
    #[arg(long, value_enum, default_value_t = CharsetArg::Cp949)]
    charset: CharsetArg,
    /// Caller addresses allowed in (repeatable); loopback only when absent.
    #[arg(long = "allow-ip")]
    allow_ip: Vec<IpAddr>,
    /// Goods-list lookups per POC_ID per day (09 beyond).
    #[arg(long)]
    goods_list_daily_limit: Option<u32>,
    /// Window in milliseconds in which an identical write answers 23 (0: off).
    #[arg(long, default_value_t = 0)]
    duplicate_window_ms: u64,
    /// Fixed latency of every COUFUN call in milliseconds, as a real server's
    /// round trip (0: none).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Seed of the random faults (same seed, same faults per request index).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Probability of delaying an answer by `--fault-delay-ms`.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_delay: f64,
    /// How long a delayed answer waits, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    fault_delay_ms: u64,
    /// Probability of committing, then closing the connection unanswered.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_drop_after_commit: f64,
    /// Probability of resetting the connection before committing.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_reset_before_commit: f64,
    /// Probability of a 502 HTML page.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_bad_gateway: f64,
    /// Probability of answering code 50.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_code_50: f64,
    /// Probability of answering code 99.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_code_99: f64,
    /// Probability of answering a coupon create short of its last coupon number
    /// (ORDER_CNT still counts it).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_short_of_a_coupon: f64,
    /// Probability of answering a coupon create or send 00 echoing another
    /// TR_ID (the coupons are still issued).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_foreign_tr_id: f64,
    /// Probability of answering a coupon create 00 echoing another GOODS_ID
    /// (the coupons are still issued).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_foreign_goods_id: f64,
    /// The merchant's URL for exchange notices: every redemption and use-cancel
    /// is POSTed there (none are sent when absent).
    #[arg(long)]
    notice_url: Option<String>,
    #[arg(long, default_value_t = millis(RETRY_INTERVAL), value_parser = retry_ms)]
    #[arg(help = format!(
        "Wait between attempts at a notice not answered 00/04, in milliseconds \
         (default: the manual's interval, {} s; at least the sender's floor, {})",
        RETRY_INTERVAL.as_secs(),
        MIN_RETRY_INTERVAL.as_millis()
    ))]
    notice_retry_ms: u64,
    /// Attempts per notice before giving up, 1 or more (default: never).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    notice_max_attempts: Option<u32>,
    /// Throw away the answer of the notice POST with this index (from 0), so the
    /// notice is delivered again (repeatable).
    #[arg(long = "notice-lose-answer")]
    notice_lose_answer: Vec<u64>,
    /// The shop's name in notices (BRANCH_NAME).
    #[arg(long)]
    branch_name: Option<String>,
    /// The shop's code in notices (BRANCH_CODE).
    #[arg(long)]
    branch_code: Option<String>,
    /// Serve https: a throwaway CA and a server certificate it signs (for
    /// localhost, 127.0.0.1, ::1 and the --tls-host names) are made at start.
    #[cfg(feature = "tls")]
    #[arg(long)]
    tls: bool,
    /// Write the CA certificate (PEM) to FILE, for the client to trust
    /// (`coufun --ca-cert FILE`); printed on stdout when absent.
    #[cfg(feature = "tls")]
    #[arg(long, value_name = "FILE", requires = "tls")]
    tls_ca_out: Option<PathBuf>,
    /// The certificate also covers the host of the SDK's test server URL
    /// (`Environment::Test`, `coufun --env test`), for a client that resolves
    /// that host to the sandbox.
    #[cfg(feature = "tls")]
    #[arg(long, requires = "tls")]
    tls_test_host: bool,
    /// Another host name (or IP address) the certificate covers (repeatable).
    #[cfg(feature = "tls")]
    #[arg(long = "tls-host", value_name = "NAME", requires = "tls")]
    tls_host: Vec<String>,
    /// Answer where the spec says otherwise, to try drift reports (`coufun
    /// doctor`): comma-separated or repeated.
    #[arg(long = "drift", value_enum, value_delimiter = ',')]
    drift: Vec<DriftArg>,
}

/// One way answers depart from the spec (`--drift`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DriftArg {
    /// An element the spec does not name, under the root and in every record.
    UnknownElements,
    /// A coupon state outside the value table in status answers.
    UnknownState,
    /// Goods names longer than the spec's length.
    LongName,
    /// Every answer under another root element.
    OtherRoot,
    /// Records in another element than the spec's.
    OtherRecord,
    /// Answers written in, and declaring, UTF-8 instead of EUC-KR.
    OtherCharset,
    /// Every drift but another root (which would hide the rest).
    All,
}

fn drift_plan(args: &[DriftArg]) -> DriftPlan {
    let has = |drift| args.contains(&drift);
    let mut plan = if has(DriftArg::All) {
        DriftPlan::all_but_root()
    } else {
        DriftPlan::none()
    };
    plan.unknown_elements |= has(DriftArg::UnknownElements);
    plan.unknown_state |= has(DriftArg::UnknownState);
    plan.long_name |= has(DriftArg::LongName);
    plan.other_root |= has(DriftArg::OtherRoot);
    plan.other_record |= has(DriftArg::OtherRecord);
    plan.other_charset |= has(DriftArg::OtherCharset);
    plan
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CharsetArg {
    /// CP949 (EUC-KR), as the real server.
    Cp949,
    /// UTF-8.
    #[value(name = "utf-8")]
    Utf8,
}

/// A fault's probability (`--fault-*`): a number from 0 to 1. NaN or one out of
/// range is refused at parsing, as the odds would not mean what they say.
fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a probability from 0 to 1")),
    }
}

/// `duration` in whole milliseconds (`u64::MAX` past it).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The wait between notice attempts (`--notice-retry-ms`): whole milliseconds,
/// no fewer than [`MIN_RETRY_INTERVAL`]'s. Fewer is refused at parsing rather
/// than held at the floor, so the schedule printed is the one kept.
fn retry_ms(text: &str) -> Result<u64, String> {
    let floor = MIN_RETRY_INTERVAL.as_millis();
    match text.parse::<u64>() {
        Ok(ms) if Duration::from_millis(ms) >= MIN_RETRY_INTERVAL => Ok(ms),
        Ok(_) => Err(format!(
            "{text} ms is below the shortest wait between notice attempts, {floor} ms"
        )),
        Err(_) => Err(format!("{text:?} is not a whole number of milliseconds")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("coufun-sandbox: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("coufun-sandbox: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let mut config = SandboxConfig::default();
    if let Some(path) = &args.catalogue {
        config.catalogue =
            Catalogue::from_file(path).map_err(|e| coufun_api::ErrorChain(&e).to_string())?;
    }
    config.charset = match args.charset {
        CharsetArg::Cp949 => Charset::Cp949,
        CharsetArg::Utf8 => Charset::Utf8,
    };
    config.allowed_ips = args.allow_ip.clone();
    if let Some(limit) = args.goods_list_daily_limit {
        config.goods_list_daily_limit = limit;
    }
    config.duplicate_window = Duration::from_millis(args.duplicate_window_ms);
    config.latency = Duration::from_millis(args.latency_ms);
    // Every field named (no `..`): a new fault does not compile until it has a flag.
    let odds = FaultOdds {
        seed: args.fault_seed,
        delay: args.fault_delay,
        delay_for: Duration::from_millis(args.fault_delay_ms),
        drop_after_commit: args.fault_drop_after_commit,
        reset_before_commit: args.fault_reset_before_commit,
        bad_gateway: args.fault_bad_gateway,
        code_50: args.fault_code_50,
        code_99: args.fault_code_99,
        short_of_a_coupon: args.fault_short_of_a_coupon,
        foreign_tr_id: args.fault_foreign_tr_id,
        foreign_goods_id: args.fault_foreign_goods_id,
    };
    if odds.any() {
        config.faults = FaultPlan::random(odds);
    }
    if let Some(url) = &args.notice_url {
        let mut notices = NoticeSenderConfig::new(url.clone())
            .retry_interval(Duration::from_millis(args.notice_retry_ms))
            .lose_answers(args.notice_lose_answer.iter().copied());
        notices.max_attempts = args.notice_max_attempts;
        config = config.with_notices(notices);
    }
    // An unnamed part of the shop stays the default's.
    if let Some(name) = &args.branch_name {
        config.branch.name = name.clone();
    }
    if let Some(code) = &args.branch_code {
        config.branch.code = code.clone();
    }
    config = config.with_drift(drift_plan(&args.drift));
    #[cfg(feature = "tls")]
    let tls = tls_config(&args);
    #[cfg(feature = "tls")]
    if let Some(tls) = &tls {
        config = config.with_tls(tls.clone());
    }
    // Listen for Ctrl-C before the base URL is printed: a SIGINT sent as soon
    // as it is read must stop the server cleanly, not kill the process.
    let interrupted = interrupt()?;
    let sandbox = Sandbox::bind(SocketAddr::new(args.addr, args.port), config)
        .await
        .map_err(|e| coufun_api::ErrorChain(&e).to_string())?;
    #[cfg(feature = "tls")]
    if let Some(tls) = &tls {
        tls_banner(&args, tls, &sandbox)?;
    }
    say!("coufun-sandbox listening: base URL {}", sandbox.base_url());
    let origin = format!("{}://{}", sandbox.scheme(), sandbox.addr());
    say!("POC_ID for every operation: {DEFAULT_POC_ID}; ledger: {origin}/_admin/ledger");
    say!("a shop redeems a coupon: POST {origin}/_admin/coupons/{{BARCODE_NUM}}/redeem[?amount=N]");
    if let Some(url) = &args.notice_url {
        say!(
            "exchange notices go to {url} (retry every {} ms)",
            args.notice_retry_ms
        );
    }
    if !args.drift.is_empty() {
        say!("answers depart from the spec on purpose (--drift): try `coufun doctor` against it");
    }
    say!("Ctrl-C to stop.");
    interrupted.await?;
    say!("stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// The https setup `--tls`, `--tls-test-host` and `--tls-host` ask for.
#[cfg(feature = "tls")]
fn tls_config(args: &Args) -> Option<coufun_sandbox::tls::TlsConfig> {
    let mut tls = coufun_sandbox::tls::TlsConfig::new();
    if args.tls_test_host {
        tls = tls.with_test_server_host();
    }
    for name in &args.tls_host {
        tls = tls.with_host_name(name);
    }
    args.tls.then_some(tls)
}

/// Writes the CA certificate to `--tls-ca-out` (or prints it) and says which
/// names the server certificate covers.
#[cfg(feature = "tls")]
fn tls_banner(
    args: &Args,
    tls: &coufun_sandbox::tls::TlsConfig,
    sandbox: &Sandbox,
) -> Result<(), String> {
    let Some(pem) = sandbox.ca_certificate_pem() else {
        return Ok(());
    };
    let names: Vec<&str> = tls.host_names().collect();
    say!("https: the server certificate covers {}", names.join(", "));
    match &args.tls_ca_out {
        Some(path) => {
            std::fs::write(path, pem).map_err(|e| {
                format!("cannot write the CA certificate to {}: {e}", path.display())
            })?;
            say!(
                "CA certificate written to {0} (trust it: coufun --ca-cert {0})",
                path.display()
            );
        }
        None => say!(
            "CA certificate (trust it: save it and pass coufun --ca-cert FILE, or start with --tls-ca-out FILE):\n{}",
            pem.trim_end()
        ),
    }
    Ok(())
}

/// Ctrl-C (SIGINT), listened for from now on.
#[cfg(unix)]
fn interrupt() -> Result<impl Future<Output = Result<(), String>>, String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigint =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot listen for Ctrl-C: {e}"))?;
    Ok(async move {
        sigint.recv().await;
        Ok(())
    })
}

/// Ctrl-C, listened for from the first time the future is polled.
#[cfg(not(unix))]
fn interrupt() -> Result<impl Future<Output = Result<(), String>>, String> {
    Ok(async {
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))
    })
}

/// Log lines on stderr, filtered by `RUST_LOG` (`info` when unset; a directive
/// it cannot read is reported and skipped).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::filter::LevelFilter;
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    if let Err(error) = installed {
        eprintln!("coufun-sandbox: no log output: {error}");
    }
}
