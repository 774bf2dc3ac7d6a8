//! Closing a wallet (注销) from the app.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use qianbao_api_types::{CloseRequest, Problem, WalletStatus};
use qianbao_wallet::closing::CloseProof;

/// Closes the caller's wallet for good, with the payment password and an SMS code of purpose
/// `close`: only when nothing is left in it or on its way. Every session ends; the records stay.
#[utoipa::path(post, path = "/v1/me/close", tag = "security", security(("session" = [])), request_body = CloseRequest,
    responses((status = 200, description = "Closed: every session of the holder has ended", body = WalletStatus),
              (status = 400, description = "`otp_invalid` (with `attempts_left` once a code was asked for), `otp_expired`", body = Problem, content_type = "application/problem+json"),
              (status = 401, description = "`pin_incorrect` (with `attempts_left`); `invalid_credentials` for the login password of a wallet without a payment password; `unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`close_blocked`, with `blockers`: `[{kind, detail, detail_zh, amount?, currency?}]`, `kind` one of `balance`, `hold`, `scheduled_transfer`, `pending_topup`, `open_order`, `merchant_balance`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`pin_required`: the wallet has a payment password; `invalid_request`: neither `pin` nor `password` was sent", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`pin_locked`, `login_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn close(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<CloseRequest>,
) -> Result<Json<WalletStatus>, ApiError> {
    let proof = match (&body.pin, &body.password) {
        (Some(pin), _) => CloseProof::Pin(pin),
        (None, Some(password)) => CloseProof::Password(password),
        (None, None) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "Send the payment password as pin (or, for a wallet without one, the login \
                 password as password) and an SMS code of purpose close as otp.",
            )
            .field("pin"));
        }
    };
    state
        .kyc
        .close_wallet(&state.storage, &me.holder, proof, body.otp.as_deref())
        .await?;
    Ok(Json(WalletStatus {
        status: "closed".into(),
    }))
}
