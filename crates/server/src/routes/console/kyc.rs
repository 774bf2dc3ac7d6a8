//! The console's KYC review queue: skim it (masked, with who is working each case), take a case
//! or the next free one, look at its ID photo (audited), and approve or reject it with a reason
//! code. The use case checks the permission and the lock, and writes the decision, the holder's
//! notice and the audit line together.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::kyc::PhotoBytes;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::console::{KycCaseDecided, KycCaseView, KycDecisionBody};
use qianbao_wallet::console::kyc_queue::{KycCase, KycVerdict};

fn case_view(c: KycCase) -> KycCaseView {
    let r = c.review;
    KycCaseView {
        case_id: r.id,
        holder_id: r.holder_id,
        name_masked: r.masked_name,
        id_number_masked: r.id_masked,
        birth_date: r.birth_date,
        status: r.status.as_str().into(),
        has_photo: c.has_photo,
        submitted_at: rfc3339(r.submitted_ms),
        locked_by: c.locked_by,
    }
}

/// Every real-name check waiting for review (at most 200, oldest first), masked, and who is
/// working each.
#[utoipa::path(get, path = "/v1/console/queues/kyc", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The queue", body = [KycCaseView]),
              (status = 401, description = "`unauthorized`: no staff session", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "`permission_denied`: needs kyc.view", body = Problem, content_type = "application/problem+json")))]
pub async fn kyc_queue(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<Vec<KycCaseView>>, ApiError> {
    let queue = state.console.kyc_queue(&state.storage, &staff).await?;
    Ok(Json(queue.into_iter().map(case_view).collect()))
}

/// Takes the oldest case nobody else is working whose ID photo has arrived; 204 when there is
/// none.
#[utoipa::path(post, path = "/v1/console/queues/kyc/next", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The case, now the caller's for 15 minutes", body = KycCaseView),
              (status = 204, description = "Nothing free to take"),
              (status = 403, description = "`permission_denied`: needs kyc.manage", body = Problem, content_type = "application/problem+json")))]
pub async fn next(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Response, ApiError> {
    Ok(
        match state.console.next_kyc_case(&state.storage, &staff).await? {
            Some(case) => Json(case_view(case)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// Takes one case.
#[utoipa::path(post, path = "/v1/console/queues/kyc/{case_id}/take", tag = "console", security(("session" = [])),
    params(("case_id" = String, Path, description = "The KYC case")),
    responses((status = 200, description = "The case, now the caller's for 15 minutes", body = KycCaseView),
              (status = 403, description = "`permission_denied`: needs kyc.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`case_locked`: another reviewer is working it; `case_decided`", body = Problem, content_type = "application/problem+json")))]
pub async fn take(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(case_id): Path<String>,
) -> Result<Json<KycCaseView>, ApiError> {
    let case = state
        .console
        .take_kyc_case(&state.storage, &staff, &case_id)
        .await?;
    Ok(Json(case_view(case)))
}

/// The case's ID photo, decrypted for this viewer only: the image bytes with their content type,
/// never cached. Viewing it is written to the audit log.
#[utoipa::path(get, path = "/v1/console/queues/kyc/{case_id}/photo", tag = "console", security(("session" = [])),
    params(("case_id" = String, Path, description = "The KYC case")),
    responses((status = 200, description = "The ID photo", content((inline(PhotoBytes) = "image/jpeg"), (inline(PhotoBytes) = "image/png"))),
              (status = 403, description = "`permission_denied`: needs kyc.view", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`: no such case, or no photo uploaded yet", body = Problem, content_type = "application/problem+json")))]
pub async fn photo(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    let photo = state
        .console
        .kyc_case_photo(&state.storage, &staff, &case_id)
        .await?;
    let content_type = HeaderValue::from_str(&photo.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        photo.bytes,
    )
        .into_response())
}

async fn decide(
    state: &AppState,
    staff: &qianbao_wallet::console::staff::Staff,
    case_id: &str,
    verdict: KycVerdict,
    body: KycDecisionBody,
) -> Result<Json<KycCaseDecided>, ApiError> {
    let decided = state
        .console
        .decide_kyc_case(
            &state.storage,
            staff,
            case_id,
            verdict,
            &body.reason_code,
            body.note.as_deref(),
        )
        .await?;
    let r = decided.review;
    Ok(Json(KycCaseDecided {
        case_id: r.id,
        holder_id: r.holder_id,
        status: r.status.as_str().into(),
        reason_code: r.reason_code.map(|c| c.as_str()).unwrap_or_default().into(),
        kyc_level: decided.kyc_level,
        decided_at: rfc3339(r.decided_ms.unwrap_or(r.submitted_ms)),
    }))
}

/// Approves a case: the identity becomes the holder's and the holder reaches L1; the holder is
/// told.
#[utoipa::path(post, path = "/v1/console/queues/kyc/{case_id}/approve", tag = "console", security(("session" = [])), request_body = KycDecisionBody,
    params(("case_id" = String, Path, description = "The KYC case")),
    responses((status = 200, description = "Approved", body = KycCaseDecided),
              (status = 403, description = "`permission_denied`: needs kyc.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`case_locked`, `case_decided`, `identity_taken` (another wallet verified this ID number meanwhile)", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: reason_code is not an approving one, or the note is too long", body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(case_id): Path<String>,
    ApiJson(body): ApiJson<KycDecisionBody>,
) -> Result<Json<KycCaseDecided>, ApiError> {
    decide(&state, &staff, &case_id, KycVerdict::Approve, body).await
}

/// Rejects a case: the level stays and the holder may try again; the holder is told why.
#[utoipa::path(post, path = "/v1/console/queues/kyc/{case_id}/reject", tag = "console", security(("session" = [])), request_body = KycDecisionBody,
    params(("case_id" = String, Path, description = "The KYC case")),
    responses((status = 200, description = "Rejected", body = KycCaseDecided),
              (status = 403, description = "`permission_denied`: needs kyc.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`case_locked`, `case_decided`", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: reason_code is not a rejecting one, or the note is too long", body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(case_id): Path<String>,
    ApiJson(body): ApiJson<KycDecisionBody>,
) -> Result<Json<KycCaseDecided>, ApiError> {
    decide(&state, &staff, &case_id, KycVerdict::Reject, body).await
}
