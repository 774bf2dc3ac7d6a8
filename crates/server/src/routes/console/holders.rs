//! Holder 360 from the console: search by phone, wallet id or ID number, and one holder's
//! profile. Both are audited by the use case before anything is read.

use super::views::{found_view, profile_view};
use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use qianbao_api_types::Problem;
use qianbao_api_types::console::{HolderProfileView, HolderRow, HolderSearch};
use qianbao_wallet::console::ConsoleError;
use qianbao_wallet::console::holders::HolderQuery;

/// Finds holders by exactly one of phone, wallet id or ID number.
#[utoipa::path(post, path = "/v1/console/holders/search", tag = "console", security(("session" = [])), request_body = HolderSearch,
    responses((status = 200, description = "The holders found (none or one)", body = [HolderRow]),
              (status = 403, description = "`permission_denied`: needs holders.view", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: give exactly one field", body = Problem, content_type = "application/problem+json")))]
pub async fn search(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    ApiJson(body): ApiJson<HolderSearch>,
) -> Result<Json<Vec<HolderRow>>, ApiError> {
    let query = match (body.phone, body.wallet_id, body.id_number) {
        (Some(p), None, None) => HolderQuery::Phone(p),
        (None, Some(w), None) => HolderQuery::Wallet(w),
        (None, None, Some(i)) => HolderQuery::IdNumber(i),
        _ => {
            return Err(ConsoleError::Invalid(
                "give exactly one of phone, wallet_id and id_number",
            )
            .into());
        }
    };
    let found = state
        .console
        .find_holders(&state.storage, &staff, query)
        .await?;
    Ok(Json(found.into_iter().map(found_view).collect()))
}

/// One holder's profile: level, status, masked cards, balances and holds, records, sessions and
/// alerts sent.
#[utoipa::path(get, path = "/v1/console/holders/{id}", tag = "console", security(("session" = [])),
    params(("id" = String, Path, description = "The holder's id")),
    responses((status = 200, description = "Holder 360", body = HolderProfileView),
              (status = 403, description = "`permission_denied`: needs holders.view", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn profile(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<HolderProfileView>, ApiError> {
    let profile = state
        .console
        .holder_profile(&state.storage, &staff, &id)
        .await?;
    Ok(Json(profile_view(profile)))
}
