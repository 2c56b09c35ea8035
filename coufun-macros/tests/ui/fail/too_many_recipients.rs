// A coupon send takes at most 9 recipients; this list has 10.
fn main() {
    let _ = coufun_api::recipients![
        "01000000001", "01000000002", "01000000003", "01000000004", "01000000005",
        "01000000006", "01000000007", "01000000008", "01000000009", "01000000010",
    ];
}
