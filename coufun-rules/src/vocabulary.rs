//! The spec's closed word sets, one enum each: a result code's [`Category`] and
//! [`RetryClass`], an operation's [`Method`] and [`Effect`]. The generator reads
//! them from `spec/*.toml` (feature `serde`) and the SDK answers with the same
//! types, so a concept has one enum from the spec to the caller.

/// Defines a word-set enum: each variant with the word the spec writes for it.
/// Variants under `sdk` exist for callers but are no word of the spec (the spec
/// refuses them).
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            spec { $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )* }
            sdk { $( $(#[$smeta:meta])* $sdk_variant:ident = $sdk_word:literal, )* }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            $( $(#[$smeta])* $sdk_variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] =
                &[$($name::$variant,)* $($name::$sdk_variant,)*];

            /// The words `spec/*.toml` may write, in declaration order.
            pub const SPEC_WORDS: &'static [&'static str] = &[$($word),*];

            /// The word for this value (the spec's, e.g. in `spec/*.toml`).
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $word, )*
                    $( $name::$sdk_variant => $sdk_word, )*
                }
            }

            /// The Rust variant name (what generated code writes).
            pub const fn variant(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($variant), )*
                    $( $name::$sdk_variant => stringify!($sdk_variant), )*
                }
            }

            /// The value the spec writes as `word`; `None` for any other text.
            pub fn from_spec_word(word: &str) -> Option<$name> {
                match word {
                    $( $word => Some($name::$variant), )*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(SpecWord {
                    name: stringify!($name),
                    words: $name::SPEC_WORDS,
                    parse: $name::from_spec_word,
                })
            }
        }
    };
}

vocabulary! {
    /// What a result code is about.
    #[non_exhaustive]
    pub enum Category {
        spec {
            /// The call succeeded.
            Success = "success",
            /// Access and contract: IP, POC_ID, integration period, permissions.
            Access = "access",
            /// A request field is missing or malformed.
            Request = "request",
            /// The goods cannot be issued as asked.
            Goods = "goods",
            /// A repeated TR_ID or request: find out what the first one did.
            Duplicate = "duplicate",
            /// The coupon is in a state that forbids the call.
            CouponState = "coupon_state",
            /// A count or quota is used up.
            Limit = "limit",
            /// The server failed.
            Server = "server",
        }
        sdk {
            /// A code outside the manual.
            Unknown = "unknown",
        }
    }
}

vocabulary! {
    /// Whether a call that answered a code may be sent again.
    #[non_exhaustive]
    pub enum RetryClass {
        spec {
            /// The same call may simply be sent again.
            AsIs = "as_is",
            /// It may be sent again, but a state-changing call only with the same
            /// TR_ID (a new TR_ID could issue a second coupon).
            SameTrId = "same_tr_id",
            /// Sending it again cannot succeed.
            Never = "never",
        }
        sdk {}
    }
}

impl RetryClass {
    /// Whether any retry may help.
    pub const fn may_retry(self) -> bool {
        !matches!(self, RetryClass::Never)
    }
}

vocabulary! {
    /// An HTTP method the server accepts for an operation.
    #[non_exhaustive]
    pub enum Method {
        spec {
            /// `GET`: parameters in the query string.
            Get = "GET",
            /// `POST`: parameters as an `application/x-www-form-urlencoded` body.
            Post = "POST",
        }
        sdk {}
    }
}

vocabulary! {
    /// Whether an operation changes state on the server.
    #[non_exhaustive]
    pub enum Effect {
        spec {
            /// Safe to repeat: goods list, goods info, coupon status.
            Read = "read",
            /// Issues, cancels or sends something: repeat only with the same request.
            Write = "write",
        }
        sdk {}
    }
}

/// Reads one spec word as `T`; any other text is serde's "unknown variant"
/// error, naming the words the spec may write.
#[cfg(feature = "serde")]
struct SpecWord<T> {
    name: &'static str,
    words: &'static [&'static str],
    parse: fn(&str) -> Option<T>,
}

#[cfg(feature = "serde")]
impl<T> serde::de::Visitor<'_> for SpecWord<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a {} word", self.name)
    }

    fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<T, E> {
        (self.parse)(word).ok_or_else(|| E::unknown_variant(word, self.words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_variants_and_spec_words_agree() {
        for &c in Category::ALL {
            assert_eq!(
                Category::from_spec_word(c.name()),
                (c != Category::Unknown).then_some(c)
            );
            assert_eq!(format!("{c:?}"), c.variant());
            assert_eq!(c.to_string(), c.name());
        }
        assert_eq!(Category::CouponState.name(), "coupon_state");
        assert_eq!(Category::Unknown.name(), "unknown");
        assert_eq!(Category::from_spec_word("unknown"), None);
        assert_eq!(Category::ALL.len(), Category::SPEC_WORDS.len() + 1);
        assert_eq!(RetryClass::SameTrId.name(), "same_tr_id");
        assert_eq!(RetryClass::from_spec_word("as_is"), Some(RetryClass::AsIs));
        assert_eq!(Method::Get.name(), "GET");
        assert_eq!(Method::from_spec_word("get"), None);
        assert_eq!(Effect::from_spec_word("write"), Some(Effect::Write));
        assert_eq!(Effect::Read.variant(), "Read");
    }

    #[test]
    fn only_never_forbids_a_retry() {
        assert!(RetryClass::AsIs.may_retry());
        assert!(RetryClass::SameTrId.may_retry());
        assert!(!RetryClass::Never.may_retry());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn reads_and_writes_the_spec_words() {
        assert_eq!(
            serde_json::from_str::<Effect>("\"write\"").ok(),
            Some(Effect::Write)
        );
        let wrong = serde_json::from_str::<Effect>("\"Write\"").unwrap_err();
        assert!(
            wrong
                .to_string()
                .starts_with("unknown variant `Write`, expected `read` or `write`"),
            "{wrong}"
        );
        let number = serde_json::from_str::<RetryClass>("3").unwrap_err();
        assert!(
            number
                .to_string()
                .starts_with("invalid type: integer `3`, expected a RetryClass word"),
            "{number}"
        );
        let written = serde_json::to_string(&Category::CouponState).ok();
        assert_eq!(written.as_deref(), Some("\"coupon_state\""));
    }
}
