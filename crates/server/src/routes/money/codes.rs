//! The codes a holder shows: the receive code (收款码) a payer scans, optionally with a fixed
//! amount, and the one-use payment code (付款码) a merchant's till scans; both as QR images.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::{PaymentCodeBody, Problem, ReceiveCode};
use qianbao_ledger::PositiveAmount;
use qianbao_wallet::money::amount;
use qianbao_wallet::money::payload::Payload;
use serde::Deserialize;

/// The QR code of `text` as an SVG image.
pub(crate) fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// `?amount=` for a receive code.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiveQuery {
    /// Fix the amount the payer pays, in minor units.
    #[param(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: Option<i64>,
}

/// The holder's receive code (收款码), optionally with a fixed amount.
#[utoipa::path(get, path = "/v1/me/receive-code", tag = "money", security(("session" = [])), params(ReceiveQuery),
    responses(
        (status = 200, description = "The code", body = ReceiveCode),
        (status = 422, description = "`amount_invalid`", body = Problem, content_type = "application/problem+json")))]
pub async fn receive_code(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<ReceiveQuery>,
) -> Result<Json<ReceiveCode>, ApiError> {
    let amount_minor = query
        .amount
        .map(|a| amount(a, state.money.policy.amount_max_minor))
        .transpose()?;
    let payload = Payload::Receive {
        wallet_id: me.holder.wallet_id.clone(),
        amount_minor: amount_minor.map(PositiveAmount::minor),
    }
    .encode();
    Ok(Json(ReceiveCode {
        qr_svg: qr_svg(&payload),
        payload,
    }))
}

/// A fresh payment code (付款码) for a merchant's till to scan: 18 digits, one use, 60 s.
#[utoipa::path(get, path = "/v1/me/payment-code", tag = "money", security(("session" = [])),
    responses(
        (status = 200, description = "The code", body = PaymentCodeBody),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json")))]
pub async fn payment_code(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<PaymentCodeBody>, ApiError> {
    let shown = state.money.payment_code(&state.storage, &me.holder).await?;
    Ok(Json(PaymentCodeBody {
        qr_svg: qr_svg(&shown.code),
        code: shown.code,
        expires_at: rfc3339(shown.expires_ms),
    }))
}
