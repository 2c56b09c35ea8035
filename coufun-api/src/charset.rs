//! The charset the server counts and reads text in: CP949 by default, UTF-8 on request.

/// How request text is measured and encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Charset {
    /// CP949 (windows-949, the WHATWG EUC-KR): Hangul syllables 2 bytes, ASCII 1.
    #[default]
    Cp949,
    /// UTF-8: Hangul syllables 3 bytes.
    Utf8,
}
