//! The goods catalogue: what the sandbox sells, loaded from TOML (the built-in
//! default, `catalogue/default.toml`, or a file of the same format).

use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use coufun_api::CouponType;

use crate::ledger::{coupon_type_from_wire, wire_text};

/// The built-in catalogue's TOML text.
pub const DEFAULT_CATALOGUE_TOML: &str = include_str!("../catalogue/default.toml");

/// One goods item the sandbox can issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Goods {
    /// Goods id (`GOODS_ID`), ten zero-padded digits in the default catalogue.
    pub goods_id: String,
    /// Display name.
    pub name: String,
    /// Category id (`CAT_ID`).
    pub category_id: String,
    /// Category name.
    pub category_name: String,
    /// Brand.
    pub brand: String,
    /// Supply price in KRW (`GOODS_PRICE`).
    pub price: u64,
    /// List price in KRW (`GOODS_ORI_PRICE`); the supply price when absent.
    #[serde(default)]
    pub list_price: Option<u64>,
    /// Exchange voucher (`BARCODE`, the default) or stored-value voucher (`AMOUNT`).
    #[serde(
        default = "barcode",
        deserialize_with = "coupon_type_from_wire",
        serialize_with = "wire_text"
    )]
    pub coupon_type: CouponType,
    /// `AMOUNT` vouchers: the face value in KRW; the list price when absent.
    #[serde(default)]
    pub amount: Option<u64>,
    /// First day it may be issued.
    pub sale_start: Date,
    /// Last day it may be issued (outside the period: 30).
    pub sale_end: Date,
    /// Days a coupon is valid from its issue day (more than the calendar holds:
    /// to its end, in 9999).
    pub valid_days: u32,
    /// Whether a request may set the validity dates (when false: 28).
    #[serde(default = "yes")]
    pub validity_changeable: bool,
    /// Whether the id is no longer a valid sale goods id (31).
    #[serde(default)]
    pub discontinued: bool,
    /// Description (`GOODS_INFO`).
    #[serde(default)]
    pub description: String,
    /// How to use it (`USE_GUIDE`).
    #[serde(default)]
    pub use_guide: String,
    /// Where to redeem it (`EXC_BRANCH`); the brand when empty.
    #[serde(default)]
    pub exchange_place: String,
    /// How it is sent (`SEND_TYPE`: `M`, `L`, `N` or `Z`).
    #[serde(default = "mms")]
    pub send_type: String,
    /// Large image URL (`IMAGE_PATH_B`; the small and medium ones are derived).
    #[serde(default)]
    pub image_url: String,
}

fn barcode() -> CouponType {
    CouponType::Barcode
}

fn mms() -> String {
    "M".to_owned()
}

impl Goods {
    /// The face value of an `AMOUNT` voucher (`None` for exchange vouchers).
    pub fn face_value(&self) -> Option<u64> {
        (self.coupon_type == CouponType::Amount)
            .then(|| self.amount.or(self.list_price).unwrap_or(self.price))
    }
}

fn yes() -> bool {
    true
}

/// The goods the sandbox sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The goods, in listing order.
    pub goods: Vec<Goods>,
}

/// A catalogue that cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// The file could not be read.
    #[error("cannot read catalogue {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or misses a field.
    #[error("catalogue is not valid TOML of the expected shape")]
    Parse(#[from] toml::de::Error),
    /// Two goods share an id.
    #[error("catalogue lists goods id {0:?} twice")]
    DuplicateId(String),
}

impl Catalogue {
    /// Parses a catalogue from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue = toml::from_str(text)?;
        let mut seen = std::collections::HashSet::new();
        for goods in &catalogue.goods {
            if !seen.insert(goods.goods_id.as_str()) {
                return Err(CatalogueError::DuplicateId(goods.goods_id.clone()));
            }
        }
        Ok(catalogue)
    }

    /// Reads a catalogue from a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, CatalogueError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml_str(&text)
    }

    /// The goods with this id.
    pub fn get(&self, goods_id: &str) -> Option<&Goods> {
        self.goods.iter().find(|g| g.goods_id == goods_id)
    }

    /// Whether any goods is in this category.
    pub fn has_category(&self, category_id: &str) -> bool {
        self.goods.iter().any(|g| g.category_id == category_id)
    }
}

impl Default for Catalogue {
    /// The built-in catalogue (a dozen invented coffee, convenience-store and
    /// bakery vouchers). It is part of the crate and tested to parse.
    fn default() -> Self {
        Self::from_toml_str(DEFAULT_CATALOGUE_TOML).unwrap_or(Catalogue { goods: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_catalogue_parses_and_covers_the_special_goods() {
        let catalogue = Catalogue::from_toml_str(DEFAULT_CATALOGUE_TOML);
        let catalogue = match catalogue {
            Ok(c) => c,
            Err(e) => unreachable!("built-in catalogue: {e}"),
        };
        assert!(catalogue.goods.len() >= 12);
        assert!(catalogue.goods.iter().any(|g| !g.validity_changeable));
        assert!(catalogue.goods.iter().any(|g| g.discontinued));
        assert!(catalogue.goods.iter().any(|g| g.sale_end.year() < 2025));
        for category in ["CAFE", "CVS", "BAKERY"] {
            assert!(catalogue.has_category(category), "{category}");
        }
        // stored-value vouchers with a face value, and ids within the manual's 10 bytes
        assert!(
            catalogue
                .goods
                .iter()
                .filter_map(Goods::face_value)
                .filter(|v| *v > 0)
                .count()
                >= 2
        );
        assert!(
            catalogue
                .goods
                .iter()
                .all(|g| g.goods_id.len() <= 10 && g.category_id.len() <= 10)
        );
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let one = "[[goods]]\ngoods_id = \"1\"\nname = \"n\"\ncategory_id = \"C\"\ncategory_name = \"c\"\nbrand = \"b\"\nprice = 1\nsale_start = \"2024-01-01\"\nsale_end = \"2024-12-31\"\nvalid_days = 1\n";
        let two = format!("{one}{one}");
        assert!(matches!(
            Catalogue::from_toml_str(&two),
            Err(CatalogueError::DuplicateId(id)) if id == "1"
        ));
    }
}
