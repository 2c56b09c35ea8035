//! The sandbox enforces the manuals' rules on its own: raw HTTP requests (no SDK,
//! so no client-side checks) get the code the code manual gives, one test per code.
//! (The interface manuals' tables have their own tests in `manual_tables.rs`.)

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::*;
use coufun_api::{Quantity, ResultCode};
use coufun_sandbox::{ENDED_POC_ID, LOOKUP_ONLY_POC_ID, PocAccount};

#[track_caller]
fn assert_code(reply: &Reply, expected: ResultCode) {
    assert_eq!(
        reply.code(),
        expected.as_str(),
        "expected {expected:?}, got {}",
        reply.xml
    );
}

async fn default_raw() -> (coufun_sandbox::Sandbox, Raw) {
    let sandbox = start(config()).await;
    let raw = Raw::new(&sandbox);
    (sandbox, raw)
}

#[tokio::test]
async fn code_00_goods_list_answers_the_catalogue_by_post_and_get() {
    let (sandbox, raw) = default_raw().await;
    let posted = raw.post("goods_list", &[("POC_ID", POC)]).await;
    assert_code(&posted, ResultCode::Success);
    let got = raw.get("goods_list", &[("POC_ID", POC)]).await;
    assert_code(&got, ResultCode::Success);
    let all = posted.all("GOODS_ID");
    assert!(all.len() >= 10, "{}", posted.xml);
    assert_eq!(got.all("GOODS_ID"), all);
    assert!(!all.contains(&DISCONTINUED.to_owned()));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn code_01_an_address_outside_the_allow_list() {
    let mut config = config();
    config.allowed_ips = vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))];
    let sandbox = start(config).await;
    let reply = Raw::new(&sandbox)
        .post("goods_list", &[("POC_ID", POC)])
        .await;
    assert_code(&reply, ResultCode::IpNotRegistered);
}

#[tokio::test]
async fn code_02_an_unknown_poc_id() {
    let (_sandbox, raw) = default_raw().await;
    assert_code(
        &raw.post("goods_list", &[("POC_ID", "POC9999999")]).await,
        ResultCode::InvalidPocId,
    );
    assert_code(&raw.post("goods_list", &[]).await, ResultCode::InvalidPocId);
}

#[tokio::test]
async fn code_04_resending_an_expired_coupon() {
    let (sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-04").await;
    let admin = format!(
        "http://{}/_admin/coupons/{}/expire",
        sandbox.addr(),
        coupons[0]
    );
    let marked = raw.client.post(admin).send().await.expect("admin answers");
    assert!(marked.status().is_success());
    let coupon = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", coupons[0].as_str()),
    ];
    let reply = raw.post("coupon_resend", &coupon).await;
    assert_code(&reply, ResultCode::CouponExpired);
    // never used: the status table has no "expired" value
    let status = raw.post("coupon_status", &coupon).await;
    assert_eq!(status.all("STATUS"), ["000"], "{}", status.xml);
}

#[tokio::test]
async fn code_05_an_ended_integration_period() {
    let (_sandbox, raw) = default_raw().await;
    assert_code(
        &raw.post("goods_list", &[("POC_ID", ENDED_POC_ID)]).await,
        ResultCode::IntegrationPeriodEnded,
    );
}

#[tokio::test]
async fn code_09_goods_list_past_the_daily_limit() {
    let mut config = config();
    config.goods_list_daily_limit = 2;
    let sandbox = start(config).await;
    let raw = Raw::new(&sandbox);
    for _ in 0..2 {
        assert_code(
            &raw.post("goods_list", &[("POC_ID", POC)]).await,
            ResultCode::Success,
        );
    }
    assert_code(
        &raw.post("goods_list", &[("POC_ID", POC)]).await,
        ResultCode::GoodsListDailyLimitExceeded,
    );
    // Other operations are not counted against it.
    assert_code(
        &raw.post("coupon_send", &send_params("tr-09", COFFEE, ALICE))
            .await,
        ResultCode::Success,
    );
}

#[tokio::test]
async fn code_10_unknown_goods() {
    let (sandbox, raw) = default_raw().await;
    let reply = raw
        .post("coupon_send", &send_params("tr-10", "0000999999", ALICE))
        .await;
    assert_code(&reply, ResultCode::InvalidGoods);
    assert_code(
        &raw.post(
            "coupon_status",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", "0000999999"),
                ("BARCODE_NUM", "123456789012"),
            ],
        )
        .await,
        ResultCode::InvalidGoods,
    );
    assert!(sandbox.ledger().orders.is_empty());
}

#[tokio::test]
async fn code_12_a_reused_tr_id_issues_nothing_more() {
    let (sandbox, raw) = default_raw().await;
    issue(&raw, "tr-12").await;
    let again = raw
        .post("coupon_send", &send_params("tr-12", COFFEE, ALICE))
        .await;
    assert_code(&again, ResultCode::DuplicateTrId);
    let ledger = sandbox.ledger();
    assert_eq!(ledger.orders_per_tr_id().get("tr-12"), Some(&1));
    assert_eq!(ledger.coupon_count(), 2);
}

#[tokio::test]
async fn code_16_a_coupon_number_not_of_these_goods() {
    let (_sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-16").await;
    for (goods, number) in [
        (COFFEE, "000000000000"),
        ("0000100002", coupons[0].as_str()),
    ] {
        let reply = raw
            .post(
                "coupon_status",
                &[
                    ("POC_ID", POC),
                    ("GOODS_ID", goods),
                    ("BARCODE_NUM", number),
                ],
            )
            .await;
        assert_code(&reply, ResultCode::InvalidCouponNumber);
    }
}

#[tokio::test]
async fn code_17_cancelling_a_used_coupon() {
    let (sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-17").await;
    let admin = format!(
        "http://{}/_admin/coupons/{}/redeem",
        sandbox.addr(),
        coupons[1]
    );
    assert!(
        raw.client
            .post(admin)
            .send()
            .await
            .expect("admin answers")
            .status()
            .is_success()
    );
    let reply = raw
        .post(
            "coupon_cancel",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", COFFEE),
                ("BARCODE_NUM", &coupons[1]),
            ],
        )
        .await;
    assert_code(&reply, ResultCode::CouponAlreadyUsed);
}

#[tokio::test]
async fn code_18_cancelling_twice() {
    let (_sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-18").await;
    let cancel = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", coupons[0].as_str()),
    ];
    let first = raw.post("coupon_cancel", &cancel).await;
    assert_code(&first, ResultCode::Success);
    assert_eq!(first.first("BARCODE_NUM"), Some(coupons[0].clone()));
    assert_code(
        &raw.post("coupon_cancel", &cancel).await,
        ResultCode::CouponAlreadyCancelled,
    );
}

#[tokio::test]
async fn code_20_the_fourth_resend() {
    let (_sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-20").await;
    let resend = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", coupons[0].as_str()),
    ];
    for sends in 2..=4 {
        let reply = raw.post("coupon_resend", &resend).await;
        assert_code(&reply, ResultCode::Success);
        assert_eq!(reply.first("SEND_CNT"), Some(sends.to_string()));
    }
    assert_code(
        &raw.post("coupon_resend", &resend).await,
        ResultCode::ResendLimitExceeded,
    );
}

#[tokio::test]
async fn code_23_the_same_write_repeated_within_the_window() {
    let mut config = config();
    config.duplicate_window = Duration::from_secs(30);
    let sandbox = start(config).await;
    let raw = Raw::new(&sandbox);
    let (_, coupons) = issue(&raw, "tr-23").await;
    let resend = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", coupons[0].as_str()),
    ];
    assert_code(
        &raw.post("coupon_resend", &resend).await,
        ResultCode::Success,
    );
    assert_code(
        &raw.post("coupon_resend", &resend).await,
        ResultCode::DuplicateRequest,
    );
    // A failed send repeated identically is a duplicate request too.
    let off = send_params("tr-23b", "0000999999", ALICE);
    assert_code(
        &raw.post("coupon_send", &off).await,
        ResultCode::InvalidGoods,
    );
    assert_code(
        &raw.post("coupon_send", &off).await,
        ResultCode::DuplicateRequest,
    );
}

#[tokio::test]
async fn code_27_a_validity_end_in_the_past() {
    let (_sandbox, raw) = default_raw().await;
    let mut params = send_params("tr-27", COFFEE, ALICE);
    params.push(("VALID_END", "20260101"));
    assert_code(
        &raw.post("coupon_send", &params).await,
        ResultCode::InvalidValidityEndDate,
    );
}

#[tokio::test]
async fn code_28_validity_dates_for_goods_that_cannot_change_them() {
    let (_sandbox, raw) = default_raw().await;
    let mut params = send_params("tr-28", FIXED_VALIDITY, ALICE);
    params.push(("VALID_END", "20261231"));
    assert_code(
        &raw.post("coupon_send", &params).await,
        ResultCode::ValidityNotChangeable,
    );
    // Without dates the same goods issues fine.
    assert_code(
        &raw.post("coupon_send", &send_params("tr-28b", FIXED_VALIDITY, ALICE))
            .await,
        ResultCode::Success,
    );
}

#[tokio::test]
async fn code_29_a_validity_start_in_the_past() {
    let (_sandbox, raw) = default_raw().await;
    let mut params = send_params("tr-29", COFFEE, ALICE);
    params.push(("VALID_START", "20260101"));
    params.push(("VALID_END", "20261231"));
    assert_code(
        &raw.post("coupon_send", &params).await,
        ResultCode::InvalidValidityStartDate,
    );
}

#[tokio::test]
async fn code_30_goods_outside_their_sale_period() {
    let (_sandbox, raw) = default_raw().await;
    assert_code(
        &raw.post("coupon_send", &send_params("tr-30", OFF_SEASON, ALICE))
            .await,
        ResultCode::GoodsNotOnSale,
    );
}

#[tokio::test]
async fn code_31_a_discontinued_sale_goods_id() {
    let (_sandbox, raw) = default_raw().await;
    let reply = raw
        .post("coupon_send", &send_params("tr-31", DISCONTINUED, ALICE))
        .await;
    assert_code(&reply, ResultCode::InvalidSaleGoodsId);
}

#[tokio::test]
async fn code_95_past_the_issue_limit() {
    let mut config = config();
    config.accounts = vec![PocAccount::new(POC).with_issue_limit(3)];
    let sandbox = start(config).await;
    let raw = Raw::new(&sandbox);
    issue(&raw, "tr-95a").await;
    let reply = raw
        .post(
            "coupon_send",
            &send_params("tr-95b", COFFEE, &format!("{ALICE},{BOB}")),
        )
        .await;
    assert_code(&reply, ResultCode::IssueLimitExceeded);
    assert_code(
        &raw.post("coupon_send", &send_params("tr-95c", COFFEE, ALICE))
            .await,
        ResultCode::Success,
    );
    assert_eq!(sandbox.ledger().coupon_count(), 3);
}

#[tokio::test]
async fn code_98_an_operation_the_account_may_not_call() {
    let (_sandbox, raw) = default_raw().await;
    let mut params = send_params("tr-98", COFFEE, ALICE);
    params[0] = ("POC_ID", LOOKUP_ONLY_POC_ID);
    assert_code(
        &raw.post("coupon_send", &params).await,
        ResultCode::ApiNotPermitted,
    );
    assert_code(
        &raw.post("goods_list", &[("POC_ID", LOOKUP_ONLY_POC_ID)])
            .await,
        ResultCode::Success,
    );
}

#[tokio::test]
async fn the_lifecycle_by_raw_http() {
    let (sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-life").await;
    assert_eq!(coupons.len(), 2);
    let coupon = |number: &str| {
        vec![
            ("POC_ID", POC.to_owned()),
            ("GOODS_ID", COFFEE.to_owned()),
            ("BARCODE_NUM", number.to_owned()),
        ]
    };
    let with = |mut base: Vec<(&'static str, String)>, extra: &[(&'static str, &str)]| {
        base.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        base
    };
    let as_refs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let status = as_refs(&coupon(&coupons[1]));
    let status: Vec<(&str, &str)> = status.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = raw.post("coupon_status", &status).await;
    assert_code(&reply, ResultCode::Success);
    assert_eq!(reply.all("RECEIVER_MOBILE"), [BOB]);
    let change = with(coupon(&coupons[1]), &[("RECEIVER_MOBILE", "01055556666")]);
    let change: Vec<(&str, &str)> = change.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_code(
        &raw.post("change_recipient", &change).await,
        ResultCode::Success,
    );
    let image = with(
        coupon(&coupons[1]),
        &[("SEND_PHONE", SENDER), ("SEND_TITLE", "쿠폰 이미지")],
    );
    let image: Vec<(&str, &str)> = image.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let image = raw.post("coupon_image_send", &image).await;
    assert_code(&image, ResultCode::Success);
    assert_eq!(image.first("SEND_CNT").as_deref(), Some("2"));
    let created = create(&raw, "tr-create", "0000300002", 3).await;
    assert_eq!(created.len(), 3);
    let ledger = sandbox.ledger();
    assert_eq!(ledger.coupon_count(), 5);
    let (_, changed) = ledger.coupon(&coupons[1]).expect("coupon in ledger");
    assert_eq!(changed.recipient.as_deref(), Some("01055556666"));
}

#[tokio::test]
async fn admin_ledger_route_answers_json() {
    let (sandbox, raw) = default_raw().await;
    issue(&raw, "tr-admin").await;
    let body = raw
        .client
        .get(format!("http://{}/_admin/ledger", sandbox.addr()))
        .send()
        .await
        .expect("admin answers")
        .text()
        .await
        .expect("body");
    let ledger: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ledger["orders"][0]["tr_id"], "tr-admin");
    assert_eq!(
        ledger["orders"][0]["coupons"].as_array().map(Vec::len),
        Some(2)
    );
    let missing = raw
        .client
        .post(format!("http://{}/_admin/coupons/nope/use", sandbox.addr()))
        .send()
        .await
        .expect("admin answers");
    assert_eq!(missing.status().as_u16(), 404);
}

#[tokio::test]
async fn utf8_setting_reads_utf8_requests() {
    let mut config = config();
    config.charset = coufun_api::Charset::Utf8;
    let sandbox = start(config).await;
    let raw = Raw::new(&sandbox);
    let body = format!(
        "POC_ID={POC}&GOODS_ID={COFFEE}&TR_ID=tr-utf8&SEND_PHONE={SENDER}&RECEIVER_MOBILE={ALICE}&SEND_TITLE={}",
        percent_encoding::utf8_percent_encode("선물", percent_encoding::NON_ALPHANUMERIC)
    );
    let response = raw
        .client
        .post(format!("{}{}", raw.base, path_of("coupon_send")))
        .body(body)
        .send()
        .await
        .expect("answered");
    let text = response.text().await.expect("utf-8 body");
    assert!(text.contains("encoding=\"UTF-8\""), "{text}");
    assert!(
        text.contains(&format!(">{}<", ResultCode::Success.as_str())),
        "{text}"
    );
}

#[tokio::test]
async fn methods_outside_the_spec_are_refused() {
    let (_sandbox, raw) = default_raw().await;
    let response = raw
        .client
        .put(format!("{}{}", raw.base, path_of("goods_list")))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 405);
}

// Field rules: checked by the generated validators the SDK uses, on the raw
// parameters. Text limits are counted in CP949 bytes (a Hangul syllable is 2).

/// `n` Hangul syllables: 2n CP949 bytes (3n in UTF-8).
fn hangul(n: usize) -> String {
    "가".repeat(n)
}

async fn send_with(
    extra: &[(&str, &str)],
    replace: &[(&str, &str)],
) -> (coufun_sandbox::Sandbox, Reply) {
    let (sandbox, raw) = default_raw().await;
    let recipients = ALICE.to_owned();
    let mut params = send_params("tr-field", COFFEE, &recipients);
    for (name, value) in replace {
        for p in params.iter_mut() {
            if p.0 == *name {
                p.1 = value;
            }
        }
    }
    params.extend_from_slice(extra);
    let reply = raw.post("coupon_send", &params).await;
    (sandbox, reply)
}

/// The spec's bound on `CREATE_CNT` (the generated `Quantity` constants; the
/// create manual's 10 today).
fn quantity_max() -> u64 {
    Quantity::MAX.expect("the spec bounds CREATE_CNT")
}

#[tokio::test]
async fn code_08_a_quantity_of_zero_or_over_ten() {
    let over = (quantity_max() + 1).to_string();
    for count in ["0", over.as_str()] {
        let (sandbox, reply) = send_with(&[("CREATE_CNT", count)], &[]).await;
        assert_code(&reply, ResultCode::InvalidQuantity);
        assert!(sandbox.ledger().orders.is_empty());
    }
}

/// The sandbox's CREATE_CNT bounds are the spec's, read from the generated
/// `Quantity` constants (no literal of its own): it accepts `Quantity::MAX`
/// and `Quantity::MIN` and answers 08 for one more and one fewer. Raise the
/// limit in `spec/endpoints.toml`, regenerate, and this test still passes.
#[tokio::test]
async fn create_cnt_bounds_are_the_generated_constants() {
    let (sandbox, raw) = default_raw().await;
    let create = |tr_id: &'static str, count: u64| {
        let raw = &raw;
        async move {
            let count = count.to_string();
            let params = [
                ("POC_ID", POC),
                ("GOODS_ID", COFFEE),
                ("CREATE_CNT", count.as_str()),
                ("TR_ID", tr_id),
            ];
            raw.post("coupon_create", &params).await
        }
    };
    let max = quantity_max();
    let most = create("tr-max", max).await;
    assert_code(&most, ResultCode::Success);
    assert_eq!(
        most.first("ORDER_CNT"),
        Some(max.to_string()),
        "{}",
        most.xml
    );
    assert_eq!(most.all("BARCODE_NUM").len() as u64, max, "{}", most.xml);
    let least = create("tr-min", Quantity::MIN).await;
    assert_code(&least, ResultCode::Success);
    assert_eq!(least.all("BARCODE_NUM").len() as u64, Quantity::MIN);
    assert_code(&create("tr-over", max + 1).await, Quantity::CODE);
    assert_code(&create("tr-under", Quantity::MIN - 1).await, Quantity::CODE);
    let ledger = sandbox.ledger();
    assert_eq!(ledger.orders.len(), 2, "only the two within bounds issued");
    assert_eq!(ledger.coupon_count() as u64, max + Quantity::MIN);
}

#[tokio::test]
async fn code_11_a_tr_id_over_50_bytes() {
    let long = "t".repeat(51);
    let (_sandbox, reply) = send_with(&[], &[("TR_ID", &long)]).await;
    assert_code(&reply, ResultCode::TrIdTooLong);
    let fits = "t".repeat(50);
    let (_sandbox, reply) = send_with(&[], &[("TR_ID", &fits)]).await;
    assert_code(&reply, ResultCode::Success);
}

#[tokio::test]
async fn code_13_a_sender_with_letters() {
    let (_sandbox, reply) = send_with(&[], &[("SEND_PHONE", "02-CALL-ME")]).await;
    assert_code(&reply, ResultCode::InvalidSenderNumber);
}

#[tokio::test]
async fn code_14_a_recipient_that_is_not_a_mobile_number() {
    let (_sandbox, reply) = send_with(&[], &[("RECEIVER_MOBILE", "0212345678")]).await;
    assert_code(&reply, ResultCode::InvalidRecipientNumber);
}

#[tokio::test]
async fn code_15_ten_recipients() {
    let ten = (0..10)
        .map(|i| format!("0101234567{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let (_sandbox, reply) = send_with(&[], &[("RECEIVER_MOBILE", &ten)]).await;
    assert_code(&reply, ResultCode::TooManyRecipients);
    let nine = (0..9)
        .map(|i| format!("0101234567{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let (sandbox, reply) = send_with(&[], &[("RECEIVER_MOBILE", &nine)]).await;
    assert_code(&reply, ResultCode::Success);
    assert_eq!(sandbox.ledger().coupon_count(), 9);
}

#[tokio::test]
async fn code_19_an_unknown_send_type() {
    let (_sandbox, reply) = send_with(&[("SEND_TYPE", "X")], &[]).await;
    assert_code(&reply, ResultCode::InvalidSendType);
}

#[tokio::test]
async fn code_21_a_subject_over_40_cp949_bytes() {
    let over = hangul(21);
    let (_sandbox, reply) = send_with(&[], &[("SEND_TITLE", &over)]).await;
    assert_code(&reply, ResultCode::InvalidSubject);
    // 20 syllables are 40 CP949 bytes (60 in UTF-8): accepted.
    let at_limit = hangul(20);
    let (_sandbox, reply) = send_with(&[], &[("SEND_TITLE", &at_limit)]).await;
    assert_code(&reply, ResultCode::Success);
}

#[tokio::test]
async fn code_22_a_body_over_300_bytes() {
    let over = hangul(151);
    let (_sandbox, reply) = send_with(&[("SEND_MSG", &over)], &[]).await;
    assert_code(&reply, ResultCode::InvalidBody);
}

#[tokio::test]
async fn code_24_extra_input_1_over_200_bytes() {
    let over = hangul(101);
    let (_sandbox, reply) = send_with(&[("RESERVE1", &over)], &[]).await;
    assert_code(&reply, ResultCode::InvalidExtraInput1);
}

#[tokio::test]
async fn code_25_extra_input_2_over_200_bytes() {
    let over = hangul(101);
    let (_sandbox, reply) = send_with(&[("RESERVE2", &over)], &[]).await;
    assert_code(&reply, ResultCode::InvalidExtraInput2);
}

#[tokio::test]
async fn code_26_a_validity_start_after_its_end() {
    let (_sandbox, reply) = send_with(
        &[("VALID_START", "20261231"), ("VALID_END", "20261201")],
        &[],
    )
    .await;
    assert_code(&reply, ResultCode::InvalidValidityPeriod);
}

#[tokio::test]
async fn code_27_a_validity_end_that_is_no_date() {
    let (_sandbox, reply) = send_with(&[("VALID_END", "20261341")], &[]).await;
    assert_code(&reply, ResultCode::InvalidValidityEndDate);
}

#[tokio::test]
async fn code_29_a_validity_start_that_is_no_date() {
    let (_sandbox, reply) = send_with(&[("VALID_START", "2026-07-01")], &[]).await;
    assert_code(&reply, ResultCode::InvalidValidityStartDate);
}

#[tokio::test]
async fn a_catalogue_file_replaces_the_built_in_goods() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("goods.toml");
    std::fs::write(
        &path,
        "[[goods]]\ngoods_id = \"7000000001\"\nname = \"붕어빵 3개\"\ncategory_id = \"SNACK\"\n\
         category_name = \"간식\"\nbrand = \"골목포차\"\nprice = 2000\nsale_start = \"2024-01-01\"\n\
         sale_end = \"2099-12-31\"\nvalid_days = 7\n",
    )
    .expect("catalogue written");
    let mut config = config();
    config.catalogue = coufun_sandbox::Catalogue::from_file(&path).expect("catalogue loads");
    let sandbox = start(config).await;
    let raw = Raw::new(&sandbox);
    let list = raw.post("goods_list", &[("POC_ID", POC)]).await;
    assert_code(&list, ResultCode::Success);
    assert_eq!(list.all("GOODS_ID"), ["7000000001"]);
    assert_eq!(list.all("GOODS_NAME"), ["붕어빵 3개"]);
    let reply = raw
        .post("coupon_send", &send_params("tr-file", COFFEE, ALICE))
        .await;
    assert_code(&reply, ResultCode::InvalidGoods);
}

#[tokio::test]
async fn issuing_answers_echo_the_order() {
    let (sandbox, raw) = default_raw().await;
    // a send: its TR_ID, and each coupon's recipient and last day
    let recipients = format!("{ALICE},{BOB}");
    let params = send_params("tr-echo-send", COFFEE, &recipients);
    let sent = raw.post("coupon_send", &params).await;
    assert_code(&sent, ResultCode::Success);
    assert_eq!(sent.first("TR_ID").as_deref(), Some("tr-echo-send"));
    assert_eq!(sent.all("RECEIVER_MOBILE"), [ALICE, BOB], "{}", sent.xml);
    let ledger = sandbox.ledger();
    let order = ledger.order_by_tr_id("tr-echo-send").expect("issued");
    let last_days: Vec<String> = order
        .coupons
        .iter()
        .map(|c| c.valid_until.strftime("%Y%m%d").to_string())
        .collect();
    assert_eq!(sent.all("VALID_END_DATE"), last_days, "{}", sent.xml);
    let status = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", order.coupons[0].coupon_number.as_str()),
    ];
    let status = raw.post("coupon_status", &status).await;
    assert_eq!(
        status.all("VALID_END_DATE"),
        last_days[..1],
        "{}",
        status.xml
    );
    // a create: the goods' category and both reserved fields
    let params = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("CREATE_CNT", "1"),
        ("TR_ID", "tr-echo-create"),
        ("RESERVE1", "first"),
        ("RESERVE2", "second"),
    ];
    let created = raw.post("coupon_create", &params).await;
    assert_code(&created, ResultCode::Success);
    let category = sandbox
        .catalogue()
        .get(COFFEE)
        .map(|g| g.category_id.clone());
    assert!(category.is_some());
    assert_eq!(created.first("CAT_ID"), category, "{}", created.xml);
    assert_eq!(created.first("RESERVE1").as_deref(), Some("first"));
    assert_eq!(created.first("RESERVE2").as_deref(), Some("second"));
}

#[tokio::test]
async fn coupon_writes_answer_their_coupon_and_a_created_one_is_sent_only_to_a_number() {
    let (_sandbox, raw) = default_raw().await;
    let (first, _) = issue(&raw, "tr-writes").await;
    let (second, sent) = issue(&raw, "tr-writes-2").await;
    assert_ne!(first, second, "each order its own id");
    let coupon = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", sent[0].as_str()),
    ];
    let resent = raw.post("coupon_resend", &coupon).await;
    assert_code(&resent, ResultCode::Success);
    assert_eq!(resent.first("BARCODE_NUM"), Some(sent[0].clone()));
    let mut change = coupon.to_vec();
    change.push(("RECEIVER_MOBILE", BOB));
    let changed = raw.post("change_recipient", &change).await;
    assert_code(&changed, ResultCode::Success);
    assert_eq!(changed.first("BARCODE_NUM"), Some(sent[0].clone()));
    let mut image = coupon.to_vec();
    image.extend([("SEND_PHONE", SENDER), ("SEND_TITLE", "쿠폰 이미지")]);
    let imaged = raw.post("coupon_image_send", &image).await;
    assert_code(&imaged, ResultCode::Success);
    assert_eq!(imaged.first("BARCODE_NUM"), Some(sent[0].clone()));
    // a created coupon has no recipient: resent or imaged to nobody it is
    // no coupon of a recipient (16); imaged to a number it is sent
    let created = create(&raw, "tr-writes-create", COFFEE, 1).await;
    let coupon = [
        ("POC_ID", POC),
        ("GOODS_ID", COFFEE),
        ("BARCODE_NUM", created[0].as_str()),
    ];
    assert_code(
        &raw.post("coupon_resend", &coupon).await,
        ResultCode::InvalidCouponNumber,
    );
    let mut image = coupon.to_vec();
    image.extend([("SEND_PHONE", SENDER), ("SEND_TITLE", "쿠폰 이미지")]);
    assert_code(
        &raw.post("coupon_image_send", &image).await,
        ResultCode::InvalidCouponNumber,
    );
    image.push(("RECEIVER_MOBILE", ALICE));
    assert_code(
        &raw.post("coupon_image_send", &image).await,
        ResultCode::Success,
    );
}

#[tokio::test]
async fn admin_use_and_expire_routes_answer_no_content() {
    let (sandbox, raw) = default_raw().await;
    let (_, coupons) = issue(&raw, "tr-admin-use").await;
    let admin = |path: String| {
        let client = raw.client.clone();
        let url = format!("http://{}/_admin/coupons/{path}", sandbox.addr());
        async move {
            let response = client.post(url).send().await.expect("admin answers");
            response.status().as_u16()
        }
    };
    // a use in whole takes no amount (one given is not read)
    assert_eq!(admin(format!("{}/use?amount=lots", coupons[0])).await, 204);
    assert_eq!(admin(format!("{}/use", coupons[0])).await, 409);
    assert_eq!(admin(format!("{}/expire", coupons[1])).await, 204);
    assert_eq!(admin("000000000000/expire".to_owned()).await, 404);
    assert_eq!(admin(format!("{}/lend", coupons[1])).await, 404);
    let ledger = sandbox.ledger();
    let coupon = |number: &str| ledger.coupon(number).map(|(_, c)| c.clone());
    let used = coupon(&coupons[0]).expect("issued");
    assert_eq!(used.state, coufun_api::CouponStatus::Used);
    assert!(!used.expired);
    assert!(coupon(&coupons[1]).expect("issued").expired);
}

#[tokio::test]
async fn admin_redeem_routes_use_and_give_back_amounts() {
    let (sandbox, raw) = default_raw().await;
    let vouchers = create(&raw, "tr-redeem", VOUCHER, 1).await;
    let coffee = create(&raw, "tr-redeem-coffee", COFFEE, 1).await;
    let admin = |path: String| {
        let client = raw.client.clone();
        let url = format!("http://{}/_admin/coupons/{path}", sandbox.addr());
        async move {
            let response = client.post(url).send().await.expect("admin answers");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        }
    };
    let (status, body) = admin(format!("{}/redeem?amount=4000", vouchers[0])).await;
    assert_eq!(status, 200, "{body}");
    let used: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (used["amount"].as_u64(), used["balance"].as_u64()),
        (Some(4000), Some(6000))
    );
    // the state as the status manual's table writes it
    assert_eq!(used["state"], coufun_api::CouponStatus::Used.as_wire());
    // more than the balance, a number that is none, an amount for an exchange voucher
    assert_eq!(
        admin(format!("{}/redeem?amount=6001", vouchers[0])).await.0,
        409
    );
    assert_eq!(
        admin(format!("{}/redeem?amount=lots", vouchers[0])).await.0,
        400
    );
    assert_eq!(admin(format!("{}/redeem?amount=1", coffee[0])).await.0, 409);
    assert_eq!(admin("000000000000/redeem".to_owned()).await.0, 404);
    // a use-cancel gives the amount back
    let (status, body) = admin(format!("{}/cancel-use?amount=1500", vouchers[0])).await;
    assert_eq!(status, 200, "{body}");
    let status_reply = raw
        .post(
            "coupon_status",
            &[
                ("POC_ID", POC),
                ("GOODS_ID", VOUCHER),
                ("BARCODE_NUM", &vouchers[0]),
            ],
        )
        .await;
    assert_eq!(status_reply.first("REMAIN_AMOUNT").as_deref(), Some("7500"));
    assert_eq!(status_reply.first("STATUS").as_deref(), Some("001"));
    // an exchange voucher is used in whole, once
    assert_eq!(admin(format!("{}/redeem", coffee[0])).await.0, 200);
    assert_eq!(admin(format!("{}/redeem", coffee[0])).await.0, 409);
    let ledger = sandbox.ledger();
    assert_eq!(ledger.redemptions.len(), 3);
    assert_eq!(ledger.redemptions[2].coupon_number, coffee[0]);
}
