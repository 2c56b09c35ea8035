//! # coufun-api
//!
//! A typed, checked SDK for the COUFUN B2C mobile-coupon API (T-Scientific).
//! Everything the manual defines — result codes, environments, field rules — is
//! generated from `spec/` into [`generated`]; this crate wraps it by hand.
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
//! Requests are built with a typestate builder: a missing required field does not
//! compile, literals checked by the macros (`subject!`, `sender!`, `recipients!`…)
//! are accepted as they are, and everything else is checked by `build()` in CP949
//! (or `build_with(Charset::Utf8)`), which reports every violation at once with the
//! code the server would have answered.
//!
//! ```
//! use coufun_api::{CouponSendRequest, Operation, recipients, sender, subject};
//!
//! let request = CouponSendRequest::builder()
//!     .goods_id("0000012345")
//!     .tr_id("order-2024-0001")
//!     .sender(sender!("02-1234-5678"))
//!     .subject(subject!("생일 축하 쿠폰이 도착했습니다"))
//!     .recipients(recipients!["010-1234-5678", "011-123-4567"])
//!     .body("맛있게 드세요")
//!     .quantity(1)
//!     .build()?;
//! assert_eq!(request.idempotency_key(), Some("order-2024-0001"));
//! // Phone numbers never appear in clear in Debug.
//! assert!(format!("{request:?}").contains("010-****-5678"));
//!
//! let errors = CouponSendRequest::builder()
//!     .goods_id("0000012345")
//!     .tr_id("order-2024-0002")
//!     .sender("02-1234-5678")
//!     .subject("가".repeat(21)) // 42 CP949 bytes
//!     .recipients(["010-1234-567"]) // 7 digits after 010
//!     .build()
//!     .unwrap_err();
//! assert_eq!(errors.len(), 2);
//! assert_eq!(errors.code(), coufun_api::result_code!("21"));
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
pub mod error;
pub mod error_chain;
pub mod field;
pub mod generated;
pub mod issuance;
pub mod manual;
pub mod notice;
pub mod operation;
pub mod privacy;
pub mod redact;
pub mod result_code;
pub mod retry;
pub mod tr_id;
pub mod validation;
pub mod xml;

pub use charset::{Charset, Unencodable, byte_len, cp949_len};
#[cfg(feature = "blocking")]
pub use client::blocking;
#[cfg(feature = "client")]
pub use client::{BuildError, Client, ClientBuilder, Environment};
#[cfg(feature = "macros")]
pub use coufun_macros::{body, extra, recipient, recipients, result_code, sender, subject, tr_id};
pub use error::{CallInfo, Error, TransportError};
pub use error_chain::ErrorChain;
pub use field::{FieldInput, FieldKind};
pub use generated::kinds::*;
pub use generated::manual::{MANUAL_VERSION, PRODUCTION_URL, TEST_URL};
pub use generated::requests::*;
pub use generated::responses;
pub use manual::ManualRevision;
pub use operation::{
    AnswerFieldSpec, AnswerType, Effect, EnumKindSpec, Method, OPERATIONS, Operation, OperationId,
    OperationSpec, RequestFieldSpec,
};
pub use result_code::{Category, Lang, ParseResultCodeError, ResultCode, RetryClass, UnknownCode};
pub use validation::{ValidationError, ValidationErrors, Violation};

/// The README's examples, compiled as doctests so they cannot go stale.
#[doc = include_str!("../../README.md")]
#[cfg(all(doctest, feature = "client"))]
pub struct ReadmeDoctests;
