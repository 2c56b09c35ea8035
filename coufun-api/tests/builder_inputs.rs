//! What request setters accept: every integer type for a count (out of range —
//! negative or too large — rejected by `build` with the field's code, the limit
//! and the value, never a panic), and every string form a caller has, or the
//! checked value itself, by value or by reference.

use std::borrow::Cow;

use coufun_api::{
    CouponCreateRequest, GoodsId, Quantity, TrId, ValidationErrors, Violation, tr_id,
};

fn create_with(
    quantity: impl Into<coufun_api::FieldInput<Quantity>>,
) -> Result<u64, ValidationErrors> {
    CouponCreateRequest::builder()
        .goods_id("0000012345")
        .quantity(quantity)
        .tr_id("TR-1")
        .build()
        .map(|r| r.quantity().get())
}

/// The violation `build` reports for the count, with the field's code.
fn refused(result: Result<u64, ValidationErrors>) -> Violation {
    let errors = result.expect_err("out of range must be refused");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors.first();
    assert_eq!((e.field(), e.code()), ("quantity", Quantity::CODE), "{e}");
    *e.violation()
}

fn spec_max() -> u64 {
    Quantity::MAX.expect("the spec bounds the quantity")
}

/// The bounds of one integer type: the spec's min and max are accepted, one
/// past each refused with the value, and the type's own extremes refused.
macro_rules! bounds {
    ($($t:ty),*) => {$({
        let (min, max) = (Quantity::MIN, spec_max());
        if let (Ok(lo), Ok(hi)) = (<$t>::try_from(min), <$t>::try_from(max)) {
            assert_eq!(create_with(lo), Ok(min), "{}", stringify!($t));
            assert_eq!(create_with(hi), Ok(max), "{}", stringify!($t));
            assert_eq!(
                refused(create_with(hi + 1)),
                Violation::TooLarge { value: max + 1, max },
                "{}", stringify!($t)
            );
            if let Ok(below) = <$t>::try_from(min - 1) {
                assert_eq!(
                    refused(create_with(below)),
                    Violation::TooSmall { value: min - 1, min },
                    "{}", stringify!($t)
                );
            }
        }
        let type_max = <$t>::MAX;
        assert_eq!(
            refused(create_with(type_max)),
            Violation::TooLarge { value: u64::try_from(type_max).unwrap(), max },
            "{}", stringify!($t)
        );
        let type_min = <$t>::MIN;
        let expected = match i64::try_from(type_min) {
            Ok(v) if v < 0 => Violation::Negative { value: v, min },
            _ => Violation::TooSmall { value: 0, min },
        };
        assert_eq!(refused(create_with(type_min)), expected, "{}", stringify!($t));
    })*};
}

#[test]
#[allow(irrefutable_let_patterns)] // u64 holds every bound; a narrower type may not
fn counts_accept_every_integer_type_and_refuse_out_of_range_at_build() {
    bounds!(u8, u16, u32, u64, usize, i8, i16, i32, i64);
}

#[test]
fn a_negative_count_names_its_value_and_the_limit() {
    let v = refused(create_with(-3i32));
    assert_eq!(
        v,
        Violation::Negative {
            value: -3,
            min: Quantity::MIN
        }
    );
    let errors = create_with(-3i64).unwrap_err();
    let text = errors.to_string();
    assert!(text.contains("-3") && text.contains("quantity"), "{text}");
    // an integer literal without a suffix works as before
    assert_eq!(create_with(1), Ok(1));
}

#[test]
fn text_setters_take_every_string_form_and_the_checked_value() {
    let owned = String::from("TR-OWNED");
    let checked = TrId::new("TR-CHECKED").unwrap();
    let goods = GoodsId::new("0000012345").unwrap();
    let build = |tr: coufun_api::FieldInput<TrId>| {
        CouponCreateRequest::builder()
            .goods_id(&goods)
            .quantity(1u8)
            .tr_id(tr)
            .build()
            .map(|r| r.tr_id().as_str().to_owned())
    };
    assert_eq!(build("TR-STR".into()).unwrap(), "TR-STR");
    assert_eq!(build(owned.clone().into()).unwrap(), "TR-OWNED");
    assert_eq!(build((&owned).into()).unwrap(), "TR-OWNED");
    assert_eq!(build(Cow::Borrowed("TR-COW").into()).unwrap(), "TR-COW");
    assert_eq!(
        build(Cow::<str>::Owned("TR-COW2".into()).into()).unwrap(),
        "TR-COW2"
    );
    assert_eq!(build((&checked).into()).unwrap(), "TR-CHECKED");
    assert_eq!(build(checked.clone().into()).unwrap(), "TR-CHECKED");
    assert_eq!(build(tr_id!("TR-LIT").into()).unwrap(), "TR-LIT");
    // each form goes through the same check
    let too_long = "x".repeat(TrId::MAX_BYTES as usize + 1);
    for input in [
        coufun_api::FieldInput::from(&too_long),
        Cow::Borrowed(too_long.as_str()).into(),
        too_long.clone().into(),
    ] {
        let errors = build(input).unwrap_err();
        assert_eq!(errors.first().field(), "tr_id", "{errors}");
        assert_eq!(errors.code(), TrId::CODE);
    }
}
