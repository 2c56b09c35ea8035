//! The sandbox's https (feature `tls`): a throwaway certificate authority and
//! the server certificate it signs, both made at start (rcgen), and the rustls
//! acceptor (ring provider) that serves them. The CA's certificate is what a
//! client is told to trust; its key lives only in memory and dies with the
//! sandbox, so every start has a new CA (and a client holding an earlier one
//! is refused as untrusted).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names every sandbox certificate is valid for: the loopback host name
/// and addresses the sandbox listens on by default.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How the sandbox serves https ([`SandboxConfig::with_tls`](crate::SandboxConfig::with_tls)).
///
/// The certificate is valid for `localhost`, `127.0.0.1`, `::1` and the host
/// names added here, e.g. the test server's host
/// ([`with_test_server_host`](Self::with_test_server_host)), so that a client
/// resolving that name to the sandbox (`ClientBuilder::resolve`, the CLI's
/// `--resolve`) checks the certificate against the name it asked for.
///
/// ```
/// use coufun_sandbox::tls::TlsConfig;
///
/// let tls = TlsConfig::new().with_host_name("coufun.test").with_test_server_host();
/// let names: Vec<&str> = tls.host_names().collect();
/// assert!(names.contains(&"localhost") && names.contains(&"127.0.0.1"));
/// assert!(names.contains(&"coufun.test"));
/// assert!(names.contains(&coufun_sandbox::tls::test_server_host()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsConfig {
    /// Host names (or IP addresses) the certificate covers besides the loopback ones.
    pub extra_names: Vec<String>,
}

impl TlsConfig {
    /// A certificate for `localhost`, `127.0.0.1` and `::1`.
    pub fn new() -> Self {
        TlsConfig::default()
    }

    /// The certificate also covers `name` (a DNS name or an IP address).
    pub fn with_host_name(mut self, name: impl Into<String>) -> Self {
        self.extra_names.push(name.into());
        self
    }

    /// The certificate also covers the host of the SDK's `Environment::Test`
    /// URL ([`test_server_host`]).
    pub fn with_test_server_host(self) -> Self {
        self.with_host_name(test_server_host())
    }

    /// Every name the certificate covers, loopback ones first, without repeats.
    pub fn host_names(&self) -> impl Iterator<Item = &str> {
        let mut seen: Vec<&str> = Vec::new();
        LOOPBACK_NAMES
            .into_iter()
            .chain(self.extra_names.iter().map(String::as_str))
            .filter(move |name| {
                let new = !seen.iter().any(|s| s.eq_ignore_ascii_case(name));
                if new {
                    seen.push(name);
                }
                new
            })
    }
}

/// The host name of the SDK's `Environment::Test` URL
/// ([`DEFAULT_TEST_URL`](coufun_api::responses::DEFAULT_TEST_URL), from `spec/`).
pub fn test_server_host() -> &'static str {
    crate::test_server_url()
        .and_then(reqwest::Url::host_str)
        .unwrap_or_default()
}

/// Why the sandbox's certificate or TLS setup could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// A host name given for the certificate is not a DNS name or IP address.
    #[error("TLS host name {name:?} cannot go in a certificate: {reason}")]
    HostName {
        /// The name given.
        name: String,
        /// Why.
        reason: String,
    },
    /// Making a key or a certificate failed.
    #[error("cannot make the sandbox's {what}: {reason}")]
    Certificate {
        /// Which one (the CA key, the server certificate, …).
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// rustls refused the certificate or key.
    #[error("cannot set up TLS with the sandbox's certificate")]
    Rustls(#[source] rustls::Error),
}

/// A certificate made for one sandbox: the acceptor serving it and the CA
/// certificate that signed it, in PEM.
pub(crate) struct Issued {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued").finish_non_exhaustive()
    }
}

/// Makes a throwaway CA, a server certificate it signs for `config`'s names,
/// and the acceptor that serves it.
pub(crate) fn issue(config: &TlsConfig) -> Result<Issued, TlsSetupError> {
    let failed = |what: &'static str| {
        move |error: rcgen::Error| TlsSetupError::Certificate {
            what,
            reason: error.to_string(),
        }
    };
    let ca_key = KeyPair::generate().map_err(failed("CA key"))?;
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // A name of its own (from its key), so that a client holding the CA of an
    // earlier run is told the certificate is untrusted, not badly signed.
    let tag: String = ca_key
        .public_key_raw()
        .iter()
        .rev()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    ca_params.distinguished_name.push(
        DnType::CommonName,
        format!("coufun-sandbox throwaway CA {tag}"),
    );
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(failed("CA certificate"))?;
    let ca = Issuer::new(ca_params, ca_key);

    let names: Vec<String> = config.host_names().map(str::to_owned).collect();
    for name in &names {
        CertificateParams::new(vec![name.clone()]).map_err(|e| TlsSetupError::HostName {
            name: name.clone(),
            reason: e.to_string(),
        })?;
    }
    let mut leaf_params = CertificateParams::new(names).map_err(failed("server certificate"))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "coufun-sandbox");
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().map_err(failed("server key"))?;
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca)
        .map_err(failed("server certificate"))?;

    // The leaf alone: a client finds the CA among its own roots or not at all.
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Rustls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(TlsSetupError::Rustls)?;
    // The sandbox speaks HTTP/1.1 only (axum's `http1` feature).
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Issued {
        acceptor: TlsAcceptor::from(Arc::new(server)),
        ca_pem: ca_cert.pem(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_server_host_is_the_test_urls() {
        let host = test_server_host();
        assert!(!host.is_empty());
        assert!(coufun_api::responses::DEFAULT_TEST_URL.contains(&format!("://{host}")));
        assert!(!host.contains(['/', ':']), "{host}");
    }

    #[test]
    fn host_names_keep_order_and_drop_repeats() {
        let config = TlsConfig::new()
            .with_host_name("LOCALHOST")
            .with_host_name("a.test")
            .with_host_name("a.test");
        let names: Vec<&str> = config.host_names().collect();
        assert_eq!(names, ["localhost", "127.0.0.1", "::1", "a.test"]);
    }

    #[test]
    fn a_name_that_cannot_be_a_san_is_named() {
        let error = issue(&TlsConfig::new().with_host_name("bad name\u{e9}"))
            .err()
            .map(|e| e.to_string());
        assert!(
            error.as_deref().is_some_and(|e| e.contains("bad name")),
            "{error:?}"
        );
    }

    #[test]
    fn the_ca_pem_is_one_certificate() {
        let issued = issue(&TlsConfig::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(issued.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(issued.ca_pem.matches("BEGIN CERTIFICATE").count(), 1);
    }
}
