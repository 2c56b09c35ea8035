//! Writes typed spec values into the comment-preserving document: the importer
//! reads a spec file into coufun-codegen's model, changes the typed values, and
//! [`write()`] puts the difference between the old and the new value into the
//! `toml_edit` document. Both are serialized; only what differs is written,
//! everything else (comments, layout, key order) stays as it stood.
//!
//! Entries are located by identity: a table's entries by key, an array's tables
//! by the value of their first field (a code, a version, an operation or field
//! name — the model puts each entry's identity first). A new entry takes the
//! layout of its siblings; one the new value lacks is dropped.

use std::collections::BTreeMap;

use serde::Serialize;
use toml_edit::{Array, ArrayOfTables, InlineTable, Item, Table, TableLike, Value};

/// A typed value could not be turned into TOML (a model type the serializer
/// does not support).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the typed spec value as TOML")]
pub struct EntryError(#[from] toml_edit::ser::Error);

/// The typed value as one TOML value (tables inline), fields in model order.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, EntryError> {
    Ok(value.serialize(toml_edit::ser::ValueSerializer::new())?)
}

/// One field of an entry whose value changes, shown as text (a string without
/// its quotes, "" for a field the entry lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChange {
    /// The field's key in the spec.
    pub key: String,
    /// Its old value.
    pub old: String,
    /// Its new value.
    pub new: String,
    /// The new entry lacks the field.
    pub removed: bool,
}

fn show(value: &Value) -> String {
    match value.as_str() {
        Some(s) => s.to_owned(),
        None => value.to_string().trim().to_owned(),
    }
}

fn fields<T: Serialize + ?Sized>(entry: &T) -> Result<InlineTable, EntryError> {
    match to_value(entry)? {
        Value::InlineTable(t) => Ok(t),
        _ => Ok(InlineTable::new()),
    }
}

/// The scalar fields (texts, numbers, flags, lists of scalars) that differ
/// between two entries, in the model's field order; tables and lists of tables
/// are left to the caller, which compares their entries by identity.
pub fn changes<T: Serialize>(old: &T, new: &T) -> Result<Vec<KeyChange>, EntryError> {
    let (old, new) = (fields(old)?, fields(new)?);
    let scalar = |v: &Value| match v {
        Value::InlineTable(_) => false,
        Value::Array(a) => !a.iter().any(|v| v.is_inline_table()),
        _ => true,
    };
    let mut out: Vec<KeyChange> = new
        .iter()
        .filter(|(_, n)| scalar(n))
        .filter_map(|(key, n)| {
            let o = old.get(key);
            (!o.is_some_and(|o| same(o, n))).then(|| KeyChange {
                key: key.to_owned(),
                old: o.map(show).unwrap_or_default(),
                new: show(n),
                removed: false,
            })
        })
        .collect();
    out.extend(
        old.iter()
            .filter(|(key, o)| scalar(o) && !new.contains_key(key))
            .map(|(key, o)| KeyChange {
                key: key.to_owned(),
                old: show(o),
                new: String::new(),
                removed: true,
            }),
    );
    Ok(out)
}

/// The field `key` of `entry`, shown as text.
pub fn shown<T: Serialize>(entry: &T, key: &str) -> Result<Option<String>, EntryError> {
    Ok(fields(entry)?.get(key).map(show))
}

/// Comments for entries the write adds, by identity: written above the entry.
pub type Comments = BTreeMap<String, String>;

/// Writes into `doc` what differs between `old` (what `doc` holds, read into the
/// model) and `new`; `comments` go above the entries `new` adds.
pub fn write<T: Serialize>(
    doc: &mut Table,
    old: &T,
    new: &T,
    comments: &Comments,
) -> Result<(), EntryError> {
    let (Value::InlineTable(old), Value::InlineTable(new)) = (to_value(old)?, to_value(new)?)
    else {
        return Ok(());
    };
    merge_table(doc, &old, &new, comments);
    Ok(())
}

fn same(a: &Value, b: &Value) -> bool {
    a.to_string() == b.to_string()
}

/// Merges table `new` into `target`, which holds `old`.
fn merge_table(target: &mut dyn TableLike, old: &InlineTable, new: &InlineTable, c: &Comments) {
    for (key, new_value) in new.iter() {
        match (old.get(key), target.get_mut(key)) {
            (Some(old_value), _) if same(old_value, new_value) => {}
            (Some(old_value), Some(item)) => merge_item(item, old_value, new_value, c),
            _ => insert(target, key, new_value),
        }
    }
    for (key, _) in old.iter() {
        if !new.contains_key(key) {
            target.remove(key);
        }
    }
}

fn insert(target: &mut dyn TableLike, key: &str, value: &Value) {
    let mut value = value.clone();
    value.decor_mut().set_prefix(" ");
    target.insert(key, Item::Value(value));
}

/// Merges `new` into `item`, which holds `old` (a table, an array of tables or a value).
fn merge_item(item: &mut Item, old: &Value, new: &Value, c: &Comments) {
    match (item, old, new) {
        (Item::Table(t), Value::InlineTable(o), Value::InlineTable(n)) => merge_table(t, o, n, c),
        (Item::ArrayOfTables(tables), Value::Array(o), Value::Array(n)) => {
            if let Some(rebuilt) = merge_tables(tables, o, n, c) {
                *tables = rebuilt;
            }
        }
        (Item::Value(target), old, new) => merge_value(target, old, new, c),
        (item, _, new) => *item = Item::Value(new.clone()),
    }
}

fn merge_value(target: &mut Value, old: &Value, new: &Value, c: &Comments) {
    let merged = match (&mut *target, old, new) {
        (Value::InlineTable(t), Value::InlineTable(o), Value::InlineTable(n)) => {
            merge_table(t, o, n, c);
            true
        }
        (Value::Array(a), Value::Array(o), Value::Array(n)) => merge_array(a, o, n, c),
        _ => false,
    };
    if !merged {
        let decor = target.decor().clone();
        *target = new.clone();
        *target.decor_mut() = decor;
    }
}

/// An entry's identity: its first field, shown.
fn identity(value: &Value) -> Option<String> {
    let (_, first) = value.as_inline_table()?.iter().next()?;
    Some(show(first))
}

/// The identities of an array of tables, when each is unique.
fn identities(array: &Array) -> Option<Vec<String>> {
    let ids: Vec<String> = array.iter().map(identity).collect::<Option<_>>()?;
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    (unique.len() == ids.len()).then_some(ids)
}

/// `new`'s entries in its order, each `target`'s entry of the same identity
/// (`target` holds `old`) merged by `keep`, or made by `make` when `old` has
/// none; `None` when the identities are not unique or `target` is not `old`.
fn rebuild<E>(
    target: Vec<E>,
    old: &Array,
    new: &Array,
    mut keep: impl FnMut(&mut E, &InlineTable, &InlineTable),
    mut make: impl FnMut(&str, &InlineTable) -> E,
) -> Option<Vec<E>> {
    let (old_ids, new_ids) = (identities(old)?, identities(new)?);
    if target.len() != old.len() {
        return None;
    }
    let olds = old.iter().filter_map(Value::as_inline_table);
    let mut kept: BTreeMap<&str, (E, &InlineTable)> = old_ids
        .iter()
        .map(String::as_str)
        .zip(target.into_iter().zip(olds))
        .collect();
    let news = new_ids
        .iter()
        .zip(new.iter().filter_map(Value::as_inline_table));
    let rebuilt = news.map(|(id, n)| match kept.remove(id.as_str()) {
        Some((mut entry, o)) => {
            keep(&mut entry, o, n);
            entry
        }
        None => make(id, n),
    });
    Some(rebuilt.collect())
}

/// Rebuilds the array of inline tables `target` (holding `old`) in the order of
/// `new`: kept entries merged in place, new ones laid out like the last.
/// `false` when the arrays are not tables with unique identities.
fn merge_array(target: &mut Array, old: &Array, new: &Array, c: &Comments) -> bool {
    let layout = target
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or("\n  ")
        .to_owned();
    let keep = |value: &mut Value, o: &InlineTable, n: &InlineTable| {
        if let Value::InlineTable(t) = value {
            merge_table(t, o, n, c);
        }
    };
    let make = |_: &str, n: &InlineTable| {
        let mut value = n.clone();
        value.fmt();
        value.decor_mut().set_prefix(layout.as_str());
        value.decor_mut().set_suffix("");
        Value::InlineTable(value)
    };
    let Some(values) = rebuild(target.iter().cloned().collect(), old, new, keep, make) else {
        return false;
    };
    let was_empty = target.is_empty();
    let mut rebuilt = Array::new();
    values.into_iter().for_each(|v| rebuilt.push_formatted(v));
    rebuilt.set_trailing(if was_empty && !rebuilt.is_empty() {
        "\n"
    } else {
        target.trailing().as_str().unwrap_or("")
    });
    rebuilt.set_trailing_comma(target.trailing_comma() || was_empty);
    *rebuilt.decor_mut() = target.decor().clone();
    *target = rebuilt;
    true
}

/// [`merge_array`] for `[[tables]]`: `None` when the identities are not unique.
fn merge_tables(
    target: &ArrayOfTables,
    old: &Array,
    new: &Array,
    c: &Comments,
) -> Option<ArrayOfTables> {
    let position = target.iter().next().and_then(Table::position);
    let keep = |table: &mut Table, o: &InlineTable, n: &InlineTable| merge_table(table, o, n, c);
    let make = |id: &str, n: &InlineTable| {
        let mut table = n.clone().into_table();
        table.fmt();
        for (_, item) in table.iter_mut() {
            if let Some(array) = item.as_array_mut() {
                one_per_line(array);
            }
        }
        let comment = c.get(id).map_or(String::new(), |c| format!("{c}\n"));
        table.decor_mut().set_prefix(format!("\n{comment}"));
        table
    };
    let mut rebuilt = ArrayOfTables::new();
    for mut table in rebuild(target.iter().cloned().collect(), old, new, keep, make)? {
        table.set_position(position);
        rebuilt.push(table);
    }
    Some(rebuilt)
}

/// Lays a new array of tables out as the spec writes them: one entry per line.
fn one_per_line(array: &mut Array) {
    if array.is_empty() || !array.iter().all(Value::is_inline_table) {
        return;
    }
    for value in array.iter_mut() {
        value.decor_mut().set_prefix("\n  ");
        value.decor_mut().set_suffix("");
    }
    array.set_trailing("\n");
    array.set_trailing_comma(true);
}
