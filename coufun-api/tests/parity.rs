//! The async and the blocking client behave as one: the same scenarios
//! (success, refusal, lost answer then a duplicate, charset mismatch, oversize
//! body) through both against a local server give the same outcomes, the same
//! requests on the wire and the same `tracing` events, span fields included.
#![cfg(feature = "blocking")]

mod support;

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use coufun_api::issuance::IssueOutcome;
use coufun_api::privacy::PocId;
use coufun_api::responses::{CouponSendItem, CouponSendResponse, GoodsListItem, GoodsListResponse};
use coufun_api::retry::RetryPolicy;
use coufun_api::xml::{Response, encode_error};
use coufun_api::{
    Charset, Client, CouponSendRequest, Environment, Error, GoodsListRequest, ResultCode, blocking,
};
use support::{Received, TestServer, reply, xml};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Bytes of answer the clients read at most.
const CAP: usize = 4096;

// ---------------------------------------------------------------- tracing capture

/// Every event of coufun-api, one line each: level, message and fields, and
/// the spans it was in with their fields at that moment.
static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn text(&self) -> String {
        let mut fields = self.0.clone();
        fields.sort();
        fields
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.put(field, format!("{value:?}"));
    }
}

impl Fields {
    fn put(&mut self, field: &Field, value: String) {
        self.0.retain(|(k, _)| k != field.name());
        self.0.push((field.name().to_owned(), value));
    }
}

struct Capture;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("coufun_api") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let spans = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|span| {
                        let ext = span.extensions();
                        let fields = ext.get::<Fields>().map(Fields::text).unwrap_or_default();
                        format!("{}{{{fields}}}", span.name())
                    })
                    .collect::<Vec<_>>()
                    .join(" > ")
            })
            .unwrap_or_default();
        let line = format!("{} [{spans}] {}", event.metadata().level(), fields.text());
        EVENTS.lock().unwrap().push(line);
    }
}

/// Runs `f` and returns what it logged.
fn events_of<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(Capture);
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    EVENTS.lock().unwrap().clear();
    let out = f();
    let events = std::mem::take(&mut *EVENTS.lock().unwrap());
    (out, events)
}

// ---------------------------------------------------------------- scenarios

#[derive(Debug, Clone, Copy)]
enum Scenario {
    SendSucceeds,
    ListSucceeds,
    SendRefused,
    ListRefused,
    SendAnswerLostThenDuplicate,
    SendCharsetMismatch,
    ListCharsetMismatch,
    SendOversize,
    ListOversize,
}

const ALL: [Scenario; 9] = [
    Scenario::SendSucceeds,
    Scenario::ListSucceeds,
    Scenario::SendRefused,
    Scenario::ListRefused,
    Scenario::SendAnswerLostThenDuplicate,
    Scenario::SendCharsetMismatch,
    Scenario::ListCharsetMismatch,
    Scenario::SendOversize,
    Scenario::ListOversize,
];

fn sent() -> CouponSendResponse {
    CouponSendResponse {
        order_id: Some("ORDER-1".into()),
        coupons: vec![CouponSendItem {
            coupon_number: Some("123456789012".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn goods() -> GoodsListResponse {
    GoodsListResponse {
        list_count: Some(1),
        goods: vec![GoodsListItem {
            goods_id: Some("0000012345".into()),
            goods_name: Some("아메리카노".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn oversize() -> axum::response::Response {
    let pieces = futures_util::stream::iter(
        (0..3 * CAP / 1024).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(&[b' '; 1024]))),
    );
    reply(200, "text/xml", Body::from_stream(pieces))
}

/// The server's answer to request number `n` (from 0) of `scenario`.
async fn answer(scenario: Scenario, n: usize) -> axum::response::Response {
    use Scenario::*;
    match scenario {
        SendSucceeds => xml(sent().to_xml(Charset::Cp949)),
        ListSucceeds => xml(goods().to_xml(Charset::Cp949)),
        SendRefused => xml(encode_error::<CouponSendResponse>(
            ResultCode::InvalidSubject,
            Some("subject too long"),
            Charset::Cp949,
        )),
        ListRefused => xml(encode_error::<GoodsListResponse>(
            ResultCode::GoodsListDailyLimitExceeded,
            None,
            Charset::Cp949,
        )),
        SendAnswerLostThenDuplicate if n == 0 => {
            // issued, but the answer comes after the client gave up on it
            tokio::time::sleep(Duration::from_millis(1500)).await;
            xml(sent().to_xml(Charset::Cp949))
        }
        SendAnswerLostThenDuplicate => xml(encode_error::<CouponSendResponse>(
            ResultCode::DuplicateTrId,
            None,
            Charset::Cp949,
        )),
        SendCharsetMismatch | ListCharsetMismatch => xml(goods().to_xml(Charset::Cp949)),
        SendOversize | ListOversize => oversize(),
    }
}

fn server(scenario: Scenario) -> TestServer {
    let count = Arc::new(AtomicUsize::new(0));
    TestServer::start_in_background(move |_| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        answer(scenario, n)
    })
}

fn send_request(scenario: Scenario) -> CouponSendRequest {
    let charset = match scenario {
        Scenario::SendCharsetMismatch => Charset::Utf8,
        _ => Charset::Cp949,
    };
    CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-PARITY-1")
        .sender("02-1234-5678")
        .subject("생일 축하")
        .recipients(["01098765432"])
        .build_with(charset)
        .unwrap()
}

fn list_request(scenario: Scenario) -> GoodsListRequest {
    let charset = match scenario {
        Scenario::ListCharsetMismatch => Charset::Utf8,
        _ => Charset::Cp949,
    };
    GoodsListRequest::builder().build_with(charset).unwrap()
}

fn is_send(scenario: Scenario) -> bool {
    use Scenario::*;
    matches!(
        scenario,
        SendSucceeds
            | SendRefused
            | SendAnswerLostThenDuplicate
            | SendCharsetMismatch
            | SendOversize
    )
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        deadline: Duration::from_secs(20),
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(4),
    }
}

fn builder<C>(
    make: fn(Environment, PocId) -> coufun_api::ClientBuilder<C>,
    server: &TestServer,
) -> coufun_api::ClientBuilder<C> {
    make(
        Environment::Custom(server.base_url.clone()),
        PocId::new("POC7315426").unwrap(),
    )
    .timeout(Duration::from_millis(500))
    .max_response_bytes(CAP)
    .retry_policy(policy())
}

fn describe_error(e: &Error) -> String {
    format!("{e} | {:?} | {:?}", e.failure_kind(), e.retry())
}

fn describe_issue(outcome: &IssueOutcome<CouponSendResponse>) -> String {
    match outcome {
        IssueOutcome::Issued(i) => format!(
            "issued tr_id={} attempts={} order={:?} coupons={:?}",
            i.tr_id,
            i.attempts,
            i.order_id(),
            i.coupon_numbers()
        ),
        IssueOutcome::NotIssued(n) => format!(
            "not_issued tr_id={} attempts={} error={}",
            n.tr_id,
            n.attempts,
            describe_error(&n.error)
        ),
        IssueOutcome::EarlierAttemptReached(e) => format!(
            "earlier_attempt_reached tr_id={} code={} lost_answers={} attempts={}",
            e.tr_id,
            e.code.as_str(),
            e.lost_answers,
            e.attempts
        ),
        IssueOutcome::Unknown(u) => format!(
            "unknown tr_id={} attempts={} last={:?}",
            u.tr_id,
            u.attempts,
            u.last_error.as_ref().map(describe_error)
        ),
        IssueOutcome::Mismatched(m) => format!(
            "mismatched tr_id={} field={} sent={} answered={} listed={} attempts={}",
            m.tr_id, m.wire, m.sent, m.answered, m.listed, m.attempts
        ),
    }
}

fn describe_list(result: &Result<GoodsListResponse, Error>) -> String {
    match result {
        Ok(list) => format!("ok {list:?}"),
        Err(e) => format!("err {}", describe_error(e)),
    }
}

/// What one client did in one scenario.
#[derive(Debug, PartialEq)]
struct Run {
    outcome: String,
    events: Vec<String>,
    /// Each request the server received: method, path, form.
    wire: Vec<String>,
}

fn wire(requests: Vec<Received>) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.raw_form()))
        .collect()
}

fn run_async(scenario: Scenario) -> Run {
    let server = server(scenario);
    let client: Client = builder(Client::builder, &server).build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (outcome, events) = events_of(|| {
        runtime.block_on(async {
            if is_send(scenario) {
                describe_issue(&client.coupon_send(&send_request(scenario)).await)
            } else {
                describe_list(&client.goods_list(&list_request(scenario)).await)
            }
        })
    });
    Run {
        outcome,
        events,
        wire: wire(server.requests()),
    }
}

fn run_blocking(scenario: Scenario) -> Run {
    let server = server(scenario);
    let client: blocking::Client = builder(blocking::Client::builder, &server).build().unwrap();
    let (outcome, events) = events_of(|| {
        if is_send(scenario) {
            describe_issue(&client.coupon_send(&send_request(scenario)))
        } else {
            describe_list(&client.goods_list(&list_request(scenario)))
        }
    });
    Run {
        outcome,
        events,
        wire: wire(server.requests()),
    }
}

/// What each scenario must come to (so that two equally wrong clients fail too).
fn expect(scenario: Scenario, run: &Run) {
    use Scenario::*;
    let starts = |prefix: &str| {
        assert!(
            run.outcome.starts_with(prefix),
            "{scenario:?}: {}",
            run.outcome
        )
    };
    let calls = |n: usize| assert_eq!(run.wire.len(), n, "{scenario:?}: {:#?}", run.wire);
    let logged = |needle: &str| {
        assert!(
            run.events.iter().any(|e| e.contains(needle)),
            "{scenario:?}: no event with {needle:?} in {:#?}",
            run.events
        )
    };
    match scenario {
        SendSucceeds => {
            starts("issued tr_id=TR-PARITY-1 attempts=1");
            calls(1);
            logged("message=issued");
        }
        ListSucceeds => {
            starts("ok ");
            calls(1);
            logged("message=answered");
        }
        SendRefused => {
            starts("not_issued tr_id=TR-PARITY-1 attempts=1 error=coupon_send: result code 21");
            calls(1);
            logged("message=not_issued result_code=21");
        }
        ListRefused => {
            starts("err goods_list: result code");
            calls(1);
            logged("message=call failed");
        }
        SendAnswerLostThenDuplicate => {
            starts("earlier_attempt_reached tr_id=TR-PARITY-1 code=12 lost_answers=1 attempts=2");
            calls(2);
            assert_eq!(
                run.wire[0], run.wire[1],
                "the very same request, same TR_ID"
            );
            logged("timed out after sending");
            logged("message=earlier_attempt_reached result_code=12");
        }
        SendCharsetMismatch => {
            starts(
                "not_issued tr_id=TR-PARITY-1 attempts=0 error=coupon_send: the request was checked in",
            );
            calls(0);
            logged("message=not_issued");
        }
        ListCharsetMismatch => {
            starts("err goods_list: the request was checked in");
            calls(0);
        }
        SendOversize => {
            starts("unknown tr_id=TR-PARITY-1 attempts=3");
            calls(3);
            logged("larger than the 4096-byte cap");
            logged("message=unknown");
        }
        ListOversize => {
            starts("err goods_list: the response is larger than the 4096-byte cap");
            calls(3);
            logged("larger than the 4096-byte cap");
        }
    }
}

#[test]
fn both_clients_behave_alike() {
    for scenario in ALL {
        let async_run = run_async(scenario);
        let blocking_run = run_blocking(scenario);
        expect(scenario, &async_run);
        assert_eq!(
            async_run, blocking_run,
            "{scenario:?}: the async (left) and blocking (right) clients differ"
        );
    }
}
