//! The [`Receiver`]: checks the caller's IP, parses the notice, deduplicates it
//! through a [`NoticeStore`], calls the application's handler once, and answers
//! COUFUN's XML — as a plain async function ([`Receiver::process`]) and as an axum
//! [`Router`] ([`Receiver::router`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use coufun_api::notice::{CouponNumber, NoticeAnswer, NoticeAnswerCode, NoticeError, NoticeParser};

use crate::handler::{HandlerError, NoticeHandler};
use crate::store::{Claim, Claimed, NoticeStore, StoreError};

/// The `Content-Type` of every answer.
pub const ANSWER_CONTENT_TYPE: &str = "text/xml; charset=EUC-KR";

/// The addresses allowed to send notices (COUFUN's servers). Others are answered `01`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList {
    any: bool,
    ips: Vec<IpAddr>,
}

impl AllowList {
    /// Only `ips` (an IPv4-mapped IPv6 peer matches its IPv4 address).
    pub fn only(ips: impl IntoIterator<Item = IpAddr>) -> Self {
        AllowList {
            any: false,
            ips: ips.into_iter().map(canonical).collect(),
        }
    }

    /// Every address: only when something in front of the receiver filters callers.
    pub fn any() -> Self {
        AllowList {
            any: true,
            ips: Vec::new(),
        }
    }

    /// Whether `ip` may send notices.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.any || self.ips.contains(&canonical(ip))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// How a notice already processed is answered. Either stops COUFUN's retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DuplicateAnswer {
    /// `00`, with the `EXCHANGE_ID` of the first processing (the default).
    #[default]
    Done,
    /// `04` (duplicate), with the same `EXCHANGE_ID`.
    Duplicate,
}

/// What the receiver did with one delivery.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// New notice: the handler ran and its record was committed.
    Processed {
        /// The `EXCHANGE_ID` answered.
        exchange_id: String,
    },
    /// Already processed: the handler was not called.
    Duplicate {
        /// The `EXCHANGE_ID` of the first processing, answered again.
        exchange_id: String,
    },
    /// The caller's address is not on the allow list (or unknown): `01`.
    RefusedPeer {
        /// The peer, when known.
        peer: Option<IpAddr>,
    },
    /// The notice could not be read: `99`, nothing recorded.
    Rejected(NoticeError),
    /// The body is over the cap: `99`, nothing recorded.
    Oversized {
        /// The cap in bytes.
        limit: usize,
    },
    /// The handler failed: `99` (or `03`), nothing recorded.
    HandlerFailed(HandlerError),
    /// The store failed: `99`, nothing recorded.
    StoreFailed(StoreError),
}

/// The answer to one delivery and what led to it.
#[derive(Debug)]
pub struct Delivery {
    /// What goes back to COUFUN.
    pub answer: NoticeAnswer,
    /// What happened.
    pub outcome: Outcome,
}

struct Inner<S, H> {
    store: S,
    handler: H,
    allow: AllowList,
    duplicate: DuplicateAnswer,
    parser: NoticeParser,
}

/// Receives exchange notices: see the [crate] documentation.
pub struct Receiver<S, H> {
    inner: Arc<Inner<S, H>>,
}

impl<S, H> Clone for Receiver<S, H> {
    fn clone(&self) -> Self {
        Receiver {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S, H> std::fmt::Debug for Receiver<S, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("allow", &self.inner.allow)
            .field("duplicate", &self.inner.duplicate)
            .field("parser", &self.inner.parser)
            .finish_non_exhaustive()
    }
}

type TxOf<S> = <<S as NoticeStore>::Claim as Claim>::Tx;

impl<S, H> Receiver<S, H>
where
    S: NoticeStore,
    H: NoticeHandler<TxOf<S>>,
{
    /// A receiver recording in `store`, calling `handler` once per new notice,
    /// accepting callers in `allow`. Duplicates are answered `00`; the parser is
    /// [`NoticeParser::new`] (EUC-KR or UTF-8, 8 KiB cap, unknown states refused).
    pub fn new(store: S, handler: H, allow: AllowList) -> Self {
        Receiver {
            inner: Arc::new(Inner {
                store,
                handler,
                allow,
                duplicate: DuplicateAnswer::Done,
                parser: NoticeParser::new(),
            }),
        }
    }

    fn with(self, f: impl FnOnce(&mut Inner<S, H>)) -> Self {
        match Arc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                f(&mut inner);
                Receiver {
                    inner: Arc::new(inner),
                }
            }
            // Already shared (cloned): settings are fixed once shared.
            Err(inner) => Receiver { inner },
        }
    }

    /// How duplicates are answered (call before cloning the receiver).
    pub fn duplicate_answer(self, answer: DuplicateAnswer) -> Self {
        self.with(|i| i.duplicate = answer)
    }

    /// The parser (size cap, UTF-8, unknown states; call before cloning).
    pub fn parser(self, parser: NoticeParser) -> Self {
        self.with(|i| i.parser = parser)
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.inner.store
    }

    /// Handles one delivery from `peer` (`None`: unknown, refused) whose body is
    /// `body`, sent with `content_type`.
    pub async fn process(
        &self,
        peer: Option<IpAddr>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Delivery {
        if !peer.is_some_and(|ip| self.inner.allow.allows(ip)) {
            return self.refuse_peer(peer);
        }
        let notice = match self.inner.parser.parse(body, content_type) {
            Ok(notice) => notice,
            Err(e) => {
                tracing::warn!(error = %e, "exchange notice rejected: answering 99, nothing recorded");
                return answer(NoticeAnswerCode::Other, None, Outcome::Rejected(e));
            }
        };
        let coupon = coufun_api::notice::mask(notice.coupon_number.as_str()).to_string();
        let exchange_id = ulid::Ulid::generate().to_string();
        let mut claim = match self.inner.store.claim(&notice, &exchange_id).await {
            Ok(Claimed::New(claim)) => claim,
            Ok(Claimed::Processed { exchange_id }) => {
                tracing::info!(
                    coupon = %coupon, approval = %notice.approval_number, state = %coufun_api::notice::reported_wire(&notice.state),
                    exchange_id = %exchange_id, "duplicate exchange notice absorbed"
                );
                let code = match self.inner.duplicate {
                    DuplicateAnswer::Done => NoticeAnswerCode::Done,
                    DuplicateAnswer::Duplicate => NoticeAnswerCode::Duplicate,
                };
                let outcome_id = exchange_id.clone();
                return answer(
                    code,
                    Some(exchange_id),
                    Outcome::Duplicate {
                        exchange_id: outcome_id,
                    },
                );
            }
            Err(e) => return store_failed(e, &notice.coupon_number),
        };
        if let Err(e) = self.inner.handler.handle(claim.tx(), &notice).await {
            drop(claim);
            let secret = notice.coupon_number.as_str();
            let why =
                coufun_api::redact::redact(&coufun_api::ErrorChain(&e).to_string(), &[secret]);
            tracing::warn!(coupon = %coupon, error = %why, "exchange notice handler failed: nothing recorded");
            let code = match e {
                HandlerError::NoSuchCoupon => NoticeAnswerCode::NoSuchCoupon,
                _ => NoticeAnswerCode::Other,
            };
            return answer(code, None, Outcome::HandlerFailed(e));
        }
        if let Err(e) = claim.commit().await {
            return store_failed(e, &notice.coupon_number);
        }
        tracing::info!(
            coupon = %coupon, approval = %notice.approval_number, state = %coufun_api::notice::reported_wire(&notice.state),
            exchange_id = %exchange_id, "exchange notice processed"
        );
        let outcome_id = exchange_id.clone();
        answer(
            NoticeAnswerCode::Done,
            Some(exchange_id),
            Outcome::Processed {
                exchange_id: outcome_id,
            },
        )
    }

    fn refuse_peer(&self, peer: Option<IpAddr>) -> Delivery {
        match peer {
            Some(ip) => {
                tracing::warn!(peer = %ip, "exchange notice from an address not on the allow list: answering 01")
            }
            None => tracing::error!(
                "exchange notice without a peer address: serve the app with \
                 `into_make_service_with_connect_info::<SocketAddr>()`; answering 01"
            ),
        }
        answer(
            NoticeAnswerCode::IpNotRegistered,
            None,
            Outcome::RefusedPeer { peer },
        )
    }

    /// An axum router answering `POST /` (nest it where COUFUN posts, e.g.
    /// `Router::new().nest("/coufun/exchange", receiver.router())`: the URL to
    /// register is then `https://your.host/coufun/exchange`). The peer
    /// address comes from axum's [`ConnectInfo<SocketAddr>`]: serve the app with
    /// `into_make_service_with_connect_info::<SocketAddr>()`, or every notice is
    /// answered `01`. The router is a tower `Service` like any other.
    pub fn router(self) -> Router {
        Router::new()
            .route("/", post(receive::<S, H>))
            .with_state(self)
    }
}

async fn receive<S, H>(State(receiver): State<Receiver<S, H>>, request: Request) -> Response
where
    S: NoticeStore,
    H: NoticeHandler<TxOf<S>>,
{
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if !peer.is_some_and(|ip| receiver.inner.allow.allows(ip)) {
        return respond(receiver.refuse_peer(peer));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limit = receiver.inner.parser.body_limit();
    let body = match axum::body::to_bytes(request.into_body(), limit).await {
        Ok(body) => body,
        Err(_) => {
            tracing::warn!(
                limit,
                "exchange notice body over the cap (or cut short): answering 99, nothing recorded"
            );
            return respond(answer(
                NoticeAnswerCode::Other,
                None,
                Outcome::Oversized { limit },
            ));
        }
    };
    respond(receiver.process(peer, content_type.as_deref(), &body).await)
}

fn respond(delivery: Delivery) -> Response {
    let mut response = (StatusCode::OK, Body::from(delivery.answer.encode())).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ANSWER_CONTENT_TYPE),
    );
    response
}

fn answer(code: NoticeAnswerCode, exchange_id: Option<String>, outcome: Outcome) -> Delivery {
    let base = NoticeAnswer::new(code);
    // A ULID is 26 ASCII letters and digits: always a valid EXCHANGE_ID.
    let answer = match exchange_id {
        Some(id) => base.clone().with_exchange_id(id).unwrap_or(base),
        None => base,
    };
    Delivery { answer, outcome }
}

fn store_failed(e: StoreError, coupon: &CouponNumber) -> Delivery {
    let why =
        coufun_api::redact::redact(&coufun_api::ErrorChain(&e).to_string(), &[coupon.as_str()]);
    tracing::error!(coupon = %coupon, error = %why, "exchange notice store failed: answering 99");
    answer(NoticeAnswerCode::Other, None, Outcome::StoreFailed(e))
}
