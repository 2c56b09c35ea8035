//! The generated `IssuingRequest` / `IssuingResponse` impls read what the spec's
//! roles say: the TR_ID, the coupons asked for and the goods of a request; the
//! order id, the stated count, the echoes and the coupon numbers of an answer.

use coufun_api::issuance::{IssuingRequest, IssuingResponse};
use coufun_api::responses::{
    CouponCreateItem, CouponCreateResponse, CouponSendItem, CouponSendResponse,
};
use coufun_api::{CouponCreateRequest, CouponSendRequest};

#[test]
fn a_create_request_asks_for_its_quantity_and_a_send_does_not_say() {
    let create = CouponCreateRequest::builder()
        .goods_id("0000012345")
        .quantity(4)
        .tr_id("TR-1")
        .build()
        .unwrap();
    assert_eq!(create.coupons_requested(), Some(4));
    assert_eq!(create.issue_key().as_str(), "TR-1");
    assert_eq!(create.goods(), Some("0000012345"));
    // the wire names come from the spec: the request's own field table
    let wire_of = |name: &str| {
        CouponCreateRequest::FIELDS
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.wire)
    };
    assert_eq!(Some(CouponCreateRequest::KEY_WIRE), wire_of("tr_id"));
    assert_eq!(CouponCreateRequest::GOODS_WIRE, wire_of("goods_id"));

    let send = CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-2")
        .sender("0212345678")
        .subject("쿠폰")
        .recipients(["01012345678"])
        .quantity(4)
        .build()
        .unwrap();
    // send's manual is not public: how its count combines with the recipients is unknown
    assert_eq!(send.coupons_requested(), None);
    assert_eq!(send.issue_key().as_str(), "TR-2");
    assert_eq!(send.goods(), Some("0000012345"));
}

#[test]
fn a_create_answer_states_its_count_order_echoes_and_numbers() {
    let answer = CouponCreateResponse {
        order_id: Some("ORD-1".into()),
        order_count: Some(2),
        tr_id: Some("TR-1".into()),
        goods_id: Some("0000012345".into()),
        coupons: vec![
            CouponCreateItem {
                coupon_number: Some("C-1".into()),
                ..Default::default()
            },
            // a record without a number lists none
            CouponCreateItem::default(),
            CouponCreateItem {
                coupon_number: Some("C-2".into()),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    assert_eq!(answer.order_id(), Some("ORD-1"));
    assert_eq!(answer.stated_count(), Some(2));
    assert_eq!(answer.echoed_key(), Some("TR-1"));
    assert_eq!(answer.echoed_goods(), Some("0000012345"));
    assert_eq!(answer.coupon_numbers(), ["C-1", "C-2"]);
    let empty = CouponCreateResponse::default();
    assert_eq!(
        (empty.order_id(), empty.stated_count(), empty.echoed_key()),
        (None, None, None)
    );
    assert!(empty.coupon_numbers().is_empty());
}

#[test]
fn a_send_answer_states_no_count_and_echoes_no_goods() {
    let mut answer = CouponSendResponse {
        order_id: Some("O-1".into()),
        tr_id: Some("TR-2".into()),
        ..Default::default()
    };
    answer.coupons.push(CouponSendItem {
        coupon_number: Some("C-1".into()),
        ..Default::default()
    });
    assert_eq!(answer.order_id(), Some("O-1"));
    assert_eq!(answer.echoed_key(), Some("TR-2"));
    assert_eq!(answer.coupon_numbers(), ["C-1"]);
    // the send answer has no ORDER_CNT nor GOODS_ID in the spec
    assert_eq!((answer.stated_count(), answer.echoed_goods()), (None, None));
}
