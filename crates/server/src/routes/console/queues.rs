//! The console's risk queue: skim it (every case and who is working it), take a case or the next
//! free one, and release or reject it with a label. The use case checks the permission, the lock
//! and writes the decision, the label and the audit line together.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::console::{CaseDecided, CaseDecisionBody, RiskCaseView};
use qianbao_wallet::console::ConsoleError;
use qianbao_wallet::console::queues::{CaseDecision, RiskCase};
use qianbao_wallet::money::records::RiskLabel;
use qianbao_wallet::money::review::Review;

fn case_view(c: RiskCase) -> RiskCaseView {
    let m = c.held.movement;
    RiskCaseView {
        movement_id: m.id,
        holder_id: m.owner_id,
        kind: m.kind.as_str().into(),
        amount: m.amount.minor(),
        currency: m.currency.as_str().into(),
        counterparty: m.counterparty,
        reason: c.held.reason,
        trace: c
            .held
            .trace
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default(),
        created_at: rfc3339(m.created_ms),
        expires_at: rfc3339(c.held.expires_ms),
        locked_by: c.locked_by,
    }
}

/// Every payment held for review, oldest first, and who is working each.
#[utoipa::path(get, path = "/v1/console/queues/risk", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The queue", body = [RiskCaseView]),
              (status = 403, description = "`permission_denied`: needs risk.view", body = Problem, content_type = "application/problem+json")))]
pub async fn risk_queue(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<RiskCaseView>>, ApiError> {
    let queue = state
        .console
        .risk_queue(&state.storage, &state.money, &staff)
        .await?;
    Ok(Json(queue.into_iter().map(case_view).collect()))
}

/// Takes the oldest case nobody else is working; 204 when there is none.
#[utoipa::path(post, path = "/v1/console/queues/risk/next", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The case, now the caller's for 15 minutes", body = RiskCaseView),
              (status = 204, description = "Nothing free to take"),
              (status = 403, description = "`permission_denied`: needs risk.manage", body = Problem, content_type = "application/problem+json")))]
pub async fn next(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Response, ApiError> {
    Ok(
        match state
            .console
            .next_risk_case(&state.storage, &state.money, &staff)
            .await?
        {
            Some(case) => Json(case_view(case)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// Takes one case.
#[utoipa::path(post, path = "/v1/console/queues/risk/{id}/take", tag = "console", security(("session" = [])),
    params(("id" = String, Path, description = "The held payment")),
    responses((status = 200, description = "The case, now the caller's", body = RiskCaseView),
              (status = 404, description = "`not_found`: not held", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`case_locked`: another reviewer is working it", body = Problem, content_type = "application/problem+json")))]
pub async fn take(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<RiskCaseView>, ApiError> {
    let case = state
        .console
        .take_risk_case(&state.storage, &state.money, &staff, &id)
        .await?;
    Ok(Json(case_view(case)))
}

async fn decide(
    state: &AppState,
    staff: &qianbao_wallet::console::staff::Staff,
    id: &str,
    review: Review,
    body: CaseDecisionBody,
) -> Result<Json<CaseDecided>, ApiError> {
    let label = match body.label.as_deref() {
        None => None,
        Some(text) => Some(RiskLabel::parse(text).ok_or(ConsoleError::Invalid(
            "label is confirmed_fraud, false_positive or valuable_alert",
        ))?),
    };
    let status = state
        .console
        .decide_risk_case(
            &state.storage,
            &state.money,
            staff,
            id,
            CaseDecision {
                review,
                label,
                reason: body.reason,
            },
        )
        .await?;
    Ok(Json(CaseDecided {
        movement_id: id.to_string(),
        status: status.as_str().into(),
    }))
}

/// Releases a held payment (its hold is posted; a withdrawal goes on to the bank).
#[utoipa::path(post, path = "/v1/console/queues/risk/{id}/release", tag = "console", security(("session" = [])), request_body = CaseDecisionBody,
    params(("id" = String, Path, description = "The held payment")),
    responses((status = 200, description = "Released", body = CaseDecided),
              (status = 409, description = "`case_locked`, `case_decided`", body = Problem, content_type = "application/problem+json")))]
pub async fn release(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseDecisionBody>,
) -> Result<Json<CaseDecided>, ApiError> {
    decide(&state, &staff, &id, Review::Release, body).await
}

/// Rejects a held payment (its hold is voided; the money is back with the payer).
#[utoipa::path(post, path = "/v1/console/queues/risk/{id}/reject", tag = "console", security(("session" = [])), request_body = CaseDecisionBody,
    params(("id" = String, Path, description = "The held payment")),
    responses((status = 200, description = "Rejected", body = CaseDecided),
              (status = 409, description = "`case_locked`, `case_decided`", body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseDecisionBody>,
) -> Result<Json<CaseDecided>, ApiError> {
    decide(&state, &staff, &id, Review::Reject, body).await
}
