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

#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod charset;
pub mod generated;
pub mod manual;
pub mod operation;
pub mod result_code;
pub mod retry;

pub use charset::Charset;
pub use coufun_macros::result_code;
pub use generated::manual::{MANUAL_VERSION, PRODUCTION_URL, TEST_URL};
pub use manual::ManualRevision;
pub use operation::{Effect, Method, Operation};
pub use result_code::{Category, Lang, ParseResultCodeError, ResultCode, RetryClass, UnknownCode};
