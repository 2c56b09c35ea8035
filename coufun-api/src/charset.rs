//! The charset the server counts and reads text in (CP949 by default, UTF-8 on
//! request) and byte counting in it. Implemented once in `coufun-rules`, which the
//! compile-time literal macros share; re-exported here.

pub use coufun_rules::charset::{Charset, Unencodable, byte_len, cp949_len};
