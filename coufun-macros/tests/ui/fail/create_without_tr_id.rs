// A coupon create without `tr_id`: `build` fails to compile, naming the field.
use coufun_api::CouponCreateRequest;

fn main() {
    let _ = CouponCreateRequest::builder()
        .goods_id("0000012345")
        .quantity(1)
        .build();
}
