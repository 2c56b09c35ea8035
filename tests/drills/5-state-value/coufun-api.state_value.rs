//! Drill 5 (see .ci/spec-drill): a new value in the coupon-state table, added in
//! spec/ alone, is known in status answers and in exchange notices alike (one
//! enum for both).

use coufun_api::notice::{ExchangeNotice, NoticeParser};
use coufun_api::responses::{CouponStatusItem, CouponStatusResponse};
use coufun_api::xml::{Response, decode_document};
use coufun_api::{Charset, CouponStatus, Reported};

#[test]
fn the_new_state_is_known_in_answers_and_notices() {
    let wire = CouponStatus::Expired.as_wire();
    let answer = CouponStatusResponse {
        coupons: vec![CouponStatusItem {
            status: Some(Reported::Known(CouponStatus::Used)),
            ..Default::default()
        }],
        ..Default::default()
    };
    let used = CouponStatus::Used.as_wire();
    let body = String::from_utf8(answer.to_xml(Charset::Utf8)).unwrap();
    let body = body.replace(&format!(">{used}<"), &format!(">{wire}<"));
    let decoded = decode_document::<CouponStatusResponse>(body.as_bytes(), None).unwrap();
    assert_eq!(decoded.body.coupons[0].status, Some(Reported::Known(CouponStatus::Expired)));

    // The same wire value in a notice, as COUFUN would post it.
    let mut form = Vec::new();
    for (name, value) in [
        (ExchangeNotice::COUPON_NUMBER.wire, "900000000001"),
        (ExchangeNotice::APPROVAL_NUMBER.wire, "AP000001"),
        (ExchangeNotice::STATE.wire, wire),
        (ExchangeNotice::TIME.wire, "20240601100000"),
        (ExchangeNotice::COUPON_TYPE.wire, coufun_api::CouponType::Barcode.as_wire()),
        (ExchangeNotice::PRICE.wire, "4500"),
        (ExchangeNotice::BALANCE.wire, "0"),
    ] {
        coufun_api::form::append_pair(&mut form, name.as_bytes(), value.as_bytes());
    }
    let notice = NoticeParser::new()
        .reject_unknown_values(true)
        .parse(&form, Some(ExchangeNotice::form_content_type()))
        .unwrap();
    assert_eq!(notice.state, Reported::Known(CouponStatus::Expired));
}
