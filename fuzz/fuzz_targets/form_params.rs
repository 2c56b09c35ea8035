//! The sandbox's request parsing on arbitrary bytes: the form/query decoder in
//! both charsets, then every operation's `from_wire`. No panic.
#![no_main]

use coufun_api::{
    ChangeRecipientRequest, Charset, CouponCancelRequest, CouponCreateRequest,
    CouponImageSendRequest, CouponResendRequest, CouponSendRequest, CouponStatusRequest,
    GoodsListRequest, OperationId,
};
use coufun_sandbox::wire::decode_params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Cp949, Charset::Utf8] {
        let Ok(params) = decode_params(data, charset) else {
            continue;
        };
        // An exhaustive match: an operation added to the spec does not
        // compile here until its parser is fuzzed too.
        for id in OperationId::ALL {
            match id {
                OperationId::GoodsList => drop(GoodsListRequest::from_wire(&params, charset)),
                OperationId::CouponSend => drop(CouponSendRequest::from_wire(&params, charset)),
                OperationId::CouponCreate => drop(CouponCreateRequest::from_wire(&params, charset)),
                OperationId::CouponStatus => drop(CouponStatusRequest::from_wire(&params, charset)),
                OperationId::CouponCancel => drop(CouponCancelRequest::from_wire(&params, charset)),
                OperationId::CouponResend => drop(CouponResendRequest::from_wire(&params, charset)),
                OperationId::ChangeRecipient => {
                    drop(ChangeRecipientRequest::from_wire(&params, charset))
                }
                OperationId::CouponImageSend => {
                    drop(CouponImageSendRequest::from_wire(&params, charset))
                }
            }
        }
    }
});
