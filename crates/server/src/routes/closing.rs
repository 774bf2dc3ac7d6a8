//! Closing a wallet (注销) from the app.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{ClosePending, CloseRequest, Problem, WalletStatus};
use qianbao_wallet::closing::{CloseAsked, CloseProof};

/// Closes the caller's wallet for good, with the payment password and an SMS code of purpose
/// `close`: only when nothing is left in it or on its way. Every session ends; the records stay.
/// With `sweep_to_card_id`, a wallet whose only blocker is its balance asks staff to sweep the
/// whole balance to that card (no fee) and close it: 202 with the request's id.
#[utoipa::path(post, path = "/v1/me/close", tag = "security", security(("session" = [])), request_body = CloseRequest,
    responses((status = 200, description = "Closed: every session of the holder has ended", body = WalletStatus),
              (status = 202, description = "`pending_review`: the closing request waits for staff (the console's closing queue), who sweep the balance to the card and close the wallet, or reject it", body = ClosePending),
              (status = 400, description = "`otp_invalid` (with `attempts_left` once a code was asked for), `otp_expired`", body = Problem, content_type = "application/problem+json"),
              (status = 401, description = "`pin_incorrect` (with `attempts_left`); `invalid_credentials` for the login password of a wallet without a payment password; `unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`close_pending`: a closing request waits already; `close_blocked`, with `blockers`: `[{kind, detail, detail_zh, amount?, currency?}]`, `kind` one of `balance`, `hold`, `scheduled_transfer`, `pending_topup`, `open_order`, `merchant_balance`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`card_invalid`: `sweep_to_card_id` is not one of the holder's active debit cards; `pin_required`: the wallet has a payment password; `invalid_request`: neither `pin` nor `password` was sent", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`pin_locked`, `login_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn close(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<CloseRequest>,
) -> Result<Response, ApiError> {
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
    let closed = Json(WalletStatus {
        status: "closed".into(),
    });
    let Some(card_id) = body.sweep_to_card_id.as_deref() else {
        state
            .kyc
            .close_wallet(&state.storage, &me.holder, proof, body.otp.as_deref())
            .await?;
        return Ok(closed.into_response());
    };
    Ok(
        match state
            .kyc
            .request_closing(
                &state.storage,
                &me.holder,
                proof,
                body.otp.as_deref(),
                card_id,
            )
            .await?
        {
            CloseAsked::Closed => closed.into_response(),
            CloseAsked::PendingReview(request_id) => (
                StatusCode::ACCEPTED,
                Json(ClosePending {
                    status: "pending_review".into(),
                    request_id,
                }),
            )
                .into_response(),
        },
    )
}
