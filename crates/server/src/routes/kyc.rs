//! Real-name verification, bank cards and the payment password.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use qianbao_api_types::{
    CardBody, CardConfirmRequest, CardList, CardPending, CardRequestBody, FaceChecked,
    IdentityRequest, IdentityVerified, PhotoAccepted, PinOnly, PinRequest, PinResetRequest,
    Problem,
};
use qianbao_wallet::kyc::{CardRequest, IdentityOutcome};
use qianbao_wallet::records::CardRecord;

fn card_body(card: CardRecord) -> CardBody {
    CardBody {
        card_id: card.id,
        bank_name: card.bank_name,
        card_type: card.card_type.as_str().into(),
        last4: card.last4,
        is_default: card.is_default,
        status: card.status.as_str().into(),
    }
}

/// Verifies the real name and ID number: L0 → L1. When the verifier cannot decide, the check
/// waits for the operator's staff (202 `pending_review`) and the level stays until approved.
#[utoipa::path(post, path = "/v1/me/identity", tag = "real-name verification", security(("session" = [])), request_body = IdentityRequest,
    responses(
        (status = 200, description = "Verified", body = IdentityVerified),
        (status = 202, description = "`status: pending_review`: staff will review the ID photo; upload it next", body = IdentityVerified),
        (status = 403, description = "`account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`identity_taken`, `already_verified`, `kyc_review_pending` (an earlier check waits for staff)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`id_number_invalid`, `underage`, `identity_mismatch`, `name_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`verifier_unavailable` (retry)", body = Problem, content_type = "application/problem+json")))]
pub async fn verify_identity(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<IdentityRequest>,
) -> Result<(StatusCode, Json<IdentityVerified>), ApiError> {
    let outcome = state
        .kyc
        .verify_identity(&state.storage, &me.holder, &body.name, &body.id_number)
        .await?;
    Ok(match outcome {
        IdentityOutcome::Verified {
            kyc_level,
            birth_date,
        } => (
            StatusCode::OK,
            Json(IdentityVerified {
                kyc_level,
                birth_date,
                status: "verified".into(),
                review_id: None,
            }),
        ),
        IdentityOutcome::PendingReview {
            case_id,
            kyc_level,
            birth_date,
        } => (
            StatusCode::ACCEPTED,
            Json(IdentityVerified {
                kyc_level,
                birth_date,
                status: "pending_review".into(),
                review_id: Some(case_id),
            }),
        ),
    })
}

/// Starts binding a bank card in the holder's own name; the bank texts a code to the reserved phone.
#[utoipa::path(post, path = "/v1/me/cards", tag = "bank cards", security(("session" = [])), request_body = CardRequestBody,
    responses(
        (status = 202, description = "The bank sent its code", body = CardPending),
        (status = 403, description = "`kyc_required`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`card_already_bound`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`card_invalid`, `card_unsupported`, `card_holder_mismatch`, `bank_rejected`, `card_inactive`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`bank_unavailable` (retry)", body = Problem, content_type = "application/problem+json")))]
pub async fn bind_card(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<CardRequestBody>,
) -> Result<(StatusCode, Json<CardPending>), ApiError> {
    let card = state
        .kyc
        .bind_card(
            &state.storage,
            &me.holder,
            CardRequest {
                card_number: body.card_number,
                holder_name: body.holder_name,
                id_number: body.id_number,
                reserved_phone: body.reserved_phone,
                expiry: body.expiry,
                cvv: body.cvv,
            },
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CardPending {
            card_id: card.id,
            status: card.status.as_str().into(),
        }),
    ))
}

/// Finishes binding with the bank's code; the first card makes the holder L2.
#[utoipa::path(post, path = "/v1/me/cards/{card_id}/confirm", tag = "bank cards", security(("session" = [])), request_body = CardConfirmRequest,
    params(("card_id" = String, Path, description = "The card's id")),
    responses(
        (status = 200, description = "Bound", body = CardBody),
        (status = 400, description = "`otp_invalid` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_card(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(card_id): Path<String>,
    ApiJson(body): ApiJson<CardConfirmRequest>,
) -> Result<Json<CardBody>, ApiError> {
    let card = state
        .kyc
        .confirm_card(&state.storage, &me.holder, &card_id, &body.otp)
        .await?;
    Ok(Json(card_body(card)))
}

/// The holder's cards; never a full number.
#[utoipa::path(get, path = "/v1/me/cards", tag = "bank cards", security(("session" = [])),
    responses((status = 200, description = "Cards, oldest first", body = CardList)))]
pub async fn cards(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<CardList>, ApiError> {
    let items = state
        .kyc
        .cards(&state.storage, &me.holder.id)
        .await?
        .into_iter()
        .map(card_body)
        .collect();
    Ok(Json(CardList {
        items,
        next_cursor: None,
    }))
}

/// Makes a bound card the default.
#[utoipa::path(post, path = "/v1/me/cards/{card_id}/default", tag = "bank cards", security(("session" = [])),
    params(("card_id" = String, Path, description = "The card's id")),
    responses((status = 200, description = "The card, now the default", body = CardBody),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn default_card(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(card_id): Path<String>,
) -> Result<Json<CardBody>, ApiError> {
    let card = state
        .kyc
        .set_default_card(&state.storage, &me.holder.id, &card_id)
        .await?;
    Ok(Json(card_body(card)))
}

/// Unbinds a card; needs the payment password.
#[utoipa::path(post, path = "/v1/me/cards/{card_id}/unbind", tag = "bank cards", security(("session" = [])), request_body = PinOnly,
    params(("card_id" = String, Path, description = "The card's id")),
    responses((status = 204, description = "Unbound"),
              (status = 401, description = "`pin_incorrect` (with `attempts_left`)", body = Problem, content_type = "application/problem+json"),
              (status = 423, description = "`pin_locked` (with `retry_after`)", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`card_in_use`: a withdrawal, settlement or top-up is still on its way to or from the card; the detail names it", body = Problem, content_type = "application/problem+json")))]
pub async fn unbind_card(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(card_id): Path<String>,
    ApiJson(body): ApiJson<PinOnly>,
) -> Result<StatusCode, ApiError> {
    state
        .kyc
        .unbind_card(&state.storage, &me.holder.id, &card_id, &body.pin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets or changes the payment password.
#[utoipa::path(put, path = "/v1/me/pin", tag = "payment password", security(("session" = [])), request_body = PinRequest,
    responses((status = 204, description = "Set"),
              (status = 401, description = "`pin_incorrect`: the old one is wrong", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`kyc_required`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`pin_invalid`, `pin_weak`", body = Problem, content_type = "application/problem+json")))]
pub async fn set_pin(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<PinRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .kyc
        .set_pin(
            &state.storage,
            &me.holder,
            &body.pin,
            body.old_pin.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets the payment password with an SMS code, the ID number and a bound card; unlocks payments.
#[utoipa::path(post, path = "/v1/me/pin/reset", tag = "payment password", security(("session" = [])), request_body = PinResetRequest,
    responses((status = 204, description = "Reset; payments unlocked"),
              (status = 400, description = "`otp_invalid`, `otp_expired`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`identity_mismatch` (with `attempts_left`: the code's tries, and `field`: `id_number` or `card_number`, the wrong one), `pin_invalid`, `pin_weak`", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "`rate_limited` (with `retry_after`): too many wrong identity answers for this phone today", body = Problem, content_type = "application/problem+json")))]
pub async fn reset_pin(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<PinResetRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .kyc
        .reset_pin(
            &state.storage,
            &me.holder,
            &body.otp,
            &body.id_number,
            &body.card_number,
            &body.pin,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The image file, byte for byte.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub(crate) struct PhotoBytes(Vec<u8>);

/// The upload body, read only up to the photo limit: a larger one is refused as `too_large`
/// without being held in memory.
pub(crate) fn photo_bytes(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Vec<u8>, ApiError> {
    match body {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(qianbao_wallet::kyc::KycError::PhotoInvalid("too_large").into())
        }
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            format!("The upload could not be read: {}", e.body_text()),
        )),
    }
}

pub(crate) fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Uploads the ID photo: the image bytes as the body, `image/jpeg` or `image/png`, at most 5 MiB,
/// at least 300×300.
#[utoipa::path(put, path = "/v1/me/identity/photo", tag = "real-name verification", security(("session" = [])),
    request_body(description = "A JPEG or PNG photo of the ID card", content((inline(PhotoBytes) = "image/jpeg"), (inline(PhotoBytes) = "image/png"))),
    responses((status = 200, description = "Accepted", body = PhotoAccepted),
              (status = 403, description = "`kyc_required`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`photo_invalid` with `reason` ∈ `format`, `too_large`, `too_small`, `unreadable`", body = Problem, content_type = "application/problem+json")))]
pub async fn upload_id_photo(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<PhotoAccepted>, ApiError> {
    let bytes = photo_bytes(body)?;
    state
        .kyc
        .upload_id_photo(&state.storage, &me.holder, bytes, &content_type(&headers))
        .await?;
    Ok(Json(PhotoAccepted {
        photo: "accepted".into(),
    }))
}

/// The face check: a selfie, same rules as the ID photo. With a bound card it makes the holder L3.
#[utoipa::path(put, path = "/v1/me/identity/face", tag = "real-name verification", security(("session" = [])),
    request_body(description = "A JPEG or PNG selfie", content((inline(PhotoBytes) = "image/jpeg"), (inline(PhotoBytes) = "image/png"))),
    responses((status = 200, description = "Checked", body = FaceChecked),
              (status = 422, description = "`photo_invalid`, `face_mismatch`", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "`verifier_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn face_check(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<FaceChecked>, ApiError> {
    let bytes = photo_bytes(body)?;
    let kyc_level = state
        .kyc
        .face_check(&state.storage, &me.holder, bytes, &content_type(&headers))
        .await?;
    Ok(Json(FaceChecked { kyc_level }))
}
