//! Points over HTTP (`docs/rewards.md`): a holder's balance, what expires when, and the history.
//! Points are earned at shops running a points campaign and redeemed with `POST /v1/pay`'s
//! `points`.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::rewards::{PointsExpiring, PointsLine, PointsReply};

/// The holder's points.
#[utoipa::path(get, path = "/v1/me/points", tag = "rewards", security(("session" = [])),
    responses((status = 200, description = "Balance, what expires when, history", body = PointsReply)))]
pub async fn points(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<PointsReply>, ApiError> {
    let view = state.money.points_of(&state.storage, &me.holder).await?;
    Ok(Json(PointsReply {
        balance: view.balance,
        expiring: view
            .expiring
            .into_iter()
            .map(|(points, expires_ms)| PointsExpiring {
                points,
                expires_at: rfc3339(expires_ms),
            })
            .collect(),
        history: view
            .history
            .into_iter()
            .map(|h| PointsLine {
                kind: h.kind.as_str().into(),
                points: h.points,
                payment_id: h.payment_id,
                memo: h.memo,
                at: rfc3339(h.created_ms),
            })
            .collect(),
    }))
}
