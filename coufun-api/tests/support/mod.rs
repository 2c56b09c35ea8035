//! Shared by the client tests: a real HTTP server on 127.0.0.1 (axum, an
//! ephemeral port) answering with a handler the test gives and recording each
//! request, a tracing capture into a buffer, and an address that refuses
//! connections.

#![allow(dead_code)]

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Received {
    /// The form (body for POST, query for GET) as raw `name=value` pairs, still percent-encoded.
    pub fn raw_form(&self) -> String {
        match self.method {
            Method::GET => self.query.clone().unwrap_or_default(),
            _ => String::from_utf8_lossy(&self.body).into_owned(),
        }
    }

    /// The form's values decoded from percent-encoding, bytes left as sent.
    pub fn form_bytes(&self) -> Vec<(String, Vec<u8>)> {
        self.raw_form()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), percent_decode(v))
            })
            .collect()
    }
}

fn percent_decode(v: &str) -> Vec<u8> {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

type Handler =
    Arc<dyn Fn(Received) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

/// A test server: its base URL and what it received.
pub struct TestServer {
    pub base_url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 answering every request with `handler`.
    pub async fn start<F, Fut>(handler: F) -> TestServer
    where
        F: Fn(Received) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |r| Box::pin(handler(r)));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let handler = handler.clone();
                let log = log.clone();
                async move {
                    let r = Received {
                        method,
                        path: uri.path().to_owned(),
                        query: uri.query().map(str::to_owned),
                        content_type: headers
                            .get(header::CONTENT_TYPE)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                        body: body.to_vec(),
                    };
                    log.lock().unwrap().push(r.clone());
                    handler(r).await
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer {
            base_url: format!("http://{addr}/b2c_api/"),
            received,
        }
    }

    /// Starts the server on its own thread and runtime (for blocking clients).
    pub fn start_in_background<F, Fut>(handler: F) -> TestServer
    where
        F: Fn(Received) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = TestServer::start(handler).await;
                tx.send(server).unwrap();
                std::future::pending::<()>().await;
            });
        });
        rx.recv().unwrap()
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A response with `status`, `content_type` and `body`.
pub fn reply(status: u16, content_type: &str, body: impl Into<Body>) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

/// An XML response (status 200).
pub fn xml(body: Vec<u8>) -> Response {
    reply(200, "text/xml", body)
}

/// Captures everything `tracing` records on this thread while it lives.
/// One capture at a time: tracing caches per call site whether anyone listens,
/// and captures coming and going on parallel test threads race on that cache.
pub struct TraceCapture {
    _exclusive: std::sync::MutexGuard<'static, ()>,
}

/// One capture at a time; what it reads is what was logged since it started.
static ONE_CAPTURE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Everything logged in this test process, by the one global subscriber. A
/// global subscriber (not a thread-local default) keeps every callsite enabled
/// for every thread, so a test running on another thread cannot make tracing
/// cache "no interest" for a callsite while a capture is on.
static LOGGED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct BufferWriter;

impl io::Write for BufferWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        LOGGED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TraceCapture {
    pub fn start() -> TraceCapture {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
                .with_writer(|| BufferWriter)
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
        });
        let exclusive = ONE_CAPTURE_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        LOGGED.lock().unwrap_or_else(|p| p.into_inner()).clear();
        TraceCapture {
            _exclusive: exclusive,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&LOGGED.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// An address on 127.0.0.1 that refuses every connection, for as long as the
/// socket returned lives: bound but not listening, so no other process can take
/// the port (as it could one bound, let go and reused).
pub fn refusing_address() -> (socket2::Socket, std::net::SocketAddr) {
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    held.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let address = held.local_addr().unwrap().as_socket().unwrap();
    (held, address)
}
