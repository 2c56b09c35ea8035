//! The goods catalogue sync: fetch the goods list within the daily lookup
//! limit, keep it, and say what changed since the last sync.
//!
//! The code-definition manual answers `09` (일일 조회 횟수 초과: the daily number
//! of goods-list lookups exceeded) but states no number, and the goods manual
//! asks merchants to keep the list on their side rather than fetch it per
//! purchase. So the store counts every fetch per Korean day (the server's
//! clock) against a budget the merchant sets ([`FetchBudget`], one a day by
//! default: the daily sync), claiming the fetch in the database before it is
//! made, so instances sharing a database share the budget; once the server
//! has answered `09`, no fetch is made again before the next Korean day.
//!
//! Each goods item is kept as its fields by their spec names (the generated
//! answer record's [`GoodsListItem::fields`]), so a field the spec adds is
//! stored and compared without a change here; [`aspect`] groups the fields a
//! merchant watches (prices, validity, send type, images, guide texts).

use std::collections::BTreeMap;

use coufun_api::operation::AnswerFieldSpec;
use coufun_api::responses::{GoodsListItem, GoodsListResponse};
use coufun_api::{Charset, Client, GoodsListRequest, ResultCode};
use serde::{Deserialize, Serialize};

use crate::clock::{korean_day, korean_iso, next_korean_midnight};
use crate::error::SyncError;
use crate::store::SyncStore;

/// One goods item's fields by their spec names (`supply_price`, …), each as
/// its wire text; `None` when absent or empty.
pub type GoodsFields = BTreeMap<String, Option<String>>;

/// A goods catalogue: every goods item by its goods id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue(pub BTreeMap<String, GoodsFields>);

impl Catalogue {
    /// The catalogue a goods-list answer holds, and how many of its records
    /// had no goods id (left out: nothing could name them).
    pub fn from_answer(answer: &GoodsListResponse) -> (Catalogue, usize) {
        let mut goods = BTreeMap::new();
        let mut without_id = 0;
        for item in &answer.goods {
            let id = item
                .goods_id
                .as_ref()
                .map(|id| AsRef::<str>::as_ref(id).trim().to_owned())
                .filter(|id| !id.is_empty());
            match id {
                Some(id) => {
                    goods.insert(id, fields_of(item));
                }
                None => without_id += 1,
            }
        }
        (Catalogue(goods), without_id)
    }

    /// How many goods it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `item`'s fields by spec name, as shown (a secret one masked; none is).
pub fn fields_of(item: &GoodsListItem) -> GoodsFields {
    item.fields()
        .iter()
        .map(|f| {
            let text = f.shown().filter(|t| !t.trim().is_empty());
            (f.name.to_owned(), text)
        })
        .collect()
}

/// What a goods field is about, for the change report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Aspect {
    /// Its name.
    Name,
    /// Its category.
    Category,
    /// List or supply price.
    Price,
    /// Validity type or value.
    Validity,
    /// How it is sent.
    SendType,
    /// Image paths and sizes.
    Images,
    /// Description and use guide.
    GuideTexts,
    /// Where it is redeemed.
    ExchangePlace,
    /// A field none of the above names (one a newer spec adds).
    Other,
}

impl Aspect {
    /// A short English label.
    pub fn label(self) -> &'static str {
        match self {
            Aspect::Name => "name",
            Aspect::Category => "category",
            Aspect::Price => "price",
            Aspect::Validity => "validity",
            Aspect::SendType => "send type",
            Aspect::Images => "images",
            Aspect::GuideTexts => "guide texts",
            Aspect::ExchangePlace => "exchange place",
            Aspect::Other => "other",
        }
    }
}

/// What the goods-list record's field named `field` is about.
pub fn aspect(field: &str) -> Aspect {
    type I = GoodsListItem;
    // The first group naming the field (in this order) says.
    let groups: [(Aspect, &[&AnswerFieldSpec]); 8] = [
        (Aspect::Price, &[I::LIST_PRICE, I::SUPPLY_PRICE]),
        (Aspect::Validity, &[I::VALIDITY_TYPE, I::VALIDITY]),
        (Aspect::SendType, &[I::SEND_TYPE]),
        (
            Aspect::Images,
            &[
                I::IMAGE_SMALL,
                I::IMAGE_MEDIUM,
                I::IMAGE_BIG,
                I::IMAGE_SMALL_WIDTH,
                I::IMAGE_SMALL_HEIGHT,
                I::IMAGE_MEDIUM_WIDTH,
                I::IMAGE_MEDIUM_HEIGHT,
                I::IMAGE_BIG_WIDTH,
                I::IMAGE_BIG_HEIGHT,
            ],
        ),
        (Aspect::GuideTexts, &[I::GOODS_INFO, I::USE_GUIDE]),
        (Aspect::ExchangePlace, &[I::EXCHANGE_PLACE]),
        (Aspect::Name, &[I::GOODS_NAME]),
        (Aspect::Category, &[I::CATEGORY_ID]),
    ];
    groups
        .into_iter()
        .find(|(_, specs)| specs.iter().any(|s| s.name == field))
        .map_or(Aspect::Other, |(aspect, _)| aspect)
}

/// A goods item added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GoodsSummary {
    /// Its goods id.
    pub goods_id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its list price.
    pub list_price: Option<String>,
    /// Its supply price.
    pub supply_price: Option<String>,
}

/// One field of a goods item that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field's spec name.
    pub field: String,
    /// What it is about.
    pub aspect: Aspect,
    /// Its value at the last sync.
    pub before: Option<String>,
    /// Its value now.
    pub after: Option<String>,
}

/// A goods item whose fields changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GoodsChange {
    /// Its goods id.
    pub goods_id: String,
    /// Its name now.
    pub name: Option<String>,
    /// What changed, in spec order of the fields.
    pub fields: Vec<FieldChange>,
}

impl GoodsChange {
    /// The aspects that changed, each once.
    pub fn aspects(&self) -> Vec<Aspect> {
        let mut aspects: Vec<Aspect> = self.fields.iter().map(|f| f.aspect).collect();
        aspects.sort();
        aspects.dedup();
        aspects
    }
}

/// What changed between two catalogues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CatalogueDiff {
    /// No catalogue was stored before: everything is added.
    pub first_sync: bool,
    /// Goods now listed that were not.
    pub added: Vec<GoodsSummary>,
    /// Goods no longer listed.
    pub removed: Vec<GoodsSummary>,
    /// Goods whose fields changed.
    pub changed: Vec<GoodsChange>,
    /// Goods unchanged.
    pub unchanged: usize,
}

impl CatalogueDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

fn field(fields: &GoodsFields, spec: &AnswerFieldSpec) -> Option<String> {
    fields.get(spec.name).cloned().flatten()
}

fn summary(id: &str, fields: &GoodsFields) -> GoodsSummary {
    GoodsSummary {
        goods_id: id.to_owned(),
        name: field(fields, GoodsListItem::GOODS_NAME),
        list_price: field(fields, GoodsListItem::LIST_PRICE),
        supply_price: field(fields, GoodsListItem::SUPPLY_PRICE),
    }
}

/// The field names in spec order (then any other, by name).
fn field_order(a: &GoodsFields, b: &GoodsFields) -> Vec<String> {
    let mut names: Vec<String> = GoodsListItem::FIELD_SPECS
        .iter()
        .map(|s| s.name.to_owned())
        .collect();
    for name in a.keys().chain(b.keys()) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// What changed from `before` (the last sync) to `after` (this one).
pub fn diff(before: &Catalogue, after: &Catalogue) -> CatalogueDiff {
    let mut report = CatalogueDiff {
        first_sync: before.is_empty(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for (id, fields) in &after.0 {
        let Some(old) = before.0.get(id) else {
            report.added.push(summary(id, fields));
            continue;
        };
        let changes: Vec<FieldChange> = field_order(old, fields)
            .into_iter()
            .filter_map(|name| {
                let was = old.get(&name).cloned().flatten();
                let now = fields.get(&name).cloned().flatten();
                (was != now).then(|| FieldChange {
                    aspect: aspect(&name),
                    field: name,
                    before: was,
                    after: now,
                })
            })
            .collect();
        if changes.is_empty() {
            report.unchanged += 1;
        } else {
            report.changed.push(GoodsChange {
                goods_id: id.clone(),
                name: field(fields, GoodsListItem::GOODS_NAME),
                fields: changes,
            });
        }
    }
    for (id, fields) in &before.0 {
        if !after.0.contains_key(id) {
            report.removed.push(summary(id, fields));
        }
    }
    report
}

/// How many goods-list fetches a Korean day may make. The manuals state no
/// number (the server answers `09` past it): set it to what the merchant's
/// contract allows. Default: 1 (one sync a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchBudget {
    per_day: u32,
}

impl Default for FetchBudget {
    fn default() -> Self {
        FetchBudget { per_day: 1 }
    }
}

impl FetchBudget {
    /// `n` fetches a day; at least 1.
    pub fn per_day(n: u32) -> Result<Self, SyncError> {
        if n == 0 {
            return Err(SyncError::ZeroBudget(n));
        }
        Ok(FetchBudget { per_day: n })
    }

    /// The fetches allowed a day.
    pub fn get(self) -> u32 {
        self.per_day
    }
}

/// What one goods sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GoodsSyncReport {
    /// When (ISO 8601, Korean time).
    pub synced_at: String,
    /// The Korean day the fetch counts in (`YYYY-MM-DD`).
    pub day: String,
    /// Which fetch of that day this was (1 for the first).
    pub fetch: u32,
    /// The budget a day.
    pub per_day: u32,
    /// Goods listed.
    pub goods: usize,
    /// Records without a goods id (left out).
    pub without_goods_id: usize,
    /// What changed since the last sync.
    pub diff: CatalogueDiff,
}

/// Fetches the goods list now (if the budget allows), stores it, and reports
/// what changed. See [`sync_goods_at`].
pub async fn sync_goods(
    store: &SyncStore,
    client: &Client,
    budget: FetchBudget,
    charset: Charset,
) -> Result<GoodsSyncReport, SyncError> {
    sync_goods_at(store, client, budget, charset, jiff::Timestamp::now()).await
}

/// [`sync_goods`] as if it were `now` (the day the fetch counts in).
///
/// Refuses before calling COUFUN ([`SyncError::FetchBudgetSpent`],
/// [`SyncError::DailyLimitReached`]) when the Korean day of `now` has used its
/// budget or the server answered `09` that day; an answer `09` now is recorded
/// and reported as [`SyncError::DailyLimitReached`]. A fetch that fails
/// otherwise still counts (it may have reached the server). `charset`: the one
/// the client sends in.
pub async fn sync_goods_at(
    store: &SyncStore,
    client: &Client,
    budget: FetchBudget,
    charset: Charset,
    now: jiff::Timestamp,
) -> Result<GoodsSyncReport, SyncError> {
    let day = korean_day(now).to_string();
    let at = korean_iso(now);
    let next_at = korean_iso(next_korean_midnight(now));
    let limit = ResultCode::GoodsListDailyLimitExceeded;
    let fetch = match store.claim_fetch(&day, &at, budget.per_day).await? {
        Ok(n) => n,
        Err(spent) => {
            return Err(match spent.refused_at {
                Some(refused_at) => SyncError::DailyLimitReached {
                    day,
                    code: limit.as_str(),
                    refused_at,
                    next_at,
                },
                None => SyncError::FetchBudgetSpent {
                    day,
                    fetches: spent.fetches,
                    per_day: budget.per_day,
                    last_at: spent.last_at,
                    next_at,
                },
            });
        }
    };
    let request = GoodsListRequest::builder()
        .build_with(charset)
        .map_err(coufun_api::Error::from)?;
    let answer = match client.goods_list(&request).await {
        Ok(answer) => answer,
        Err(e) if e.result_code() == Some(limit) => {
            store.mark_refused(&day, &at).await?;
            tracing::warn!(day = %day, "the server answered the daily goods-list limit");
            return Err(SyncError::DailyLimitReached {
                day,
                code: limit.as_str(),
                refused_at: at,
                next_at,
            });
        }
        Err(e) => return Err(e.into()),
    };
    let (catalogue, without_goods_id) = Catalogue::from_answer(&answer);
    let diff = store.save_catalogue(&catalogue, &at, diff).await?;
    tracing::info!(
        goods = catalogue.len(),
        added = diff.added.len(),
        removed = diff.removed.len(),
        changed = diff.changed.len(),
        "goods catalogue synced"
    );
    Ok(GoodsSyncReport {
        synced_at: at,
        day,
        fetch,
        per_day: budget.per_day,
        goods: catalogue.len(),
        without_goods_id,
        diff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goods(pairs: &[(&str, &str)]) -> GoodsFields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
            .collect()
    }

    #[test]
    fn every_record_field_has_an_aspect_and_prices_are_prices() {
        assert_eq!(aspect(GoodsListItem::SUPPLY_PRICE.name), Aspect::Price);
        assert_eq!(aspect(GoodsListItem::LIST_PRICE.name), Aspect::Price);
        assert_eq!(aspect(GoodsListItem::USE_GUIDE.name), Aspect::GuideTexts);
        assert_eq!(aspect(GoodsListItem::IMAGE_BIG_HEIGHT.name), Aspect::Images);
        assert_eq!(aspect(GoodsListItem::SEND_TYPE.name), Aspect::SendType);
        assert_eq!(aspect(GoodsListItem::VALIDITY.name), Aspect::Validity);
        assert_eq!(aspect("a_field_of_tomorrow"), Aspect::Other);
        let other: Vec<&str> = GoodsListItem::FIELD_SPECS
            .iter()
            .map(|s| s.name)
            .filter(|n| aspect(n) == Aspect::Other)
            .collect();
        // the goods id names the item; everything else is grouped
        assert_eq!(other, [GoodsListItem::GOODS_ID.name]);
    }

    #[test]
    fn diff_names_added_removed_and_changed_fields() {
        let price = GoodsListItem::SUPPLY_PRICE.name;
        let name = GoodsListItem::GOODS_NAME.name;
        let before = Catalogue(BTreeMap::from([
            ("A".to_owned(), goods(&[(name, "a"), (price, "100")])),
            ("B".to_owned(), goods(&[(name, "b"), (price, "200")])),
            ("C".to_owned(), goods(&[(name, "c"), (price, "300")])),
        ]));
        let after = Catalogue(BTreeMap::from([
            ("A".to_owned(), goods(&[(name, "a"), (price, "100")])),
            ("B".to_owned(), goods(&[(name, "b"), (price, "250")])),
            ("D".to_owned(), goods(&[(name, "d"), (price, "400")])),
        ]));
        let d = diff(&before, &after);
        assert!(!d.first_sync);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].goods_id, "D");
        assert_eq!(d.removed[0].goods_id, "C");
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].goods_id, "B");
        assert_eq!(d.changed[0].aspects(), [Aspect::Price]);
        assert_eq!(d.changed[0].fields[0].before.as_deref(), Some("200"));
        assert_eq!(d.changed[0].fields[0].after.as_deref(), Some("250"));
        assert!(diff(&after, &after).is_empty());
        assert!(diff(&Catalogue::default(), &after).first_sync);
    }

    #[test]
    fn a_zero_budget_is_refused() {
        assert!(matches!(
            FetchBudget::per_day(0),
            Err(SyncError::ZeroBudget(0))
        ));
        assert_eq!(FetchBudget::default().get(), 1);
    }
}
