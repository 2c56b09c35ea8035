//! The HTTP client: [`Client`] (async, reqwest with rustls, one connection pool
//! per client, cheap to clone) and, behind the `blocking` feature,
//! `blocking::Client` with the same surface. Each call is one `tracing` span
//! carrying the operation, the TR_ID and the result code; the POC_ID and phone
//! numbers never appear in spans, `Debug` output or errors.
//!
//! ```no_run
//! use coufun_api::{Client, Environment, GoodsListRequest};
//! use coufun_api::privacy::PocId;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder(Environment::Test, PocId::new("POC0000001")?).build()?;
//! let same_pool = client.clone();
//! let goods = same_pool.goods_list(&GoodsListRequest::builder().build()?).await?;
//! for item in &goods.goods {
//!     println!("{:?} {:?} {:?}", item.goods_id, item.goods_name, item.supply_price);
//! }
//! // one goods item: a lookup over the same list (no goods-info path is documented)
//! let latte = client.goods_info("0000100002").await?;
//! # Ok(()) }
//! ```

#[cfg(feature = "blocking")]
pub mod blocking;
mod settings;
mod wire;

use std::fmt;
use std::sync::Arc;

use tracing::Instrument;

pub use settings::{
    BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT, Environment,
};

use crate::Charset;
use crate::error::{CallInfo, Error};
use crate::generated::kinds::TrId;
use crate::generated::requests::GoodsListRequest;
use crate::generated::responses::{GoodsListItem, GoodsListResponse};
use crate::issuance::{Issuance, IssueOutcome};
use crate::operation::{Method, Operation};
use crate::privacy::PocId;
use crate::retry::{Attempts, Decision};
use crate::xml::Response;
use settings::CallConfig;

/// An async COUFUN client. Clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<CallConfig>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
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

    /// Sends `request` and decodes the answer as `R`. The generated methods
    /// (`client.coupon_send(&request)`, …) call this with the operation's
    /// response type; call it directly only for an operation of your own.
    pub async fn call<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let span = call_span::<O>(request);
        let info = wire::call_info(request);
        let result = self
            .exchange::<O, R>(request, info)
            .instrument(span.clone())
            .await;
        record_outcome(&span, &result);
        result
    }

    /// [`call`](Self::call) for a request whose text was checked in
    /// `counted_in`: refused, nothing sent, when the client sends another charset.
    /// Retries per the client's [`RetryPolicy`](crate::retry::RetryPolicy): the
    /// very same request, only where [`Error::retry`] allows it.
    pub(crate) async fn call_counted_in<O: Operation, R: Response>(
        &self,
        request: &O,
        counted_in: Charset,
    ) -> Result<R, Error> {
        wire::check_charset::<O>(&self.config, counted_in)?;
        let mut attempts = Attempts::start(self.config.retry);
        loop {
            attempts.record();
            match self.call(request).await {
                Err(e) if e.retry() == Decision::RetrySameRequest && attempts.may_retry() => {
                    tokio::time::sleep(attempts.backoff()).await;
                }
                answer => return answer,
            }
        }
    }

    /// Looks one goods item up by its `GOODS_ID`. No manual documents a
    /// goods-info operation of its own: the goods list (`coufunProduct.do`)
    /// returns every detail of every goods item, so this is one
    /// [`goods_list`](Self::goods_list) call searched for `goods_id`. `Ok(None)`:
    /// the list does not hold it. (The goods manual asks merchants to keep the
    /// list on their side: cache it rather than calling this per purchase.)
    pub async fn goods_info(&self, goods_id: &str) -> Result<Option<GoodsListItem>, Error> {
        let request = GoodsListRequest::builder().build_with(self.config.charset)?;
        let list = self.goods_list(&request).await?;
        Ok(find_goods(list, goods_id))
    }

    /// Issues `request` (carrying `tr_id`) exactly once: see [`crate::issuance`].
    pub(crate) async fn issue<O: Operation, R: Response>(
        &self,
        request: &O,
        tr_id: &TrId,
        counted_in: Charset,
    ) -> IssueOutcome<R> {
        let span = issue_span::<O>(tr_id);
        let run = Issuance::<R>::new(tr_id.clone(), self.config.retry);
        let outcome = match wire::check_charset::<O>(&self.config, counted_in) {
            Err(refused) => run.refused(refused),
            Ok(()) => self.drive(run, request).instrument(span.clone()).await,
        };
        record_issue(&span, &outcome);
        outcome
    }

    async fn drive<O: Operation, R: Response>(
        &self,
        mut run: Issuance<R>,
        request: &O,
    ) -> IssueOutcome<R> {
        loop {
            if !run.next_call() {
                return run.give_up();
            }
            if let Some(outcome) = run.sent(self.call(request).await) {
                return outcome;
            }
            if !run.wait().is_zero() {
                tokio::time::sleep(run.wait()).await;
            }
        }
    }

    async fn exchange<O: Operation, R: Response>(
        &self,
        request: &O,
        info: CallInfo,
    ) -> Result<R, Error> {
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
        let mut response = builder
            .send()
            .await
            .map_err(|e| wire::transport_error(info, e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let limit = self.config.max_response_bytes;
        let body = match response.content_length() {
            Some(len) if len > limit as u64 => return Err(Error::TooLarge { info, limit }),
            // A declared length within the cap: HTTP framing stops the body there.
            Some(_) => response
                .bytes()
                .await
                .map_err(|e| wire::transport_error(info, e))?
                .to_vec(),
            // No length (chunked): read piece by piece and stop at the cap.
            None => {
                let mut body = Vec::with_capacity(8 * 1024);
                while let Some(chunk) = response
                    .chunk()
                    .await
                    .map_err(|e| wire::transport_error(info, e))?
                {
                    if body.len() + chunk.len() > limit {
                        return Err(Error::TooLarge { info, limit });
                    }
                    body.extend_from_slice(&chunk);
                }
                body
            }
        };
        wire::interpret(&self.config, info, status, content_type.as_deref(), &body)
    }
}

impl ClientBuilder<Client> {
    /// The client.
    pub fn build(self) -> Result<Client, BuildError> {
        let config = self.call_config()?;
        let http = reqwest::Client::builder()
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

/// The item of `list` whose `GOODS_ID` is `goods_id`.
fn find_goods(list: GoodsListResponse, goods_id: &str) -> Option<GoodsListItem> {
    list.goods
        .into_iter()
        .find(|g| g.goods_id.as_deref().map(str::trim) == Some(goods_id.trim()))
}

/// The span of one issuance: operation and TR_ID now, outcome at the end.
fn issue_span<O: Operation>(tr_id: &TrId) -> tracing::Span {
    tracing::info_span!(
        "coufun_issue",
        operation = O::NAME,
        tr_id = tr_id.as_str(),
        outcome = tracing::field::Empty,
        attempts = tracing::field::Empty,
    )
}

fn record_issue<R>(span: &tracing::Span, outcome: &IssueOutcome<R>) {
    let (word, code) = match outcome {
        IssueOutcome::Issued(_) => ("issued", None),
        IssueOutcome::NotIssued(n) => ("not_issued", n.code()),
        IssueOutcome::EarlierAttemptReached(e) => ("earlier_attempt_reached", Some(e.code)),
        _ => ("unknown", None),
    };
    span.record("outcome", word);
    span.record("attempts", outcome.attempts());
    let _entered = span.enter();
    match code {
        Some(code) => tracing::info!(result_code = code.as_str(), "{word}"),
        None => tracing::info!("{word}"),
    }
}

/// The span of one call: operation and TR_ID now, result code when answered.
fn call_span<O: Operation>(request: &O) -> tracing::Span {
    let span = tracing::info_span!(
        "coufun_call",
        operation = O::NAME,
        tr_id = tracing::field::Empty,
        result_code = tracing::field::Empty,
    );
    if let Some(tr_id) = request.idempotency_key() {
        span.record("tr_id", tr_id);
    }
    span
}

fn record_outcome<R>(span: &tracing::Span, result: &Result<R, Error>) {
    let _entered = span.enter();
    match result {
        Ok(_) => {
            span.record("result_code", crate::ResultCode::Success.as_str());
            tracing::debug!("answered");
        }
        Err(error) => {
            if let Some(code) = error.result_code() {
                span.record("result_code", code.as_str());
            }
            tracing::warn!(error = %error, retry = ?error.retry(), "call failed");
        }
    }
}
