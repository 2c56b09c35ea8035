// 21 Hangul syllables are 42 CP949 bytes: over the subject limit.
fn main() {
    let _ = coufun_api::subject!("가나다라마바사아자차카타파하가나다라마바사");
}
