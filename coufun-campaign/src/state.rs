//! What a campaign holds: its orders (one row each) as loaded, where each row
//! stands ([`RowState`]), and a row as the store keeps it ([`CampaignRow`]).

use coufun_api::ResultCode;

use crate::store::StoreError;

/// One order of a campaign as loaded: its 1-based row number, the merchant's
/// reference (never sent) and the issuing request's wire parameters — goods,
/// quantity, reserve fields — without the TR_ID, which the store assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// 1-based row number (the order's key within the campaign).
    pub line: u64,
    /// The merchant's reference.
    pub reference: String,
    /// Wire parameters of the issuing request, the TR_ID left out.
    pub params: Vec<(String, String)>,
}

impl Order {
    /// Order `line` with `reference` and `params`.
    pub fn new(line: u64, reference: impl Into<String>, params: Vec<(String, String)>) -> Self {
        Order {
            line,
            reference: reference.into(),
            params,
        }
    }
}

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowState {
    /// TR_ID assigned, never sent.
    Pending,
    /// An attempt started; its outcome is not recorded yet (a crash left it so).
    Sending,
    /// Coupons exist.
    Issued,
    /// The server refused; nothing was issued.
    Refused,
    /// The row broke a field rule; nothing was sent.
    Invalid,
    /// Sent, outcome unknown: retried with the same TR_ID on the next run.
    Unknown,
    /// Nothing issued, sent again with the same TR_ID: refused by a code that
    /// stops or pauses the run (a limit, or one that may be sent again), or
    /// never reached the server (connection or TLS failure).
    Deferred,
    /// An earlier attempt reached the server (a `12` or `23` after a lost
    /// answer): coupons probably exist, their numbers are not retrievable.
    /// Never resent.
    Reached,
    /// The answer echoed another TR_ID or goods id than the row sent: the coupons
    /// in it are not this row's, and what this row's TR_ID did is not known.
    /// Never resent; reconciled with the supplier.
    EchoMismatch,
}

impl RowState {
    /// Every state, in the order above.
    pub const ALL: [RowState; 9] = [
        RowState::Pending,
        RowState::Sending,
        RowState::Issued,
        RowState::Refused,
        RowState::Invalid,
        RowState::Unknown,
        RowState::Deferred,
        RowState::Reached,
        RowState::EchoMismatch,
    ];

    /// The word stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Sending => "sending",
            RowState::Issued => "issued",
            RowState::Refused => "refused",
            RowState::Invalid => "invalid",
            RowState::Unknown => "unknown",
            RowState::Deferred => "deferred",
            RowState::Reached => "reached",
            RowState::EchoMismatch => "echo_mismatch",
        }
    }

    /// The state stored as `text`.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        RowState::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("row state {text:?}")))
    }

    /// Whether a run must still send the row (with its TR_ID).
    pub fn needs_sending(self) -> bool {
        matches!(
            self,
            RowState::Pending | RowState::Sending | RowState::Unknown | RowState::Deferred
        )
    }

    /// Of per-state row counts, the rows a run must still send (every state
    /// that [`needs_sending`](Self::needs_sending)): one sum for the run's
    /// summary and the store's status.
    pub(crate) fn open_in(by_state: &std::collections::BTreeMap<RowState, usize>) -> usize {
        by_state
            .iter()
            .filter(|(state, _)| state.needs_sending())
            .map(|(_, rows)| rows)
            .sum()
    }

    /// Whether the supplier must be asked what the row's TR_ID issued (the
    /// reconciliation request): its outcome is unknown, an earlier attempt
    /// reached the server with its answer lost, or the answer was another order's.
    pub fn needs_reconciliation(self) -> bool {
        matches!(
            self,
            RowState::Sending | RowState::Unknown | RowState::Reached | RowState::EchoMismatch
        )
    }
}

impl std::fmt::Display for RowState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row as the store keeps it (a plain record: built by the store, and by
/// tests of code that reads it). `Debug` masks the coupon numbers.
#[derive(Clone, PartialEq, Eq)]
pub struct CampaignRow {
    /// 1-based row number.
    pub line: u64,
    /// The merchant's reference (not sent).
    pub reference: String,
    /// The wire parameters sent (goods included, TR_ID not).
    pub params: Vec<(String, String)>,
    /// The TR_ID, fixed before the first attempt.
    pub tr_id: String,
    /// Where it stands.
    pub state: RowState,
    /// Attempts made across runs.
    pub attempts: u32,
    /// Result code, when one was answered (or our own check gave one).
    pub code: Option<ResultCode>,
    /// Message or error.
    pub message: Option<String>,
    /// Order id.
    pub order_id: Option<String>,
    /// Coupon numbers, space-separated.
    pub coupons: Option<String>,
    /// When the first attempt started (UTC, `YYYY-MM-DDTHH:MM:SSZ`); `None`
    /// before it, and for attempts made before the journal kept times.
    pub first_attempt: Option<String>,
    /// When the latest attempt ended (its outcome recorded), or started while
    /// it has no outcome (UTC, as `first_attempt`).
    pub last_attempt: Option<String>,
    /// The worker holding the row's lease, while one does.
    pub lease_owner: Option<String>,
    /// Answers of a code that may be sent again, in this run.
    pub limit_hits: u32,
}

/// Coupon numbers as `Debug` shows them: each masked.
pub(crate) fn masked(numbers: impl IntoIterator<Item = impl AsRef<str>>) -> Vec<String> {
    numbers
        .into_iter()
        .map(|n| coufun_api::privacy::mask_secret(n.as_ref()))
        .collect()
}

impl std::fmt::Debug for CampaignRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CampaignRow")
            .field("line", &self.line)
            .field("reference", &self.reference)
            .field("params", &self.params)
            .field("tr_id", &self.tr_id)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("order_id", &self.order_id)
            .field(
                "coupons",
                &self
                    .coupons
                    .as_deref()
                    .map(|c| masked(c.split_whitespace())),
            )
            .field("first_attempt", &self.first_attempt)
            .field("last_attempt", &self.last_attempt)
            .field("lease_owner", &self.lease_owner)
            .field("limit_hits", &self.limit_hits)
            .finish()
    }
}

impl CampaignRow {
    /// The value of wire parameter `wire`, when the row has it.
    pub fn param(&self, wire: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == wire)
            .map(|(_, v)| v.as_str())
    }

    /// How many coupon numbers the row holds.
    pub fn coupon_count(&self) -> usize {
        self.coupons
            .as_deref()
            .map_or(0, |c| c.split_whitespace().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_the_coupon_numbers() {
        let row = CampaignRow {
            line: 1,
            reference: "r".into(),
            params: Vec::new(),
            tr_id: "T".into(),
            state: RowState::Issued,
            attempts: 1,
            code: None,
            message: None,
            order_id: None,
            coupons: Some("641644332249 641644332250".into()),
            first_attempt: None,
            last_attempt: None,
            lease_owner: None,
            limit_hits: 0,
        };
        let shown = format!("{row:?}");
        assert!(!shown.contains("641644332249"), "{shown}");
        assert!(
            shown.contains("***2249") && shown.contains("***2250"),
            "{shown}"
        );
        assert_eq!(row.coupon_count(), 2);
    }

    #[test]
    fn every_state_reads_back_as_itself() {
        for state in RowState::ALL {
            assert_eq!(RowState::parse(state.as_str()).unwrap(), state);
        }
        assert!(RowState::parse("lost").is_err());
    }

    #[test]
    fn open_and_reconciled_states() {
        let open: Vec<_> = RowState::ALL
            .into_iter()
            .filter(|s| s.needs_sending())
            .collect();
        assert_eq!(
            open,
            [
                RowState::Pending,
                RowState::Sending,
                RowState::Unknown,
                RowState::Deferred
            ]
        );
        let asked: Vec<_> = RowState::ALL
            .into_iter()
            .filter(|s| s.needs_reconciliation())
            .collect();
        assert_eq!(
            asked,
            [
                RowState::Sending,
                RowState::Unknown,
                RowState::Reached,
                RowState::EchoMismatch
            ]
        );
    }
}
