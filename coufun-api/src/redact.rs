//! Redacting text that came from a server before the SDK shows it: named
//! secrets (the POC_ID) blanked and phone-like digit runs masked with
//! [`mask_phone`], in any text that reaches a
//! `Debug`, a `Display`, an error or a span.

pub use crate::privacy::mask_phone;

/// `text` with every run of 7 or more digits (allowing `-` and spaces inside,
/// as phone numbers are written) masked by [`mask_phone`], and every
/// occurrence of a non-empty `secret` replaced by `[redacted]`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, "[redacted]");
    }
    mask_digit_runs(&out)
}

fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || ((chars[j] == '-' || chars[j] == ' ')
                        && j + 1 < chars.len()
                        && chars[j + 1].is_ascii_digit()))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if digits >= 7 {
                out.push_str(&mask_phone(&run));
            } else {
                out.push_str(&run);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_and_digit_runs() {
        let text = "POC_ID=POC1234567&RECEIVER_MOBILE=010-9876-5432,01011112222 price 4500";
        let shown = redact(text, &["POC1234567"]);
        assert!(!shown.contains("POC1234567"), "{shown}");
        assert!(
            !shown.contains("9876") && !shown.contains("1111"),
            "{shown}"
        );
        assert!(shown.contains("price 4500"), "{shown}");
    }
}
