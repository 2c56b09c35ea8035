//! The running server: the axum router (one route per operation of the SDK's
//! generated operation table, admin routes under `/_admin/`), fault application
//! around each COUFUN request, and the [`Sandbox`] handle that starts it (over
//! http, or https with the certificate of [`crate::tls`]), reads its state and
//! stops it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State as AxumState};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, on, post};
use coufun_api::{Method, OperationId, ResultCode};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::bridge;
use crate::config::SandboxConfig;
use crate::conn::{ConnHandle, KillableListener};
use crate::faults::{Fault, FaultCounts, FaultPlan};
use crate::ledger::Ledger;
use crate::lock;
use crate::redemption::{RedeemAction, RedeemError, Redemption};
use crate::rules::State;
use crate::wire::{WireDecodeError, charset_label, decode_params};

/// Why a sandbox could not start or an admin action failed. A coupon number
/// is held as a [`CouponNumber`](coufun_api::CouponNumber), whose `Display` and
/// `Debug` mask it, as this error's message and `Debug` do.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A redemption or an expiry was refused (an unknown coupon is
    /// [`RedeemError::NoSuchCoupon`]).
    #[error(transparent)]
    Redeem(#[from] RedeemError),
    /// The exchange-notice sender could not start.
    #[error("the exchange-notice sender cannot start")]
    Notices(#[source] crate::notices::SenderBuildError),
    /// The https certificate or TLS setup could not be made.
    #[cfg(feature = "tls")]
    #[error("the sandbox cannot serve https")]
    Tls(#[source] crate::tls::TlsSetupError),
}

/// The message and its causes (a coupon number masked).
impl std::fmt::Debug for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SandboxError")
            .field(&format_args!("{}", coufun_api::ErrorChain(self)))
            .finish()
    }
}

/// What the server tasks share with the handle.
#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    faults: Mutex<FaultPlan>,
    counts: Mutex<FaultCounts>,
    requests: AtomicU64,
}

/// A running sandbox. Dropping it (or [`Sandbox::shutdown`]) stops the server
/// gracefully: no new connections, in-flight requests finish.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    /// The CA certificate (PEM) when serving https.
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The runtime it was started in, where a notice sender made later
    /// ([`Sandbox::set_notices`]) runs.
    runtime: tokio::runtime::Handle,
}

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 and an ephemeral port (needs a Tokio runtime).
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox on `addr`.
    pub async fn bind(addr: SocketAddr, config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        #[cfg(feature = "tls")]
        let issued = config
            .tls
            .as_ref()
            .map(crate::tls::issue)
            .transpose()
            .map_err(SandboxError::Tls)?;
        let bind_failed = |source| SandboxError::Bind { addr, source };
        let tcp = TcpListener::bind(addr).await.map_err(bind_failed)?;
        #[cfg(feature = "tls")]
        let (listener, ca_pem) = match issued {
            Some(issued) => (
                KillableListener::tls(tcp, issued.acceptor),
                Some(issued.ca_pem),
            ),
            None => (KillableListener::plain(tcp), None),
        };
        #[cfg(not(feature = "tls"))]
        let (listener, ca_pem) = (KillableListener::plain(tcp), None);
        let listener = listener.map_err(bind_failed)?;
        let local = axum::serve::Listener::local_addr(&listener).map_err(bind_failed)?;
        let faults = config.faults.clone();
        let mut state = State::new(config);
        state.start_notices().map_err(SandboxError::Notices)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            faults: Mutex::new(faults),
            counts: Mutex::new(FaultCounts::default()),
            requests: AtomicU64::new(0),
        });
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<ConnHandle>();
            let served = axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "sandbox server stopped with an error");
            }
        });
        let sandbox = Sandbox {
            addr: local,
            ca_pem,
            shared,
            stop: Some(stop),
            task: Some(task),
            // In a Tokio runtime: `tokio::spawn` above ran.
            runtime: tokio::runtime::Handle::current(),
        };
        tracing::info!(addr = %local, scheme = sandbox.scheme(), "coufun sandbox listening");
        Ok(sandbox)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the client, e.g. `http://127.0.0.1:40123/b2c_api/`
    /// (`https://…` when serving TLS).
    pub fn base_url(&self) -> String {
        format!("{}://{}{}", self.scheme(), self.addr, base_path())
    }

    /// The base URL with `host` in place of the address, e.g.
    /// `https://tcorp.coufun.kr:40123/b2c_api/` with `host` the test server's
    /// host: for a client that resolves `host` to [`addr`](Self::addr)
    /// (`ClientBuilder::resolve`, the CLI's `--resolve`), so that TLS checks the
    /// certificate against that name.
    pub fn base_url_for_host(&self, host: &str) -> String {
        format!(
            "{}://{host}:{}{}",
            self.scheme(),
            self.addr.port(),
            base_path()
        )
    }

    /// `https` when serving TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The certificate (PEM) of the throwaway CA that signed the server's
    /// certificate, when serving https ([`SandboxConfig::with_tls`]): what a
    /// client must trust (`ClientBuilder::add_root_certificate_pem`, the CLI's
    /// `--ca-cert`). `None` over plain http.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A copy of the coupon ledger (with the notice deliveries so far).
    pub fn ledger(&self) -> Ledger {
        lock(&self.shared.state).ledger_snapshot()
    }

    /// Every POST of an exchange notice so far and what it got (empty when no
    /// notice URL is configured).
    pub fn notice_deliveries(&self) -> Vec<crate::notices::DeliveryRecord> {
        lock(&self.shared.state)
            .notices
            .as_ref()
            .map(|sender| sender.log())
            .unwrap_or_default()
    }

    /// Sends exchange notices as `notices` says from now on (URL, retry
    /// schedule, faults), as [`SandboxConfig::with_notices`] does from the
    /// start: for a receiver that starts after the sandbox, whose URL (on an
    /// ephemeral port) is known only then. Callable from any thread: the
    /// sender runs in the runtime the sandbox was started in.
    ///
    /// It replaces the sender running, if any (from `with_notices` or an
    /// earlier call): the deliveries that one still had pending stop, and
    /// [`Sandbox::notice_deliveries`] (and [`Ledger::notices`]) list the new
    /// sender's POSTs only, indexed from 0 again (as
    /// [`NoticeSenderConfig::lose_answers`](crate::notices::NoticeSenderConfig::lose_answers)
    /// counts them). Nothing changes when its HTTP client cannot be built
    /// ([`SandboxError::Notices`]).
    ///
    /// [`Ledger::notices`]: crate::Ledger::notices
    pub fn set_notices(
        &self,
        notices: crate::notices::NoticeSenderConfig,
    ) -> Result<(), SandboxError> {
        let _runtime = self.runtime.enter();
        lock(&self.shared.state)
            .replace_notices(notices)
            .map_err(SandboxError::Notices)
    }

    /// Waits until every exchange notice queued so far is answered `00`/`04`
    /// (or given up), or `timeout` passes; `true` when none is pending.
    pub async fn wait_for_notices(&self, timeout: std::time::Duration) -> bool {
        let sender = lock(&self.shared.state).notices.clone();
        match sender {
            Some(sender) => sender.wait_idle(timeout).await,
            None => true,
        }
    }

    /// How many faults were injected so far.
    pub fn fault_counts(&self) -> FaultCounts {
        *lock(&self.shared.counts)
    }

    /// How many COUFUN requests arrived so far (the next request's index).
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The catalogue the sandbox sells now.
    pub fn catalogue(&self) -> crate::catalogue::Catalogue {
        lock(&self.shared.state).config.catalogue.clone()
    }

    /// Replaces what the sandbox sells (the goods list answers it from the next
    /// request on; coupons already issued keep their goods id), e.g. to test a
    /// catalogue sync against a changing list.
    pub fn set_catalogue(&self, catalogue: crate::catalogue::Catalogue) {
        lock(&self.shared.state).config.catalogue = catalogue;
    }

    /// Replaces the fault plan (request indexes keep counting from where they are).
    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.shared.faults) = plan;
    }

    /// A shop uses (or cancels a use of) a coupon: status then shows `001`, the
    /// exchange time and, for an `AMOUNT` voucher, the balance. Returns what
    /// happened (also kept in [`Ledger::redemptions`]). With
    /// [`SandboxConfig::with_notices`], its exchange notice is sent too.
    pub fn redeem(
        &self,
        coupon_number: &str,
        action: RedeemAction,
    ) -> Result<Redemption, SandboxError> {
        Ok(lock(&self.shared.state).redeem(coupon_number, action)?)
    }

    /// Uses a coupon in whole, as a shop would (later writes: 17): a
    /// [`Sandbox::redeem`] with `RedeemAction::Use(None)`, notified the same way.
    pub fn mark_used(&self, coupon_number: &str) -> Result<(), SandboxError> {
        self.redeem(coupon_number, RedeemAction::Use(None))
            .map(|_| ())
    }

    /// Marks a coupon expired (later requests: 04). An unknown number is
    /// [`RedeemError::NoSuchCoupon`], as for [`Sandbox::redeem`].
    pub fn mark_expired(&self, coupon_number: &str) -> Result<(), SandboxError> {
        Ok(lock(&self.shared.state).mark_expired(coupon_number)?)
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The path every operation lives under, taken from the SDK's test server URL
/// (e.g. `/b2c_api/`), so the SDK's base-URL joining works unchanged.
fn base_path() -> &'static str {
    crate::test_server_url().map_or("/", reqwest::Url::path)
}

/// One route per operation of the generated table, at its path and methods.
fn router(shared: Arc<Shared>) -> Router {
    let mut app = Router::new();
    for op in OperationId::ALL {
        let spec = op.spec();
        let filter = [
            (Method::Get, MethodFilter::GET),
            (Method::Post, MethodFilter::POST),
        ]
        .into_iter()
        .filter(|(method, _)| spec.accepts(*method))
        .map(|(_, filter)| filter)
        .reduce(MethodFilter::or);
        let Some(filter) = filter else { continue };
        let route: MethodRouter<Arc<Shared>> = on(
            filter,
            move |AxumState(shared): AxumState<Arc<Shared>>,
                  ConnectInfo(conn): ConnectInfo<ConnHandle>,
                  uri: Uri,
                  body: Bytes| async move {
                coufun_request(shared, conn, op, uri, body).await
            },
        );
        app = app.route(&format!("{}{}", base_path(), spec.path), route);
    }
    app.route("/_admin/ledger", get(admin_ledger))
        .route("/_admin/faults", get(admin_faults))
        .route("/_admin/coupons/{number}/{action}", post(admin_coupon))
        .with_state(shared)
}

async fn coufun_request(
    shared: Arc<Shared>,
    conn: ConnHandle,
    op: OperationId,
    uri: Uri,
    body: Bytes,
) -> Response {
    let latency = lock(&shared.state).config.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let index = shared.requests.fetch_add(1, Ordering::SeqCst);
    let fault = lock(&shared.faults).fault_for(index, op);
    if let Some(fault) = fault {
        lock(&shared.counts).record(fault);
        tracing::debug!(index, operation = %op, ?fault, "injecting fault");
    }
    let (charset, drift) = {
        let state = lock(&shared.state);
        (state.config.charset, state.config.drift)
    };
    let raw = [uri.query().unwrap_or_default().as_bytes(), &body]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(&b'&');
    let answer = match fault {
        Some(Fault::ResetBeforeCommit) => {
            conn.reset();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Some(Fault::BadGateway) => return bad_gateway(),
        Some(Fault::Code50) => Err(ResultCode::CouponCreationFailed),
        Some(Fault::Code99) => {
            tracing::info!(index, operation = %op, "answering 99: an injected fault");
            Err(ResultCode::SystemError)
        }
        _ => match decode_params(&raw, charset) {
            Ok(params) => lock(&shared.state).answer(op, conn.peer.ip(), &params),
            Err(error) => {
                undecodable(op, &error);
                Err(ResultCode::SystemError)
            }
        },
    };
    let answer = bridge::with_fault(answer, fault);
    let code = bridge::code(&answer);
    tracing::debug!(index, operation = %op, code = code.as_str(), "answered");
    if fault.is_none() && !op.spec().may_answer(code) {
        tracing::warn!(
            operation = %op,
            code = code.as_str(),
            "answered a code spec/endpoints.toml does not list for this operation"
        );
    }
    match fault {
        Some(Fault::DropAfterCommit) => {
            conn.close();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let answer_charset = drift.answer_charset(charset);
    let bytes = bridge::encode(op, &answer, answer_charset);
    xml_response(drift.apply(op, bytes), answer_charset)
}

/// Logs why a request that is not text in the request charset answers 99: the
/// charset tried, the parameter (named only when it is one of the operation's,
/// so nothing a caller sent is echoed) and the decoding error.
fn undecodable(op: OperationId, error: &WireDecodeError) {
    let spec = op.spec();
    let known = error.name == coufun_api::responses::POC_ID_PARAM
        || spec.fields.iter().any(|f| f.wire == error.name);
    let parameter = if known {
        error.name.as_str()
    } else {
        "(not one of the operation's)"
    };
    let charset = charset_label(error.charset);
    let hint = match error.charset {
        coufun_api::Charset::Utf8 => "leave out --charset utf-8 for a CP949 (EUC-KR) client",
        _ => "start it with --charset utf-8 for a UTF-8 client",
    };
    tracing::warn!(
        operation = %op,
        charset,
        parameter,
        "answering 99: parameter {parameter} is not valid {charset} text (a byte \
         sequence {charset} does not define); the sandbox reads requests in \
         {charset}: {hint}"
    );
}

fn xml_response(bytes: Vec<u8>, charset: coufun_api::Charset) -> Response {
    let content_type = format!("text/xml; charset={}", charset_label(charset));
    let mut response = bytes.into_response();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

fn bad_gateway() -> Response {
    let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
                <body><center><h1>502 Bad Gateway</h1></center><hr><center>coufun-sandbox</center></body></html>\n";
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

async fn admin_ledger(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let ledger = lock(&shared.state).ledger_snapshot();
    axum::Json(ledger).into_response()
}

async fn admin_faults(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let counts = *lock(&shared.counts);
    axum::Json(counts).into_response()
}

/// The `amount` query parameter, if any (`Err` when it is not a number).
fn amount_param(uri: &Uri) -> Result<Option<u64>, String> {
    let query = uri.query().unwrap_or_default();
    match query
        .split('&')
        .find_map(|pair| pair.strip_prefix("amount="))
    {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| format!("amount {text:?} is not a whole number")),
    }
}

/// What a shop (or time) does to coupon `number` by an admin route, `POST
/// /_admin/coupons/{number}/{action}`: `redeem` and `cancel-use` (of the
/// `amount` parameter) answer the [`Redemption`] in JSON, `use` (in whole) and
/// `expire` no content; there is no other action (404).
async fn admin_coupon(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((number, action)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let amount = match action.as_str() {
        "redeem" | "cancel-use" => match amount_param(&uri) {
            Ok(amount) => amount,
            Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
        },
        _ => None,
    };
    let done = {
        let mut state = lock(&shared.state);
        match action.as_str() {
            "redeem" => state.redeem(&number, RedeemAction::Use(amount)).map(Some),
            "cancel-use" => {
                let action = RedeemAction::CancelUse(amount.unwrap_or(0));
                state.redeem(&number, action).map(Some)
            }
            "use" => state.redeem(&number, RedeemAction::Use(None)).map(|_| None),
            "expire" => state.mark_expired(&number).map(|()| None),
            _ => return StatusCode::NOT_FOUND.into_response(),
        }
    };
    match done {
        Ok(Some(redemption)) => axum::Json(redemption).into_response(),
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            let status = match error {
                RedeemError::NoSuchCoupon(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::CONFLICT,
            };
            (status, error.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_is_the_test_servers() {
        let path = base_path();
        assert!(path.len() > 1 && path.starts_with('/'), "{path}");
        assert!(coufun_api::responses::DEFAULT_TEST_URL.ends_with(path));
    }

    /// The number of an unknown coupon, in the handle's errors, is masked
    /// also when the field is formatted by itself (`{}`, `{:?}`), not only in
    /// the message.
    #[tokio::test]
    async fn an_unknown_coupons_number_is_masked_in_the_field_too() {
        const CLEAR: &str = "900012345678";
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let expire = sandbox.mark_expired(CLEAR).unwrap_err();
        let SandboxError::Redeem(RedeemError::NoSuchCoupon(number)) = &expire else {
            panic!("{expire:?}");
        };
        let redeem = sandbox.redeem(CLEAR, RedeemAction::Use(None)).unwrap_err();
        let SandboxError::Redeem(RedeemError::NoSuchCoupon(redeemed)) = &redeem else {
            panic!("{redeem:?}");
        };
        assert_eq!(expire.to_string(), "no coupon numbered \"***5678\"");
        assert_eq!((number.as_str(), redeemed.as_str()), (CLEAR, CLEAR));
        for shown in [
            format!("{number}"),
            format!("{number:?}"),
            format!("{redeemed}"),
            format!("{redeemed:?}"),
        ] {
            assert!(shown.contains("***5678"), "{shown}");
            assert!(!shown.contains(CLEAR), "{shown}");
        }
        sandbox.shutdown().await;
    }
}
