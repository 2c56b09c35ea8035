//! Mistakes that must not compile (trybuild, with committed `.stderr` files), and
//! the literals at their limits that must.

#[test]
fn literals_and_builders_at_compile_time() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
