//! Drill 2 (see .ci/spec-drill): CREATE_CNT at most 20 instead of 10, changed in
//! spec/ alone. The builder takes 20 and refuses 21 with the kind's code before
//! anything is sent; the sandbox issues 20 coupons and answers 08 for 21.

mod common;

use common::{COFFEE, POC, Raw, config, start};
use coufun_api::privacy::PocId;
use coufun_api::{Client, CouponCreateRequest, Environment, IssueOutcome, Quantity, ResultCode};

#[tokio::test]
async fn twenty_coupons_in_one_create_and_08_for_twenty_one() {
    assert_eq!(Quantity::MAX, Some(20), "the generated bound follows the spec");

    let refused = CouponCreateRequest::builder()
        .goods_id(COFFEE)
        .quantity(21)
        .tr_id("drill-21")
        .build()
        .expect_err("21 is over the limit");
    assert_eq!(refused.code(), ResultCode::InvalidQuantity);

    let sandbox = start(config()).await;
    let client = Client::builder(
        Environment::Custom(sandbox.base_url()),
        PocId::new(POC).unwrap(),
    )
    .build()
    .unwrap();
    let request = CouponCreateRequest::builder()
        .goods_id(COFFEE)
        .quantity(20)
        .tr_id("drill-20")
        .build()
        .unwrap();
    match client.coupon_create(&request).await {
        IssueOutcome::Issued(issued) => assert_eq!(issued.coupon_numbers().len(), 20),
        other => panic!("20 coupons were not issued: {other:?}"),
    }

    // The sandbox's own check, past the SDK: 21 on the wire answers 08.
    let raw = Raw::new(&sandbox);
    let reply = raw
        .post(
            "coupon_create",
            &[("POC_ID", POC), ("GOODS_ID", COFFEE), ("CREATE_CNT", "21"), ("TR_ID", "drill-21-raw")],
        )
        .await;
    assert_eq!(reply.code(), ResultCode::InvalidQuantity.as_str());
}
