//! `coufun doctor`: checks a merchant's setup against a server, read-only, in
//! steps — the environment, name resolution, TCP reach, TLS, the goods list as
//! the first call (its refusals `01`, `02`, `98`, `09` explained from the
//! generated code table), a status lookup of a coupon when one is given, and
//! the drift of every answer from the spec. Each step has a verdict and what
//! to do; the exit code is the worst verdict's. It never issues, cancels or
//! sends anything: it calls only operations the spec marks read-only.

pub mod drift_file;
pub mod net;

use std::net::SocketAddr;
use std::path::PathBuf;

use coufun_api::drift::{DriftCollector, DriftReport};
use coufun_api::privacy::PocId;
use coufun_api::retry::RetryPolicy;
use coufun_api::{
    AnswerView, Client, CouponStatusRequest, Effect, Error, GoodsListRequest, Lang, OperationId,
    ResultCode,
};
use serde::Serialize;
use serde_json::json;

use crate::cli::Global;
use crate::exit::Exit;
use crate::sdk::Connection;
use crate::{output, present};

/// `coufun doctor`'s options.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Goods of the coupon to look up (with --coupon-number)
    #[arg(long, value_name = status_wire("goods_id"))]
    goods_id: Option<String>,
    /// A coupon number to look up (status only; never printed)
    #[arg(long, value_name = status_wire("coupon_number"), requires = "goods_id")]
    coupon_number: Option<String>,
    /// Write the drift from the spec to FILE (TOML, or JSON for .json), for the SDK's maintainers
    #[arg(long, value_name = "FILE")]
    drift_report: Option<PathBuf>,
}

/// The wire name of the status operation's field `name`.
fn status_wire(name: &str) -> &'static str {
    OperationId::CouponStatus
        .spec()
        .field(name)
        .map_or("", |f| f.wire)
}

/// `coufun doctor --help`.
pub fn long_about() -> String {
    format!(
        "Check this machine's setup against the --env server, read-only, step by step: \
         name resolution and TCP reach of the host and port; TLS (protocol, cipher, \
         certificate; says so when the server offers plain http only); the goods list \
         as the first call ({}; a refusal explained: an unregistered IP with the \
         address this machine connected from, a wrong POC_ID, a missing permission, \
         the daily limit); the status of a coupon when --goods-id and \
         --coupon-number are given; and every answer compared with the spec (elements \
         it does not name, values outside a value table, texts over the spec's \
         length, another root, record element or charset). It never issues, cancels \
         or sends anything; no secret (POC_ID, coupon numbers, phone numbers) is \
         printed.\n\nExit: 0 every step passed · 7 it works, with warnings (drift, \
         plain http) · 3 the server refused · 5 network or TLS failure · 2 bad \
         arguments or no POC_ID · 1 the drift report could not be written.",
        OperationId::GoodsList.spec().path
    )
}

/// `coufun doctor`, from the global options and its own.
pub async fn main(global: &Global, m: &Args) -> Result<Exit, crate::exit::CliError> {
    let settings = global.settings()?;
    let outcome = run(&global.connection(&settings)?, settings.poc_id, m).await;
    output::say(
        global.json,
        to_json(&outcome),
        text(&outcome).trim_end_matches('\n'),
    );
    Ok(outcome.exit)
}

/// The id of the goods-list step: the operation's name.
const GOODS_STEP: &str = OperationId::GoodsList.name();
/// The id of the coupon-status step: the operation's name.
const STATUS_STEP: &str = OperationId::CouponStatus.name();

/// The operations the doctor calls: read-only ones (a test checks the spec says so).
pub const CALLS: [OperationId; 2] = [OperationId::GoodsList, OperationId::CouponStatus];

/// How one step went, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Passed.
    Ok,
    /// Not run (nothing to check, or an earlier step failed).
    Skipped,
    /// Works, but something needs attention (drift from the spec, plain http).
    Warning,
    /// Failed: the setup does not work as it is.
    Failed,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Skipped => "skipped",
            Verdict::Warning => "warning",
            Verdict::Failed => "FAILED",
        }
    }
}

/// One step's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The step's id: `environment`, `resolve`, `connect`, `tls`, `goods_list`,
    /// `coupon_status`, `drift`.
    pub step: &'static str,
    /// Its verdict.
    pub verdict: Verdict,
    /// What was found.
    pub detail: String,
    /// What to do about it, when anything.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub todo: Vec<String>,
    /// The result code the server answered, for a call step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<serde_json::Value>,
    /// The exit code a failure of this step gives.
    #[serde(skip)]
    exit: Exit,
}

impl Step {
    fn new(step: &'static str, verdict: Verdict, detail: impl Into<String>) -> Self {
        Step {
            step,
            verdict,
            detail: detail.into(),
            todo: Vec::new(),
            code: None,
            exit: Exit::Transport,
        }
    }

    /// A failed step (exit 5, the transport's, unless [`Step::exit`] says otherwise).
    fn failed(step: &'static str, detail: impl Into<String>) -> Self {
        Step::new(step, Verdict::Failed, detail)
    }

    fn todo(mut self, what: impl Into<String>) -> Self {
        self.todo.push(what.into());
        self
    }

    fn exit(mut self, exit: Exit) -> Self {
        self.exit = exit;
        self
    }

    fn title(&self) -> &'static str {
        match self.step {
            "environment" => "environment",
            "resolve" => "name resolution",
            "connect" => "TCP reach",
            "tls" => "TLS",
            GOODS_STEP => "goods list",
            STATUS_STEP => "coupon status",
            "drift" => "drift from the spec",
            "drift_report" => "drift report file",
            other => other,
        }
    }
}

/// The whole run: every step, the drift found, the exit code.
#[derive(Debug)]
pub struct Outcome {
    /// The base URL checked.
    pub base_url: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// What differed from the spec.
    pub drift: DriftReport,
    /// The exit code: the worst verdict's.
    pub exit: Exit,
}

/// The exit code of `steps`: a failure's own code (the first failed step's:
/// 2 bad arguments, 3 server refusal, 5 transport), else 7 when a step warns,
/// else 0.
pub fn exit_of(steps: &[Step]) -> Exit {
    if let Some(failed) = steps.iter().find(|s| s.verdict == Verdict::Failed) {
        return failed.exit;
    }
    if steps.iter().any(|s| s.verdict == Verdict::Warning) {
        return Exit::Warnings;
    }
    Exit::Success
}

/// Runs every step against `c` (`--env` and how to reach it: its `--ca-cert`
/// PEM trusted by the TLS step and the client both, `--timeout` for each
/// step), the calls with `poc_id` when one is configured, as `m` asks.
pub async fn run(c: &Connection, poc_id: Option<PocId>, m: &Args) -> Outcome {
    debug_assert!(CALLS.iter().all(|op| op.spec().effect == Effect::Read));
    let base_url = c.environment.base_url().to_owned();
    let mut steps = Vec::new();
    let drift = DriftCollector::new();
    let mut calls = 0usize;
    let url = reqwest::Url::parse(&base_url).ok();
    let Some(url) = url.filter(|u| u.host_str().is_some()) else {
        steps.push(
            Step::failed("environment", format!("{base_url:?} is not an http(s) URL"))
                .todo("give --env test, test-http, production, or a base URL such as https://host:port/b2c_api/")
                .exit(Exit::BadArguments),
        );
        return finish(m, base_url, steps, drift.report());
    };
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let https = url.scheme() == "https";
    let named = if c.env_name == base_url {
        base_url.clone()
    } else {
        format!("{} ({base_url})", c.env_name)
    };
    steps.push(Step::new("environment", Verdict::Ok, named));

    // Name resolution.
    let addrs = match net::resolve(&host, port, &c.resolve, c.timeout).await {
        Ok((addrs, how)) => {
            let list = addrs.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>();
            let how = match how {
                net::Resolved::Literal => "the URL names an address",
                net::Resolved::Override => "from --resolve",
                net::Resolved::System => "resolved by the system",
            };
            steps.push(Step::new(
                "resolve",
                Verdict::Ok,
                format!("{host} → {} ({how})", list.join(", ")),
            ));
            addrs
        }
        Err(why) => {
            steps.push(
                Step::failed("resolve", format!("{host} does not resolve: {why}"))
                    .todo(format!(
                        "check the host name and this machine's DNS; to reach a fixed address give --resolve {host}=IP:{port}"
                    )),
            );
            Vec::new()
        }
    };

    // TCP reach, and the local address the connection used.
    let mut local = None;
    let mut peer = None;
    // Resolution gives an address or fails.
    if !addrs.is_empty() {
        match net::connect(&addrs, c.timeout).await {
            Ok((stream, addr)) => {
                local = stream.local_addr().ok();
                peer = Some(addr);
                let from =
                    local.map_or_else(String::new, |l| format!(", from local address {}", l.ip()));
                steps.push(Step::new(
                    "connect",
                    Verdict::Ok,
                    format!("{addr} accepts connections{from}"),
                ));
            }
            Err(failures) => {
                let detail = failures
                    .iter()
                    .map(|(a, e)| format!("{a}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                steps.push(
                    Step::failed("connect", format!("no connection: {detail}"))
                        .todo(format!(
                            "check that this machine may reach {host}:{port} (firewall, proxy, the server's own address filter) and that the server is up"
                        )),
                );
            }
        }
    } else {
        steps.push(skipped("connect"));
    }

    // TLS.
    let mut tls_ok = false;
    if let Some(addr) = peer {
        let step = tls_step(c, &host, addr, url.path(), https).await;
        tls_ok = step.verdict != Verdict::Failed;
        steps.push(step);
    } else {
        steps.push(skipped("tls"));
    }

    // The goods list, as the first call.
    let client = if tls_ok {
        match poc_id.map(|id| client(c, id, &drift)) {
            None => {
                steps.push(
                    Step::failed(GOODS_STEP, "no POC_ID: nothing can be called")
                        .todo(format!(
                            "set {} (or poc_id in the config file) to the POC_ID the supplier issued for this environment",
                            crate::config::POC_ID_VAR
                        ))
                        .exit(Exit::BadArguments),
                );
                None
            }
            Some(Err(why)) => {
                steps.push(
                    Step::failed(GOODS_STEP, why)
                        .todo("fix --env (or pass --allow-plain-http for a plain-http server you trust)")
                        .exit(Exit::BadArguments),
                );
                None
            }
            Some(Ok(client)) => {
                calls += 1;
                steps.push(goods_step(&client, local).await);
                Some(client)
            }
        }
    } else {
        steps.push(skipped(GOODS_STEP));
        None
    };

    // The status of a coupon, when one is given.
    match (&m.coupon_number, &client) {
        (None, _) => steps.push(Step::new(
            STATUS_STEP,
            Verdict::Skipped,
            "no coupon given (--goods-id and --coupon-number look one up)",
        )),
        (Some(_), None) => steps.push(skipped(STATUS_STEP)),
        (Some(number), Some(client)) => {
            calls += 1;
            let goods = m.goods_id.as_deref().unwrap_or_default();
            steps.push(status_step(client, goods, number).await);
        }
    }

    // Drift.
    let report = drift.report();
    let step = if calls == 0 {
        skipped("drift")
    } else if report.is_empty() {
        Step::new(
            "drift",
            Verdict::Ok,
            format!("the answers of {calls} call(s) are as the spec says"),
        )
    } else {
        let mut step = Step::new(
            "drift",
            Verdict::Warning,
            format!(
                "the answers differ from the spec in {} ways:",
                report.findings.len()
            ),
        );
        for entry in &report.findings {
            step.detail.push_str(&format!("\n{}", entry.finding));
        }
        let file = match &m.drift_report {
            Some(path) => format!("the report written to {}", path.display()),
            None => "the report (--drift-report FILE.toml or FILE.json)".to_owned(),
        };
        step.todo(format!(
            "send {file} to the SDK's maintainers: each finding is an observed fact for spec/endpoints.toml"
        ))
    };
    steps.push(step);
    finish(m, base_url, steps, report)
}

fn finish(m: &Args, base_url: String, mut steps: Vec<Step>, drift: DriftReport) -> Outcome {
    if let Some(path) = &m.drift_report
        && let Err(why) = drift_file::write(path, &base_url, &drift)
    {
        steps.push(
            Step::failed("drift_report", why)
                .todo("give --drift-report a writable path ending .toml or .json")
                .exit(Exit::Local),
        );
    }
    let exit = exit_of(&steps);
    Outcome {
        base_url,
        steps,
        drift,
        exit,
    }
}

fn skipped(step: &'static str) -> Step {
    Step::new(step, Verdict::Skipped, "not run: an earlier step failed")
}

/// The client the calls go through: the command line's own, with no retries
/// (a goods-list lookup counts against a daily limit) and a drift observer.
fn client(c: &Connection, poc_id: PocId, drift: &DriftCollector) -> Result<Client, String> {
    c.builder(poc_id)
        .map_err(|e| format!("--ca-cert: {e}"))?
        .retry_policy(RetryPolicy::no_retry())
        .observe_drift(drift.observer())
        .build()
        .map_err(|e| e.to_string())
}

async fn tls_step(c: &Connection, host: &str, addr: SocketAddr, path: &str, https: bool) -> Step {
    if !https {
        let loopback = addr.ip().is_loopback();
        return if loopback {
            Step::new(
                "tls",
                Verdict::Skipped,
                "plain http to a loopback address (a local sandbox): no TLS to check",
            )
        } else {
            Step::new(
                "tls",
                Verdict::Warning,
                "plain http: no TLS, the POC_ID and phone numbers travel in clear",
            )
            .todo("use it only if the supplier says your account lives on this plain-http server; else use --env test (https)")
        };
    }
    let stream = match net::connect(&[addr], c.timeout).await {
        Ok((stream, _)) => stream,
        Err(failures) => {
            let why = failures
                .first()
                .map_or("no connection", |(_, e)| e.as_str());
            return Step::failed("tls", format!("no second connection: {why}"));
        }
    };
    let extra_roots = match c.ca_cert.as_deref().map(net::pem_certificates) {
        None => Vec::new(),
        Some(Ok(roots)) => roots,
        Some(Err(why)) => {
            return Step::failed("tls", format!("--ca-cert: {why}"))
                .todo("give --ca-cert a PEM file of the CA certificate(s) to trust")
                .exit(Exit::BadArguments);
        }
    };
    match net::handshake(stream, host, &extra_roots, c.timeout).await {
        Ok(info) => Step::new(
            "tls",
            Verdict::Ok,
            format!(
                "{}, {}, certificate chain of {} trusted for {host}",
                info.protocol, info.cipher, info.chain
            ),
        ),
        Err(net::TlsFailure::Certificate(why)) => {
            Step::failed("tls", format!("the server's certificate is not trusted: {why}"))
                .todo("check the host name and the machine's clock; for a server with a private CA (the sandbox's --tls one too), pass its certificate (PEM) with --ca-cert FILE")
        }
        Err(net::TlsFailure::NotTls(why)) => {
            if net::speaks_plain_http(addr, host, path, c.timeout).await {
                Step::failed(
                    "tls",
                    format!("{addr} offers plain http only: it answered the TLS handshake in plain HTTP"),
                )
                .todo("an https URL cannot work on this port: ask the supplier for the https address, or use an http:// URL only if they say so (the POC_ID then travels in clear)")
            } else {
                Step::failed("tls", format!("{addr} does not speak TLS: {why}"))
                    .todo("check the port of --env: the manuals' https servers listen on the port their URL names")
            }
        }
        Err(net::TlsFailure::Other(why)) => {
            Step::failed("tls", format!("TLS handshake failed: {why}"))
        }
    }
}

/// What to do about `code`, from the generated code table (its action texts,
/// or its descriptions when it has none), both languages.
fn code_todo(code: ResultCode) -> Vec<String> {
    [Lang::Ko, Lang::En]
        .into_iter()
        .map(|lang| {
            code.action(lang)
                .unwrap_or(code.description(lang))
                .to_owned()
        })
        .collect()
}

/// A refusal or failure of a call step.
fn call_failed(step: &'static str, error: &Error, local: Option<SocketAddr>) -> Step {
    let Some(code) = error.result_code() else {
        return Step::failed(step, error.to_string())
            .todo("no usable answer: see the error; rerun with --timeout longer if it timed out");
    };
    let mut s = Step::failed(
        step,
        format!(
            "{} — {} / {}",
            output::code_line(code),
            code.description(Lang::Ko),
            code.description(Lang::En)
        ),
    )
    .exit(Exit::Refused);
    s.code = Some(output::code_json(code));
    if code == ResultCode::IpNotRegistered {
        let ip = local.map(|l| l.ip());
        let line = match ip {
            Some(ip) if net::is_private(ip) => format!(
                "this IP is not registered: ask the supplier to register the public IP this machine appears as — its connection left from {ip}, a private address, so the public one is your NAT gateway's or proxy's (ask your network administrator)"
            ),
            Some(ip) => format!("this IP is not registered: ask the supplier to register IP {ip}, the address this machine's connection left from, for this environment"),
            None => "this IP is not registered: ask the supplier to register the public IP this machine appears as".to_owned(),
        };
        s.todo.push(line);
    }
    s.todo.extend(code_todo(code));
    s
}

/// A call step the server answered `00`: its code line, then `what`.
fn answered(step: &'static str, what: String) -> Step {
    let ok = ResultCode::Success;
    let mut answered = Step::new(
        step,
        Verdict::Ok,
        format!("{}: {what}", output::code_line(ok)),
    );
    answered.code = Some(output::code_json(ok));
    answered
}

async fn goods_step(client: &Client, local: Option<SocketAddr>) -> Step {
    let request = match GoodsListRequest::builder().build() {
        Ok(request) => request,
        Err(errors) => {
            return Step::failed(GOODS_STEP, output::validation_text(&errors))
                .exit(Exit::BadArguments);
        }
    };
    match client.goods_list(&request).await {
        Ok(list) => answered(
            GOODS_STEP,
            format!("{} goods this POC_ID may issue", list.goods.len()),
        ),
        Err(error) => call_failed(GOODS_STEP, &error, local),
    }
}

async fn status_step(client: &Client, goods: &str, number: &str) -> Step {
    let request = match CouponStatusRequest::builder()
        .goods_id(goods)
        .coupon_number(number)
        .build()
    {
        Ok(request) => request,
        Err(errors) => {
            return Step::failed(
                STATUS_STEP,
                format!("nothing was sent:\n{}", output::validation_text(&errors)),
            )
            .exit(Exit::BadArguments);
        }
    };
    match client.coupon_status(&request).await {
        Ok(answer) => {
            let mut parts = Vec::new();
            for record in answer.records() {
                let shown: Vec<String> = record
                    .fields
                    .iter()
                    .filter(|f| !f.secret && f.value.is_present())
                    .map(|f| format!("{} {}", present::label(f.spec), present::shown(f)))
                    .collect();
                parts.push(shown.join(", "));
            }
            if parts.is_empty() {
                parts.push("no record".to_owned());
            }
            answered(STATUS_STEP, parts.join("; "))
        }
        Err(error) => call_failed(STATUS_STEP, &error, None),
    }
}

/// The outcome for people.
pub fn text(outcome: &Outcome) -> String {
    let mut out = format!("coufun doctor: {}\n", outcome.base_url);
    for step in &outcome.steps {
        let mut lines = step.detail.lines();
        out.push_str(&format!(
            "{:<8} {:<20} {}\n",
            step.verdict.word(),
            step.title(),
            lines.next().unwrap_or_default()
        ));
        for line in lines {
            out.push_str(&format!("{:<30}{line}\n", ""));
        }
        for todo in &step.todo {
            out.push_str(&format!("{:<30}→ {todo}\n", ""));
        }
    }
    out.push_str(&format!(
        "exit {}: {}\n",
        outcome.exit.code(),
        match outcome.exit {
            Exit::Success => "the setup works",
            Exit::Warnings => "the setup works, with warnings (see above)",
            _ => "the setup does not work yet (see what to do above)",
        }
    ));
    out
}

/// The outcome for scripts.
pub fn to_json(outcome: &Outcome) -> serde_json::Value {
    json!({
        "base_url": outcome.base_url,
        "steps": outcome.steps,
        "drift": outcome.drift.findings,
        "exit": outcome.exit.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doctor_calls_read_only_operations_only() {
        for op in CALLS {
            assert_eq!(op.spec().effect, Effect::Read, "{op}");
        }
    }

    #[test]
    fn the_exit_is_the_worst_verdicts() {
        let ok = Step::new("resolve", Verdict::Ok, "");
        let warn = Step::new("drift", Verdict::Warning, "");
        let refused = Step::new(GOODS_STEP, Verdict::Failed, "").exit(Exit::Refused);
        let down = Step::new("connect", Verdict::Failed, "");
        assert_eq!(
            exit_of(&[ok.clone(), Step::new("tls", Verdict::Skipped, "")]),
            Exit::Success
        );
        assert_eq!(exit_of(&[ok.clone(), warn.clone()]), Exit::Warnings);
        assert_eq!(exit_of(&[ok, warn.clone(), refused.clone()]), Exit::Refused);
        assert_eq!(exit_of(&[down, refused, warn]), Exit::Transport);
    }

    #[test]
    fn every_refusal_has_something_to_do_from_the_table() {
        for code in ResultCode::ALL {
            let todo = code_todo(code);
            assert_eq!(todo.len(), 2);
            assert!(todo.iter().all(|t| !t.is_empty()), "{code}");
        }
    }
}
