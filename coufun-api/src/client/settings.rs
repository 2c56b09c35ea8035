//! Client settings shared by the async and blocking clients: the environment
//! and its base URL (an `http://` URL other than the manual's test server or a
//! loopback address is refused unless allowed explicitly), the POC_ID (kept
//! out of `Debug`), charset, method, timeouts and the response size cap.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use reqwest::Url;

use crate::generated::operations::OperationId;
use crate::generated::responses::DEFAULT_TEST_URL;
use crate::operation::Method;
use crate::privacy::PocId;
use crate::retry::RetryPolicy;
use crate::{Charset, PRODUCTION_URL};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of a whole call (connect, send, answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Which COUFUN server to call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// The production server ([`PRODUCTION_URL`]).
    Production,
    /// The test server the interface manuals give,
    /// [`DEFAULT_TEST_URL`](crate::responses::DEFAULT_TEST_URL)
    /// (`https://…:446`). The code manual gives another,
    /// [`TEST_URL`](crate::TEST_URL) (plain `http://`): use it through
    /// `Custom` with `allow_plain_http` if your account lives there.
    Test,
    /// Another base URL: the sandbox, a proxy. Paths are joined onto it.
    Custom(String),
}

impl Environment {
    /// The base URL as given.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Production => PRODUCTION_URL,
            Environment::Test => DEFAULT_TEST_URL,
            Environment::Custom(url) => url,
        }
    }
}

/// A client that could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL does not parse or is not `http(s)`.
    #[error("base URL {url:?} is not an http(s) URL: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A plain `http://` URL for a server other than the test server or loopback.
    #[error(
        "base URL {url:?} is plain http: POC_ID and phone numbers would travel in clear; \
         use https, or call `allow_plain_http()` to accept it"
    )]
    PlainHttpRefused {
        /// The URL given.
        url: String,
    },
    /// reqwest could not build its client (e.g. no TLS roots).
    #[error("the HTTP client could not be built")]
    Http(#[source] crate::error::TransportError),
}

/// What every call of one client shares, resolved and checked.
#[derive(Debug, Clone)]
pub(crate) struct CallConfig {
    pub(crate) base: Url,
    /// The URL of every operation of the table, joined once onto `base`,
    /// indexed by [`OperationId`] (a call then parses no URL of its own).
    pub(crate) operation_urls: Vec<Url>,
    pub(crate) poc_id: PocId,
    pub(crate) charset: Charset,
    pub(crate) method: Option<Method>,
    pub(crate) max_response_bytes: usize,
    pub(crate) retry: RetryPolicy,
}

/// Builds a client (`C` is [`Client`](crate::Client), or the blocking one).
#[must_use]
pub struct ClientBuilder<C> {
    pub(crate) environment: Environment,
    pub(crate) poc_id: PocId,
    pub(crate) charset: Charset,
    pub(crate) method: Option<Method>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) allow_plain_http: bool,
    pub(crate) retry: RetryPolicy,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("poc_id", &self.poc_id)
            .field("charset", &self.charset)
            .field("method", &self.method)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_plain_http", &self.allow_plain_http)
            .field("retry", &self.retry)
            .finish()
    }
}

impl<C> ClientBuilder<C> {
    pub(crate) fn new(environment: Environment, poc_id: PocId) -> Self {
        ClientBuilder {
            environment,
            poc_id,
            charset: Charset::default(),
            method: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_plain_http: false,
            retry: RetryPolicy::default(),
            client: PhantomData,
        }
    }

    /// The charset request text is encoded in (CP949 by default); use the one
    /// the requests were checked in.
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    /// Use `method` for every operation that accepts it (otherwise each
    /// operation's preferred method from the spec: POST with a form body).
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole call, answer included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest response body read; a larger one fails with
    /// [`Error::TooLarge`](crate::Error::TooLarge) without being read whole.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Accept a plain `http://` base URL for a server other than the manual's
    /// test server or a loopback address (POC_ID and phone numbers then travel in clear).
    pub fn allow_plain_http(mut self) -> Self {
        self.allow_plain_http = true;
        self
    }

    /// How failed calls are retried ([`RetryPolicy::default`] unless set): reads
    /// are retried on transport failures and 5xx; writes only with the very same
    /// request; coupon send and create are issued exactly once (see
    /// [`crate::issuance`]). [`RetryPolicy::no_retry`] makes one attempt.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    pub(crate) fn call_config(&self) -> Result<CallConfig, BuildError> {
        let given = self.environment.base_url();
        let invalid = |reason: &str| BuildError::InvalidBaseUrl {
            url: given.to_owned(),
            reason: reason.to_owned(),
        };
        // An http(s) URL that parses always has a host (the URL standard's
        // special schemes require one), so the scheme is all left to check.
        let mut base = Url::parse(given).map_err(|e| invalid(&e.to_string()))?;
        match base.scheme() {
            "https" => {}
            "http" => {
                let loopback = matches!(base.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
                if !(self.environment == Environment::Test || loopback || self.allow_plain_http) {
                    return Err(BuildError::PlainHttpRefused {
                        url: given.to_owned(),
                    });
                }
            }
            _ => return Err(invalid("the scheme must be http or https")),
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("it must not have a query or fragment"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let operation_urls = OperationId::ALL
            .iter()
            .map(|id| base.join(id.spec().path))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(CallConfig {
            base,
            operation_urls,
            poc_id: self.poc_id.clone(),
            charset: self.charset,
            method: self.method,
            max_response_bytes: self.max_response_bytes,
            retry: self.retry,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poc(id: &str) -> PocId {
        PocId::new(id).unwrap_or_else(|e| panic!("{e}"))
    }

    fn config(env: Environment) -> Result<CallConfig, BuildError> {
        ClientBuilder::<()>::new(env, poc("POC0000001")).call_config()
    }

    #[test]
    fn environments_use_the_generated_urls() {
        assert_eq!(
            config(Environment::Production)
                .map(|c| c.base.to_string())
                .ok()
                .as_deref(),
            Some(PRODUCTION_URL)
        );
        assert_eq!(
            config(Environment::Test)
                .map(|c| c.base.to_string())
                .ok()
                .as_deref(),
            Some(DEFAULT_TEST_URL)
        );
    }

    #[test]
    fn plain_http_is_refused_unless_allowed() {
        let plain_production = PRODUCTION_URL.replacen("https://", "http://", 1);
        assert!(matches!(
            config(Environment::Custom(plain_production.clone())),
            Err(BuildError::PlainHttpRefused { .. })
        ));
        let allowed = ClientBuilder::<()>::new(Environment::Custom(plain_production), poc("P"))
            .allow_plain_http()
            .call_config();
        assert!(allowed.is_ok());
        assert!(config(Environment::Custom("http://127.0.0.1:8080/b2c".into())).is_ok());
    }

    #[test]
    fn a_base_without_trailing_slash_gets_one() {
        let c = config(Environment::Custom("https://proxy.example/b2c_api".into()));
        assert_eq!(
            c.map(|c| c.base.join("goodsList.do").map(|u| u.to_string()))
                .ok()
                .and_then(Result::ok)
                .as_deref(),
            Some("https://proxy.example/b2c_api/goodsList.do")
        );
    }

    #[test]
    fn bad_urls_are_named() {
        for bad in ["ftp://x/", "not a url", "https://x/?a=1"] {
            assert!(
                matches!(
                    config(Environment::Custom(bad.into())),
                    Err(BuildError::InvalidBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_poc_id_stays_out_of_debug() {
        let b = ClientBuilder::<()>::new(Environment::Test, poc("POC7654321"))
            .max_response_bytes(12_345);
        let debug = format!("{b:?}");
        assert!(!debug.contains("7654321"), "{debug}");
        // The rest of the settings are there to read.
        for shown in ["ClientBuilder", "Test", "PocId(***)", "12345"] {
            assert!(debug.contains(shown), "{shown} missing from {debug}");
        }
    }

    #[test]
    fn the_default_response_cap_is_the_documented_4_mib() {
        assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 4 << 20);
        assert_eq!(
            ClientBuilder::<()>::new(Environment::Test, poc("P"))
                .call_config()
                .map(|c| c.max_response_bytes)
                .ok(),
            Some(4 << 20)
        );
    }

    #[test]
    fn urls_without_a_usable_host_or_scheme_are_refused() {
        for bad in [
            "data:text/plain,hello",
            "mailto:ops@example.com",
            "https://",
        ] {
            assert!(
                matches!(
                    config(Environment::Custom(bad.into())),
                    Err(BuildError::InvalidBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }
}
