//! `coufun explain CODE` and `coufun codes`: what the SDK's `ResultCode` says of
//! each code (texts in Korean and English, category, retry), nothing typed here.

use coufun_api::{Lang, ResultCode};

use crate::exit::{CliError, Exit};
use crate::output::{category, code_json, retry, retry_advice, table};

/// `explain CODE`.
pub fn explain(text: &str, json: bool) -> Result<String, CliError> {
    let code: ResultCode = text.trim().parse().map_err(|e| {
        CliError::new(
            Exit::BadArguments,
            format!("{text:?} is not a result code: {e}"),
        )
    })?;
    if json {
        return Ok(code_json(code).to_string());
    }
    let known = if code.is_known() {
        String::new()
    } else {
        "  (not in this manual: a newer server's code)\n".to_owned()
    };
    let rows = vec![
        vec!["code".into(), code.as_str().into()],
        vec!["message (ko)".into(), code.message(Lang::Ko).into()],
        vec!["message (en)".into(), code.message(Lang::En).into()],
        vec!["description (ko)".into(), code.description(Lang::Ko).into()],
        vec!["description (en)".into(), code.description(Lang::En).into()],
        vec!["category".into(), category(code).into()],
        vec![
            "retry".into(),
            format!("{} — {}", retry(code), retry_advice(code)),
        ],
    ];
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
                category(*c).into(),
                retry(*c).into(),
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
