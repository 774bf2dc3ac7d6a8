//! Transit over HTTP (docs/transit.md): the holder's ride code and rides, the platform's public
//! key, and, with a transit operator's key, the revocation list and the gates' tap uploads.

use crate::auth::{CurrentHolder, CurrentMerchant};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::money::codes::qr_svg;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::State;
use qianbao_api_types::Problem;
use qianbao_api_types::transit::{
    FareStation, FareTableBody, RejectedTap, RevokedRideTokens, RideCode, RideList, RideView,
    TapBatch, TapBatchResult, TransitOperator, TransitPublicKey,
};
use qianbao_ledger::Amount;
use qianbao_wallet::money::MoneyError;
use qianbao_wallet::transit::fares::{FareKind, FareTable, Station};
use qianbao_wallet::transit::records::RideStatus;
use qianbao_wallet::transit::taps::{TapLine, TapRefusal};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `?operator=` for a ride code.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RideCodeQuery {
    /// The transit operator's merchant id.
    pub operator: String,
}

/// A fresh ride code (乘车码) for a transit operator: valid 60 s, so the app asks again by
/// `expires_at`.
#[utoipa::path(get, path = "/v1/me/ride-code", tag = "transit", security(("session" = [])), params(RideCodeQuery),
    responses(
        (status = 200, description = "The code", body = RideCode),
        (status = 403, description = "`account_frozen`, `account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No transit operator has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`fare_owed`: a fare is owed; the next top-up pays it", body = Problem, content_type = "application/problem+json")))]
pub async fn ride_code(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiQuery(query): ApiQuery<RideCodeQuery>,
) -> Result<Json<RideCode>, ApiError> {
    let issued = state
        .money
        .ride_code(&state.storage, &me.holder.id, &query.operator)
        .await?;
    Ok(Json(RideCode {
        qr_svg: qr_svg(&issued.payload),
        payload: issued.payload,
        expires_at: rfc3339(issued.expires_ms),
    }))
}

/// The transit operators a holder can open a ride code for: the app's list to pick from, since a
/// ride code is per operator and nothing else tells the app their ids.
#[utoipa::path(get, path = "/v1/transit/operators", tag = "transit", security(("session" = [])),
    responses(
        (status = 200, description = "Active merchants of category `transit`, oldest first (at most 100)", body = [TransitOperator]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
pub async fn operators(
    State(state): State<AppState>,
    _me: CurrentHolder,
) -> Result<Json<Vec<TransitOperator>>, ApiError> {
    let operators = state.money.transit_operators(&state.storage).await?;
    Ok(Json(
        operators
            .into_iter()
            .map(|m| TransitOperator {
                id: m.id,
                name: m.name,
            })
            .collect(),
    ))
}

/// The platform's Ed25519 public key, which gates check ride codes with offline.
#[utoipa::path(get, path = "/v1/transit/public-key", tag = "transit",
    responses((status = 200, description = "The key", body = TransitPublicKey)))]
pub async fn public_key(State(state): State<AppState>) -> Json<TransitPublicKey> {
    let key = state.money.ride_public_key();
    Json(TransitPublicKey {
        algorithm: "Ed25519".into(),
        public_key: qianbao_wallet::domain::hex_lower(&key.to_bytes()),
        key_id: key.key_id(),
    })
}

/// The ride tokens the operator's gates must refuse (revoked, or their holder frozen or closed).
#[utoipa::path(get, path = "/v1/transit/revoked", tag = "transit", security(("merchant_key" = [])),
    responses(
        (status = 200, description = "The list", body = RevokedRideTokens),
        (status = 401, description = "No merchant key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The merchant is not a transit operator", body = Problem, content_type = "application/problem+json")))]
pub async fn revoked(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Result<Json<RevokedRideTokens>, ApiError> {
    let tokens = state
        .money
        .refused_ride_tokens(&state.storage, &merchant)
        .await?;
    // The newest revocation's time, and the count for holders frozen without one: both only grow.
    let newest = tokens
        .iter()
        .filter_map(|t| t.revoked_ms)
        .max()
        .unwrap_or(0);
    let count = i64::try_from(tokens.len()).unwrap_or(i64::MAX);
    Ok(Json(RevokedRideTokens {
        operator: merchant.id.clone(),
        version: newest.saturating_add(count),
        generated_at: rfc3339(state.money.now_ms()),
        revoked: tokens.into_iter().map(|t| t.token).collect(),
    }))
}

/// A gate's batch of taps: each line judged alone, the good ones kept and their rides charged.
#[utoipa::path(post, path = "/v1/transit/taps", tag = "transit", security(("merchant_key" = [])), request_body = TapBatch,
    responses(
        (status = 200, description = "What was kept and what was refused, line by line", body = TapBatchResult),
        (status = 401, description = "No merchant key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The merchant is not a transit operator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: more than 1000 taps", body = Problem, content_type = "application/problem+json")))]
pub async fn taps(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    ApiJson(batch): ApiJson<TapBatch>,
) -> Result<Json<TapBatchResult>, ApiError> {
    // A time that does not parse is refused on its line; the rest go on to the wallet.
    let mut unreadable = Vec::new();
    let mut lines = Vec::new();
    let mut positions = Vec::new();
    for (index, tap) in batch.taps.into_iter().enumerate() {
        match OffsetDateTime::parse(&tap.at, &Rfc3339) {
            Ok(at) => {
                positions.push(index);
                lines.push(TapLine {
                    payload: tap.payload,
                    station: tap.station,
                    direction: tap.direction,
                    at_ms: i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX),
                });
            }
            Err(_) => unreadable.push((index, TapRefusal::TimeInvalid)),
        }
    }
    let outcome = state
        .money
        .upload_taps(&state.storage, &merchant, &lines)
        .await?;
    let mut rejected: Vec<(usize, TapRefusal)> = outcome
        .rejected
        .into_iter()
        .map(|(i, reason)| (positions.get(i).copied().unwrap_or(i), reason))
        .chain(unreadable)
        .collect();
    rejected.sort_unstable_by_key(|(index, _)| *index);
    Ok(Json(TapBatchResult {
        accepted: outcome.accepted,
        rejected: rejected
            .into_iter()
            .map(|(index, reason)| RejectedTap {
                index,
                reason: reason.as_str().into(),
            })
            .collect(),
    }))
}

/// The holder's latest rides and what is owed.
#[utoipa::path(get, path = "/v1/me/rides", tag = "transit", security(("session" = [])),
    responses((status = 200, description = "The rides", body = RideList)))]
pub async fn rides(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<RideList>, ApiError> {
    let rides = state.money.rides(&state.storage, &me.holder.id).await?;
    let owed = rides
        .iter()
        .filter(|r| r.status == RideStatus::Owed)
        .map(|r| r.charged.minor())
        .sum();
    Ok(Json(RideList {
        owed,
        rides: rides
            .into_iter()
            .map(|r| RideView {
                id: r.id,
                operator: r.merchant_id,
                entry_station: r.entry_station,
                entry_at: r.entry_ms.map(rfc3339),
                exit_station: r.exit_station,
                exit_at: r.exit_ms.map(rfc3339),
                fare: r.fare.minor(),
                charged: r.charged.minor(),
                status: r.status.as_str().into(),
            })
            .collect(),
    }))
}

/// A fare table on the wire.
fn fare_table_body(t: &FareTable) -> FareTableBody {
    FareTableBody {
        kind: t.kind.as_str().into(),
        stations: t
            .stations
            .iter()
            .map(|s| FareStation {
                code: s.code.clone(),
                name: s.name.clone(),
                line: s.line.clone(),
                index: s.index,
            })
            .collect(),
        flat_fare: t.flat_fare.minor(),
        base_fare: t.base_fare.minor(),
        base_stations: t.base_stations,
        step_stations: t.step_stations,
        step_fare: t.step_fare.minor(),
        max_fare: t.max_fare.minor(),
        daily_cap: t.daily_cap.minor(),
    }
}

/// The fare table the caller's transit operator charges by (the sandbox's Lanzhou line 1 until it
/// sets its own).
#[utoipa::path(get, path = "/v1/merchant/transit/fare-table", tag = "transit", security(("merchant_key" = [])),
    responses(
        (status = 200, description = "The fare table in force", body = FareTableBody),
        (status = 401, description = "No merchant key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The merchant is not a transit operator", body = Problem, content_type = "application/problem+json")))]
pub async fn fare_table(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Result<Json<FareTableBody>, ApiError> {
    let table = state.money.fare_table(&state.storage, &merchant).await?;
    Ok(Json(fare_table_body(&table)))
}

/// Sets the caller's fare table, checked whole; rides already charged keep their fares.
#[utoipa::path(put, path = "/v1/merchant/transit/fare-table", tag = "transit", security(("merchant_key" = [])), request_body = FareTableBody,
    responses(
        (status = 200, description = "The fare table now in force", body = FareTableBody),
        (status = 401, description = "No merchant key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The merchant is not a transit operator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request` naming the field: no or too many stations, a repeated code, a maximum below the base fare, a cap below the maximum", body = Problem, content_type = "application/problem+json")))]
pub async fn set_fare_table(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    ApiJson(body): ApiJson<FareTableBody>,
) -> Result<Json<FareTableBody>, ApiError> {
    let table = FareTable {
        kind: FareKind::parse(&body.kind).ok_or(MoneyError::InvalidField("kind"))?,
        stations: body
            .stations
            .into_iter()
            .map(|s| Station {
                code: s.code,
                name: s.name,
                line: s.line,
                index: s.index,
            })
            .collect(),
        flat_fare: Amount::from_minor(body.flat_fare),
        base_fare: Amount::from_minor(body.base_fare),
        base_stations: body.base_stations,
        step_stations: body.step_stations,
        step_fare: Amount::from_minor(body.step_fare),
        max_fare: Amount::from_minor(body.max_fare),
        daily_cap: Amount::from_minor(body.daily_cap),
    };
    state
        .money
        .set_fare_table(&state.storage, &merchant, table.clone())
        .await?;
    Ok(Json(fare_table_body(&table)))
}
