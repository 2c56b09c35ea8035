//! Every name Korean and Java servers give CP949 / EUC-KR reads as CP949, in an
//! answer's XML declaration, in its `Content-Type`, and in an exchange notice's
//! `Content-Type`; an undeclared body is UTF-8 when valid, else CP949; a body
//! that is not what it was read as says which charset was tried and why.

mod support;

use coufun_api::notice::NoticeParser;
use coufun_api::responses::GoodsListResponse;
use coufun_api::retry::RetryPolicy;
use coufun_api::xml::{DecodeError, decode_document, decode_document_general};
use coufun_api::{Client, Environment, Error, GoodsListRequest};
use support::{TestServer, reply};

/// CP949 / EUC-KR as servers name it: WHATWG, Java (`x-windows-949`, `MS949`,
/// `x-IBM949`, `x-IBM970` and their aliases), Python and Korean habits.
const CP949_LABELS: &[&str] = &[
    "euc-kr",
    "EUC-KR",
    "euckr",
    "EUCKR",
    "euc_kr",
    "x-euc-kr",
    "csEUCKR",
    "korean",
    "ks_c_5601-1987",
    "KS_C_5601-1987",
    "ks_c_5601-1989",
    "ks_c_5601",
    "ksc5601",
    "ksc_5601",
    "KSC5601-1987",
    "ksc5601_1987",
    "5601",
    "iso-ir-149",
    "csKSC56011987",
    "ks_x_1001",
    "cp949",
    "CP949",
    "ms949",
    "MS949",
    "MS_949",
    "windows-949",
    "windows949",
    "x-windows-949",
    "949",
    "uhc",
    "x-IBM949",
    "ibm949",
    "ibm-949",
    "x-IBM949C",
    "x-IBM970",
    "ibm970",
    "cp970",
    "ibm-euckr",
];

const NAME: &str = "아메리카노 쿠폰";

fn answer_text(declaration: Option<&str>) -> String {
    let prolog = declaration
        .map(|label| format!("<?xml version=\"1.0\" encoding=\"{label}\"?>"))
        .unwrap_or_default();
    format!(
        "{prolog}<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>정상</RESULT_MSG>\
         <PRODUCT_INFO><GOODS_NAME>{NAME}</GOODS_NAME></PRODUCT_INFO></PRODUCTLIST>"
    )
}

fn cp949(text: &str) -> Vec<u8> {
    encoding_rs::EUC_KR.encode(text).0.into_owned()
}

fn goods_name(body: &[u8], header: Option<&str>) -> Result<String, DecodeError> {
    let fast = decode_document::<GoodsListResponse>(body, header)?;
    let general = decode_document_general::<GoodsListResponse>(body, header)?;
    assert_eq!(fast.body, general.body, "the two decoders disagree");
    Ok(fast.body.goods[0].goods_name.clone().unwrap_or_default())
}

#[test]
fn every_cp949_name_in_the_xml_declaration_reads_as_cp949() {
    for label in CP949_LABELS {
        let body = cp949(&answer_text(Some(label)));
        // The declaration wins over a header that says otherwise.
        for header in [None, Some("utf-8")] {
            assert_eq!(goods_name(&body, header).as_deref(), Ok(NAME), "{label}");
        }
    }
}

#[test]
fn every_cp949_name_in_the_content_type_reads_as_cp949() {
    let body = cp949(&answer_text(None));
    for label in CP949_LABELS {
        for header in [label.to_string(), format!("\"{label}\"")] {
            assert_eq!(
                goods_name(&body, Some(&header)).as_deref(),
                Ok(NAME),
                "{label}"
            );
        }
    }
}

#[test]
fn undeclared_bodies_are_utf8_when_valid_else_cp949() {
    let text = answer_text(None);
    assert_eq!(goods_name(text.as_bytes(), None).as_deref(), Ok(NAME));
    assert_eq!(goods_name(&cp949(&text), None).as_deref(), Ok(NAME));
}

#[test]
fn a_body_that_is_not_its_charset_says_which_was_tried_and_why() {
    // CP949 bytes under a UTF-8 declaration.
    let body = cp949(&answer_text(Some("UTF-8")));
    let error = goods_name(&body, None).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            DecodeError::InvalidBytes {
                encoding: "UTF-8",
                ..
            }
        ),
        "{error:?}"
    );
    for said in ["UTF-8", "XML declaration", "offset"] {
        assert!(message.contains(said), "{said} missing from {message}");
    }
    // Neither UTF-8 nor CP949, undeclared: both rules are named.
    let error = goods_name(
        b"<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE>\xff\xff</PRODUCTLIST>",
        None,
    )
    .unwrap_err();
    let message = error.to_string();
    for said in ["EUC-KR", "names no charset", "offset 42"] {
        assert!(message.contains(said), "{said} missing from {message}");
    }
}

#[tokio::test]
async fn the_client_reads_an_undeclared_cp949_answer_and_a_java_named_one() {
    let text = answer_text(None);
    for content_type in [
        "text/xml",
        "text/xml; charset=MS949",
        "text/xml;charset=x-windows-949",
    ] {
        let body = cp949(&text);
        let content_type = content_type.to_owned();
        let server = TestServer::start(move |_| {
            let (body, content_type) = (body.clone(), content_type.clone());
            async move { reply(200, &content_type, body) }
        })
        .await;
        let client = Client::builder(
            Environment::Custom(server.base_url.clone()),
            coufun_api::privacy::PocId::new("POC0000001").unwrap(),
        )
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
        let answer: Result<GoodsListResponse, Error> = client
            .goods_list(&GoodsListRequest::builder().build().unwrap())
            .await;
        let answer = answer.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.goods[0].goods_name.as_deref(), Some(NAME));
    }
}

/// `text` as a form value: CP949 bytes, percent-encoded.
fn form_value(text: &str) -> String {
    cp949(text)
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn every_cp949_name_in_a_notices_content_type_reads_as_cp949() {
    let form = format!(
        "BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=001&EXCHANGE_DATE=20240301123000\
         &BRANCH_NAME={}&BRANCH_CODE=G01&BARCODE_TYPE=AMOUNT&PRICE=3000&BALANCE=7000",
        form_value("강남 1호점")
    );
    let parser = NoticeParser::new();
    let reference = parser
        .parse(
            form.as_bytes(),
            Some("application/x-www-form-urlencoded; charset=EUC-KR"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        format!("{reference:?}").contains("강남 1호점"),
        "{reference:?}"
    );
    for label in CP949_LABELS {
        let content_type = format!("application/x-www-form-urlencoded; charset={label}");
        let parsed = parser.parse(form.as_bytes(), Some(&content_type));
        assert_eq!(
            parsed.as_ref().ok(),
            Some(&reference),
            "{label}: {parsed:?}"
        );
    }
    // A charset that is neither CP949 nor UTF-8 is still refused.
    let shift_jis = parser.parse(
        form.as_bytes(),
        Some("application/x-www-form-urlencoded; charset=Shift_JIS"),
    );
    assert!(shift_jis.is_err());
}
