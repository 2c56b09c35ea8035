//! Connections a handler can kill: a TCP listener whose streams carry a shared
//! switch, so a fault can close the connection without an answer (drop) or reset
//! it (TCP RST), which an HTTP handler cannot do by itself.

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

/// A TCP stream that fails every read and write once its switch is thrown.
pub(crate) struct KillableStream {
    stream: TcpStream,
    peer: SocketAddr,
    switch: Arc<Switch>,
}

impl KillableStream {
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
                let _ = self.stream.set_zero_linger();
                Err(io::Error::from(io::ErrorKind::ConnectionReset))
            }
            _ => Err(io::Error::from(io::ErrorKind::ConnectionAborted)),
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check(cx)?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A TCP listener handing out [`KillableStream`]s.
pub(crate) struct KillableListener(pub TcpListener);

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let io = KillableStream {
                        stream,
                        peer,
                        switch: Arc::default(),
                    };
                    return (io, peer);
                }
                Err(error) => {
                    tracing::debug!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
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
