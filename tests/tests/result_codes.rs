//! The generated `ResultCode` against the spec: every code round-trips through
//! text and serde, unknown codes stay unknown, texts come from the spec.

use coufun_api::{Category, Lang, ResultCode, RetryClass};
use coufun_codegen::Spec;
use coufun_tests::workspace_root;

fn spec() -> Spec {
    Spec::load(&workspace_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// The first two-digit code the spec does not define (what a newer server might send).
fn absent_code() -> String {
    let spec = spec();
    (0..100)
        .map(|n| format!("{n:02}"))
        .find(|c| spec.codes.codes.iter().all(|e| e.code() != c))
        .expect("some code is free")
}

#[test]
fn every_spec_code_is_a_variant_with_the_spec_texts() {
    let spec = spec();
    assert!(!spec.codes.codes.is_empty());
    assert_eq!(ResultCode::ALL.len(), spec.codes.codes.len());
    for (entry, code) in spec.codes.codes.iter().zip(ResultCode::ALL) {
        assert_eq!(code.as_str(), entry.code());
        assert_eq!(format!("{code:?}"), entry.variant());
        assert_eq!(code.message(Lang::Ko), entry.message_ko.get_ref());
        assert_eq!(code.description(Lang::Ko), entry.description_ko.get_ref());
        assert_eq!(code.message(Lang::En), entry.message_en.get_ref());
        assert_eq!(code.description(Lang::En), entry.description_en.get_ref());
        assert_eq!(code.contact_admin(), entry.contact_admin);
        assert_eq!(
            code.since(),
            entry.since.as_ref().map(|s| s.get_ref().as_str())
        );
        assert!(code.is_known());
    }
}

#[test]
fn every_code_round_trips_through_text_and_serde() {
    for code in ResultCode::ALL {
        assert_eq!(code.as_str().parse::<ResultCode>(), Ok(code));
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
        assert_eq!(serde_json::from_str::<ResultCode>(&json).unwrap(), code);
    }
}

#[test]
fn unknown_codes_parse_and_keep_their_text() {
    let known: Vec<&str> = ResultCode::ALL.iter().map(|c| c.as_str()).collect();
    for n in 0..100u8 {
        let text = format!("{n:02}");
        let code: ResultCode = text.parse().unwrap();
        assert_eq!(code.as_str(), text);
        assert_eq!(code.number(), n);
        assert_eq!(code.is_known(), known.contains(&text.as_str()), "{text}");
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(serde_json::from_str::<ResultCode>(&json).unwrap(), code);
    }
    let absent = absent_code();
    let newer: ResultCode = absent.parse().unwrap();
    assert!(matches!(newer, ResultCode::Unknown(_)));
    assert_eq!(newer.category(), Category::Unknown);
    assert_eq!(newer.retry(), RetryClass::Never);
    assert_eq!(newer.to_string(), format!("{absent} 알 수 없는 결과 코드"));
    assert_eq!(
        newer.display(Lang::En).to_string(),
        format!("{absent} Unknown result code")
    );
    assert_eq!(
        format!("{newer:?}"),
        format!("Unknown(UnknownCode({absent:?}))")
    );
}

#[test]
fn malformed_codes_are_errors_naming_the_text() {
    for bad in ["", "5", "100", "2l", "-1", "0x"] {
        let err = bad.parse::<ResultCode>().unwrap_err();
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        assert!(serde_json::from_str::<ResultCode>(&format!("\"{bad}\"")).is_err());
    }
}

#[test]
fn display_is_korean_as_the_manual_writes_it() {
    assert_eq!(
        ResultCode::ResendLimitExceeded.to_string(),
        "20 발송횟수 초과"
    );
    assert_eq!(
        ResultCode::ResendLimitExceeded
            .display(Lang::En)
            .to_string(),
        "20 Send count exceeded"
    );
}

#[test]
fn classification_follows_the_manual() {
    assert!(ResultCode::Success.is_success());
    assert!(ResultCode::ALL.iter().filter(|c| c.is_success()).count() == 1);
    let admin: Vec<&str> = ResultCode::ALL
        .iter()
        .filter(|c| c.contact_admin())
        .map(|c| c.as_str())
        .collect();
    assert_eq!(admin, ["02", "50", "95", "99"]);
    assert_eq!(ResultCode::ApiNotPermitted.since(), Some("1.1"));
    assert_eq!(ResultCode::IntegrationPeriodEnded.changed_in(), Some("1.2"));
    assert_eq!(ResultCode::IssueLimitExceeded.since(), Some("1.5"));
    for c in ["26", "27", "28", "29"] {
        assert_eq!(c.parse::<ResultCode>().unwrap().since(), Some("1.3"));
    }
    assert_eq!(ResultCode::SystemError.retry(), RetryClass::SameTrId);
    assert_eq!(ResultCode::DuplicateTrId.category(), Category::Duplicate);
}

#[test]
fn the_macro_expands_a_spec_code_to_its_variant() {
    assert_eq!(
        coufun_api::result_code!("20"),
        ResultCode::ResendLimitExceeded
    );
    assert_eq!(coufun_api::result_code!("00"), ResultCode::Success);
}

#[test]
fn manual_metadata_and_environments_come_from_the_spec() {
    let spec = spec();
    assert_eq!(
        coufun_api::MANUAL_VERSION,
        spec.codes.manual.version.get_ref()
    );
    assert_eq!(
        coufun_api::PRODUCTION_URL,
        "https://corp.coufun.kr:446/b2c_api/"
    );
    assert_eq!(coufun_api::TEST_URL, "http://tcorp.coufun.kr/b2c_api/");
    assert_eq!(coufun_api::manual::MANUAL_REVISIONS.len(), 7);
    assert_eq!(coufun_api::manual::MANUAL_REVISED, "2020-08-21");
}
