//! Emits the manual's metadata: title, version, revision date, the two
//! environments' URLs and the revision history.

use proc_macro2::TokenStream;
use quote::quote;

use crate::Spec;

/// The whole `manual.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let m = &spec.codes.manual;
    let title = m.title.get_ref();
    let version = m.version.get_ref();
    let revised = m.revised.get_ref();
    let url = |name: &str| {
        spec.codes
            .environments
            .iter()
            .find(|e| e.name.get_ref() == name)
            .map(|e| e.url.get_ref().clone())
            .unwrap_or_default()
    };
    let production = url("production");
    let test = url("test");
    let count = proc_macro2::Literal::usize_unsuffixed(m.revisions.len());
    let revisions = m.revisions.iter().map(|r| {
        let (v, d, ko, en) = (
            r.version.get_ref(),
            &r.date,
            r.change_ko.get_ref(),
            r.change_en.get_ref(),
        );
        quote! { ManualRevision { version: #v, date: #d, change_ko: #ko, change_en: #en } }
    });
    let production_doc = format!(" Production base URL (manual: 상용 URL): `{production}`.");
    let test_doc = format!(" Test-server base URL (manual: 테스트 URL): `{test}`.");
    quote! {
        //! The manual's metadata: title, version, environments, revision history.
        use super::super::manual::ManualRevision;

        /// Title of the code-definition manual this crate was generated from.
        pub const MANUAL_TITLE: &str = #title;
        /// Version of that manual.
        pub const MANUAL_VERSION: &str = #version;
        /// Date of its last revision (`YYYY-MM-DD`).
        pub const MANUAL_REVISED: &str = #revised;
        #[doc = #production_doc]
        pub const PRODUCTION_URL: &str = #production;
        #[doc = #test_doc]
        pub const TEST_URL: &str = #test;
        /// The manual's revision history, oldest first.
        pub static MANUAL_REVISIONS: [ManualRevision; #count] = [ #( #revisions ),* ];
    }
}
