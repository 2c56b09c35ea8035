//! Checked requests end to end: every field rule at its limit and one past it (in
//! Hangul, ASCII and mixed text), the code each violation answers, all violations
//! reported at once, UTF-8 counting, wire parsing, and masking of phone numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coufun_api::field::FieldInput;
use coufun_api::{
    Body, Charset, CouponSendRequest, CouponStatusRequest, ExtraInput, GoodsId, MobileNumber,
    Operation, Quantity, ResultCode, SenderNumber, Subject, TrId, UserId, ValidationErrors,
    Violation, recipient, recipients, result_code, sender, subject, tr_id,
};

/// The CP949 text styles each text limit is tested in.
#[derive(Debug, Clone, Copy)]
enum Style {
    Hangul,
    Ascii,
    Mixed,
}

const STYLES: [Style; 3] = [Style::Hangul, Style::Ascii, Style::Mixed];

/// Text of exactly `bytes` CP949 bytes in `style` (Hangul: one ASCII letter when
/// `bytes` is odd).
fn text_of(bytes: usize, style: Style) -> String {
    let mut text = String::new();
    let mut len = 0;
    let mut i = 0;
    while len < bytes {
        let hangul = match style {
            Style::Hangul => bytes - len >= 2,
            Style::Ascii => false,
            Style::Mixed => i % 2 == 0 && bytes - len >= 2,
        };
        if hangul {
            text.push('쿠');
            len += 2;
        } else {
            text.push('a');
            len += 1;
        }
        i += 1;
    }
    assert_eq!(coufun_api::byte_len(&text, Charset::Cp949), Ok(bytes));
    text
}

fn wire(field: &str) -> &'static str {
    CouponSendRequest::FIELDS
        .iter()
        .find(|f| f.name == field)
        .map(|f| f.wire)
        .unwrap_or_else(|| panic!("no field {field}"))
}

/// Valid wire parameters of a coupon send, with `overrides` replacing (or, with an
/// empty value, removing) parameters by field name.
fn send_params(overrides: &[(&str, String)]) -> Vec<(String, String)> {
    let base = [
        ("goods_id", "0000012345".to_owned()),
        ("tr_id", "TR-0001".to_owned()),
        ("sender", "0212345678".to_owned()),
        ("subject", "쿠폰 도착".to_owned()),
        ("recipients", "01012345678".to_owned()),
    ];
    let mut params: Vec<(String, String)> = base
        .iter()
        .filter(|(name, _)| !overrides.iter().any(|(o, _)| o == name))
        .map(|(name, v)| (wire(name).to_owned(), v.clone()))
        .collect();
    for (name, value) in overrides {
        if !value.is_empty() {
            params.push((wire(name).to_owned(), value.clone()));
        }
    }
    params
}

fn send_from_wire(
    overrides: &[(&str, String)],
    charset: Charset,
) -> Result<CouponSendRequest, ValidationErrors> {
    CouponSendRequest::from_wire(&send_params(overrides), charset)
}

fn code_of(field: &str) -> ResultCode {
    CouponSendRequest::FIELDS
        .iter()
        .find(|f| f.name == field)
        .map(|f| f.code)
        .unwrap_or_else(|| panic!("no field {field}"))
}

/// Asserts `result` failed with exactly one error on `field`, answering `code`.
fn assert_one_error(
    result: Result<CouponSendRequest, ValidationErrors>,
    field: &str,
    code: ResultCode,
) -> coufun_api::ValidationError {
    let errors = result.expect_err("should be rejected");
    assert_eq!(errors.len(), 1, "{errors}");
    let e = errors.first().clone();
    assert_eq!(e.field(), field, "{e}");
    assert_eq!(e.code(), code, "{e}");
    e
}

#[test]
fn every_text_limit_at_and_past_its_limit_in_every_style() {
    let limits = [
        ("subject", Subject::MAX_BYTES),
        ("body", Body::MAX_BYTES),
        ("reserve1", ExtraInput::MAX_BYTES),
        ("reserve2", ExtraInput::MAX_BYTES),
        ("tr_id", TrId::MAX_BYTES),
        ("user_id", UserId::MAX_BYTES),
    ];
    for (field, max) in limits {
        let max = max as usize;
        for style in STYLES {
            let at = send_from_wire(&[(field, text_of(max, style))], Charset::Cp949);
            assert!(at.is_ok(), "{field} at {max} bytes ({style:?}): {at:?}");
            let past = send_from_wire(&[(field, text_of(max + 1, style))], Charset::Cp949);
            let e = assert_one_error(past, field, code_of(field));
            assert_eq!(e.rule(), "max_bytes");
            assert_eq!(e.limit(), Some(max as u64));
            assert_eq!(e.measured(), Some(max as u64 + 1));
            assert_eq!(e.wire_name(), wire(field));
        }
    }
}

#[test]
fn extra_inputs_share_a_kind_but_answer_their_own_codes() {
    assert_eq!(code_of("reserve1"), result_code!("24"));
    assert_eq!(code_of("reserve2"), result_code!("25"));
    let long = text_of(ExtraInput::MAX_BYTES as usize + 1, Style::Hangul);
    let errors = send_from_wire(
        &[("reserve1", long.clone()), ("reserve2", long)],
        Charset::Cp949,
    )
    .unwrap_err();
    let codes: Vec<ResultCode> = errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes, [result_code!("24"), result_code!("25")]);
}

#[test]
fn twenty_hangul_syllables_fit_a_subject_and_twenty_one_do_not() {
    let build = |subject: String, charset: Charset| {
        CouponSendRequest::builder()
            .goods_id("0000012345")
            .tr_id("TR-1")
            .sender("02-1234-5678")
            .subject(subject)
            .recipients(["010-1234-5678"])
            .build_with(charset)
    };
    assert!(build("가".repeat(20), Charset::Cp949).is_ok());
    let e = assert_one_error(
        build("가".repeat(21), Charset::Cp949),
        "subject",
        result_code!("21"),
    );
    assert_eq!(e.measured(), Some(42));
    assert_eq!(e.charset(), Charset::Cp949);

    // Counted in UTF-8 (3 bytes a syllable), 13 fit in 40 bytes and 14 do not.
    assert!(build("가".repeat(13), Charset::Utf8).is_ok());
    let e = assert_one_error(
        build("가".repeat(14), Charset::Utf8),
        "subject",
        result_code!("21"),
    );
    assert_eq!(e.measured(), Some(42));
    assert_eq!(e.charset(), Charset::Utf8);
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn required_text_may_not_be_empty_and_emoji_is_refused() {
    let e = assert_one_error(
        send_from_wire(&[("subject", String::new())], Charset::Cp949),
        "subject",
        result_code!("21"),
    );
    assert_eq!(*e.violation(), Violation::Missing);
    let e = assert_one_error(
        send_from_wire(&[("subject", "선물 🎁 도착".into())], Charset::Cp949),
        "subject",
        result_code!("21"),
    );
    assert!(matches!(
        e.violation(),
        Violation::Unencodable {
            ch: '🎁',
            index: 3,
            ..
        }
    ));
    assert!(e.to_string().contains("U+1F381"), "{e}");
    // UTF-8 can encode it.
    assert!(send_from_wire(&[("subject", "선물 🎁".into())], Charset::Utf8).is_ok());
}

#[test]
fn sender_digits_at_and_past_the_limit() {
    let max = SenderNumber::MAX_LEN as usize;
    let digits = |n: usize| "1".repeat(n);
    assert!(send_from_wire(&[("sender", digits(max))], Charset::Cp949).is_ok());
    let e = assert_one_error(
        send_from_wire(&[("sender", digits(max + 1))], Charset::Cp949),
        "sender",
        result_code!("13"),
    );
    assert_eq!(
        (e.limit(), e.measured()),
        (Some(max as u64), Some(max as u64 + 1))
    );
    // Separators are stripped before counting.
    let spaced = format!("{}-{} {}", digits(4), digits(4), digits(max - 8));
    let request = send_from_wire(&[("sender", spaced)], Charset::Cp949).unwrap();
    assert_eq!(request.sender().as_str(), digits(max));
    assert_one_error(
        send_from_wire(&[("sender", "02-1234-567x".into())], Charset::Cp949),
        "sender",
        result_code!("13"),
    );
}

#[test]
fn mobile_numbers_follow_the_prefix_rules() {
    let ok = [
        "010-1234-5678",
        "01012345678",
        "011-123-4567",
        "011-1234-5678",
        "016 123 4567",
        "017-1234-5678",
        "018-123-4567",
        "019-1234-5678",
    ];
    for n in ok {
        assert!(MobileNumber::new(n).is_ok(), "{n}");
    }
    let bad = [
        "010-123-4567",   // 7 digits after 010
        "010-1234-56789", // 9 after 010
        "011-12-3456",    // 6 after 011
        "011-1234-56789", // 9 after 011
        "012-1234-5678",  // no such prefix
        "02-1234-5678",   // a land line
        "010-1234-567O",  // a letter
        "",
    ];
    for n in bad {
        let e = assert_one_error(
            send_from_wire(
                &[("recipients", format!("01011112222,{n}"))],
                Charset::Cp949,
            ),
            "recipients",
            result_code!("14"),
        );
        // An empty item is refused like a missing one; the index is reported.
        assert_eq!(e.index(), Some(1), "{n}");
        assert!(!e.to_string().contains("1234"), "phone digits leaked: {e}");
    }
}

#[test]
fn recipients_at_and_past_the_list_limit() {
    let max = CouponSendRequest::RECIPIENTS_LIST.max as usize;
    let numbers = |n: usize| -> Vec<String> { (0..n).map(|i| format!("0101234{i:04}")).collect() };
    let build = |list: Vec<String>| {
        CouponSendRequest::builder()
            .goods_id("0000012345")
            .tr_id("TR-1")
            .sender("0212345678")
            .subject("제목")
            .recipients(list)
            .build()
    };
    assert_eq!(build(numbers(max)).unwrap().recipients().len(), max);
    let e = assert_one_error(build(numbers(max + 1)), "recipients", result_code!("15"));
    assert_eq!(
        (e.limit(), e.measured()),
        (Some(max as u64), Some(max as u64 + 1))
    );

    // Too many and one bad: both reported, the count first.
    let mut list = numbers(max + 1);
    list[3] = "010-1".into();
    let errors = build(list).unwrap_err();
    let codes: Vec<_> = errors.iter().map(|e| (e.code(), e.index())).collect();
    assert_eq!(
        codes,
        [(result_code!("15"), None), (result_code!("14"), Some(3))]
    );

    // On the wire the same rules apply to the comma-separated list.
    let wire_list = numbers(max + 1).join(",");
    assert_one_error(
        send_from_wire(&[("recipients", wire_list)], Charset::Cp949),
        "recipients",
        result_code!("15"),
    );
}

#[test]
fn quantity_dates_send_type_and_goods_id() {
    let min = Quantity::MIN;
    assert!(send_from_wire(&[("quantity", min.to_string())], Charset::Cp949).is_ok());
    assert_one_error(
        send_from_wire(&[("quantity", (min - 1).to_string())], Charset::Cp949),
        "quantity",
        result_code!("08"),
    );
    if let Some(max) = Quantity::MAX {
        assert!(send_from_wire(&[("quantity", max.to_string())], Charset::Cp949).is_ok());
        assert_one_error(
            send_from_wire(&[("quantity", (max + 1).to_string())], Charset::Cp949),
            "quantity",
            result_code!("08"),
        );
    }
    assert_one_error(
        send_from_wire(&[("quantity", "two".into())], Charset::Cp949),
        "quantity",
        result_code!("08"),
    );

    let dates = |from: &str, until: &str| {
        send_from_wire(
            &[("valid_from", from.into()), ("valid_until", until.into())],
            Charset::Cp949,
        )
    };
    assert!(dates("20240229", "20240229").is_ok());
    assert_one_error(
        dates("20230229", "20240101"),
        "valid_from",
        result_code!("29"),
    );
    assert_one_error(
        dates("20240101", "20241301"),
        "valid_until",
        result_code!("27"),
    );
    assert_one_error(
        dates("20240102", "20240101"),
        "valid_from, valid_until",
        result_code!("26"),
    );

    assert!(send_from_wire(&[("send_type", "M".into())], Charset::Cp949).is_ok());
    assert_one_error(
        send_from_wire(&[("send_type", "X".into())], Charset::Cp949),
        "send_type",
        result_code!("19"),
    );

    let max = GoodsId::MAX_LEN as usize;
    assert!(send_from_wire(&[("goods_id", "0".repeat(max))], Charset::Cp949).is_ok());
    assert_one_error(
        send_from_wire(&[("goods_id", "0".repeat(max + 1))], Charset::Cp949),
        "goods_id",
        result_code!("10"),
    );
}

#[test]
fn a_missing_required_parameter_answers_its_fields_code() {
    for field in ["goods_id", "tr_id", "sender", "subject", "recipients"] {
        let e = assert_one_error(
            send_from_wire(&[(field, String::new())], Charset::Cp949),
            field,
            code_of(field),
        );
        assert_eq!(*e.violation(), Violation::Missing);
    }
    // status names one coupon: GOODS_ID (10) and BARCODE_NUM (16) are both required
    let status = CouponStatusRequest::from_wire(&[], Charset::Cp949).unwrap_err();
    assert_eq!(status.code(), result_code!("10"));
    assert_eq!(status.len(), 2);
    assert!(status.iter().all(|e| *e.violation() == Violation::Missing));
    assert_eq!(
        status.iter().nth(1).map(|e| e.code()),
        Some(result_code!("16"))
    );
    assert!(
        CouponStatusRequest::builder()
            .goods_id("0000012345")
            .coupon_number("123456789012")
            .build()
            .is_ok()
    );
}

#[test]
fn every_violation_is_reported_at_once_in_wire_order() {
    let errors = CouponSendRequest::builder()
        .goods_id("bad id")
        .tr_id("")
        .sender("02-1234-5678-9999")
        .subject("가".repeat(21))
        .recipients(["010"])
        .body("나".repeat(151))
        .quantity(0)
        .build()
        .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field()).collect();
    assert_eq!(
        fields,
        [
            "goods_id",
            "tr_id",
            "sender",
            "subject",
            "recipients",
            "body",
            "quantity"
        ]
    );
    let text = errors.to_string();
    assert!(text.starts_with("7 invalid field(s)"), "{text}");
    assert!(
        text.contains("제목 오류") && text.contains("Subject error"),
        "{text}"
    );
}

#[test]
fn macro_literals_are_accepted_as_checked_and_rechecked_only_in_another_charset() {
    let build = |charset| {
        CouponSendRequest::builder()
            .goods_id("0000012345")
            .tr_id(tr_id!("TR-0001"))
            .sender(sender!("02-1234-5678"))
            .subject(subject!("가나다라마바사아자차카타파하가나다라마바"))
            .recipients(recipients!["010-1234-5678"])
            .build_with(charset)
    };
    let request = build(Charset::Cp949).unwrap();
    assert_eq!(request.sender().as_str(), "0212345678");
    assert_eq!(request.recipients()[0].as_str(), "01012345678");
    // 20 syllables are 60 UTF-8 bytes: the literal is measured again.
    assert_eq!(build(Charset::Utf8).unwrap_err().code(), result_code!("21"));
    assert_eq!(recipient!("011-123-4567").as_str(), "0111234567");
}

#[test]
fn wire_params_and_debug_keep_secrets() {
    let request = CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-0001")
        .sender("02-1234-5678")
        .subject("쿠폰")
        .recipients(["010-1234-5678", "011-987-6543"])
        .quantity(FieldInput::from(2))
        .build()
        .unwrap();
    let params = request.wire_params();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| *k == wire(name))
            .map(|(_, v)| v.to_string())
    };
    assert_eq!(get("recipients").as_deref(), Some("01012345678,0119876543"));
    assert_eq!(get("sender").as_deref(), Some("0212345678"));
    assert_eq!(get("quantity").as_deref(), Some("2"));
    assert_eq!(get("body"), None);
    assert!(!params.iter().any(|(k, _)| *k == "POC_ID"));

    let debug = format!("{request:?}");
    assert!(
        debug.contains("010-****-5678") && debug.contains("011-***-6543"),
        "{debug}"
    );
    for secret in ["12345678", "1234-5678", "9876543", "987-6543", "021234"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }

    // Wire parameters parse back to the same request.
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_string()))
        .collect();
    assert_eq!(
        CouponSendRequest::from_wire(&owned, Charset::Cp949).unwrap(),
        request
    );
}
