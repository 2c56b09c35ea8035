//! The blocking client (feature `blocking`): the same builder, settings,
//! generated methods and run (`client/drive.rs`) as [`crate::Client`], on
//! `reqwest::blocking`; only sending, reading and sleeping are its own. Do not
//! use it inside an async runtime.

use std::io::Read;

use super::drive;
use super::wire;
use crate::error::{CallInfo, Error, TransportError};
use crate::operation::Operation;
use crate::xml::Response;

client_shell! {
    /// A blocking COUFUN client. Clones share one connection pool.
    "blocking::Client", reqwest::blocking;
    send(self, request, span) span.in_scope(|| self.call(request));
    sleep(wait) std::thread::sleep(wait);
}

impl Client {
    /// Sends `request` once and decodes the answer as `R` (see [`crate::Client::call`]).
    pub fn call<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let span = drive::call_span::<O>(request);
        let result = span.in_scope(|| self.exchange::<O, R>(request));
        drive::record_outcome(&span, &result);
        result
    }

    /// One request and its answer, blocking.
    fn exchange<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let (info, request) = self.request(request)?;
        let mut response = request.send().map_err(|e| wire::reqwest_error(info, e))?;
        let mut body = self.body(info, &response)?;
        let mut piece = vec![0; 16 * 1024];
        loop {
            match response.read(&mut piece) {
                Ok(0) => break,
                Ok(n) => body.push(piece.get(..n).unwrap_or_default())?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_error(info, e)),
            }
        }
        body.finish(&self.config)
    }
}

/// An I/O error while reading the body: reqwest's own error when it is one.
fn read_error(info: CallInfo, error: std::io::Error) -> Error {
    let kind = error.kind();
    let io = match error.into_inner().map(|e| e.downcast::<reqwest::Error>()) {
        Some(Ok(reqwest_error)) => return wire::reqwest_error(info, *reqwest_error),
        Some(Err(other)) => std::io::Error::new(kind, other),
        None => std::io::Error::from(kind),
    };
    wire::transport_error(info, TransportError::from_io(io))
}
