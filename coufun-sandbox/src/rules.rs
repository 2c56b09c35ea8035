//! The server's own rules, the ones no field validator can know: who may call,
//! what is on sale, what was issued, and each coupon's life (the manual's codes
//! 01–05, 08, 09, 10, 12, 16–18, 20, 23, 27–31, 95, 98). Each request arrives
//! typed: the generated [`AnyRequest`] of its operation, parsed by the generated
//! `from_wire` (every field limit checked there, from the spec's constants), so
//! the rules read fields through the request's accessors, never by name. The
//! checks every operation shares (access, TR_ID, repeats) run on any request;
//! then one function per operation (a resend and an image send share theirs)
//! answers the generated answer type; and the redemption a shop makes (admin route).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use coufun_api::responses::{
    ChangeRecipientResponse, CouponCancelResponse, CouponImageSendResponse, CouponResendResponse,
};
use coufun_api::xml::{CalendarDate, Phone};
use coufun_api::{
    AnyRequest, AnyResponse, ChangeRecipientRequest, Charset, CouponCreateRequest, CouponNumber,
    CouponSendRequest, CouponStatus, ExtraInput, GoodsId, OperationId, Quantity, ResultCode,
    ValidityDate,
};
use jiff::civil::Date;
use rand::{RngExt, SeedableRng, rngs::StdRng};

use crate::bridge::{self, Answer};
use crate::catalogue::Goods;
use crate::config::{PocAccount, SandboxConfig};
use crate::ledger::{Coupon, Ledger, Order};
use crate::notices::{NoticeSender, NoticeSenderConfig, SenderBuildError};
use crate::redemption::{self, Event, RedeemAction, RedeemError, Redemption};

/// Everything the server remembers between requests.
#[derive(Debug)]
pub(crate) struct State {
    pub config: SandboxConfig,
    pub ledger: Ledger,
    goods_list_counts: HashMap<(String, Date), u32>,
    last_write: HashMap<String, LastWrite>,
    next_order: u64,
    next_approval: u64,
    rng: StdRng,
    /// Sends a notice for each redemption (when the config names a merchant URL).
    pub notices: Option<Arc<NoticeSender>>,
}

type Verdict<T> = Result<T, ResultCode>;

/// An account's last write: operation, sorted parameters, when.
type LastWrite = (OperationId, Vec<(String, String)>, Instant);

/// Reads and checks the raw parameters as a request of `op` with the generated
/// `from_wire`; `Err` carries the code to answer (the first violation's, in
/// wire order).
fn parse(op: OperationId, params: &[(String, String)], charset: Charset) -> Verdict<AnyRequest> {
    AnyRequest::from_wire(op, params, charset).map_err(|errors| {
        // The errors name the field, the limit and the measured size, never a value.
        let first = errors.first();
        tracing::info!(
            operation = %op,
            code = errors.code().as_str(),
            field = first.wire_name(),
            violations = errors.len(),
            "refused: {first}"
        );
        errors.code()
    })
}

/// A checked validity date as a civil date.
fn civil(date: &ValidityDate) -> Option<Date> {
    let date = CalendarDate::parse_ymd(date.as_str())?;
    Date::new(
        i16::try_from(date.year()).ok()?,
        i8::try_from(date.month()).ok()?,
        i8::try_from(date.day()).ok()?,
    )
    .ok()
}

/// What an issuing request (send or create) asks for, read from its typed request.
struct IssueAsk<'a> {
    tr_id: &'a str,
    goods_id: &'a GoodsId,
    /// Coupons per recipient.
    quantity: u64,
    /// One entry per recipient; a create has one recipient-less entry.
    recipients: Vec<Option<String>>,
    valid_from: Option<&'a ValidityDate>,
    valid_until: Option<&'a ValidityDate>,
    /// `RESERVE1`, `RESERVE2`: echoed by the create answer.
    reserves: [Option<&'a ExtraInput>; 2],
}

impl<'a> IssueAsk<'a> {
    fn send(request: &'a CouponSendRequest) -> Self {
        IssueAsk {
            tr_id: request.tr_id().as_str(),
            goods_id: request.goods_id(),
            // absent: the fewest coupons the kind allows, per recipient
            quantity: request.quantity().map_or(Quantity::MIN, |q| q.get()),
            recipients: request
                .recipients()
                .iter()
                .map(|r| Some(r.as_str().to_owned()))
                .collect(),
            valid_from: request.valid_from(),
            valid_until: request.valid_until(),
            reserves: [request.reserve1(), request.reserve2()],
        }
    }

    fn create(request: &'a CouponCreateRequest) -> Self {
        IssueAsk {
            tr_id: request.tr_id().as_str(),
            goods_id: request.goods_id(),
            quantity: request.quantity().get(),
            recipients: vec![None],
            valid_from: None,
            valid_until: None,
            reserves: [request.reserve1(), request.reserve2()],
        }
    }
}

impl State {
    pub fn new(config: SandboxConfig) -> Self {
        let rng = StdRng::seed_from_u64(config.seed);
        State {
            config,
            ledger: Ledger::default(),
            goods_list_counts: HashMap::new(),
            last_write: HashMap::new(),
            next_order: 1,
            next_approval: 1,
            rng,
            notices: None,
        }
    }

    /// Starts the notice sender the config asks for (needs a Tokio runtime).
    pub fn start_notices(&mut self) -> Result<(), SenderBuildError> {
        match self.config.notices.clone() {
            Some(config) => self.replace_notices(config),
            None => Ok(()),
        }
    }

    /// Sends notices as `config` says from now on: a new sender in place of
    /// the one running, if any, which is stopped (its deliveries still pending
    /// end). Nothing changes when the new one cannot be built.
    pub fn replace_notices(&mut self, config: NoticeSenderConfig) -> Result<(), SenderBuildError> {
        let sender = Arc::new(NoticeSender::new(config)?);
        if let Some(replaced) = self.notices.replace(sender) {
            replaced.shutdown();
        }
        Ok(())
    }

    /// A copy of the ledger, with the notice deliveries so far.
    pub fn ledger_snapshot(&self) -> Ledger {
        let mut ledger = self.ledger.clone();
        if let Some(sender) = &self.notices {
            ledger.notices = sender.log();
        }
        ledger
    }

    fn today(&self) -> Date {
        self.config.clock.today()
    }

    /// The access checks (01, 02, 05, 98): the caller's address, its
    /// `POC_ID`, its integration period and the operations it may call.
    fn admit(
        &self,
        op: OperationId,
        peer: IpAddr,
        params: &[(String, String)],
    ) -> Verdict<PocAccount> {
        let allowed = if self.config.allowed_ips.is_empty() {
            peer.is_loopback()
        } else {
            self.config.allowed_ips.contains(&peer)
        };
        if !allowed {
            return Err(ResultCode::IpNotRegistered);
        }
        let poc_wire = coufun_api::responses::POC_ID_PARAM;
        let poc_id = params
            .iter()
            .find(|(n, _)| n == poc_wire)
            .map(|(_, v)| v.as_str());
        let account = poc_id
            .and_then(|id| self.config.accounts.iter().find(|a| a.poc_id == id))
            .ok_or(ResultCode::InvalidPocId)?;
        if account.integration_end < self.today() {
            return Err(ResultCode::IntegrationPeriodEnded);
        }
        if !account.may_call(op) {
            return Err(ResultCode::ApiNotPermitted);
        }
        Ok(account.clone())
    }

    /// Answers one request, committing what it changes: the access checks,
    /// the request's own checks, a TR_ID already issued (12), a repeat (23),
    /// then the rules of its operation.
    pub fn answer(&mut self, op: OperationId, peer: IpAddr, params: &[(String, String)]) -> Answer {
        let account = self.admit(op, peer, params)?;
        let request = parse(op, params, self.config.charset)?;
        if let Some(tr_id) = request.idempotency_key()
            && self
                .ledger
                .order_by_tr_id_for(&account.poc_id, tr_id)
                .is_some()
        {
            return Err(ResultCode::DuplicateTrId);
        }
        self.not_repeated(op, &account, params)?;
        // No wildcard arm: an operation the spec gains fails to compile here.
        match request {
            AnyRequest::GoodsList(_) => self.goods_list(&account),
            AnyRequest::CouponSend(r) => self.issue(op, &account, &IssueAsk::send(&r)),
            AnyRequest::CouponCreate(r) => self.issue(op, &account, &IssueAsk::create(&r)),
            AnyRequest::CouponStatus(r) => {
                let (coupon, ordered_on) =
                    self.target(&account, r.goods_id(), r.coupon_number())?;
                Ok(bridge::status(&coupon, ordered_on))
            }
            AnyRequest::CouponCancel(r) => self.cancel(&account, r.goods_id(), r.coupon_number()),
            AnyRequest::CouponResend(r) => {
                self.send_again(&account, r.goods_id(), r.coupon_number(), None)
            }
            AnyRequest::ChangeRecipient(r) => self.change_recipient(&account, &r),
            AnyRequest::CouponImageSend(r) => {
                let to_another = r.recipient().is_some();
                self.send_again(&account, r.goods_id(), r.coupon_number(), Some(to_another))
            }
        }
    }

    /// 23: the same write request as this account's last one, within the window.
    fn not_repeated(
        &mut self,
        op: OperationId,
        account: &PocAccount,
        params: &[(String, String)],
    ) -> Verdict<()> {
        let window = self.config.duplicate_window;
        if window.is_zero() || !op.spec().may_answer(ResultCode::DuplicateRequest) {
            return Ok(());
        }
        let mut sorted = params.to_vec();
        sorted.sort();
        let now = Instant::now();
        let repeated = self
            .last_write
            .get(&account.poc_id)
            .is_some_and(|(last_op, last, at)| {
                *last_op == op && last == &sorted && now.duration_since(*at) < window
            });
        self.last_write
            .insert(account.poc_id.clone(), (op, sorted, now));
        if repeated {
            Err(ResultCode::DuplicateRequest)
        } else {
            Ok(())
        }
    }

    fn goods_list(&mut self, account: &PocAccount) -> Verdict<AnyResponse> {
        let key = (account.poc_id.clone(), self.today());
        let count = self.goods_list_counts.entry(key).or_insert(0);
        *count += 1;
        if *count > self.config.goods_list_daily_limit {
            return Err(ResultCode::GoodsListDailyLimitExceeded);
        }
        let goods = self.config.catalogue.goods.iter();
        Ok(bridge::goods_list(goods.filter(|g| !g.discontinued)))
    }

    /// 10, 31, 30: the goods exists, is still a sale goods id, and is on sale today.
    fn goods_on_sale(&self, goods_id: &GoodsId) -> Verdict<Goods> {
        let goods = self
            .config
            .catalogue
            .get(goods_id.as_str())
            .ok_or(ResultCode::InvalidGoods)?;
        if goods.discontinued {
            return Err(ResultCode::InvalidSaleGoodsId);
        }
        let today = self.today();
        if today < goods.sale_start || goods.sale_end < today {
            return Err(ResultCode::GoodsNotOnSale);
        }
        Ok(goods.clone())
    }

    fn issue(
        &mut self,
        op: OperationId,
        account: &PocAccount,
        ask: &IssueAsk<'_>,
    ) -> Verdict<AnyResponse> {
        let goods = self.goods_on_sale(ask.goods_id)?;
        let today = self.today();
        let valid_from = ask.valid_from.and_then(civil);
        let valid_until = ask.valid_until.and_then(civil);
        if valid_from.is_some() || valid_until.is_some() {
            if !goods.validity_changeable {
                return Err(ResultCode::ValidityNotChangeable);
            }
            if valid_from.is_some_and(|d| d < today) {
                return Err(ResultCode::InvalidValidityStartDate);
            }
            if valid_until.is_some_and(|d| d < today) {
                return Err(ResultCode::InvalidValidityEndDate);
            }
        }
        // The quantity and the recipients were checked against the spec's
        // limits (the quantity kind's MIN/MAX, the recipient list's maximum) by
        // the request's `from_wire`: nothing is left to check here.
        let quantity = ask.quantity;
        let recipients = &ask.recipients;
        if recipients.is_empty() {
            return Err(ResultCode::InvalidRecipientNumber);
        }
        let count = quantity.saturating_mul(recipients.len() as u64);
        if self.ledger.issued_by(&account.poc_id).saturating_add(count) > account.issue_limit {
            return Err(ResultCode::IssueLimitExceeded);
        }
        // More days than a span holds (the catalogue's number) run to the
        // calendar's end, as a span past it does.
        let valid_until = valid_until.unwrap_or_else(|| {
            jiff::Span::new()
                .try_days(i64::from(goods.valid_days))
                .map_or(jiff::civil::Date::MAX, |days| today.saturating_add(days))
                .saturating_sub(jiff::Span::new().days(1))
        });
        let sent = u32::from(op == OperationId::CouponSend);
        let face_value = goods.face_value();
        let mut coupons = Vec::new();
        for recipient in recipients {
            for _ in 0..quantity {
                coupons.push(Coupon {
                    coupon_number: self.new_coupon_number(),
                    goods_id: goods.goods_id.clone(),
                    kind: goods.coupon_type,
                    recipient: recipient.clone(),
                    state: CouponStatus::Unused,
                    expired: false,
                    send_count: sent,
                    resend_count: 0,
                    valid_until,
                    total_amount: face_value,
                    remaining_amount: face_value,
                    exchanged_at: None,
                    cancelled_at: None,
                });
            }
        }
        let order = Order {
            order_id: format!("{}{:06}", today.strftime("%Y%m%d"), self.next_order),
            tr_id: ask.tr_id.to_owned(),
            operation: op,
            goods_id: goods.goods_id.clone(),
            issued_on: today,
            coupons,
            poc_id: account.poc_id.clone(),
        };
        self.next_order += 1;
        let reserves = ask.reserves.map(|r| r.map(|r| r.as_str().to_owned()));
        let answer = bridge::issued(&order, &goods, valid_until, reserves);
        self.ledger.push(order);
        Ok(answer)
    }

    fn new_coupon_number(&mut self) -> String {
        loop {
            let n: u64 = self.rng.random_range(100_000_000_000..1_000_000_000_000);
            let number = n.to_string();
            if self.ledger.coupon(&number).is_none() {
                return number;
            }
        }
    }

    /// Whether a coupon is expired today: marked so, or unused past its last day.
    fn is_expired(&self, coupon: &Coupon) -> bool {
        coupon.expired
            || (coupon.state == CouponStatus::Unused && coupon.valid_until < self.today())
    }

    /// The coupon named by `GOODS_ID` + `BARCODE_NUM` for this account (10, 16),
    /// and the day its order was issued.
    fn target(
        &self,
        account: &PocAccount,
        goods_id: &GoodsId,
        number: &CouponNumber,
    ) -> Verdict<(Coupon, Date)> {
        let goods_id = goods_id.as_str();
        if self.config.catalogue.get(goods_id).is_none() {
            return Err(ResultCode::InvalidGoods);
        }
        let (order, coupon) = self
            .ledger
            .coupon_for(&account.poc_id, goods_id, number.as_str())
            .ok_or(ResultCode::InvalidCouponNumber)?;
        Ok((coupon.clone(), order.issued_on))
    }

    /// The [`target`](Self::target) of a write, if it can still be sent or
    /// changed (17, 18, 04).
    fn usable(
        &self,
        account: &PocAccount,
        goods_id: &GoodsId,
        number: &CouponNumber,
    ) -> Verdict<Coupon> {
        let (coupon, _) = self.target(account, goods_id, number)?;
        match coupon.state {
            CouponStatus::Used => Err(ResultCode::CouponAlreadyUsed),
            CouponStatus::Cancelled => Err(ResultCode::CouponAlreadyCancelled),
            _ if self.is_expired(&coupon) => Err(ResultCode::CouponExpired),
            _ => Ok(coupon),
        }
    }

    /// Cancels one coupon; an `AMOUNT` voucher may be cancelled while a balance
    /// is left (its unused balance: the path is `coufunPartCancel.do`), an
    /// exchange voucher only while unused (17); a cancelled one answers 18.
    fn cancel(
        &mut self,
        account: &PocAccount,
        goods_id: &GoodsId,
        number: &CouponNumber,
    ) -> Verdict<AnyResponse> {
        let (coupon, _) = self.target(account, goods_id, number)?;
        match coupon.state {
            CouponStatus::Cancelled => return Err(ResultCode::CouponAlreadyCancelled),
            CouponStatus::Used if coupon.remaining_amount.unwrap_or(0) == 0 => {
                return Err(ResultCode::CouponAlreadyUsed);
            }
            _ => {}
        }
        let now = self.config.clock.now();
        if let Some(c) = self.ledger.coupon_mut(&coupon.coupon_number) {
            c.state = CouponStatus::Cancelled;
            c.cancelled_at = Some(now);
        }
        let coupon_number = Some(coupon.coupon_number.into());
        Ok(CouponCancelResponse {
            coupon_number,
            ..Default::default()
        }
        .into())
    }

    /// Sends a usable coupon once more, a resend (`image` `None`) or an image
    /// send (`Some(to_another)`), to another number when an image send names
    /// one, else to its own recipient (which a created coupon lacks: 16), while
    /// its resends stay under the limit (20); the answer carries its sendings so far.
    fn send_again(
        &mut self,
        account: &PocAccount,
        goods_id: &GoodsId,
        number: &CouponNumber,
        image: Option<bool>,
    ) -> Verdict<AnyResponse> {
        let coupon = self.usable(account, goods_id, number)?;
        if image != Some(true) && coupon.recipient.is_none() {
            return Err(ResultCode::InvalidCouponNumber);
        }
        if coupon.resend_count >= self.config.max_resends_per_coupon {
            return Err(ResultCode::ResendLimitExceeded);
        }
        let number = coupon.coupon_number;
        let send_count = self.ledger.coupon_mut(&number).map_or(0, |coupon| {
            coupon.send_count += 1;
            coupon.resend_count += 1;
            coupon.send_count
        });
        let (coupon_number, send_count) = (Some(number.into()), Some(i64::from(send_count)));
        Ok(match image {
            None => CouponResendResponse {
                coupon_number,
                send_count,
                ..Default::default()
            }
            .into(),
            Some(_) => CouponImageSendResponse {
                coupon_number,
                send_count,
                ..Default::default()
            }
            .into(),
        })
    }

    fn change_recipient(
        &mut self,
        account: &PocAccount,
        request: &ChangeRecipientRequest,
    ) -> Verdict<AnyResponse> {
        let coupon = self.usable(account, request.goods_id(), request.coupon_number())?;
        let number = coupon.coupon_number;
        let recipient = request.recipient().as_str().to_owned();
        if let Some(coupon) = self.ledger.coupon_mut(&number) {
            coupon.recipient = Some(recipient.clone());
        }
        Ok(ChangeRecipientResponse {
            coupon_number: Some(number.into()),
            recipient: Some(Phone::new(recipient)),
            ..Default::default()
        }
        .into())
    }

    /// A shop uses coupon `number` (or cancels a use): the one place every
    /// redemption goes through. It records the [`Redemption`] in the ledger,
    /// queues its exchange notice (when notices are configured) and returns it.
    pub fn redeem(
        &mut self,
        number: &str,
        action: RedeemAction,
    ) -> Result<Redemption, RedeemError> {
        let no_such = || RedeemError::NoSuchCoupon(CouponNumber::reported(number));
        let (_, c) = self.ledger.coupon(number).ok_or_else(no_such)?;
        if c.state == CouponStatus::Unused && c.valid_until < self.today() {
            return Err(RedeemError::Expired(CouponNumber::reported(number)));
        }
        let price = self
            .config
            .catalogue
            .get(&c.goods_id)
            .map_or(0, |g| g.price);
        let event = Event {
            approval_number: format!("SBX{:012}", self.next_approval),
            branch: self.config.branch.clone(),
            at: self.config.clock.now(),
        };
        let coupon = self.ledger.coupon_mut(number).ok_or_else(no_such)?;
        let redemption = redemption::apply(coupon, price, action, event)?;
        self.next_approval += 1;
        self.ledger.redemptions.push(redemption.clone());
        if let Some(sender) = &self.notices {
            // A notice breaking a spec limit (a branch name too long for the
            // wire) is not sent; the redemption stands.
            let queued = redemption
                .to_notice()
                .and_then(|notice| sender.enqueue(notice).map_err(|e| e.0));
            if let Err(error) = queued {
                tracing::warn!(
                    approval_number = %redemption.approval_number,
                    %error,
                    "the exchange notice cannot be sent"
                );
            }
        }
        Ok(redemption)
    }

    /// Marks a coupon expired (admin route).
    pub fn mark_expired(&mut self, number: &str) -> Result<(), RedeemError> {
        let no_such = || RedeemError::NoSuchCoupon(CouponNumber::reported(number));
        self.ledger.coupon_mut(number).ok_or_else(no_such)?.expired = true;
        Ok(())
    }
}
