//! The answer seam between the sandbox and the generated SDK code: the
//! generated answer types ([`AnyResponse`]) built from the sandbox's records
//! (goods, orders, coupons), the faults that change a committed answer, and
//! the XML written from them with the generated encoder, under the operation's
//! own root. No XML shape is written here: it comes from `spec/` through the
//! generator; an error answer takes each operation's root through the
//! generated `for_operation!`. (Requests arrive typed, parsed by the generated
//! `from_wire`: see `rules`.)

use coufun_api::responses::{
    CouponCreateItem, CouponCreateResponse, CouponSendItem, CouponSendResponse, CouponStatusItem,
    CouponStatusResponse, GoodsListItem, GoodsListResponse,
};
use coufun_api::xml::{CalendarDate, Phone, Reported, Timestamp, encode_error};
use coufun_api::{
    AnswerType, AnyResponse, Charset, CouponType, OperationId, ResultCode, SendType, ValidityType,
};
use jiff::civil::{Date, DateTime};

use crate::catalogue::Goods;
use crate::faults::Fault;
use crate::ledger::{Coupon, Order};

/// The answer to one request: the typed answer of a success, or the code alone.
pub(crate) type Answer = Result<AnyResponse, ResultCode>;

/// The result code `answer` carries.
pub(crate) fn code(answer: &Answer) -> ResultCode {
    answer
        .as_ref()
        .err()
        .copied()
        .unwrap_or(ResultCode::Success)
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

/// The goods-list answer listing `goods`.
pub(crate) fn goods_list<'a>(goods: impl Iterator<Item = &'a Goods>) -> AnyResponse {
    let goods: Vec<GoodsListItem> = goods.map(goods_item).collect();
    GoodsListResponse {
        list_count: i64::try_from(goods.len()).ok(),
        goods,
        ..Default::default()
    }
    .into()
}

/// The answer of the issuing operation that made `order` of `goods`: a create
/// answer as the create manual lays it out (`ORDER_CNT` and one `ORDER_INFO`
/// per coupon), else a send answer (each coupon's recipient and last day).
pub(crate) fn issued(
    order: &Order,
    goods: &Goods,
    valid_until: Date,
    reserves: [Option<String>; 2],
) -> AnyResponse {
    let order_id = Some(order.order_id.clone().into());
    let tr_id = Some(order.tr_id.clone());
    let number = |c: &Coupon| Some(c.coupon_number.clone().into());
    if order.operation != OperationId::CouponCreate {
        let coupons = order.coupons.iter().map(|c| CouponSendItem {
            coupon_number: number(c),
            recipient: c.recipient.clone().map(Phone::new),
            valid_until: calendar(c.valid_until),
            ..Default::default()
        });
        return CouponSendResponse {
            order_id,
            tr_id,
            coupons: coupons.collect(),
            ..Default::default()
        }
        .into();
    }
    let [reserve1, reserve2] = reserves;
    let coupons = order.coupons.iter().map(|c| CouponCreateItem {
        coupon_number: number(c),
        stamp_duty: Some(stamp_duty(goods)),
        ..Default::default()
    });
    CouponCreateResponse {
        order_id,
        category_id: Some(goods.category_id.clone().into()),
        goods_id: Some(goods.goods_id.clone().into()),
        tr_id,
        order_count: i64::try_from(order.coupons.len()).ok(),
        valid_until: calendar(valid_until),
        reserve1,
        reserve2,
        coupons: coupons.collect(),
        ..Default::default()
    }
    .into()
}

/// The status answer of coupon `c`, whose order was issued on `ordered_on`.
/// The status manual outputs `TOTAL_AMOUNT` / `REMAIN_AMOUNT` only for an
/// `AMOUNT` voucher, so an exchange voucher's answer leaves them out rather
/// than sending them empty: the record's fields the spec types `amount`,
/// found by type, not by name, marked absent.
pub(crate) fn status(c: &Coupon, ordered_on: Date) -> AnyResponse {
    let mut item = CouponStatusItem {
        coupon_type: Some(Reported::Known(c.kind)),
        order_date: calendar(ordered_on),
        status: Some(Reported::Known(c.state)),
        recipient: c.recipient.clone().map(Phone::new),
        coupon_number: Some(c.coupon_number.clone().into()),
        valid_until: calendar(c.valid_until),
        exchanged_at: c.exchanged_at.and_then(timestamp),
        cancelled_at: c.cancelled_at.and_then(timestamp),
        total_amount: c.total_amount.and_then(amount),
        remaining_amount: c.remaining_amount.and_then(amount),
        ..Default::default()
    };
    if c.kind != CouponType::Amount {
        let fields = (0..).zip(CouponStatusItem::FIELD_SPECS);
        for (index, _) in fields.filter(|(_, f)| f.ty == AnswerType::Amount) {
            item.absent.insert(index);
        }
    }
    CouponStatusResponse {
        coupons: vec![item],
        ..Default::default()
    }
    .into()
}

/// `answer` as a `fault` that commits changes it: a create answer short of its
/// last `ORDER_INFO` with its `ORDER_CNT` kept ([`Fault::ShortOfACoupon`]); an
/// issuing answer (create, send) echoing another TR_ID, as another order's
/// ([`Fault::ForeignTrId`]); a create answer echoing another GOODS_ID
/// ([`Fault::ForeignGoodsId`]). Other answers and faults leave it as it is.
pub(crate) fn with_fault(mut answer: Answer, fault: Option<Fault>) -> Answer {
    match (&mut answer, fault) {
        (Ok(AnyResponse::CouponCreate(create)), Some(Fault::ShortOfACoupon)) => {
            create.coupons.pop();
        }
        (
            Ok(
                AnyResponse::CouponCreate(CouponCreateResponse {
                    tr_id: Some(tr_id), ..
                })
                | AnyResponse::CouponSend(CouponSendResponse {
                    tr_id: Some(tr_id), ..
                }),
            ),
            Some(Fault::ForeignTrId),
        ) => *tr_id = another(tr_id),
        (Ok(AnyResponse::CouponCreate(create)), Some(Fault::ForeignGoodsId)) => {
            create.goods_id = create.goods_id.as_deref().map(|g| another(g).into());
        }
        _ => {}
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

/// The whole XML answer of `op`, encoded in `charset` (prolog declaring it);
/// an error answer stands under the operation's own root, with the code and
/// the manual's message.
pub(crate) fn encode(op: OperationId, answer: &Answer, charset: Charset) -> Vec<u8> {
    match answer {
        Err(code) => coufun_api::for_operation!(op, |_Request, Answer| {
            encode_error::<Answer>(*code, None, charset)
        }),
        Ok(response) => response.to_xml(charset),
    }
}
