//! The semantic diff between the spec and a manual: what an import changes,
//! grouped the way a reviewer reads it, printed one change per line.

use std::fmt;

use crate::interface_diff::arrow;

/// One value that changes: where, old, new, and an optional note for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changes, e.g. `version` or `20 ResendLimitExceeded message_ko`.
    pub what: String,
    /// The value in the spec ("" when absent).
    pub old: String,
    /// The value in the manual.
    pub new: String,
    /// What the reviewer should look at, e.g. the English text we keep.
    pub note: Option<String>,
}

/// A code the manual has and the spec has not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedCode {
    /// Two digits.
    pub code: String,
    /// The manual's message.
    pub message_ko: String,
    /// The manual's description ("" when it has none).
    pub description_ko: String,
}

/// A code the spec has and the manual has not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedCode {
    /// Two digits.
    pub code: String,
    /// Our variant name.
    pub variant: String,
    /// The spec's Korean message.
    pub message_ko: String,
    /// `Some(version)` when the import keeps it, marked `removed_in = version`;
    /// `None` when it removes it.
    pub removed_in: Option<String>,
}

/// A revision-history row the spec does not have yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedRevision {
    /// Version.
    pub version: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// The change, as the manual writes it.
    pub change_ko: String,
    /// Author.
    pub author: String,
}

/// Everything an import of one manual changes in `spec/result_codes.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManualDiff {
    /// `[manual]` fields: version, revised, title, publisher, transport, result format.
    pub manual: Vec<Change>,
    /// Environment URLs and labels.
    pub urls: Vec<Change>,
    /// Codes new to the spec.
    pub codes_added: Vec<AddedCode>,
    /// Codes the manual no longer lists.
    pub codes_removed: Vec<RemovedCode>,
    /// Changed Korean texts and `contact_admin` of codes both sides have.
    pub codes_changed: Vec<Change>,
    /// Revision-history rows new to the spec.
    pub revisions_added: Vec<AddedRevision>,
    /// Changed or removed revision-history rows.
    pub revisions_changed: Vec<Change>,
}

impl ManualDiff {
    /// True when the spec already says what the manual says.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many changes the diff lists.
    pub fn len(&self) -> usize {
        self.manual.len()
            + self.urls.len()
            + self.codes_added.len()
            + self.codes_removed.len()
            + self.codes_changed.len()
            + self.revisions_added.len()
            + self.revisions_changed.len()
    }
}

fn change(f: &mut fmt::Formatter<'_>, prefix: &str, c: &Change) -> fmt::Result {
    writeln!(f, "{prefix} {}: {}", c.what, arrow(&c.old, &c.new))?;
    if let Some(note) = &c.note {
        writeln!(f, "    {note}")?;
    }
    Ok(())
}

impl fmt::Display for ManualDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no change: the spec already says what the manual says");
        }
        for c in &self.manual {
            change(f, "~ manual", c)?;
        }
        for c in &self.urls {
            change(f, "~ url", c)?;
        }
        for r in &self.revisions_added {
            writeln!(
                f,
                "+ revision {} ({}, {}): {:?}",
                r.version, r.date, r.author, r.change_ko
            )?;
            writeln!(f, "    change_en marked NEEDS HUMAN")?;
        }
        for c in &self.revisions_changed {
            change(f, "~ revision", c)?;
        }
        for c in &self.codes_added {
            writeln!(
                f,
                "+ code {}: {:?} / {:?}",
                c.code, c.message_ko, c.description_ko
            )?;
            writeln!(
                f,
                "    variant, message_en, description_en marked NEEDS HUMAN; \
                 category and retry are defaults to review"
            )?;
        }
        for c in &self.codes_removed {
            let fate = match &c.removed_in {
                Some(v) => format!("kept, marked removed_in = {v:?} (--remove-missing removes it)"),
                None => "removed".to_owned(),
            };
            writeln!(
                f,
                "- code {} {} {:?}: not in the manual; {fate}",
                c.code, c.variant, c.message_ko
            )?;
        }
        for c in &self.codes_changed {
            change(f, "~ code", c)?;
        }
        writeln!(f, "{} change(s)", self.len())
    }
}
