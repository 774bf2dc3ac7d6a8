//! The TOTP second factor (双因素认证): enrolling, confirming with a first code, turning it off
//! with the payment password, and whether it is on.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::money::codes::qr_svg;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use qianbao_api_types::{PinOnly, Problem, TotpConfirmRequest, TotpEnrolled, TotpStatus};

/// Whether the TOTP second factor is on.
#[utoipa::path(get, path = "/v1/me/totp", tag = "second factor", security(("session" = [])),
    responses((status = 200, description = "Whether TOTP is on", body = TotpStatus),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json")))]
pub async fn totp_status(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<TotpStatus>, ApiError> {
    let enabled = state
        .kyc
        .totp_enabled(&state.storage, &me.holder.id)
        .await?;
    Ok(Json(TotpStatus { enabled }))
}

/// Makes a new TOTP secret for the holder's authenticator app. It guards nothing until a first
/// code confirms it; enrolling again before that replaces it.
#[utoipa::path(post, path = "/v1/me/totp", tag = "second factor", security(("session" = [])),
    responses((status = 200, description = "The secret, its `otpauth://` URI and that URI as a QR code; shown once", body = TotpEnrolled),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`totp_already_enabled`: turn it off first", body = Problem, content_type = "application/problem+json")))]
pub async fn enrol_totp(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<TotpEnrolled>, ApiError> {
    let enrolment = state.kyc.enrol_totp(&state.storage, &me.holder).await?;
    let qr_svg = qr_svg(&enrolment.otpauth_uri);
    Ok(Json(TotpEnrolled {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
        qr_svg,
    }))
}

/// Turns TOTP on with the first code the app shows.
#[utoipa::path(post, path = "/v1/me/totp/confirm", tag = "second factor", security(("session" = [])), request_body = TotpConfirmRequest,
    responses((status = 204, description = "TOTP is on: logins and risky payments need a code"),
              (status = 401, description = "`totp_invalid` (with `attempts_left`), `unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`totp_not_enabled`: nothing enrolled; `totp_already_enabled`: on already", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_totp(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<TotpConfirmRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .kyc
        .confirm_totp(&state.storage, &me.holder, &body.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns TOTP off (or drops an unconfirmed enrolment); needs the payment password.
#[utoipa::path(delete, path = "/v1/me/totp", tag = "second factor", security(("session" = [])), request_body = PinOnly,
    responses((status = 204, description = "TOTP is off"),
              (status = 401, description = "`pin_incorrect` (with `attempts_left`), `unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`pin_not_set`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`totp_not_enabled`: nothing to turn off", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn disable_totp(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<PinOnly>,
) -> Result<StatusCode, ApiError> {
    state
        .kyc
        .disable_totp(&state.storage, &me.holder, &body.pin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
