//! `coufun reconcile`: the reconciliation request for the supplier, written from
//! a bulk journal or a campaign store (`--database`) — every row whose coupons may exist without our knowing their
//! numbers (outcome unknown, an earlier attempt that reached the server, an
//! answer that was another order's) with its TR_ID, goods, quantity and the
//! times of its first and last attempt — as CSV, or as text ready to send with
//! Korean and English headings. Reads the journal only: nothing is sent.

use std::path::PathBuf;

use coufun_api::{Lang, ResultCode};
use coufun_campaign::{CampaignRow as JournalRow, RowState, Store};

use crate::exit::{CliError, Exit, LocalIn};
use crate::output::table;

/// `coufun reconcile --help`.
pub const LONG_ABOUT: &str = "Write the reconciliation request for the supplier from a bulk-create journal: \
     every row whose coupons may exist without their numbers being known — outcome \
     unknown, an earlier attempt that reached the server (a repeat answered 12 or 23 \
     after a lost answer), or an answer that was another order's — with its TR_ID, \
     goods, quantity and the times of its first and last attempt (UTC). As text ready \
     to send (Korean and English) or as CSV. Reads the journal only: nothing is sent, \
     no POC_ID is needed. From a campaign store: --database (and --campaign).";

/// `coufun reconcile`'s options.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bulk-create journal (FILE.journal.sqlite)
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "database",
        required_unless_present = "database"
    )]
    journal: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
    /// The campaign store: postgres://… (several workers, on any hosts) or a SQLite file (sqlite:PATH or PATH; one process)
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// The campaign (default: the store's only one)
    #[arg(long, value_name = "NAME")]
    campaign: Option<String>,
}

/// Where and how the request is written (`coufun reconcile`, `coufun campaign reconcile`).
#[derive(Debug, clap::Args)]
pub struct Output {
    /// text (ready to send, Korean and English) or csv
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "csv"], default_value = "text")]
    format: String,
    /// Write to PATH instead of stdout
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
}

/// `coufun reconcile`: the request from a bulk journal (`--journal`) or a
/// campaign store (`--database`, `--campaign`).
pub async fn command(m: &Args) -> Result<Exit, CliError> {
    let (store, shown) = match &m.journal {
        Some(path) if !path.is_file() => {
            return Err(CliError::bad(format!("no journal at {}", path.display())));
        }
        Some(path) => {
            let shown = format!("journal {}", path.display());
            (Store::sqlite(path).await.local_in(&shown)?, shown)
        }
        None => crate::campaign::open(m.database.as_deref().unwrap_or_default()).await?,
    };
    write(store, &shown, m.campaign.as_ref(), &m.output).await
}

/// Writes the request for `campaign` (default: the only one) of `store`
/// (`shown` in messages) as `output` says, on stdout or in `--output`; reads
/// the store only.
pub async fn write(
    store: Store,
    shown: &str,
    campaign: Option<&String>,
    output: &Output,
) -> Result<Exit, CliError> {
    let (_, columns) = crate::bulk_operation()?;
    let campaign = crate::campaign::which(&store, campaign).await?;
    let rows = store.rows(&campaign).await.local_in(shown)?;
    let now = store.now().await.local_in(shown)?;
    store.close().await;
    let entries = entries(&rows, columns);
    let out = match output.format.as_str() {
        "csv" => csv(&entries, columns)
            .map_err(|e| CliError::local(format!("cannot write the CSV: {e}")))?,
        _ => text(&entries, columns, &now),
    };
    match &output.output {
        Some(file) => {
            std::fs::write(file, &out)
                .map_err(|e| CliError::local(format!("cannot write {}: {e}", file.display())))?;
            eprintln!(
                "{} rows to reconcile written to {}",
                entries.len(),
                file.display()
            );
        }
        None => print!("{out}"),
    }
    Ok(Exit::Success)
}

/// The wire names the request's columns are headed by (from the operation table).
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    /// The TR_ID parameter.
    pub tr_id: &'static str,
    /// The goods parameter.
    pub goods: &'static str,
    /// The quantity parameter, when the operation has one.
    pub quantity: Option<&'static str>,
}

/// One row to ask the supplier about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The row's TR_ID.
    pub tr_id: String,
    /// The goods id sent.
    pub goods: String,
    /// The quantity sent.
    pub quantity: String,
    /// When the first attempt started (UTC), if the journal knows.
    pub first_attempt: Option<String>,
    /// When the latest attempt ended, or started if it has no outcome (UTC).
    pub last_attempt: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Where the row stands.
    pub state: RowState,
    /// The code a repeat was answered, for `reached` rows.
    pub code: Option<ResultCode>,
}

/// The rows of `rows` that need the supplier's answer, in input order.
pub fn entries(rows: &[JournalRow], columns: Columns) -> Vec<Entry> {
    let param = |row: &JournalRow, wire: Option<&str>| {
        wire.and_then(|w| row.params.iter().find(|(k, _)| k == w))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    rows.iter()
        .filter(|r| r.state.needs_reconciliation())
        .map(|r| Entry {
            tr_id: r.tr_id.clone(),
            goods: param(r, Some(columns.goods)),
            quantity: param(r, columns.quantity),
            first_attempt: r.first_attempt.clone(),
            last_attempt: r.last_attempt.clone(),
            attempts: r.attempts,
            state: r.state,
            code: r.code,
        })
        .collect()
}

/// What we saw of the row, in Korean and in English.
fn seen(entry: &Entry, columns: Columns) -> [String; 2] {
    let (tr, goods) = (columns.tr_id, columns.goods);
    match (entry.state, entry.code) {
        (RowState::Reached, Some(code)) => [
            format!("응답 유실 후 재요청에 {} 응답", code.display(Lang::Ko)),
            format!(
                "answer lost; the repeat was answered {}",
                code.display(Lang::En)
            ),
        ],
        (RowState::Reached, None) => [
            "응답 유실 후 재요청에 중복 응답".to_owned(),
            "answer lost; the repeat was answered a duplicate".to_owned(),
        ],
        (RowState::EchoMismatch, _) => [
            format!("다른 주문의 응답 ({tr} 또는 {goods} 불일치)"),
            format!("the answer was another order's (its {tr} or {goods} differed)"),
        ],
        _ => [
            "응답 없음 (발행 여부 모름)".to_owned(),
            "no answer (outcome unknown)".to_owned(),
        ],
    }
}

/// The machine word of the row's state and, for a repeat, its code.
fn outcome(entry: &Entry) -> (&'static str, &'static str) {
    (entry.state.as_str(), entry.code.map_or("", |c| c.as_str()))
}

/// The request as CSV: a header row, then one line per entry.
pub fn csv(entries: &[Entry], columns: Columns) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        columns.tr_id,
        columns.goods,
        columns.quantity.unwrap_or("quantity"),
        "first_attempt_utc",
        "last_attempt_utc",
        "attempts",
        "outcome",
        "result_code",
        "seen_ko",
        "seen_en",
    ])?;
    for e in entries {
        let (state, code) = outcome(e);
        let [ko, en] = seen(e, columns);
        w.write_record([
            e.tr_id.as_str(),
            &e.goods,
            &e.quantity,
            e.first_attempt.as_deref().unwrap_or(""),
            e.last_attempt.as_deref().unwrap_or(""),
            &e.attempts.to_string(),
            state,
            code,
            &ko,
            &en,
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The request as text ready to send: headings and explanation in Korean, then
/// English, then the table. `written_at` is the time it is written (UTC).
pub fn text(entries: &[Entry], columns: Columns, written_at: &str) -> String {
    let mut out = String::new();
    out.push_str("쿠폰 발행 확인 요청\n");
    out.push_str("Coupon issuance reconciliation request\n");
    out.push_str(&format!("작성 / Written: {written_at} (UTC)\n\n"));
    if entries.is_empty() {
        out.push_str("확인이 필요한 요청이 없습니다.\n");
        out.push_str("No request needs reconciliation.\n");
        return out;
    }
    out.push_str(&format!(
        "아래 {n}건의 쿠폰 발행 요청은 응답을 받지 못했거나, 응답 유실 후 같은 {tr}로 다시 보낸 \
         요청에 중복 응답을 받았거나, 다른 주문의 응답을 받았습니다. 각 {tr}로 쿠폰이 발행되었는지, \
         발행되었다면 주문번호와 쿠폰번호를 알려 주십시오. 새 {tr}로 다시 발행하지 않습니다.\n\n",
        n = entries.len(),
        tr = columns.tr_id,
    ));
    out.push_str(&format!(
        "For the coupon issuing requests below ({n}) we received no answer, or a duplicate answer \
         when the same {tr} was sent again after a lost answer, or another order's answer. \
         Please tell us for each {tr} whether coupons were issued and, if so, their order id and \
         coupon numbers. We will not issue them again under a new {tr}.\n\n",
        n = entries.len(),
        tr = columns.tr_id,
    ));
    let quantity = columns.quantity.unwrap_or("quantity");
    let headers = [
        "#",
        columns.tr_id,
        columns.goods,
        quantity,
        "첫 시도 / first attempt (UTC)",
        "마지막 시도 / last attempt (UTC)",
        "시도 / attempts",
    ];
    let rows: Vec<Vec<String>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                e.tr_id.clone(),
                e.goods.clone(),
                e.quantity.clone(),
                e.first_attempt.clone().unwrap_or_else(|| "-".into()),
                e.last_attempt.clone().unwrap_or_else(|| "-".into()),
                e.attempts.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(&headers, &rows));
    out.push_str("\n확인된 상황 / What we saw:\n");
    for (i, e) in entries.iter().enumerate() {
        let [ko, en] = seen(e, columns);
        out.push_str(&format!("{}. {}: {ko} / {en}\n", i + 1, e.tr_id));
    }
    if entries.iter().any(|e| e.first_attempt.is_none()) {
        out.push_str(
            "\n'-': 이 기록이 시각을 남기기 전의 시도 / an attempt made before the journal kept times\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Columns {
        crate::bulk_columns().unwrap()
    }

    fn row(line: u64, state: RowState, code: Option<ResultCode>) -> JournalRow {
        let c = columns();
        JournalRow {
            line,
            reference: format!("cust-{line}"),
            params: vec![
                (c.goods.to_owned(), "0000100001".to_owned()),
                (c.quantity.unwrap().to_owned(), line.to_string()),
            ],
            tr_id: format!("01M8HTTAAQAZ9TNH3PN7HYPD{line:02}"),
            state,
            attempts: 2,
            code,
            message: None,
            order_id: None,
            coupons: None,
            first_attempt: Some(format!("2026-11-29T05:1{line}:00Z")),
            last_attempt: Some(format!("2026-11-29T05:2{line}:30Z")),
            lease_owner: None,
            limit_hits: 0,
        }
    }

    /// A journal with one row of each state: only the unknown, sending,
    /// reached and echo-mismatched ones are asked about.
    fn journal() -> Vec<JournalRow> {
        let mut old = row(7, RowState::Unknown, None);
        old.first_attempt = None;
        vec![
            row(1, RowState::Issued, Some(ResultCode::Success)),
            row(2, RowState::Unknown, None),
            row(3, RowState::Reached, Some(ResultCode::DuplicateTrId)),
            row(4, RowState::Refused, Some(ResultCode::InvalidGoods)),
            row(5, RowState::Reached, Some(ResultCode::DuplicateRequest)),
            row(6, RowState::EchoMismatch, None),
            old,
            row(8, RowState::Pending, None),
            row(9, RowState::Sending, None),
        ]
    }

    #[test]
    fn only_rows_whose_coupons_may_exist_unseen_are_asked_about() {
        let tr: Vec<String> = entries(&journal(), columns())
            .into_iter()
            .map(|e| e.tr_id)
            .collect();
        let want: Vec<String> = [2, 3, 5, 6, 7, 9]
            .iter()
            .map(|l| format!("01M8HTTAAQAZ9TNH3PN7HYPD{l:02}"))
            .collect();
        assert_eq!(tr, want);
    }

    #[test]
    fn the_request_as_csv() {
        let e = entries(&journal(), columns());
        insta::assert_snapshot!("reconcile_csv", csv(&e, columns()).unwrap());
    }

    #[test]
    fn the_request_as_text() {
        let e = entries(&journal(), columns());
        insta::assert_snapshot!(
            "reconcile_text",
            text(&e, columns(), "2026-11-29T06:00:00Z")
        );
    }

    #[test]
    fn nothing_to_reconcile_says_so() {
        let e = entries(&[row(1, RowState::Issued, None)], columns());
        let out = text(&e, columns(), "2026-11-29T06:00:00Z");
        assert!(out.contains("No request needs reconciliation"), "{out}");
        assert_eq!(csv(&e, columns()).unwrap().lines().count(), 1);
    }
}
