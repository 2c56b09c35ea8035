//! The sandbox's request parsing on arbitrary bytes: the form/query decoder in
//! both charsets, then every operation's `from_wire`. No panic.
#![no_main]

use coufun_api::{
    ChangeRecipientRequest, Charset, CouponCancelRequest, CouponCreateRequest,
    CouponImageSendRequest, CouponResendRequest, CouponSendRequest, CouponStatusRequest,
    GoodsListRequest,
};
use coufun_sandbox::wire::decode_params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Cp949, Charset::Utf8] {
        let Ok(params) = decode_params(data, charset) else {
            continue;
        };
        let _ = GoodsListRequest::from_wire(&params, charset);
        let _ = CouponSendRequest::from_wire(&params, charset);
        let _ = CouponCreateRequest::from_wire(&params, charset);
        let _ = CouponStatusRequest::from_wire(&params, charset);
        let _ = CouponCancelRequest::from_wire(&params, charset);
        let _ = CouponResendRequest::from_wire(&params, charset);
        let _ = ChangeRecipientRequest::from_wire(&params, charset);
        let _ = CouponImageSendRequest::from_wire(&params, charset);
    }
});
