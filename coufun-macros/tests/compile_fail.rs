//! Mistakes that must not compile (trybuild, with committed `.stderr` files), and
//! the literals at their limits that must.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn literals_and_builders_at_compile_time() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
