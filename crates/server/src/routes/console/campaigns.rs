//! Campaigns from the console: a merchant's campaigns listed, one launched on its behalf (funded
//! from its takings by the merchant API's own launch, under an `Idempotency-Key`), and a running
//! one ended early with what its budget kept given back. Each action is checked and audited by
//! the use case.

use crate::auth::CurrentStaff;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::money::idempotency::{IdempotencyHeader, idempotency_key, idempotent, json};
use crate::routes::rewards::{campaign_request, rule_body};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qianbao_api_types::Problem;
use qianbao_api_types::console::ReasonBody;
use qianbao_api_types::rewards::{CampaignLaunched, CampaignRequestBody, CouponRuleBody};
use qianbao_wallet::rewards::{CampaignRecord, Launched};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/console/campaigns`: a campaign launched for a merchant.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleCampaignRequest {
    /// The merchant whose takings fund it and whose campaign it is.
    pub merchant_id: String,
    /// The campaign, exactly as the merchant would send it to `POST /v1/merchant/campaigns`.
    pub campaign: CampaignRequestBody,
    /// Why staff launch it for the merchant (kept in the audit log; may be empty).
    #[serde(default)]
    pub reason: String,
}

/// A campaign as the console shows it: the merchant's view and what claimed coupons reserve.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleCampaignView {
    /// Its id.
    pub campaign_id: String,
    /// The merchant that runs and funds it.
    pub merchant_id: String,
    /// The merchant's name.
    pub merchant_name: String,
    /// `coupon` or `cashback`.
    pub kind: String,
    /// The coupons' (or cashback's) rule.
    pub rule: CouponRuleBody,
    /// The budget, in fen.
    pub budget: i64,
    /// What claimed coupons may still take plus what used ones took, in fen.
    pub reserved: i64,
    /// What coupons and cashback took so far, in fen.
    pub spent: i64,
    /// How many more coupons the budget can back.
    pub coupons_left: i64,
    /// `active` or `ended`.
    pub status: String,
    /// When claims open (RFC 3339).
    pub starts_at: String,
    /// When it ends (RFC 3339).
    pub ends_at: String,
    /// Coupons one holder may claim in all.
    pub per_holder: u32,
    /// Coupons one holder may claim in a day, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<u32>,
    /// Only for the merchant's new customers.
    pub new_holders_only: bool,
}

/// `GET /v1/console/campaigns`: a merchant's campaigns, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleCampaignList {
    /// The campaigns.
    pub items: Vec<ConsoleCampaignView>,
}

/// A campaign ended early.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleCampaignEnded {
    /// The campaign, now `ended`.
    pub campaign: ConsoleCampaignView,
    /// What went back to the merchant's takings, in fen.
    pub returned: i64,
}

/// `?merchant_id=`: whose campaigns (every merchant's when left out).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CampaignFilter {
    /// The merchant.
    #[serde(default)]
    pub merchant_id: Option<String>,
}

/// A campaign on the console's wire.
pub(crate) fn console_campaign_view(
    c: &CampaignRecord,
    merchant_name: &str,
) -> ConsoleCampaignView {
    ConsoleCampaignView {
        campaign_id: c.id.clone(),
        merchant_id: c.merchant_id.clone(),
        merchant_name: merchant_name.to_string(),
        kind: c.kind.as_str().into(),
        rule: rule_body(&c.rule),
        budget: c.budget.minor(),
        reserved: c.reserved.minor(),
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

/// A merchant's campaigns, or every merchant's, newest first (at most 100), with what each
/// reserved and spent.
#[utoipa::path(get, path = "/v1/console/campaigns", operation_id = "console_campaigns", tag = "console", security(("session" = [])), params(CampaignFilter),
    responses((status = 200, description = "The campaigns", body = ConsoleCampaignList),
              (status = 403, description = "`permission_denied`: needs merchants.view", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`: no such merchant", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Query(filter): Query<CampaignFilter>,
) -> Result<Json<ConsoleCampaignList>, ApiError> {
    let campaigns = state
        .console
        .merchant_campaigns(&state.storage, Some(&staff), filter.merchant_id.as_deref())
        .await?;
    Ok(Json(ConsoleCampaignList {
        items: campaigns
            .iter()
            .map(|(c, name)| console_campaign_view(c, name))
            .collect(),
    }))
}

/// Launches a campaign on a merchant's behalf: the budget moves from the merchant's takings to
/// its campaign funds at once, by the same rules as the merchant's own launch.
#[utoipa::path(post, path = "/v1/console/campaigns", operation_id = "console_launch_campaign", tag = "console", security(("session" = [])),
    request_body = ConsoleCampaignRequest, params(IdempotencyHeader),
    responses(
        (status = 201, description = "Launched", body = CampaignLaunched),
        (status = 400, description = "`idempotency_key_required`, `idempotency_key_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`permission_denied`: needs money.manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such merchant", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request` naming the field (as the merchant API's), `amount_invalid`, `insufficient_balance` (the takings cannot set the budget aside), `merchant_unavailable`, `validation_failed` (a reason over 500 characters)", body = Problem, content_type = "application/problem+json")))]
pub async fn launch(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ConsoleCampaignRequest>,
) -> Result<Response, ApiError> {
    let (merchant, reason) = state
        .console
        .launch_campaign_for(
            &state.storage,
            Some(&staff),
            &body.merchant_id,
            &body.reason,
        )
        .await?;
    // Keys are per staff member; the merchant is part of what the key stands for.
    let key = idempotency_key(
        &state,
        &headers,
        format!("staff:{}", staff.record.id),
        "console_campaign",
        &body,
    );
    let s = state.clone();
    Ok(idempotent(
        &state,
        key,
        StatusCode::CREATED,
        launched_json,
        |render, key| {
            Box::pin(async move {
                let request = campaign_request(&body.campaign, s.money.policy.amount_max_minor)?;
                s.console
                    .launch_campaign_now(
                        &s.storage,
                        &s.money,
                        Some(&staff),
                        &merchant,
                        request,
                        &reason,
                        &key,
                        render,
                    )
                    .await
            })
        },
    )
    .await)
}

/// Ends a running campaign now: its unused coupons lapse and what its budget kept goes back to
/// the merchant's takings.
#[utoipa::path(post, path = "/v1/console/campaigns/{id}/end", operation_id = "console_end_campaign", tag = "console", security(("session" = [])), request_body = ReasonBody,
    params(("id" = String, Path, description = "The campaign")),
    responses((status = 200, description = "Ended", body = ConsoleCampaignEnded),
              (status = 403, description = "`permission_denied`: needs money.manage", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "`campaign_not_active`: it ended already", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "`validation_failed`: no reason", body = Problem, content_type = "application/problem+json")))]
pub async fn end(
    State(state): State<AppState>,
    CurrentStaff(staff): CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<ConsoleCampaignEnded>, ApiError> {
    let ended = state
        .console
        .end_campaign_early(
            &state.storage,
            &state.money,
            Some(&staff),
            &id,
            &body.reason,
        )
        .await?;
    let (campaign, name) = state
        .money
        .campaign(&state.storage, &ended.campaign.id)
        .await?;
    Ok(Json(ConsoleCampaignEnded {
        campaign: console_campaign_view(&campaign, &name),
        returned: ended.returned.minor(),
    }))
}
