//! The hand-written onboarding docs repeat a few spec facts (the environments'
//! URLs, result codes): they must match the generated constants, so a spec
//! change that moves one fails here until the doc follows.

use coufun_api::responses::DEFAULT_TEST_URL;
use coufun_api::{PRODUCTION_URL, ResultCode, TEST_URL};

fn doc(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `` `NN` `` (two digits in backticks) of `text`.
fn codes_in(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

#[test]
fn getting_started_gives_the_spec_urls_and_known_codes() {
    let text = doc("getting-started.md");
    for url in [DEFAULT_TEST_URL, TEST_URL, PRODUCTION_URL] {
        assert!(text.contains(url), "getting-started.md lacks {url}");
    }
    let codes = codes_in(&text);
    for needed in [
        ResultCode::IpNotRegistered,
        ResultCode::InvalidPocId,
        ResultCode::ApiNotPermitted,
        ResultCode::IssueLimitExceeded,
        ResultCode::GoodsListDailyLimitExceeded,
    ] {
        assert!(
            codes.contains(&needed.as_str()),
            "{needed:?} is not covered"
        );
    }
    for code in codes {
        let parsed: ResultCode = code.parse().unwrap();
        assert!(
            parsed.is_known(),
            "getting-started.md names unknown code {code}"
        );
    }
}

#[test]
fn the_lost_answer_runbook_names_the_duplicate_codes() {
    let text = doc("lost-answer.md");
    let codes = codes_in(&text);
    for needed in [ResultCode::DuplicateTrId, ResultCode::DuplicateRequest] {
        assert!(codes.contains(&needed.as_str()), "{needed:?} is not named");
    }
    for code in codes {
        assert!(code.parse::<ResultCode>().unwrap().is_known(), "{code}");
    }
    assert!(text.contains("coufun reconcile"));
}
