//! Client settings shared by the async and blocking clients: the environment
//! and its base URL (a plain `http://` URL is refused unless it is the code
//! manual's test server chosen by name, a loopback address, or allowed
//! explicitly), the POC_ID (kept out of `Debug`), charset, method, timeouts,
//! the response size cap and extra root certificates (PEM, checked when given).

use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;

use crate::drift::DriftObserver;
use crate::generated::operations::OperationId;
use crate::generated::responses::DEFAULT_TEST_URL;
use crate::operation::Method;
use crate::privacy::PocId;
use crate::retry::RetryPolicy;
use crate::{Charset, PRODUCTION_URL, TEST_URL};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of a whole call (connect, send, answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest connect or call timeout: 30 years of 365 days (the longest a
/// tokio timer waits). A longer one, such as `Duration::MAX` for no timeout,
/// is taken as this: no clock counts past it.
pub const LONGEST_TIMEOUT: Duration = Duration::from_secs(86_400 * 365 * 30);
/// Default cap on a response body: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Which COUFUN server to call.
///
/// The manuals give two test servers: the interface manuals' `https://` one
/// ([`Environment::Test`], the default choice) and the code manual's plain
/// `http://` one ([`Environment::TestPlainHttp`]). Ask the supplier which one
/// your account lives on; both URLs come from `spec/`.
///
/// ```
/// use coufun_api::{Environment, PRODUCTION_URL, TEST_URL};
/// use coufun_api::responses::DEFAULT_TEST_URL;
///
/// assert_eq!(Environment::Production.base_url(), PRODUCTION_URL);
/// assert_eq!(Environment::Test.base_url(), DEFAULT_TEST_URL);
/// assert!(Environment::Test.base_url().starts_with("https://"));
/// assert_eq!(Environment::TestPlainHttp.base_url(), TEST_URL);
/// assert!(Environment::TestPlainHttp.base_url().starts_with("http://"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// The production server ([`PRODUCTION_URL`]).
    Production,
    /// The test server the interface manuals give, over TLS:
    /// [`DEFAULT_TEST_URL`](crate::responses::DEFAULT_TEST_URL).
    Test,
    /// The test server the code manual gives, over plain `http://`:
    /// [`TEST_URL`](crate::TEST_URL). Choosing it by name is the opt-in: it
    /// needs no [`allow_plain_http`](ClientBuilder::allow_plain_http), but the
    /// POC_ID and phone numbers travel in clear. Use it only if the supplier
    /// says your test account lives there.
    TestPlainHttp,
    /// Another base URL: the sandbox, a proxy. Paths are joined onto it. A
    /// plain `http://` one is accepted for a loopback host (`localhost`,
    /// `127.0.0.0/8`, `[::1]`), else only with
    /// [`allow_plain_http`](ClientBuilder::allow_plain_http).
    Custom(String),
}

impl Environment {
    /// The base URL as given.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Production => PRODUCTION_URL,
            Environment::Test => DEFAULT_TEST_URL,
            Environment::TestPlainHttp => TEST_URL,
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
    /// A plain `http://` URL that is neither the code manual's test server
    /// chosen by name ([`Environment::TestPlainHttp`]) nor a loopback address,
    /// without [`allow_plain_http`](ClientBuilder::allow_plain_http).
    #[error(
        "base URL {url:?} is plain http: POC_ID and phone numbers would travel in clear; \
         use https, choose Environment::TestPlainHttp for the code manual's test server, \
         or call `allow_plain_http()` to accept it"
    )]
    PlainHttpRefused {
        /// The URL given.
        url: String,
    },
    /// A root certificate given to
    /// [`add_root_certificate_pem`](ClientBuilder::add_root_certificate_pem)
    /// cannot be read or trusted.
    #[error("root certificate PEM: {reason}")]
    RootCertificate {
        /// What is wrong with it (which certificate of the PEM, and why).
        reason: String,
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
    /// Where drift findings of every answer go; `None` (the default): answers
    /// are not inspected.
    pub(crate) drift: Option<DriftObserver>,
}

/// Builds a client (`C` is [`Client`](crate::Client), or the blocking one).
///
/// ```
/// use std::time::Duration;
/// use coufun_api::privacy::PocId;
/// use coufun_api::retry::RetryPolicy;
/// use coufun_api::{BuildError, Charset, Client, Environment};
///
/// let client = Client::builder(Environment::Test, PocId::new("POC0000001")?)
///     .charset(Charset::Cp949) // the default: what the server counts in
///     .timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default())
///     .build()?;
/// # let _ = client;
///
/// // Plain http is refused unless chosen by name, loopback, or allowed.
/// let plain = Client::builder(
///     Environment::Custom("http://proxy.example/b2c_api/".into()),
///     PocId::new("POC0000001")?,
/// )
/// .build();
/// assert!(matches!(plain, Err(BuildError::PlainHttpRefused { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// Host names resolved to a fixed address instead of by DNS.
    pub(crate) resolve: Vec<(String, SocketAddr)>,
    /// Certificates trusted as roots besides the built-in ones, checked.
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
    pub(crate) drift: Option<DriftObserver>,
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
            .field("resolve", &self.resolve)
            .field("extra_root_certificates", &self.root_certificates.len())
            .field("drift", &self.drift.is_some())
            .finish()
    }
}

/// Builder methods that change `self` by `$change` and return it.
macro_rules! setters {
    ($(
        $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) { $self:ident.$($change:tt)+ }
    )+) => {$(
        $(#[$doc])*
        pub fn $name(mut $self, $($arg: $ty),*) -> Self {
            $self.$($change)+;
            $self
        }
    )+};
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
            resolve: Vec::new(),
            root_certificates: Vec::new(),
            drift: None,
            client: PhantomData,
        }
    }

    setters! {
        /// The charset request text is encoded in (CP949 by default); use the one
        /// the requests were checked in.
        charset(charset: Charset) { self.charset = charset }
        /// Use `method` for every operation that accepts it (otherwise each
        /// operation's preferred method from the spec: POST with a form body).
        method(method: Method) { self.method = Some(method) }
        /// Time allowed to open a connection (at most [`LONGEST_TIMEOUT`]; a
        /// longer one is taken as it).
        connect_timeout(timeout: Duration) {
            self.connect_timeout = timeout.min(LONGEST_TIMEOUT)
        }
        /// Time allowed for a whole call, answer included (at most
        /// [`LONGEST_TIMEOUT`]; a longer one is taken as it).
        timeout(timeout: Duration) { self.timeout = timeout.min(LONGEST_TIMEOUT) }
        /// Largest response body read; a larger one fails with
        /// [`Error::TooLarge`](crate::Error::TooLarge) without being read whole.
        max_response_bytes(bytes: usize) { self.max_response_bytes = bytes }
        /// Accept any plain `http://` base URL (POC_ID and phone numbers then
        /// travel in clear). Not needed for [`Environment::TestPlainHttp`] nor for
        /// a loopback address; without it every other `http://` URL is refused
        /// with [`BuildError::PlainHttpRefused`].
        allow_plain_http() { self.allow_plain_http = true }
        /// Connect to `addr` whenever a URL names `host`, instead of asking DNS
        /// (the port of `addr` is used when the URL gives none). For a server
        /// reached by a fixed address, or a test that stands a local server in
        /// for a named one.
        resolve(host: impl Into<String>, addr: SocketAddr) {
            self.resolve.push((host.into(), addr))
        }
    }

    setters! {
        /// How failed calls are retried ([`RetryPolicy::default`] unless set): reads
        /// are retried on transport failures and 5xx; writes only with the very same
        /// request; coupon send and create are issued exactly once (see
        /// [`crate::issuance`]). [`RetryPolicy::no_retry`] makes one attempt.
        retry_policy(policy: RetryPolicy) { self.retry = policy }
        /// Compares every answer with the spec and hands each difference to
        /// `observer` (see [`crate::drift`]): elements the spec does not name,
        /// values outside a value table, texts longer than the spec's length,
        /// another root or record element, another declared charset. Off by
        /// default; no secret value is ever in a finding.
        ///
        /// ```
        /// use coufun_api::drift::{DriftCollector, DriftObserver};
        /// use coufun_api::privacy::PocId;
        /// use coufun_api::{Client, Environment};
        ///
        /// let drift = DriftCollector::new();
        /// let client = Client::builder(Environment::Test, PocId::new("POC0000001")?)
        ///     .observe_drift(drift.observer()) // or DriftObserver::tracing()
        ///     .build()?;
        /// // … calls …; then `drift.report()` holds what differed, merged.
        /// # let _ = client;
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        observe_drift(observer: DriftObserver) { self.drift = Some(observer) }
    }

    /// Trust the certificates in `pem` as roots, besides the built-in ones
    /// (Mozilla's, from `webpki-roots`): for a server whose certificate a
    /// private or throwaway CA signed, such as the sandbox over https
    /// (`coufun_sandbox::Sandbox::ca_certificate_pem`). `pem` holds one or
    /// more `-----BEGIN CERTIFICATE-----` blocks (other blocks are skipped);
    /// each is checked now, and a PEM without a certificate, or one that is not
    /// an X.509 certificate, is refused with [`BuildError::RootCertificate`]
    /// naming which and why. May be called more than once.
    ///
    /// A server whose certificate no trusted root signed fails every call with
    /// [`Error::Connect`](crate::Error::Connect) whose
    /// [`TransportError::tls_problem`](crate::TransportError::tls_problem) is
    /// [`TlsProblem::UntrustedCertificate`](crate::TlsProblem::UntrustedCertificate).
    ///
    /// ```
    /// use coufun_api::privacy::PocId;
    /// use coufun_api::{BuildError, Client, Environment, GoodsListRequest};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// # let tls = coufun_sandbox::tls::TlsConfig::new();
    /// # let sandbox =
    /// #     coufun_sandbox::Sandbox::start(coufun_sandbox::SandboxConfig::default().with_tls(tls))
    /// #         .await?;
    /// # let environment = Environment::Custom(sandbox.base_url());
    /// # let ca_pem = sandbox.ca_certificate_pem().unwrap_or_default().as_bytes().to_vec();
    /// // ca_pem = std::fs::read("ca.pem")?, e.g. what `coufun-sandbox --tls --tls-ca-out ca.pem` wrote
    /// let client = Client::builder(environment, PocId::new("POC0000001")?)
    ///     .add_root_certificate_pem(&ca_pem)?
    ///     .build()?;
    /// let goods = client.goods_list(&GoodsListRequest::builder().build()?).await?;
    /// assert!(!goods.goods.is_empty());
    /// # sandbox.shutdown().await;
    ///
    /// // Not a certificate: refused at once, saying why.
    /// let refused = Client::builder(Environment::Test, PocId::new("POC0000001")?)
    ///     .add_root_certificate_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    /// let Err(error @ BuildError::RootCertificate { .. }) = refused else {
    ///     panic!("a PEM without a certificate was accepted");
    /// };
    /// assert!(error.to_string().contains("no certificate"), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })
    /// # }
    /// ```
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, BuildError> {
        self.root_certificates.extend(root_certificates(pem)?);
        Ok(self)
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
                let loopback = base.host_str().is_some_and(is_loopback);
                let named_test_server = self.environment == Environment::TestPlainHttp;
                if !(named_test_server || loopback || self.allow_plain_http) {
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
            drift: self.drift.clone(),
        })
    }
}

/// The certificates of `pem`, each checked to be one a root store takes.
fn root_certificates(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, BuildError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let refused = |reason: String| BuildError::RootCertificate { reason };
    let mut certificates = Vec::new();
    for (index, block) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let number = index + 1;
        let der = block.map_err(|e| {
            refused(format!(
                "certificate {number} is not readable PEM ({e}); expected \
                 -----BEGIN CERTIFICATE----- blocks of base64"
            ))
        })?;
        rustls::RootCertStore::empty()
            .add(der.clone())
            .map_err(|e| {
                refused(format!(
                    "certificate {number} is not an X.509 certificate a client can trust ({e})"
                ))
            })?;
        let certificate = reqwest::Certificate::from_der(&der)
            .map_err(|e| refused(format!("certificate {number}: {e}")))?;
        certificates.push(certificate);
    }
    if certificates.is_empty() {
        return Err(refused(
            "no certificate in it: expected one or more -----BEGIN CERTIFICATE----- blocks \
             (a DER file? convert it with `openssl x509 -inform der -in FILE -out FILE.pem`)"
                .to_owned(),
        ));
    }
    Ok(certificates)
}

/// Whether a URL's host (`localhost`, `127.x.y.z`, `[::1]`) is this machine.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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

    /// A timeout past 30 years of 365 days is taken as 30 years; a shorter
    /// one is kept (the blocking client panicked on `Duration::MAX`).
    #[test]
    fn a_timeout_past_thirty_years_is_taken_as_thirty_years() {
        let years = |n: u64| Duration::from_secs(n * 365 * 86_400);
        assert_eq!(LONGEST_TIMEOUT, years(30));
        let builder = || ClientBuilder::<()>::new(Environment::Test, poc("POC0000001"));
        let long = builder().connect_timeout(Duration::MAX).timeout(years(31));
        assert_eq!((long.connect_timeout, long.timeout), (years(30), years(30)));
        let kept = builder().connect_timeout(years(29)).timeout(years(29));
        assert_eq!((kept.connect_timeout, kept.timeout), (years(29), years(29)));
    }

    #[test]
    fn environments_use_the_generated_urls() {
        for (environment, url) in [
            (Environment::Production, PRODUCTION_URL),
            (Environment::Test, DEFAULT_TEST_URL),
        ] {
            let base = config(environment).map(|c| c.base.to_string());
            assert_eq!(base.ok().as_deref(), Some(url));
        }
    }

    #[test]
    fn both_test_servers_are_reachable_by_name() {
        let https = config(Environment::Test).map(|c| c.base.to_string());
        assert_eq!(https.ok().as_deref(), Some(DEFAULT_TEST_URL));
        assert!(DEFAULT_TEST_URL.starts_with("https://"));
        // The code manual's plain-http server, chosen by name, needs no opt-in.
        let plain = config(Environment::TestPlainHttp).map(|c| c.base.to_string());
        assert_eq!(plain.ok().as_deref(), Some(TEST_URL));
        assert!(TEST_URL.starts_with("http://"));
    }

    #[test]
    fn the_plain_test_url_given_as_custom_still_needs_the_opt_in() {
        let refused = config(Environment::Custom(TEST_URL.to_owned()));
        let Err(error) = refused else {
            panic!("Custom(TEST_URL) was accepted without allow_plain_http");
        };
        assert!(matches!(error, BuildError::PlainHttpRefused { .. }));
        // The refusal names the way out.
        assert!(
            error.to_string().contains("Environment::TestPlainHttp"),
            "{error}"
        );
        let allowed = ClientBuilder::<()>::new(Environment::Custom(TEST_URL.to_owned()), poc("P"))
            .allow_plain_http()
            .call_config();
        assert!(allowed.is_ok());
    }

    #[test]
    fn loopback_is_any_loopback_address() {
        for ok in [
            "http://127.0.0.1:8080/b2c",
            "http://127.0.0.2/",
            "http://localhost:1/",
            "http://LOCALHOST/",
            "http://[::1]:9/",
        ] {
            assert!(config(Environment::Custom(ok.into())).is_ok(), "{ok}");
        }
        for url in [
            "http://10.0.0.1/",
            "http://localhost.example/",
            "http://128.0.0.1/",
        ] {
            let refused = config(Environment::Custom(url.into()));
            assert!(
                matches!(refused, Err(BuildError::PlainHttpRefused { .. })),
                "{url}"
            );
        }
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
        // Among them URLs without a usable host or scheme.
        for bad in [
            "ftp://x/",
            "not a url",
            "https://x/?a=1",
            "data:text/plain,hello",
            "mailto:ops@example.com",
            "https://",
        ] {
            let refused = config(Environment::Custom(bad.into()));
            assert!(
                matches!(refused, Err(BuildError::InvalidBaseUrl { .. })),
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
}
