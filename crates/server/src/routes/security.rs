//! Freezing a lost wallet, unfreezing it, and resetting a forgotten login password.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use qianbao_api_types::{
    FreezeRequest, PasswordResetRequest, Problem, UnfreezeRequest, WalletStatus,
};
use qianbao_wallet::opening::OpeningError;
use qianbao_wallet::security::FreezeProof;

fn status(s: &str) -> Json<WalletStatus> {
    Json(WalletStatus { status: s.into() })
}

/// Freezes the caller's wallet: no money leaves it until it is unfrozen.
#[utoipa::path(post, path = "/v1/me/freeze", tag = "security", security(("session" = [])),
    responses((status = 200, description = "Frozen", body = WalletStatus)))]
pub async fn freeze(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<WalletStatus>, ApiError> {
    state.opening.freeze(&state.storage, &me.holder.id).await?;
    Ok(status("frozen"))
}

/// Freezes a wallet from any browser when the phone is lost: phone + password, or phone + SMS code
/// (purpose `freeze`) + ID number.
#[utoipa::path(post, path = "/v1/freeze", tag = "security", request_body = FreezeRequest,
    responses((status = 200, description = "Frozen", body = WalletStatus),
              (status = 401, description = "`invalid_credentials` (with `field: \"password\"` and `attempts_left`): the login password is wrong", body = Problem, content_type = "application/problem+json"),
              (status = 400, description = "`otp_invalid`, `otp_expired`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`identity_mismatch` (with `attempts_left`: the code's tries), `invalid_request`", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`login_locked`", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "`rate_limited` (with `retry_after`): too many wrong identity answers for this phone today", body = Problem, content_type = "application/problem+json")))]
pub async fn freeze_by_phone(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<FreezeRequest>,
) -> Result<Json<WalletStatus>, ApiError> {
    let proof = match (&body.password, &body.otp, &body.id_number) {
        (Some(password), None, _) => FreezeProof::Password(password),
        (None, Some(code), Some(id_number)) => FreezeProof::Code { code, id_number },
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "Send phone with password, or phone with otp and id_number.",
            ));
        }
    };
    state
        .opening
        .freeze_by_phone(&state.storage, &body.phone, proof)
        .await?;
    Ok(status("frozen"))
}

/// Unfreezes the caller's wallet with an SMS code (purpose `unfreeze`), the ID number and the password.
#[utoipa::path(post, path = "/v1/me/unfreeze", tag = "security", security(("session" = [])), request_body = UnfreezeRequest,
    responses((status = 200, description = "Active again", body = WalletStatus),
              (status = 400, description = "`otp_invalid`, `otp_expired`", body = Problem, content_type = "application/problem+json"),
              (status = 401, description = "`invalid_credentials`", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`unfreeze_waiting` (with `retry_after`): the password was reset within 24 h; the owner is told by SMS and in the inbox", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`identity_mismatch` (with `attempts_left`: the code's tries)", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "`rate_limited` (with `retry_after`): too many wrong identity answers for this phone today", body = Problem, content_type = "application/problem+json")))]
pub async fn unfreeze(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<UnfreezeRequest>,
) -> Result<Json<WalletStatus>, ApiError> {
    state
        .opening
        .unfreeze(
            &state.storage,
            &me.holder,
            &body.otp,
            &body.id_number,
            &body.password,
        )
        .await
        .map_err(|e| match e {
            // The phone is the session's: only the password can be wrong.
            OpeningError::InvalidCredentials { .. } => ApiError::from(e)
                .field("password")
                .with_detail("The login password is wrong."),
            other => other.into(),
        })?;
    Ok(status("active"))
}

/// Resets a forgotten login password; unlocks login and logs every device out.
#[utoipa::path(post, path = "/v1/password/reset", tag = "security", request_body = PasswordResetRequest,
    responses((status = 204, description = "Reset; login unlocked"),
              (status = 400, description = "`otp_invalid`, `otp_expired`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`identity_mismatch` (with `attempts_left`: the code's tries), `password_weak`", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "`rate_limited` (with `retry_after`): too many wrong identity answers for this phone today", body = Problem, content_type = "application/problem+json")))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .opening
        .reset_password(
            &state.storage,
            &body.phone,
            &body.otp,
            body.id_number.as_deref(),
            &body.new_password,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
