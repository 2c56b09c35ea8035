//! Helpers for the sandbox's raw-HTTP tests: start a sandbox with a fixed clock,
//! send CP949 form requests by operation name (paths and envelope names read from
//! the spec), read elements out of the XML answer; an address that refuses
//! connections.

#![allow(dead_code)]

use coufun_sandbox::{Clock, Sandbox, SandboxConfig};
use percent_encoding::{NON_ALPHANUMERIC, percent_encode};

/// The date every test sandbox takes as today.
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 6, 1)
}

/// A config with the fixed clock.
pub fn config() -> SandboxConfig {
    let mut config = SandboxConfig::default();
    config.clock = Clock::Fixed(today());
    config
}

/// Starts a sandbox with `config`.
pub async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

/// The spec, loaded once per test binary.
fn spec() -> &'static coufun_codegen::Spec {
    static SPEC: std::sync::OnceLock<coufun_codegen::Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| coufun_codegen::embedded::spec().expect("spec loads"))
}

/// One operation's path, from the spec.
pub fn path_of(operation: &str) -> String {
    let op = spec()
        .endpoints
        .operations
        .iter()
        .find(|o| o.name() == operation)
        .unwrap_or_else(|| panic!("no operation {operation} in the spec"));
    op.path.name.get_ref().clone()
}

/// One operation's answer root, from the spec.
pub fn root_of(operation: &str) -> String {
    let op = spec()
        .endpoints
        .operations
        .iter()
        .find(|o| o.name() == operation)
        .unwrap_or_else(|| panic!("no operation {operation} in the spec"));
    op.root.name.get_ref().clone()
}

/// The record elements of `operation`'s answer that no manual states (the
/// spec marks them observed or inferred): a manual's sample cannot list them.
pub fn unsourced_record_fields(operation: &str) -> Vec<String> {
    let op = spec()
        .endpoints
        .operations
        .iter()
        .find(|o| o.name() == operation)
        .unwrap_or_else(|| panic!("no operation {operation} in the spec"));
    op.records
        .iter()
        .flat_map(|r| &r.fields)
        .filter(|f| f.source.get_ref().document().is_none())
        .map(|f| f.wire.get_ref().clone())
        .collect()
}

/// The result-code element name, from the spec.
pub fn result_code_element() -> String {
    spec().endpoints.answer.result_code.name.get_ref().clone()
}

/// Percent-encodes `text` as CP949 bytes.
pub fn cp949(text: &str) -> String {
    let (bytes, _, had_errors) = encoding_rs::EUC_KR.encode(text);
    assert!(!had_errors, "{text:?} is not CP949");
    percent_encode(&bytes, NON_ALPHANUMERIC).to_string()
}

/// A form body (or query) in CP949.
pub fn form(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", cp949(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A decoded answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub xml: String,
}

impl Reply {
    /// The result code.
    pub fn code(&self) -> String {
        self.first(&result_code_element()).unwrap_or_default()
    }

    /// The root element's name.
    pub fn root(&self) -> String {
        let mut reader = quick_xml::Reader::from_str(&self.xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    return qname(&e);
                }
                Ok(quick_xml::events::Event::Eof) | Err(_) => return String::new(),
                _ => {}
            }
        }
    }

    /// The names of the root's child elements, in order (one level down).
    pub fn children(&self) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(&self.xml);
        let mut depth = 0;
        let mut out = Vec::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e)) => {
                    if depth == 1 {
                        out.push(qname(&e));
                    }
                    depth += 1;
                }
                Ok(quick_xml::events::Event::Empty(e)) if depth == 1 => {
                    out.push(qname(&e));
                }
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) | Err(_) => return out,
                _ => {}
            }
        }
    }

    /// The text of the first element named `name`.
    pub fn first(&self, name: &str) -> Option<String> {
        self.all(name).into_iter().next()
    }

    /// The texts of every element named `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        if self.status != 200 {
            return Vec::new();
        }
        let mut reader = quick_xml::Reader::from_str(&self.xml);
        let mut out = Vec::new();
        let mut inside = false;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e)) => inside = e.name().as_ref() == name,
                Ok(quick_xml::events::Event::Text(t)) if inside => {
                    out.push(AsRef::<str>::as_ref(&t).to_owned());
                    inside = false;
                }
                Ok(quick_xml::events::Event::End(e)) if inside && e.name().as_ref() == name => {
                    out.push(String::new());
                    inside = false;
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Err(e) => panic!("answer is not XML: {e}: {}", self.xml),
                _ => {}
            }
        }
        out
    }
}

/// A raw HTTP caller for one sandbox.
pub struct Raw {
    pub base: String,
    pub client: reqwest::Client,
}

impl Raw {
    pub fn new(sandbox: &Sandbox) -> Self {
        Raw {
            base: sandbox.base_url(),
            client: reqwest::Client::new(),
        }
    }

    /// POSTs `params` (CP949 form) to `operation`.
    pub async fn post(&self, operation: &str, params: &[(&str, &str)]) -> Reply {
        self.try_post(operation, params)
            .await
            .expect("request answered")
    }

    /// POSTs, returning the transport error if any.
    pub async fn try_post(
        &self,
        operation: &str,
        params: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        let response = self
            .client
            .post(format!("{}{}", self.base, path_of(operation)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(params))
            .send()
            .await?;
        read(response).await
    }

    /// GETs `operation` with `params` in the query.
    pub async fn get(&self, operation: &str, params: &[(&str, &str)]) -> Reply {
        let response = self
            .client
            .get(format!(
                "{}{}?{}",
                self.base,
                path_of(operation),
                form(params)
            ))
            .send()
            .await
            .expect("request answered");
        read(response).await.expect("body read")
    }
}

async fn read(response: reqwest::Response) -> Result<Reply, reqwest::Error> {
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).to_ascii_lowercase();
    let text = if head.contains("euc-kr") {
        encoding_rs::EUC_KR.decode(&bytes).0.into_owned()
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(Reply { status, xml: text })
}

/// The default POC_ID.
pub const POC: &str = coufun_sandbox::DEFAULT_POC_ID;
/// A goods on sale, validity changeable.
pub const COFFEE: &str = "0000100001";
/// A goods whose validity cannot be changed (a 5,000 won AMOUNT voucher).
pub const FIXED_VALIDITY: &str = "0000200001";
/// A 10,000 won stored-value (AMOUNT) voucher, validity changeable.
pub const VOUCHER: &str = "0000200003";
/// A goods outside its sale period.
pub const OFF_SEASON: &str = "0000100004";
/// A discontinued goods id.
pub const DISCONTINUED: &str = "0000200004";
pub const ALICE: &str = "01012345678";
pub const BOB: &str = "01098765432";
pub const SENDER: &str = "0212345678";

/// The params of a valid send of `goods` to `recipients` with `tr_id`.
pub fn send_params<'a>(
    tr_id: &'a str,
    goods: &'a str,
    recipients: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("POC_ID", POC),
        ("GOODS_ID", goods),
        ("TR_ID", tr_id),
        ("SEND_PHONE", SENDER),
        ("SEND_TITLE", "커피 쿠폰이 도착했어요"),
        ("RECEIVER_MOBILE", recipients),
    ]
}

/// Sends one coffee coupon to Alice and Bob; returns (order id, coupon numbers).
pub async fn issue(raw: &Raw, tr_id: &str) -> (String, Vec<String>) {
    let recipients = format!("{ALICE},{BOB}");
    let reply = raw
        .post("coupon_send", &send_params(tr_id, COFFEE, &recipients))
        .await;
    assert_eq!(reply.code(), "00", "{}", reply.xml);
    (
        reply.first("ORDER_ID").expect("order id"),
        reply.all("BARCODE_NUM"),
    )
}

/// Creates `count` coupons of `goods` with `tr_id`; returns their numbers.
pub async fn create(raw: &Raw, tr_id: &str, goods: &str, count: u32) -> Vec<String> {
    let count = count.to_string();
    let reply = raw
        .post(
            "coupon_create",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", goods),
                ("CREATE_CNT", &count),
                ("TR_ID", tr_id),
            ],
        )
        .await;
    assert_eq!(reply.code(), "00", "{}", reply.xml);
    reply.all("BARCODE_NUM")
}

/// An element's name as text.
fn qname(e: &quick_xml::events::BytesStart<'_>) -> String {
    let name = e.name();
    let text: &str = name.as_ref();
    text.to_owned()
}

/// An address on 127.0.0.1 that refuses every connection, for as long as the
/// socket returned lives: bound but not listening, so no other process can take
/// the port (as it could one bound, let go and reused).
pub fn refusing_address() -> (socket2::Socket, std::net::SocketAddr) {
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    held.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let address = held.local_addr().unwrap().as_socket().unwrap();
    (held, address)
}
