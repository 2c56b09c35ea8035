//! `coufun explain CODE` and `coufun codes`: what the SDK's `ResultCode` says of
//! each code (texts in Korean and English, category, retry, and what it means
//! after a lost answer on an issuing call), nothing typed here.

use coufun_api::{Lang, ResultCode};

use crate::exit::CliError;
use crate::output::{code_json, retry_advice, table};

/// A code as an operator types it: the server's two digits, or one digit for
/// the code it pads (`1` is `01`).
fn parse(text: &str) -> Result<ResultCode, CliError> {
    let trimmed = text.trim();
    let one_digit = match trimmed.as_bytes() {
        [d @ b'0'..=b'9'] => ResultCode::from_number(d - b'0'),
        _ => None,
    };
    match one_digit {
        Some(code) => Ok(code),
        None => trimmed
            .parse()
            .map_err(|e| CliError::bad(format!("{text:?} is not a result code: {e}"))),
    }
}

/// `explain CODE`.
pub fn explain(text: &str, json: bool) -> Result<String, CliError> {
    let code = parse(text)?;
    if json {
        let mut value = code_json(code);
        value["after_lost_answer_ko"] = code.after_lost_answer(Lang::Ko).into();
        value["after_lost_answer_en"] = code.after_lost_answer(Lang::En).into();
        return Ok(value.to_string());
    }
    let known = if code.is_known() {
        String::new()
    } else {
        "  (not in this manual: a newer server's code)\n".to_owned()
    };
    let mut rows = vec![
        vec!["code".into(), code.as_str().into()],
        vec!["message (ko)".into(), code.message(Lang::Ko).into()],
        vec!["message (en)".into(), code.message(Lang::En).into()],
        vec!["description (ko)".into(), code.description(Lang::Ko).into()],
        vec!["description (en)".into(), code.description(Lang::En).into()],
        vec!["category".into(), code.category().name().into()],
        vec![
            "retry".into(),
            format!("{} — {}", code.retry().name(), retry_advice(code)),
        ],
    ];
    if let (Some(ko), Some(en)) = (
        code.after_lost_answer(Lang::Ko),
        code.after_lost_answer(Lang::En),
    ) {
        rows.push(vec!["after a lost answer (ko)".into(), ko.into()]);
        rows.push(vec![
            "after a lost answer (en)".into(),
            format!("{en} (bulk-create: `coufun reconcile --journal FILE` writes the request)"),
        ]);
    }
    let mut out = table(&["", ""], &rows);
    // The header row of two empty cells is noise for a key/value listing.
    out = out.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n";
    Ok(out + &known)
}

/// `codes`.
pub fn codes(json: bool) -> String {
    if json {
        return serde_json::Value::Array(ResultCode::ALL.iter().map(|c| code_json(*c)).collect())
            .to_string();
    }
    let rows: Vec<Vec<String>> = ResultCode::ALL
        .iter()
        .map(|c| {
            vec![
                c.as_str().into(),
                c.category().name().into(),
                c.retry().name().into(),
                c.message(Lang::Ko).into(),
                c.message(Lang::En).into(),
            ]
        })
        .collect();
    table(
        &["CODE", "CATEGORY", "RETRY", "MESSAGE (KO)", "MESSAGE (EN)"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `explain 1` is `explain 01`; three digits and words stay refused.
    #[test]
    fn one_digit_is_the_code_it_pads() {
        for n in 0..=9u8 {
            let padded = ResultCode::from_number(n).unwrap();
            assert_eq!(parse(&n.to_string()).unwrap(), padded);
            assert_eq!(parse(padded.as_str()).unwrap(), padded);
        }
        for bad in ["", "100", "abc", "-1", "1a"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    /// 12 and 23 say what they mean after a lost answer on an issuing call; a
    /// code without such a text shows no such row.
    #[test]
    fn the_repeat_codes_explain_a_lost_answer() {
        for code in [ResultCode::DuplicateTrId, ResultCode::DuplicateRequest] {
            let out = explain(code.as_str(), false).unwrap();
            let en = code.after_lost_answer(Lang::En).unwrap();
            assert!(out.contains(en), "{out}");
            assert!(out.contains(code.after_lost_answer(Lang::Ko).unwrap()));
            assert!(out.contains("coufun reconcile"), "{out}");
            let json: serde_json::Value =
                serde_json::from_str(&explain(code.as_str(), true).unwrap()).unwrap();
            assert_eq!(json["after_lost_answer_en"], en);
        }
        let plain = explain(ResultCode::InvalidGoods.as_str(), false).unwrap();
        assert!(!plain.contains("after a lost answer"), "{plain}");
    }
}
