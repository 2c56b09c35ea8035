//! Emits `kinds.rs`: one validated type per `[kinds.*]` of the spec, its limits as
//! constants, the code that guards it, and its `FieldKind` impl. The checks
//! themselves are `coufun_rules` functions, called with those constants.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::{doc_lines, ident, number, option};
use crate::Spec;
use crate::model::{Kind, Rule};

/// The `ResultCode` variant for a two-digit code the validator has checked.
pub fn code_variant(spec: &Spec, code: &str) -> Ident {
    let variant = spec
        .codes
        .codes
        .iter()
        .find(|c| c.code() == code)
        .map_or("Unknown", |c| c.variant());
    ident(variant)
}

/// The whole `kinds.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let kinds = spec
        .endpoints
        .kinds
        .iter()
        .map(|(key, kind)| emit_kind(spec, key, kind));
    let server_limits = spec.endpoints.server_limits.iter().map(|(key, limit)| {
        let name = ident(&key.to_uppercase());
        let value = Literal::u32_unsuffixed(*limit.value.get_ref());
        let doc = doc_lines(&format!(
            "{}\n\nPast it the server answers `{}`. Source: {}.",
            limit.doc,
            limit.code.get_ref(),
            super::source_label(spec, limit.source.get_ref())
        ));
        quote! { #doc pub const #name: u32 = #value; }
    });
    quote! {
        //! One validated type per field kind of `spec/endpoints.toml`: the kind's
        //! limits as constants, the result code that guards it, and its check (a
        //! `coufun_rules` function called with those constants).
        use std::borrow::Cow;
        use std::fmt;

        #( #server_limits )*

        use crate::charset::Charset;
        use crate::field::{FieldInput, FieldKind};
        use crate::ResultCode;
        use coufun_rules::Violation;

        #( #kinds )*
    }
}

/// The tokens of one kind's type and impls.
pub fn emit_kind(spec: &Spec, key: &str, kind: &Kind) -> TokenStream {
    let ty = ident(kind.type_name.get_ref());
    let code = kind.code.get_ref();
    let code_variant = code_variant(spec, code);
    let doc = doc_lines(&format!(
        "{}\n\nSpec kind `{key}`, rule `{}`; the server answers `{code}` when it is broken. \
         Limit source: {}.",
        kind.doc,
        kind.rule.word(),
        super::source_label(spec, kind.limit_source.get_ref()),
    ));
    let code_const = quote! {
        /// The result code the server answers when this kind's rule is broken.
        pub const CODE: ResultCode = ResultCode::#code_variant;
    };
    let body = match kind.rule {
        Rule::Text => emit_text(&ty, &doc, &code_const, kind),
        Rule::Digits | Rule::Mobile => emit_phone(&ty, &doc, &code_const, kind),
        Rule::Token | Rule::Date => emit_plain(&ty, &doc, &code_const, kind),
        Rule::Count => emit_count(&ty, &doc, &code_const, kind),
        Rule::Enum => emit_enum(&ty, &doc, &code_const, kind),
    };
    let secret = kind.secret;
    quote! {
        #body

        impl #ty {
            /// The spec's key of this kind (`[kinds.<key>]`).
            pub const KIND: &'static str = #key;
            /// Whether the spec marks the kind secret: its `Debug` (and
            /// `Display`) then mask the value.
            pub const SECRET: bool = #secret;
        }
    }
}

/// The `From` impl that lets builder setters take the checked value itself.
fn checked_input(ty: &Ident) -> TokenStream {
    quote! {
        impl From<#ty> for FieldInput<#ty> {
            fn from(value: #ty) -> Self { FieldInput::checked(value) }
        }
    }
}

/// `From` impls that let builder setters take the type itself or text.
fn text_inputs(ty: &Ident) -> TokenStream {
    let (checked, text) = (checked_input(ty), [quote! { &str }, quote! { String }]);
    quote! {
        #checked
        #(
            impl From<#text> for FieldInput<#ty> {
                fn from(text: #text) -> Self { FieldInput::raw(text) }
            }
        )*
    }
}

fn emit_text(ty: &Ident, doc: &TokenStream, code_const: &TokenStream, kind: &Kind) -> TokenStream {
    let min = Literal::u32_unsuffixed(number(&kind.min_bytes));
    let max = Literal::u32_unsuffixed(number(&kind.max_bytes));
    let inputs = text_inputs(ty);
    let text_impls = text_impls(ty, "mask", true);
    let field_kind = field_kind(ty, kind.rule);
    quote! {
        #doc
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct #ty {
            text: Cow<'static, str>,
            checked_in: Charset,
        }

        impl #ty {
            /// Fewest bytes allowed, in the request charset.
            pub const MIN_BYTES: u32 = #min;
            /// Most bytes allowed, in the request charset.
            pub const MAX_BYTES: u32 = #max;
            #code_const

            /// Checks `text` in CP949, the charset the server counts in by default.
            pub fn new(text: impl Into<String>) -> Result<Self, Violation> {
                Self::new_in(text, Charset::Cp949)
            }

            /// Checks `text` measured in `charset`.
            pub fn new_in(text: impl Into<String>, charset: Charset) -> Result<Self, Violation> {
                let text = text.into();
                coufun_rules::check_text(&text, charset, Self::MIN_BYTES, Self::MAX_BYTES)?;
                Ok(Self { text: Cow::Owned(text), checked_in: charset })
            }

            /// A literal the macro checked in CP949 at compile time.
            #[doc(hidden)]
            pub const fn __from_checked_literal(text: &'static str) -> Self {
                Self { text: Cow::Borrowed(text), checked_in: Charset::Cp949 }
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.text
            }
        }

        #text_impls

        #field_kind

        #inputs
    }
}

fn emit_phone(ty: &Ident, doc: &TokenStream, code_const: &TokenStream, kind: &Kind) -> TokenStream {
    let (limits, check) = if kind.rule == Rule::Digits {
        let max = Literal::u32_unsuffixed(number(&kind.max_len));
        (
            quote! {
                /// Most digits allowed (after removing `-` and ` `).
                pub const MAX_LEN: u32 = #max;
            },
            quote! { coufun_rules::check_digits(text, Self::MAX_LEN) },
        )
    } else {
        let prefixes = kind.prefixes.iter().map(|p| {
            let prefix = p.prefix.get_ref();
            let digits = p.digits.iter().map(|d| Literal::u32_unsuffixed(*d));
            quote! { coufun_rules::MobilePrefix { prefix: #prefix, digits: &[#(#digits),*] } }
        });
        (
            quote! {
                /// Allowed prefixes, each with the digit counts allowed after it.
                pub const PREFIXES: &'static [coufun_rules::MobilePrefix<'static>] = &[#(#prefixes),*];
            },
            quote! { coufun_rules::check_mobile(text, Self::PREFIXES) },
        )
    };
    let inputs = text_inputs(ty);
    let text_impls = text_impls(ty, "mask_phone", false);
    let field_kind = field_kind(ty, kind.rule);
    quote! {
        #doc
        ///
        /// A phone number: there is no `Display`; read it with `as_str`. When
        /// the kind is secret (the spec's mark) `Debug` masks it (`010-****-5678`).
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct #ty(Cow<'static, str>);

        impl #ty {
            #limits
            #code_const

            /// Checks `text` (digits; `-` and ` ` are removed).
            pub fn new(text: &str) -> Result<Self, Violation> {
                #check.map(|digits| Self(Cow::Owned(digits)))
            }

            /// Digits the macro checked at compile time.
            #[doc(hidden)]
            pub const fn __from_checked_literal(digits: &'static str) -> Self {
                Self(Cow::Borrowed(digits))
            }

            /// The digits, separators removed.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        #text_impls

        #field_kind

        #inputs
    }
}

fn emit_plain(ty: &Ident, doc: &TokenStream, code_const: &TokenStream, kind: &Kind) -> TokenStream {
    let (limits, check, ord) = if kind.rule == Rule::Token {
        let max = Literal::u32_unsuffixed(number(&kind.max_len));
        (
            quote! {
                /// Most characters allowed.
                pub const MAX_LEN: u32 = #max;
            },
            quote! { coufun_rules::check_token(text, Self::MAX_LEN) },
            quote! {},
        )
    } else {
        (
            quote! {},
            quote! { coufun_rules::check_date(text) },
            // YYYYMMDD text orders as the dates do.
            quote! { PartialOrd, Ord, },
        )
    };
    let inputs = text_inputs(ty);
    let texts = [quote! { &str }, quote! { String }];
    let reported = (kind.rule == Rule::Token).then(|| {
        quote! {
            #(
                /// [`Self::reported`]: the value as a server (or a test) gives it.
                impl From<#texts> for #ty {
                    fn from(text: #texts) -> Self {
                        Self::reported(text)
                    }
                }
            )*
        }
    });
    let secrecy = kind.secret.then(|| {
        quote! {
            ///
            /// A secret (the spec's mark): `Debug` and `Display` mask it
            /// (`***` and its last four characters); read it with `as_str` or
            /// `AsRef<str>`.
        }
    });
    let text_impls = text_impls(ty, "mask", true);
    let field_kind = field_kind(ty, kind.rule);
    quote! {
        #doc
        #secrecy
        ///
        /// A value read from an answer is kept as the server sent it even when
        /// it breaks the kind's rule ([`Self::reported`], [`Self::breaks_rule`]):
        /// the decode does not fail on it, and a request given it checks it again.
        #[derive(Clone, PartialEq, Eq, Hash, #ord)]
        pub struct #ty {
            text: Cow<'static, str>,
            breaks_rule: bool,
        }

        impl #ty {
            #limits
            #code_const

            /// Checks `text`.
            pub fn new(text: impl Into<String>) -> Result<Self, Violation> {
                let text = text.into();
                Self::check(&text)?;
                Ok(Self { text: Cow::Owned(text), breaks_rule: false })
            }

            /// Checks `text` without keeping it.
            pub fn check(text: &str) -> Result<(), Violation> {
                #check
            }

            /// The value as a server reported it: kept even when it breaks the
            /// kind's rule, which [`Self::breaks_rule`] then says.
            pub fn reported(text: impl Into<String>) -> Self {
                let text = text.into();
                let breaks_rule = Self::check(&text).is_err();
                Self { text: Cow::Owned(text), breaks_rule }
            }

            /// Whether the value breaks the kind's rule (only a value made by
            /// [`Self::reported`] can).
            pub fn breaks_rule(&self) -> bool {
                self.breaks_rule
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.text
            }
        }

        #text_impls

        /// The text (as `as_str`), so that `Option<Self>::as_deref` reads it.
        impl std::ops::Deref for #ty {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        #field_kind

        #reported

        #inputs
    }
}

fn emit_count(ty: &Ident, doc: &TokenStream, code_const: &TokenStream, kind: &Kind) -> TokenStream {
    let min = Literal::u64_unsuffixed(number(&kind.min));
    let max = option(
        kind.max
            .as_ref()
            .map(|v| Literal::u64_unsuffixed(*v.get_ref())),
    );
    let checked = checked_input(ty);
    let field_kind = field_kind(ty, kind.rule);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #ty(u64);

        impl #ty {
            /// Smallest value allowed.
            pub const MIN: u64 = #min;
            /// Largest value allowed, when there is a bound.
            pub const MAX: Option<u64> = #max;
            #code_const

            /// Checks `value`.
            pub fn new(value: u64) -> Result<Self, Violation> {
                coufun_rules::check_count(value, Self::MIN, Self::MAX).map(Self)
            }

            /// The value.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for #ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        #field_kind

        #checked
        impl From<u64> for FieldInput<#ty> {
            fn from(value: u64) -> Self { FieldInput::from_result(#ty::new(value)) }
        }
    }
}

/// An `enum` kind: one variant per spec value, with its wire text
/// (`as_wire`, `from_wire`, `WIRE_VALUES`) and its meaning (`doc`, `DOCS`).
fn emit_enum(ty: &Ident, doc: &TokenStream, code_const: &TokenStream, kind: &Kind) -> TokenStream {
    let variants = kind.values.iter().map(|v| {
        let name = ident(v.name.get_ref());
        let wording: String = v
            .wording
            .iter()
            .map(|w| {
                format!(
                    " The {} manual words it {} ({}).",
                    w.source.get_ref().as_str(),
                    w.ko.get_ref(),
                    w.en.get_ref()
                )
            })
            .collect();
        let d = doc_lines(&format!(
            "{} Wire value `{}`.{wording}",
            v.doc,
            v.wire.get_ref()
        ));
        quote! { #d #name, }
    });
    let names: Vec<Ident> = kind
        .values
        .iter()
        .map(|v| ident(v.name.get_ref()))
        .collect();
    let wires: Vec<&String> = kind.values.iter().map(|v| v.wire.get_ref()).collect();
    let docs: Vec<&str> = kind.values.iter().map(|v| v.doc.as_str()).collect();
    let count = names.len();
    let checked = checked_input(ty);
    let field_kind = field_kind(ty, kind.rule);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ty {
            #( #variants )*
        }

        impl #ty {
            /// Every value, in the spec's order.
            pub const ALL: [#ty; #count] = [#( #ty::#names ),*];
            /// The wire texts, in the same order.
            pub const WIRE_VALUES: [&'static str; #count] = [#( #wires ),*];
            /// What each value means (the spec's `values[].doc`), in the same order.
            pub const DOCS: [&'static str; #count] = [#( #docs ),*];
            #code_const

            /// The value on the wire.
            pub const fn as_wire(self) -> &'static str {
                match self {
                    #( #ty::#names => #wires, )*
                }
            }

            /// What the value means, as the spec documents it.
            pub const fn doc(self) -> &'static str {
                match self {
                    #( #ty::#names => #docs, )*
                }
            }

            /// The value whose wire text is `text`.
            pub fn from_wire(text: &str) -> Result<Self, Violation> {
                let index = coufun_rules::check_enum(text, &Self::WIRE_VALUES)?;
                Self::ALL.get(index).copied().ok_or(Violation::NotAllowed)
            }
        }

        impl fmt::Display for #ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_wire())
            }
        }

        #field_kind

        #checked
    }
}

/// `impl FieldKind` of a kind of `rule`: the bodies of `parse` (from `text`),
/// `is_checked_in` and `wire_value`. Only a text kind's rule depends on the
/// request charset; the others name their charset argument `_charset`.
fn field_kind(ty: &Ident, rule: Rule) -> TokenStream {
    let (new, as_str) = (
        quote! { Self::new(text) },
        quote! { Cow::Borrowed(self.as_str()) },
    );
    let (parse, checked, wire) = match rule {
        Rule::Text => (
            quote! { Self::new_in(text, charset) },
            quote! { self.checked_in == charset },
            as_str,
        ),
        Rule::Digits | Rule::Mobile => (new, quote! { true }, as_str),
        Rule::Token | Rule::Date => (new, quote! { !self.breaks_rule }, as_str),
        Rule::Count => (
            quote! { coufun_rules::parse_count(text, Self::MIN, Self::MAX).map(Self) },
            quote! { true },
            quote! { Cow::Owned(self.0.to_string()) },
        ),
        Rule::Enum => (
            quote! { Self::from_wire(text) },
            quote! { true },
            quote! { Cow::Borrowed(self.as_wire()) },
        ),
    };
    let charset = ident(if rule == Rule::Text {
        "charset"
    } else {
        "_charset"
    });
    quote! {
        impl FieldKind for #ty {
            const CODE: ResultCode = Self::CODE;
            fn parse(text: &str, #charset: Charset) -> Result<Self, Violation> {
                #parse
            }
            fn is_checked_in(&self, #charset: Charset) -> bool {
                #checked
            }
            fn wire_value(&self) -> Cow<'_, str> {
                #wire
            }
        }
    }
}

/// `Debug`, `Display` when `display` (both masking a secret kind with
/// `crate::privacy::<mask>`) and `AsRef<str>` of a kind whose value is text: one
/// body for the text, token and phone kinds (a phone number has no `Display`).
fn text_impls(ty: &Ident, mask: &str, display: bool) -> TokenStream {
    let mask = ident(mask);
    let display = display.then(|| {
        quote! {
            impl fmt::Display for #ty {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    if Self::SECRET {
                        fmt::Display::fmt(&crate::privacy::#mask(self.as_str()), f)
                    } else {
                        f.write_str(self.as_str())
                    }
                }
            }
        }
    });
    quote! {
        impl fmt::Debug for #ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if Self::SECRET {
                    f.debug_tuple(stringify!(#ty))
                        .field(&crate::privacy::#mask(self.as_str()))
                        .finish()
                } else {
                    f.debug_tuple(stringify!(#ty)).field(&self.as_str()).finish()
                }
            }
        }

        #display

        impl AsRef<str> for #ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    }
}
