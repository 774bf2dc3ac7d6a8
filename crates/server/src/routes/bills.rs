//! Bill payment over HTTP (生活缴费): the billers, looking a bill up, paying it with the PIN, a
//! payment's receipt, and the holder's saved billers with auto-pay (`docs/bills.md`).

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::money::idempotency::{
    IdempotencyHeader, idempotency_key, idempotent_with_pin, json,
};
use crate::routes::money::moves::caller;
use crate::routes::money::origin::{origin, take_proof};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qianbao_api_types::{
    AutopayBody, BillLookup, BillPaid, BillPayRequest, BillReceiptBody, BillerItem, BillerList,
    Problem, SaveBillerRequest, SavedBiller, SavedBillerList,
};
use qianbao_ledger::PositiveAmount;
use qianbao_wallet::bills::{Autopay, BillAccount, SavedBillerRecord};
use qianbao_wallet::money::{Done, MoneyError};
use serde::Deserialize;

/// An account number from the wire, else 422 `invalid_request` naming `field`.
fn account(text: &str, field: &'static str) -> Result<BillAccount, MoneyError> {
    BillAccount::parse(text).ok_or(MoneyError::InvalidField(field))
}

/// A saved biller on the wire.
fn saved(s: SavedBillerRecord) -> SavedBiller {
    SavedBiller {
        id: s.id,
        biller_id: s.biller_id,
        account: s.account,
        nickname: s.nickname,
        autopay: match (s.autopay_day, s.autopay_cap) {
            (Some(day), Some(cap)) => Some(AutopayBody {
                day,
                cap: cap.minor(),
            }),
            _ => None,
        },
    }
}

/// Every biller bills can be paid to.
#[utoipa::path(get, path = "/v1/billers", tag = "bills", security(("session" = [])),
    responses(
        (status = 200, description = "The billers", body = BillerList),
        (status = 503, description = "`biller_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn billers(
    State(state): State<AppState>,
    _me: CurrentHolder,
) -> Result<Json<BillerList>, ApiError> {
    let billers = state.money.billers().await?;
    Ok(Json(BillerList {
        billers: billers
            .into_iter()
            .map(|b| BillerItem {
                id: b.id,
                name: b.name,
                kind: b.kind.as_str().into(),
                city: b.city,
            })
            .collect(),
    }))
}

/// `?biller=…&account=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The biller's id (`GET /v1/billers`).
    pub biller: String,
    /// The account number, 6–20 digits.
    #[param(pattern = r"^[0-9]{6,20}$")]
    pub account: String,
}

/// Looks up the bill due on an account: what paying `bill_id` will pay.
#[utoipa::path(get, path = "/v1/bills/lookup", tag = "bills", security(("session" = [])), params(LookupQuery),
    responses(
        (status = 200, description = "The bill due", body = BillLookup),
        (status = 404, description = "`bill_not_found`: no such biller, account or bill", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`bill_already_paid`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: an account that is not 6–20 digits", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`biller_unavailable` (retry)", body = Problem, content_type = "application/problem+json")))]
pub async fn lookup(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<BillLookup>, ApiError> {
    let number = account(&query.account, "account")?;
    let bill = state
        .money
        .look_up_bill(&state.storage, &me.holder, &query.biller, &number)
        .await?;
    Ok(Json(BillLookup {
        bill_id: bill.id,
        amount: bill.amount.minor(),
        period: bill.period,
        masked_name: bill.masked_name,
        biller: bill.biller_id,
        biller_name: bill.biller_name,
        account: number.masked(),
        expires_at: rfc3339(bill.expires_ms),
    }))
}

/// The stored reply of a bill payment.
fn paid_json(done: Done) -> String {
    json(&BillPaid {
        id: done.id,
        status: done.status.as_str().into(),
        amount: done.amount.minor(),
    })
}

/// Pays a looked-up bill from the wallet with the payment password.
#[utoipa::path(post, path = "/v1/bills/{bill_id}/pay", tag = "bills", security(("session" = [])),
    params(("bill_id" = String, Path, description = "From `GET /v1/bills/lookup`"), IdempotencyHeader),
    request_body = BillPayRequest,
    responses(
        (status = 201, description = "Paid (`succeeded`), awaiting the biller (`pending`), or refused by the biller and refunded (`failed`)", body = BillPaid),
        (status = 401, description = "`pin_incorrect`; `step_up_required` (send it again with `second_factor`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`bill_not_found`: not the holder's look-up, or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`bill_already_paid`, `bill_amount_changed` (look it up again), `idempotency_conflict`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`biller_unavailable` (retry with the same key), `maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn pay(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(bill_id): Path<String>,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<BillPayRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
    // The bill is part of what the key answers for: the same key and PIN for another bill is
    // another request (`idempotency_conflict`), not a replay.
    let route = format!("bill_payment:{bill_id}");
    let key = idempotency_key(&state, &headers, caller(&me), &route, &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        paid_json,
        |render, key, pin_read| {
            Box::pin(async move {
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .pay_bill(
                        &s.storage, &me.holder, &bill_id, &origin, &key, render, false,
                    )
                    .await
            })
        },
    )
    .await
}

/// A bill payment's receipt: the biller, the account (masked), the period and the biller's
/// receipt reference.
#[utoipa::path(get, path = "/v1/me/bills/{id}", tag = "bills", security(("session" = [])),
    params(("id" = String, Path, description = "The payment's record id")),
    responses(
        (status = 200, description = "The receipt", body = BillReceiptBody),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn receipt(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<BillReceiptBody>, ApiError> {
    let r = state
        .money
        .bill_receipt(&state.storage, &me.holder, &id)
        .await?;
    Ok(Json(BillReceiptBody {
        id: r.id,
        biller: r.biller_id,
        biller_name: r.biller_name,
        account: r.account_masked,
        period: r.period,
        amount: r.amount.minor(),
        status: r.status.as_str().into(),
        receipt: r.receipt,
        autopay: r.autopay,
        created_at: rfc3339(r.created_ms),
    }))
}

/// The holder's saved billers.
#[utoipa::path(get, path = "/v1/me/billers", tag = "bills", security(("session" = [])),
    responses((status = 200, description = "Saved billers", body = SavedBillerList)))]
pub async fn saved_billers(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<SavedBillerList>, ApiError> {
    let list = state
        .money
        .saved_billers(&state.storage, &me.holder)
        .await?;
    Ok(Json(SavedBillerList {
        billers: list.into_iter().map(saved).collect(),
    }))
}

/// Saves a biller and account (saving the same again answers the one saved).
#[utoipa::path(post, path = "/v1/me/billers", tag = "bills", security(("session" = [])),
    request_body = SaveBillerRequest,
    responses(
        (status = 201, description = "Saved", body = SavedBiller),
        (status = 422, description = "`invalid_request`: unknown `biller_id`, bad `account` or `nickname`, or 20 saved already (`saved_billers`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`biller_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn save_biller(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<SaveBillerRequest>,
) -> Result<(StatusCode, Json<SavedBiller>), ApiError> {
    let number = account(&body.account, "account")?;
    let kept = state
        .money
        .save_biller(
            &state.storage,
            &me.holder,
            &body.biller_id,
            &number,
            body.nickname.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(saved(kept))))
}

/// Forgets a saved biller, auto-pay and all.
#[utoipa::path(delete, path = "/v1/me/billers/{id}", tag = "bills", security(("session" = [])),
    params(("id" = String, Path, description = "The saved biller's id")),
    responses(
        (status = 204, description = "Forgotten"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn forget_biller(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .money
        .forget_biller(&state.storage, &me.holder, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Switches auto-pay on: on `day` each month the bill is paid without the PIN if it is at most
/// `cap`; a bigger one is left to the holder, with a notice.
#[utoipa::path(put, path = "/v1/me/billers/{id}/autopay", tag = "bills", security(("session" = [])),
    params(("id" = String, Path, description = "The saved biller's id")),
    request_body = AutopayBody,
    responses(
        (status = 200, description = "Auto-pay on", body = SavedBiller),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: `day` not 1–28, or `cap` not positive", body = Problem, content_type = "application/problem+json")))]
pub async fn set_autopay(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AutopayBody>,
) -> Result<Json<SavedBiller>, ApiError> {
    let cap = PositiveAmount::new(body.cap)
        .filter(|c| c.amount() <= state.money.policy.amount_max_minor)
        .ok_or(MoneyError::InvalidField("cap"))?;
    let autopay = Autopay::new(body.day, cap).ok_or(MoneyError::InvalidField("day"))?;
    let kept = state
        .money
        .set_autopay(&state.storage, &me.holder, &id, Some(autopay))
        .await?;
    Ok(Json(saved(kept)))
}

/// Switches auto-pay off.
#[utoipa::path(delete, path = "/v1/me/billers/{id}/autopay", tag = "bills", security(("session" = [])),
    params(("id" = String, Path, description = "The saved biller's id")),
    responses(
        (status = 200, description = "Auto-pay off", body = SavedBiller),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn stop_autopay(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<SavedBiller>, ApiError> {
    let kept = state
        .money
        .set_autopay(&state.storage, &me.holder, &id, None)
        .await?;
    Ok(Json(saved(kept)))
}
