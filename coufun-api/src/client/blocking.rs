//! The blocking client (feature `blocking`): the same builder, settings and
//! generated methods as [`crate::Client`], on `reqwest::blocking`. Do not use it
//! inside an async runtime.

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use super::settings::{BuildError, CallConfig, ClientBuilder, Environment};
use super::{record_outcome, wire};
use crate::Charset;
use crate::error::{CallInfo, Error};
use crate::generated::kinds::TrId;
use crate::generated::requests::GoodsListRequest;
use crate::generated::responses::GoodsListItem;
use crate::issuance::{Issuance, IssueOutcome};
use crate::operation::{Method, Operation};
use crate::privacy::PocId;
use crate::retry::{Attempts, Decision};
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

    /// Sends `request` and decodes the answer as `R` (see [`crate::Client::call`]).
    pub fn call<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let span = super::call_span::<O>(request);
        let info = wire::call_info(request);
        let result = span.in_scope(|| self.exchange::<O, R>(request, info));
        record_outcome(&span, &result);
        result
    }

    /// [`call`](Self::call) for a request whose text was checked in
    /// `counted_in`: refused, nothing sent, when the client sends another charset.
    /// Retries per the client's policy, as [`crate::Client`] does.
    pub(crate) fn call_counted_in<O: Operation, R: Response>(
        &self,
        request: &O,
        counted_in: Charset,
    ) -> Result<R, Error> {
        wire::check_charset::<O>(&self.config, counted_in)?;
        let mut attempts = Attempts::start(self.config.retry);
        loop {
            attempts.record();
            match self.call(request) {
                Err(e) if e.retry() == Decision::RetrySameRequest && attempts.may_retry() => {
                    std::thread::sleep(attempts.backoff());
                }
                answer => return answer,
            }
        }
    }

    /// Looks one goods item up in the goods list, as
    /// [`crate::Client::goods_info`] does (no goods-info path is documented).
    pub fn goods_info(&self, goods_id: &str) -> Result<Option<GoodsListItem>, Error> {
        let request = GoodsListRequest::builder().build_with(self.config.charset)?;
        let list = self.goods_list(&request)?;
        Ok(super::find_goods(list, goods_id))
    }

    /// Issues `request` exactly once, as [`crate::Client`] does.
    pub(crate) fn issue<O: Operation, R: Response>(
        &self,
        request: &O,
        tr_id: &TrId,
        counted_in: Charset,
    ) -> IssueOutcome<R> {
        let span = super::issue_span::<O>(tr_id);
        let mut run = Issuance::<R>::new(tr_id.clone(), self.config.retry);
        if let Err(refused) = wire::check_charset::<O>(&self.config, counted_in) {
            return run.refused(refused);
        }
        let outcome = span.in_scope(|| {
            loop {
                if !run.next_call() {
                    break run.give_up();
                }
                if let Some(outcome) = run.sent(self.call(request)) {
                    break outcome;
                }
                std::thread::sleep(run.wait());
            }
        });
        super::record_issue(&span, &outcome);
        outcome
    }

    fn exchange<O: Operation, R: Response>(&self, request: &O, info: CallInfo) -> Result<R, Error> {
        let prepared = wire::prepare(&self.config, request)?;
        let builder = match prepared.method {
            Method::Get => self.http.get(prepared.url),
            _ => self
                .http
                .post(prepared.url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    wire::form_content_type(self.config.charset),
                )
                .body(prepared.body.unwrap_or_default()),
        };
        let response = builder.send().map_err(|e| wire::transport_error(info, e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let limit = self.config.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(Error::TooLarge { info, limit });
        }
        let mut body = Vec::new();
        let read = response.take(limit as u64 + 1).read_to_end(&mut body);
        if let Err(e) = read {
            return Err(read_error(info, e));
        }
        if body.len() > limit {
            return Err(Error::TooLarge { info, limit });
        }
        wire::interpret(&self.config, info, status, content_type.as_deref(), &body)
    }
}

/// An I/O error while reading the body: reqwest's own error when it is one.
fn read_error(info: CallInfo, error: std::io::Error) -> Error {
    let timed_out = error.kind() == std::io::ErrorKind::TimedOut;
    match error
        .into_inner()
        .map(|inner| inner.downcast::<reqwest::Error>())
    {
        Some(Ok(reqwest_error)) => wire::transport_error(info, *reqwest_error),
        Some(Err(other)) if !timed_out => Error::Transport {
            info,
            source: other,
        },
        _ => Error::Transport {
            info,
            source: Box::new(std::io::Error::from(std::io::ErrorKind::TimedOut)),
        },
    }
}

impl ClientBuilder<Client> {
    /// The client.
    pub fn build(self) -> Result<Client, BuildError> {
        let config = self.call_config()?;
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .build()
            .map_err(BuildError::Http)?;
        Ok(Client {
            http,
            config: Arc::new(config),
        })
    }
}
