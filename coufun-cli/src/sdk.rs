//! The one place the command line touches the SDK's client and operations: the
//! SDK's generated operation table, the dispatcher over it (an exhaustive `match`
//! over the generated `AnyRequest`, so an operation the spec gains fails to
//! compile until it is wired here), keeping the typed answer (`AnyResponse`,
//! printed from its generated field views) and building the client (bulk rows
//! are issued by `coufun-campaign`'s `SdkIssuer`; an issue's outcome is worded
//! by `coufun_campaign::outcome`, as a row's message is).

use std::time::Duration;

use coufun_api::issuance::{IssueOutcome, IssuingResponse};
use coufun_api::privacy::PocId;
use coufun_api::xml::Response;
use coufun_api::{
    AnyRequest, AnyResponse, Charset, Client, ClientBuilder, Environment, Error, GoodsId,
    OperationId, ResultCode, ValidationErrors,
};
use coufun_campaign::outcome::{count_warning, mismatch_detail, reached_detail, unknown_detail};

/// One operation as the spec describes it (the SDK's generated table entry).
pub type OpMeta = coufun_api::OperationSpec;

/// Every operation of the spec, in spec order.
pub static OPERATIONS: &[OpMeta] = &coufun_api::OPERATIONS;

/// The operation named `name` (spec name or subcommand spelling).
pub fn operation(name: &str) -> Option<&'static OpMeta> {
    OperationId::from_name(&name.replace('-', "_")).map(OperationId::spec)
}

/// Calls operation `op` with wire parameters checked by the SDK's generated
/// parser (`AnyRequest::from_wire`), through the SDK's generated client method;
/// arguments that break the SDK's checks are not sent.
pub(crate) async fn dispatch(
    client: &Client,
    op: OperationId,
    params: &[(String, String)],
    charset: Charset,
) -> Result<CallOutcome, ValidationErrors> {
    let request = AnyRequest::from_wire(op, params, charset)?;
    // No wildcard arm: an operation the spec gains fails to compile here.
    Ok(match request {
        AnyRequest::GoodsList(r) => CallOutcome::from_call(client.goods_list(&r).await),
        AnyRequest::CouponSend(r) => CallOutcome::from_issue(client.coupon_send(&r).await),
        AnyRequest::CouponCreate(r) => CallOutcome::from_issue(client.coupon_create(&r).await),
        AnyRequest::CouponStatus(r) => CallOutcome::from_call(client.coupon_status(&r).await),
        AnyRequest::CouponCancel(r) => CallOutcome::from_call(client.coupon_cancel(&r).await),
        AnyRequest::CouponResend(r) => CallOutcome::from_call(client.coupon_resend(&r).await),
        AnyRequest::ChangeRecipient(r) => CallOutcome::from_call(client.change_recipient(&r).await),
        AnyRequest::CouponImageSend(r) => {
            CallOutcome::from_call(client.coupon_image_send(&r).await)
        }
    })
}

/// How one call ended, in terms the command line prints and maps to exit codes.
#[derive(Debug)]
pub enum CallOutcome {
    /// The server answered `00`.
    Ok {
        /// The typed answer (printed from its field views).
        answer: Box<AnyResponse>,
        /// For issuing operations: the TR_ID.
        tr_id: Option<String>,
        /// For issuing operations: set when the coupons listed disagree with
        /// the count the answer states or the request asked for (the SDK's
        /// `CouponCount`, read through its `IssuingResponse`).
        count_warning: Option<String>,
    },
    /// The server answered another code.
    Refused {
        /// The code.
        code: ResultCode,
        /// The server's message.
        message: String,
    },
    /// An issue whose outcome is unknown: send the same request again later.
    Unknown {
        /// TR_ID to retry with.
        tr_id: String,
        /// What happened.
        detail: String,
    },
    /// An issue whose earlier attempt reached the server (a `12` after a lost
    /// answer): coupons probably exist, their numbers are not retrievable.
    /// Never issue again for it.
    Reached {
        /// The TR_ID.
        tr_id: String,
        /// The code the repeat was answered (`12` or `23`).
        code: ResultCode,
        /// What the SDK said.
        detail: String,
    },
    /// Nothing usable came back (connection, HTTP status, unreadable answer).
    Transport(String),
    /// An issuing answer that echoed another TR_ID or goods id than the request
    /// (issue 20's echo check): its coupons are not this request's; never send
    /// it again, reconcile. Built in `from_issue` from the SDK's
    /// `IssueOutcome::Mismatched`.
    EchoMismatch {
        /// The request's TR_ID.
        tr_id: String,
        /// What differed (both values).
        detail: String,
    },
}

impl CallOutcome {
    /// From a plain call.
    pub fn from_call<R: Into<AnyResponse>>(answer: Result<R, Error>) -> Self {
        match answer {
            Ok(r) => CallOutcome::Ok {
                answer: Box::new(r.into()),
                tr_id: None,
                count_warning: None,
            },
            Err(e) => Self::from_error(e),
        }
    }

    /// From an issuing call.
    pub fn from_issue<R>(outcome: IssueOutcome<R>) -> Self
    where
        R: Response + IssuingResponse + Into<AnyResponse>,
    {
        let tr_id = outcome.tr_id().to_string();
        match outcome {
            IssueOutcome::Issued(issued) => CallOutcome::Ok {
                count_warning: count_warning(issued.coupon_count()),
                answer: Box::new(issued.answer.into()),
                tr_id: Some(tr_id),
            },
            IssueOutcome::NotIssued(n) => Self::from_error(n.error),
            IssueOutcome::Unknown(u) => CallOutcome::Unknown {
                tr_id,
                detail: unknown_detail(&u),
            },
            IssueOutcome::EarlierAttemptReached(e) => CallOutcome::Reached {
                tr_id,
                code: e.code,
                detail: reached_detail(&e),
            },
            IssueOutcome::Mismatched(m) => CallOutcome::EchoMismatch {
                tr_id,
                detail: mismatch_detail(&m),
            },
        }
    }

    fn from_error(e: Error) -> Self {
        match e {
            Error::Api { code, message, .. } => CallOutcome::Refused { code, message },
            Error::OutcomeUnknown { ref tr_id, .. } => CallOutcome::Unknown {
                tr_id: tr_id.to_string(),
                detail: e.to_string(),
            },
            other => CallOutcome::Transport(format!("{other}{}", tls_hint(&other))),
        }
    }
}

/// Why [`Connection::client`] could not build the client: the `--ca-cert` PEM, or the
/// rest of the settings (`--env` and the plain-http rules).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The `--ca-cert` file holds no certificate the SDK can trust.
    #[error("{0}")]
    CaCert(String),
    /// Another setting was refused.
    #[error("{0}")]
    Other(String),
}

/// How to reach the server, from the global options.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `--env` as resolved (given, else the config file's, else `test`).
    pub env_name: String,
    /// The SDK's environment for it.
    pub environment: Environment,
    /// `--timeout`: time allowed for one HTTP call (each doctor step).
    pub timeout: Duration,
    /// `--allow-plain-http`.
    pub allow_plain_http: bool,
    /// `--resolve`: host names and the addresses to connect to for them.
    pub resolve: Vec<crate::cli::Resolve>,
    /// `--ca-cert`: the PEM of root certificates trusted besides the built-in
    /// ones (a private CA's).
    pub ca_cert: Option<Vec<u8>>,
}

impl Connection {
    /// The client, POC_ID kept inside the SDK's `PocId`.
    pub fn client(&self, poc_id: PocId) -> Result<Client, ClientError> {
        self.builder(poc_id)?
            .build()
            .map_err(|e| ClientError::Other(e.to_string()))
    }

    /// The builder [`Connection::client`] builds, for a caller that sets more
    /// (the doctor: no retries, a drift observer).
    pub fn builder(&self, poc_id: PocId) -> Result<ClientBuilder<Client>, ClientError> {
        let builder = Client::builder(self.environment.clone(), poc_id).timeout(self.timeout);
        let builder = if self.allow_plain_http {
            builder.allow_plain_http()
        } else {
            builder
        };
        let builder = self
            .resolve
            .iter()
            .fold(builder, |b, (host, addr)| b.resolve(host.clone(), *addr));
        match &self.ca_cert {
            Some(pem) => builder
                .add_root_certificate_pem(pem)
                .map_err(|e| ClientError::CaCert(e.to_string())),
            None => Ok(builder),
        }
    }
}

/// What to add to a transport failure's text: how the command line trusts a
/// CA, when the server's certificate was not trusted.
fn tls_hint(error: &Error) -> &'static str {
    match error {
        Error::Connect { source, .. }
            if source.tls_problem() == Some(coufun_api::TlsProblem::UntrustedCertificate) =>
        {
            " — to trust the CA that signed it, pass its certificate (PEM) with --ca-cert FILE"
        }
        _ => "",
    }
}

/// The SDK's environment for `--env`: `test` (https), `test-http` (the code
/// manual's plain-http test server), `production` or a base URL. The SDK's own
/// rules (plain http refused but for `test-http`, loopback and
/// `--allow-plain-http`) apply when the client is built.
pub fn environment(name: &str) -> Environment {
    match name {
        "test" => Environment::Test,
        "test-http" => Environment::TestPlainHttp,
        "production" | "prod" => Environment::Production,
        url => Environment::Custom(url.to_owned()),
    }
}

/// A fresh TR_ID from the SDK's generator.
pub fn new_tr_id(generator: &coufun_api::tr_id::TrIdGenerator) -> String {
    generator.next_id().to_string()
}

/// The issuing operation bulk-create calls.
pub const BULK: OperationId = OperationId::CouponCreate;

/// The request field bulk-create fills from `--goods`: the bulk operation's
/// first field of the goods-id kind (a spec key, read from the kind's
/// generated type); its wire name, doc and code serve `goods-info`'s argument.
pub fn goods_field() -> Option<&'static coufun_api::RequestFieldSpec> {
    BULK.spec().fields.iter().find(|f| f.kind == GoodsId::KIND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_goods_field_is_the_bulk_operations_field_of_the_goods_kind() {
        let field = goods_field().map(|f| f.kind);
        assert_eq!(field, Some(GoodsId::KIND));
        assert_eq!(operation(BULK.name()).map(|o| o.id), Some(BULK));
    }
}
