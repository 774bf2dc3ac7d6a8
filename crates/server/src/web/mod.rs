//! The web pages: the holder's app at `/`, the merchant's till at `/merchant` and the operator
//! console at `/console`, served from the binary with every asset they use, and the few calls
//! that exist only for a browser (a session in a cookie instead of a token in the body). Everything else the pages do goes through the
//! same `/v1` handlers and wallet rules as any API client.

use crate::auth::CurrentMerchant;
use crate::cookies;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{
    LoginRequest, Problem, SignupRequest, WebConfig, WebMerchant, WebMerchantSignIn, WebSession,
    WebSignedUp,
};

/// The policy for the pages: only our own scripts, styles and connections; pictures from data
/// and blob URLs (QR codes, previews of uploads); no framing, no plugins, no base rewriting.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A script of the pages (an ES module), served at `/assets/<name>` from `web/<name>`.
macro_rules! script {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../web/", $name)),
            "text/javascript; charset=utf-8",
        )
    };
}

/// The files the pages are made of, by the path they are served at. `docs/web.md` says what
/// each script holds.
const ASSETS: &[(&str, &str, &str)] = &[
    // Shared by both pages.
    script!("money.js"),
    script!("i18n.js"),
    script!("strings-zh.js"),
    script!("strings-en.js"),
    script!("dom.js"),
    script!("dates.js"),
    script!("http.js"),
    script!("errors.js"),
    script!("common.js"),
    // Components shared by the pages: the amount keypad, six PIN boxes, a camera capture tile
    // with its preview, a Code 128 barcode.
    script!("amount-keypad.js"),
    script!("pin-boxes.js"),
    script!("photo-capture.js"),
    script!("barcode.js"),
    // Currencies in words and rates; a quote's countdown by the server's clock.
    script!("currencies.js"),
    script!("quote-clock.js"),
    // The holder's app: its entry, then the state, the router and one module per screen.
    script!("app.js"),
    script!("app-state.js"),
    script!("app-router.js"),
    script!("app-session.js"),
    script!("app-notices.js"),
    script!("app-open.js"),
    script!("app-card-form.js"),
    script!("app-login.js"),
    script!("app-home.js"),
    script!("app-paycode.js"),
    script!("app-ride.js"),
    script!("app-receive.js"),
    script!("app-scan.js"),
    script!("app-transfer.js"),
    script!("app-topup-withdraw.js"),
    script!("app-convert.js"),
    script!("app-redpackets.js"),
    script!("app-coupons.js"),
    script!("app-points.js"),
    script!("app-budgets.js"),
    script!("app-bills.js"),
    script!("app-records.js"),
    script!("app-cards.js"),
    script!("app-second-factor.js"),
    script!("app-pending-charge.js"),
    script!("result-page.js"),
    script!("app-security.js"),
    script!("app-face.js"),
    script!("ledger-verify.js"),
    script!("app-ledger-check.js"),
    script!("app-shop.js"),
    script!("app-dev-panel.js"),
    // The merchant's till: its entry, refunds, the printable shop code, the "到账" voice.
    script!("till.js"),
    script!("till-refund.js"),
    script!("till-poster.js"),
    script!("till-voice.js"),
    // The operator console: its entry, its state, its building blocks, one module per section.
    script!("console.js"),
    script!("console-state.js"),
    script!("console-strings.js"),
    script!("console-ui.js"),
    script!("console-overview.js"),
    script!("console-holders.js"),
    script!("console-commands.js"),
    script!("console-queues.js"),
    script!("console-recon.js"),
    script!("console-refunds.js"),
    script!("console-campaigns.js"),
    script!("console-policy.js"),
    script!("console-staff.js"),
    script!("console-audit.js"),
    (
        "console.css",
        include_str!("../../web/console.css"),
        "text/css; charset=utf-8",
    ),
    (
        "style.css",
        include_str!("../../web/style.css"),
        "text/css; charset=utf-8",
    ),
];

/// A page: HTML with the page CSP, never cached (it names the current assets), and the CSRF
/// cookie its script will echo.
fn page(state: &AppState, request: &HeaderMap, html: &'static str) -> Response {
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    cookies::ensure_csrf(
        headers,
        request,
        &state.opening.ctx.keys,
        &state.opening.ctx.ids,
    );
    response
}

/// The holder's app.
pub async fn holder_app(State(state): State<AppState>, request: HeaderMap) -> Response {
    page(&state, &request, include_str!("../../web/app.html"))
}

/// The merchant's till.
pub async fn till(State(state): State<AppState>, request: HeaderMap) -> Response {
    page(&state, &request, include_str!("../../web/till.html"))
}

/// The operator console: staff sign in here; every call it makes is a `/v1/console` call that
/// checks the staff member's permission on the server.
pub async fn console(State(state): State<AppState>, request: HeaderMap) -> Response {
    page(&state, &request, include_str!("../../web/console.html"))
}

/// A script or stylesheet of the pages; revalidated on every load, so an upgrade shows at once.
pub async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let Some((_, body, content_type)) = ASSETS.iter().find(|(path, _, _)| *path == name) else {
        return ApiError::not_found().into_response();
    };
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// What the pages need to know about this server.
#[utoipa::path(get, path = "/web/config", tag = "web pages",
    responses((status = 200, description = "The server's settings the pages use", body = WebConfig)))]
pub async fn config(State(state): State<AppState>) -> Json<WebConfig> {
    Json(WebConfig {
        sandbox: state.sandbox,
    })
}

/// Opens a wallet from the web page: as `POST /v1/signup`, but the session goes into an
/// `HttpOnly` cookie and never into the page's script.
#[utoipa::path(post, path = "/web/signup", tag = "web pages", request_body = SignupRequest,
    responses(
        (status = 201, description = "The wallet; the session is in the `qb_session` cookie", body = WebSignedUp),
        (status = 400, description = "`otp_invalid` (with `attempts_left`), `otp_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`csrf_invalid`, `account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`phone_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone_invalid`, `password_weak`", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_up(
    State(state): State<AppState>,
    request: HeaderMap,
    ApiJson(body): ApiJson<SignupRequest>,
) -> Result<Response, ApiError> {
    cookies::check_csrf(&request, &state.opening.ctx.keys)?;
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
    let mut response = (
        StatusCode::CREATED,
        Json(WebSignedUp {
            user_id: made.user_id,
            wallet_id: made.wallet_id,
            kyc_level: 0,
            session_id: made.session_id,
            device_id: made.device_id,
        }),
    )
        .into_response();
    cookies::set_credential(
        response.headers_mut(),
        &request,
        cookies::SESSION_COOKIE,
        &made.token,
    );
    Ok(response)
}

/// Logs in from the web page: as `POST /v1/sessions`, with the session in an `HttpOnly` cookie.
#[utoipa::path(post, path = "/web/session", tag = "web pages", request_body = LoginRequest,
    responses(
        (status = 201, description = "Logged in; the session is in the `qb_session` cookie", body = WebSession),
        (status = 401, description = "`invalid_credentials` (with `attempts_left`), `step_up_required` (with `methods`), `totp_invalid` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`csrf_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`login_locked`, `totp_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn log_in(
    State(state): State<AppState>,
    request: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    cookies::check_csrf(&request, &state.opening.ctx.keys)?;
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
    let mut response = (
        StatusCode::CREATED,
        Json(WebSession {
            session_id: session.session_id,
            device_id: session.device_id,
        }),
    )
        .into_response();
    cookies::set_credential(
        response.headers_mut(),
        &request,
        cookies::SESSION_COOKIE,
        &session.token,
    );
    Ok(response)
}

/// Logs the page's session out and clears its cookie. Without a valid session it still clears
/// the cookie: a page whose session ended elsewhere must be able to forget it.
#[utoipa::path(delete, path = "/web/session", tag = "web pages",
    responses(
        (status = 204, description = "Logged out; the cookie is cleared"),
        (status = 403, description = "`csrf_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn log_out(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
) -> Result<Response, ApiError> {
    cookies::check_csrf(&parts.headers, &state.opening.ctx.keys)?;
    if let Ok(me) = crate::auth::CurrentHolder::of(&parts, &state).await {
        state
            .opening
            .end_session(&state.storage, &me.holder.id, &me.session_id)
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::clear_credential(
        response.headers_mut(),
        &parts.headers,
        cookies::SESSION_COOKIE,
    );
    Ok(response)
}

/// Signs the till in with the merchant's API key. The key itself is not kept: the till gets a
/// session of its own, whose token goes into an `HttpOnly` browser-session cookie, so the cookie
/// can be ended (sign-out, key rotation, 12 h unused) where the key could only be rotated.
#[utoipa::path(post, path = "/web/merchant/session", tag = "web pages", request_body = WebMerchantSignIn,
    responses(
        (status = 200, description = "Signed in; a till session (not the key) is in the `qb_merchant` cookie", body = WebMerchant),
        (status = 401, description = "`unauthorized`: no merchant has this key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`csrf_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn merchant_sign_in(
    State(state): State<AppState>,
    request: HeaderMap,
    ApiJson(body): ApiJson<WebMerchantSignIn>,
) -> Result<Response, ApiError> {
    cookies::check_csrf(&request, &state.opening.ctx.keys)?;
    let key = body.api_key.trim();
    let replacing = cookies::cookie(&request, cookies::MERCHANT_COOKIE);
    let opened = if key.starts_with(qianbao_secrets::token::API_KEY_PREFIX) && key.len() <= 256 {
        state
            .money
            .open_till(&state.storage, key, replacing)
            .await?
    } else {
        None
    }
    .ok_or_else(ApiError::unauthorized)?;
    let mut response = Json(web_merchant(&state, opened.merchant).await?).into_response();
    cookies::set_credential(
        response.headers_mut(),
        &request,
        cookies::MERCHANT_COOKIE,
        &opened.token,
    );
    Ok(response)
}

/// The merchant the till is signed in as.
#[utoipa::path(get, path = "/web/merchant/session", tag = "web pages", security(("merchant_key" = [])),
    responses(
        (status = 200, description = "Signed in", body = WebMerchant),
        (status = 401, description = "`unauthorized`: no till session, or it ended (signed out, key rotated, 12 h unused)", body = Problem, content_type = "application/problem+json")))]
pub async fn merchant_now(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Result<Json<WebMerchant>, ApiError> {
    Ok(Json(web_merchant(&state, merchant).await?))
}

/// What the till shows of its shop: the name, the static code (text and QR, for the printable
/// shop code) and whether refunds can be made (a refund password is set).
async fn web_merchant(
    state: &AppState,
    merchant: qianbao_wallet::money::records::MerchantRecord,
) -> Result<WebMerchant, ApiError> {
    let refund_password_set = state
        .money
        .refund_password_set(&state.storage, &merchant.id)
        .await?;
    let static_qr_payload = state.money.static_code(&merchant)?;
    Ok(WebMerchant {
        static_qr_svg: crate::routes::money::codes::qr_svg(&static_qr_payload),
        static_qr_payload,
        merchant_id: merchant.id,
        name: merchant.name,
        refund_password_set,
    })
}

/// Signs the till out: its session ends on the server, so the cookie is worthless even if a copy
/// of it survives, and the cookie is cleared. Without a live session it still clears the cookie:
/// a till whose session ended elsewhere must be able to forget it.
#[utoipa::path(delete, path = "/web/merchant/session", tag = "web pages",
    responses(
        (status = 204, description = "Signed out; the till session is ended and the cookie cleared"),
        (status = 403, description = "`csrf_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn merchant_sign_out(
    State(state): State<AppState>,
    request: HeaderMap,
) -> Result<Response, ApiError> {
    cookies::check_csrf(&request, &state.opening.ctx.keys)?;
    if let Some(token) = cookies::cookie(&request, cookies::MERCHANT_COOKIE) {
        state.money.end_till(&state.storage, token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::clear_credential(response.headers_mut(), &request, cookies::MERCHANT_COOKIE);
    Ok(response)
}
