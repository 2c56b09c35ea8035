// A result code literal must be two digits: the error points at the literal.
fn main() {
    let _ = coufun_api::result_code!("5");
}
