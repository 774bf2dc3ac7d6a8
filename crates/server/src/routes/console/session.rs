//! Staff set-up (the one-time link: a password, then a mandatory TOTP), sign-in with all three
//! factors, sign-out, and who is signed in.

use super::views::staff_view;
use crate::auth::CurrentStaff;
use crate::cookies;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::money::codes::qr_svg;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::console::{
    StaffMe, StaffSession, StaffSetupConfirm, StaffSetupRequest, StaffSignInRequest,
    StaffTotpSecret, StaffView,
};

/// Sets the console password from a set-up link; answers the TOTP secret for the app.
#[utoipa::path(post, path = "/v1/console/setup", tag = "console", request_body = StaffSetupRequest,
    responses((status = 200, description = "The TOTP secret, shown once; set-up ends with a first code", body = StaffTotpSecret),
              (status = 404, description = "`setup_invalid`: unknown, used or expired link", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`password_weak`", body = Problem, content_type = "application/problem+json")))]
pub async fn start_setup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<StaffSetupRequest>,
) -> Result<Json<StaffTotpSecret>, ApiError> {
    let totp = state
        .console
        .start_setup(&state.storage, &body.token, &body.password)
        .await?;
    let qr_svg = qr_svg(&totp.otpauth_uri);
    Ok(Json(StaffTotpSecret {
        secret: totp.secret,
        otpauth_uri: totp.otpauth_uri,
        qr_svg,
    }))
}

/// Finishes set-up with a first code from the authenticator app.
#[utoipa::path(post, path = "/v1/console/setup/confirm", tag = "console", request_body = StaffSetupConfirm,
    responses((status = 200, description = "Set up: the account can sign in", body = StaffView),
              (status = 404, description = "`setup_invalid`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`totp_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_setup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<StaffSetupConfirm>,
) -> Result<Json<StaffView>, ApiError> {
    let staff = state
        .console
        .confirm_setup(&state.storage, &body.token, &body.code)
        .await?;
    Ok(Json(staff_view(&staff)))
}

/// Signs a staff member in: phone, password and TOTP code. The token comes in the body and as
/// the console page's `HttpOnly` cookie.
#[utoipa::path(post, path = "/v1/console/sessions", tag = "console", request_body = StaffSignInRequest,
    responses((status = 201, description = "Signed in", body = StaffSession),
              (status = 401, description = "`invalid_credentials` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`login_locked`: another admin must unlock it", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    State(state): State<AppState>,
    request: HeaderMap,
    ApiJson(body): ApiJson<StaffSignInRequest>,
) -> Result<Response, ApiError> {
    let signed_in = state
        .console
        .sign_in(&state.storage, &body.phone, &body.password, &body.totp)
        .await?;
    let mut response = (
        StatusCode::CREATED,
        Json(StaffSession {
            token: signed_in.token.clone(),
            staff: staff_view(&signed_in.staff),
        }),
    )
        .into_response();
    cookies::set_credential(
        response.headers_mut(),
        &request,
        cookies::CONSOLE_COOKIE,
        &signed_in.token,
    );
    cookies::ensure_csrf(
        response.headers_mut(),
        &request,
        &state.opening.ctx.keys,
        &state.opening.ctx.ids,
    );
    Ok(response)
}

/// Ends the console session and clears its cookie.
#[utoipa::path(delete, path = "/v1/console/sessions/current", tag = "console", security(("session" = [])),
    responses((status = 204, description = "Signed out"),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(
    State(state): State<AppState>,
    request: HeaderMap,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Response, ApiError> {
    state.console.sign_out(&state.storage, &staff).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::clear_credential(response.headers_mut(), &request, cookies::CONSOLE_COOKIE);
    Ok(response)
}

/// Who is signed in, and what their role allows.
#[utoipa::path(get, path = "/v1/console/me", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The staff member", body = StaffMe),
              (status = 401, description = "`unauthorized`: no staff session (holder tokens and merchant keys included)", body = Problem, content_type = "application/problem+json")))]
pub async fn me(CurrentStaff(staff): CurrentStaff) -> Json<StaffMe> {
    Json(StaffMe {
        staff: staff_view(&staff.record),
        permissions: staff.permissions.iter().map(|p| p.to_string()).collect(),
    })
}
