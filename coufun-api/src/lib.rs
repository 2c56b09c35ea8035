//! # coufun-api
//!
//! A typed, checked SDK for the COUFUN B2C mobile-coupon API (T-Scientific).
//! Everything the manual defines — result codes, environments, field rules — is
//! generated from `spec/` into [`generated`]; this crate wraps it by hand.
//!
//! New to COUFUN? Start with `docs/getting-started.md` in the repository (from
//! contract to first coupon: what to ask the supplier for, the two test
//! servers, the checklist before production) and `docs/lost-answer.md` (what to
//! do when an issuing call's answer is lost).
//!
//! ## Quick start
//!
//! List the goods, create a coupon, look it up, cancel it — here against the
//! bundled sandbox (`coufun-sandbox`), a local COUFUN server; for the real
//! test server use [`Environment::Test`] (or [`Environment::TestPlainHttp`] if
//! the supplier says so) and the POC_ID the supplier gave you.
//!
#![cfg_attr(
    feature = "client",
    doc = r#"```
use coufun_api::issuance::IssueOutcome;
use coufun_api::privacy::PocId;
use coufun_api::tr_id::TrIdGenerator;
use coufun_api::{
    Client, CouponCancelRequest, CouponCreateRequest, CouponStatusRequest, Environment,
    GoodsListRequest, ResultCode,
};

# fn main() -> Result<(), Box<dyn std::error::Error>> {
# tokio::runtime::Runtime::new()?.block_on(async {
let sandbox = coufun_sandbox::Sandbox::start(Default::default()).await?;
let poc_id = PocId::new(coufun_sandbox::DEFAULT_POC_ID)?; // yours: from the supplier
let client = Client::builder(Environment::Custom(sandbox.base_url()), poc_id).build()?;

// 1. The goods you may issue. The list may be read only a few times a day
//    (code 09): cache it.
let list = client.goods_list(&GoodsListRequest::builder().build()?).await?;
let goods_id = list
    .goods
    .first()
    .and_then(|g| g.goods_id.as_ref())
    .map(|id| id.to_string())
    .ok_or("no goods")?;

// 2. Create one coupon. The TR_ID is the idempotency key: keep it with your
//    order *before* the call; every retry sends the same one.
let tr_id = TrIdGenerator::with_prefix("order-")?.next_id();
let create = CouponCreateRequest::builder()
    .goods_id(goods_id.as_str())
    .quantity(1u64)
    .tr_id(tr_id.clone())
    .build()?;
let coupon = match client.coupon_create(&create).await {
    IssueOutcome::Issued(issued) => issued
        .coupon_numbers()
        .first()
        .map(|n| n.to_string())
        .ok_or("no coupon number")?,
    // Every other outcome, and what to do with each: `IssueOutcome`. Until
    // then, never resend this order with a new TR_ID (docs/lost-answer.md).
    other => return Err(format!("TR_ID {}: no coupon numbers", other.tr_id()).into()),
};

// 3. Its status, by goods and coupon number.
let status = CouponStatusRequest::builder()
    .goods_id(goods_id.as_str())
    .coupon_number(coupon.as_str())
    .build()?;
let answer = client.coupon_status(&status).await?;
assert_eq!(answer.coupons.len(), 1);

// 4. Cancel it; a second cancel is refused with 18.
let cancel = CouponCancelRequest::builder()
    .goods_id(goods_id.as_str())
    .coupon_number(coupon.as_str())
    .build()?;
client.coupon_cancel(&cancel).await?;
let again = client.coupon_cancel(&cancel).await.unwrap_err();
assert_eq!(again.result_code(), Some(ResultCode::CouponAlreadyCancelled));
println!("{again}"); // the code in Korean and English, and what to do

sandbox.shutdown().await;
# Ok::<(), Box<dyn std::error::Error>>(())
# })
# }
```"#
)]
//!
//! ## Result codes
//!
//! ```
//! use coufun_api::{Lang, ResultCode};
//!
//! let code: ResultCode = "20".parse()?;
//! assert_eq!(code, ResultCode::ResendLimitExceeded);
//! println!("{code}"); // 20 발송횟수 초과
//! println!("{}", code.display(Lang::En)); // 20 Send count exceeded
//! println!("{}", code.description(Lang::Ko)); // 발송 횟수 제한 초과 (3회 제한)
//! assert!(!code.retry().may_retry());
//!
//! // A code from a server newer than this manual still parses and keeps its text.
//! let newer: ResultCode = "42".parse()?;
//! assert_eq!(newer.as_str(), "42");
//! # Ok::<(), coufun_api::ParseResultCodeError>(())
//! ```
//!
//! ## Requests are checked before they are sent
//!
//! Requests are built with a typestate builder: a missing required field does
//! not compile, and `build()` checks everything else in CP949 (or
//! `build_with(Charset::Utf8)`), reporting every violation at once with the
//! code the server would have answered. A failed check sends nothing.
//!
//! ```
//! use coufun_api::CouponCreateRequest;
//!
//! let request = CouponCreateRequest::builder()
//!     .goods_id("0000012345")
//!     .quantity(1u64)
//!     .tr_id("order-2024-0001")
//!     .build()?;
//! # let _ = request;
//!
//! let errors = CouponCreateRequest::builder()
//!     .goods_id("0000012345")
//!     .quantity(1u64)
//!     .tr_id("x".repeat(51)) // TR_ID is at most 50 bytes
//!     .build()
//!     .unwrap_err();
//! assert_eq!(errors.len(), 1);
//! assert_eq!(errors.code(), coufun_api::ResultCode::TrIdTooLong);
//! println!("{errors}"); // both languages, the field, the limit and the measured size
//! # Ok::<(), coufun_api::ValidationErrors>(())
//! ```

#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod charset;
#[cfg(feature = "client")]
pub mod client;
pub mod drift;
pub mod error;
pub mod error_chain;
pub mod field;
pub mod form;
pub mod generated;
pub mod issuance;
pub mod manual;
pub mod notice;
pub mod operation;
pub mod privacy;
mod random;
pub mod redact;
pub mod result_code;
pub mod retry;
pub mod tr_id;
pub mod validation;
pub mod view;
pub mod xml;

pub use charset::{Charset, Unencodable, byte_len, cp949_len};
#[cfg(feature = "blocking")]
pub use client::blocking;
#[cfg(feature = "client")]
pub use client::{BuildError, Client, ClientBuilder, Environment};
#[cfg(feature = "macros")]
pub use coufun_macros::{body, extra, recipient, recipients, result_code, sender, subject, tr_id};
pub use error::{CallInfo, Error, TlsProblem, TransportError};
pub use error_chain::ErrorChain;
pub use field::{FieldInput, FieldKind};
pub use generated::kinds::*;
pub use generated::manual::{MANUAL_VERSION, PRODUCTION_URL, TEST_URL};
pub use generated::requests::*;
pub use generated::responses;
pub use generated::result_code::ResultCode;
pub use issuance::{
    CouponCount, EarlierAttemptReached, EchoMismatch, EchoedField, IssueOutcome, Issued, NotIssued,
    OutcomeUnknown,
};
pub use manual::ManualRevision;
pub use operation::{
    AnswerFieldSpec, AnswerType, Effect, EnumKindSpec, Method, OPERATIONS, Operation, OperationId,
    OperationSpec, RequestFieldSpec,
};
pub use operation::{AnyRequest, AnyResponse};
pub use result_code::{Category, Lang, ParseResultCodeError, RetryClass, UnknownCode};
pub use validation::{ValidationError, ValidationErrors, Violation};
pub use view::{AbsentElements, AnswerView, FieldView, RecordView, ViewValue};
pub use xml::{CalendarDate, FieldValue, Phone, Reported, Timestamp};

/// The README's examples, compiled as doctests so they cannot go stale.
#[doc = include_str!("../../README.md")]
#[cfg(all(doctest, feature = "client"))]
pub struct ReadmeDoctests;

/// The generated code table against the runtime that reads it.
#[cfg(test)]
mod result_code_table_tests {
    use crate::ResultCode;

    #[test]
    fn table_and_enum_agree() {
        use crate::generated::result_code::CODE_INFO;
        assert_eq!(ResultCode::ALL.len(), CODE_INFO.len());
        for (code, info) in ResultCode::ALL.iter().zip(&CODE_INFO) {
            assert_eq!(ResultCode::from_number(info.number), Some(*code));
            assert_eq!(code.known_info().map(|i| i.number), Some(info.number));
        }
    }

    #[test]
    fn rejects_what_is_not_two_digits() {
        for bad in ["", "5", "005", "ab", "٠١", " 1", "1 ", "+1"] {
            assert!(bad.parse::<ResultCode>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn every_action_comes_in_both_languages() {
        use crate::Lang;
        for code in ResultCode::ALL {
            assert_eq!(
                code.action(Lang::Ko).is_some(),
                code.action(Lang::En).is_some(),
                "{code}"
            );
        }
    }
}
