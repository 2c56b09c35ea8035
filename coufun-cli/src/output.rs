//! How results are shown: aligned tables for people, JSON for scripts, and the
//! text of validation errors (field, flag, limit, measured size, code).

use coufun_api::{Lang, ResultCode, ValidationError, ValidationErrors};
use serde_json::{Value, json};

/// Prints `rows` under `headers`, columns aligned by display width.
pub fn table(headers: &[impl AsRef<str>], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h.as_ref())).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(cell));
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                out.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        out.push('\n');
    };
    line(headers.iter().map(AsRef::as_ref).collect(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// Prints `value` as JSON with `--json`, else `text`.
pub fn say(json: bool, value: impl serde::Serialize, text: impl std::fmt::Display) {
    if json {
        println!("{}", serde_json::to_string(&value).unwrap_or_default());
    } else {
        println!("{text}");
    }
}

/// Terminal width of `text`: Hangul and other wide characters count two.
pub fn width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let c = c as u32;
            let wide = (0x1100..=0x115F).contains(&c)
                || (0x2E80..=0xA4CF).contains(&c)
                || (0xAC00..=0xD7A3).contains(&c)
                || (0xF900..=0xFAFF).contains(&c)
                || (0xFF00..=0xFF60).contains(&c);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// How to retry, in words.
pub fn retry_advice(code: ResultCode) -> String {
    use coufun_api::RetryClass::*;
    if code.is_success() {
        return "nothing to retry: the call succeeded".to_owned();
    }
    let mut advice = match code.retry() {
        AsIs => "may be sent again as it is".to_owned(),
        SameTrId => {
            "may be sent again, but an issuing call only with the same TR_ID (a new TR_ID could issue twice)"
                .to_owned()
        }
        _ => "do not retry: sending it again cannot succeed".to_owned(),
    };
    if code.contact_admin() {
        advice.push_str("; contact the COUFUN administrator");
    }
    advice
}

/// A code as JSON: texts, category, retry.
pub fn code_json(code: ResultCode) -> Value {
    json!({
        "code": code.as_str(),
        "message_ko": code.message(Lang::Ko),
        "message_en": code.message(Lang::En),
        "description_ko": code.description(Lang::Ko),
        "description_en": code.description(Lang::En),
        "category": code.category().name(),
        "retry": code.retry().name(),
        "may_retry": code.retry().may_retry(),
        "contact_admin": code.contact_admin(),
        "retry_advice": retry_advice(code),
        "action_ko": code.action(Lang::Ko),
        "action_en": code.action(Lang::En),
        "since": code.since(),
    })
}

/// `00 성공 / Success`.
pub fn code_line(code: ResultCode) -> String {
    format!(
        "{} {} / {}",
        code.as_str(),
        code.message(Lang::Ko),
        code.message(Lang::En)
    )
}

/// Validation errors, one line each: the flag, the wire name, the rule with its
/// limit and measured size, and the code the server would answer.
pub fn validation_text(errors: &ValidationErrors) -> String {
    errors
        .iter()
        .map(|e| validation_line(e, &format!("--{}", e.field().replace('_', "-"))))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One validation error, the argument shown as `shown` (a flag, or a
/// positional argument's name).
pub fn validation_line(e: &ValidationError, shown: &str) -> String {
    let mut line = if shown == e.wire_name() {
        shown.to_owned()
    } else {
        format!("{shown} ({})", e.wire_name())
    };
    if let Some(i) = e.index() {
        line.push_str(&format!(" value {}", i + 1));
    }
    line.push_str(&format!(": rule {}", e.rule()));
    if let Some(limit) = e.limit() {
        line.push_str(&format!(", limit {limit}"));
    }
    if let Some(measured) = e.measured() {
        line.push_str(&format!(", measured {measured}"));
    }
    line.push_str(&format!(
        "; the server would answer {} — {} / {}",
        code_line(e.code()),
        e.message(Lang::Ko),
        e.message(Lang::En)
    ));
    line
}

/// Validation errors as JSON.
pub fn validation_json(errors: &ValidationErrors) -> Value {
    Value::Array(errors.iter().map(validation_error_json).collect())
}

/// One validation error as JSON.
pub fn validation_error_json(e: &ValidationError) -> Value {
    json!({
        "field": e.field(),
        "wire": e.wire_name(),
        "index": e.index(),
        "rule": e.rule(),
        "limit": e.limit(),
        "measured": e.measured(),
        "code": e.code().as_str(),
        "message_ko": e.message(Lang::Ko),
        "message_en": e.message(Lang::En),
    })
}
