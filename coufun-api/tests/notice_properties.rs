//! Bounded, stable form of the `exchange_notice` fuzz target: the
//! exchange-notice parser and the notice-answer decoder on arbitrary bytes and
//! on structure-aware forms never panic, every rejection is a typed error with
//! a message, and a notice that parses writes back to a form that parses to it.

use coufun_api::notice::{ExchangeNotice, NoticeAnswer, NoticeParser};
use proptest::prelude::*;

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=euc-kr"),
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        Some("text/plain; charset=klingon"),
    ])
}

fn check(body: &[u8], content_type: Option<&str>, utf8: bool) -> Result<(), TestCaseError> {
    let parser = NoticeParser::new().accept_utf8(utf8);
    match parser.parse(body, content_type) {
        Ok(notice) => {
            if let Ok(form) = notice.to_form() {
                let again = parser.parse(&form, Some(ExchangeNotice::form_content_type()));
                prop_assert_eq!(again.ok(), Some(notice));
            }
        }
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    if let Err(e) = NoticeAnswer::decode(body) {
        prop_assert!(!e.to_string().is_empty());
    }
    Ok(())
}

fn form() -> impl Strategy<Value = Vec<u8>> {
    let pair = |name: &'static str, value: BoxedStrategy<String>| {
        prop::option::of(value.prop_map(move |v| {
            let bytes = encoding_rs::EUC_KR.encode(&v).0.into_owned();
            let encoded: String = bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{name}={encoded}")
        }))
    };
    (
        pair("BARCODE_NUM", "[0-9]{0,32}".boxed()),
        pair("EXCHANGE_NUM", "[A-Z0-9]{0,24}".boxed()),
        pair(
            "STATUS",
            prop::sample::select(vec!["001", "100", "777", ""])
                .prop_map(str::to_owned)
                .boxed(),
        ),
        pair("EXCHANGE_DATE", "20[0-9]{12}|[0-9]{0,15}".boxed()),
        pair("BRANCH_NAME", "[가-힣 0-9]{0,40}".boxed()),
        pair("BRANCH_CODE", "[A-Z0-9]{0,12}".boxed()),
        pair(
            "BARCODE_TYPE",
            prop::sample::select(vec!["BARCODE", "AMOUNT", "X"])
                .prop_map(str::to_owned)
                .boxed(),
        ),
        pair("PRICE", "-?[0-9]{0,12}".boxed()),
        pair("BALANCE", "-?[0-9]{0,12}".boxed()),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i)| {
            [a, b, c, d, e, f, g, h, i]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(
        body in prop::collection::vec(any::<u8>(), 0..300),
        content_type in content_type(),
        utf8 in any::<bool>(),
    ) {
        check(&body, content_type, utf8)?;
    }

    #[test]
    fn structured_forms(body in form(), content_type in content_type(), utf8 in any::<bool>()) {
        check(&body, content_type, utf8)?;
    }
}
