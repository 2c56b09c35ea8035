// 010 must be followed by 8 digits.
fn main() {
    let _ = coufun_api::recipient!("010-123-4567");
}
