//! # coufun-sandbox
//!
//! A local COUFUN server driven by the same `spec/` as the SDK — what stripe-mock
//! is to Stripe's SDKs. Every operation of `spec/endpoints.toml` answers at its
//! path and methods with XML under the operation's own root, declared EUC-KR by
//! default; request fields are checked by
//! the SDK's own generated validators, and the server's own rules (access,
//! catalogue, ledger, limits) answer the manual's codes. Faults can be injected
//! for reliability tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), coufun_sandbox::SandboxError> {
//! use coufun_sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("COUFUN sandbox at {}", sandbox.base_url());
//! // ... point the client at sandbox.base_url() with POC_ID coufun_sandbox::DEFAULT_POC_ID
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Exchange notices: with [`SandboxConfig::with_notices`] (binary: `--notice-url`),
//! or [`Sandbox::set_notices`] once started (for a receiver whose URL is known
//! only after the sandbox starts), every redemption and use-cancel is POSTed to the merchant's URL as COUFUN
//! does — an EUC-KR form, retried on any answer but `00`/`04` on the schedule
//! of [`notices::NoticeSenderConfig`] (by default the manual's interval,
//! [`coufun_api::notice::RETRY_INTERVAL`]) — and
//! each delivery and its answer lands in [`Ledger::notices`].
//!
//! A drifting server: [`SandboxConfig::with_drift`] (binary: `--drift`) makes
//! answers depart from the spec on purpose ([`DriftPlan`]: unknown elements,
//! an unknown coupon state, over-long goods names, another root or record
//! element, another charset), for drift reports tested end to end.
//!
//! Admin routes (outside the COUFUN paths): `GET /_admin/ledger` (JSON, with
//! the redemptions and the notice deliveries),
//! `GET /_admin/faults` (JSON counts), `POST /_admin/coupons/{number}/redeem`
//! (a shop uses the coupon: in whole, or `?amount=N` of an `AMOUNT` voucher;
//! answers the [`Redemption`] as JSON), `POST /_admin/coupons/{number}/cancel-use`
//! (`?amount=N` given back to an `AMOUNT` voucher), `POST /_admin/coupons/{number}/use`
//! (in whole, no body) and `POST /_admin/coupons/{number}/expire`.
//!
//! https (feature `tls`, on by default): with [`SandboxConfig::with_tls`]
//! (binary: `--tls`, `--tls-ca-out FILE`) the sandbox makes a throwaway CA and a
//! server certificate for `localhost`, `127.0.0.1`, `::1` and the names you add
//! (e.g. the test server's host, [`tls::TlsConfig::with_test_server_host`]),
//! serves every route over TLS, and hands out the CA certificate
//! ([`Sandbox::ca_certificate_pem`]) for the client to trust.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod bridge;
pub mod catalogue;
pub mod config;
mod conn;
pub mod drift;
pub mod faults;
pub mod ledger;
pub mod notices;
pub mod redemption;
mod rules;
mod server;
#[cfg(feature = "tls")]
pub mod tls;
pub mod wire;

pub use catalogue::{Catalogue, CatalogueError, Goods};
pub use config::{
    Branch, Clock, DEFAULT_POC_ID, ENDED_POC_ID, LOOKUP_ONLY_POC_ID, PocAccount, SandboxConfig,
};
pub use drift::DriftPlan;
pub use faults::{Fault, FaultCounts, FaultOdds, FaultPlan, ScheduledFault};
pub use ledger::{Coupon, Ledger, Order};
pub use redemption::{RedeemAction, RedeemError, Redemption};
pub use server::{Sandbox, SandboxError};

/// The SDK's test server URL (`Environment::Test`:
/// [`DEFAULT_TEST_URL`](coufun_api::responses::DEFAULT_TEST_URL), from
/// `spec/`), parsed once: the sandbox serves under its path and its
/// certificate can cover its host. `None` if it were not a URL.
fn test_server_url() -> Option<&'static reqwest::Url> {
    static URL: std::sync::LazyLock<Option<reqwest::Url>> = std::sync::LazyLock::new(|| {
        reqwest::Url::parse(coufun_api::responses::DEFAULT_TEST_URL).ok()
    });
    URL.as_ref()
}

/// Locks a mutex, carrying on with the data if a holder panicked.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
