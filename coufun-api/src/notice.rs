//! Exchange notifications (COUFUN → merchant): the typed [`ExchangeNotice`] and
//! its answer, generated from the inbound operation `exchange_notice` of
//! `spec/endpoints.toml` ([`crate::generated::inbound`]), and the parser of the
//! form body COUFUN POSTs. A notice's `STATUS` is the same [`CouponStatus`] a
//! status answer reports, its `BARCODE_TYPE` the same [`CouponType`], its
//! `BARCODE_NUM` the same [`CouponNumber`] (a secret: `Debug` masks it), its
//! `EXCHANGE_DATE` the same [`Timestamp`].
//!
//! What is written here by hand is what no manual states: the body's size cap
//! and the charset detection; the form reading and writing runtime is
//! [`form`].
//!
//! ```
//! use coufun_api::notice::{NoticeAnswer, NoticeAnswerCode, NoticeParser};
//! use coufun_api::{CouponStatus, xml::Reported};
//!
//! let body = b"BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=001\
//!     &EXCHANGE_DATE=20240301123000&BRANCH_NAME=%B0%AD%B3%B2%C1%A1&BRANCH_CODE=G01\
//!     &BARCODE_TYPE=AMOUNT&PRICE=3000&BALANCE=7000";
//! let notice = NoticeParser::new().parse(body, Some("application/x-www-form-urlencoded"))?;
//! assert_eq!(notice.state, Reported::Known(CouponStatus::Used));
//! assert_eq!(notice.branch_name.as_deref(), Some("강남점")); // EUC-KR on the wire
//! assert_eq!(notice.balance, 7000);
//! // The coupon number never shows in clear in Debug.
//! assert!(!format!("{notice:?}").contains("900012345678"));
//!
//! let answer = NoticeAnswer::new(NoticeAnswerCode::Done).with_exchange_id("01J0ABC")?;
//! let xml = answer.encode();
//! assert!(xml.starts_with(b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?>"));
//! assert_eq!(NoticeAnswer::decode(&xml)?, answer);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod form;

use std::time::Duration;

use crate::charset::Charset;
pub use crate::generated::inbound::{
    ExchangeNotice, ExchangeNoticeAnswer as NoticeAnswer,
    ExchangeNoticeAnswerCode as NoticeAnswerCode, ExchangeNoticeRequired,
};
pub use crate::generated::kinds::{CouponNumber, CouponStatus, CouponType};
pub use crate::xml::{Reported, Timestamp};
use form::Form;
pub use form::{
    AnswerError, Inbound, InboundField, Masked, NoticeError, UnknownValue, mask, reported_wire,
};

/// The media type of a notice's body.
pub const DELIVERY_CONTENT_TYPE: &str = ExchangeNotice::DELIVERY.content_type;
/// The charset COUFUN encodes a notice's body in.
pub const DELIVERY_CHARSET: &str = ExchangeNotice::DELIVERY.charset;
/// How long COUFUN waits before sending a notice again when it got no final answer.
pub const RETRY_INTERVAL: Duration = ExchangeNotice::DELIVERY.retry_interval;

/// The default cap on a notice's body: the fields at their limits, percent-encoded,
/// fit in well under 1 KiB; 8 KiB leaves room for fields a newer server may add.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024;

/// Reads notices from the form bodies COUFUN POSTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeParser {
    max_body_bytes: usize,
    accept_utf8: bool,
    reject_unknown_values: bool,
}

impl Default for NoticeParser {
    fn default() -> Self {
        NoticeParser::new()
    }
}

impl NoticeParser {
    /// The defaults: body cap [`DEFAULT_MAX_BODY_BYTES`], UTF-8 accepted besides
    /// EUC-KR, values outside a table (a `STATUS`, a `BARCODE_TYPE`) rejected.
    pub fn new() -> Self {
        NoticeParser {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            accept_utf8: true,
            reject_unknown_values: true,
        }
    }

    /// Caps the body at `bytes`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The body cap in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether a UTF-8 body is accepted (besides EUC-KR, which always is).
    pub fn accept_utf8(mut self, accept: bool) -> Self {
        self.accept_utf8 = accept;
        self
    }

    /// Whether a value outside its table is refused ([`NoticeError::UnknownValue`])
    /// or kept as [`Reported::Unknown`].
    pub fn reject_unknown_values(mut self, reject: bool) -> Self {
        self.reject_unknown_values = reject;
        self
    }

    /// Parses `body` sent with `content_type` (the header's value, if any).
    ///
    /// The charset is the one `content_type` declares (`euc-kr`, `cp949`,
    /// `ks_c_5601-1987`, `utf-8`); without one, a body whose bytes are valid
    /// UTF-8 is read as UTF-8 (EUC-KR Hangul never is) and anything else as EUC-KR.
    /// Limits are counted in EUC-KR bytes whichever charset carried the text.
    pub fn parse(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<ExchangeNotice, NoticeError> {
        self.parse_as(body, content_type)
    }

    /// [`NoticeParser::parse`] for any inbound operation's request.
    pub fn parse_as<T: Inbound>(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<T, NoticeError> {
        if body.len() > self.max_body_bytes {
            return Err(NoticeError::TooLarge {
                limit: self.max_body_bytes,
                measured: body.len(),
            });
        }
        let declared = match content_type {
            Some(ct) => form::declared_charset(ct, DELIVERY_CONTENT_TYPE)?,
            None => None,
        };
        let pairs = crate::form::parse(body).map_err(|e| match e {
            crate::form::FormError::BadEscape { offset } => NoticeError::BadEscape { offset },
        })?;
        let charset = form::body_charset(&pairs, declared);
        // Pure ASCII is the same in both: only refuse real UTF-8.
        let ascii = |p: &crate::form::FormPair| p.name.is_ascii() && p.value.is_ascii();
        if charset == Charset::Utf8 && !self.accept_utf8 && !pairs.iter().all(ascii) {
            return Err(NoticeError::Utf8NotAccepted);
        }
        let form = Form::decode(T::FIELDS, &pairs, charset, self.reject_unknown_values)?;
        T::from_form(&form)
    }
}

impl ExchangeNotice {
    /// Checks every field against the spec's limits (what the parser would refuse).
    pub fn validate(&self) -> Result<(), NoticeError> {
        let values = self.form_values();
        ExchangeNotice::from_form(&Form::from_values(&Self::FIELDS, &values, false)).map(|_| ())
    }

    /// The notice as a form body, in EUC-KR as COUFUN sends it (percent-encoded).
    /// Checks the limits first: a notice that breaks one is not encoded.
    pub fn to_form(&self) -> Result<Vec<u8>, NoticeError> {
        self.validate()?;
        Ok(form::encode_form(&Self::FIELDS, &self.form_values()))
    }

    /// The `Content-Type` that goes with [`ExchangeNotice::to_form`].
    pub fn form_content_type() -> &'static str {
        Self::DELIVERY.content_type_header
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `STATUS` outside the spec's table, whatever the table holds.
    fn unknown_state() -> String {
        (0..1000)
            .map(|n| format!("{n:03}"))
            .find(|v| !CouponStatus::WIRE_VALUES.contains(&v.as_str()))
            .unwrap()
    }

    fn sample() -> ExchangeNotice {
        let mut notice = ExchangeNotice::new(ExchangeNoticeRequired {
            coupon_number: CouponNumber::new("900012345678").unwrap(),
            approval_number: "A0001".into(),
            state: Reported::Known(CouponStatus::Used),
            time: Timestamp::from_ymd_hms(2024, 3, 1, 12, 30, 0).unwrap(),
            coupon_type: Reported::Known(CouponType::Amount),
            price: 3000,
            balance: 7000,
        });
        notice.branch_name = Some("강남 1호점".into());
        notice.branch_code = Some("G01".into());
        notice
    }

    #[test]
    fn form_round_trip_in_euc_kr() {
        let form = sample().to_form().unwrap();
        assert!(form.is_ascii());
        // 강 in EUC-KR is B0 AD
        assert!(String::from_utf8_lossy(&form).contains("BRANCH_NAME=%B0%AD"));
        let parsed = NoticeParser::new()
            .parse(&form, Some(ExchangeNotice::form_content_type()))
            .unwrap();
        assert_eq!(parsed, sample());
        // without a declared charset too
        assert_eq!(NoticeParser::new().parse(&form, None).unwrap(), sample());
    }

    #[test]
    fn utf8_is_accepted_unless_turned_off() {
        let body = "BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=001&EXCHANGE_DATE=20240301123000&BRANCH_NAME=강남 1호점&BRANCH_CODE=G01&BARCODE_TYPE=AMOUNT&PRICE=3000&BALANCE=7000";
        assert_eq!(
            NoticeParser::new().parse(body.as_bytes(), None).unwrap(),
            sample()
        );
        assert_eq!(
            NoticeParser::new()
                .accept_utf8(false)
                .parse(body.as_bytes(), None),
            Err(NoticeError::Utf8NotAccepted)
        );
    }

    #[test]
    fn every_rejection_names_the_field_and_hides_the_coupon_number() {
        let form = String::from_utf8(sample().to_form().unwrap()).unwrap();
        let cases: Vec<(String, Option<&str>, NoticeError)> = vec![
            (
                form.replace("STATUS=001", &format!("STATUS={}", unknown_state())),
                None,
                NoticeError::UnknownValue {
                    field: "STATUS",
                    value: unknown_state(),
                },
            ),
            (
                form.replace("PRICE=3000", "PRICE=-1"),
                None,
                NoticeError::BadAmount {
                    field: "PRICE",
                    value: "-1".into(),
                    max_digits: 10,
                },
            ),
            (
                form.replace("20240301123000", "20240230123000"),
                None,
                NoticeError::BadTime {
                    field: "EXCHANGE_DATE",
                    value: "20240230123000".into(),
                },
            ),
            (
                form.replace("EXCHANGE_NUM=A0001", "EXCHANGE_NUM="),
                None,
                NoticeError::Missing {
                    field: "EXCHANGE_NUM",
                },
            ),
            (
                format!("{form}&STATUS=001"),
                None,
                NoticeError::Repeated {
                    field: "STATUS",
                    count: 2,
                },
            ),
            (
                form.replace("A0001", &"A".repeat(31)),
                None,
                NoticeError::TooLong {
                    field: "EXCHANGE_NUM",
                    limit: 30,
                    measured: 31,
                },
            ),
            (
                form.clone(),
                Some("application/x-www-form-urlencoded; charset=Shift_JIS"),
                NoticeError::UnsupportedCharset {
                    label: "Shift_JIS".into(),
                },
            ),
            (
                form.clone(),
                Some("application/json"),
                NoticeError::NotAForm {
                    content_type: "application/json".into(),
                },
            ),
            (
                form.replace("%B0%AD", "%B0%2"),
                None,
                NoticeError::BadEscape {
                    offset: form.find("%B0%AD").unwrap() + 3,
                },
            ),
            (
                form.replace("%B0%AD", "%FF%FF"),
                Some(ExchangeNotice::form_content_type()),
                NoticeError::Undecodable {
                    field: "BRANCH_NAME".into(),
                    charset: "EUC-KR",
                },
            ),
        ];
        for (body, ct, expected) in cases {
            let err = NoticeParser::new().parse(body.as_bytes(), ct).unwrap_err();
            assert_eq!(err, expected, "{body}");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("900012345678"), "{shown}");
        }
        let big = vec![b'a'; DEFAULT_MAX_BODY_BYTES + 1];
        assert_eq!(
            NoticeParser::new().parse(&big, None),
            Err(NoticeError::TooLarge {
                limit: DEFAULT_MAX_BODY_BYTES,
                measured: DEFAULT_MAX_BODY_BYTES + 1
            })
        );
    }

    #[test]
    fn an_unknown_state_may_be_kept() {
        let form = String::from_utf8(sample().to_form().unwrap())
            .unwrap()
            .replace("STATUS=001", &format!("STATUS={}", unknown_state()));
        let notice = NoticeParser::new()
            .reject_unknown_values(false)
            .parse(form.as_bytes(), None)
            .unwrap();
        assert_eq!(notice.state, Reported::Unknown(unknown_state()));
        assert!(notice.state.known().is_none());
        // and it writes back as received
        assert!(
            String::from_utf8(notice.to_form().unwrap())
                .unwrap()
                .contains(&format!("STATUS={}", unknown_state()))
        );
    }

    #[test]
    fn answers_are_ascii_and_round_trip() {
        let a = NoticeAnswer::new(NoticeAnswerCode::Duplicate)
            .with_exchange_id("01HXYZ")
            .unwrap();
        let xml = a.encode();
        assert_eq!(
            String::from_utf8(xml.clone()).unwrap(),
            "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<COUPONEXCHANGE><RESULTCODE>04</RESULTCODE><RESULTMSG>Duplicate</RESULTMSG><EXCHANGE_ID>01HXYZ</EXCHANGE_ID></COUPONEXCHANGE>\n"
        );
        assert_eq!(NoticeAnswer::decode(&xml).unwrap(), a);
        assert_eq!(
            NoticeAnswer::new(NoticeAnswerCode::Done).with_exchange_id("id-1"),
            Err(AnswerError::NotAscii {
                element: "EXCHANGE_ID",
                index: 2,
                spaces: false
            })
        );
        assert_eq!(
            NoticeAnswer::new(NoticeAnswerCode::Done)
                .with_message("처리완료")
                .unwrap_err()
                .to_string(),
            "RESULTMSG holds a character other than ASCII letters, digits and spaces at index 0"
        );
        assert!(matches!(
            NoticeAnswer::decode(
                b"<?xml version=\"1.0\"?><RESULT><RESULTCODE>00</RESULTCODE></RESULT>"
            ),
            Err(AnswerError::Malformed { .. })
        ));
        let unknown =
            NoticeAnswer::decode(b"<COUPONEXCHANGE><RESULTCODE>42</RESULTCODE></COUPONEXCHANGE>")
                .unwrap();
        assert_eq!(unknown.code().as_str(), "42");
        assert!(!unknown.code().stops_retry());
    }

    #[test]
    fn coupon_numbers_are_masked() {
        let n = CouponNumber::new("900012345678").unwrap();
        assert_eq!(mask(n.as_str()).to_string(), "***5678");
        let shown = format!("{:?}", sample());
        assert!(shown.contains("coupon_number: \"***5678\""), "{shown}");
        assert_eq!(n.as_str(), "900012345678");
    }
}
