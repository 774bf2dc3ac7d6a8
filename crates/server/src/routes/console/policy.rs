//! The operator's policy from the console: the policy in force and its versions. Changing it is a
//! four-eyes `policy_change` command (`POST /v1/console/commands`).

use super::views::policy_version_view;
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::Problem;
use qianbao_api_types::console::PolicyVersionView;

/// The policy in force, in the policy file's shape (every key; amounts in fen).
#[utoipa::path(get, path = "/v1/console/policy", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The policy in force: `levels`, `fees`, `password_free_payment`, `risk`, … as in the policy file", body = Object),
              (status = 403, description = "`permission_denied`: needs policy.view", body = Problem, content_type = "application/problem+json")))]
pub async fn policy(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(state.console.policy(&state.storage, &staff).await?))
}

/// The policy's versions, newest first.
#[utoipa::path(get, path = "/v1/console/policy/versions", tag = "console", security(("session" = [])),
    responses((status = 200, description = "Versions, newest first", body = [PolicyVersionView]),
              (status = 403, description = "`permission_denied`: needs policy.view", body = Problem, content_type = "application/problem+json")))]
pub async fn versions(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<PolicyVersionView>>, ApiError> {
    let all = state
        .console
        .policy_versions(&state.storage, &staff)
        .await?;
    Ok(Json(all.into_iter().map(policy_version_view).collect()))
}
