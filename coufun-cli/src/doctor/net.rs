//! The doctor's network probes, below HTTP: name resolution, a TCP connection
//! (and the local address it used: what the server sees, short of a NAT), a
//! TLS handshake (protocol, cipher, certificate trust, with an extra root
//! certificate when one is configured), and, when a TLS handshake fails, a
//! plain-HTTP probe that tells "this port speaks plain http only" apart.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// Where the addresses of the host came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// The URL names an IP address.
    Literal,
    /// `--resolve HOST=ADDR`.
    Override,
    /// The system resolver (DNS, hosts file).
    System,
}

/// The addresses `host:port` stands for, and where they came from.
pub async fn resolve(
    host: &str,
    port: u16,
    overrides: &[(String, SocketAddr)],
    timeout: Duration,
) -> Result<(Vec<SocketAddr>, Resolved), String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok((vec![SocketAddr::new(ip, port)], Resolved::Literal));
    }
    let given: Vec<SocketAddr> = overrides
        .iter()
        .filter(|(h, _)| h.eq_ignore_ascii_case(host))
        .map(|(_, addr)| {
            // As the client does: the URL's port unless the override gives one.
            if addr.port() == 0 {
                SocketAddr::new(addr.ip(), port)
            } else {
                *addr
            }
        })
        .collect();
    if !given.is_empty() {
        return Ok((given, Resolved::Override));
    }
    match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs())),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err("the name has no address".to_owned())
            } else {
                Ok((addrs, Resolved::System))
            }
        }
    }
}

/// A TCP connection to the first of `addrs` that accepts one: the stream, the
/// peer, and every failure before it.
pub async fn connect(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> Result<(TcpStream, SocketAddr), Vec<(SocketAddr, String)>> {
    let mut failures = Vec::new();
    for addr in addrs {
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok((stream, *addr)),
            Ok(Err(e)) => failures.push((*addr, e.to_string())),
            Err(_) => failures.push((*addr, format!("no answer within {} s", timeout.as_secs()))),
        }
    }
    Err(failures)
}

/// What a TLS handshake established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1_3`, `TLSv1_2`.
    pub protocol: String,
    /// The cipher suite.
    pub cipher: String,
    /// Certificates the server sent.
    pub chain: usize,
}

/// Why a TLS handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsFailure {
    /// The server's certificate is not trusted for this name.
    Certificate(String),
    /// The peer does not speak TLS (it may speak plain HTTP: probe it).
    NotTls(String),
    /// Anything else (the connection broke, a protocol the client refuses).
    Other(String),
}

/// The root certificates a handshake trusts: the webpki roots (those the
/// SDK's client trusts) and `extra` (a private CA's, DER).
fn roots(extra: &[CertificateDer<'static>]) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra {
        roots
            .add(cert.clone())
            .map_err(|e| format!("the extra root certificate is not usable: {e}"))?;
    }
    Ok(roots)
}

/// A TLS handshake with `host` over `stream`, trusting the webpki roots and
/// `extra_roots`.
pub async fn handshake(
    stream: TcpStream,
    host: &str,
    extra_roots: &[CertificateDer<'static>],
    timeout: Duration,
) -> Result<TlsInfo, TlsFailure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsFailure::Other(e.to_string()))?
        .with_root_certificates(roots(extra_roots).map_err(TlsFailure::Other)?)
        .with_no_client_auth();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(bare.to_owned())
        .map_err(|e| TlsFailure::Other(format!("{host:?} is not a TLS server name: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tls = match tokio::time::timeout(timeout, connector.connect(name, stream)).await {
        Err(_) => {
            return Err(TlsFailure::Other(format!(
                "no handshake within {} s",
                timeout.as_secs()
            )));
        }
        Ok(Err(e)) => return Err(classify(&e)),
        Ok(Ok(tls)) => tls,
    };
    let (_, conn) = tls.get_ref();
    Ok(TlsInfo {
        protocol: conn
            .protocol_version()
            .map_or_else(|| "?".to_owned(), |v| format!("{v:?}")),
        cipher: conn
            .negotiated_cipher_suite()
            .map_or_else(|| "?".to_owned(), |c| format!("{:?}", c.suite())),
        chain: conn.peer_certificates().map_or(0, <[_]>::len),
    })
}

fn classify(error: &std::io::Error) -> TlsFailure {
    let Some(tls) = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    else {
        // The peer closed or reset the connection mid-handshake: what a
        // plain-HTTP server may do with bytes it cannot read.
        return TlsFailure::NotTls(error.to_string());
    };
    match tls {
        rustls::Error::InvalidCertificate(e) => TlsFailure::Certificate(format!("{e:?}")),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            TlsFailure::NotTls(tls.to_string())
        }
        other => TlsFailure::Other(other.to_string()),
    }
}

/// Whether `addr` answers a plain HTTP request (a `HEAD` of `path` with
/// `Host: host`) with an HTTP status line.
pub async fn speaks_plain_http(
    addr: SocketAddr,
    host: &str,
    path: &str,
    timeout: Duration,
) -> bool {
    let probe = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        let request = format!("HEAD {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).await.ok()?;
        Some(&head == b"HTTP/")
    };
    matches!(tokio::time::timeout(timeout, probe).await, Ok(Some(true)))
}

/// Whether `ip` is one a server on the internet never sees as a caller's
/// (loopback, private, link-local, unique-local): behind it, a NAT gives the
/// public address.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Certificates of a PEM file's text (`--ca-cert`, trusted besides the
/// built-in roots).
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    let certs = certs.map_err(|e| format!("not a PEM certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in the PEM file".to_owned());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_told_apart() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.9",
            "172.16.5.5",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["203.0.113.7", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_literal_and_an_override_need_no_resolver() {
        let t = Duration::from_secs(1);
        let (addrs, how) = resolve("127.0.0.1", 8, &[], t).await.unwrap();
        assert_eq!(
            (addrs, how),
            (vec!["127.0.0.1:8".parse().unwrap()], Resolved::Literal)
        );
        let over = [("coufun.example".to_owned(), "127.0.0.2:9".parse().unwrap())];
        let (addrs, how) = resolve("COUFUN.example", 8, &over, t).await.unwrap();
        assert_eq!(
            (addrs, how),
            (vec!["127.0.0.2:9".parse().unwrap()], Resolved::Override)
        );
    }

    #[test]
    fn a_file_without_a_certificate_is_refused() {
        assert!(pem_certificates(b"not pem").is_err());
    }
}
