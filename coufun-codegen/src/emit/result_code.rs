//! Emits `ResultCode`: one variant per manual code plus an opaque unknown case,
//! and the static table of each code's texts and classifications. Everything
//! else (parsing, texts, display, serde) is the runtime's
//! `result_code::impl_result_code!`, which the emitted module invokes: the
//! generated code uses the runtime, never the reverse.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{doc_lines, ident, option};
use crate::Spec;
use crate::model::CodeEntry;

/// The whole `result_code.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let codes = &spec.codes.codes;
    let manual_version = spec.codes.manual.version.get_ref();
    let count = Literal::usize_unsuffixed(codes.len());
    let docs = codes.iter().map(|c| doc_lines(&variant_doc(c)));
    let v: Vec<_> = codes.iter().map(|c| ident(c.variant())).collect();
    let n = codes.iter().map(|c| Literal::u8_unsuffixed(number(c)));
    let i = (0..codes.len()).map(Literal::usize_unsuffixed);
    let infos = codes.iter().map(info);
    let after_lost_answer = after_lost_answer(codes);
    let enum_doc = doc_lines(&format!(
        "A COUFUN result code: one variant per code of manual v{manual_version}, and\n\
         [`ResultCode::Unknown`] for a code the manual does not define.\n\n\
         Parse one from the server's two-digit text with [`str::parse`]; ask it for\n\
         its [`message`](ResultCode::message) and [`description`](ResultCode::description)\n\
         in Korean or English, its [`category`](ResultCode::category) and whether a\n\
         call that answered it may be [retried](ResultCode::retry).\n\n\
         ```\n\
         use coufun_api::{{Lang, ResultCode}};\n\
         \n\
         let code: ResultCode = \"01\".parse()?;\n\
         assert!(code.is_known());\n\
         assert_eq!(code.as_str(), \"01\");\n\
         println!(\"{{code}}\"); // the manual's Korean message\n\
         println!(\"{{}}\", code.display(Lang::En));\n\
         println!(\"may retry: {{}}\", code.retry().may_retry());\n\
         let _what_to_do: Option<&str> = code.action(Lang::En); // where the spec says\n\
         \n\
         // A code this manual does not define still parses and keeps its digits.\n\
         let newer: ResultCode = \"42\".parse()?;\n\
         assert!(!newer.is_known());\n\
         assert_eq!(newer.as_str(), \"42\");\n\
         # Ok::<(), coufun_api::ParseResultCodeError>(())\n\
         ```"
    ));
    quote! {
        //! `ResultCode`: one variant per code of the manual, and the table of what
        //! the manual (and our translation) says of each.
        use super::super::result_code::{Category, CodeInfo, RetryClass, UnknownCode, impl_result_code};

        #enum_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ResultCode {
            #( #docs #v, )*
            /// A code the manual does not define, e.g. from a newer server. The raw
            /// two-digit text is kept; the value is opaque so that matching on it
            /// cannot silently change meaning when a later manual defines the code.
            Unknown(UnknownCode),
        }

        impl ResultCode {
            /// Every code the manual defines, in the manual's order.
            pub const ALL: [ResultCode; #count] = [ #( ResultCode::#v ),* ];

            /// The known code numbered `n`, if the manual defines one.
            pub(crate) const fn known_from_number(n: u8) -> Option<ResultCode> {
                match n {
                    #( #n => Some(ResultCode::#v), )*
                    _ => None,
                }
            }

            /// The table row of a known code.
            pub(crate) const fn known_info(self) -> Option<&'static CodeInfo> {
                match self {
                    #( ResultCode::#v => Some(&CODE_INFO[#i]), )*
                    ResultCode::Unknown(_) => None,
                }
            }
        }

        impl_result_code!(ResultCode);

        /// What the manual (and our translation) says of each known code.
        pub(crate) static CODE_INFO: [CodeInfo; #count] = [ #( #infos ),* ];

        #after_lost_answer
    }
}

/// `ResultCode::after_lost_answer`: the spec's `after_lost_answer_ko/_en`
/// texts, for the codes that have them.
fn after_lost_answer(codes: &[CodeEntry]) -> TokenStream {
    let rows: Vec<TokenStream> = codes
        .iter()
        .filter_map(|c| {
            let ko = c.after_lost_answer_ko.as_ref()?.get_ref();
            let en = c.after_lost_answer_en.as_ref()?.get_ref();
            let v = ident(c.variant());
            Some(quote! { (ResultCode::#v, #ko, #en) })
        })
        .collect();
    let count = Literal::usize_unsuffixed(rows.len());
    quote! {
        /// `(code, Korean, English)`: what a code means after a lost answer.
        static AFTER_LOST_ANSWER: [(ResultCode, &str, &str); #count] = [ #( #rows ),* ];

        impl ResultCode {
            /// What this code means when it answers the repeat (same TR_ID) of an
            /// issuing call whose first answer was lost, in `lang`; `None` for a
            /// code that means nothing more after a lost answer.
            pub fn after_lost_answer(self, lang: super::super::result_code::Lang) -> Option<&'static str> {
                use super::super::result_code::Lang;
                AFTER_LOST_ANSWER
                    .iter()
                    .find(|(code, _, _)| *code == self)
                    .map(|(_, ko, en)| match lang {
                        Lang::Ko => *ko,
                        Lang::En => *en,
                    })
            }
        }
    }
}

fn number(c: &CodeEntry) -> u8 {
    c.code().parse().unwrap_or(u8::MAX)
}

fn variant_doc(c: &CodeEntry) -> String {
    let mut doc = format!(
        "`{}` {} — {}\n\n{}\n\n{}",
        c.code(),
        c.message_ko.get_ref(),
        c.message_en.get_ref(),
        c.description_ko.get_ref(),
        c.description_en.get_ref(),
    );
    if let (Some(ko), Some(en)) = (&c.action_ko, &c.action_en) {
        doc.push_str(&format!(
            "\n\nWhat to do: {}\n\n{}",
            en.get_ref(),
            ko.get_ref()
        ));
    }
    if let Some(v) = &c.since {
        doc.push_str(&format!("\n\nAdded in manual v{}.", v.get_ref()));
    }
    if let Some(v) = &c.changed_in {
        doc.push_str(&format!("\n\nChanged in manual v{}.", v.get_ref()));
    }
    if let Some(v) = &c.removed_in {
        doc.push_str(&format!(
            "\n\nNo longer in manual v{}; kept because servers may still answer it.",
            v.get_ref()
        ));
    }
    doc
}

fn info(c: &CodeEntry) -> TokenStream {
    let n = Literal::u8_unsuffixed(number(c));
    let message_ko = c.message_ko.get_ref();
    let description_ko = c.description_ko.get_ref();
    let message_en = c.message_en.get_ref();
    let description_en = c.description_en.get_ref();
    let category = ident(c.category.variant());
    let retry = ident(c.retry.variant());
    let contact_admin = c.contact_admin;
    let opt = |v: &Option<toml::Spanned<String>>| option(v.as_ref().map(|v| v.get_ref()));
    let since = opt(&c.since);
    let changed_in = opt(&c.changed_in);
    let action_ko = opt(&c.action_ko);
    let action_en = opt(&c.action_en);
    quote! {
        CodeInfo {
            number: #n,
            message_ko: #message_ko,
            description_ko: #description_ko,
            message_en: #message_en,
            description_en: #description_en,
            category: Category::#category,
            retry: RetryClass::#retry,
            contact_admin: #contact_admin,
            since: #since,
            changed_in: #changed_in,
            action_ko: #action_ko,
            action_en: #action_en,
        }
    }
}
