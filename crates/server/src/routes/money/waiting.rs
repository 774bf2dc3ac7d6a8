//! Payment-code charges waiting for the holder (WeChat's `USERPAYING`): the list the phone shows,
//! confirming one with the payment password, and declining one.

use super::idempotency::{IdempotencyHeader, idempotency_key, idempotent_with_pin};
use super::moves::{caller, pay_reply_json};
use super::origin::{origin, take_proof};
use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qianbao_api_types::{
    ConfirmChargeRequest, PayReply, PendingChargeBody, PendingChargeList, Problem,
};

/// The charges waiting for the holder's confirmation, oldest first (also announced on the
/// notification stream as a `pending_charge` notification).
#[utoipa::path(get, path = "/v1/me/pending-charges", tag = "money", security(("session" = [])),
    responses((status = 200, description = "The charges still waiting", body = PendingChargeList)))]
pub async fn pending_charges(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<PendingChargeList>, ApiError> {
    let items = state
        .money
        .pending_charges(&state.storage, &me.holder)
        .await?
        .into_iter()
        .map(|p| PendingChargeBody {
            payment_id: p.charge.id,
            merchant_name: p.merchant_name,
            amount: p.charge.amount.minor(),
            currency: p.charge.currency.as_str().into(),
            description: p.charge.description,
            expires_at: rfc3339(p.charge.expires_ms),
        })
        .collect();
    Ok(Json(PendingChargeList { items }))
}

/// Confirms a waiting charge with the payment password: the merchant is paid, under the
/// charge's id, through the rules of any merchant payment (limits, balance, risk control).
#[utoipa::path(post, path = "/v1/me/pending-charges/{id}/confirm", tag = "money", security(("session" = [])),
    request_body = ConfirmChargeRequest,
    params(("id" = String, Path, description = "The charge's `payment_id`"), IdempotencyHeader),
    responses(
        (status = 201, description = "Paid", body = PayReply),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`); `step_up_required` (with `methods` and `reason`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`risk_blocked` (with `reason`), `account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such charge for this holder", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`charge_not_awaiting`: confirmed or declined already", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`charge_expired`: it lapsed unconfirmed; nothing was paid", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`insufficient_balance`, `limit_exceeded`, `merchant_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<ConfirmChargeRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
    let key = idempotency_key(
        &state,
        &headers,
        caller(&me),
        &format!("pending-charge-confirm:{id}"),
        &body,
    );
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
                // A charge that no longer waits is refused before the PIN is tried.
                s.money.awaiting_charge(&s.storage, &me.holder, &id).await?;
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .confirm_charge(&s.storage, &me.holder, &id, &origin, &key, render)
                    .await
            })
        },
    )
    .await
}

/// Declines a waiting charge: nothing moves, and the merchant sees `declined`.
#[utoipa::path(post, path = "/v1/me/pending-charges/{id}/decline", tag = "money", security(("session" = [])),
    params(("id" = String, Path, description = "The charge's `payment_id`")),
    responses(
        (status = 204, description = "Declined (declining again is no change)"),
        (status = 404, description = "`not_found`: no such charge for this holder", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`charge_not_awaiting`: confirmed already", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`charge_expired`: it lapsed already", body = Problem, content_type = "application/problem+json")))]
pub async fn decline(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .money
        .decline_charge(&state.storage, &me.holder, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
