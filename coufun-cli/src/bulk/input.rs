//! The bulk input and report files. Input: a CSV with a header row; a column
//! `ref` (the operator's own reference, never sent) and any request field of the
//! issuing operation but the goods and the TR_ID (named as the field, e.g.
//! `quantity`, or as its wire parameter, e.g. `CREATE_CNT`; today `quantity`,
//! `reserve1`, `reserve2`); empty cells are left out. Report: one line per row
//! with its TR_ID, outcome, coupon numbers and attempt times.

use std::path::Path;

use coufun_campaign::{CampaignRow, Order};

use crate::reconcile::Columns;
use crate::sdk::OpMeta;

/// The column holding the operator's reference.
pub const REF_COLUMN: &str = "ref";

/// One data row: its 1-based number, reference and wire parameters (no goods, no TR_ID).
pub type InputRow = (u64, String, Vec<(String, String)>);

/// An input file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file cannot be read as CSV.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// A header names no field of the operation.
    #[error("column {column:?} is not a field of {operation}; allowed: {allowed}")]
    UnknownColumn {
        /// The header.
        column: String,
        /// The operation.
        operation: &'static str,
        /// The columns allowed.
        allowed: String,
    },
    /// The file has no data rows.
    #[error("{0} has no data rows")]
    Empty(String),
}

/// Columns the input may have for `op`, other than `ref`.
pub fn allowed_columns(op: &OpMeta, fixed: &[&str]) -> Vec<&'static str> {
    op.fields
        .iter()
        .filter(|f| !fixed.contains(&f.name))
        .map(|f| f.name)
        .collect()
}

/// Reads `path`: every data row as wire parameters of `op`, leaving out the
/// fields named in `fixed` (filled by the command: goods, TR_ID).
pub fn read(path: &Path, op: &'static OpMeta, fixed: &[&str]) -> Result<Vec<InputRow>, InputError> {
    let shown = path.display().to_string();
    let err = |source| InputError::Read {
        path: shown.clone(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_path(path)
        .map_err(err)?;
    let headers = reader.headers().map_err(err)?.clone();
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for h in headers.iter() {
        let h = h.trim_start_matches('\u{feff}');
        if h.eq_ignore_ascii_case(REF_COLUMN) {
            columns.push(None);
            continue;
        }
        let field = op
            .fields
            .iter()
            .filter(|f| !fixed.contains(&f.name))
            .find(|f| f.name.eq_ignore_ascii_case(h) || f.wire.eq_ignore_ascii_case(h));
        match field {
            Some(f) => columns.push(Some(f.wire)),
            None => {
                return Err(InputError::UnknownColumn {
                    column: h.to_owned(),
                    operation: op.name,
                    allowed: std::iter::once(REF_COLUMN)
                        .chain(allowed_columns(op, fixed))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(err)?;
        let mut reference = String::new();
        let mut params = Vec::new();
        for (column, value) in columns.iter().zip(record.iter()) {
            match column {
                None => reference = value.to_owned(),
                Some(_) if value.is_empty() => {}
                Some(wire) => params.push(((*wire).to_owned(), value.to_owned())),
            }
        }
        rows.push((i as u64 + 1, reference, params));
    }
    if rows.is_empty() {
        return Err(InputError::Empty(shown));
    }
    Ok(rows)
}

/// The campaign's orders from the input rows: the goods `goods` first when the
/// row names none, and a quantity of 1 when it leaves it out (one coupon).
pub fn orders(rows: Vec<InputRow>, columns: Columns, goods: Option<&str>) -> Vec<Order> {
    rows.into_iter()
        .map(|(line, reference, mut params)| {
            if let Some(goods) = goods
                && !params.iter().any(|(k, _)| k == columns.goods)
            {
                params.insert(0, (columns.goods.to_owned(), goods.to_owned()));
            }
            if let Some(wire) = columns.quantity
                && !params.iter().any(|(k, _)| k == wire)
            {
                let at = usize::from(!params.is_empty());
                params.insert(at, (wire.to_owned(), "1".to_owned()));
            }
            Order::new(line, reference, params)
        })
        .collect()
}

/// Writes the report: every row's outcome and coupon numbers.
pub fn write_report(path: &Path, rows: &[CampaignRow]) -> Result<(), csv::Error> {
    let tmp = path.with_extension("csv.tmp");
    {
        let mut w = csv::Writer::from_path(&tmp)?;
        w.write_record([
            "row",
            "ref",
            "tr_id",
            "outcome",
            "code",
            "message",
            "order_id",
            "coupon_numbers",
            "attempts",
            "first_attempt_utc",
            "last_attempt_utc",
        ])?;
        for r in rows {
            w.write_record([
                r.line.to_string().as_str(),
                &r.reference,
                &r.tr_id,
                r.state.as_str(),
                r.code.map_or("", |c| c.as_str()),
                r.message.as_deref().unwrap_or(""),
                r.order_id.as_deref().unwrap_or(""),
                r.coupons.as_deref().unwrap_or(""),
                r.attempts.to_string().as_str(),
                r.first_attempt.as_deref().unwrap_or(""),
                r.last_attempt.as_deref().unwrap_or(""),
            ])?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}
