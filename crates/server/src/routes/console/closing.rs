//! The console's closing queue: holders waiting to close with the balance swept to a card. A
//! request is approved as a four-eyes `close_account` command (`POST /v1/console/commands`) or
//! rejected here; the use cases check the permission and write the audit line.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use qianbao_api_types::Problem;
use qianbao_api_types::console::{ClosingCaseView, ClosingRejectBody, ClosingRejected};
use qianbao_wallet::console::closing_queue::ClosingCase;

fn case_view(c: ClosingCase) -> ClosingCaseView {
    ClosingCaseView {
        request_id: c.request.id,
        holder_id: c.request.holder_id,
        phone_masked: c.phone_masked,
        balance: c.balance.minor(),
        currency: c.currency.as_str().into(),
        card_id: c.request.card_id,
        card_masked: c.card_masked,
        requested_at: rfc3339(c.request.requested_ms),
        command_id: c.command_id,
    }
}

/// The waiting closing requests, oldest first.
#[utoipa::path(get, path = "/v1/console/queues/closing", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The queue", body = [ClosingCaseView]),
              (status = 403, description = "`permission_denied`: needs holders.view", body = Problem, content_type = "application/problem+json")))]
pub async fn closing_queue(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<ClosingCaseView>>, ApiError> {
    let queue = state.console.closing_queue(&state.storage, &staff).await?;
    Ok(Json(queue.into_iter().map(case_view).collect()))
}

/// Rejects a waiting closing request; the holder is told the reason in their inbox.
#[utoipa::path(post, path = "/v1/console/queues/closing/{request_id}/reject", tag = "console", security(("session" = [])),
    params(("request_id" = String, Path, description = "The closing request")),
    request_body = ClosingRejectBody,
    responses((status = 200, description = "Rejected: the wallet stays open", body = ClosingRejected),
              (status = 403, description = "`permission_denied`: needs holders.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`: no such request", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`case_decided`: the request was approved or rejected already", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: a reason of 1 to 500 characters is needed", body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(request_id): Path<String>,
    ApiJson(body): ApiJson<ClosingRejectBody>,
) -> Result<Json<ClosingRejected>, ApiError> {
    let request = state
        .console
        .reject_closing(&state.storage, &staff, &request_id, &body.reason)
        .await?;
    Ok(Json(ClosingRejected {
        request_id: request.id,
        holder_id: request.holder_id,
        status: request.status.as_str().into(),
    }))
}
