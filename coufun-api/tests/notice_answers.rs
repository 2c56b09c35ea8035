//! The answer codec below the generated notice answers (`notice::form`): the
//! answer is written by `XmlWriter` in the charset it declares and read back by
//! `XmlCursor` under the same rules as every other answer.

use coufun_api::notice::form::{decode_answer, encode_answer};
use coufun_api::notice::{AnswerError, NoticeAnswer};

const NAMES: [&str; 3] = ["CODE", "MSG", "ID"];

fn read(xml: &str) -> Result<[Option<String>; 3], AnswerError> {
    decode_answer(xml.as_bytes(), "ANSWER", NAMES)
}

fn reason(result: Result<[Option<String>; 3], AnswerError>) -> String {
    match result {
        Err(AnswerError::Malformed { root, reason }) => {
            assert_eq!(root, "ANSWER");
            reason
        }
        other => panic!("not refused as malformed: {other:?}"),
    }
}

#[test]
fn values_are_the_trimmed_text_of_the_roots_children() {
    let values = read(
        "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<ANSWER><!-- c --><CODE> 04 </CODE>\
         <OTHER><MSG>not this one</MSG></OTHER><MSG>A&amp;B <![CDATA[<C>]]> D&#69;</MSG>\
         </ANSWER>\n",
    );
    assert_eq!(
        values,
        Ok([Some("04".into()), Some("A&B <C> DE".into()), None])
    );
    // A comment does not split the text.
    assert_eq!(
        read("<ANSWER><CODE>0<!-- c -->1</CODE></ANSWER>").map(|v| v[0].clone()),
        Ok(Some("01".into()))
    );
}

#[test]
fn white_space_is_empty_text_and_nothing_is_absent() {
    assert_eq!(
        read("<ANSWER><CODE> </CODE><MSG></MSG><ID/></ANSWER>"),
        Ok([Some(String::new()), None, None])
    );
    // A later element holding nothing leaves the value read before it.
    assert_eq!(
        read("<ANSWER><CODE>00</CODE><CODE/><ID>1</ID><ID>2</ID></ANSWER>"),
        Ok([Some("00".into()), None, Some("2".into())])
    );
    assert_eq!(read("<ANSWER/>"), Ok([None, None, None]));
}

#[test]
fn documents_every_answer_reader_refuses_are_refused() {
    assert_eq!(
        reason(read("<OTHER><CODE>00</CODE></OTHER>")),
        "root element is <OTHER>"
    );
    for (xml, said) in [
        ("", "no XML element"),
        ("<ANSWER><CODE>00</CODE>", "truncated"),
        (
            "<ANSWER><CODE>00</CODE></ANSWER><ANSWER/>",
            "after the root",
        ),
        ("<!DOCTYPE ANSWER><ANSWER/>", "DOCTYPE"),
        ("<ANSWER><CODE>&x;</CODE></ANSWER>", "&x;"),
        ("<ANSWER><OTHER>&x;</OTHER></ANSWER>", "&x;"),
        (
            "<ANSWER><CODE><X/>00</CODE></ANSWER>",
            "<CODE> holds an element",
        ),
        ("<ANSWER><CODE>00</MSG></ANSWER>", "ill-formed"),
    ] {
        let reason = reason(read(xml));
        assert!(reason.contains(said), "{xml}: {reason}");
    }
    let not_euc_kr = decode_answer(b"<ANSWER><CODE>\xFF\xFF</CODE></ANSWER>", "ANSWER", NAMES);
    let reason = reason(not_euc_kr);
    assert!(
        reason.contains("EUC-KR") && reason.contains("offset 14"),
        "{reason}"
    );
    let klingon = read("<?xml version=\"1.0\" encoding=\"klingon\"?><ANSWER/>");
    assert!(reason_of(klingon).contains("klingon"));
}

fn reason_of(result: Result<[Option<String>; 3], AnswerError>) -> String {
    reason(result)
}

#[test]
fn the_charset_is_the_one_the_answer_declares() {
    let message = |bytes: &[u8]| decode_answer(bytes, "ANSWER", NAMES).map(|v| v[1].clone());
    let (euc_kr, _, _) = encoding_rs::EUC_KR.encode("<ANSWER><MSG>가</MSG></ANSWER>");
    assert_eq!(message(&euc_kr), Ok(Some("가".into())));
    let declared = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ANSWER><MSG>가</MSG></ANSWER>";
    assert_eq!(message(declared.as_bytes()), Ok(Some("가".into())));
    // Undeclared: UTF-8 when valid, else CP949.
    assert_eq!(
        message("<ANSWER><MSG>가</MSG></ANSWER>".as_bytes()),
        Ok(Some("가".into()))
    );
    assert_eq!(
        message(b"\xEF\xBB\xBF<ANSWER><MSG>\xEA\xB0\x80</MSG></ANSWER>"),
        Ok(Some("가".into()))
    );
}

#[test]
fn answers_are_encoded_in_the_charset_they_declare() {
    let elements = [("CODE", "00"), ("MSG", "가 & <b>")];
    let euc_kr = encode_answer("EUC-KR", "ANSWER", &elements);
    assert_eq!(
        euc_kr,
        b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n\
          <ANSWER><CODE>00</CODE><MSG>\xB0\xA1 &amp; &lt;b&gt;</MSG></ANSWER>\n"
    );
    assert_eq!(
        decode_answer(&euc_kr, "ANSWER", NAMES),
        Ok([Some("00".into()), Some("가 & <b>".into()), None])
    );
    let utf8 = encode_answer("utf-8", "ANSWER", &elements);
    assert_eq!(
        String::from_utf8(utf8).ok().as_deref(),
        Some(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <ANSWER><CODE>00</CODE><MSG>가 &amp; &lt;b&gt;</MSG></ANSWER>\n"
        )
    );
    // A charset that is neither is written as CP949, as the manuals' answers are.
    let other = encode_answer("x-unknown", "ANSWER", &elements);
    let after_declaration = |xml: &[u8]| xml.splitn(2, |&b| b == b'\n').nth(1).map(<[u8]>::to_vec);
    assert_eq!(after_declaration(&other), after_declaration(&euc_kr));
    assert!(after_declaration(&euc_kr).is_some_and(|body| body.contains(&0xB0)));
}

#[test]
fn a_generated_answer_reads_back_through_the_same_codec() {
    let answer = NoticeAnswer::decode(
        b"<COUPONEXCHANGE><RESULTCODE>00</RESULTCODE><RESULTMSG> </RESULTMSG></COUPONEXCHANGE>",
    );
    assert_eq!(answer.as_ref().map(|a| a.message()), Ok(""));
    assert!(matches!(
        NoticeAnswer::decode(b"<COUPONEXCHANGE><RESULTCODE/></COUPONEXCHANGE>"),
        Err(AnswerError::Malformed { reason, .. }) if reason.contains("RESULTCODE")
    ));
}
