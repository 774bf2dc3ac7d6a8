//! Staff and roles from the console: listing and adding staff (with a one-time set-up link),
//! unlocking an account, changing a role, and custom roles. Each call's permission is checked by
//! the use case, and a refusal is audited there.

use super::views::staff_view;
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use qianbao_api_types::Problem;
use qianbao_api_types::console::{
    RoleDefine, RoleView, StaffAddRequest, StaffAdded, StaffChange, StaffView,
};
use qianbao_wallet::console::BuiltInRole;
use qianbao_wallet::console::staff::AddedStaff;

/// The one-time set-up link: the token rides in the fragment, which browsers never send to a
/// server, so it stays out of access logs and `Referer` headers.
pub fn setup_link(base: &str, token: &str) -> String {
    format!("{}/console#setup={token}", base.trim_end_matches('/'))
}

/// The base of links the server hands out: the request's own origin.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// What `staff add` answers, on the console and the command line alike.
pub fn added_view(added: &AddedStaff, base: &str) -> StaffAdded {
    StaffAdded {
        staff: staff_view(&added.record),
        setup_link: setup_link(base, &added.setup_token),
        setup_token: added.setup_token.clone(),
        expires_at: rfc3339(added.record.setup_expires_ms),
    }
}

/// Every staff member.
#[utoipa::path(get, path = "/v1/console/staff", tag = "console", security(("session" = [])),
    responses((status = 200, description = "Staff, oldest first", body = [StaffView]),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`permission_denied`: needs staff.view", body = Problem, content_type = "application/problem+json")))]
pub async fn list_staff(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<StaffView>>, ApiError> {
    let all = state
        .console
        .list_staff(&state.storage, Some(&staff))
        .await?;
    Ok(Json(all.iter().map(staff_view).collect()))
}

/// Adds a staff member; answers the one-time set-up link to hand them.
#[utoipa::path(post, path = "/v1/console/staff", tag = "console", security(("session" = [])), request_body = StaffAddRequest,
    responses((status = 201, description = "Added, pending set-up", body = StaffAdded),
              (status = 403, description = "`permission_denied`: needs staff.manage", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`phone_taken`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`role_invalid`, `phone_invalid`, `validation_failed`", body = Problem, content_type = "application/problem+json")))]
pub async fn add_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    CurrentStaff(staff): CurrentStaff,
    ApiJson(body): ApiJson<StaffAddRequest>,
) -> Result<(StatusCode, Json<StaffAdded>), ApiError> {
    let added = state
        .console
        .add_staff(
            &state.storage,
            Some(&staff),
            &body.phone,
            &body.name,
            &body.role,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(added_view(&added, &origin(&headers))),
    ))
}

/// Unlocks an account locked by wrong tries (never one's own).
#[utoipa::path(post, path = "/v1/console/staff/{id}/unlock", tag = "console", security(("session" = [])), request_body = StaffChange,
    params(("id" = String, Path, description = "The staff member")),
    responses((status = 200, description = "Unlocked", body = StaffView),
              (status = 403, description = "`permission_denied`, `not_allowed_on_self`", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn unlock_staff(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffChange>,
) -> Result<Json<StaffView>, ApiError> {
    let unlocked = state
        .console
        .unlock(&state.storage, Some(&staff), &id, &body.reason)
        .await?;
    Ok(Json(staff_view(&unlocked)))
}

/// Every role: the four built in, and the custom ones.
#[utoipa::path(get, path = "/v1/console/roles", tag = "console", security(("session" = [])),
    responses((status = 200, description = "Roles", body = [RoleView]),
              (status = 403, description = "`permission_denied`: needs staff.view", body = Problem, content_type = "application/problem+json")))]
pub async fn roles(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    let custom = state.console.custom_roles(&state.storage, &staff).await?;
    let mut all: Vec<RoleView> = BuiltInRole::ALL
        .iter()
        .map(|r| RoleView {
            name: r.as_str().into(),
            built_in: true,
            permissions: r.permissions().iter().map(|p| p.to_string()).collect(),
        })
        .collect();
    for custom in custom {
        all.push(RoleView {
            name: custom.name,
            built_in: false,
            permissions: custom
                .permissions
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    Ok(Json(all))
}

/// Defines or redefines a custom role.
#[utoipa::path(post, path = "/v1/console/roles", tag = "console", security(("session" = [])), request_body = RoleDefine,
    responses((status = 200, description = "Defined", body = RoleView),
              (status = 403, description = "`permission_denied`: needs staff.manage", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`role_invalid`, `validation_failed`", body = Problem, content_type = "application/problem+json")))]
pub async fn define_role(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    ApiJson(body): ApiJson<RoleDefine>,
) -> Result<Json<RoleView>, ApiError> {
    let role = state
        .console
        .define_role(
            &state.storage,
            &staff,
            &body.name,
            &body.permissions.join(","),
        )
        .await?;
    Ok(Json(RoleView {
        name: role.name,
        built_in: false,
        permissions: role
            .permissions
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
    }))
}
