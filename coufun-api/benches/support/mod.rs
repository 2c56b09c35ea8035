//! The documents the benchmarks read, written as the manuals describe them
//! (indented like their samples): the goods list and the coupon-status answer.

#![allow(dead_code)]

use std::fmt::Write as _;

/// A guide text of a few hundred bytes, varied by `i`.
fn guide(i: usize) -> String {
    let mut text = format!("[{i}번 상품 이용 안내] ");
    for line in [
        "본 쿠폰은 전국 매장에서 사용 가능하며 일부 특수 매장(공항, 휴게소)은 제외됩니다.",
        "유효기간 내 미사용 시 자동 소멸되며 현금으로 교환되지 않습니다.",
        "매장 사정에 따라 동일 가격 이상의 다른 상품으로 교환될 수 있습니다.",
    ] {
        text.push_str(line);
        text.push(' ');
    }
    text
}

/// The goods list, indented as the manual's sample, declaring `label`.
pub fn goods_list_text(label: &str, n: usize) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<PRODUCTLIST>\n  <RESULT_CODE>00</RESULT_CODE>\n  <RESULT_MSG>정상처리</RESULT_MSG>\n  <LIST_CNT>{n}</LIST_CNT>\n"
    );
    for i in 0..n {
        let price = 4500 + (i % 10) * 500;
        let (valid_type, valid) = if i % 3 == 0 {
            ("E", "20271231".to_owned())
        } else {
            ("D", "90".to_owned())
        };
        let _ = write!(
            doc,
            "  <PRODUCT_INFO>
    <CAT_ID>C{cat:03}</CAT_ID>
    <GOODS_ID>G{i:09}</GOODS_ID>
    <GOODS_NAME>한강 카페 아이스 카페라떼 Tall 사이즈 {i}</GOODS_NAME>
    <GOODS_ORI_PRICE>{price}</GOODS_ORI_PRICE>
    <GOODS_PRICE>{supply}</GOODS_PRICE>
    <GOODS_INFO>에스프레소에 신선한 우유를 더한 부드러운 라떼 한 잔 (ICE, Tall 355ml). {guide}</GOODS_INFO>
    <USE_GUIDE>{guide}</USE_GUIDE>
    <EXC_BRANCH>한강 카페 전국 지점</EXC_BRANCH>
    <VALID_END_TYPE>{valid_type}</VALID_END_TYPE>
    <VALID_END_DATE>{valid}</VALID_END_DATE>
    <SEND_TYPE>M</SEND_TYPE>
    <IMAGE_PATH_S>https://img.example.invalid/goods/{i:09}_s.jpg</IMAGE_PATH_S>
    <IMAGE_PATH_M>https://img.example.invalid/goods/{i:09}_m.jpg</IMAGE_PATH_M>
    <IMAGE_PATH_B>https://img.example.invalid/goods/{i:09}_b.jpg</IMAGE_PATH_B>
    <IMAGE_SIZE_S_W>90</IMAGE_SIZE_S_W>
    <IMAGE_SIZE_S_H>90</IMAGE_SIZE_S_H>
    <IMAGE_SIZE_M_W>240</IMAGE_SIZE_M_W>
    <IMAGE_SIZE_M_H>240</IMAGE_SIZE_M_H>
    <IMAGE_SIZE_B_W>480</IMAGE_SIZE_B_W>
    <IMAGE_SIZE_B_H>480</IMAGE_SIZE_B_H>
  </PRODUCT_INFO>
",
            cat = i % 37,
            supply = price * 92 / 100,
            guide = guide(i),
        );
    }
    doc.push_str("</PRODUCTLIST>\n");
    doc
}

/// A coupon-status answer of `n` records, indented, declaring `label`.
pub fn status_text(label: &str, n: usize) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<COUFUNSEARCH>\n  <RESULT_CODE>00</RESULT_CODE>\n  <RESULT_MSG>정상처리</RESULT_MSG>\n"
    );
    for i in 0..n {
        let _ = write!(
            doc,
            "  <ORDER_INFO>
    <COUPON_TYPE>{kind}</COUPON_TYPE>
    <ORDER_DATE>20240{m}15</ORDER_DATE>
    <STATUS>{status}</STATUS>
    <RECEIVER_MOBILE>0101234{i:04}</RECEIVER_MOBILE>
    <BARCODE_NUM>9{i:011}</BARCODE_NUM>
    <VALID_END_DATE>20241231</VALID_END_DATE>
    <EXCHANGE_DATE>{exchanged}</EXCHANGE_DATE>
    <CANCEL_DATE></CANCEL_DATE>
    <TOTAL_AMOUNT>30000</TOTAL_AMOUNT>
    <REMAIN_AMOUNT>{remain}</REMAIN_AMOUNT>
  </ORDER_INFO>
",
            kind = if i % 2 == 0 { "BARCODE" } else { "AMOUNT" },
            m = 1 + i % 9,
            status = if i % 3 == 0 { "001" } else { "000" },
            exchanged = if i % 3 == 0 { "20240620134501" } else { "" },
            remain = 30000 - (i % 3) * 5000,
        );
    }
    doc.push_str("</COUFUNSEARCH>\n");
    doc
}

pub fn euc_kr(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    assert!(!unmappable, "the benchmark text is all in EUC-KR");
    bytes.into_owned()
}
