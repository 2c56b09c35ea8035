// A coupon create without `goods_id`: `build` fails to compile, naming the field.
use coufun_api::CouponCreateRequest;

fn main() {
    let _ = CouponCreateRequest::builder()
        .quantity(1)
        .tr_id("TR-0001")
        .build();
}
