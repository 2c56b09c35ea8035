// A coupon create without `quantity`: `build` fails to compile, naming the field.
use coufun_api::CouponCreateRequest;

fn main() {
    let _ = CouponCreateRequest::builder()
        .goods_id("0000012345")
        .tr_id("TR-0001")
        .build();
}
