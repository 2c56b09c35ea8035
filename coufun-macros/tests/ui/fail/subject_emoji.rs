// CP949 cannot encode an emoji.
fn main() {
    let _ = coufun_api::subject!("생일 축하 🎂");
}
