//! Rewards over HTTP (`docs/rewards.md`): a merchant launches a coupon campaign with its budget
//! set aside (merchant key, Idempotency-Key), holders see and claim its coupons, and list their
//! own.

use crate::auth::{CurrentHolder, CurrentMerchant};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::merchant::caller;
use crate::routes::money::idempotency::{IdempotencyHeader, idempotency_key, idempotent, json};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::rewards::{
    CampaignLaunched, CampaignList, CampaignRequestBody, CampaignView, CouponClaimed, CouponList,
    CouponRuleBody, CouponView,
};
use qianbao_ledger::Amount;
use qianbao_wallet::money::{MoneyError, amount};
use qianbao_wallet::rewards::{
    CampaignKind, CampaignRecord, CampaignRequest, CouponRule, Launched,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An RFC 3339 time from the wire in ms, or `invalid_request` naming `field`.
pub(crate) fn time_ms(text: &str, field: &'static str) -> Result<i64, MoneyError> {
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| MoneyError::InvalidField(field))?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| MoneyError::InvalidField(field))
}

/// The rule from the wire: exactly one of `amount_off` and (`percent_off` with `max_off`).
fn rule_of(body: &CouponRuleBody) -> Result<CouponRule, MoneyError> {
    let fen = Amount::from_minor;
    match (
        body.amount_off,
        body.percent_off,
        body.max_off,
        body.points_per_yuan,
    ) {
        (None, None, None, Some(per)) => Ok(CouponRule::PointsPerYuan {
            points_per_yuan: u32::try_from(per)
                .map_err(|_| MoneyError::InvalidField("points_per_yuan"))?,
        }),
        (Some(off), None, None, None) => Ok(CouponRule::AmountOff {
            amount_off: fen(off),
            min_spend: fen(body.min_spend),
        }),
        (None, Some(pct), Some(max), None) => Ok(CouponRule::PercentOff {
            percent_off: u32::try_from(pct).map_err(|_| MoneyError::InvalidField("percent_off"))?,
            max_off: fen(max),
            min_spend: fen(body.min_spend),
        }),
        _ => Err(MoneyError::InvalidField("rule")),
    }
}

/// The rule on the wire.
fn rule_body(rule: &CouponRule) -> CouponRuleBody {
    match *rule {
        CouponRule::AmountOff {
            amount_off,
            min_spend,
        } => CouponRuleBody {
            amount_off: Some(amount_off.minor()),
            percent_off: None,
            max_off: None,
            points_per_yuan: None,
            min_spend: min_spend.minor(),
        },
        CouponRule::PercentOff {
            percent_off,
            max_off,
            min_spend,
        } => CouponRuleBody {
            amount_off: None,
            percent_off: Some(i64::from(percent_off)),
            max_off: Some(max_off.minor()),
            points_per_yuan: None,
            min_spend: min_spend.minor(),
        },
        CouponRule::PointsPerYuan { points_per_yuan } => CouponRuleBody {
            amount_off: None,
            percent_off: None,
            max_off: None,
            points_per_yuan: Some(i64::from(points_per_yuan)),
            min_spend: rule.min_spend().minor(),
        },
    }
}

/// A campaign on the wire.
fn campaign_view(c: &CampaignRecord, merchant_name: &str) -> CampaignView {
    CampaignView {
        campaign_id: c.id.clone(),
        merchant_id: c.merchant_id.clone(),
        merchant_name: merchant_name.to_string(),
        kind: c.kind.as_str().into(),
        rule: rule_body(&c.rule),
        budget: c.budget.minor(),
        spent: c.spent.minor(),
        coupons_left: c.coupons_left(),
        status: c.status.as_str().into(),
        starts_at: rfc3339(c.starts_ms),
        ends_at: rfc3339(c.ends_ms),
        per_holder: c.per_holder,
        per_day: c.per_day,
        new_holders_only: c.new_holders_only,
    }
}

fn launched_json(done: Launched) -> String {
    json(&CampaignLaunched {
        campaign_id: done.campaign_id,
    })
}

/// A limit from the wire: 1–100.
fn limit(value: Option<i64>, field: &'static str) -> Result<Option<u32>, MoneyError> {
    value
        .map(|v| {
            u32::try_from(v)
                .ok()
                .filter(|v| (1..=100).contains(v))
                .ok_or(MoneyError::InvalidField(field))
        })
        .transpose()
}

/// Launches a coupon or cashback campaign: the budget moves from the shop's takings to its
/// campaign funds at once, and back (less what it gave) when it ends.
#[utoipa::path(post, path = "/v1/merchant/campaigns", tag = "rewards", security(("merchant_key" = [])),
    request_body = CampaignRequestBody, params(IdempotencyHeader),
    responses(
        (status = 201, description = "Launched", body = CampaignLaunched),
        (status = 401, description = "No merchant key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request` naming the field (`kind`: coupons and cashback so far; `rule`, `amount_off`, `min_spend`, `percent_off`, `max_off`, `budget`: below one coupon's value, `starts_at`, `ends_at`, `per_holder`, `per_day`), `amount_invalid`, `insufficient_balance` (the takings cannot set the budget aside), `merchant_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn launch(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CampaignRequestBody>,
) -> Response {
    let key = idempotency_key(&state, &headers, caller(&merchant), "campaign", &body);
    let s = state.clone();
    idempotent(
        &state,
        key,
        StatusCode::CREATED,
        launched_json,
        |render, key| {
            Box::pin(async move {
                let request = CampaignRequest {
                    kind: CampaignKind::parse(&body.kind)
                        .ok_or(MoneyError::InvalidField("kind"))?,
                    budget: amount(body.budget, s.money.policy.amount_max_minor)?,
                    starts_ms: time_ms(&body.starts_at, "starts_at")?,
                    ends_ms: time_ms(&body.ends_at, "ends_at")?,
                    rule: rule_of(&body.rule)?,
                    per_holder: limit(body.per_holder, "per_holder")?.unwrap_or(1),
                    per_day: limit(body.per_day, "per_day")?,
                    new_holders_only: body.new_holders_only,
                };
                s.money
                    .launch_campaign(&s.storage, &merchant, request, &key, render)
                    .await
            })
        },
    )
    .await
}

/// The shop's campaigns, newest first (at most 100).
#[utoipa::path(get, path = "/v1/merchant/campaigns", tag = "rewards", security(("merchant_key" = [])),
    responses((status = 200, description = "The campaigns", body = CampaignList)))]
pub async fn merchant_campaigns(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Result<Json<CampaignList>, ApiError> {
    let campaigns = state.money.campaigns_of(&state.storage, &merchant).await?;
    Ok(Json(CampaignList {
        items: campaigns
            .iter()
            .map(|c| campaign_view(c, &merchant.name))
            .collect(),
    }))
}

/// A campaign as a holder sees it before claiming: the shop, the rule, the window, how many
/// coupons are left.
#[utoipa::path(get, path = "/v1/campaigns/{id}", tag = "rewards", security(("session" = [])),
    params(("id" = String, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The campaign", body = CampaignView),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn campaign(
    State(state): State<AppState>,
    _me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    let (campaign, name) = state.money.campaign(&state.storage, &id).await?;
    Ok(Json(campaign_view(&campaign, &name)))
}

/// Claims one of the campaign's coupons into the holder's wallet.
#[utoipa::path(post, path = "/v1/campaigns/{id}/claim", tag = "rewards", security(("session" = [])),
    params(("id" = String, Path, description = "The campaign")),
    responses(
        (status = 201, description = "Claimed", body = CouponClaimed),
        (status = 403, description = "`not_eligible` (new customers only), `account_frozen`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`coupon_limit_reached` (per holder, or per day), `campaign_not_active` (not started, or ended)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`campaign_exhausted`: the budget backs no more coupons", body = Problem, content_type = "application/problem+json")))]
pub async fn claim(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let coupon_id = state
        .money
        .claim_coupon(&state.storage, &me.holder, &id)
        .await?;
    Ok((StatusCode::CREATED, Json(CouponClaimed { coupon_id })).into_response())
}

/// The holder's coupons, newest first (at most 100).
#[utoipa::path(get, path = "/v1/me/coupons", tag = "rewards", security(("session" = [])),
    responses((status = 200, description = "The coupons", body = CouponList)))]
pub async fn coupons(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<CouponList>, ApiError> {
    let held = state.money.coupons_of(&state.storage, &me.holder).await?;
    Ok(Json(CouponList {
        items: held
            .into_iter()
            .map(|h| CouponView {
                coupon_id: h.coupon.id,
                campaign_id: h.campaign.id.clone(),
                merchant_id: h.campaign.merchant_id.clone(),
                merchant_name: h.merchant_name,
                rule: rule_body(&h.campaign.rule),
                value: h.coupon.value.minor(),
                status: h.coupon.status.as_str().into(),
                claimed_at: rfc3339(h.coupon.claimed_ms),
                expires_at: rfc3339(h.campaign.ends_ms),
            })
            .collect(),
    }))
}
