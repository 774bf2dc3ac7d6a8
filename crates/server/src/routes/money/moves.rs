//! Moving a holder's money: the balance, top-ups and withdrawals through a bound card, the payee
//! look-up, transfers (at once or delayed, and cancelling a delayed one), and paying a scanned
//! code with its preview. Every POST here goes through [`super::idempotency`].

use super::idempotency::{IdempotencyHeader, idempotency_key, idempotent_with_pin, json};
use super::origin::{origin, take_proof};
use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qianbao_api_types::{
    Balance, BalanceList, MoneyReply, PayPreview, PayReply, PayRequest, PayeeBody, Problem,
    TopupRequest, TransferRequest, WithdrawalRequest,
};
use qianbao_ledger::Amount;
use qianbao_wallet::domain::{Phone, display_text};
use qianbao_wallet::money::moves::{Delay, PayeeRef};
use qianbao_wallet::money::payload::Payload;
use qianbao_wallet::money::{Done, MoneyError, amount, currency};
use qianbao_wallet::rewards::UseRewards;
use serde::Deserialize;
use std::net::SocketAddr;

/// Accounts as the wire shows balances: available and held per currency.
pub(crate) fn balance_list(
    accounts: Vec<qianbao_ledger::Account>,
    main_currency: Option<qianbao_ledger::Currency>,
) -> BalanceList {
    BalanceList {
        main_currency: main_currency.map(|c| c.as_str().to_string()),
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

fn money_reply_json(done: Done) -> String {
    json(&money_reply(&done))
}

pub(crate) fn pay_reply_json(done: Done) -> String {
    json(&pay_reply(&done, "balance"))
}

fn card_pay_reply_json(done: Done) -> String {
    json(&pay_reply(&done, "card"))
}

fn money_reply(done: &Done) -> MoneyReply {
    MoneyReply {
        id: done.id.clone(),
        status: done.status.as_str().into(),
        amount: done.amount.minor(),
        fee: done.fee.minor(),
        currency: done.currency.as_str().into(),
    }
}

fn pay_reply(done: &Done, method: &str) -> PayReply {
    PayReply {
        payment_id: done.id.clone(),
        status: done.status.as_str().into(),
        amount: (done.amount + done.discount + done.beside.gift_card).minor(),
        discount: done.discount.minor(),
        paid: (done.amount + done.beside.gift_card).minor(),
        gift_card: done.beside.gift_card.minor(),
        points: done.beside.points,
        currency: done.currency.as_str().into(),
        payee: done.payee.clone().unwrap_or_default(),
        method: method.into(),
    }
}

/// Whose Idempotency-Keys a holder's money call uses: keys are per caller.
pub(crate) fn caller(me: &CurrentHolder) -> String {
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
    let main = qianbao_wallet::fx::main_currency_of(&state.storage, &me.holder.id).await?;
    Ok(Json(balance_list(accounts, Some(main))))
}

/// Tops up from a bound card; credit cards carry the fee in the schedule.
#[utoipa::path(post, path = "/v1/me/topups", tag = "money", security(("session" = [])), request_body = TopupRequest,
    params(IdempotencyHeader),
    responses(
        (status = 400, description = "`otp_invalid`, `otp_expired`: the SMS code sent as the second factor", body = Problem, content_type = "application/problem+json"),
        (status = 201, description = "`succeeded`, or `pending` while the bank has not answered", body = MoneyReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`); `step_up_required` (with `methods` and `reason`: send the same call, same key, with `second_factor`); `totp_invalid`; `otp_invalid` is 400", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`), `account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such card of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`totp_not_enabled`: a TOTP code was sent but TOTP is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`bank_insufficient_funds`, `bank_rejected`, `amount_invalid`, `currency_unsupported`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`, `totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`bank_unavailable`, `maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn top_up(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<TopupRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
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
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .top_up(
                        &s.storage,
                        &me.holder,
                        &body.card_id,
                        amount,
                        currency,
                        &origin,
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
        (status = 400, description = "`otp_invalid`, `otp_expired`: the SMS code sent as the second factor", body = Problem, content_type = "application/problem+json"),
        (status = 202, description = "`held_for_review`: risk control holds the money for a reviewer (released or rejected within the review time; the holder is told)", body = MoneyReply),
        (status = 201, description = "`pending` until the bank confirms", body = MoneyReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`); `step_up_required` (with `methods` and `reason`: send the same call, same key, with `second_factor`); `totp_invalid`; `otp_invalid` is 400", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`), `kyc_required`, `account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such card of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`totp_not_enabled`: a TOTP code was sent but TOTP is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `amount_invalid`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`, `totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<WithdrawalRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
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
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .withdraw(
                        &s.storage,
                        &me.holder,
                        &body.card_id,
                        amount,
                        &origin,
                        &key,
                        render,
                    )
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
        (status = 404, description = "`not_found` (with `field`: `phone` or `wallet_id`): no wallet has it", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited` (with `retry_after`): too many look-ups by this holder or address", body = Problem, content_type = "application/problem+json")))]
pub async fn payee(
    State(state): State<AppState>,
    me: CurrentHolder,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiQuery(query): ApiQuery<PayeeQuery>,
) -> Result<Json<PayeeBody>, ApiError> {
    let to = match (query.phone, query.wallet_id) {
        (Some(phone), None) => {
            PayeeRef::Phone(Phone::parse(&phone).map_err(|_| MoneyError::InvalidField("phone"))?)
        }
        (None, Some(id)) => PayeeRef::Wallet(id),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "Give exactly one of phone or wallet_id.",
            ));
        }
    };
    let (field, what) = match &to {
        PayeeRef::Phone(_) => ("phone", "phone number"),
        PayeeRef::Wallet(_) => ("wallet_id", "wallet id"),
    };
    // Who is missing is known here: the app can say what to check.
    let missing = move || {
        ApiError::not_found().field(field).with_detail(format!(
            "No wallet has this {what}. Check it with the payee; they may not have a wallet yet."
        ))
    };
    let payee = state
        .money
        .payee(&state.storage, &me.holder.id, &peer.ip().to_string(), &to)
        .await
        .map_err(|e| match e {
            MoneyError::NotFound => missing(),
            other => other.into(),
        })?;
    Ok(Json(PayeeBody {
        wallet_id: payee.wallet_id,
        masked_name: payee.masked_name,
        main_currency: payee.main_currency.as_str().into(),
    }))
}

/// Transfers to another holder by phone or wallet id, at once or delayed (2h / 24h).
#[utoipa::path(post, path = "/v1/transfers", tag = "money", security(("session" = [])), request_body = TransferRequest,
    params(IdempotencyHeader),
    responses(
        (status = 400, description = "`otp_invalid`, `otp_expired`: the SMS code sent as the second factor", body = Problem, content_type = "application/problem+json"),
        (status = 202, description = "`held_for_review`: risk control holds the money for a reviewer (released or rejected within the review time; the holder is told)", body = MoneyReply),
        (status = 201, description = "`succeeded`, or `scheduled` when delayed", body = MoneyReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`); `step_up_required` (with `methods` and `reason`: send the same call, same key, with `second_factor`); `totp_invalid`; `otp_invalid` is 400", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`), `account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such payee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`totp_not_enabled`: a TOTP code was sent but TOTP is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `limit_exceeded`, `invalid_payee`, `amount_invalid`, `currency_unsupported`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`, `totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn transfer(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<TransferRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
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
                    (Some(phone), None) => PayeeRef::Phone(
                        Phone::parse(&phone).map_err(|_| MoneyError::InvalidField("to_phone"))?,
                    ),
                    (None, Some(id)) => PayeeRef::Wallet(id),
                    _ => return Err(MoneyError::InvalidField("to_phone")),
                };
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                let currency = crate::routes::fx::enabled_or_yuan(&s, body.currency.as_deref())?;
                let memo = display_text(&body.memo.unwrap_or_default(), 100, false)
                    .map_err(|_| MoneyError::InvalidField("memo"))?;
                let delay = match body.delay.as_deref() {
                    None => None,
                    // A delayed transfer is in yuan: its limits and cancellation count yuan.
                    Some(_) if currency != qianbao_ledger::Currency::CNY => {
                        return Err(MoneyError::InvalidField("delay"));
                    }
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
                    quote_id: body.quote_id.clone(),
                };
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .transfer(&s.storage, &me.holder, request, &origin, &key, render)
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
/// receive code; from the balance, or with `card_id` a merchant's code from a bound card (the
/// bank's debit and the payment in one flow; refused by the bank, nothing moves).
#[utoipa::path(post, path = "/v1/pay", tag = "money", security(("session" = [])), request_body = PayRequest,
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "Paid; `method` says whether the balance or the card paid", body = PayReply),
        (status = 202, description = "`held_for_review`: risk control holds the money for a reviewer (a payment to a holder's receive code; released or rejected within the review time; the holder is told)", body = PayReply),
        (status = 400, description = "`otp_invalid`, `otp_expired`: the SMS code sent as the second factor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`); `step_up_required` (with `methods` and `reason`: send the same call, same key, with `second_factor`); `totp_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`), `account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such order or payee, or `card_id` is no active bound card of the holder's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`order_paid` (with `card_id`, also when another payment paid the order while the bank was silent: what the bank took is then in the balance); `totp_not_enabled`: a TOTP code was sent but TOTP is off", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`, `totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payload_invalid`, `order_expired`, `insufficient_balance`, `limit_exceeded`, `merchant_unavailable`; with `card_id`: `bank_insufficient_funds`, `bank_rejected` (nothing was paid), `invalid_field` `card_id` (a receive code is not paid from a card)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`bank_unavailable` (with `retry_after`): the bank did not answer a card payment; nothing is paid yet. Send the same call with the same Idempotency-Key: it asks the bank again under the same reference, so the card is debited at most once. Not retried within 5 minutes, money the bank took goes to the balance", body = Problem, content_type = "application/problem+json")))]
pub async fn pay(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<PayRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
    let key = idempotency_key(&state, &headers, caller(&me), "pay", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    let reply = if body.card_id.is_some() {
        card_pay_reply_json
    } else {
        pay_reply_json
    };
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        reply,
        |render, key, pin_read| {
            Box::pin(async move {
                if let Some(a) = body.amount {
                    amount(a, s.money.policy.amount_max_minor)?;
                }
                Payload::parse(&body.payload).map_err(|e| MoneyError::PayloadInvalid(e.reason))?;
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                let origin = origin(&s, &me, &key, proof).await?;
                // An amount the code fixes (or an order's) wins, so one sent beside it is not
                // judged; where the payer's amount is needed, an unusable one is as good as
                // none: `amount_invalid`.
                let typed = body
                    .amount
                    .and_then(|a| amount(a, s.money.policy.amount_max_minor).ok());
                match &body.card_id {
                    // A coupon pays from the shop's campaign funds beside the balance.
                    Some(_) if body.coupon_id.is_some() => {
                        Err(MoneyError::InvalidField("coupon_id"))
                    }
                    Some(card_id) => {
                        s.money
                            .pay_by_card(
                                &s.storage,
                                &me.holder,
                                &body.payload,
                                typed,
                                card_id,
                                &origin,
                                &key,
                                render,
                            )
                            .await
                    }
                    None => {
                        s.money
                            .pay(
                                &s.storage,
                                &me.holder,
                                &body.payload,
                                typed,
                                body.quote_id.clone(),
                                UseRewards {
                                    coupon_id: body.coupon_id.clone(),
                                    points: body.points,
                                },
                                &origin,
                                &key,
                                render,
                            )
                            .await
                    }
                }
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
    #[param(max_length = 512)]
    pub payload: String,
}

/// What a scanned code will pay and to whom, to confirm before typing the payment password.
#[utoipa::path(get, path = "/v1/pay/preview", tag = "money", security(("session" = [])), params(PreviewQuery),
    responses(
        (status = 200, description = "What paying the code would pay", body = PayPreview),
        (status = 409, description = "`order_paid`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payload_invalid`, `order_expired`, `merchant_unavailable`, `invalid_payee` (a receive code of a closed wallet)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`fx_unavailable`: an order priced in another currency, with no fresh rate to quote it", body = Problem, content_type = "application/problem+json")))]
pub async fn pay_preview(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<Json<PayPreview>, ApiError> {
    let scanned = state.money.scanned(&state.storage, &query.payload).await?;
    // An order priced in another currency is paid from yuan: the payer is quoted the yuan it
    // costs (rate and spread shown) before confirming, as the order's quote.
    let fx = match (&scanned.order_id, scanned.amount) {
        (Some(order_id), Some(price)) if scanned.currency != qianbao_ledger::Currency::CNY => {
            let buy = qianbao_ledger::PositiveAmount::new(price.minor())
                .ok_or(MoneyError::AmountInvalid)?;
            let quote = state
                .money
                .quote_fx(
                    &state.storage,
                    &me.holder,
                    qianbao_wallet::fx::QuoteAsk {
                        sell: qianbao_ledger::Currency::CNY,
                        buy: scanned.currency,
                        fixed: qianbao_wallet::fx::Fixed::Buy(buy),
                    },
                    qianbao_wallet::fx::QuotePurpose::Order,
                    Some(order_id.clone()),
                )
                .await?;
            Some(qianbao_api_types::PayFx {
                quote_id: quote.id,
                rate: quote.rate.to_string(),
                pay_amount: quote.sell.minor(),
                pay_currency: quote.sell_currency.as_str().into(),
                fee: quote.fee.minor(),
                expires_at: rfc3339(quote.expires_ms),
            })
        }
        _ => None,
    };
    Ok(Json(PayPreview {
        kind: scanned.kind.into(),
        payee_name: scanned.payee_name,
        amount: scanned.amount.map(Amount::minor),
        currency: scanned.currency.as_str().into(),
        description: scanned.description,
        expires_at: scanned.expires_ms.map(rfc3339),
        fx,
        merchant_id: scanned.merchant_id,
    }))
}
