//! The exchange manual onto `spec/notifications.toml`: its document, delivery,
//! form fields, answer elements and codes, and value tables. The exchange
//! document's own wording of each value (`meaning_ko`) is compared with this
//! file's tables only, never with another manual's table of the same values.
//! Until the notice joins the operations' schema (an inbound operation of
//! `spec/endpoints.toml`, typed like the others) this file is edited key by
//! key through `toml_edit`.

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::import::{MissingCodes, needs_human};
use crate::interface_diff::{Sign, arrow};
use crate::interface_import::{
    Context, MapError, NOTIFICATIONS_PATH, describe, padded, parse, shape,
};
use crate::interface_md::Length;

/// Merges the exchange manual of `cx` into the text of `spec/notifications.toml`.
pub(crate) fn merge(cx: &mut Context<'_>, text: &str) -> Result<String, MapError> {
    let mut ndoc = parse(NOTIFICATIONS_PATH, text)?;
    cx.notifications(&mut ndoc)?;
    Ok(ndoc.to_string())
}

fn get_str<'t>(table: &'t dyn TableLike, key: &str) -> &'t str {
    table.get(key).and_then(Item::as_str).unwrap_or("")
}

fn get_u32(table: &dyn TableLike, key: &str) -> Option<u32> {
    table
        .get(key)
        .and_then(Item::as_integer)
        .and_then(|v| u32::try_from(v).ok())
}

/// Sets `key` to `new`, keeping the old value's decor; returns the old value
/// shown as text ("" when absent) when it changed.
fn set(table: &mut dyn TableLike, key: &str, new: Value) -> Option<String> {
    let show = |v: &Value| match v.as_str() {
        Some(s) => s.to_owned(),
        None => v.to_string().trim().to_owned(),
    };
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            if show(old) == show(&new) {
                return None;
            }
            let before = show(old);
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
            Some(before)
        }
        None => {
            let mut new = new;
            new.decor_mut().set_prefix(" ");
            table.insert(key, Item::Value(new));
            Some(String::new())
        }
    }
}

fn table(pairs: &[(&str, Value)]) -> Table {
    let mut t = Table::new();
    for (k, v) in pairs {
        t.insert(k, Item::Value(v.clone()));
    }
    t.fmt();
    t
}

// ---------------------------------------------------------------------------
// spec/notifications.toml

const N: &str = NOTIFICATIONS_PATH;

/// The `source` of a new entry: a sibling's, with this row.
fn source_like(sibling: Option<&Item>, document: &str, row: usize) -> Value {
    let mut t = InlineTable::new();
    let section = sibling
        .and_then(Item::as_table_like)
        .and_then(|s| s.get("section"))
        .and_then(Item::as_str)
        .unwrap_or("");
    t.insert("document", Value::from(document));
    t.insert("section", Value::from(section));
    t.insert("row", Value::from(i64::try_from(row).unwrap_or(0)));
    t.fmt();
    Value::InlineTable(t)
}

impl Context<'_> {
    fn notifications(&mut self, ndoc: &mut DocumentMut) -> Result<(), MapError> {
        let manual = self.manual;
        let scope = "notifications";
        let doc_id = {
            let doc = ndoc
                .get_mut("document")
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| shape(N, "a [document] table"))?;
            for (k, new) in [("version", &manual.version), ("revised", &manual.date)] {
                if let Some(old) = set(doc, k, Value::from(new.as_str())) {
                    self.diff.changed(scope, format!("document.{k}"), &old, new);
                }
            }
            get_str(doc, "id").to_owned()
        };
        if let [method] = manual.methods.as_slice()
            && let Some(delivery) = ndoc.get_mut("delivery").and_then(Item::as_table_like_mut)
            && let Some(old) = set(delivery, "method", Value::from(method.as_str()))
        {
            self.diff.changed(scope, "delivery.method", &old, method);
        }
        let answer = ndoc
            .get_mut("answer")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| shape(N, "an [answer] table"))?;
        if let Some(root) = &manual.root
            && let Some(t) = answer.get_mut("root").and_then(Item::as_table_like_mut)
            && let Some(old) = set(t, "name", Value::from(root.name.as_str()))
        {
            self.diff.changed(scope, "answer.root", &old, &root.name);
        }
        self.notice_answer(answer, scope);
        self.notice_codes(answer, &doc_id, scope);
        self.notice_fields(ndoc, &doc_id, scope)?;
        self.notice_tables(ndoc, scope);
        Ok(())
    }

    /// The request table: `[[fields]]`.
    fn notice_fields(
        &mut self,
        ndoc: &mut DocumentMut,
        doc_id: &str,
        scope: &str,
    ) -> Result<(), MapError> {
        let manual = self.manual;
        let fields = ndoc
            .get_mut("fields")
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| shape(N, "[[fields]] entries"))?;
        for (row, p) in manual.request.iter().enumerate() {
            let label = format!("field {}", p.name);
            let sibling = fields.iter().last().and_then(|t| t.get("source")).cloned();
            let at = fields.iter().position(|t| get_str(t, "name") == p.name);
            match at.and_then(|i| fields.get_mut(i)) {
                Some(t) => {
                    match (p.length, get_u32(t, "max_bytes")) {
                        (Length::Bytes(n), Some(o)) if n != o => {
                            set(t, "max_bytes", Value::from(i64::from(n)));
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("{label} max_bytes"),
                                format!("{o} → {n}"),
                                None,
                            );
                        }
                        (Length::Number, _) if get_str(t, "format") != "amount" => {
                            self.diff.push(
                                scope,
                                Sign::Conflict,
                                format!("{label} length"),
                                format!(
                                    "the manual says Number, the spec's format is {}",
                                    get_str(t, "format")
                                ),
                                Some("not taken: review its `format`".into()),
                            );
                        }
                        _ => {}
                    }
                    if let Some(required) = p.required {
                        let old = t.get("optional").and_then(Item::as_bool).unwrap_or(false);
                        if old == required {
                            set(t, "optional", Value::from(!required));
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("{label} required"),
                                format!("{} → {required}", !old),
                                None,
                            );
                        }
                    }
                }
                None => {
                    let mut pairs = vec![
                        ("name", Value::from(p.name.as_str())),
                        (
                            "rust",
                            Value::from(needs_human(&format!(
                                "snake_case Rust name for {}",
                                p.name
                            ))),
                        ),
                    ];
                    pairs.push((
                        "max_bytes",
                        match p.length {
                            Length::Bytes(n) => Value::from(i64::from(n)),
                            Length::Number => Value::from(needs_human(&format!(
                                "digits of {} (manual: Number)",
                                p.name
                            ))),
                        },
                    ));
                    pairs.push((
                        "format",
                        Value::from(needs_human(&format!(
                            "text, datetime, amount or enum for {}{}",
                            p.name,
                            describe(&p.description)
                        ))),
                    ));
                    if p.required == Some(false) {
                        pairs.push(("optional", Value::from(true)));
                    }
                    pairs.push((
                        "doc",
                        Value::from(needs_human(&format!("English for {}", p.name))),
                    ));
                    pairs.push(("source", source_like(sibling.as_ref(), doc_id, row + 1)));
                    let mut t = table(&pairs);
                    t.decor_mut().set_prefix("\n");
                    fields.push(t);
                    self.diff.push(
                        scope,
                        Sign::Added,
                        label,
                        p.length.to_string(),
                        Some("rust, format and doc marked NEEDS HUMAN".into()),
                    );
                }
            }
        }
        let gone: Vec<(usize, String)> = fields
            .iter()
            .enumerate()
            .filter(|(_, t)| !manual.request.iter().any(|p| p.name == get_str(*t, "name")))
            .map(|(i, t)| (i, get_str(t, "name").to_owned()))
            .collect();
        for (i, name) in gone.iter().rev() {
            if self.missing == MissingCodes::Remove {
                fields.remove(*i);
            }
            self.removed(scope, &format!("field {name}"));
        }
        Ok(())
    }

    /// The answer table: `[answer]`'s named elements and their lengths.
    fn notice_answer(&mut self, answer: &mut dyn TableLike, scope: &str) {
        let manual = self.manual;
        let keys: Vec<String> = answer
            .iter()
            .filter(|(k, v)| {
                *k != "root" && v.as_table_like().is_some_and(|t| t.contains_key("name"))
            })
            .map(|(k, _)| k.to_owned())
            .collect();
        for p in &manual.response {
            let label = format!("answer {}", p.name);
            let found = keys.iter().find(|k| {
                answer
                    .get(k)
                    .and_then(Item::as_table_like)
                    .is_some_and(|t| get_str(t, "name") == p.name)
            });
            let Some(key) = found else {
                self.diff.push(
                    scope,
                    Sign::Added,
                    label,
                    p.length.to_string(),
                    Some(
                        "not written: [answer] of spec/notifications.toml has no place for \
                         it; the notice model must grow first"
                            .into(),
                    ),
                );
                continue;
            };
            let Some(t) = answer.get_mut(key).and_then(Item::as_table_like_mut) else {
                continue;
            };
            if let (Length::Bytes(n), Some(o)) = (p.length, get_u32(t, "max_bytes"))
                && n != o
            {
                set(t, "max_bytes", Value::from(i64::from(n)));
                self.diff.push(
                    scope,
                    Sign::Changed,
                    format!("{label} max_bytes"),
                    format!("{o} → {n}"),
                    None,
                );
            }
        }
        for key in keys {
            let name = answer
                .get(&key)
                .and_then(Item::as_table_like)
                .map(|t| get_str(t, "name").to_owned())
                .unwrap_or_default();
            if !manual.response.iter().any(|p| p.name == name) {
                self.diff.push(
                    scope,
                    Sign::Removed,
                    format!("answer {name}"),
                    "not in the manual; kept (the notice model requires it)",
                    None,
                );
            }
        }
    }

    /// The answer-code table: `[[answer.codes]]`.
    fn notice_codes(&mut self, answer: &mut dyn TableLike, doc_id: &str, scope: &str) {
        let manual = self.manual;
        if manual.codes.is_empty() {
            return;
        }
        let Some(codes) = answer
            .get_mut("codes")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return;
        };
        for (row, c) in manual.codes.iter().enumerate() {
            let sibling = codes.iter().last().and_then(|t| t.get("source")).cloned();
            let at = codes.iter().position(|t| get_str(t, "code") == c.code);
            match at.and_then(|i| codes.get_mut(i)) {
                Some(t) => {
                    for (k, new) in [
                        ("message_ko", &c.message),
                        ("description_ko", &c.description),
                    ] {
                        if let Some(old) = set(t, k, Value::from(new.as_str())) {
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("code {} {k}", c.code),
                                arrow(&old, new),
                                Some("English kept: review message_en and description_en".into()),
                            );
                        }
                    }
                }
                None => {
                    let english =
                        |what: &str| Value::from(needs_human(&format!("English for `{what}`")));
                    let mut t = table(&[
                        ("code", Value::from(c.code.as_str())),
                        (
                            "variant",
                            Value::from(needs_human(&format!(
                                "UpperCamelCase name for code {}",
                                c.code
                            ))),
                        ),
                        ("message_ko", Value::from(c.message.as_str())),
                        ("description_ko", Value::from(c.description.as_str())),
                        ("message_en", english(&c.message)),
                        ("description_en", english(&c.description)),
                        ("stops_retry", Value::from(false)),
                        ("source", source_like(sibling.as_ref(), doc_id, row + 1)),
                    ]);
                    t.decor_mut().set_prefix("\n");
                    codes.push(t);
                    self.diff.push(
                        scope,
                        Sign::Added,
                        format!("code {}", c.code),
                        format!("{:?} / {:?}", c.message, c.description),
                        Some(
                            "variant and English marked NEEDS HUMAN; stops_retry = false: review"
                                .into(),
                        ),
                    );
                }
            }
        }
        let gone: Vec<(usize, String)> = codes
            .iter()
            .enumerate()
            .filter(|(_, t)| !manual.codes.iter().any(|c| c.code == get_str(*t, "code")))
            .map(|(i, t)| (i, get_str(t, "code").to_owned()))
            .collect();
        for (i, code) in gone.iter().rev() {
            if self.missing == MissingCodes::Remove {
                codes.remove(*i);
            }
            self.removed(scope, &format!("code {code}"));
        }
    }

    /// Value tables: `[tables.<table>]` of the field they belong to.
    fn notice_tables(&mut self, ndoc: &mut DocumentMut, scope: &str) {
        let manual = self.manual;
        let table_of: Vec<(String, String)> = ndoc
            .get("fields")
            .and_then(Item::as_array_of_tables)
            .map(|f| {
                f.iter()
                    .map(|t| {
                        (
                            get_str(t, "name").to_owned(),
                            get_str(t, "table").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for vt in &manual.value_tables {
            let Some((_, key)) = table_of
                .iter()
                .find(|(name, table)| *name == vt.field && !table.is_empty())
            else {
                continue;
            };
            let Some(values) = ndoc
                .get_mut("tables")
                .and_then(Item::as_table_like_mut)
                .and_then(|t| t.get_mut(key))
                .and_then(Item::as_table_like_mut)
                .and_then(|t| t.get_mut("values"))
                .and_then(Item::as_array_of_tables_mut)
            else {
                continue;
            };
            let spec_values: Vec<String> = values
                .iter()
                .map(|t| get_str(t, "value").to_owned())
                .collect();
            let sibling = values.iter().last().and_then(|t| t.get("source")).cloned();
            let manual_values: Vec<String> = vt
                .values
                .iter()
                .map(|v| padded(&spec_values, &v.wire))
                .collect();
            for (v, value) in vt.values.iter().zip(&manual_values) {
                let label = format!("table {key} value {value}");
                let at = values.iter().position(|t| get_str(t, "value") == value);
                match at.and_then(|i| values.get_mut(i)) {
                    Some(t) => {
                        if let Some(old) = set(t, "meaning_ko", Value::from(v.description.as_str()))
                        {
                            self.diff.push(
                                scope,
                                Sign::Changed,
                                format!("{label} meaning_ko"),
                                arrow(&old, &v.description),
                                Some("English kept: review meaning_en".into()),
                            );
                        }
                    }
                    None => {
                        let row = sibling
                            .as_ref()
                            .and_then(Item::as_table_like)
                            .and_then(|s| get_u32(s, "row"))
                            .unwrap_or(0);
                        let document = sibling
                            .as_ref()
                            .and_then(Item::as_table_like)
                            .map(|s| get_str(s, "document").to_owned())
                            .unwrap_or_default();
                        let mut t = table(&[
                            ("value", Value::from(value.as_str())),
                            (
                                "variant",
                                Value::from(needs_human(&format!(
                                    "UpperCamelCase name for value {value}"
                                ))),
                            ),
                            ("meaning_ko", Value::from(v.description.as_str())),
                            (
                                "meaning_en",
                                Value::from(needs_human(&format!(
                                    "English for `{}`",
                                    v.description
                                ))),
                            ),
                            (
                                "source",
                                source_like(
                                    sibling.as_ref(),
                                    &document,
                                    usize::try_from(row).unwrap_or(0),
                                ),
                            ),
                        ]);
                        t.decor_mut().set_prefix("\n");
                        values.push(t);
                        self.diff.push(
                            scope,
                            Sign::Added,
                            label,
                            format!("{:?}", v.description),
                            Some("variant and meaning_en marked NEEDS HUMAN".into()),
                        );
                    }
                }
            }
            for (i, value) in spec_values.iter().enumerate().rev() {
                if manual_values.contains(value) {
                    continue;
                }
                if self.missing == MissingCodes::Remove {
                    values.remove(i);
                }
                self.removed(scope, &format!("table {key} value {value}"));
            }
        }
    }
}
