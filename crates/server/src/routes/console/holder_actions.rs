//! What staff do to a holder's account at once: restrict and lift the restriction, end every
//! session, reset the login lock. Each needs `holders.manage` and a reason, checked and audited
//! by the use case.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use qianbao_api_types::Problem;
use qianbao_api_types::console::ReasonBody;
use qianbao_api_types::console_money::HolderActionView;
use qianbao_wallet::records::HolderRecord;

fn view(holder: &HolderRecord, sessions_ended: i64) -> HolderActionView {
    HolderActionView {
        holder_id: holder.id.clone(),
        status: holder.status.as_str().into(),
        login_locked: holder.login_locked,
        sessions_ended,
    }
}

/// Restricts an active wallet: it signs in and receives money, but pays and withdraws nothing
/// (`account_restricted`).
#[utoipa::path(post, path = "/v1/console/holders/{id}/restrict", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The holder")),
    responses((status = 200, description = "Restricted", body = HolderActionView),
              (status = 403, description = "`permission_denied`: needs holders.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason, or the wallet is not active", body = Problem, content_type = "application/problem+json")))]
pub async fn restrict(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<HolderActionView>, ApiError> {
    let holder = state
        .console
        .restrict_holder(&state.storage, &staff, &id, &body.reason)
        .await?;
    Ok(Json(view(&holder, 0)))
}

/// Lifts a restriction: the wallet is active again.
#[utoipa::path(post, path = "/v1/console/holders/{id}/unrestrict", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The holder")),
    responses((status = 200, description = "Active again", body = HolderActionView),
              (status = 403, description = "`permission_denied`: needs holders.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason, or the wallet is not restricted", body = Problem, content_type = "application/problem+json")))]
pub async fn unrestrict(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<HolderActionView>, ApiError> {
    let holder = state
        .console
        .unrestrict_holder(&state.storage, &staff, &id, &body.reason)
        .await?;
    Ok(Json(view(&holder, 0)))
}

/// Ends every live session of the holder: each device's token answers 401 from now on.
#[utoipa::path(post, path = "/v1/console/holders/{id}/sessions/end", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The holder")),
    responses((status = 200, description = "Ended; `sessions_ended` says how many", body = HolderActionView),
              (status = 403, description = "`permission_denied`: needs holders.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason", body = Problem, content_type = "application/problem+json")))]
pub async fn end_sessions(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<HolderActionView>, ApiError> {
    let done = state
        .console
        .end_holder_sessions(&state.storage, &staff, &id, &body.reason)
        .await?;
    Ok(Json(view(&done.holder, done.ended)))
}

/// Clears the login lock that wrong passwords set, and the count of them.
#[utoipa::path(post, path = "/v1/console/holders/{id}/login-lock/reset", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The holder")),
    responses((status = 200, description = "Unlocked", body = HolderActionView),
              (status = 403, description = "`permission_denied`: needs holders.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason", body = Problem, content_type = "application/problem+json")))]
pub async fn reset_login_lock(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<HolderActionView>, ApiError> {
    let holder = state
        .console
        .reset_holder_login_lock(&state.storage, &staff, &id, &body.reason)
        .await?;
    Ok(Json(view(&holder, 0)))
}
