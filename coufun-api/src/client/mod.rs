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

/// What the async [`Client`] and the blocking one share, written once: the
/// struct (one connection pool, cheap to clone), its `Debug` (no POC_ID in
/// clear), its builder and `build()`, the request a call sends and the head
/// of its answer, and the run of a call with retries or of an issuance (what
/// to do next is [`drive`]'s). Each client writes only its public `call` and
/// `exchange`, the I/O of one request.
///
/// Invoked with the struct's docs, the name `Debug` shows, the reqwest
/// module of its HTTP client, `async await` for the async one, how a run
/// sends `request` in the plan's span (calling `call`) and how it sleeps.
macro_rules! client_shell {
    (
        $(#[$doc:meta])* $debug_name:literal, $($http:ident)::+ $(, $async:ident $await:ident)?;
        send($self:ident, $request:ident, $span:ident) $send:expr;
        sleep($wait:ident) $sleep:expr;
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct Client {
            http: $($http)::+::Client,
            config: std::sync::Arc<$crate::client::settings::CallConfig>,
        }

        impl std::fmt::Debug for Client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct($debug_name)
                    .field("base_url", &self.config.base.as_str())
                    .field("poc_id", &self.config.poc_id)
                    .field("charset", &self.config.charset)
                    .finish_non_exhaustive()
            }
        }

        impl Client {
            /// A builder for a client of `environment` identified by `poc_id`.
            pub fn builder(
                environment: $crate::client::Environment,
                poc_id: $crate::privacy::PocId,
            ) -> $crate::client::ClientBuilder<Client> {
                $crate::client::ClientBuilder::new(environment, poc_id)
            }

            /// The charset the client sends (what generated lookups build requests in).
            pub(crate) fn request_charset(&self) -> $crate::Charset {
                self.config.charset
            }

            /// `call` with retries, for a request whose text was checked in
            /// `counted_in` (see `drive::Retrying`).
            pub(crate) $($async)? fn call_counted_in<O, R>(
                &self,
                request: &O,
                counted_in: $crate::Charset,
            ) -> Result<R, $crate::Error>
            where
                O: $crate::operation::Operation,
                R: $crate::xml::Response,
            {
                let (plan, next) =
                    $crate::client::drive::Retrying::start::<O>(&self.config, counted_in);
                self.run(plan, next, request) $(.$await)?
            }

            /// Issues `request` exactly once, under its idempotency key: see
            /// [`crate::issuance`].
            pub(crate) $($async)? fn issue<O, R>(
                &self,
                request: &O,
                counted_in: $crate::Charset,
            ) -> $crate::issuance::IssueOutcome<R>
            where
                O: $crate::issuance::IssuingRequest,
                R: $crate::xml::Response + $crate::issuance::IssuingResponse,
            {
                let (plan, next) =
                    $crate::client::drive::Issuing::start(&self.config, request, counted_in);
                self.run(plan, next, request) $(.$await)?
            }

            /// Carries out what `plan` asks: sends the request, sleeps, or ends.
            $($async)? fn run<P, O, R>(
                &$self,
                mut plan: P,
                mut next: $crate::client::drive::Next<P::Output>,
                $request: &O,
            ) -> P::Output
            where
                P: $crate::client::drive::Plan<Answer = R>,
                O: $crate::operation::Operation,
                R: $crate::xml::Response,
            {
                use $crate::client::drive::Next;
                loop {
                    next = match next {
                        Next::Send => {
                            let $span = plan.span();
                            let answer = $send;
                            plan.answered(answer)
                        }
                        Next::Wait($wait) => {
                            $sleep;
                            plan.waited()
                        }
                        Next::Done(output) => return output,
                    }
                }
            }

            /// What the call of `request` is, and its HTTP request, ready to send.
            fn request<O: $crate::operation::Operation>(
                &self,
                request: &O,
            ) -> Result<($crate::error::CallInfo, $($http)::+::RequestBuilder), $crate::Error> {
                let prepared = $crate::client::wire::prepare(&self.config, request)?;
                let mut builder = self.http.request(prepared.method, prepared.url);
                if let Some((content_type, body)) = prepared.form {
                    builder = builder
                        .header(reqwest::header::CONTENT_TYPE, content_type)
                        .body(body);
                }
                Ok(($crate::client::wire::call_info(request), builder))
            }

            /// The answer `response`'s body, none of it read yet (see `wire::Body`).
            fn body(
                &self,
                info: $crate::error::CallInfo,
                response: &$($http)::+::Response,
            ) -> Result<$crate::client::wire::Body, $crate::Error> {
                let (status, headers) = (response.status(), response.headers());
                let length = response.content_length();
                $crate::client::wire::Body::start(&self.config, info, status, headers, length)
            }
        }

        impl $crate::client::ClientBuilder<Client> {
            /// The client.
            pub fn build(self) -> Result<Client, $crate::client::BuildError> {
                let config = std::sync::Arc::new(self.call_config()?);
                let mut http = $($http)::+::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout);
                for (host, addr) in &self.resolve {
                    http = http.resolve(host, *addr);
                }
                for certificate in &self.root_certificates {
                    http = http.add_root_certificate(certificate.clone());
                }
                let http = http.build().map_err(|e| {
                    $crate::client::BuildError::Http($crate::error::TransportError::from_reqwest(e))
                })?;
                Ok(Client { http, config })
            }
        }
    };
}

#[cfg(feature = "blocking")]
pub mod blocking;
mod drive;
mod settings;
mod wire;

use tracing::Instrument;

pub use settings::{
    BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT, Environment, LONGEST_TIMEOUT,
};

use crate::error::Error;
use crate::operation::Operation;
use crate::xml::Response;

client_shell! {
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
    "Client", reqwest, async await;
    send(self, request, span) self.call(request).instrument(span.clone()).await;
    sleep(wait) tokio::time::sleep(wait).await;
}

impl Client {
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

    /// One request and its answer: the only async part of a call.
    async fn exchange<O: Operation, R: Response>(&self, request: &O) -> Result<R, Error> {
        let (info, request) = self.request(request)?;
        let mut response = request
            .send()
            .await
            .map_err(|e| wire::reqwest_error(info, e))?;
        let mut body = self.body(info, &response)?;
        while let Some(piece) = response
            .chunk()
            .await
            .map_err(|e| wire::reqwest_error(info, e))?
        {
            body.push(&piece)?;
        }
        body.finish(&self.config)
    }
}
