//! `GET /v1/me/recent-payees`: the people the holder sent money to lately, for the transfer
//! screen's quick picks (only from the holder's own records).

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::{RecentPayeeBody, RecentPayeesBody};

/// How many payees the screen shows.
const RECENT_PAYEES: usize = 5;

/// The last few distinct holders the caller transferred to, newest first.
#[utoipa::path(get, path = "/v1/me/recent-payees", tag = "money", security(("session" = [])),
    responses((status = 200, description = "Newest first, at most 5", body = RecentPayeesBody)))]
pub async fn recent_payees(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<RecentPayeesBody>, ApiError> {
    let payees = state
        .money
        .recent_payees(&state.storage, &me.holder, RECENT_PAYEES)
        .await?;
    Ok(Json(RecentPayeesBody {
        items: payees
            .into_iter()
            .map(|p| RecentPayeeBody {
                phone: p.phone,
                masked_name: p.masked_name,
                last_at: rfc3339(p.last_ms),
            })
            .collect(),
    }))
}
