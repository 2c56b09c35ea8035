//! Bounded, stable form of the `form_params` fuzz target: the sandbox's form
//! and query decoder, then every operation's `from_wire`, on arbitrary bytes
//! and on structure-aware forms (known parameter names, percent-encoded
//! CP949 and UTF-8 values, stray `%`, `+`, `=`, `&`) never panic, and every
//! rejection is a typed error that names what it refused.

use coufun_api::{Charset, OperationId, ValidationErrors, for_operation};
use coufun_sandbox::wire::decode_params;
use proptest::prelude::*;

fn every_operation(raw: &[u8]) -> Result<(), TestCaseError> {
    for charset in [Charset::Cp949, Charset::Utf8] {
        let params = match decode_params(raw, charset) {
            Ok(params) => params,
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                continue;
            }
        };
        // Every operation (an operation added to the spec is checked here
        // once the code is regenerated).
        for id in OperationId::ALL {
            let message = for_operation!(id, |Request, _Answer| {
                refusal(Request::from_wire(&params, charset))
            });
            if let Some(message) = message {
                prop_assert!(!message.is_empty(), "{id}: a refusal without a message");
            }
        }
    }
    Ok(())
}

/// The message of a refused request.
fn refusal<O>(parsed: Result<O, ValidationErrors>) -> Option<String> {
    parsed.err().map(|e| e.to_string())
}

fn percent(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else if b == b' ' {
                "+".to_owned()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form() -> impl Strategy<Value = Vec<u8>> {
    let name = prop::sample::select(vec![
        "POC_ID",
        "GOODS_ID",
        "TR_ID",
        "SEND_PHONE",
        "SEND_TITLE",
        "RECEIVER_MOBILE",
        "SEND_MSG",
        "USER_ID",
        "CREATE_CNT",
        "SEND_TYPE",
        "RESERVE1",
        "VALID_START",
        "VALID_END",
        "BARCODE_NUM",
        "NEW_PARAM",
        "",
    ]);
    let value = prop_oneof![
        "[0-9]{0,14}",
        "010-[0-9]{4}-[0-9]{4}(,01[0-9]{8}){0,10}",
        "[가-힣 a-z]{0,60}",
        "\\PC{0,20}",
    ];
    let pair = (name, value, any::<bool>(), 0u8..8).prop_map(|(name, value, cp949, odd)| {
        let bytes = if cp949 {
            encoding_rs::EUC_KR.encode(&value).0.into_owned()
        } else {
            value.into_bytes()
        };
        match odd {
            0 => name.to_owned(),
            1 => format!("{name}=%"),
            2 => format!("{name}=%G1{}", percent(&bytes)),
            3 => format!("{name}==={}", percent(&bytes)),
            _ => format!("{name}={}", percent(&bytes)),
        }
    });
    prop::collection::vec(pair, 0..12).prop_map(|pairs| pairs.join("&").into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..200)) {
        every_operation(&raw)?;
    }

    #[test]
    fn structured_forms(raw in form()) {
        every_operation(&raw)?;
    }
}
