// 20 Hangul syllables are 40 CP949 bytes: the subject limit exactly; 9 recipients.
use coufun_api::{CouponSendRequest, recipients, sender, subject, tr_id};

fn main() {
    let request = CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id(tr_id!("TR-0001"))
        .sender(sender!("02-1234-5678"))
        .subject(subject!("가나다라마바사아자차카타파하가나다라마바"))
        .recipients(recipients![
            "01000000001", "01000000002", "01000000003", "011-000-0004", "016-000-0005",
            "017-0000-0006", "018 000 0007", "019-0000-0008", "01000000009",
        ])
        .build();
    assert!(request.is_ok());
}
