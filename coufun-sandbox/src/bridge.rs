//! The two seams between the sandbox and the generated SDK code: reading the raw
//! parameters of an operation (validated by the generated `from_wire`, the same
//! validators the SDK runs) and writing an operation's XML answer (the generated
//! response encoder). Nothing else in the sandbox knows a field rule or an XML shape.
//!
//! TEMPORARY: until the generated response types land, `encode` writes the
//! answer from the spec's response description.

use coufun_api::{
    ChangeRecipientRequest, Charset, CouponCancelRequest, CouponCreateRequest,
    CouponImageSendRequest, CouponResendRequest, CouponSendRequest, CouponStatusRequest,
    GoodsInfoRequest, GoodsListRequest, Lang, Operation, ResultCode, ValidationErrors,
};
use jiff::civil::Date;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::catalogue::Goods;
use crate::ledger::CouponState;
use crate::spec_view::{OpView, spec};
use crate::wire::charset_label;

/// The checked parameters of one request, read by spec field name.
#[derive(Debug)]
pub(crate) struct Fields {
    /// `(wire name, value)` as the checked request gives them back.
    values: Vec<(String, String)>,
    op: &'static OpView,
}

impl Fields {
    /// The value of field `name` (spec name), `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        let wire = &self.op.request_field(name)?.wire;
        self.values
            .iter()
            .find(|(w, _)| w == wire)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The items of list field `name`, split by its spec separator.
    pub fn list(&self, name: &str) -> Vec<String> {
        let separator = self
            .op
            .request_field(name)
            .and_then(|f| f.separator.clone())
            .unwrap_or_default();
        match (self.get(name), separator.is_empty()) {
            (None, _) => Vec::new(),
            (Some(v), true) => vec![v.to_owned()],
            (Some(v), false) => v
                .split(separator.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// The field as a date written `YYYYMMDD`.
    pub fn date(&self, name: &str) -> Option<Date> {
        let v = self.get(name)?;
        jiff::civil::Date::strptime("%Y%m%d", v).ok()
    }
}

/// Reads and checks the raw parameters of `op` with the generated `from_wire`;
/// `Err` carries the code to answer (the first violation's, in wire order).
pub(crate) fn parse(
    op: &'static OpView,
    params: &[(String, String)],
    charset: Charset,
) -> Result<Fields, ResultCode> {
    fn checked<O: Operation>(
        parsed: Result<O, ValidationErrors>,
    ) -> Result<Vec<(String, String)>, ResultCode> {
        let request = parsed.map_err(|errors| errors.code())?;
        Ok(request
            .wire_params()
            .into_iter()
            .map(|(wire, value)| (wire.to_owned(), value.into_owned()))
            .collect())
    }
    let values = match op.name.as_str() {
        GoodsListRequest::NAME => checked(GoodsListRequest::from_wire(params, charset)),
        GoodsInfoRequest::NAME => checked(GoodsInfoRequest::from_wire(params, charset)),
        CouponSendRequest::NAME => checked(CouponSendRequest::from_wire(params, charset)),
        CouponCreateRequest::NAME => checked(CouponCreateRequest::from_wire(params, charset)),
        CouponCancelRequest::NAME => checked(CouponCancelRequest::from_wire(params, charset)),
        CouponResendRequest::NAME => checked(CouponResendRequest::from_wire(params, charset)),
        ChangeRecipientRequest::NAME => checked(ChangeRecipientRequest::from_wire(params, charset)),
        CouponStatusRequest::NAME => checked(CouponStatusRequest::from_wire(params, charset)),
        CouponImageSendRequest::NAME => checked(CouponImageSendRequest::from_wire(params, charset)),
        // An operation the spec gained but the sandbox does not serve yet.
        _ => Err(ResultCode::ApiNotPermitted),
    }?;
    Ok(Fields { values, op })
}

/// One coupon as an answer shows it.
#[derive(Debug, Clone)]
pub(crate) struct CouponView {
    pub coupon_number: String,
    pub recipient: Option<String>,
    pub state: CouponState,
    pub send_count: u32,
    pub valid_until: Date,
}

/// What a successful operation answers.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    GoodsList(Vec<Goods>),
    GoodsInfo(Goods),
    Issued {
        order_id: String,
        tr_id: String,
        coupons: Vec<CouponView>,
    },
    Cancelled {
        order_id: String,
        cancelled_count: u32,
    },
    Resent {
        order_id: String,
        send_count: u32,
    },
    RecipientChanged {
        order_id: String,
        coupon_number: String,
        recipient: String,
    },
    Status {
        order_id: String,
        tr_id: String,
        goods_id: String,
        coupons: Vec<CouponView>,
    },
    ImageSent {
        order_id: String,
        coupon_number: String,
        send_count: u32,
    },
}

/// The answer to one request: a code alone, or success with its data.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Code(ResultCode),
    Success(Outcome),
}

impl Answer {
    /// The result code this answer carries.
    pub fn code(&self) -> ResultCode {
        match self {
            Answer::Code(code) => *code,
            Answer::Success(_) => ResultCode::Success,
        }
    }
}

type Pairs = Vec<(&'static str, String)>;

fn ymd(date: Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

fn goods_pairs(g: &Goods) -> Pairs {
    vec![
        ("goods_id", g.goods_id.clone()),
        ("goods_name", g.name.clone()),
        ("category_id", g.category_id.clone()),
        ("category_name", g.category_name.clone()),
        ("brand", g.brand.clone()),
        ("price", g.price.to_string()),
        ("sale_start", ymd(g.sale_start)),
        ("sale_end", ymd(g.sale_end)),
        ("valid_days", g.valid_days.to_string()),
        ("description", g.description.clone()),
        ("image_url", g.image_url.clone()),
    ]
}

fn coupon_pairs(c: &CouponView) -> Pairs {
    vec![
        ("coupon_number", c.coupon_number.clone()),
        ("recipient", c.recipient.clone().unwrap_or_default()),
        ("status", status_wire(c.state)),
        ("send_count", c.send_count.to_string()),
        ("valid_until", ymd(c.valid_until)),
    ]
}

fn status_wire(state: CouponState) -> String {
    let Ok(spec) = coufun_codegen::embedded::spec() else {
        return String::new();
    };
    spec.endpoints
        .kinds
        .get("coupon_status")
        .and_then(|k| {
            k.values
                .iter()
                .find(|v| v.name.get_ref() == state.spec_name())
        })
        .map(|v| v.wire.get_ref().clone())
        .unwrap_or_default()
}

fn outcome_pairs(outcome: &Outcome) -> (Pairs, Vec<Pairs>) {
    match outcome {
        Outcome::GoodsList(goods) => (Vec::new(), goods.iter().map(goods_pairs).collect()),
        Outcome::GoodsInfo(g) => (goods_pairs(g), Vec::new()),
        Outcome::Issued {
            order_id,
            tr_id,
            coupons,
        } => (
            vec![("order_id", order_id.clone()), ("tr_id", tr_id.clone())],
            coupons.iter().map(coupon_pairs).collect(),
        ),
        Outcome::Cancelled {
            order_id,
            cancelled_count,
        } => (
            vec![
                ("order_id", order_id.clone()),
                ("cancelled_count", cancelled_count.to_string()),
            ],
            Vec::new(),
        ),
        Outcome::Resent {
            order_id,
            send_count,
        } => (
            vec![
                ("order_id", order_id.clone()),
                ("send_count", send_count.to_string()),
            ],
            Vec::new(),
        ),
        Outcome::RecipientChanged {
            order_id,
            coupon_number,
            recipient,
        } => (
            vec![
                ("order_id", order_id.clone()),
                ("coupon_number", coupon_number.clone()),
                ("recipient", recipient.clone()),
            ],
            Vec::new(),
        ),
        Outcome::Status {
            order_id,
            tr_id,
            goods_id,
            coupons,
        } => (
            vec![
                ("order_id", order_id.clone()),
                ("tr_id", tr_id.clone()),
                ("goods_id", goods_id.clone()),
            ],
            coupons.iter().map(coupon_pairs).collect(),
        ),
        Outcome::ImageSent {
            order_id,
            coupon_number,
            send_count,
        } => (
            vec![
                ("order_id", order_id.clone()),
                ("coupon_number", coupon_number.clone()),
                ("send_count", send_count.to_string()),
            ],
            Vec::new(),
        ),
    }
}

/// Writes the XML answer of `op` (prolog declaring `charset`, text not yet encoded).
pub(crate) fn encode(op: &OpView, answer: &Answer, charset: Charset) -> String {
    let Ok(view) = spec() else {
        return String::new();
    };
    let code = answer.code();
    let (scalars, records) = match answer {
        Answer::Success(outcome) => outcome_pairs(outcome),
        Answer::Code(_) => (Vec::new(), Vec::new()),
    };
    let mut writer = Writer::new(Vec::new());
    let mut events = vec![
        Event::Decl(BytesDecl::new("1.0", Some(charset_label(charset)), None)),
        Event::Start(BytesStart::new(view.root.as_str())),
    ];
    let element = |events: &mut Vec<Event<'static>>, name: &str, value: &str| {
        events.push(Event::Start(BytesStart::new(name.to_owned())));
        events.push(Event::Text(BytesText::new(value).into_owned()));
        events.push(Event::End(BytesEnd::new(name.to_owned())));
    };
    element(&mut events, &view.result_code, code.as_str());
    element(&mut events, &view.result_message, code.message(Lang::Ko));
    if code.is_success() {
        for (name, wire) in &op.response {
            if let Some((_, value)) = scalars.iter().find(|(n, _)| n == name) {
                element(&mut events, wire, value);
            }
        }
        if let Some((record, fields)) = &op.records {
            for pairs in &records {
                events.push(Event::Start(BytesStart::new(record.clone())));
                for (name, wire) in fields {
                    if let Some((_, value)) = pairs.iter().find(|(n, _)| n == name) {
                        element(&mut events, wire, value);
                    }
                }
                events.push(Event::End(BytesEnd::new(record.clone())));
            }
        }
    }
    events.push(Event::End(BytesEnd::new(view.root.as_str())));
    for event in events {
        if writer.write_event(event).is_err() {
            return String::new();
        }
    }
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}
