//! The issuer over the SDK: each row's wire parameters are checked by the
//! generated `CouponCreateRequest::from_wire` and sent through the client's
//! exactly-once `coupon_create`, whose [`IssueOutcome`](coufun_api::issuance::IssueOutcome)
//! becomes the row's outcome.

use coufun_api::CouponCreateRequest;
use coufun_api::issuance::IssuingRequest;
use coufun_api::{Charset, Client, ResultCode, ValidationErrors};

use crate::outcome::RowOutcome;
use crate::runner::Issuer;

/// The wire name of the issuing request's TR_ID (from the generated request).
pub const TR_ID_WIRE: &str = <CouponCreateRequest as IssuingRequest>::KEY_WIRE;

/// How a broken rule is put in the row's message.
pub type InvalidText = fn(&ValidationErrors) -> String;

fn plain(errors: &ValidationErrors) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Issues rows through the SDK's exactly-once `coupon_create`.
#[derive(Debug, Clone)]
pub struct SdkIssuer {
    client: Client,
    charset: Charset,
    invalid_text: InvalidText,
}

impl SdkIssuer {
    /// Over `client`, measuring text in the default charset.
    pub fn new(client: Client) -> Self {
        SdkIssuer {
            client,
            charset: Charset::default(),
            invalid_text: plain,
        }
    }

    /// Puts broken rules in the row's message with `text`.
    pub fn invalid_text(mut self, text: InvalidText) -> Self {
        self.invalid_text = text;
        self
    }

    fn request(
        &self,
        params: &[(String, String)],
    ) -> Result<CouponCreateRequest, ValidationErrors> {
        CouponCreateRequest::from_wire(params, self.charset)
    }
}

impl Issuer for SdkIssuer {
    async fn issue(&self, params: Vec<(String, String)>) -> RowOutcome {
        match self.request(&params) {
            Ok(request) => self.client.coupon_create(&request).await.into(),
            Err(errors) => RowOutcome::Invalid((self.invalid_text)(&errors)),
        }
    }

    fn check(&self, params: &[(String, String)]) -> Result<(), (ResultCode, String)> {
        self.request(params)
            .map(|_| ())
            .map_err(|e| (e.code(), (self.invalid_text)(&e)))
    }
}
