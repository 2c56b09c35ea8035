//! Reading the raw parameters of a request: a query string or an
//! `application/x-www-form-urlencoded` body whose percent-encoded bytes are text
//! in the request charset (CP949 by default), decoded to `(name, value)` pairs.

use coufun_api::Charset;
use coufun_api::form;

/// A request whose bytes are not text in the configured charset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter {name:?} is not valid {charset:?} text")]
pub struct WireDecodeError {
    /// The parameter whose name or value failed to decode (lossy, for reporting).
    pub name: String,
    /// The charset the server reads requests in.
    pub charset: Charset,
}

/// Decodes `a=1&b=%B0%A1` into pairs (the SDK's form codec, leniently: a stray
/// `%` stands for itself), reading the percent-decoded bytes in `charset`.
/// `+` stands for a space, as in HTML forms; empty pieces are skipped.
pub fn decode_params(
    raw: &[u8],
    charset: Charset,
) -> Result<Vec<(String, String)>, WireDecodeError> {
    form::parse_lenient(raw)
        .into_iter()
        .map(|pair| {
            let name = decode_component(pair.name, charset)?;
            let value = decode_component(pair.value, charset).map_err(|e| WireDecodeError {
                name: name.clone(),
                ..e
            })?;
            Ok((name, value))
        })
        .collect()
}

fn decode_component(bytes: Vec<u8>, charset: Charset) -> Result<String, WireDecodeError> {
    let failed = |bytes: &[u8]| WireDecodeError {
        name: String::from_utf8_lossy(bytes).into_owned(),
        charset,
    };
    match charset {
        Charset::Utf8 => String::from_utf8(bytes).map_err(|e| failed(e.as_bytes())),
        _ => encoding_rs::EUC_KR
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .map(|text| text.into_owned())
            .ok_or_else(|| failed(&bytes)),
    }
}

/// The label a response declares for `charset` (XML prolog and Content-Type).
pub fn charset_label(charset: Charset) -> &'static str {
    match charset {
        Charset::Utf8 => "utf-8",
        _ => "euc-kr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp949_percent_bytes_decode_to_hangul() {
        // "가" is B0 A1 in CP949.
        let pairs = decode_params(b"SEND_TITLE=%B0%A1+b&X=", Charset::Cp949);
        assert_eq!(
            pairs,
            Ok(vec![
                ("SEND_TITLE".to_owned(), "가 b".to_owned()),
                ("X".to_owned(), String::new())
            ])
        );
    }

    #[test]
    fn utf8_setting_reads_utf8_bytes() {
        let pairs = decode_params(b"T=%EA%B0%80", Charset::Utf8);
        assert_eq!(pairs, Ok(vec![("T".to_owned(), "가".to_owned())]));
    }

    #[test]
    fn bytes_outside_the_charset_are_refused() {
        let err = decode_params(b"T=%FF%FF", Charset::Utf8);
        assert!(matches!(err, Err(WireDecodeError { ref name, .. }) if name == "T"));
    }
}
