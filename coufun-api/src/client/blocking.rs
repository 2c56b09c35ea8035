//! The blocking client (feature `blocking`): the same builder, settings,
//! generated methods and run (`client/drive.rs`) as [`crate::Client`], on
//! `reqwest::blocking`; only sending, reading and sleeping are its own. Do not
//! use it inside an async runtime.

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use super::drive::{self, Issuing, Next, Plan, Retrying};
use super::settings::{BuildError, CallConfig, ClientBuilder, Environment};
use super::wire;
use crate::Charset;
use crate::error::{CallInfo, Error, TransportError};
use crate::issuance::{IssueOutcome, IssuingRequest, IssuingResponse};
use crate::operation::Operation;
use crate::privacy::PocId;
use crate::xml::Response;

/// A blocking COUFUN client. Clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    config: Arc<CallConfig>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("base_url", &self.config.base.as_str())
            .field("poc_id", &self.config.poc_id)
            .field("charset", &self.config.charset)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client of `environment` identified by `poc_id`.
    pub fn builder(environment: Environment, poc_id: PocId) -> ClientBuilder<Client> {
        ClientBuilder::new(environment, poc_id)
    }

    /// Sends `request` once and decodes the answer as `R` (see [`crate::Client::call`]).
    pub fn call<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let span = drive::call_span::<O>(request);
        let result = span.in_scope(|| self.exchange::<O, R>(request));
        drive::record_outcome(&span, &result);
        result
    }

    /// The charset the client sends (what generated lookups build requests in).
    pub(crate) fn request_charset(&self) -> Charset {
        self.config.charset
    }

    /// [`call`](Self::call) with retries, as [`crate::Client`] does.
    pub(crate) fn call_counted_in<O: Operation, R: Response>(
        &self,
        request: &O,
        counted_in: Charset,
    ) -> Result<R, Error> {
        let (plan, next) = Retrying::start::<O>(&self.config, counted_in);
        self.run(plan, next, request)
    }

    /// Issues `request` exactly once, as [`crate::Client`] does.
    pub(crate) fn issue<O: IssuingRequest, R: Response + IssuingResponse>(
        &self,
        request: &O,
        counted_in: Charset,
    ) -> IssueOutcome<R> {
        let (plan, next) = Issuing::start(&self.config, request, counted_in);
        self.run(plan, next, request)
    }

    /// Carries out what `plan` asks, blocking.
    fn run<P, O, R>(&self, mut plan: P, mut next: Next<P::Output>, request: &O) -> P::Output
    where
        P: Plan<Answer = R>,
        O: Operation,
        R: Response,
    {
        loop {
            next = match next {
                Next::Send => {
                    let answer = plan.span().in_scope(|| self.call(request));
                    plan.answered(answer)
                }
                Next::Wait(wait) => {
                    std::thread::sleep(wait);
                    plan.waited()
                }
                Next::Done(output) => return output,
            }
        }
    }

    /// One request and its answer, blocking.
    fn exchange<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let info = wire::call_info(request);
        let prepared = wire::prepare(&self.config, request)?;
        let mut builder = self.http.request(prepared.method, prepared.url);
        if let Some((content_type, body)) = prepared.form {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body);
        }
        let mut response = builder.send().map_err(|e| wire::reqwest_error(info, e))?;
        let (head, mut body) = wire::Head::read(
            &self.config,
            info,
            response.status(),
            response.headers(),
            response.content_length(),
        )?;
        let mut piece = vec![0; 16 * 1024];
        loop {
            match response.read(&mut piece) {
                Ok(0) => break,
                Ok(n) => body.push(piece.get(..n).unwrap_or_default())?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_error(info, e)),
            }
        }
        head.finish(&self.config, body)
    }
}

/// An I/O error while reading the body: reqwest's own error when it is one.
fn read_error(info: CallInfo, error: std::io::Error) -> Error {
    let kind = error.kind();
    let io = |kind: std::io::ErrorKind, inner| match inner {
        Some(inner) => std::io::Error::new(kind, inner),
        None => std::io::Error::from(kind),
    };
    match error.into_inner().map(|e| e.downcast::<reqwest::Error>()) {
        Some(Ok(reqwest_error)) => wire::reqwest_error(info, *reqwest_error),
        Some(Err(other)) => {
            wire::transport_error(info, TransportError::from_io(io(kind, Some(other))))
        }
        None => wire::transport_error(info, TransportError::from_io(io(kind, None))),
    }
}

impl ClientBuilder<Client> {
    /// The client.
    pub fn build(self) -> Result<Client, BuildError> {
        let config = Arc::new(self.call_config()?);
        let mut http = reqwest::blocking::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout);
        for (host, addr) in &self.resolve {
            http = http.resolve(host, *addr);
        }
        for certificate in &self.root_certificates {
            http = http.add_root_certificate(certificate.clone());
        }
        let http = http
            .build()
            .map_err(|e| BuildError::Http(TransportError::from_reqwest(e)))?;
        Ok(Client { http, config })
    }
}
