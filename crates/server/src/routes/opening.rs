//! Sign-up, SMS codes, login and sessions, `/v1/me`, and the sandbox's SMS view.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use qianbao_api_types::{
    LimitsBody, LoginRequest, LoginResponse, Me, OtpRequest, OtpSent, Problem, SandboxSms,
    SandboxSmsList, SessionItem, SessionList, SignupRequest, SignupResponse,
};
use qianbao_ledger::Amount;
use qianbao_wallet::levels::how_to_raise;
use qianbao_wallet::storage::RecordStore;
use std::net::SocketAddr;

/// Sends a 6-digit SMS code.
#[utoipa::path(post, path = "/v1/otp", tag = "sign-up and login", request_body = OtpRequest,
    responses(
        (status = 202, description = "The code is on its way", body = OtpSent),
        (status = 422, description = "`phone_invalid`, `purpose_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`otp_rate_limited`, with `retry_after`", body = Problem, content_type = "application/problem+json")))]
pub async fn request_otp(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<OtpRequest>,
) -> Result<(StatusCode, Json<OtpSent>), ApiError> {
    let sent = state
        .opening
        .request_otp(
            &state.storage,
            &body.phone,
            &body.purpose,
            &peer.ip().to_string(),
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(OtpSent {
            expires_in: sent.expires_in_s,
            resend_after: sent.resend_after_s,
        }),
    ))
}

/// Opens a wallet with the phone's sign-up code and a login password.
#[utoipa::path(post, path = "/v1/signup", tag = "sign-up and login", request_body = SignupRequest,
    responses(
        (status = 201, description = "The wallet and its first session", body = SignupResponse),
        (status = 400, description = "`otp_invalid` (with `attempts_left`), `otp_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`phone_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone_invalid`, `password_weak`", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_up(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignupRequest>,
) -> Result<(StatusCode, Json<SignupResponse>), ApiError> {
    let made = state
        .opening
        .sign_up(
            &state.storage,
            &body.phone,
            &body.otp,
            &body.password,
            body.device_name.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            user_id: made.user_id,
            wallet_id: made.wallet_id,
            token: made.token,
            kyc_level: 0,
            session_id: made.session_id,
            device_id: made.device_id,
        }),
    ))
}

/// Logs in; a device not seen before also needs an SMS code of purpose `login` (`otp`), and a
/// holder who turned TOTP on needs a TOTP code (`totp`).
#[utoipa::path(post, path = "/v1/sessions", tag = "sign-up and login", request_body = LoginRequest,
    responses(
        (status = 201, description = "A new session", body = LoginResponse),
        (status = 401, description = "`invalid_credentials` (with `attempts_left`); `step_up_required` (with `methods`: `sms` for a new device's `otp`, `totp` for `totp`); `totp_invalid` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`login_locked`; `totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn log_in(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<LoginResponse>), ApiError> {
    let session = state
        .opening
        .log_in(
            &state.storage,
            &body.phone,
            &body.password,
            body.device_id.as_deref(),
            body.device_name.as_deref(),
            body.otp.as_deref(),
            body.totp.as_deref(),
            &state.kyc.totp_guard(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(LoginResponse {
            token: session.token,
            session_id: session.session_id,
            device_id: session.device_id,
        }),
    ))
}

/// Logs this session out; its token stops working at once.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sign-up and login", security(("session" = [])),
    responses((status = 204, description = "Logged out"),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json")))]
pub async fn log_out(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<StatusCode, ApiError> {
    state
        .opening
        .end_session(&state.storage, &me.holder.id, &me.session_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The holder: level, status and what the level allows.
#[utoipa::path(get, path = "/v1/me", tag = "holder", security(("session" = [])),
    responses((status = 200, description = "The holder", body = Me),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json")))]
pub async fn me(State(state): State<AppState>, me: CurrentHolder) -> Result<Json<Me>, ApiError> {
    let h = me.holder;
    let limits = state.levels.at(h.kyc_level);
    let (masked_name, kyc_review_pending) =
        state.kyc.real_name_state(&state.storage, &h.id).await?;
    Ok(Json(Me {
        user_id: h.id,
        wallet_id: h.wallet_id,
        phone: h.phone,
        masked_name,
        kyc_level: h.kyc_level,
        kyc_review_pending,
        status: h.status.as_str().into(),
        limits: LimitsBody {
            balance_cap: limits.balance_cap.map(Amount::minor),
            per_payment: limits.per_payment.map(Amount::minor),
            per_day: limits.per_day.map(Amount::minor),
            next_level: how_to_raise(h.kyc_level).map(str::to_string),
        },
    }))
}

/// The holder's live sessions, one per device.
#[utoipa::path(get, path = "/v1/me/sessions", tag = "holder", security(("session" = [])),
    responses((status = 200, description = "Sessions, newest first", body = SessionList)))]
pub async fn sessions(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<SessionList>, ApiError> {
    let items = state
        .opening
        .sessions(&state.storage, &me.holder.id)
        .await?
        .into_iter()
        .map(|s| SessionItem {
            current: s.id == me.session_id,
            id: s.id,
            device_name: s.device_name,
            created_at: rfc3339(s.created_ms),
            last_seen_at: rfc3339(s.last_seen_ms),
        })
        .collect();
    Ok(Json(SessionList {
        items,
        next_cursor: None,
    }))
}

/// Logs one of the holder's devices out.
#[utoipa::path(delete, path = "/v1/me/sessions/{id}", tag = "holder", security(("session" = [])),
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 204, description = "That session's token stopped working"),
              (status = 404, description = "`not_found`: no such session of yours", body = Problem, content_type = "application/problem+json")))]
pub async fn end_session(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .opening
        .end_session(&state.storage, &me.holder.id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the sandbox's SMS view.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SmsQuery {
    /// Only messages to this phone.
    pub phone: Option<String>,
}

/// Sandbox only: every SMS the platform sent, newest first, with the codes they carry.
#[utoipa::path(get, path = "/v1/sandbox/sms", tag = "sandbox", params(SmsQuery),
    responses((status = 200, description = "The outbox, newest first", body = SandboxSmsList),
              (status = 404, description = "Not in sandbox mode", body = Problem, content_type = "application/problem+json")))]
pub async fn sandbox_sms(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SmsQuery>,
) -> Result<Json<SandboxSmsList>, ApiError> {
    if !state.sandbox {
        return Err(ApiError::not_found());
    }
    let phone = match query
        .phone
        .as_deref()
        .map(qianbao_wallet::domain::Phone::parse)
    {
        Some(Ok(p)) => Some(p.as_e164().to_string()),
        Some(Err(_)) => return Ok(Json(SandboxSmsList { items: vec![] })),
        None => None,
    };
    let items = state
        .storage
        .outbox(phone, 50)
        .await?
        .into_iter()
        .map(|m| SandboxSms {
            to: m.phone,
            text: m.text,
            code: m.code,
            sent_at: rfc3339(m.created_ms),
            status: m.status,
        })
        .collect();
    Ok(Json(SandboxSmsList { items }))
}
