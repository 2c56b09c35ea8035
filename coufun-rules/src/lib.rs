//! # coufun-rules
//!
//! The COUFUN field rules, implemented once. The generated validators of
//! `coufun-api` (at run time) and the literal macros of `coufun-macros` (at compile
//! time) both call these functions, each passing the limits it read from the spec;
//! no limit is written here.
//!
//! - [`charset`]: byte length of text in the server's charset (CP949 by default).
//! - [`rules`]: one check per rule of `spec/endpoints.toml` (`text`, `digits`,
//!   `mobile`, `count`, `date`, `token`, `enum`) and the list and cross-field checks.
//! - [`violation`]: what a broken rule reports.
//! - [`literal`]: a kind's rule and limits as data (the literal macros' table).
//! - [`vocabulary`]: the spec's closed word sets (category, retry class, method,
//!   effect), one enum each for the generator and the SDK.

pub mod charset;
pub mod literal;
pub mod rules;
pub mod violation;
pub mod vocabulary;

pub use charset::{Charset, Unencodable, byte_len, cp949_len};
pub use rules::{
    MobilePrefix, check_count, check_date, check_digits, check_enum, check_list_len, check_mobile,
    check_text, check_token, days_in_month, non_negative, parse_count, parse_date,
    strip_separators,
};
pub use violation::Violation;
pub use vocabulary::{Category, Effect, Method, RetryClass};
