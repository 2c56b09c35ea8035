//! The one place the command line touches the SDK's client and operations: the
//! SDK's generated operation table, the dispatcher over it (an exhaustive `match`,
//! so an operation the spec gains fails to compile until it is wired here),
//! turning an answer into printable fields, building the client, and issuing one
//! bulk row.

use std::time::Duration;

use coufun_api::issuance::{IssueOutcome, IssuingResponse};
use coufun_api::privacy::{PocId, mask_phone};
use coufun_api::xml::{Response, XmlWriter};
use coufun_api::{
    ChangeRecipientRequest, Charset, Client, CouponCancelRequest, CouponCreateRequest,
    CouponImageSendRequest, CouponResendRequest, CouponSendRequest, CouponStatusRequest,
    Environment, Error, GoodsListRequest, OperationId, ResultCode, ValidationErrors, responses,
};
use quick_xml::events::Event;

use crate::bulk::{Issuer, RowOutcome};

/// One operation as the spec describes it (the SDK's generated table entry).
pub type OpMeta = coufun_api::OperationSpec;

/// Every operation of the spec, in spec order.
pub static OPERATIONS: &[OpMeta] = &coufun_api::OPERATIONS;

/// The operation named `name` (spec name or subcommand spelling).
pub fn operation(name: &str) -> Option<&'static OpMeta> {
    OperationId::from_name(&name.replace('-', "_")).map(OperationId::spec)
}

/// Calls operation `name` with wire parameters checked by the SDK's generated
/// parser (`from_wire`), through the SDK's generated client method.
pub(crate) async fn dispatch(
    client: &Client,
    name: &str,
    params: &[(String, String)],
    charset: Charset,
) -> Result<CallOutcome, Dispatch> {
    let op = OperationId::from_name(name).ok_or(Dispatch::NoSuchOperation)?;
    // No wildcard arm: an operation the spec gains fails to compile here.
    Ok(match op {
        OperationId::GoodsList => {
            let request =
                GoodsListRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_call::<responses::GoodsListResponse>(
                client.goods_list(&request).await,
            )
        }
        OperationId::CouponSend => {
            let request =
                CouponSendRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_issue::<responses::CouponSendResponse>(
                client.coupon_send(&request).await,
            )
        }
        OperationId::CouponCreate => {
            let request =
                CouponCreateRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_issue::<responses::CouponCreateResponse>(
                client.coupon_create(&request).await,
            )
        }
        OperationId::CouponStatus => {
            let request =
                CouponStatusRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_call::<responses::CouponStatusResponse>(
                client.coupon_status(&request).await,
            )
        }
        OperationId::CouponCancel => {
            let request =
                CouponCancelRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_call::<responses::CouponCancelResponse>(
                client.coupon_cancel(&request).await,
            )
        }
        OperationId::CouponResend => {
            let request =
                CouponResendRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_call::<responses::CouponResendResponse>(
                client.coupon_resend(&request).await,
            )
        }
        OperationId::ChangeRecipient => {
            let request =
                ChangeRecipientRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_call::<responses::ChangeRecipientResponse>(
                client.change_recipient(&request).await,
            )
        }
        OperationId::CouponImageSend => {
            let request =
                CouponImageSendRequest::from_wire(params, charset).map_err(Dispatch::Invalid)?;
            CallOutcome::from_call::<responses::CouponImageSendResponse>(
                client.coupon_image_send(&request).await,
            )
        }
    })
}

/// Why an operation could not be called.
#[derive(Debug)]
pub enum Dispatch {
    /// The arguments broke the SDK's checks: nothing was sent.
    Invalid(ValidationErrors),
    /// No such operation in the SDK.
    NoSuchOperation,
}

/// An answer's fields, in document order: scalars, then records.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Body {
    /// `(element, text)` of the scalar elements.
    pub fields: Vec<(String, String)>,
    /// `(element, its fields)` of each record.
    pub records: Vec<(String, Vec<(String, String)>)>,
}

/// What an issuing call issued: the order id and coupon numbers, read through
/// the SDK's `IssuingResponse` (not by element name).
#[derive(Debug, Clone, Default)]
pub struct IssuedInfo {
    /// The order id, when the server said.
    pub order_id: Option<String>,
    /// The coupon numbers, in the server's order.
    pub coupons: Vec<String>,
    /// Set when the coupons listed disagree with the count the answer states or
    /// the request asked for (the SDK's `CouponCount`).
    pub count_warning: Option<String>,
}

/// How one call ended, in terms the command line prints and maps to exit codes.
#[derive(Debug)]
pub enum CallOutcome {
    /// The server answered `00`.
    Ok {
        /// The answer's fields.
        body: Body,
        /// For issuing operations: the TR_ID.
        tr_id: Option<String>,
        /// For issuing operations: what was issued.
        issued: Option<IssuedInfo>,
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
        /// What the SDK said.
        detail: String,
    },
    /// Nothing usable came back (connection, HTTP status, unreadable answer).
    Transport(String),
}

impl CallOutcome {
    /// From a plain call.
    pub fn from_call<R: Response>(answer: Result<R, Error>) -> Self {
        match answer {
            Ok(r) => CallOutcome::Ok {
                body: body_of(&r),
                tr_id: None,
                issued: None,
            },
            Err(e) => Self::from_error(e),
        }
    }

    /// From an issuing call.
    pub fn from_issue<R: Response + IssuingResponse>(outcome: IssueOutcome<R>) -> Self {
        let tr_id = outcome.tr_id().to_string();
        match outcome {
            IssueOutcome::Issued(issued) => {
                let count = issued.coupon_count();
                let info = IssuedInfo {
                    order_id: issued.order_id().map(str::to_owned),
                    coupons: issued
                        .coupon_numbers()
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                    count_warning: (!count.is_consistent()).then(|| {
                        format!(
                            "coupon count disagrees ({count}): deliver the coupons listed, \
                             reconcile the rest with the supplier by TR_ID"
                        )
                    }),
                };
                let body = body_of(&issued.answer);
                CallOutcome::Ok {
                    body,
                    tr_id: Some(tr_id),
                    issued: Some(info),
                }
            }
            IssueOutcome::NotIssued(n) => Self::from_error(n.error),
            IssueOutcome::Unknown(u) => CallOutcome::Unknown {
                tr_id,
                detail: u
                    .last_error
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "no answer".into()),
            },
            IssueOutcome::EarlierAttemptReached(e) => CallOutcome::Reached {
                tr_id,
                detail: format!(
                    "result code {} after {} lost answer(s): an earlier attempt reached the server; \
                     the coupons' numbers cannot be retrieved through the API",
                    e.code.as_str(),
                    e.lost_answers
                ),
            },
            _ => CallOutcome::Unknown {
                tr_id,
                detail: "an outcome this version of coufun does not know".into(),
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
            other => CallOutcome::Transport(other.to_string()),
        }
    }
}

/// The answer's elements, read back from the SDK's own encoder.
fn body_of<R: Response>(response: &R) -> Body {
    let mut w = XmlWriter::default();
    w.open("R");
    response.encode_children(&mut w);
    w.close("R");
    let mobile = operation(R::OPERATION)
        .map(|o| o.phone_elements)
        .unwrap_or(&[]);
    parse_flat(&w.finish(), mobile)
}

/// Reads a flat document: children of the root with text are fields, children
/// with children are records. Phone numbers are masked.
fn parse_flat(xml: &str, mobile: &[&str]) -> Body {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut body = Body::default();
    let mut stack: Vec<String> = Vec::new();
    let mut record: Option<(String, Vec<(String, String)>)> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name: String = e.name().as_ref().to_owned();
                if stack.len() == 2 && record.is_none() {
                    record = Some((stack[1].clone(), Vec::new()));
                }
                stack.push(name);
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(c)) => text.push_str(&c.into_inner()),
            Ok(Event::GeneralRef(r)) => match r.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => text.push_str(quick_xml::escape::resolve_xml_entity(&r).unwrap_or("")),
            },
            Ok(Event::End(_)) => {
                let Some(name) = stack.pop() else { break };
                // An empty phone element stays empty: nothing to mask.
                let value = if mobile.contains(&name.as_str()) && !text.trim().is_empty() {
                    mask_phone(text.trim())
                } else {
                    text.trim().to_owned()
                };
                match stack.len() {
                    1 => match record.take() {
                        Some(r) if r.0 == name => body.records.push(r),
                        Some(r) => {
                            record = Some(r);
                            body.fields.push((name, value));
                        }
                        None => body.fields.push((name, value)),
                    },
                    2 => {
                        if let Some(r) = record.as_mut() {
                            r.1.push((name, value));
                        }
                    }
                    _ => {}
                }
                text.clear();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    body
}

/// The client for `environment`, POC_ID kept inside the SDK's `PocId`;
/// `allow_plain_http` is `--allow-plain-http`.
pub fn client(
    environment: Environment,
    poc_id: PocId,
    timeout: Duration,
    allow_plain_http: bool,
) -> Result<Client, String> {
    let builder = Client::builder(environment, poc_id).timeout(timeout);
    let builder = if allow_plain_http {
        builder.allow_plain_http()
    } else {
        builder
    };
    builder.build().map_err(|e| e.to_string())
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
pub const BULK_OPERATION: &str = "coupon_create";
/// The request field bulk-create fills from `--goods`.
pub const GOODS_FIELD: &str = "goods_id";

/// The request field naming the goods, as the bulk operation's table entry has
/// it: its wire name, doc and code serve `goods-info`'s argument.
pub fn goods_field() -> Option<&'static coufun_api::RequestFieldSpec> {
    operation(BULK_OPERATION).and_then(|op| op.field(GOODS_FIELD))
}

/// One goods item's elements `(wire element, text)`, read back from the SDK's
/// own encoder (phones masked, as in every answer).
pub fn goods_record(item: &responses::GoodsListItem) -> Vec<(String, String)> {
    let mut w = XmlWriter::default();
    w.open("R");
    item.encode_fields(&mut w);
    w.close("R");
    let mobile = OperationId::GoodsList.spec().phone_elements;
    parse_flat(&w.finish(), mobile).fields
}

/// Issues bulk rows through the SDK's exactly-once `coupon_create`.
#[derive(Debug, Clone)]
pub struct SdkIssuer {
    client: Client,
    charset: Charset,
}

impl SdkIssuer {
    /// Over `client`.
    pub fn new(client: Client) -> Self {
        SdkIssuer {
            client,
            charset: Charset::default(),
        }
    }
}

impl Issuer for SdkIssuer {
    async fn issue(&self, params: Vec<(String, String)>) -> RowOutcome {
        match dispatch(&self.client, BULK_OPERATION, &params, self.charset).await {
            Err(Dispatch::Invalid(errors)) => {
                RowOutcome::Invalid(crate::output::validation_text(&errors))
            }
            Err(Dispatch::NoSuchOperation) => {
                RowOutcome::Invalid(format!("the SDK has no operation {BULK_OPERATION}"))
            }
            Ok(CallOutcome::Ok { issued, .. }) => {
                let info = issued.unwrap_or_default();
                RowOutcome::Issued {
                    order: info.order_id,
                    coupons: info.coupons,
                    warning: info.count_warning,
                }
            }
            Ok(CallOutcome::Reached { detail, .. }) => RowOutcome::Reached(detail),
            Ok(CallOutcome::Refused { code, message }) => RowOutcome::Refused { code, message },
            Ok(CallOutcome::Unknown { detail, .. }) => RowOutcome::Unknown(detail),
            Ok(CallOutcome::Transport(detail)) => RowOutcome::Unknown(detail),
        }
    }

    fn check(&self, params: &[(String, String)]) -> Result<(), (ResultCode, String)> {
        check_params(BULK_OPERATION, params, self.charset)
            .map_err(|e| (e.code(), crate::output::validation_text(&e)))
    }
}

fn check_params(
    op: &str,
    params: &[(String, String)],
    charset: Charset,
) -> Result<(), ValidationErrors> {
    // Only the bulk operation needs a dry check; others are checked by dispatch.
    match op {
        "coupon_create" => CouponCreateRequest::from_wire(params, charset).map(|_| ()),
        _ => Ok(()),
    }
}
