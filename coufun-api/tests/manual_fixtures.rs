//! Answers shaped like the interface manuals' samples (our own values, in
//! `tests/fixtures/`) decode into the typed answers: sent as EUC-KR bytes, with
//! and without the XML declaration (then the `Content-Type` charset decides),
//! with empty elements (absent) and unknown extra elements (ignored); the status
//! answer both flat (as the manual's sample) and with `ORDER_INFO` records (as
//! its text says). One test per fixture.

use coufun_api::responses::{
    CouponCancelResponse, CouponCreateResponse, CouponStatusResponse, GoodsListResponse,
};
use coufun_api::xml::{DecodeError, Reply, Reported, Response, Timestamp, decode_document};
use coufun_api::{CouponStatus, CouponType, ResultCode, SendType, ValidityType};

/// The fixture's text as EUC-KR bytes (as the server sends it).
fn euc_kr(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    assert!(!unmappable, "the fixture is EUC-KR text");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture holds Hangul, so its EUC-KR bytes are not UTF-8"
    );
    bytes.into_owned()
}

/// Decodes `fixture` with its declaration.
fn declared<R: Response>(fixture: &str) -> Result<Reply<R>, DecodeError> {
    assert!(fixture.starts_with("<?xml version=\"1.0\" encoding=\"EUC-KR\"?>"));
    decode_document::<R>(&euc_kr(fixture), None)
}

/// Decodes `fixture` without its declaration: the header says EUC-KR.
fn undeclared<R: Response>(fixture: &str) -> Result<Reply<R>, DecodeError> {
    let body = fixture
        .split_once('\n')
        .map_or(fixture, |(_, rest)| rest)
        .trim_start();
    assert!(body.starts_with('<') && !body.starts_with("<?xml"));
    decode_document::<R>(&euc_kr(body), Some("EUC-KR"))
}

fn check_goods_list(reply: Reply<GoodsListResponse>) {
    assert_eq!(
        (reply.code, reply.message.as_str()),
        (ResultCode::Success, "SUCCESS")
    );
    let list = reply.body;
    assert_eq!(list.list_count, Some(2));
    assert_eq!(list.goods.len(), 2);
    let latte = &list.goods[0];
    assert_eq!(latte.goods_id.as_deref(), Some("G000000101"));
    assert_eq!(latte.goods_name.as_deref(), Some("한강 카페 아이스 라떼"));
    assert_eq!(
        (latte.list_price, latte.supply_price),
        (Some(5500), Some(5060))
    );
    assert_eq!(latte.exchange_place.as_deref(), Some("한강 카페 전 지점"));
    assert_eq!(
        latte.validity_type,
        Some(Reported::Known(ValidityType::DaysFromSending))
    );
    assert_eq!(latte.validity.as_deref(), Some("90"));
    assert_eq!(latte.send_type, Some(Reported::Known(SendType::Mms)));
    assert_eq!(
        latte.image_big.as_deref(),
        Some("https://img.example.invalid/g101_b.jpg")
    );
    assert_eq!(
        (latte.image_medium_width, latte.image_big_height),
        (Some(240), Some(480))
    );
    let voucher = &list.goods[1];
    assert_eq!(
        voucher.validity_type,
        Some(Reported::Known(ValidityType::FixedDate))
    );
    assert_eq!(voucher.validity.as_deref(), Some("20271231"));
    // a send type the manual does not list is kept, not refused
    assert_eq!(voucher.send_type, Some(Reported::Unknown("Q".into())));
    // empty elements are absent
    assert_eq!(voucher.goods_info, None);
    assert_eq!(voucher.exchange_place, None);
    assert_eq!(
        (voucher.image_small.as_deref(), voucher.image_small_width),
        (None, None)
    );
}

#[test]
fn goods_list_declared_euc_kr() {
    let reply = declared::<GoodsListResponse>(include_str!("fixtures/goods_list.xml"));
    check_goods_list(reply.unwrap_or_else(|e| panic!("{e}")));
}

#[test]
fn goods_list_without_declaration() {
    let reply = undeclared::<GoodsListResponse>(include_str!("fixtures/goods_list.xml"));
    check_goods_list(reply.unwrap_or_else(|e| panic!("{e}")));
}

fn check_create(reply: Reply<CouponCreateResponse>) {
    assert_eq!(reply.code, ResultCode::Success);
    let created = reply.body;
    assert_eq!(created.order_id.as_deref(), Some("OD2026060100042"));
    assert_eq!(created.category_id.as_deref(), Some("C010"));
    assert_eq!(created.goods_id.as_deref(), Some("G000000101"));
    assert_eq!(created.tr_id.as_deref(), Some("shop-order-5521"));
    assert_eq!(created.order_count, Some(2));
    assert_eq!(
        created.valid_until.map(|d| d.to_string()).as_deref(),
        Some("20260830")
    );
    assert_eq!(created.reserve1.as_deref(), Some("회원 7731"));
    assert_eq!(created.reserve2, None, "empty: absent");
    let numbers: Vec<_> = created
        .coupons
        .iter()
        .map(|c| c.coupon_number.as_deref())
        .collect();
    assert_eq!(numbers, [Some("900011112222"), Some("900011113333")]);
    assert!(
        created
            .coupons
            .iter()
            .all(|c| c.stamp_duty.as_deref() == Some("인지세 비과세"))
    );
}

#[test]
fn coupon_create_declared_euc_kr() {
    let reply = declared::<CouponCreateResponse>(include_str!("fixtures/coupon_create.xml"));
    check_create(reply.unwrap_or_else(|e| panic!("{e}")));
}

#[test]
fn coupon_create_without_declaration() {
    let reply = undeclared::<CouponCreateResponse>(include_str!("fixtures/coupon_create.xml"));
    check_create(reply.unwrap_or_else(|e| panic!("{e}")));
}

#[test]
fn coupon_status_flat_as_the_sample() {
    let reply = declared::<CouponStatusResponse>(include_str!("fixtures/coupon_status_flat.xml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.code, ResultCode::Success);
    let coupons = reply.body.coupons;
    assert_eq!(coupons.len(), 1, "flat fields form one record");
    let c = &coupons[0];
    assert_eq!(c.coupon_type, Some(Reported::Known(CouponType::Amount)));
    assert_eq!(
        c.order_date.map(|d| d.to_string()).as_deref(),
        Some("20260601")
    );
    assert_eq!(c.status, Some(Reported::Known(CouponStatus::Used)));
    assert_eq!(
        c.recipient.as_ref().map(|p| p.expose()),
        Some("01024681357")
    );
    assert_eq!(c.coupon_number.as_deref(), Some("900022224444"));
    assert_eq!(c.exchanged_at, Timestamp::parse("20260615183005"));
    assert_eq!(
        c.exchanged_at.map(|t| (t.hour(), t.minute(), t.second())),
        Some((18, 30, 5))
    );
    assert_eq!(c.cancelled_at, None, "empty: absent");
    assert_eq!(
        (c.total_amount, c.remaining_amount),
        (Some(30_000), Some(12_500))
    );
    // the phone number stays masked in Debug
    assert!(!format!("{c:?}").contains("24681357"));
}

#[test]
fn coupon_status_with_order_info_records() {
    let reply =
        undeclared::<CouponStatusResponse>(include_str!("fixtures/coupon_status_order_info.xml"))
            .unwrap_or_else(|e| panic!("{e}"));
    let coupons = reply.body.coupons;
    assert_eq!(coupons.len(), 2);
    let cancelled = &coupons[0];
    assert_eq!(
        cancelled.coupon_type,
        Some(Reported::Known(CouponType::Barcode))
    );
    assert_eq!(
        cancelled.status,
        Some(Reported::Known(CouponStatus::Cancelled))
    );
    assert_eq!(cancelled.recipient, None);
    assert_eq!(cancelled.exchanged_at, None);
    assert_eq!(
        cancelled.cancelled_at.map(|t| t.to_string()).as_deref(),
        Some("20260602101500")
    );
    assert_eq!(cancelled.total_amount, None);
    let unused = &coupons[1];
    assert_eq!(
        unused.coupon_type,
        Some(Reported::Unknown("GIFTCARD".into()))
    );
    assert_eq!(unused.status, Some(Reported::Known(CouponStatus::Unused)));
    assert_eq!(unused.coupon_number.as_deref(), Some("900011113333"));
}

#[test]
fn coupon_cancel_answer() {
    let reply = declared::<CouponCancelResponse>(include_str!("fixtures/coupon_cancel.xml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.code, ResultCode::Success);
    assert_eq!(reply.body.coupon_number.as_deref(), Some("900011112222"));
}

#[test]
fn coupon_cancel_refusal_under_the_same_root() {
    let reply =
        undeclared::<CouponCancelResponse>(include_str!("fixtures/coupon_cancel_refused.xml"))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.code, ResultCode::CouponAlreadyCancelled);
    assert_eq!(reply.message, "이미 취소된 쿠폰");
    // No field read: every element absent.
    assert_eq!(reply.body, CouponCancelResponse::unread());
}

#[test]
fn a_refusal_under_an_unexpected_root_still_yields_its_code() {
    // e.g. an old server's error page with a root of its own
    let fixture = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<RESULT><RESULT_CODE>01</RESULT_CODE><RESULT_MSG>등록되지 않은 IP</RESULT_MSG></RESULT>";
    let reply = declared::<CouponStatusResponse>(fixture).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.code, ResultCode::IpNotRegistered);
    assert!(reply.body.coupons.is_empty());
}
