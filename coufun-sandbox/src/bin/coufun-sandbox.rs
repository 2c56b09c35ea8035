//! `coufun-sandbox`: serves the COUFUN sandbox on an address and port until Ctrl-C.
//!
//! ```text
//! coufun-sandbox --addr 127.0.0.1 --port 8080 [--catalogue goods.toml] [--charset utf-8]
//! ```

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use coufun_api::Charset;
use coufun_sandbox::{Catalogue, DEFAULT_POC_ID, Sandbox, SandboxConfig};

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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CharsetArg {
    /// CP949 (EUC-KR), as the real server.
    Cp949,
    /// UTF-8.
    #[value(name = "utf-8")]
    Utf8,
}

fn main() -> ExitCode {
    let args = Args::parse();
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
        config.catalogue = Catalogue::from_file(path).map_err(|e| e.to_string())?;
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
    let sandbox = Sandbox::bind(SocketAddr::new(args.addr, args.port), config)
        .await
        .map_err(|e| e.to_string())?;
    println!("coufun-sandbox listening: base URL {}", sandbox.base_url());
    println!(
        "POC_ID for every operation: {DEFAULT_POC_ID}; ledger: http://{}/_admin/ledger",
        sandbox.addr()
    );
    println!("Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    println!("stopping");
    sandbox.shutdown().await;
    Ok(())
}
