//! How one sandbox is set up: who may call it (IP allow list, `POC_ID`s with their
//! operations, integration end dates and issue limits), what it sells, the request
//! charset, the limits it enforces, its clock, its faults, where it sends
//! exchange notices (the merchant's URL and the shop redemptions happen at),
//! and whether it speaks https (feature `tls`).

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use coufun_api::{Charset, OperationId};
use jiff::civil::Date;

use crate::catalogue::Catalogue;
use crate::drift::DriftPlan;
use crate::faults::FaultPlan;
use crate::notices::NoticeSenderConfig;

/// Everything a [`Sandbox`](crate::Sandbox) starts with. `Default` is a sandbox
/// for local use: loopback callers, the built-in catalogue and accounts, CP949.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// Callers allowed in; any other address answers 01. Empty: loopback only.
    pub allowed_ips: Vec<IpAddr>,
    /// The merchants (`POC_ID`s) the server knows; any other answers 02.
    pub accounts: Vec<PocAccount>,
    /// What the sandbox sells.
    pub catalogue: Catalogue,
    /// The charset requests are read and text limits counted in.
    pub charset: Charset,
    /// Goods-list lookups a `POC_ID` may make per day before 09.
    pub goods_list_daily_limit: u32,
    /// Resends (and image sends) per coupon after the issuing send; one more
    /// answers 20. Default: the spec's `server_limits.resends_per_coupon`.
    pub max_resends_per_coupon: u32,
    /// An identical write request from the same `POC_ID` within this window
    /// answers 23. Zero (the default) turns the rule off.
    pub duplicate_window: Duration,
    /// The clock dates are judged by (sale period, validity, integration end).
    pub clock: Clock,
    /// Seed for order ids and coupon numbers, so runs are reproducible.
    pub seed: u64,
    /// Faults to inject (none by default).
    pub faults: FaultPlan,
    /// Where exchange notices go: every redemption and use-cancel is POSTed to
    /// the merchant's URL. `None` (the default): no notices are sent.
    pub notices: Option<NoticeSenderConfig>,
    /// The shop redemptions happen at (`BRANCH_NAME`, `BRANCH_CODE` of the notices).
    pub branch: Branch,
    /// Where answers depart from the spec on purpose (none by default): a
    /// drifting server for drift reports.
    pub drift: DriftPlan,
    /// Serve https with a certificate made at start (`None`, the default: plain
    /// http). See [`SandboxConfig::with_tls`].
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tls::TlsConfig>,
    /// A fixed wait before every COUFUN request is processed (admin requests
    /// are not delayed): a real server's round trip, so that throughput can be
    /// measured as it would be against COUFUN. Zero (the default): none.
    pub latency: Duration,
}

impl SandboxConfig {
    /// Sends an exchange notice for every redemption and use-cancel, as `notices`
    /// says (URL, retry schedule, faults): those made with [`Sandbox::redeem`]
    /// (and [`Sandbox::mark_used`]) or the admin redeem routes. The POSTs come
    /// from this machine (from `127.0.0.1` to a loopback URL), so a receiver's
    /// allow list must let that address in. [`Sandbox::wait_for_notices`] waits
    /// for their answers; [`Sandbox::notice_deliveries`] lists them. A
    /// receiver that starts after the sandbox (its URL known only then) is
    /// given to [`Sandbox::set_notices`] instead.
    ///
    /// [`Sandbox::set_notices`]: crate::Sandbox::set_notices
    /// [`Sandbox::redeem`]: crate::Sandbox::redeem
    /// [`Sandbox::mark_used`]: crate::Sandbox::mark_used
    /// [`Sandbox::wait_for_notices`]: crate::Sandbox::wait_for_notices
    /// [`Sandbox::notice_deliveries`]: crate::Sandbox::notice_deliveries
    pub fn with_notices(mut self, notices: NoticeSenderConfig) -> Self {
        self.notices = Some(notices);
        self
    }

    /// Every COUFUN request waits `latency` before it is processed.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answers depart from the spec as `drift` says.
    pub fn with_drift(mut self, drift: DriftPlan) -> Self {
        self.drift = drift;
        self
    }

    /// Serves https instead of http: at start the sandbox makes a throwaway CA
    /// and a server certificate it signs for `tls`'s names;
    /// [`Sandbox::base_url`](crate::Sandbox::base_url) is then `https://…` and
    /// [`Sandbox::ca_certificate_pem`](crate::Sandbox::ca_certificate_pem) the
    /// CA certificate a client must trust (feature `tls`, on by default).
    ///
    /// ```
    /// use coufun_api::privacy::PocId;
    /// use coufun_api::{Client, Environment, GoodsListRequest};
    /// use coufun_sandbox::tls::TlsConfig;
    /// use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let sandbox = Sandbox::start(SandboxConfig::default().with_tls(TlsConfig::new())).await?;
    /// assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
    /// let ca_pem = sandbox.ca_certificate_pem().unwrap_or_default();
    /// let client = Client::builder(
    ///     Environment::Custom(sandbox.base_url()),
    ///     PocId::new(DEFAULT_POC_ID)?,
    /// )
    /// .add_root_certificate_pem(ca_pem.as_bytes())?
    /// .build()?;
    /// let goods = client.goods_list(&GoodsListRequest::builder().build()?).await?;
    /// assert!(!goods.goods.is_empty());
    /// sandbox.shutdown().await;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_tls(mut self, tls: crate::tls::TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Redemptions happen at shop `name` (code `code`).
    pub fn with_branch(mut self, name: impl Into<String>, code: impl Into<String>) -> Self {
        self.branch = Branch {
            name: name.into(),
            code: code.into(),
        };
        self
    }
}

/// A shop where coupons are redeemed, as exchange notices name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Branch {
    /// `BRANCH_NAME` (at most 50 EUC-KR bytes; may be empty).
    pub name: String,
    /// `BRANCH_CODE` (at most 20 bytes; may be empty).
    pub code: String,
}

impl Default for Branch {
    /// 샌드박스점, code `SB0001`.
    fn default() -> Self {
        Branch {
            name: "샌드박스점".to_owned(),
            code: "SB0001".to_owned(),
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            allowed_ips: Vec::new(),
            accounts: PocAccount::defaults(),
            catalogue: Catalogue::default(),
            charset: Charset::Cp949,
            goods_list_daily_limit: 100,
            max_resends_per_coupon: coufun_api::RESENDS_PER_COUPON,
            duplicate_window: Duration::ZERO,
            clock: Clock::System,
            seed: 0x00C0_FFEE,
            faults: FaultPlan::default(),
            notices: None,
            branch: Branch::default(),
            drift: DriftPlan::none(),
            #[cfg(feature = "tls")]
            tls: None,
            latency: Duration::ZERO,
        }
    }
}

/// The date (and time) the server takes as now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Clock {
    /// Today in Korea (UTC+9), from the system clock.
    System,
    /// A fixed date, for reproducible tests.
    Fixed(Date),
}

impl Clock {
    /// Today by this clock.
    pub fn today(self) -> Date {
        self.now().date()
    }

    /// Now by this clock, to the second (a fixed date reads as noon that day).
    pub fn now(self) -> jiff::civil::DateTime {
        match self {
            Clock::Fixed(date) => date.at(12, 0, 0, 0),
            Clock::System => {
                let korea = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
                let now = jiff::Timestamp::now().to_zoned(korea).datetime();
                now.with().subsec_nanosecond(0).build().unwrap_or(now)
            }
        }
    }
}

/// One merchant account (`POC_ID`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PocAccount {
    /// The client id. Kept out of `Debug`.
    pub poc_id: String,
    /// The operations it may call (others answer 98); `None`: all.
    pub operations: Option<BTreeSet<OperationId>>,
    /// Last day of the integration period (after it: 05).
    pub integration_end: Date,
    /// Coupons it may issue in all (beyond: 95).
    pub issue_limit: u64,
}

impl fmt::Debug for PocAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PocAccount")
            .field("poc_id", &"***")
            .field("operations", &self.operations)
            .field("integration_end", &self.integration_end)
            .field("issue_limit", &self.issue_limit)
            .finish()
    }
}

impl PocAccount {
    /// An account allowed every operation until 2099-12-31, issuing up to 10,000 coupons.
    pub fn new(poc_id: impl Into<String>) -> Self {
        PocAccount {
            poc_id: poc_id.into(),
            operations: None,
            integration_end: jiff::civil::date(2099, 12, 31),
            issue_limit: 10_000,
        }
    }

    /// Restricts the account to these operations.
    pub fn with_operations(mut self, operations: impl IntoIterator<Item = OperationId>) -> Self {
        self.operations = Some(operations.into_iter().collect());
        self
    }

    /// Sets the last day of the integration period.
    pub fn with_integration_end(mut self, date: Date) -> Self {
        self.integration_end = date;
        self
    }

    /// Sets how many coupons the account may issue in all.
    pub fn with_issue_limit(mut self, limit: u64) -> Self {
        self.issue_limit = limit;
        self
    }

    /// Whether the account may call `operation`.
    pub fn may_call(&self, operation: OperationId) -> bool {
        self.operations
            .as_ref()
            .is_none_or(|ops| ops.contains(&operation))
    }

    /// The built-in accounts: [`DEFAULT_POC_ID`] may do everything,
    /// [`LOOKUP_ONLY_POC_ID`] only the goods list and status lookups (98 otherwise), and
    /// [`ENDED_POC_ID`]'s integration ended on 2020-12-31 (05).
    pub fn defaults() -> Vec<PocAccount> {
        vec![
            PocAccount::new(DEFAULT_POC_ID),
            PocAccount::new(LOOKUP_ONLY_POC_ID)
                .with_operations([OperationId::GoodsList, OperationId::CouponStatus]),
            PocAccount::new(ENDED_POC_ID).with_integration_end(jiff::civil::date(2020, 12, 31)),
        ]
    }
}

/// The built-in account allowed every operation.
pub const DEFAULT_POC_ID: &str = "POC0000001";
/// The built-in account allowed only the goods list and status lookups.
pub const LOOKUP_ONLY_POC_ID: &str = "POC0000002";
/// The built-in account whose integration period has ended.
pub const ENDED_POC_ID: &str = "POC0000003";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resend_limit_is_the_specs() {
        let spec = coufun_codegen::embedded::spec().unwrap();
        let limit = spec.endpoints.server_limits["resends_per_coupon"]
            .value
            .get_ref();
        assert_eq!(SandboxConfig::default().max_resends_per_coupon, *limit);
    }

    #[test]
    fn poc_id_is_masked_in_debug() {
        let shown = format!("{:?}", PocAccount::new("POC1234567"));
        assert!(!shown.contains("1234567"), "{shown}");
    }
}
