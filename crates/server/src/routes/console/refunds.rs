//! A refund on a merchant's behalf from the console: at once up to the operator's threshold
//! (`console_refund_four_eyes_from`), a four-eyes command above it.

use super::views::command_view;
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::money::idempotency::{IdempotencyHeader, idempotency_key, idempotent};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::console::CommandView;
use qianbao_api_types::console_money::{ConsoleRefundRequest, ConsoleRefundView};
use qianbao_wallet::console::refunds::OnBehalf;
use qianbao_wallet::money::merchant::RefundDone;

/// Refunds (part of) a merchant payment on the merchant's behalf, by the merchant's own refund
/// rules (never more than the payment less what was refunded). Up to the threshold it runs at
/// once (201); above it, it waits as a `refund` command for a different staff member (202).
#[utoipa::path(post, path = "/v1/console/payments/{payment_id}/refund", operation_id = "console_refund", tag = "console", security(("session" = [])), request_body = ConsoleRefundRequest,
    params(("payment_id" = String, Path, description = "The merchant payment"), IdempotencyHeader),
    responses((status = 201, description = "Refunded", body = ConsoleRefundView),
              (status = 202, description = "Above the threshold: a pending four-eyes command", body = CommandView),
              (status = 403, description = "`permission_denied`: needs money.manage; `account_frozen`, `account_restricted`: the shop's owner", body = Problem, content_type = "application/problem+json"),
              (status = 400, description = "`idempotency_key_required`, `idempotency_key_invalid` (a refund made at once needs the header)", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`: no such payment", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`command_pending`: a refund of this payment already waits", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`refund_exceeds_payment`, `insufficient_balance` (the merchant's), `validation_failed`", body = Problem, content_type = "application/problem+json")))]
pub async fn refund(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    headers: HeaderMap,
    Path(payment_id): Path<String>,
    ApiJson(body): ApiJson<ConsoleRefundRequest>,
) -> Result<Response, ApiError> {
    let decided = state
        .console
        .refund_on_behalf(
            &state.storage,
            &staff,
            &payment_id,
            body.amount,
            &body.reason,
        )
        .await?;
    let (refund, reason) = match decided {
        OnBehalf::Pending(record) => {
            return Ok((StatusCode::ACCEPTED, Json(command_view(record))).into_response());
        }
        OnBehalf::Now { refund, reason } => (refund, reason),
    };
    // Keys are per staff member, and the payment is part of what the key stands for.
    let key = idempotency_key(
        &state,
        &headers,
        format!("staff:{}", staff.record.id),
        "console_refund",
        &(&payment_id, &body),
    );
    let s = state.clone();
    Ok(idempotent(
        &state,
        key,
        StatusCode::CREATED,
        refund_reply,
        |render, key| {
            Box::pin(async move {
                s.console
                    .refund_now(
                        &s.storage,
                        &s.money,
                        &staff,
                        &payment_id,
                        refund,
                        &reason,
                        &key,
                        render,
                    )
                    .await
            })
        },
    )
    .await)
}

/// The reply to a refund made at once (stored with its key, sent again on a retry).
fn refund_reply(done: RefundDone) -> String {
    serde_json::to_string(&ConsoleRefundView {
        refund_id: done.refund_id,
        status: done.status.as_str().into(),
        amount: done.amount.minor(),
    })
    .unwrap_or_default()
}
