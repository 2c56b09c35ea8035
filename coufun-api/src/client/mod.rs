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
mod drive;
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
use crate::error::{Error, TransportError};
use crate::issuance::{IssueOutcome, IssuingRequest, IssuingResponse};
use crate::operation::Operation;
use crate::privacy::PocId;
use crate::xml::Response;
use drive::{Issuing, Next, Plan, Retrying};
use settings::CallConfig;

/// An async COUFUN client. Clones share one connection pool.
///
/// ```
/// use coufun_api::privacy::PocId;
/// use coufun_api::{Client, Environment, GoodsListRequest};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// # let sandbox = coufun_sandbox::Sandbox::start(Default::default()).await?;
/// # let environment = Environment::Custom(sandbox.base_url());
/// // environment: Environment::Test, then Environment::Production.
/// let client = Client::builder(environment, PocId::new("POC0000001")?).build()?;
/// let goods = client.goods_list(&GoodsListRequest::builder().build()?).await?;
/// assert!(!goods.goods.is_empty());
/// # sandbox.shutdown().await;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })
/// # }
/// ```
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

    /// Sends `request` once and decodes the answer as `R`. The generated
    /// methods (`client.coupon_send(&request)`, …) call it with the
    /// operation's response type, retrying per the client's
    /// [`RetryPolicy`](crate::retry::RetryPolicy); call it directly only for an
    /// operation of your own.
    pub async fn call<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let span = drive::call_span::<O>(request);
        let result = self
            .exchange::<O, R>(request)
            .instrument(span.clone())
            .await;
        drive::record_outcome(&span, &result);
        result
    }

    /// The charset the client sends (what generated lookups build requests in).
    pub(crate) fn request_charset(&self) -> Charset {
        self.config.charset
    }

    /// [`call`](Self::call) with retries, for a request whose text was checked
    /// in `counted_in` (see [`Retrying`]).
    pub(crate) async fn call_counted_in<O: Operation, R: Response>(
        &self,
        request: &O,
        counted_in: Charset,
    ) -> Result<R, Error> {
        let (plan, next) = Retrying::start::<O>(&self.config, counted_in);
        self.run(plan, next, request).await
    }

    /// Issues `request` exactly once, under its idempotency key: see
    /// [`crate::issuance`].
    pub(crate) async fn issue<O: IssuingRequest, R: Response + IssuingResponse>(
        &self,
        request: &O,
        counted_in: Charset,
    ) -> IssueOutcome<R> {
        let (plan, next) = Issuing::start(&self.config, request, counted_in);
        self.run(plan, next, request).await
    }

    /// Carries out what `plan` asks: the only async part of a run.
    async fn run<P, O, R>(&self, mut plan: P, mut next: Next<P::Output>, request: &O) -> P::Output
    where
        P: Plan<Answer = R>,
        O: Operation,
        R: Response,
    {
        loop {
            next = match next {
                Next::Send => {
                    let answer = self.call(request).instrument(plan.span().clone()).await;
                    plan.answered(answer)
                }
                Next::Wait(wait) => {
                    tokio::time::sleep(wait).await;
                    plan.waited()
                }
                Next::Done(output) => return output,
            }
        }
    }

    /// One request and its answer: the only async part of a call.
    async fn exchange<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let info = wire::call_info(request);
        let prepared = wire::prepare(&self.config, request)?;
        let mut builder = self.http.request(prepared.method, prepared.url);
        if let Some((content_type, body)) = prepared.form {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| wire::reqwest_error(info, e))?;
        let (head, mut body) = wire::Head::read(
            &self.config,
            info,
            response.status(),
            response.headers(),
            response.content_length(),
        )?;
        while let Some(piece) = response
            .chunk()
            .await
            .map_err(|e| wire::reqwest_error(info, e))?
        {
            body.push(&piece)?;
        }
        head.finish(&self.config, body)
    }
}

impl ClientBuilder<Client> {
    /// The client.
    pub fn build(self) -> Result<Client, BuildError> {
        let config = Arc::new(self.call_config()?);
        let mut http = reqwest::Client::builder()
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
