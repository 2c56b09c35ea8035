//! What one COUFUN operation is to the client and to the sandbox: its path,
//! methods, effect, and how a checked request turns into wire parameters.
//! The generated request types implement [`Operation`].

use std::borrow::Cow;

use crate::charset::Charset;
use crate::validation::{FieldSpec, ValidationErrors};

/// An HTTP method the server accepts for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Parameters in the query string.
    Get,
    /// Parameters as an `application/x-www-form-urlencoded` body.
    Post,
}

/// Whether an operation changes state on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Safe to repeat: goods list, goods info, coupon status.
    Read,
    /// Issues, cancels or sends something: repeat only with the same request.
    Write,
}

/// A checked request for one operation (implemented by the generated requests).
pub trait Operation: std::fmt::Debug + Send + Sync {
    /// The spec's name of the operation, e.g. `"coupon_send"`.
    const NAME: &'static str;
    /// Path under the environment's base URL, e.g. `"coufunSend.do"`.
    const PATH: &'static str;
    /// Methods the server accepts, the preferred first.
    const METHODS: &'static [Method];
    /// Read or write.
    const EFFECT: Effect;
    /// The request fields as the spec describes them, in wire order.
    const FIELDS: &'static [FieldSpec];

    /// The parameters in wire order, values as they go on the wire before charset
    /// encoding. The client adds `POC_ID`; it is not among them.
    fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)>;

    /// The TR_ID when the operation is deduplicated on one (send, create).
    fn idempotency_key(&self) -> Option<&str>;

    /// Parses raw wire parameters (as the server receives them) with the same
    /// checks as the builder; every violation answers the code the server would.
    fn from_wire(params: &[(String, String)], charset: Charset) -> Result<Self, ValidationErrors>
    where
        Self: Sized;
}
