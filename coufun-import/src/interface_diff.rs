//! The semantic diff between the spec and an interface manual: one line per
//! change, grouped by what it changes (the document, an operation, a kind),
//! the way a reviewer reads it.

use std::fmt;

use serde::Serialize;
use toml_edit::Value;

use crate::entry;

/// What kind of change a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// Something the manual has and the spec had not (`+`).
    Added,
    /// Something the spec has and the manual has not (`-`).
    Removed,
    /// A value that changes (`~`).
    Changed,
    /// The manual contradicts another document; nothing taken (`!`).
    Conflict,
}

impl Sign {
    fn mark(self) -> char {
        match self {
            Sign::Added => '+',
            Sign::Removed => '-',
            Sign::Changed => '~',
            Sign::Conflict => '!',
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What it belongs to, e.g. `operation coupon_create` or `kind extra`.
    pub scope: String,
    /// Its kind.
    pub sign: Sign,
    /// What changes, e.g. `request TR_ID required`.
    pub what: String,
    /// Old → new, or what was added or removed.
    pub detail: String,
    /// What the reviewer should do or know.
    pub note: Option<String>,
}

/// Everything an import of one interface manual changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceDiff {
    /// The changes, in the order found.
    pub items: Vec<Item>,
}

impl InterfaceDiff {
    /// True when the spec already says what the manual says.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many changes.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Adds a change.
    pub fn push(
        &mut self,
        scope: &str,
        sign: Sign,
        what: impl Into<String>,
        detail: impl Into<String>,
        note: Option<String>,
    ) {
        self.items.push(Item {
            scope: scope.to_owned(),
            sign,
            what: what.into(),
            detail: detail.into(),
            note,
        });
    }

    /// Adds `what: "old" → "new"`.
    pub fn changed(&mut self, scope: &str, what: impl Into<String>, old: &str, new: &str) {
        self.push(scope, Sign::Changed, what, arrow(old, new), None);
    }
}

/// `old → new`: a text quoted, a number or flag as written, `(none)` for an
/// empty text or an absent value.
pub fn arrow<T: Serialize + ?Sized>(old: &T, new: &T) -> String {
    let show = |value: &T| match entry::to_value(value) {
        Ok(Value::String(s)) if !s.value().is_empty() => format!("{:?}", s.value()),
        Ok(v) if !v.is_str() => v.to_string().trim().to_owned(),
        _ => "(none)".to_owned(),
    };
    format!("{} → {}", show(old), show(new))
}

impl fmt::Display for InterfaceDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no change: the spec already says what the manual says");
        }
        // grouped by scope, scopes in the order they first appear
        let mut scopes: Vec<&str> = Vec::new();
        for item in &self.items {
            if !scopes.contains(&item.scope.as_str()) {
                scopes.push(&item.scope);
            }
        }
        for scope in scopes {
            writeln!(f, "{scope}:")?;
            for item in self.items.iter().filter(|i| i.scope == scope) {
                item_line(f, item)?;
            }
        }
        writeln!(f, "{} change(s)", self.len())
    }
}

fn item_line(f: &mut fmt::Formatter<'_>, item: &Item) -> fmt::Result {
    if item.detail.is_empty() {
        writeln!(f, "  {} {}", item.sign.mark(), item.what)?;
    } else {
        writeln!(f, "  {} {}: {}", item.sign.mark(), item.what, item.detail)?;
    }
    if let Some(note) = &item.note {
        writeln!(f, "      {note}")?;
    }
    Ok(())
}
