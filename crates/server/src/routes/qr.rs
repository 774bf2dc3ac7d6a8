//! Reading a QR code out of an uploaded picture: "scan" for a browser that has no camera stream,
//! used by the holder's scan-to-pay and by the till for a photo of a payment code.

use super::kyc::{PhotoBytes, content_type, photo_bytes};
use crate::auth::CurrentHolder;
use crate::auth::CurrentMerchant;
use crate::error::ApiError;
use crate::state::Shared;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use qianbao_api_types::{Problem, QrText};
use qianbao_wallet::domain::qr_picture::{QrPictureError, read_qr};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// A holder or a merchant: decoding costs CPU, so only a signed-in caller may ask.
pub struct Scanner;

impl FromRequestParts<Shared> for Scanner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, ApiError> {
        match CurrentHolder::from_request_parts(parts, shared).await {
            Ok(_) => Ok(Scanner),
            Err(holder_refusal) => CurrentMerchant::from_request_parts(parts, shared)
                .await
                .map(|_| Scanner)
                .map_err(|_| holder_refusal),
        }
    }
}

/// Pictures decoded at once, at most; the rest wait. Decoding a 5 MiB JPEG takes a core for a
/// moment, and payments must keep the other.
const DECODES_AT_ONCE: usize = 1;

fn decode_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(DECODES_AT_ONCE))
}

/// Reads the QR code in a photo or screenshot: the image bytes as the body, `image/jpeg` or
/// `image/png`, at most 5 MiB.
#[utoipa::path(post, path = "/v1/qr/decode", tag = "payments", security(("session" = []), ("merchant_key" = [])),
    request_body(description = "A JPEG or PNG picture of a QR code", content((inline(PhotoBytes) = "image/jpeg"), (inline(PhotoBytes) = "image/png"))),
    responses((status = 200, description = "The text of the QR code", body = QrText),
              (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`csrf_invalid`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`qr_not_found`; `photo_invalid` with `reason` ∈ `format`, `too_large`, `unreadable`", body = Problem, content_type = "application/problem+json")))]
pub async fn decode(
    _scanner: Scanner,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<QrText>, ApiError> {
    let bytes = photo_bytes(body)?;
    let declared = content_type(&headers);
    let _slot = decode_slots()
        .acquire()
        .await
        .map_err(|_| ApiError::internal("the decode slots are closed"))?;
    let read = tokio::task::spawn_blocking(move || read_qr(&bytes, &declared))
        .await
        .map_err(|e| ApiError::internal(format!("QR decoding stopped: {e}")))?;
    match read {
        Ok(payload) => Ok(Json(QrText { payload })),
        Err(QrPictureError::Photo(e)) => {
            Err(qianbao_wallet::kyc::KycError::PhotoInvalid(e.reason()).into())
        }
        Err(QrPictureError::NotFound) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "qr_not_found",
            "No QR code could be read in the picture: take it again closer, straight on and in focus, or paste the code's text.",
        )),
    }
}
