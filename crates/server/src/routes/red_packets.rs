//! Red packets over HTTP (`docs/red-packets.md`): sending with the payment password and an
//! Idempotency-Key, claiming a share, and a packet's page with its claims and, once nothing can
//! change, its revealed split.

use crate::auth::CurrentHolder;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::money::idempotency::{
    IdempotencyHeader, idempotency_key, idempotent_with_pin, json,
};
use crate::routes::money::moves::caller;
use crate::routes::money::origin::{origin, take_proof};
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::red_packets::{
    RedPacketClaimItem, RedPacketClaimed, RedPacketList, RedPacketRequest, RedPacketReveal,
    RedPacketSent, RedPacketView,
};
use qianbao_wallet::domain::{Phone, display_text};
use qianbao_wallet::money::{MoneyError, amount};
use qianbao_wallet::red_packets::{PacketView, SendRequest, Sent, Split};

/// The text a packet's link or QR code carries: the app opens the packet's page from it.
pub fn claim_payload(id: &str) -> String {
    format!("qianbao://red-packet/{id}")
}

fn sent_json(sent: Sent) -> String {
    json(&RedPacketSent {
        claim_payload: claim_payload(&sent.id),
        id: sent.id,
        commitment: sent.commitment,
        expires_at: rfc3339(sent.expires_ms),
    })
}

/// A packet as `viewer_id` sees it on the wire.
fn view_json(view: PacketView, viewer_id: &str) -> RedPacketView {
    let p = &view.packet;
    let my_amount = view
        .claims
        .iter()
        .find(|c| c.claim.holder_id == viewer_id)
        .map(|c| c.claim.amount.minor());
    RedPacketView {
        id: p.id.clone(),
        kind: if p.recipient_id.is_some() {
            "one_to_one"
        } else {
            "group"
        }
        .into(),
        split: p.split.as_str().into(),
        amount: p.amount.minor(),
        shares: u32::try_from(p.shares.len()).unwrap_or(u32::MAX),
        memo: p.memo.clone(),
        sender: view.sender_name.clone(),
        mine: view.mine,
        status: p.status.as_str().into(),
        commitment: p.commitment.0.clone(),
        claimed_shares: p.claimed_count,
        claimed_amount: p.claimed_amount.minor(),
        my_amount,
        claim_payload: claim_payload(&p.id),
        qr_svg: None,
        created_at: rfc3339(p.created_ms),
        expires_at: rfc3339(p.expires_ms),
        claims: view
            .claims
            .iter()
            .map(|c| RedPacketClaimItem {
                index: c.claim.index,
                amount: c.claim.amount.minor(),
                name: c.name.clone(),
                mine: c.claim.holder_id == viewer_id,
                claimed_at: rfc3339(c.claim.claimed_ms),
            })
            .collect(),
        revealed: p.revealed().then(|| RedPacketReveal {
            shares: p.shares.iter().map(|s| s.minor()).collect(),
            salt: p.salt.clone(),
        }),
    }
}

/// Sends a red packet: to one holder (`to_phone`, one share) or to a group (N shares, even or
/// random). The whole amount is held at once; what nobody claims comes back after 24 h.
#[utoipa::path(post, path = "/v1/red-packets", tag = "red_packets", security(("session" = [])),
    request_body = RedPacketRequest, params(IdempotencyHeader),
    responses(
        (status = 201, description = "Sent: share `claim_payload`; `commitment` fixes the split", body = RedPacketSent),
        (status = 400, description = "`otp_invalid`: a second factor's SMS code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`), `step_up_required` (send again with `second_factor`), `totp_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`, `risk_blocked`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no wallet has `to_phone`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`amount_invalid` (above the packet's limit), `invalid_request` (`shares`, `split`, `to_phone`, `memo`), `invalid_payee` (yourself, frozen), `insufficient_balance`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn send(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<RedPacketRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
    let key = idempotency_key(&state, &headers, caller(&me), "red_packet", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        sent_json,
        |render, key, pin_read| {
            Box::pin(async move {
                let amount = amount(body.amount, s.money.policy.amount_max_minor)?;
                let shares =
                    u32::try_from(body.shares).map_err(|_| MoneyError::InvalidField("shares"))?;
                let split = Split::parse(&body.split).ok_or(MoneyError::InvalidField("split"))?;
                let to_phone = body
                    .to_phone
                    .as_deref()
                    .map(|p| Phone::parse(p).map_err(|_| MoneyError::InvalidField("to_phone")))
                    .transpose()?;
                let memo = display_text(&body.memo.clone().unwrap_or_default(), 40, false)
                    .map_err(|_| MoneyError::InvalidField("memo"))?;
                s.money
                    .check_red_packet(amount, shares, to_phone.is_some())?;
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                let request = SendRequest {
                    amount,
                    shares,
                    split,
                    to_phone,
                    memo,
                };
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .send_red_packet(&s.storage, &me.holder, request, &origin, &key, render)
                    .await
            })
        },
    )
    .await
}

/// Claims the next share of a packet: once per holder; a one-to-one packet only by its
/// recipient.
#[utoipa::path(post, path = "/v1/red-packets/{id}/claim", tag = "red_packets", security(("session" = [])),
    params(("id" = String, Path, description = "The packet")),
    responses(
        (status = 201, description = "The share claimed", body = RedPacketClaimed),
        (status = 403, description = "`account_frozen`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such packet, or another's one-to-one packet", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_claimed`", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`red_packet_empty`, `red_packet_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_payee`: the sender of a one-to-one packet; `limit_exceeded`: the share would pass the balance cap", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn claim(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state.money.check_open(&state.storage).await?;
    let share = state
        .money
        .claim_red_packet(&state.storage, &me.holder, &id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RedPacketClaimed {
            amount: share.minor(),
        }),
    )
        .into_response())
}

/// A packet's page: who got how much, and once it is finished or expired, the shares and salt
/// that check against its commitment.
#[utoipa::path(get, path = "/v1/red-packets/{id}", tag = "red_packets", security(("session" = [])),
    params(("id" = String, Path, description = "The packet")),
    responses(
        (status = 200, description = "The packet", body = RedPacketView),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
) -> Result<Json<RedPacketView>, ApiError> {
    let view = state
        .money
        .red_packet(&state.storage, &me.holder, &id)
        .await?;
    let mut shown = view_json(view, &me.holder.id);
    shown.qr_svg = Some(crate::routes::money::codes::qr_svg(&shown.claim_payload));
    Ok(Json(shown))
}

/// The packets the holder sent, was sent, or claimed from, newest first (at most 50).
#[utoipa::path(get, path = "/v1/me/red-packets", tag = "red_packets", security(("session" = [])),
    responses((status = 200, description = "The packets", body = RedPacketList)))]
pub async fn mine(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<RedPacketList>, ApiError> {
    let views = state
        .money
        .red_packets_of(&state.storage, &me.holder, 50)
        .await?;
    let items = views
        .into_iter()
        .map(|view| view_json(view, &me.holder.id))
        .collect();
    Ok(Json(RedPacketList { items }))
}
