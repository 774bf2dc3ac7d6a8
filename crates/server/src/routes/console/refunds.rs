//! A refund on a merchant's behalf from the console: at once up to the operator's threshold
//! (`console_refund_four_eyes_from`), a four-eyes command above it.

use super::views::command_view;
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::console::CommandView;
use qianbao_api_types::console_money::{ConsoleRefundRequest, ConsoleRefundView};
use qianbao_wallet::console::refunds::OnBehalf;

/// Refunds (part of) a merchant payment on the merchant's behalf, by the merchant's own refund
/// rules (never more than the payment less what was refunded). Up to the threshold it runs at
/// once (201); above it, it waits as a `refund` command for a different staff member (202).
#[utoipa::path(post, path = "/v1/console/payments/{payment_id}/refund", operation_id = "console_refund", tag = "console", security(("session" = [])), request_body = ConsoleRefundRequest,
    params(("payment_id" = String, Path, description = "The merchant payment")),
    responses((status = 201, description = "Refunded", body = ConsoleRefundView),
              (status = 202, description = "Above the threshold: a pending four-eyes command", body = CommandView),
              (status = 403, description = "`permission_denied`: needs money.manage; `account_frozen`, `account_restricted`: the shop's owner", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`: no such payment", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`command_pending`: a refund of this payment already waits", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`refund_exceeds_payment`, `insufficient_balance` (the merchant's), `validation_failed`", body = Problem, content_type = "application/problem+json")))]
pub async fn refund(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(payment_id): Path<String>,
    ApiJson(body): ApiJson<ConsoleRefundRequest>,
) -> Result<Response, ApiError> {
    let done = state
        .console
        .refund_on_behalf(
            &state.storage,
            &state.money,
            &staff,
            &payment_id,
            body.amount,
            &body.reason,
        )
        .await?;
    Ok(match done {
        OnBehalf::Refunded(done) => (
            StatusCode::CREATED,
            Json(ConsoleRefundView {
                refund_id: done.refund_id,
                payment_id,
                status: done.status.as_str().into(),
                amount: done.amount.minor(),
            }),
        )
            .into_response(),
        OnBehalf::Pending(record) => {
            (StatusCode::ACCEPTED, Json(command_view(record))).into_response()
        }
    })
}
