//! Connections a handler can kill: a TCP listener (plain, or TLS with the
//! handshake done off the accept loop) whose streams carry a shared switch, so
//! a fault can close the connection without an answer (drop) or reset it (TCP
//! RST), which an HTTP handler cannot do by itself.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

const ALIVE: u8 = 0;
const CLOSE: u8 = 1;
const RESET: u8 = 2;

/// The switch shared by a connection and the handlers serving it.
#[derive(Debug, Default)]
struct Switch {
    state: AtomicU8,
    waker: Mutex<Option<Waker>>,
}

/// What a handler knows of its connection: the peer and the kill switch.
#[derive(Debug, Clone)]
pub(crate) struct ConnHandle {
    /// The caller's address.
    pub peer: SocketAddr,
    switch: Arc<Switch>,
}

impl ConnHandle {
    /// Closes the connection without sending anything more.
    pub fn close(&self) {
        self.kill(CLOSE);
    }

    /// Resets the connection (RST).
    pub fn reset(&self) {
        self.kill(RESET);
    }

    fn kill(&self, how: u8) {
        self.switch.state.store(how, Ordering::SeqCst);
        if let Ok(mut waker) = self.switch.waker.lock()
            && let Some(waker) = waker.take()
        {
            waker.wake();
        }
    }
}

/// The bytes of one connection: plain TCP, or TLS over it.
enum Io {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Io {
    fn tcp(&self) -> &TcpStream {
        match self {
            Io::Plain(stream) => stream,
            #[cfg(feature = "tls")]
            Io::Tls(stream) => stream.get_ref().0,
        }
    }
}

/// A TCP stream that fails every read and write once its switch is thrown.
pub(crate) struct KillableStream {
    stream: Io,
    peer: SocketAddr,
    switch: Arc<Switch>,
}

impl KillableStream {
    fn new(stream: Io, peer: SocketAddr) -> Self {
        KillableStream {
            stream,
            peer,
            switch: Arc::default(),
        }
    }

    /// `Err` when killed; sets zero linger first for a reset, so closing sends RST.
    fn check(&self, cx: &mut Context<'_>) -> io::Result<()> {
        match self.switch.state.load(Ordering::SeqCst) {
            ALIVE => {
                if let Ok(mut waker) = self.switch.waker.lock() {
                    *waker = Some(cx.waker().clone());
                }
                Ok(())
            }
            RESET => {
                let _ = self.stream.tcp().set_zero_linger();
                Err(io::Error::from(io::ErrorKind::ConnectionReset))
            }
            _ => Err(io::Error::from(io::ErrorKind::ConnectionAborted)),
        }
    }
}

/// What a connection's bytes go through: TCP, or TLS over it.
trait Stream: AsyncRead + AsyncWrite + Unpin {}

impl<S: AsyncRead + AsyncWrite + Unpin> Stream for S {}

impl KillableStream {
    /// The stream to read or write, `Err` once killed (see [`check`](Self::check)).
    fn live(&mut self, cx: &mut Context<'_>) -> io::Result<Pin<&mut dyn Stream>> {
        self.check(cx)?;
        Ok(match &mut self.stream {
            Io::Plain(stream) => Pin::new(stream),
            #[cfg(feature = "tls")]
            Io::Tls(stream) => Pin::new(stream.as_mut()),
        })
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.live(cx)?.poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.live(cx)?.poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.live(cx)?.poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.live(cx)?.poll_shutdown(cx)
    }
}

/// A TCP listener handing out [`KillableStream`]s: plain ones, or TLS ones
/// whose handshakes a task of their own completes (so a slow or failing
/// handshake holds up no other connection).
pub(crate) struct KillableListener {
    incoming: Incoming,
    local: SocketAddr,
}

enum Incoming {
    Plain(TcpListener),
    #[cfg(feature = "tls")]
    Tls(tokio::sync::mpsc::Receiver<KillableStream>),
}

impl KillableListener {
    /// Plain TCP connections from `listener`.
    pub(crate) fn plain(listener: TcpListener) -> io::Result<Self> {
        Ok(KillableListener {
            local: listener.local_addr()?,
            incoming: Incoming::Plain(listener),
        })
    }

    /// TLS connections from `listener`, each handshake done by `acceptor`
    /// (needs a Tokio runtime: starts the accepting task).
    #[cfg(feature = "tls")]
    pub(crate) fn tls(
        listener: TcpListener,
        acceptor: tokio_rustls::TlsAcceptor,
    ) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let (ready, incoming) = tokio::sync::mpsc::channel(64);
        tokio::spawn(accept_tls(listener, acceptor, ready));
        Ok(KillableListener {
            local,
            incoming: Incoming::Tls(incoming),
        })
    }
}

/// Longest a TLS handshake may take before the connection is dropped.
#[cfg(feature = "tls")]
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Accepts TCP connections and hands each one, once its TLS handshake is done,
/// to the server; stops when the server no longer listens.
#[cfg(feature = "tls")]
async fn accept_tls(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    ready: tokio::sync::mpsc::Sender<KillableStream>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            () = ready.closed() => return,
            accepted = accept_tcp(&listener) => accepted,
        };
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let io = KillableStream::new(Io::Tls(Box::new(tls)), peer);
                    let _ = ready.send(io).await;
                }
                Ok(Err(error)) => tracing::info!(
                    %peer,
                    %error,
                    "TLS handshake failed (a client that does not trust the sandbox's CA, \
                     or one speaking plain http to the https port)"
                ),
                Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

/// The next TCP connection from `listener` (no Nagle delay), waiting out
/// failed accepts.
async fn accept_tcp(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                return (stream, peer);
            }
            Err(error) => {
                tracing::debug!(%error, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
}

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let io = match &mut self.incoming {
            Incoming::Plain(listener) => {
                let (stream, peer) = accept_tcp(listener).await;
                KillableStream::new(Io::Plain(stream), peer)
            }
            // None: the accepting task ended, nothing more will come.
            #[cfg(feature = "tls")]
            Incoming::Tls(incoming) => match incoming.recv().await {
                Some(io) => io,
                None => std::future::pending().await,
            },
        };
        let peer = io.peer;
        (io, peer)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        let io = stream.io();
        ConnHandle {
            peer: io.peer,
            switch: io.switch.clone(),
        }
    }
}
