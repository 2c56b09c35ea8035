//! The answer seam between the sandbox and the generated SDK code: what an
//! operation answers ([`Outcome`], [`Answer`]) written as its XML answer with
//! the generated answer types and encoder, under the operation's own root. No
//! XML shape is written here: it comes from `spec/` through the generator. An
//! error answer takes each operation's root through the generated
//! `for_operation!`; the success answers `match` exhaustively on [`Outcome`].
//! (Requests arrive typed, parsed by the generated `from_wire`: see `rules`.)

use coufun_api::responses::{
    ChangeRecipientResponse, CouponCancelResponse, CouponCreateItem, CouponCreateResponse,
    CouponImageSendResponse, CouponResendResponse, CouponSendItem, CouponSendResponse,
    CouponStatusItem, CouponStatusResponse, GoodsListItem, GoodsListResponse,
};
use coufun_api::xml::{
    CalendarDate, Phone, Reported, Response, Timestamp, encode_document, encode_error,
};
use coufun_api::{
    AnswerType, Charset, CouponType, Lang, OperationId, ResultCode, SendType, ValidityType,
};
use jiff::civil::{Date, DateTime};

use crate::catalogue::Goods;
use crate::ledger::Coupon;

/// What a successful operation answers.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    GoodsList(Vec<Goods>),
    Issued {
        order_id: String,
        tr_id: String,
        goods: Box<Goods>,
        valid_until: Date,
        reserve1: Option<String>,
        reserve2: Option<String>,
        coupons: Vec<Coupon>,
    },
    Status {
        coupon: Box<Coupon>,
        /// The day its order was issued.
        ordered_on: Date,
    },
    Cancelled {
        coupon_number: String,
    },
    /// A resend or an image send (the operation tells which answer).
    Sent {
        coupon_number: String,
        send_count: u32,
    },
    RecipientChanged {
        coupon_number: String,
        recipient: String,
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

/// The wire timestamp for a civil time, when its year is 1–9999.
pub(crate) fn timestamp(at: DateTime) -> Option<Timestamp> {
    let hour = u8::try_from(at.hour()).ok()?;
    let minute = u8::try_from(at.minute()).ok()?;
    let second = u8::try_from(at.second()).ok()?;
    Timestamp::new(calendar(at.date())?, hour, minute, second)
}

fn amount(value: u64) -> Option<i64> {
    i64::try_from(value).ok()
}

/// The stamp-duty notice of a coupon (our own wording; the manuals leave it free).
fn stamp_duty(goods: &Goods) -> String {
    match goods.face_value() {
        Some(value) if value > 10_000 => "인지세 200원 납부 (샌드박스 예시)".to_owned(),
        _ => "인지세 과세 대상 아님 (샌드박스 예시)".to_owned(),
    }
}

fn goods_item(g: &Goods) -> GoodsListItem {
    let image = |suffix: &str| {
        (!g.image_url.is_empty()).then(|| match g.image_url.rsplit_once('.') {
            Some((stem, ext)) if !suffix.is_empty() => format!("{stem}_{suffix}.{ext}"),
            _ => g.image_url.clone(),
        })
    };
    let send_type = match SendType::from_wire(&g.send_type) {
        Ok(known) => Reported::Known(known),
        Err(_) => Reported::Unknown(g.send_type.clone()),
    };
    let place = if g.exchange_place.is_empty() {
        g.brand.clone()
    } else {
        g.exchange_place.clone()
    };
    let size = |n: i64| Some(n);
    GoodsListItem {
        category_id: Some(g.category_id.clone().into()),
        goods_id: Some(g.goods_id.clone().into()),
        goods_name: Some(g.name.clone()),
        list_price: amount(g.list_price.unwrap_or(g.price)),
        supply_price: amount(g.price),
        goods_info: Some(g.description.clone()),
        use_guide: Some(g.use_guide.clone()),
        exchange_place: Some(place),
        validity_type: Some(Reported::Known(ValidityType::DaysFromSending)),
        validity: Some(g.valid_days.to_string()),
        send_type: Some(send_type),
        image_small: image("s"),
        image_medium: image("m"),
        image_big: image(""),
        image_small_width: size(100),
        image_small_height: size(100),
        image_medium_width: size(250),
        image_medium_height: size(250),
        image_big_width: size(500),
        image_big_height: size(500),
        ..Default::default()
    }
}

/// A create answer as the create manual lays it out: `ORDER_CNT` and one
/// `ORDER_INFO` per coupon. `None` for an outcome that issued nothing.
fn create_response(outcome: &Outcome) -> Option<CouponCreateResponse> {
    let Outcome::Issued {
        order_id,
        tr_id,
        goods,
        valid_until,
        reserve1,
        reserve2,
        coupons,
    } = outcome
    else {
        return None;
    };
    Some(CouponCreateResponse {
        order_id: Some(order_id.clone().into()),
        category_id: Some(goods.category_id.clone().into()),
        goods_id: Some(goods.goods_id.clone().into()),
        tr_id: Some(tr_id.clone()),
        order_count: i64::try_from(coupons.len()).ok(),
        valid_until: calendar(*valid_until),
        reserve1: reserve1.clone(),
        reserve2: reserve2.clone(),
        coupons: coupons
            .iter()
            .map(|c| CouponCreateItem {
                coupon_number: Some(c.coupon_number.clone().into()),
                stamp_duty: Some(stamp_duty(goods)),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    })
}

/// [`encode`], but a create answer leaves out its last `ORDER_INFO` and keeps
/// its `ORDER_CNT`: an answer short of a coupon number, for
/// [`crate::Fault::ShortOfACoupon`]. Other answers are encoded whole.
pub(crate) fn encode_short_of_a_coupon(
    op: OperationId,
    answer: &Answer,
    charset: Charset,
) -> Vec<u8> {
    if op == OperationId::CouponCreate
        && let Answer::Success(outcome) = answer
        && let Some(mut response) = create_response(outcome)
    {
        response.coupons.pop();
        return success(&response, charset);
    }
    encode(op, answer, charset)
}

/// `answer` echoing another TR_ID than the request's, for
/// [`crate::Fault::ForeignTrId`]: an issuing answer (create, send) as another
/// order's. Other answers are left as they are.
pub(crate) fn with_foreign_tr_id(mut answer: Answer) -> Answer {
    if let Answer::Success(Outcome::Issued { tr_id, .. }) = &mut answer {
        *tr_id = another(tr_id);
    }
    answer
}

/// `answer` echoing another GOODS_ID than the one ordered, for
/// [`crate::Fault::ForeignGoodsId`]: an issuing answer (create, send) as
/// another goods'. Other answers are left as they are.
pub(crate) fn with_foreign_goods_id(mut answer: Answer) -> Answer {
    if let Answer::Success(Outcome::Issued { goods, .. }) = &mut answer {
        goods.goods_id = another(&goods.goods_id);
    }
    answer
}

/// `value` with its last character changed (a digit, so that a digits-only
/// value stays one): same length, never equal.
fn another(value: &str) -> String {
    let mut other = value.to_owned();
    let last = other.pop();
    other.push(if last == Some('0') { '1' } else { '0' });
    other
}

fn success<R: Response>(body: &R, charset: Charset) -> Vec<u8> {
    let ok = ResultCode::Success;
    encode_document(ok, ok.message(Lang::Ko), Some(body), charset)
}

/// The error answer of `op`: its own root, the code and the manual's message.
fn error(op: OperationId, code: ResultCode, charset: Charset) -> Vec<u8> {
    coufun_api::for_operation!(op, |_Request, Answer| {
        encode_error::<Answer>(code, None, charset)
    })
}

/// `xml` (an answer of `op`) without its empty amount elements: the status
/// manual outputs `TOTAL_AMOUNT` / `REMAIN_AMOUNT` only for an `AMOUNT`
/// voucher, so an exchange voucher's status answer leaves them out rather than
/// sending them empty. The elements are the operation's answer fields the spec
/// types `amount`, found by type, not by name. Element names are ASCII, which
/// neither EUC-KR nor UTF-8 uses inside a multi-byte character, so the bytes
/// are matched as they are.
fn without_amounts(op: OperationId, mut xml: Vec<u8>) -> Vec<u8> {
    let spec = op.spec();
    let amounts = spec
        .answer
        .iter()
        .chain(spec.record_fields)
        .filter(|f| f.ty == AnswerType::Amount);
    for field in amounts {
        let empty = format!("<{0}></{0}>", field.wire);
        xml = crate::drift::replace_all(&xml, empty.as_bytes(), b"");
    }
    xml
}

/// The whole XML answer of `op`, encoded in `charset` (prolog declaring it).
pub(crate) fn encode(op: OperationId, answer: &Answer, charset: Charset) -> Vec<u8> {
    let outcome = match answer {
        Answer::Code(code) => return error(op, *code, charset),
        Answer::Success(outcome) => outcome,
    };
    if op == OperationId::CouponCreate
        && let Some(response) = create_response(outcome)
    {
        return success(&response, charset);
    }
    let phone = |p: &Option<String>| p.clone().map(Phone::new);
    let count = |n: &u32| Some(i64::from(*n));
    match outcome {
        Outcome::GoodsList(goods) => success(
            &GoodsListResponse {
                list_count: i64::try_from(goods.len()).ok(),
                goods: goods.iter().map(goods_item).collect(),
                ..Default::default()
            },
            charset,
        ),
        Outcome::Issued {
            order_id,
            tr_id,
            coupons,
            ..
        } => success(
            &CouponSendResponse {
                order_id: Some(order_id.clone().into()),
                tr_id: Some(tr_id.clone()),
                coupons: coupons
                    .iter()
                    .map(|c| CouponSendItem {
                        coupon_number: Some(c.coupon_number.clone().into()),
                        recipient: phone(&c.recipient),
                        valid_until: calendar(c.valid_until),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
            charset,
        ),
        Outcome::Status {
            coupon: c,
            ordered_on,
        } => {
            let answer = success(
                &CouponStatusResponse {
                    coupons: vec![CouponStatusItem {
                        coupon_type: Some(Reported::Known(c.kind)),
                        order_date: calendar(*ordered_on),
                        status: Some(Reported::Known(c.state)),
                        recipient: phone(&c.recipient),
                        coupon_number: Some(c.coupon_number.clone().into()),
                        valid_until: calendar(c.valid_until),
                        exchanged_at: c.exchanged_at.and_then(timestamp),
                        cancelled_at: c.cancelled_at.and_then(timestamp),
                        total_amount: c.total_amount.and_then(amount),
                        remaining_amount: c.remaining_amount.and_then(amount),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
                charset,
            );
            if c.kind == CouponType::Amount {
                answer
            } else {
                without_amounts(OperationId::CouponStatus, answer)
            }
        }
        Outcome::Cancelled { coupon_number } => success(
            &CouponCancelResponse {
                coupon_number: Some(coupon_number.clone().into()),
                ..Default::default()
            },
            charset,
        ),
        Outcome::Sent {
            coupon_number,
            send_count,
        } => {
            let coupon_number = Some(coupon_number.clone().into());
            let send_count = count(send_count);
            if op == OperationId::CouponImageSend {
                let body = CouponImageSendResponse {
                    coupon_number,
                    send_count,
                    ..Default::default()
                };
                success(&body, charset)
            } else {
                let body = CouponResendResponse {
                    coupon_number,
                    send_count,
                    ..Default::default()
                };
                success(&body, charset)
            }
        }
        Outcome::RecipientChanged {
            coupon_number,
            recipient,
        } => success(
            &ChangeRecipientResponse {
                coupon_number: Some(coupon_number.clone().into()),
                recipient: Some(Phone::new(recipient.clone())),
                ..Default::default()
            },
            charset,
        ),
    }
}
