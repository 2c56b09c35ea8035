//! The two seams between the sandbox and the generated SDK code: reading the raw
//! parameters of an operation with the generated `from_wire` (the same validators
//! the SDK's builders run, so a raw request that skips the SDK gets the code the
//! SDK would have refused it with) and writing an operation's XML answer with the
//! generated response types and encoder. No field rule and no XML shape is
//! written here: both come from `spec/` through the generator.

use coufun_api::responses::{
    ChangeRecipientResponse, CouponCancelResponse, CouponCreateItem, CouponCreateResponse,
    CouponImageSendResponse, CouponResendResponse, CouponSendItem, CouponSendResponse,
    CouponStatusItem, CouponStatusResponse, GoodsInfoResponse, GoodsListItem, GoodsListResponse,
};
use coufun_api::xml::{CalendarDate, Phone, Reported, Response, encode_document, encode_error};
use coufun_api::{
    ChangeRecipientRequest, Charset, CouponCancelRequest, CouponCreateRequest,
    CouponImageSendRequest, CouponResendRequest, CouponSendRequest, CouponStatus,
    CouponStatusRequest, GoodsInfoRequest, GoodsListRequest, Lang, Operation, ResultCode,
    ValidationErrors,
};
use jiff::civil::Date;

use crate::catalogue::Goods;
use crate::ledger::CouponState;
use crate::spec_view::OpView;

/// The checked parameters of one request, read by spec field name.
#[derive(Debug)]
pub(crate) struct Fields {
    /// `(wire name, value)` as the checked request gives them back.
    values: Vec<(String, String)>,
    op: &'static OpView,
}

impl Fields {
    /// The value of field `name` (spec name), `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        let wire = &self.op.request_field(name)?.wire;
        self.values
            .iter()
            .find(|(w, _)| w == wire)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The items of list field `name`, split by its spec separator.
    pub fn list(&self, name: &str) -> Vec<String> {
        let separator = self
            .op
            .request_field(name)
            .and_then(|f| f.separator.clone())
            .unwrap_or_default();
        match (self.get(name), separator.is_empty()) {
            (None, _) => Vec::new(),
            (Some(v), true) => vec![v.to_owned()],
            (Some(v), false) => v
                .split(separator.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// The field as a date written `YYYYMMDD`.
    pub fn date(&self, name: &str) -> Option<Date> {
        let v = self.get(name)?;
        jiff::civil::Date::strptime("%Y%m%d", v).ok()
    }
}

/// Reads and checks the raw parameters of `op` with the generated `from_wire`;
/// `Err` carries the code to answer (the first violation's, in wire order).
pub(crate) fn parse(
    op: &'static OpView,
    params: &[(String, String)],
    charset: Charset,
) -> Result<Fields, ResultCode> {
    fn checked<O: Operation>(
        parsed: Result<O, ValidationErrors>,
    ) -> Result<Vec<(String, String)>, ResultCode> {
        let request = parsed.map_err(|errors| errors.code())?;
        Ok(request
            .wire_params()
            .into_iter()
            .map(|(wire, value)| (wire.to_owned(), value.into_owned()))
            .collect())
    }
    let values = match op.name.as_str() {
        GoodsListRequest::NAME => checked(GoodsListRequest::from_wire(params, charset)),
        GoodsInfoRequest::NAME => checked(GoodsInfoRequest::from_wire(params, charset)),
        CouponSendRequest::NAME => checked(CouponSendRequest::from_wire(params, charset)),
        CouponCreateRequest::NAME => checked(CouponCreateRequest::from_wire(params, charset)),
        CouponCancelRequest::NAME => checked(CouponCancelRequest::from_wire(params, charset)),
        CouponResendRequest::NAME => checked(CouponResendRequest::from_wire(params, charset)),
        ChangeRecipientRequest::NAME => checked(ChangeRecipientRequest::from_wire(params, charset)),
        CouponStatusRequest::NAME => checked(CouponStatusRequest::from_wire(params, charset)),
        CouponImageSendRequest::NAME => checked(CouponImageSendRequest::from_wire(params, charset)),
        // An operation the spec gained but the sandbox does not serve yet.
        _ => Err(ResultCode::ApiNotPermitted),
    }?;
    Ok(Fields { values, op })
}

/// One coupon as an answer shows it.
#[derive(Debug, Clone)]
pub(crate) struct CouponView {
    pub coupon_number: String,
    pub recipient: Option<String>,
    pub state: CouponState,
    pub send_count: u32,
    pub valid_until: Date,
}

/// What a successful operation answers.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    GoodsList(Vec<Goods>),
    GoodsInfo(Goods),
    Issued {
        order_id: String,
        tr_id: String,
        coupons: Vec<CouponView>,
    },
    Cancelled {
        order_id: String,
        cancelled_count: u32,
    },
    Resent {
        order_id: String,
        send_count: u32,
    },
    RecipientChanged {
        order_id: String,
        coupon_number: String,
        recipient: String,
    },
    Status {
        order_id: String,
        tr_id: String,
        goods_id: String,
        coupons: Vec<CouponView>,
    },
    ImageSent {
        order_id: String,
        coupon_number: String,
        send_count: u32,
    },
}

/// The answer to one request: a code alone, or success with its data.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Code(ResultCode),
    Success(Outcome),
}

impl Answer {
    /// The result code this answer carries.
    pub fn code(&self) -> ResultCode {
        match self {
            Answer::Code(code) => *code,
            Answer::Success(_) => ResultCode::Success,
        }
    }
}

fn calendar(date: Date) -> Option<CalendarDate> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    CalendarDate::new(u16::try_from(date.year()).ok()?, month, day)
}

fn status(state: CouponState) -> CouponStatus {
    match state {
        CouponState::Issued => CouponStatus::Issued,
        CouponState::Used => CouponStatus::Used,
        CouponState::Cancelled => CouponStatus::Cancelled,
        CouponState::Expired => CouponStatus::Expired,
    }
}

fn goods_item(g: &Goods) -> GoodsListItem {
    GoodsListItem {
        goods_id: Some(g.goods_id.clone()),
        goods_name: Some(g.name.clone()),
        category_id: Some(g.category_id.clone()),
        category_name: Some(g.category_name.clone()),
        brand: Some(g.brand.clone()),
        price: i64::try_from(g.price).ok(),
        sale_start: calendar(g.sale_start),
        sale_end: calendar(g.sale_end),
        valid_days: Some(i64::from(g.valid_days)),
    }
}

fn goods_info(g: &Goods) -> GoodsInfoResponse {
    GoodsInfoResponse {
        goods_id: Some(g.goods_id.clone()),
        goods_name: Some(g.name.clone()),
        category_id: Some(g.category_id.clone()),
        category_name: Some(g.category_name.clone()),
        brand: Some(g.brand.clone()),
        price: i64::try_from(g.price).ok(),
        sale_start: calendar(g.sale_start),
        sale_end: calendar(g.sale_end),
        valid_days: Some(i64::from(g.valid_days)),
        description: Some(g.description.clone()),
        image_url: Some(g.image_url.clone()),
    }
}

fn success<R: Response>(body: &R, charset: Charset) -> Vec<u8> {
    let ok = ResultCode::Success;
    encode_document(ok, ok.message(Lang::Ko), Some(body), charset)
}

/// The whole XML answer of `op`, encoded in `charset` (prolog declaring it).
pub(crate) fn encode(op: &OpView, answer: &Answer, charset: Charset) -> Vec<u8> {
    let outcome = match answer {
        Answer::Code(code) => return encode_error(*code, None, charset),
        Answer::Success(outcome) => outcome,
    };
    let phone = |p: &Option<String>| p.clone().map(Phone::new);
    let count = |n: &u32| Some(i64::from(*n));
    match outcome {
        Outcome::GoodsList(goods) => success(
            &GoodsListResponse {
                goods: goods.iter().map(goods_item).collect(),
            },
            charset,
        ),
        Outcome::GoodsInfo(goods) => success(&goods_info(goods), charset),
        Outcome::Issued {
            order_id,
            tr_id,
            coupons,
        } if op.name == CouponCreateRequest::NAME => success(
            &CouponCreateResponse {
                order_id: Some(order_id.clone()),
                tr_id: Some(tr_id.clone()),
                coupons: coupons
                    .iter()
                    .map(|c| CouponCreateItem {
                        coupon_number: Some(c.coupon_number.clone()),
                        valid_until: calendar(c.valid_until),
                    })
                    .collect(),
            },
            charset,
        ),
        Outcome::Issued {
            order_id,
            tr_id,
            coupons,
        } => success(
            &CouponSendResponse {
                order_id: Some(order_id.clone()),
                tr_id: Some(tr_id.clone()),
                coupons: coupons
                    .iter()
                    .map(|c| CouponSendItem {
                        coupon_number: Some(c.coupon_number.clone()),
                        recipient: phone(&c.recipient),
                        valid_until: calendar(c.valid_until),
                    })
                    .collect(),
            },
            charset,
        ),
        Outcome::Cancelled {
            order_id,
            cancelled_count,
        } => success(
            &CouponCancelResponse {
                order_id: Some(order_id.clone()),
                cancelled_count: count(cancelled_count),
            },
            charset,
        ),
        Outcome::Resent {
            order_id,
            send_count,
        } => success(
            &CouponResendResponse {
                order_id: Some(order_id.clone()),
                send_count: count(send_count),
            },
            charset,
        ),
        Outcome::RecipientChanged {
            order_id,
            coupon_number,
            recipient,
        } => success(
            &ChangeRecipientResponse {
                order_id: Some(order_id.clone()),
                coupon_number: Some(coupon_number.clone()),
                recipient: Some(Phone::new(recipient.clone())),
            },
            charset,
        ),
        Outcome::Status {
            order_id,
            tr_id,
            goods_id,
            coupons,
        } => success(
            &CouponStatusResponse {
                order_id: Some(order_id.clone()),
                tr_id: Some(tr_id.clone()),
                goods_id: Some(goods_id.clone()),
                coupons: coupons
                    .iter()
                    .map(|c| CouponStatusItem {
                        coupon_number: Some(c.coupon_number.clone()),
                        recipient: phone(&c.recipient),
                        status: Some(Reported::Known(status(c.state))),
                        send_count: count(&c.send_count),
                        valid_until: calendar(c.valid_until),
                    })
                    .collect(),
            },
            charset,
        ),
        Outcome::ImageSent {
            order_id,
            coupon_number,
            send_count,
        } => success(
            &CouponImageSendResponse {
                order_id: Some(order_id.clone()),
                coupon_number: Some(coupon_number.clone()),
                send_count: count(send_count),
            },
            charset,
        ),
    }
}
