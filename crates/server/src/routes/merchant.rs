//! Merchants: opening one from a holder's session, rotating its key, and the calls a merchant
//! makes with its API key — orders, charging payment codes, refunds, payments, webhook,
//! settlement and balance.

use super::money::codes::qr_svg;
use super::money::idempotency::{IdempotencyHeader, idempotency_key, idempotent, json};
use super::money::moves::balance_list;
use super::paging::{next_cursor, page_size};
use crate::auth::{CurrentHolder, CurrentMerchant, MerchantCaller};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{
    ApiKeyBody, BalanceList, ChargeReply, ChargeRequest, MerchantOpened, MerchantPaymentBody,
    MerchantPaymentPage, MerchantPaymentStatus, MerchantRequest, MoneyReply, OrderBody,
    OrderRequest, Problem, RefundPasswordRequest, RefundReply, RefundRequest, SettlementRequest,
    WebhookRequest, WebhookSecret,
};
use qianbao_wallet::domain::display_text;
use qianbao_wallet::money::merchant::RefundDone;
use qianbao_wallet::money::records::{ChargeStatus, MerchantRecord, OrderRecord};
use qianbao_wallet::money::refund_password::RefundPasswordProof;
use qianbao_wallet::money::waiting::ChargeOutcome;
use qianbao_wallet::money::{Done, MoneyError, Render, amount};

pub(crate) fn caller(merchant: &MerchantRecord) -> String {
    format!("merchant:{}", merchant.id)
}

/// Opens a merchant for the holder (L1 or above); the API key is shown once. With
/// `refund_password` the shop's till can refund at once; without it the till sets one first.
#[utoipa::path(post, path = "/v1/merchants", tag = "merchants", security(("session" = [])), request_body = MerchantRequest,
    responses(
        (status = 201, description = "Opened", body = MerchantOpened),
        (status = 422, description = "`invalid_request` (name, category), `refund_password_invalid`, `refund_password_weak` (with `reason`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`kyc_required`, `account_frozen`, `account_restricted`", body = Problem, content_type = "application/problem+json")))]
pub async fn open_merchant(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<MerchantRequest>,
) -> Result<(StatusCode, Json<MerchantOpened>), ApiError> {
    let opened = state
        .money
        .open_merchant(
            &state.storage,
            &me.holder,
            &body.name,
            &body.category,
            body.refund_password.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MerchantOpened {
            merchant_id: opened.merchant_id,
            api_key: opened.api_key,
            static_qr_svg: qr_svg(&opened.static_qr_payload),
            static_qr_payload: opened.static_qr_payload,
        }),
    ))
}

/// A new API key for one of the holder's merchants; the old one stops working at once.
#[utoipa::path(post, path = "/v1/merchants/{merchant_id}/api-keys", tag = "merchants", security(("session" = [])),
    params(("merchant_id" = String, Path, description = "The merchant's id")),
    responses(
        (status = 201, description = "The new key, shown once", body = ApiKeyBody),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn rotate_key(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(merchant_id): Path<String>,
) -> Result<(StatusCode, Json<ApiKeyBody>), ApiError> {
    let api_key = state
        .money
        .rotate_key(&state.storage, &me.holder, &merchant_id)
        .await?;
    Ok((StatusCode::CREATED, Json(ApiKeyBody { api_key })))
}

fn order_body(
    state: &AppState,
    shop: &MerchantRecord,
    order: OrderRecord,
) -> Result<OrderBody, ApiError> {
    let payload = state.money.order_code(shop, &order)?;
    Ok(OrderBody {
        qr_svg: qr_svg(&payload),
        qr_payload: payload,
        order_id: order.id,
        status: order.status.as_str().into(),
        amount: order.amount.minor(),
        currency: order.currency.as_str().into(),
        expires_at: rfc3339(order.expires_ms),
        payment_id: order.payment_id,
    })
}

/// Creates an order of a fixed amount, shown to the payer as a QR code.
#[utoipa::path(post, path = "/v1/merchant/orders", tag = "merchants", security(("merchant_key" = [])), request_body = OrderRequest,
    responses(
        (status = 201, description = "Open", body = OrderBody),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`amount_invalid`, `currency_unsupported`", body = Problem, content_type = "application/problem+json")))]
pub async fn create_order(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    ApiJson(body): ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<OrderBody>), ApiError> {
    let amount = amount(body.amount, state.money.policy.amount_max_minor)?;
    // Any currency the operator enabled: an order priced in another one is paid from yuan
    // through a quote shown on the payer's preview.
    let currency = crate::routes::fx::enabled_or_yuan(&state, body.currency.as_deref())?;
    let expires_in_ms = body.expires_in.map(|s| s.saturating_mul(1000));
    let order = state
        .money
        .create_order(
            &state.storage,
            &merchant,
            amount,
            currency,
            &body.description,
            expires_in_ms,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(order_body(&state, &merchant, order)?),
    ))
}

/// One of the merchant's orders.
#[utoipa::path(get, path = "/v1/merchant/orders/{id}", tag = "merchants", security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = OrderBody),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn order(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    Path(id): Path<String>,
) -> Result<Json<OrderBody>, ApiError> {
    let order = state.money.order(&state.storage, &merchant, &id).await?;
    Ok(Json(order_body(&state, &merchant, order)?))
}

fn charge_reply(outcome: ChargeOutcome) -> String {
    json(&match outcome {
        ChargeOutcome::Paid(done) => ChargeReply {
            payment_id: done.id,
            status: done.status.as_str().into(),
            amount: (done.amount + done.beside.gift_card).minor(),
            gift_card: done.beside.gift_card.minor(),
            expires_at: None,
        },
        ChargeOutcome::Awaiting(waiting) => ChargeReply {
            payment_id: waiting.payment_id,
            status: ChargeStatus::AwaitingPayer.as_str().into(),
            amount: waiting.amount.minor(),
            gift_card: 0,
            expires_at: Some(rfc3339(waiting.expires_ms)),
        },
    })
}

/// Charges a holder's payment code (the till scans it). Password-free up to the holder's
/// small-amount limits; above them the charge waits for the payer to confirm with the payment
/// password on their phone: 202 `awaiting_payer`, then poll `GET /v1/merchant/payments/{id}` or
/// wait for the webhook. The behaviour before waiting charges stays for integrators that ask for
/// it: with the holder's `pin` the charge is made at once, and with `"await_payer": false` and no
/// `pin` it is refused with `pin_required`.
#[utoipa::path(post, path = "/v1/merchant/charges", tag = "merchants", security(("merchant_key" = [])), request_body = ChargeRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "Charged", body = ChargeReply),
        (status = 202, description = "`awaiting_payer` (with `expires_at`): above the password-free limits, the payer confirms on their phone; nothing has moved yet", body = ChargeReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`): the payer's `pin` is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`): the block list or another rule; `account_frozen`, `account_restricted`: the payer's wallet", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`): the payer's payments", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payment_code_invalid`, `payment_code_expired`, `pin_required` (only with `\"await_payer\": false`), `insufficient_balance`, `limit_exceeded`, `amount_invalid`, `merchant_unavailable`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited` (with `retry_after`): this merchant sent too many wrong or expired codes in the last minute", body = Problem, content_type = "application/problem+json")))]
pub async fn charge(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChargeRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&merchant), "charge", &body);
    let s = state.clone();
    idempotent(
        &state,
        key,
        StatusCode::CREATED,
        charge_reply,
        |render, key| {
            Box::pin(async move {
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                let pin_checked = match &body.pin {
                    Some(pin) => {
                        let holder = s
                            .money
                            .payment_code_holder(&s.storage, &merchant, &body.payment_code)
                            .await?;
                        s.money.check_pin(&s.storage, &holder, pin).await?;
                        true
                    }
                    None => false,
                };
                // Like an order's description: it is shown to the payer and in their records.
                let description = display_text(&body.description.unwrap_or_default(), 200, false)
                    .map_err(|_| MoneyError::InvalidField("description"))?;
                if body.await_payer == Some(false) {
                    return s
                        .money
                        .charge(
                            &s.storage,
                            &merchant,
                            &body.payment_code,
                            amount,
                            &description,
                            pin_checked,
                            &key,
                            Render {
                                status: render.status,
                                body: |done| charge_reply(ChargeOutcome::Paid(done)),
                                held: |_| false,
                            },
                        )
                        .await
                        .map(ChargeOutcome::Paid);
                }
                s.money
                    .charge_or_wait(
                        &s.storage,
                        &merchant,
                        &body.payment_code,
                        amount,
                        &description,
                        pin_checked,
                        &key,
                        render,
                    )
                    .await
            })
        },
    )
    .await
}

fn refund_reply(done: RefundDone) -> String {
    json(&RefundReply {
        refund_id: done.refund_id,
        status: done.status.as_str().into(),
        amount: done.amount.minor(),
    })
}

/// Refunds all or part of a payment, never more than was paid. With the API key the key is the
/// credential: `refund_password` is optional, and checked when sent. The till's browser session
/// must send the shop's `refund_password`. The password is checked before the Idempotency-Key
/// is looked at, and is not part of the request the key is bound to, so a retry after a wrong
/// password may keep its key.
#[utoipa::path(post, path = "/v1/merchant/refunds", tag = "merchants", security(("merchant_key" = [])), request_body = RefundRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "Refunded", body = RefundReply),
        (status = 401, description = "`refund_password_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`refund_password_locked` (with `retry_after`): too many wrong refund passwords", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`); `account_frozen`, `account_restricted`: the shop's owner; no money leaves a frozen wallet's shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`refund_exceeds_payment`, `insufficient_balance`, `amount_invalid`; `refund_password_required` (the till sent none), `refund_password_not_set` (the shop has none: set one first)", body = Problem, content_type = "application/problem+json")))]
pub async fn refund(
    State(state): State<AppState>,
    MerchantCaller { merchant, till }: MerchantCaller,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<RefundRequest>,
) -> Response {
    let password = body.refund_password.take();
    if let Err(e) = state
        .money
        .check_refund_password(&state.storage, &merchant.id, password.as_deref(), till)
        .await
    {
        return ApiError::from(e).into_response();
    }
    let key = idempotency_key(&state, &headers, caller(&merchant), "refund", &body);
    let s = state.clone();
    idempotent(
        &state,
        key,
        StatusCode::CREATED,
        refund_reply,
        |render, key| {
            Box::pin(async move {
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                let reason = body.reason.unwrap_or_default();
                s.money
                    .refund(
                        &s.storage,
                        &merchant,
                        &body.payment_id,
                        amount,
                        &reason,
                        &key,
                        render,
                    )
                    .await
            })
        },
    )
    .await
}

/// Sets or changes the shop's refund password, proven by the current one
/// (`current_refund_password`) or by the owner's payment password (`pin`: sets a first one, or
/// replaces a forgotten one). A wrong proof counts toward its own lock.
#[utoipa::path(put, path = "/v1/merchant/refund-password", tag = "merchants", security(("merchant_key" = [])), request_body = RefundPasswordRequest,
    responses(
        (status = 204, description = "Set"),
        (status = 401, description = "`refund_password_incorrect` (with `attempts_left`), `pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`pin_not_set`: the owner has no payment password to prove it with", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`refund_password_invalid`, `refund_password_weak` (with `reason`); `refund_password_required`: neither proof was sent; `refund_password_not_set`: no current one to prove with (send `pin`)", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`refund_password_locked`, `pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn set_refund_password(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    ApiJson(body): ApiJson<RefundPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let proof = match (&body.current_refund_password, &body.pin) {
        (Some(current), _) => RefundPasswordProof::Current(current),
        (None, Some(pin)) => RefundPasswordProof::OwnerPin(pin),
        (None, None) => {
            return Err(MoneyError::RefundPassword(
                qianbao_wallet::money::refund_password::RefundPasswordError::Required,
            )
            .into());
        }
    };
    state
        .money
        .set_refund_password(&state.storage, &merchant, &body.refund_password, proof)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?cursor=&limit=`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// The merchant's payments, newest first.
#[utoipa::path(get, path = "/v1/merchant/payments", tag = "merchants", security(("merchant_key" = [])), params(PaymentQuery),
    responses((status = 200, description = "A page", body = MerchantPaymentPage)))]
pub async fn payments(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    ApiQuery(query): ApiQuery<PaymentQuery>,
) -> Result<Json<MerchantPaymentPage>, ApiError> {
    let limit = page_size(query.limit)?;
    let mut rows = state
        .money
        .merchant_payments(
            &state.storage,
            &merchant,
            query.cursor.filter(|c| c.len() <= 64),
            limit + 1,
        )
        .await?;
    let next_cursor = next_cursor(&mut rows, limit, |p| p.id.clone());
    Ok(Json(MerchantPaymentPage {
        items: rows
            .into_iter()
            .map(|p| MerchantPaymentBody {
                payment_id: p.id,
                amount: p.amount.minor(),
                fee: p.fee.minor(),
                refunded: p.refunded.minor(),
                currency: p.currency.as_str().into(),
                channel: p.channel.as_str().into(),
                order_id: p.order_id,
                description: p.description,
                created_at: rfc3339(p.created_ms),
            })
            .collect(),
        next_cursor,
    }))
}

/// One of the merchant's payments: a charge waiting for its payer shows `awaiting_payer` until
/// the payer confirms (`succeeded`), declines (`declined`) or lets it lapse (`expired`); a
/// payment made at once is `succeeded`.
#[utoipa::path(get, path = "/v1/merchant/payments/{id}", tag = "merchants", security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment", body = MerchantPaymentStatus),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn payment(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    Path(id): Path<String>,
) -> Result<Json<MerchantPaymentStatus>, ApiError> {
    let p = state
        .money
        .merchant_payment(&state.storage, &merchant, &id)
        .await?;
    let payer_name = if p.status == ChargeStatus::Succeeded {
        state
            .money
            .payer_name(&state.storage, &merchant, &p.id)
            .await?
    } else {
        None
    };
    Ok(Json(MerchantPaymentStatus {
        payer_name,
        payment_id: p.id,
        status: p.status.as_str().into(),
        amount: p.amount.minor(),
        fee: p.fee.minor(),
        refunded: p.refunded.minor(),
        currency: p.currency.as_str().into(),
        channel: p.channel.map(|c| c.as_str().into()),
        description: p.description,
        created_at: rfc3339(p.created_ms),
        expires_at: p.expires_ms.map(rfc3339),
    }))
}

/// Sets the URL events are POSTed to; returns the signing secret, shown once.
#[utoipa::path(put, path = "/v1/merchant/webhook", tag = "merchants", security(("merchant_key" = [])), request_body = WebhookRequest,
    responses(
        (status = 200, description = "The secret for `Qianbao-Signature`", body = WebhookSecret),
        (status = 422, description = "`invalid_request` (url)", body = Problem, content_type = "application/problem+json")))]
pub async fn set_webhook(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    ApiJson(body): ApiJson<WebhookRequest>,
) -> Result<Json<WebhookSecret>, ApiError> {
    let secret = state
        .money
        .set_webhook(&state.storage, &merchant, &body.url)
        .await?;
    Ok(Json(WebhookSecret { secret }))
}

/// The merchant's balance: takings not yet settled.
#[utoipa::path(get, path = "/v1/merchant/balance", tag = "merchants", security(("merchant_key" = [])),
    responses((status = 200, description = "Balances", body = BalanceList)))]
pub async fn balance(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Result<Json<BalanceList>, ApiError> {
    let accounts = state
        .money
        .merchant_balance(&state.storage, &merchant)
        .await?;
    Ok(Json(balance_list(accounts, None)))
}

fn settlement_reply(done: Done) -> String {
    json(&MoneyReply {
        id: done.id,
        status: done.status.as_str().into(),
        amount: done.amount.minor(),
        fee: done.fee.minor(),
        currency: done.currency.as_str().into(),
    })
}

/// Settles takings to the owner's default bank card: held now, paid when the bank confirms.
#[utoipa::path(post, path = "/v1/merchant/settlements", tag = "merchants", security(("merchant_key" = [])), request_body = SettlementRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "`pending` until the bank confirms", body = MoneyReply),
        (status = 403, description = "`risk_blocked` (with `reason`); `account_frozen`, `account_restricted`: the owner's wallet; `kyc_required`: the owner has no bank card", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `amount_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn settle(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SettlementRequest>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&merchant), "settlement", &body);
    let s = state.clone();
    idempotent(
        &state,
        key,
        StatusCode::CREATED,
        settlement_reply,
        |render, key| {
            Box::pin(async move {
                let currency = crate::routes::fx::enabled_or_yuan(&s, body.currency.as_deref())?;
                let amount = body
                    .amount
                    .map(|a| amount(a, s.money.policy.amount_max_minor))
                    .transpose()?;
                s.money
                    .settle(&s.storage, &merchant, amount, currency, &key, render)
                    .await
            })
        },
    )
    .await
}
