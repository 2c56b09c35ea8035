// A coupon send without its subject: `build` does not exist until every required
// field is given, and the error names the missing one.
use coufun_api::CouponSendRequest;

fn main() {
    let _ = CouponSendRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-0001")
        .sender("0212345678")
        .recipients(["01012345678"])
        .build();
}
