//! The sandbox against the interface manuals, table by table, over raw HTTP with
//! EUC-KR form bodies (no SDK): for goods, create, status and cancel, the request
//! parameters (names, lengths, required), the answer parameters (root, element
//! names and order, lengths), the value tables, and the error answer under the
//! same root. The expected names are written out here, from the manuals, not read
//! from the spec: these tests check the spec too.

mod common;

use common::*;
use coufun_sandbox::Sandbox;

async fn sandbox() -> (Sandbox, Raw) {
    let sandbox = start(config()).await;
    let raw = Raw::new(&sandbox);
    (sandbox, raw)
}

/// Bytes of `text` in EUC-KR (CP949).
fn euc_kr_len(text: &str) -> usize {
    encoding_rs::EUC_KR.encode(text).0.len()
}

#[track_caller]
fn assert_success(reply: &Reply, root: &str) {
    assert_eq!(reply.status, 200, "{}", reply.xml);
    assert!(
        reply
            .xml
            .starts_with("<?xml version=\"1.0\" encoding=\"EUC-KR\"?>"),
        "declared EUC-KR: {}",
        reply.xml
    );
    assert_eq!(reply.root(), root, "{}", reply.xml);
    assert_eq!(reply.code(), "00", "{}", reply.xml);
}

/// An error answer: the operation's root holding only the two result elements.
#[track_caller]
fn assert_error(reply: &Reply, root: &str, code: &str) {
    assert_eq!(reply.status, 200, "{}", reply.xml);
    assert_eq!(reply.root(), root, "{}", reply.xml);
    assert_eq!(
        reply.children(),
        ["RESULT_CODE", "RESULT_MSG"],
        "{}",
        reply.xml
    );
    assert_eq!(reply.code(), code, "{}", reply.xml);
    let message = reply.first("RESULT_MSG").unwrap_or_default();
    assert!(
        !message.is_empty() && euc_kr_len(&message) <= 100,
        "{message:?}"
    );
}

/// Sends a raw POST whose body is `body` exactly.
async fn post_body(raw: &Raw, operation: &str, body: String) -> Reply {
    let response = raw
        .client
        .post(format!("{}{}", raw.base, path_of(operation)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    Reply {
        status,
        xml: encoding_rs::EUC_KR.decode(&bytes).0.into_owned(),
    }
}

const PRODUCT_INFO: [&str; 20] = [
    "CAT_ID",
    "GOODS_ID",
    "GOODS_NAME",
    "GOODS_ORI_PRICE",
    "GOODS_PRICE",
    "GOODS_INFO",
    "USE_GUIDE",
    "EXC_BRANCH",
    "VALID_END_TYPE",
    "VALID_END_DATE",
    "SEND_TYPE",
    "IMAGE_PATH_S",
    "IMAGE_PATH_M",
    "IMAGE_PATH_B",
    "IMAGE_SIZE_S_W",
    "IMAGE_SIZE_S_H",
    "IMAGE_SIZE_M_W",
    "IMAGE_SIZE_M_H",
    "IMAGE_SIZE_B_W",
    "IMAGE_SIZE_B_H",
];

/// The children of the `n`-th `record` element.
fn record_children(reply: &Reply, record: &str, n: usize) -> Vec<String> {
    let start = format!("<{record}>");
    let end = format!("</{record}>");
    let Some(piece) = reply.xml.split(&start).nth(n + 1) else {
        return Vec::new();
    };
    let inner = piece.split(&end).next().unwrap_or_default();
    Reply {
        status: 200,
        xml: format!("<R>{inner}</R>"),
    }
    .children()
}

// ---------------------------------------------------------------------------
// Goods information (goods manual): coufunProduct.do, GET or POST, PRODUCTLIST.

#[tokio::test]
async fn goods_request_parameters() {
    let (_sandbox, raw) = sandbox().await;
    // POC_ID only, by POST (EUC-KR form body) and by GET
    let posted = raw.post("goods_list", &[("POC_ID", POC)]).await;
    assert_success(&posted, "PRODUCTLIST");
    let got = raw.get("goods_list", &[("POC_ID", POC)]).await;
    assert_success(&got, "PRODUCTLIST");
    assert_eq!(posted.all("GOODS_ID"), got.all("GOODS_ID"));
    assert_eq!(path_of("goods_list"), "coufunProduct.do");
    // POC_ID is required
    assert_error(&raw.post("goods_list", &[]).await, "PRODUCTLIST", "02");
}

#[tokio::test]
async fn goods_answer_parameters() {
    let (_sandbox, raw) = sandbox().await;
    let reply = raw.post("goods_list", &[("POC_ID", POC)]).await;
    assert_success(&reply, "PRODUCTLIST");
    let children = reply.children();
    assert_eq!(&children[..3], ["RESULT_CODE", "RESULT_MSG", "LIST_CNT"]);
    let records = children.iter().filter(|c| *c == "PRODUCT_INFO").count();
    assert_eq!(children.len(), 3 + records, "{children:?}");
    assert_eq!(reply.first("LIST_CNT"), Some(records.to_string()));
    for n in 0..records {
        assert_eq!(record_children(&reply, "PRODUCT_INFO", n), PRODUCT_INFO);
    }
    for (element, max) in [
        ("CAT_ID", 10),
        ("GOODS_ID", 10),
        ("GOODS_NAME", 150),
        ("GOODS_INFO", 4000),
        ("USE_GUIDE", 4000),
        ("EXC_BRANCH", 50),
        ("VALID_END_DATE", 8),
        ("IMAGE_PATH_S", 150),
        ("IMAGE_PATH_M", 150),
        ("IMAGE_PATH_B", 150),
    ] {
        for value in reply.all(element) {
            assert!(euc_kr_len(&value) <= max, "{element} {value:?} over {max}");
        }
    }
    for element in [
        "GOODS_ORI_PRICE",
        "GOODS_PRICE",
        "IMAGE_SIZE_S_W",
        "IMAGE_SIZE_B_H",
    ] {
        for value in reply.all(element) {
            assert!(
                value.parse::<u64>().is_ok(),
                "{element} {value:?} is a number"
            );
        }
    }
    // a Hangul name arrives intact through EUC-KR
    assert!(
        reply
            .all("GOODS_NAME")
            .iter()
            .any(|n| n == "아메리카노 Tall")
    );
}

#[tokio::test]
async fn goods_value_tables() {
    let (_sandbox, raw) = sandbox().await;
    let reply = raw.post("goods_list", &[("POC_ID", POC)]).await;
    let validity = reply.all("VALID_END_TYPE");
    assert!(!validity.is_empty());
    assert!(
        validity.iter().all(|v| v == "D" || v == "E"),
        "{validity:?}"
    );
    let send = reply.all("SEND_TYPE");
    assert!(
        send.iter()
            .all(|v| ["M", "L", "N", "Z"].contains(&v.as_str())),
        "{send:?}"
    );
}

#[tokio::test]
async fn goods_error_answer() {
    let (_sandbox, raw) = sandbox().await;
    let reply = raw.post("goods_list", &[("POC_ID", "POC9999999")]).await;
    assert_error(&reply, "PRODUCTLIST", "02");
}

// ---------------------------------------------------------------------------
// Coupon create (create manual): coufunCreate.do, POST, COUFUNCREATE.

fn create_params<'a>(tr_id: &'a str, count: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("CREATE_CNT", count),
        ("TR_ID", tr_id),
    ]
}

#[tokio::test]
async fn create_request_parameters() {
    let (sandbox, raw) = sandbox().await;
    assert_eq!(path_of("coupon_create"), "coufunCreate.do");
    // POST only
    let got = raw
        .client
        .get(format!(
            "{}coufunCreate.do?{}",
            raw.base,
            form(&create_params("tr-get", "1"))
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(got.status().as_u16(), 405);
    // CREATE_CNT 1..=10 (08 outside), TR_ID at most 50 bytes (11), GOODS_ID
    // required (10), RESERVE1/2 at most 200 bytes (24/25; see the conflicts)
    let (t51, t50) = ("t".repeat(51), "t".repeat(50));
    let (r1, r2) = ("가".repeat(101), "a".repeat(201));
    // one over the spec's bound (the create manual's 10 today)
    let over = coufun_api::Quantity::MAX
        .map_or(u64::MAX, |max| max + 1)
        .to_string();
    let cases: [(Vec<(&str, &str)>, &str); 7] = [
        (create_params("tr-c0", "0"), "08"),
        (create_params("tr-c11", &over), "08"),
        (create_params(&t51, "1"), "11"),
        (
            vec![("POC_ID", POC), ("CREATE_CNT", "1"), ("TR_ID", "tr-ng")],
            "10",
        ),
        (
            {
                let mut p = create_params("tr-r1", "1");
                p.push(("RESERVE1", &r1));
                p
            },
            "24",
        ),
        (
            {
                let mut p = create_params("tr-r2", "1");
                p.push(("RESERVE2", &r2));
                p
            },
            "25",
        ),
        (create_params(&t50, "10"), "00"),
    ];
    for (params, code) in cases {
        let reply = raw.post("coupon_create", &params).await;
        assert_eq!(reply.root(), "COUFUNCREATE", "{}", reply.xml);
        assert_eq!(reply.code(), code, "{params:?}: {}", reply.xml);
    }
    assert_eq!(sandbox.ledger().coupon_count(), 10);
}

#[tokio::test]
async fn create_answer_parameters() {
    let (_sandbox, raw) = sandbox().await;
    let mut params = create_params("tr-answer", "3");
    params.push(("RESERVE1", "주문-778"));
    let reply = raw.post("coupon_create", &params).await;
    assert_success(&reply, "COUFUNCREATE");
    assert_eq!(
        reply.children(),
        [
            "RESULT_CODE",
            "RESULT_MSG",
            "ORDER_ID",
            "CAT_ID",
            "GOODS_ID",
            "TR_ID",
            "ORDER_CNT",
            "VALID_END_DATE",
            "RESERVE1",
            "RESERVE2",
            "ORDER_INFO",
            "ORDER_INFO",
            "ORDER_INFO",
        ]
    );
    for n in 0..3 {
        assert_eq!(
            record_children(&reply, "ORDER_INFO", n),
            ["BARCODE_NUM", "STAMP_DUTY"]
        );
    }
    let order_id = reply.first("ORDER_ID").unwrap_or_default();
    assert!(!order_id.is_empty() && order_id.len() <= 30, "{order_id}");
    assert_eq!(reply.first("GOODS_ID").as_deref(), Some(COFFEE));
    assert_eq!(reply.first("TR_ID").as_deref(), Some("tr-answer"));
    assert_eq!(reply.first("ORDER_CNT").as_deref(), Some("3"));
    assert_eq!(reply.first("RESERVE1").as_deref(), Some("주문-778"));
    assert_eq!(reply.first("RESERVE2").as_deref(), Some(""));
    let valid = reply.first("VALID_END_DATE").unwrap_or_default();
    assert!(
        valid.len() == 8 && valid.bytes().all(|b| b.is_ascii_digit()),
        "{valid}"
    );
    let numbers = reply.all("BARCODE_NUM");
    assert_eq!(numbers.len(), 3);
    assert!(numbers.iter().all(|n| !n.is_empty() && n.len() <= 30));
    for duty in reply.all("STAMP_DUTY") {
        assert!(!duty.is_empty() && euc_kr_len(&duty) <= 100, "{duty}");
    }
}

#[tokio::test]
async fn create_error_answer() {
    let (_sandbox, raw) = sandbox().await;
    let first = raw
        .post("coupon_create", &create_params("tr-dup", "1"))
        .await;
    assert_success(&first, "COUFUNCREATE");
    // the same TR_ID again: 12 under the same root, nothing issued
    let again = raw
        .post("coupon_create", &create_params("tr-dup", "1"))
        .await;
    assert_error(&again, "COUFUNCREATE", "12");
    let over_max = coufun_api::Quantity::MAX
        .map_or(u64::MAX, |max| max + 1)
        .to_string();
    let over = raw
        .post("coupon_create", &create_params("tr-11", &over_max))
        .await;
    assert_error(&over, "COUFUNCREATE", "08");
}

// ---------------------------------------------------------------------------
// Coupon status and balance (status manual): coufunPartAmountStatus.do, POST,
// COUFUNSEARCH, answered flat (as the manual's sample).

const STATUS_FIELDS: [&str; 10] = [
    "COUPON_TYPE",
    "ORDER_DATE",
    "STATUS",
    "RECEIVER_MOBILE",
    "BARCODE_NUM",
    "VALID_END_DATE",
    "EXCHANGE_DATE",
    "CANCEL_DATE",
    "TOTAL_AMOUNT",
    "REMAIN_AMOUNT",
];

fn coupon<'a>(goods: &'a str, number: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("POC_ID", POC),
        ("GOODS_ID", goods),
        ("BARCODE_NUM", number),
    ]
}

#[tokio::test]
async fn status_request_parameters() {
    let (_sandbox, raw) = sandbox().await;
    assert_eq!(path_of("coupon_status"), "coufunPartAmountStatus.do");
    let numbers = create(&raw, "tr-s", COFFEE, 1).await;
    let ok = raw
        .post("coupon_status", &coupon(COFFEE, &numbers[0]))
        .await;
    assert_success(&ok, "COUFUNSEARCH");
    // both GOODS_ID and BARCODE_NUM are required; BARCODE_NUM at most 30 bytes
    let long = "1".repeat(31);
    let cases: [(Vec<(&str, &str)>, &str); 3] = [
        (vec![("POC_ID", POC), ("BARCODE_NUM", &numbers[0])], "10"),
        (vec![("POC_ID", POC), ("GOODS_ID", COFFEE)], "16"),
        (coupon(COFFEE, &long).to_vec(), "16"),
    ];
    for (params, code) in cases {
        let reply = raw.post("coupon_status", &params).await;
        assert_error(&reply, "COUFUNSEARCH", code);
    }
    // there is no lookup by TR_ID or ORDER_ID
    let by_tr = raw
        .post("coupon_status", &[("POC_ID", POC), ("TR_ID", "tr-s")])
        .await;
    assert_error(&by_tr, "COUFUNSEARCH", "10");
}

#[tokio::test]
async fn status_answer_parameters() {
    let (sandbox, raw) = sandbox().await;
    let vouchers = create(&raw, "tr-amount", VOUCHER, 1).await;
    let redeem = format!(
        "http://{}/_admin/coupons/{}/redeem?amount=2500",
        sandbox.addr(),
        vouchers[0]
    );
    let redeemed = raw.client.post(redeem).send().await.expect("admin answers");
    assert!(redeemed.status().is_success());
    let reply = raw
        .post("coupon_status", &coupon(VOUCHER, &vouchers[0]))
        .await;
    assert_success(&reply, "COUFUNSEARCH");
    let mut expected = vec!["RESULT_CODE", "RESULT_MSG"];
    expected.extend(STATUS_FIELDS);
    // Elements the spec adds from observation are no part of the manual's sample.
    let unsourced = common::unsourced_record_fields("coupon_status");
    let sampled = |reply: &Reply| -> Vec<String> {
        reply
            .children()
            .into_iter()
            .filter(|c| !unsourced.contains(c))
            .collect()
    };
    assert_eq!(sampled(&reply), expected, "flat, as the manual's sample");
    assert_eq!(reply.first("COUPON_TYPE").as_deref(), Some("AMOUNT"));
    assert_eq!(reply.first("ORDER_DATE").as_deref(), Some("20260601"));
    assert_eq!(reply.first("STATUS").as_deref(), Some("001"));
    assert_eq!(reply.first("BARCODE_NUM"), Some(vouchers[0].clone()));
    assert_eq!(
        reply.first("EXCHANGE_DATE").as_deref(),
        Some("20260601120000")
    );
    assert_eq!(
        reply.first("CANCEL_DATE").as_deref(),
        Some(""),
        "empty: absent"
    );
    assert_eq!(reply.first("TOTAL_AMOUNT").as_deref(), Some("10000"));
    assert_eq!(reply.first("REMAIN_AMOUNT").as_deref(), Some("7500"));
    for (element, max) in [("COUPON_TYPE", 10), ("STATUS", 3), ("RECEIVER_MOBILE", 11)] {
        let value = reply.first(element).unwrap_or_default();
        assert!(value.len() <= max, "{element} {value:?}");
    }
    // an exchange voucher has no amounts: the manual outputs TOTAL_AMOUNT and
    // REMAIN_AMOUNT only for AMOUNT, so they are left out (not sent empty)
    let coffee = create(&raw, "tr-barcode", COFFEE, 1).await;
    let reply = raw.post("coupon_status", &coupon(COFFEE, &coffee[0])).await;
    assert_eq!(reply.first("COUPON_TYPE").as_deref(), Some("BARCODE"));
    assert_eq!(reply.first("TOTAL_AMOUNT"), None, "{}", reply.xml);
    assert_eq!(reply.first("REMAIN_AMOUNT"), None, "{}", reply.xml);
    let mut without_amounts = vec!["RESULT_CODE", "RESULT_MSG"];
    without_amounts.extend(STATUS_FIELDS.iter().filter(|f| !f.ends_with("_AMOUNT")));
    assert_eq!(sampled(&reply), without_amounts, "{}", reply.xml);
    assert_eq!(reply.first("EXCHANGE_DATE").as_deref(), Some(""));
}

#[tokio::test]
async fn status_value_tables() {
    let (sandbox, raw) = sandbox().await;
    let numbers = create(&raw, "tr-states", COFFEE, 2).await;
    let status = |number: String| {
        let raw = &raw;
        async move {
            raw.post("coupon_status", &coupon(COFFEE, &number))
                .await
                .first("STATUS")
                .unwrap_or_default()
        }
    };
    assert_eq!(status(numbers[0].clone()).await, "000");
    sandbox.mark_used(&numbers[0]).expect("redeemed");
    assert_eq!(status(numbers[0].clone()).await, "001");
    let cancel = raw
        .post("coupon_cancel", &coupon(COFFEE, &numbers[1]))
        .await;
    assert_success(&cancel, "COUFUNCANCEL");
    assert_eq!(status(numbers[1].clone()).await, "100");
    let cancelled = raw
        .post("coupon_status", &coupon(COFFEE, &numbers[1]))
        .await;
    let at = cancelled.first("CANCEL_DATE").unwrap_or_default();
    assert!(
        at.len() == 14 && at.bytes().all(|b| b.is_ascii_digit()),
        "{at}"
    );
}

#[tokio::test]
async fn status_error_answer() {
    let (_sandbox, raw) = sandbox().await;
    let reply = raw
        .post("coupon_status", &coupon(COFFEE, "999999999999"))
        .await;
    assert_error(&reply, "COUFUNSEARCH", "16");
}

// ---------------------------------------------------------------------------
// Coupon cancel (cancel manual): coufunPartCancel.do, POST, COUFUNCANCEL.

#[tokio::test]
async fn cancel_request_parameters() {
    let (_sandbox, raw) = sandbox().await;
    assert_eq!(path_of("coupon_cancel"), "coufunPartCancel.do");
    let numbers = create(&raw, "tr-c", COFFEE, 1).await;
    let got = raw
        .client
        .get(format!(
            "{}coufunPartCancel.do?{}",
            raw.base,
            form(&coupon(COFFEE, &numbers[0]))
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(got.status().as_u16(), 405, "POST only");
    for (params, code) in [
        (
            vec![("POC_ID", POC), ("BARCODE_NUM", numbers[0].as_str())],
            "10",
        ),
        (vec![("POC_ID", POC), ("GOODS_ID", COFFEE)], "16"),
    ] {
        assert_error(
            &raw.post("coupon_cancel", &params).await,
            "COUFUNCANCEL",
            code,
        );
    }
    // an EUC-KR body with a stray extra parameter is read as the manual's three
    let body = format!(
        "POC_ID={POC}&GOODS_ID={COFFEE}&BARCODE_NUM={}&MEMO={}",
        numbers[0],
        cp949("취소")
    );
    let reply = post_body(&raw, "coupon_cancel", body).await;
    assert_success(&reply, "COUFUNCANCEL");
}

#[tokio::test]
async fn cancel_answer_parameters() {
    let (_sandbox, raw) = sandbox().await;
    let numbers = create(&raw, "tr-ca", COFFEE, 1).await;
    let reply = raw
        .post("coupon_cancel", &coupon(COFFEE, &numbers[0]))
        .await;
    assert_success(&reply, "COUFUNCANCEL");
    assert_eq!(
        reply.children(),
        ["RESULT_CODE", "RESULT_MSG", "BARCODE_NUM"]
    );
    assert_eq!(reply.first("BARCODE_NUM"), Some(numbers[0].clone()));
}

#[tokio::test]
async fn cancel_error_answer() {
    let (sandbox, raw) = sandbox().await;
    let numbers = create(&raw, "tr-ce", COFFEE, 2).await;
    let first = raw
        .post("coupon_cancel", &coupon(COFFEE, &numbers[0]))
        .await;
    assert_success(&first, "COUFUNCANCEL");
    let again = raw
        .post("coupon_cancel", &coupon(COFFEE, &numbers[0]))
        .await;
    assert_error(&again, "COUFUNCANCEL", "18");
    sandbox.mark_used(&numbers[1]).expect("redeemed");
    let used = raw
        .post("coupon_cancel", &coupon(COFFEE, &numbers[1]))
        .await;
    assert_error(&used, "COUFUNCANCEL", "17");
}
