//! Drill 4 (see .ci/spec-drill): a request field's wire name renamed in spec/
//! alone: the SDK sends the new name, the sandbox reads it, the old one is
//! just an unknown parameter.

mod common;

use common::{ALICE, COFFEE, POC, SENDER, config, start};
use coufun_api::privacy::PocId;
use coufun_api::{
    AnyRequest, Charset, Client, CouponSendRequest, Environment, IssueOutcome, Operation,
    OperationId,
};

#[tokio::test]
async fn the_renamed_wire_name_is_sent_and_read() {
    let request = CouponSendRequest::builder()
        .goods_id(COFFEE)
        .tr_id("drill-rename-1")
        .sender(SENDER)
        .subject("쿠폰")
        .recipients([ALICE])
        .user_id("member-7")
        .build()
        .unwrap();
    let params: Vec<(String, String)> = request
        .wire_params()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_owned()))
        .collect();
    assert!(params.iter().any(|(k, v)| k == "MEMBER_ID" && v == "member-7"), "{params:?}");
    assert!(!params.iter().any(|(k, _)| k == "USER_ID"), "{params:?}");
    match AnyRequest::from_wire(OperationId::CouponSend, &params, Charset::Cp949).unwrap() {
        AnyRequest::CouponSend(back) => assert_eq!(back.user_id().map(|u| u.as_str()), Some("member-7")),
        other => panic!("another operation: {other:?}"),
    }

    let sandbox = start(config()).await;
    let client = Client::builder(Environment::Custom(sandbox.base_url()), PocId::new(POC).unwrap())
        .build()
        .unwrap();
    assert!(matches!(client.coupon_send(&request).await, IssueOutcome::Issued(_)));
}
