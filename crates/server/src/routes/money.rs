//! Moving money: balance, top-ups, withdrawals, payees, transfers, paying scanned codes, receive
//! and payment codes, records, the month's summary, the CSV export and the inbox (with its live
//! stream). Every POST that moves money goes through [`idempotent`].

use crate::ApiError;
use crate::auth::CurrentHolder;
use crate::extract::ApiJson;
use crate::startup::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{
    Balance, BalanceList, MoneyReply, NotificationBody, NotificationPage, PayPreview, PayReply,
    PayRequest, PayeeBody, PaymentCodeBody, Problem, ReceiveCode, SummaryBody, SummaryCategory,
    TopupRequest, TransactionBody, TransactionPage, TransferRequest, WithdrawalRequest,
};
use qianbao_wallet::domain::display_text;
use qianbao_wallet::money::moves::{Delay, PayeeRef};
use qianbao_wallet::money::payload::Payload;
use qianbao_wallet::money::records::{MovementFilter, MovementRecord, NotificationRecord};
use qianbao_wallet::money::{
    Done, IdempotencyKey, MoneyError, PinRead, Precheck, Render, Reply, amount, currency,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The longest `Idempotency-Key` accepted.
const KEY_LEN_MAX: usize = 255;

/// The `Idempotency-Key` header of a money call, as the document describes it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Same on every retry of one payment: 1–255 printable ASCII characters, not starting or
    /// ending with a space (HTTP drops those).
    #[serde(rename = "Idempotency-Key")]
    #[param(
        min_length = 1,
        max_length = 255,
        pattern = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"
    )]
    #[allow(dead_code)]
    pub idempotency_key: String,
}

/// A time bound of the records' filters: an RFC 3339 time or a day (`YYYY-MM-DD`, China time).
pub struct TimeBound;

impl utoipa::PartialSchema for TimeBound {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::DateTime))
            .item(string(KnownFormat::Date))
            .description(Some(
                "An RFC 3339 time (`2026-12-01T08:00:00Z`) or a day in China time (`2026-12-01`).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for TimeBound {}

/// Reads the `Idempotency-Key` of a money call by `caller` and digests the request, so a retry
/// can be told from a reuse. The digest is keyed (HMAC under the master key's blind-index key):
/// the request carries the payment password, and everything else in it is stored or guessable,
/// so a plain hash would give the six digits away to anyone who reads the database.
pub(crate) fn idempotency_key(
    state: &AppState,
    headers: &HeaderMap,
    caller: String,
    route: &str,
    body: &impl Serialize,
) -> Result<IdempotencyKey, ApiError> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "Money calls need an Idempotency-Key header (1–255 printable characters), the \
                 same on every retry of one payment.",
            )
        })?
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= KEY_LEN_MAX && k.bytes().all(|b| (0x20..0x7f).contains(&b))
        })
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_invalid",
                "The Idempotency-Key must be 1–255 printable ASCII characters.",
            )
            .field("Idempotency-Key")
        })?;
    let canonical = serde_json::to_string(body).unwrap_or_default();
    Ok(IdempotencyKey {
        caller,
        key: key.to_string(),
        digest: qianbao_secrets::field::blind_index(
            &state.opening.keys,
            "idempotency-request",
            &format!("{route}\n{canonical}"),
        ),
    })
}

/// A query string of the expected shape. A malformed one (a missing or repeated field, text where
/// a number belongs) is 422 `invalid_request` as problem+json, like a malformed body, rather than
/// axum's plain-text 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!(
                    "The query string does not have the expected fields: {}",
                    rejection.body_text()
                ),
            )),
        }
    }
}

/// A stored reply, sent again exactly.
fn replayed(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    let mut response = (status, reply.body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// A money call's work, boxed so its `Send` is checked where it is written.
pub(crate) type Work<T> =
    std::pin::Pin<Box<dyn Future<Output = Result<T, MoneyError>> + Send + 'static>>;

/// Whether a refusal is the call's answer (kept with its key) rather than a passing failure
/// that a retry may get past.
fn is_answer(e: &MoneyError) -> bool {
    !matches!(
        e,
        MoneyError::Store(_)
            | MoneyError::Internal(_)
            | MoneyError::Maintenance { .. }
            | MoneyError::IdempotencyConflict
            | MoneyError::IdempotencyInProgress
            | MoneyError::BankUnavailable
            | MoneyError::Replay(_)
    )
}

/// Runs a money call under its idempotency key: a finished key replays its first reply; a new
/// one runs `work`, whose transaction stores the reply `body_of` makes; a refusal is stored too,
/// so a retry gets the same answer.
pub(crate) async fn idempotent<T: 'static>(
    state: &AppState,
    key: Result<IdempotencyKey, ApiError>,
    status: StatusCode,
    body: fn(T) -> String,
    work: impl FnOnce(Render<T>, IdempotencyKey) -> Work<T>,
) -> Response {
    checked(state, key, None, status, body, |render, key, _| {
        work(render, key)
    })
    .await
}

/// As [`idempotent`], for a call confirmed with the payment password `pin` of `holder_id`: the
/// one read before the call also reads the PIN's record, and `work` gets what it found for
/// [`qianbao_wallet::money::Money::check_pin_read`].
async fn idempotent_with_pin<T: 'static>(
    state: &AppState,
    key: Result<IdempotencyKey, ApiError>,
    pin: (&str, &str),
    status: StatusCode,
    body: fn(T) -> String,
    work: impl FnOnce(Render<T>, IdempotencyKey, PinRead) -> Work<T>,
) -> Response {
    checked(state, key, Some(pin), status, body, work).await
}

/// What [`idempotent`] and [`idempotent_with_pin`] share: the maintenance window, the key and the
/// PIN's record read in one read transaction, then the work, then a refusal kept with the key.
async fn checked<T: 'static>(
    state: &AppState,
    key: Result<IdempotencyKey, ApiError>,
    pin: Option<(&str, &str)>,
    status: StatusCode,
    body: fn(T) -> String,
    work: impl FnOnce(Render<T>, IdempotencyKey, PinRead) -> Work<T>,
) -> Response {
    let key = match key {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let money = &state.money;
    let pin_read = match money.precheck(&state.storage, &key, pin).await {
        Ok(Precheck::Replay(reply)) => return replayed(reply),
        Ok(Precheck::Proceed(pin_read)) => pin_read,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let render = Render {
        status: status.as_u16(),
        body,
    };
    match work(render, key.clone(), pin_read).await {
        Ok(done) => replayed_fresh(render.reply(done)),
        Err(MoneyError::Replay(reply)) => replayed(reply),
        Err(e) => {
            let answer = is_answer(&e);
            let error = ApiError::from(e);
            if answer {
                let reply = Reply {
                    status: error.status().as_u16(),
                    body: serde_json::to_string(&error.problem()).unwrap_or_default(),
                };
                if let Err(e) = money.remember_refusal(&state.storage, &key, reply).await {
                    tracing::warn!(error = %e, "could not keep a refusal with its idempotency key");
                }
            }
            error.into_response()
        }
    }
}

/// A fresh reply, sent as its stored form so the first answer and every replay are identical.
fn replayed_fresh(reply: Reply) -> Response {
    let mut response = replayed(reply);
    response.headers_mut().remove("idempotent-replayed");
    response
}

/// Accounts as the wire shows balances: available and held per currency.
pub(crate) fn balance_list(accounts: Vec<qianbao_ledger::Account>) -> BalanceList {
    BalanceList {
        balances: accounts
            .into_iter()
            .map(|a| Balance {
                currency: a.currency.as_str().to_string(),
                available: a.available().minor(),
                held: a.held.minor(),
            })
            .collect(),
    }
}

/// JSON of `value`; the wire types always serialise.
pub(crate) fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn money_reply_json(done: Done) -> String {
    json(&money_reply(&done))
}

fn pay_reply_json(done: Done) -> String {
    json(&pay_reply(&done))
}

fn money_reply(done: &Done) -> MoneyReply {
    MoneyReply {
        id: done.id.clone(),
        status: done.status.clone(),
        amount: done.amount,
        fee: done.fee,
        currency: done.currency.clone(),
    }
}

fn pay_reply(done: &Done) -> PayReply {
    PayReply {
        payment_id: done.id.clone(),
        status: done.status.clone(),
        amount: done.amount,
        currency: done.currency.clone(),
        payee: done.payee.clone().unwrap_or_default(),
    }
}

pub(crate) use crate::rfc3339;

/// The QR code of `text` as an SVG image.
pub(crate) fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

fn caller(me: &CurrentHolder) -> String {
    format!("holder:{}", me.holder.id)
}

/// The holder's balance per currency: available and held.
#[utoipa::path(get, path = "/v1/me/balance", tag = "money", security(("session" = [])),
    responses((status = 200, description = "Balances", body = BalanceList)))]
pub async fn balance(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<BalanceList>, ApiError> {
    let accounts = state.money.balances(&state.storage, &me.holder).await?;
    Ok(Json(balance_list(accounts)))
}

/// Tops up from a bound card; credit cards carry the fee in the schedule.
#[utoipa::path(post, path = "/v1/me/topups", tag = "money", security(("session" = [])), request_body = TopupRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "`succeeded`, or `pending` while the bank has not answered", body = MoneyReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such card of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`bank_insufficient_funds`, `bank_rejected`, `amount_invalid`, `currency_unsupported`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`bank_unavailable`, `maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn top_up(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TopupRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&me), "topup", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        money_reply_json,
        |render, key, pin_read| {
            Box::pin(async move {
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                let currency = currency(body.currency.as_deref())?;
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                s.money
                    .top_up(
                        &s.storage,
                        &me.holder,
                        &body.card_id,
                        amount,
                        currency,
                        &key,
                        render,
                    )
                    .await
            })
        },
    )
    .await
}

/// Withdraws to a bound card (L2): held at once, settled when the bank confirms.
#[utoipa::path(post, path = "/v1/me/withdrawals", tag = "money", security(("session" = [])), request_body = WithdrawalRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "`pending` until the bank confirms", body = MoneyReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`kyc_required`, `account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such card of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `amount_invalid`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WithdrawalRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&me), "withdrawal", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        money_reply_json,
        |render, key, pin_read| {
            Box::pin(async move {
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                s.money
                    .withdraw(&s.storage, &me.holder, &body.card_id, amount, &key, render)
                    .await
            })
        },
    )
    .await
}

/// Who a phone number or wallet id belongs to, masked, to confirm before paying.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayeeQuery {
    /// The payee's phone.
    #[param(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub phone: Option<String>,
    /// Or the payee's wallet id.
    pub wallet_id: Option<String>,
}

/// The payee's masked real name, to confirm before transferring.
#[utoipa::path(get, path = "/v1/payees", tag = "money", security(("session" = [])), params(PayeeQuery),
    responses(
        (status = 200, description = "The payee", body = PayeeBody),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited` (with `retry_after`): too many look-ups by this holder or address", body = Problem, content_type = "application/problem+json")))]
pub async fn payee(
    State(state): State<AppState>,
    me: CurrentHolder,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiQuery(query): ApiQuery<PayeeQuery>,
) -> Result<Json<PayeeBody>, ApiError> {
    let to = match (query.phone, query.wallet_id) {
        (Some(phone), None) => PayeeRef::Phone(phone),
        (None, Some(id)) => PayeeRef::Wallet(id),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "Give exactly one of phone or wallet_id.",
            ));
        }
    };
    let payee = state
        .money
        .payee(&state.storage, &me.holder.id, &peer.ip().to_string(), &to)
        .await?;
    Ok(Json(PayeeBody {
        wallet_id: payee.wallet_id,
        masked_name: payee.masked_name,
    }))
}

/// Transfers to another holder by phone or wallet id, at once or delayed (2h / 24h).
#[utoipa::path(post, path = "/v1/transfers", tag = "money", security(("session" = [])), request_body = TransferRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "`succeeded`, or `scheduled` when delayed", body = MoneyReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such payee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `limit_exceeded`, `invalid_payee`, `amount_invalid`, `currency_unsupported`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn transfer(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TransferRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&me), "transfer", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        money_reply_json,
        |render, key, pin_read| {
            Box::pin(async move {
                let to = match (body.to_phone, body.to_wallet_id) {
                    (Some(phone), None) => PayeeRef::Phone(phone),
                    (None, Some(id)) => PayeeRef::Wallet(id),
                    _ => return Err(MoneyError::InvalidField("to_phone")),
                };
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                let currency = currency(body.currency.as_deref())?;
                let memo = display_text(&body.memo.unwrap_or_default(), 100, false)
                    .map_err(|_| MoneyError::InvalidField("memo"))?;
                let delay = match body.delay.as_deref() {
                    None => None,
                    Some(text) => {
                        Some(Delay::parse(text).ok_or(MoneyError::InvalidField("delay"))?)
                    }
                };
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                let request = qianbao_wallet::money::moves::TransferRequest {
                    to,
                    amount,
                    currency,
                    memo,
                    delay,
                };
                s.money
                    .transfer(&s.storage, &me.holder, request, &key, render)
                    .await
            })
        },
    )
    .await
}

/// Cancels a delayed transfer before it arrives.
#[utoipa::path(post, path = "/v1/transfers/{id}/cancel", tag = "money", security(("session" = [])),
    params(("id" = String, Path, description = "The transfer's id")),
    responses(
        (status = 200, description = "Cancelled; the money is back", body = MoneyReply),
        (status = 403, description = "`account_frozen`, `account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_cancellable`", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_transfer(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<MoneyReply>, ApiError> {
    let done = state
        .money
        .cancel_transfer(&state.storage, &me.holder, &id)
        .await?;
    Ok(Json(money_reply(&done)))
}

/// Pays a scanned QR code: a merchant's static code (amount required), an order, or a holder's
/// receive code.
#[utoipa::path(post, path = "/v1/pay", tag = "money", security(("session" = [])), request_body = PayRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "Paid", body = PayReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such order or payee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`order_paid`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payload_invalid`, `order_expired`, `insufficient_balance`, `limit_exceeded`, `merchant_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn pay(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PayRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&me), "pay", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        pay_reply_json,
        |render, key, pin_read| {
            Box::pin(async move {
                if let Some(a) = body.amount {
                    amount(a, s.money.policy.amount_max_minor)?;
                }
                Payload::parse(&body.payload).map_err(|_| MoneyError::PayloadInvalid)?;
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                s.money
                    .pay(
                        &s.storage,
                        &me.holder,
                        &body.payload,
                        body.amount,
                        &key,
                        render,
                    )
                    .await
            })
        },
    )
    .await
}

/// `?payload=` of a scanned code.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The scanned QR code's text.
    #[param(max_length = 256)]
    pub payload: String,
}

/// What a scanned code will pay and to whom, to confirm before typing the payment password.
#[utoipa::path(get, path = "/v1/pay/preview", tag = "money", security(("session" = [])), params(PreviewQuery),
    responses(
        (status = 200, description = "What paying the code would pay", body = PayPreview),
        (status = 409, description = "`order_paid`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payload_invalid`, `order_expired`, `merchant_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn pay_preview(
    State(state): State<AppState>,
    _me: CurrentHolder,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<Json<PayPreview>, ApiError> {
    let scanned = state.money.scanned(&state.storage, &query.payload).await?;
    Ok(Json(PayPreview {
        kind: scanned.kind.into(),
        payee_name: scanned.payee_name,
        amount: scanned.amount,
        currency: scanned.currency.as_str().into(),
        description: scanned.description,
        expires_at: scanned.expires_ms.map(rfc3339),
    }))
}

/// `?amount=` for a receive code.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiveQuery {
    /// Fix the amount the payer pays, in minor units.
    #[param(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: Option<i64>,
}

/// The holder's receive code (收款码), optionally with a fixed amount.
#[utoipa::path(get, path = "/v1/me/receive-code", tag = "money", security(("session" = [])), params(ReceiveQuery),
    responses(
        (status = 200, description = "The code", body = ReceiveCode),
        (status = 422, description = "`amount_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn receive_code(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<ReceiveQuery>,
) -> Result<Json<ReceiveCode>, ApiError> {
    let amount_minor = query
        .amount
        .map(|a| amount(a, state.money.policy.amount_max_minor))
        .transpose()?;
    let payload = Payload::Receive {
        wallet_id: me.holder.wallet_id.clone(),
        amount_minor,
    }
    .encode();
    Ok(Json(ReceiveCode {
        qr_svg: qr_svg(&payload),
        payload,
    }))
}

/// A fresh payment code (付款码) for a merchant's till to scan: 18 digits, one use, 60 s.
#[utoipa::path(get, path = "/v1/me/payment-code", tag = "money", security(("session" = [])),
    responses(
        (status = 200, description = "The code", body = PaymentCodeBody),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn payment_code(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<PaymentCodeBody>, ApiError> {
    let shown = state.money.payment_code(&state.storage, &me.holder).await?;
    Ok(Json(PaymentCodeBody {
        qr_svg: qr_svg(&shown.code),
        code: shown.code,
        expires_at: rfc3339(shown.expires_ms),
    }))
}

/// Filters of the records and the export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    #[serde(rename = "type")]
    #[param(pattern = r"^(topup|withdrawal|transfer|payment|refund|settlement)$")]
    pub kind: Option<String>,
    /// From this time (RFC 3339) or day (`YYYY-MM-DD`, China time) on.
    #[param(value_type = Option<TimeBound>)]
    pub from: Option<String>,
    /// Before this time, or until the end of this day.
    #[param(value_type = Option<TimeBound>)]
    pub to: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// Filters of the export: those of the records, without paging (the export is one file of at
/// most 10,000 rows). Paging parameters are refused rather than silently ignored.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    #[serde(rename = "type")]
    #[param(pattern = r"^(topup|withdrawal|transfer|payment|refund|settlement)$")]
    pub kind: Option<String>,
    /// From this time (RFC 3339) or day (`YYYY-MM-DD`, China time) on.
    #[param(value_type = Option<TimeBound>)]
    pub from: Option<String>,
    /// Before this time, or until the end of this day.
    #[param(value_type = Option<TimeBound>)]
    pub to: Option<String>,
}

/// A time bound: RFC 3339, or a day in China time (`to` then means the end of that day).
fn bound(text: &str, end_of_day: bool) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "Times are RFC 3339 (2026-12-01T08:00:00Z) or days (2026-12-01).",
        )
    };
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| bad());
    }
    let day = time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| bad())?;
    let start = day
        .midnight()
        .assume_offset(time::macros::offset!(+8))
        .unix_timestamp()
        * 1000;
    // The end of a day is the next midnight, counted rather than looked up: the last day the
    // calendar knows (9999-12-31) has no next day but still ends.
    Ok(if end_of_day { start + DAY_MS } else { start })
}

/// A day in milliseconds; China has no daylight saving, so every day is this long.
const DAY_MS: i64 = 86_400_000;

fn filter(
    query: &ExportQuery,
    cursor: Option<&String>,
    limit: i64,
) -> Result<MovementFilter, ApiError> {
    const KINDS: [&str; 6] = [
        "topup",
        "withdrawal",
        "transfer",
        "payment",
        "refund",
        "settlement",
    ];
    if let Some(kind) = &query.kind
        && !KINDS.contains(&kind.as_str())
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "type is one of topup, withdrawal, transfer, payment, refund, settlement.",
        )
        .field("type"));
    }
    Ok(MovementFilter {
        kind: query.kind.clone(),
        from_ms: query.from.as_deref().map(|t| bound(t, false)).transpose()?,
        to_ms: query.to.as_deref().map(|t| bound(t, true)).transpose()?,
        before_id: cursor.filter(|c| c.len() <= 64).cloned(),
        limit,
    })
}

/// A page size from `?limit=`: 1–100, default 20.
pub(crate) fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "limit is 1–100.",
        )
        .field("limit")),
    }
}

fn transaction(m: MovementRecord) -> TransactionBody {
    TransactionBody {
        id: m.id,
        kind: m.kind,
        direction: m.direction,
        amount: m.amount,
        fee: m.fee,
        currency: m.currency,
        counterparty: m.counterparty,
        status: m.status,
        memo: m.memo,
        created_at: rfc3339(m.created_ms),
    }
}

/// The holder's records, newest first, filtered and cursor-paged.
#[utoipa::path(get, path = "/v1/me/transactions", tag = "money", security(("session" = [])), params(RecordQuery),
    responses((status = 200, description = "A page", body = TransactionPage)))]
pub async fn transactions(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<RecordQuery>,
) -> Result<Json<TransactionPage>, ApiError> {
    let limit = page_size(query.limit)?;
    let export = ExportQuery {
        kind: query.kind,
        from: query.from,
        to: query.to,
    };
    let mut f = filter(&export, query.cursor.as_ref(), limit + 1)?;
    f.limit = limit + 1;
    let mut rows = state.money.records(&state.storage, &me.holder, f).await?;
    let next_cursor = if rows.len() > usize::try_from(limit).unwrap_or(0) {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(|m| m.id.clone())
    } else {
        None
    };
    Ok(Json(TransactionPage {
        items: rows.into_iter().map(transaction).collect(),
        next_cursor,
    }))
}

/// One record of the holder's.
#[utoipa::path(get, path = "/v1/me/transactions/{id}", tag = "money", security(("session" = [])),
    params(("id" = String, Path, description = "The record's id")),
    responses(
        (status = 200, description = "The record", body = TransactionBody),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn transaction_one(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<TransactionBody>, ApiError> {
    let m = state.money.record(&state.storage, &me.holder, &id).await?;
    Ok(Json(transaction(m)))
}

/// A CSV field, quoted, with formula characters defused for spreadsheets.
fn csv_field(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// The holder's records as CSV (at most 10,000 rows), with the same filters.
#[utoipa::path(get, path = "/v1/me/transactions.csv", tag = "money", security(("session" = [])), params(ExportQuery),
    responses((status = 200, description = "text/csv", content_type = "text/csv", body = String)))]
pub async fn transactions_csv(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let f = filter(
        &query,
        None,
        qianbao_wallet::money::history::EXPORT_ROWS_MAX,
    )?;
    let rows = state.money.records(&state.storage, &me.holder, f).await?;
    let mut out =
        String::from("id,type,direction,amount,fee,currency,counterparty,status,memo,created_at\n");
    for m in rows {
        let line = [
            csv_field(&m.id),
            csv_field(&m.kind),
            csv_field(&m.direction),
            format!("{}.{:02}", m.amount / 100, m.amount % 100),
            format!("{}.{:02}", m.fee / 100, m.fee % 100),
            csv_field(&m.currency),
            csv_field(&m.counterparty),
            csv_field(&m.status),
            csv_field(&m.memo),
            csv_field(&rfc3339(m.created_ms)),
        ]
        .join(",");
        out.push_str(&line);
        out.push('\n');
    }
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        axum::http::header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"qianbao-transactions.csv\""),
    );
    Ok(response)
}

/// `?month=YYYY-MM`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// The month, China time.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: String,
}

/// The month's totals in and out, by type.
#[utoipa::path(get, path = "/v1/me/summary", tag = "money", security(("session" = [])), params(MonthQuery),
    responses((status = 200, description = "Totals", body = SummaryBody)))]
pub async fn summary(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<SummaryBody>, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "month is YYYY-MM.",
        )
        .field("month")
    };
    // Exactly `YYYY-MM`, as documented.
    let bytes = query.month.as_bytes();
    if bytes.len() != 7
        || bytes[4] != b'-'
        || !bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit())
    {
        return Err(bad());
    }
    let year: i32 = query.month[..4].parse().map_err(|_| bad())?;
    let month: u8 = query.month[5..].parse().map_err(|_| bad())?;
    let month_of = time::Month::try_from(month).map_err(|_| bad())?;
    let first = time::Date::from_calendar_date(year, month_of, 1).map_err(|_| bad())?;
    // The month's end is counted in days rather than looked up as the next month's first day,
    // which the calendar does not have after 9999-12.
    let days = i64::from(time::util::days_in_month(month_of, year));
    let ms = |d: time::Date| {
        d.midnight()
            .assume_offset(time::macros::offset!(+8))
            .unix_timestamp()
            * 1000
    };
    let (from_ms, to_ms) = (ms(first), ms(first) + days * DAY_MS);
    let s = state
        .money
        .summary(&state.storage, &me.holder, from_ms, to_ms)
        .await?;
    Ok(Json(SummaryBody {
        month: query.month,
        total_in: s.total_in,
        total_out: s.total_out,
        categories: s
            .categories
            .into_iter()
            .map(|(kind, direction, total, count)| SummaryCategory {
                kind,
                direction,
                total,
                count,
            })
            .collect(),
    }))
}

/// `?cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

fn notification(n: NotificationRecord) -> NotificationBody {
    NotificationBody {
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        title_en: n.title_en,
        body_en: n.body_en,
        transaction_id: n.movement_id,
        created_at: rfc3339(n.created_ms),
    }
}

/// The holder's inbox, newest first.
#[utoipa::path(get, path = "/v1/me/notifications", tag = "money", security(("session" = [])), params(PageQuery),
    responses((status = 200, description = "A page", body = NotificationPage)))]
pub async fn notifications(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let limit = page_size(query.limit)?;
    let before = query.cursor.as_deref().and_then(|c| c.parse::<i64>().ok());
    let mut rows = state
        .money
        .notifications(&state.storage, &me.holder, before, None, limit + 1)
        .await?;
    let next_cursor = if rows.len() > usize::try_from(limit).unwrap_or(0) {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(|n| n.id.to_string())
    } else {
        None
    };
    Ok(Json(NotificationPage {
        items: rows.into_iter().map(notification).collect(),
        next_cursor,
    }))
}

/// How often the live stream looks for new alerts. It reads the database, so an alert written
/// by any node reaches an app connected to any other.
const STREAM_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// The inbox as Server-Sent Events: each new alert as one `notification` event, oldest first.
/// `Last-Event-ID` resumes after that alert.
#[utoipa::path(get, path = "/v1/me/notifications/stream", tag = "money", security(("session" = [])),
    responses((status = 200, description = "text/event-stream of notification events", content_type = "text/event-stream", body = String)))]
pub async fn notification_stream(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let start = match resume {
        Some(id) => id,
        None => state
            .money
            .notifications(&state.storage, &me.holder, None, None, 1)
            .await?
            .first()
            .map_or(0, |n| n.id),
    };
    let holder = me.holder.clone();
    // Kept to re-check the session while the stream is open: a revoked session stops it. The
    // web app's EventSource sends the session cookie, an API client the bearer token.
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| crate::web::cookies::cookie(&headers, crate::web::cookies::SESSION_COOKIE))
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let stream = futures_stream(state, holder, token, start);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// How many polls pass between checks that the stream's session is still live (10 s).
const SESSION_RECHECK_POLLS: u64 = 20;

/// Polls the inbox after `last` and yields what arrived, for as long as the client listens and
/// its session lives.
fn futures_stream(
    state: AppState,
    holder: qianbao_wallet::records::HolderRecord,
    token: String,
    last: i64,
) -> impl futures_core::Stream<Item = Result<Event, std::convert::Infallible>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        let mut last = last;
        for poll in 0u64.. {
            tokio::time::sleep(STREAM_POLL).await;
            if poll % SESSION_RECHECK_POLLS == SESSION_RECHECK_POLLS - 1
                && matches!(
                    state.opening.authenticate(&state.storage, &token).await,
                    Err(qianbao_wallet::opening::OpeningError::Unauthorized)
                )
            {
                return;
            }
            let Ok(mut fresh) = state
                .money
                .notifications(&state.storage, &holder, None, Some(last), 100)
                .await
            else {
                continue;
            };
            fresh.reverse();
            for n in fresh {
                last = n.id;
                let id = n.id.to_string();
                let data = serde_json::to_string(&notification(n)).unwrap_or_default();
                let event = Event::default().event("notification").id(id).data(data);
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    tokio_stream_of(rx)
}

/// A receiver as a stream of `Ok` events.
fn tokio_stream_of(
    mut rx: tokio::sync::mpsc::Receiver<Event>,
) -> impl futures_core::Stream<Item = Result<Event, std::convert::Infallible>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx).map(|e| e.map(Ok)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{DAY_MS, bound};

    #[test]
    fn a_day_bound_is_china_midnight_and_its_end_the_next_one() {
        // 2026-12-01T00:00:00+08:00 is 2026-11-30T16:00:00Z.
        let start = bound("2026-12-01", false).unwrap();
        assert_eq!(start, 1_796_054_400_000);
        assert_eq!(bound("2026-12-01", true).unwrap(), start + DAY_MS);
        assert_eq!(bound("2026-11-30T16:00:00Z", false).unwrap(), start);
    }

    #[test]
    fn the_calendars_last_day_still_ends() {
        let start = bound("9999-12-31", false).unwrap();
        assert_eq!(bound("9999-12-31", true).unwrap(), start + DAY_MS);
    }

    #[test]
    fn other_text_is_an_invalid_request() {
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "yesterday",
            "2026-12-01T25:00:00Z",
        ] {
            assert_eq!(
                bound(bad, false).unwrap_err().code(),
                "invalid_request",
                "{bad:?}"
            );
        }
    }
}
