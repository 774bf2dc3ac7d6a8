//! Exchange rates in the console: the rates in force (`policy.view`) and setting one
//! (`policy.manage`, a reason, audited), checked by the use case.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::console::{FxRateBody, FxRateList};
use qianbao_api_types::{FxRateItem, Problem};
use qianbao_wallet::fx::MidRate;

fn item(m: MidRate) -> FxRateItem {
    FxRateItem {
        pair: m.pair.to_string(),
        rate: m.rate.to_string(),
        source: m.source,
        set_at: rfc3339(m.set_ms),
    }
}

/// The mid rates in force.
#[utoipa::path(get, path = "/v1/console/fx/rates", tag = "console", security(("session" = [])),
    responses((status = 200, description = "The rates", body = FxRateList),
              (status = 403, description = "`permission_denied`: needs policy.view", body = Problem, content_type = "application/problem+json")))]
pub async fn rates(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
) -> Result<Json<FxRateList>, ApiError> {
    let rates = state.console.fx_rates(&state.storage, &staff).await?;
    Ok(Json(FxRateList {
        rates: rates.into_iter().map(item).collect(),
    }))
}

/// Sets a pair's mid rate now; quotes are priced from it at once.
#[utoipa::path(put, path = "/v1/console/fx/rates", tag = "console", security(("session" = [])), request_body = FxRateBody,
    responses((status = 200, description = "Set", body = FxRateItem),
              (status = 403, description = "`permission_denied`: needs policy.manage", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason, an unknown pair, or a rate that is not a positive decimal", body = Problem, content_type = "application/problem+json")))]
pub async fn set_rate(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    ApiJson(body): ApiJson<FxRateBody>,
) -> Result<Json<FxRateItem>, ApiError> {
    let set = state
        .console
        .set_fx_rate(&state.storage, &staff, &body.pair, &body.rate, &body.reason)
        .await?;
    Ok(Json(item(set)))
}
