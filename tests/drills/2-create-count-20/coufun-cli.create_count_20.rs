//! Drill 2 (see .ci/spec-drill): CREATE_CNT at most 20, changed in spec/ alone:
//! `coufun coupon-create --quantity 20` issues 20 coupons, 21 is refused
//! before anything is sent.

mod common;

use common::Host;

#[test]
fn the_cli_creates_twenty_and_refuses_twenty_one() {
    let host = Host::start();
    let ok = host.run(&[
        "--json", "coupon-create", "--goods-id", "0000100001", "--quantity", "20", "--tr-id", "drill-cli-20",
    ]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert_eq!(ok.json()["records"].as_array().map(Vec::len), Some(20), "{ok:?}");

    let refused = host.run(&[
        "coupon-create", "--goods-id", "0000100001", "--quantity", "21", "--tr-id", "drill-cli-21",
    ]);
    assert_ne!(refused.code, 0, "{refused:?}");
    let said = format!("{}{}", refused.stdout, refused.stderr);
    assert!(said.contains("21") && said.contains("20"), "names the value and the limit: {said}");
    assert!(host.ledger().order_by_tr_id("drill-cli-21").is_none(), "nothing was sent");
}
