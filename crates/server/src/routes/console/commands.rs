//! Four eyes from the console: proposing a sensitive action as a command, listing what waits,
//! approving (the stored payload runs) and rejecting. A direct freeze, whose undoing is a command.

use super::views::command_view;
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qianbao_api_types::Problem;
use qianbao_api_types::console::{CommandRequest, CommandView, HolderRow, ReasonBody};
use qianbao_wallet::console::ConsoleError;
use qianbao_wallet::console::commands::Command;
use qianbao_wallet::records::CommandStatus;
use serde::Deserialize;

/// Stores a sensitive action as a pending command, for a different staff member to approve.
#[utoipa::path(post, path = "/v1/console/commands", tag = "console", security(("session" = [])), request_body = CommandRequest,
    responses((status = 201, description = "Pending", body = CommandView),
              (status = 403, description = "`permission_denied`; `not_allowed_on_self` (one's own role)", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`: no such holder or staff member", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`command_pending`: one already waits for this action and entity (for `policy_change`, entity `policy`: one at a time)", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed` (for `policy_change`, with what the policy file's rules refuse; for `close_account`, no waiting closing request of the holder's for that card), `role_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn propose(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    ApiJson(body): ApiJson<CommandRequest>,
) -> Result<(StatusCode, Json<CommandView>), ApiError> {
    let command: Command = serde_json::from_value(body.command).map_err(|_| {
        ConsoleError::Invalid(
            "command is {kind: unfreeze, holder_id}, {kind: adjustment, holder_id or \
             merchant_id, amount, currency, case_id?}, {kind: refund, payment_id, amount}, \
             {kind: role_change, staff_id, role}, {kind: policy_change, policy} or \
             {kind: close_account, holder_id, card_id}",
        )
    })?;
    let record = state
        .console
        .propose(&state.storage, &staff, command, &body.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(command_view(record))))
}

/// `?status=pending&entity=holder:<id>`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CommandFilter {
    /// `pending`, `done`, `failed`, `rejected` or `expired`.
    pub status: Option<String>,
    /// `holder:<id>` or `staff:<id>`.
    pub entity: Option<String>,
}

/// Commands, newest first, of the groups the caller may view.
#[utoipa::path(get, path = "/v1/console/commands", tag = "console", security(("session" = [])), params(CommandFilter),
    responses((status = 200, description = "Commands", body = [CommandView]),
              (status = 422, description = "`validation_failed`: unknown status", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Query(filter): Query<CommandFilter>,
) -> Result<Json<Vec<CommandView>>, ApiError> {
    let status = match filter.status.as_deref() {
        None => None,
        Some(text) => Some(CommandStatus::parse(text).ok_or(ConsoleError::Invalid(
            "status is pending, done, failed, rejected or expired",
        ))?),
    };
    let all = state
        .console
        .commands(&state.storage, &staff, status, filter.entity)
        .await?;
    Ok(Json(all.into_iter().map(command_view).collect()))
}

/// Approves a pending command: its stored payload runs, in the same transaction.
#[utoipa::path(post, path = "/v1/console/commands/{id}/approve", tag = "console", security(("session" = [])),
    params(("id" = String, Path, description = "The command")),
    responses((status = 200, description = "Decided: `done`, or `failed` when the rules refused the payload (nothing changed)", body = CommandView),
              (status = 403, description = "`own_command`: the maker may not approve it; `permission_denied`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`command_decided`, `command_expired`", body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<CommandView>, ApiError> {
    let record = state
        .console
        .approve(&state.storage, &state.money, &staff, &id)
        .await?;
    if record.action == "policy_change" && record.status == CommandStatus::Done {
        // In force at once on this node; other nodes follow within the policy worker's poll. The
        // version is stored either way: a failure here only delays it (the worker retries).
        if let Err(e) = state.live.refresh(&state.storage, &state.money).await {
            tracing::warn!(error = %e, "an approved policy version is not in force yet; will retry");
        }
    }
    Ok(Json(command_view(record)))
}

/// Rejects a pending command; nothing runs.
#[utoipa::path(post, path = "/v1/console/commands/{id}/reject", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The command")),
    responses((status = 200, description = "Rejected", body = CommandView),
              (status = 409, description = "`command_decided`", body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<CommandView>, ApiError> {
    let record = state
        .console
        .reject(&state.storage, &staff, &id, &body.reason)
        .await?;
    Ok(Json(command_view(record)))
}

/// Freezes a holder's wallet at once; unfreezing it is a four-eyes command.
#[utoipa::path(post, path = "/v1/console/holders/{id}/freeze", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The holder")),
    responses((status = 200, description = "Frozen", body = HolderRow),
              (status = 403, description = "`permission_denied`: needs holders.manage", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason, or not active", body = Problem, content_type = "application/problem+json")))]
pub async fn freeze(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<HolderRow>, ApiError> {
    let holder = state
        .console
        .freeze_holder(&state.storage, &staff, &id, &body.reason)
        .await?;
    Ok(Json(super::views::holder_row(&holder, None)))
}
