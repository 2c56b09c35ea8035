//! The typed front ends: field-by-field answer views (absent apart from
//! empty, secrets marked), typed answer ids (kept as sent when they break the
//! kind's rule), `AnyRequest` / `AnyResponse` over every operation, and the
//! masking that follows the spec's `secret` marks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coufun_api::privacy::PocId;
use coufun_api::responses::{
    CouponCreateItem, CouponCreateResponse, CouponStatusItem, CouponStatusResponse, GoodsListItem,
    GoodsListResponse,
};
use coufun_api::xml::{Response, decode_document};
use coufun_api::{
    AnswerType, AnswerView, AnyRequest, AnyResponse, Charset, CouponNumber, CouponStatusRequest,
    GoodsId, MobileNumber, OPERATIONS, OperationId, OrderId, ResultCode, ViewValue,
};

fn status(doc: &str) -> CouponStatusResponse {
    decode_document::<CouponStatusResponse>(doc.as_bytes(), None)
        .map(|r| r.body)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn absent_and_empty_elements_stay_apart_in_the_views() {
    let answer = status(
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><ORDER_INFO><STATUS>001</STATUS>\
         <EXCHANGE_DATE></EXCHANGE_DATE><TOTAL_AMOUNT>  </TOTAL_AMOUNT></ORDER_INFO></COUFUNSEARCH>",
    );
    let record = &answer.coupons[0];
    // Both read `None` on the struct …
    assert_eq!((record.exchanged_at, record.cancelled_at), (None, None));
    // … and the views tell them apart.
    let views = record.fields();
    let value = |spec| views.iter().find(|v| v.spec == spec).map(|v| v.value);
    assert_eq!(
        value(CouponStatusItem::EXCHANGED_AT),
        Some(ViewValue::Empty)
    );
    assert_eq!(
        value(CouponStatusItem::TOTAL_AMOUNT),
        Some(ViewValue::Empty)
    );
    assert_eq!(
        value(CouponStatusItem::CANCELLED_AT),
        Some(ViewValue::Absent)
    );
    assert!(matches!(
        value(CouponStatusItem::STATUS),
        Some(ViewValue::Enum {
            wire: "001",
            doc: Some(_)
        })
    ));
    assert_eq!(views.len(), CouponStatusItem::FIELD_SPECS.len());
    // Flat fields form one record, with the same marks.
    let flat = status(
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><STATUS>001</STATUS>\
         <EXCHANGE_DATE/></COUFUNSEARCH>",
    );
    let total = CouponStatusItem::FIELD_SPECS
        .iter()
        .position(|f| f == CouponStatusItem::TOTAL_AMOUNT)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap();
    // TOTAL_AMOUNT was there (empty) in the first document only.
    let mut expected = answer.coupons[0].clone();
    expected.absent.insert(total);
    assert_eq!(flat.coupons, [expected]);
}

#[test]
fn what_is_absent_is_left_out_when_encoded_again() {
    let answer = status(
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><ORDER_INFO><STATUS>001</STATUS>\
         <EXCHANGE_DATE></EXCHANGE_DATE></ORDER_INFO></COUFUNSEARCH>",
    );
    let xml = String::from_utf8(answer.to_xml(Charset::Utf8)).unwrap();
    assert!(xml.contains("<EXCHANGE_DATE></EXCHANGE_DATE>"), "{xml}");
    assert!(!xml.contains("CANCEL_DATE"), "{xml}");
    let again = decode_document::<CouponStatusResponse>(xml.as_bytes(), None).unwrap();
    assert_eq!(again.body, answer);
    // An answer built by hand has nothing absent: a `None` is written empty.
    let built = CouponStatusResponse {
        coupons: vec![CouponStatusItem::default(), CouponStatusItem::default()],
        ..Default::default()
    };
    let xml = String::from_utf8(built.to_xml(Charset::Utf8)).unwrap();
    assert_eq!(
        xml.matches("<CANCEL_DATE></CANCEL_DATE>").count(),
        2,
        "{xml}"
    );
}

#[test]
fn answer_ids_are_typed_and_a_broken_one_is_kept_as_sent() {
    let doc = "<COUFUNCREATE><RESULT_CODE>00</RESULT_CODE><ORDER_ID> ORD-1 </ORDER_ID>\
               <GOODS_ID>상품-0001</GOODS_ID><ORDER_INFO><BARCODE_NUM>123456789012</BARCODE_NUM></ORDER_INFO>\
               </COUFUNCREATE>";
    let answer = decode_document::<CouponCreateResponse>(doc.as_bytes(), None)
        .unwrap()
        .body;
    let order: &OrderId = answer.order_id.as_ref().unwrap();
    assert_eq!(order.as_ref(), "ORD-1");
    assert!(!order.breaks_rule());
    let goods: &GoodsId = answer.goods_id.as_ref().unwrap();
    assert_eq!(goods.as_str(), "상품-0001");
    assert!(goods.breaks_rule(), "Hangul is no token character");
    let goods_view = answer
        .fields()
        .into_iter()
        .find(|v| v.spec == CouponCreateResponse::GOODS_ID)
        .map(|v| v.value);
    assert_eq!(
        goods_view,
        Some(ViewValue::Id {
            text: "상품-0001",
            breaks_rule: true
        })
    );
    // A request given a broken id checks it again and refuses it.
    let refused = CouponStatusRequest::builder()
        .goods_id(goods.clone())
        .coupon_number("123456789012")
        .build();
    assert_eq!(refused.map_err(|e| e.code()).err(), Some(GoodsId::CODE));
    let number: &CouponNumber = answer.coupons[0].coupon_number.as_ref().unwrap();
    assert_eq!(number.as_ref(), "123456789012");
    assert_eq!(
        CouponCreateItem::COUPON_NUMBER.ty,
        AnswerType::Id {
            kind: CouponNumber::KIND
        }
    );
}

#[test]
fn secrets_follow_the_spec_marks() {
    let number = CouponNumber::new("123456789012").unwrap();
    let marks = [CouponNumber::SECRET, MobileNumber::SECRET, GoodsId::SECRET];
    assert_eq!(marks, [true, true, false], "the spec's marks");
    for shown in [format!("{number:?}"), number.to_string()] {
        assert!(!shown.contains("12345678"), "{shown}");
        assert!(shown.contains("9012"), "{shown}");
    }
    assert_eq!(number.as_str(), "123456789012");
    let mobile = MobileNumber::new("010-1234-5678").unwrap();
    assert!(!format!("{mobile:?}").contains("1234"));
    assert_eq!(format!("{}", GoodsId::new("G-1").unwrap()), "G-1");
    let poc = PocId::new("POC1234567").unwrap();
    assert!(!format!("{poc:?}{poc}").contains("1234567"));
    // Answer fields inherit the mark from their kind (and the `mobile` type).
    assert!(CouponStatusItem::COUPON_NUMBER.secret);
    assert!(CouponStatusItem::RECIPIENT.secret);
    assert!(!CouponStatusItem::STATUS.secret);
    assert!(!GoodsListItem::GOODS_ID.secret);
    // Every answer field of a secret kind is marked, in every operation.
    for op in &OPERATIONS {
        for f in op.answer.iter().chain(op.record_fields) {
            if f.ty
                == (AnswerType::Id {
                    kind: CouponNumber::KIND,
                })
                || f.ty == AnswerType::Mobile
            {
                assert!(f.secret, "{}.{}", op.name, f.name);
            }
        }
    }
    // A request's Debug masks the coupon number it carries.
    let request = CouponStatusRequest::builder()
        .goods_id("0000012345")
        .coupon_number("123456789012")
        .build()
        .unwrap();
    assert!(!format!("{request:?}").contains("12345678"), "{request:?}");
}

#[test]
fn any_request_and_any_response_cover_every_operation() {
    for id in OperationId::ALL {
        let spec = id.spec();
        // An empty request fails the same checks as the operation's own parser.
        let any = AnyRequest::from_wire(id, &[], Charset::Cp949);
        if spec.fields.iter().any(|f| f.required) {
            assert!(any.is_err(), "{id}");
        } else {
            assert_eq!(any.map(|r| r.operation()).ok(), Some(id));
        }
        let doc = format!(
            "<{root}><RESULT_CODE>00</RESULT_CODE></{root}>",
            root = spec.root
        );
        let reply = AnyResponse::decode(id, doc.as_bytes(), None).unwrap();
        assert_eq!(reply.code, ResultCode::Success);
        assert_eq!(reply.body.operation(), id);
        // Every scalar field of the spec is in the view, absent.
        let fields = reply.body.fields();
        assert_eq!(fields.len(), spec.answer.len(), "{id}");
        assert!(fields.iter().all(|f| f.value == ViewValue::Absent), "{id}");
        assert!(reply.body.records().is_empty());
        let xml = reply.body.to_xml(Charset::Utf8);
        let again = AnyResponse::decode(id, &xml, None).unwrap();
        assert_eq!(again.body, reply.body, "{id}");
    }
    let status = CouponStatusRequest::builder()
        .goods_id("0000012345")
        .coupon_number("123456789012")
        .build()
        .unwrap();
    let params: Vec<(String, String)> = AnyRequest::from(status.clone())
        .wire_params()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        AnyRequest::from_wire(OperationId::CouponStatus, &params, Charset::Cp949).ok(),
        Some(AnyRequest::CouponStatus(status))
    );
    let list = GoodsListResponse {
        goods: vec![GoodsListItem::default()],
        ..Default::default()
    };
    let list = AnyResponse::from(list);
    let records = list.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        Some(records[0].element),
        OperationId::GoodsList.spec().record_element
    );
    assert_eq!(records[0].fields.len(), GoodsListItem::FIELD_SPECS.len());
    assert!(
        records[0]
            .fields
            .iter()
            .all(|f| f.value == ViewValue::Empty)
    );
}
