//! Gift and membership cards over HTTP (`docs/rewards.md`): a shop issues cards (merchant key,
//! Idempotency-Key), holders buy them with the payment password, redeem codes, give cards away
//! and list them. A card pays at its shop before the wallet (`POST /v1/pay`, the till's charge),
//! which needs nothing here.

use crate::auth::{CurrentHolder, CurrentMerchant};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::merchant::caller as merchant_caller;
use crate::routes::money::idempotency::{
    IdempotencyHeader, idempotency_key, idempotent, idempotent_with_pin, json,
};
use crate::routes::money::moves::caller;
use crate::routes::money::origin::{origin, take_proof};
use crate::routes::rewards::time_ms;
use crate::state::AppState;
use crate::timestamp::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::Problem;
use qianbao_api_types::gift_cards::{
    GiftCardBought, GiftCardBuyRequest, GiftCardGiveRequest, GiftCardIssueRequest, GiftCardIssued,
    GiftCardList, GiftCardRedeemRequest, GiftCardView, GiftCardsIssued,
};
use qianbao_wallet::domain::Phone;
use qianbao_wallet::gift_cards::{
    Bought, BuyRequest, CardView, GiftCardKind, IssueRequest, Issued,
};
use qianbao_wallet::money::{MoneyError, amount};
use std::sync::{Arc, Mutex};

/// The largest issue reply read back to add its codes: 100 cards are far below it.
const ISSUED_BODY_MAX: usize = 256 * 1024;

/// A card on the wire.
fn card_view(v: CardView) -> GiftCardView {
    GiftCardView {
        card_id: v.card.id,
        merchant_id: v.card.merchant_id,
        merchant_name: v.merchant_name,
        kind: v.card.kind.as_str().into(),
        balance: v.balance.minor(),
        value: v.card.value.minor(),
        number: v.card.number,
        expires_at: rfc3339(v.card.expires_ms),
        status: v.card.status.as_str().into(),
        origin: v.card.origin.as_str().into(),
    }
}

/// A kind from the wire: `gift` when absent.
fn kind_of(kind: Option<&str>) -> Result<GiftCardKind, MoneyError> {
    kind.map_or(Ok(GiftCardKind::Gift), |k| {
        GiftCardKind::parse(k).ok_or(MoneyError::InvalidField("kind"))
    })
}

/// A phone from the wire, or `invalid_request` naming `to_phone`.
fn phone_of(phone: Option<&str>) -> Result<Option<Phone>, MoneyError> {
    phone
        .map(|p| Phone::parse(p).map_err(|_| MoneyError::InvalidField("to_phone")))
        .transpose()
}

/// The issue reply as kept with its Idempotency-Key: without the codes, which are kept only as
/// digests — the first answer adds them (see [`issue`]).
fn issued_json(done: Issued) -> String {
    json(&GiftCardsIssued {
        cards: done
            .cards
            .into_iter()
            .map(|c| GiftCardIssued {
                card_id: c.card_id,
                number: c.number,
                code: None,
                amount: done.amount.minor(),
                kind: done.kind.as_str().into(),
                expires_at: rfc3339(done.expires_ms),
            })
            .collect(),
    })
}

/// Adds the codes to the first answer of an issue: a replayed answer (or a refusal) is left as
/// it is.
async fn with_codes(response: Response, codes: Vec<(String, String)>) -> Response {
    if response.status() != StatusCode::CREATED
        || response.headers().contains_key("idempotent-replayed")
        || codes.is_empty()
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ISSUED_BODY_MAX).await else {
        return ApiError::from(MoneyError::Internal("issue reply unreadable".into()))
            .into_response();
    };
    let Ok(mut issued) = serde_json::from_slice::<GiftCardsIssued>(&bytes) else {
        return ApiError::from(MoneyError::Internal("issue reply unreadable".into()))
            .into_response();
    };
    for card in &mut issued.cards {
        card.code = codes
            .iter()
            .find(|(id, _)| *id == card.card_id)
            .map(|(_, code)| code.clone());
    }
    Response::from_parts(parts, axum::body::Body::from(json(&issued)))
}

/// Issues 1–100 cards of `amount` each, loaded from the shop's takings at once. With `to_phone`
/// they go straight into that wallet; otherwise each has a redeem code, in this first answer
/// only.
#[utoipa::path(post, path = "/v1/merchant/gift-cards", tag = "rewards", security(("merchant_key" = [])),
    request_body = GiftCardIssueRequest, params(IdempotencyHeader),
    responses(
        (status = 201, description = "Issued", body = GiftCardsIssued),
        (status = 401, description = "No merchant key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no wallet has `to_phone`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request` naming the field (`count`, `kind`, `expires_at`: past, or more than three years on, `to_phone`), `amount_invalid`, `insufficient_balance` (the takings cannot load the cards), `invalid_payee` (a frozen or closed wallet), `merchant_unavailable`", body = Problem, content_type = "application/problem+json")))]
pub async fn issue(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
    headers: HeaderMap,
    ApiJson(body): ApiJson<GiftCardIssueRequest>,
) -> Response {
    let key = idempotency_key(
        &state,
        &headers,
        merchant_caller(&merchant),
        "gift_cards",
        &body,
    );
    let s = state.clone();
    let codes: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let drawn = codes.clone();
    let response = idempotent(
        &state,
        key,
        StatusCode::CREATED,
        issued_json,
        |render, key| {
            Box::pin(async move {
                let request = IssueRequest {
                    amount: amount(body.amount, s.money.policy.amount_max_minor)?,
                    count: u32::try_from(body.count.unwrap_or(1))
                        .map_err(|_| MoneyError::InvalidField("count"))?,
                    kind: kind_of(body.kind.as_deref())?,
                    expires_ms: body
                        .expires_at
                        .as_deref()
                        .map(|t| time_ms(t, "expires_at"))
                        .transpose()?,
                    to_phone: phone_of(body.to_phone.as_deref())?,
                };
                let issued = s
                    .money
                    .issue_gift_cards(&s.storage, &merchant, request, &key, render)
                    .await?;
                if let Ok(mut slot) = drawn.lock() {
                    *slot = issued
                        .cards
                        .iter()
                        .filter_map(|c| c.code.clone().map(|code| (c.card_id.clone(), code)))
                        .collect();
                }
                Ok(issued)
            })
        },
    )
    .await;
    let codes = codes.lock().map(|c| c.clone()).unwrap_or_default();
    with_codes(response, codes).await
}

/// The shop's cards, newest first (at most 100), with what each still holds.
#[utoipa::path(get, path = "/v1/merchant/gift-cards", tag = "rewards", security(("merchant_key" = [])),
    responses((status = 200, description = "The cards", body = GiftCardList)))]
pub async fn issued(
    State(state): State<AppState>,
    CurrentMerchant(merchant): CurrentMerchant,
) -> Result<Json<GiftCardList>, ApiError> {
    let cards = state
        .money
        .gift_cards_issued(&state.storage, &merchant)
        .await?;
    Ok(Json(GiftCardList {
        items: cards.into_iter().map(card_view).collect(),
    }))
}

/// The holder's cards, soonest to expire first (at most 100): each card's shop, balance, value,
/// barcode number, expiry and status.
#[utoipa::path(get, path = "/v1/me/cards-in-wallet", tag = "rewards", security(("session" = [])),
    responses((status = 200, description = "The cards", body = GiftCardList)))]
pub async fn cards_in_wallet(
    State(state): State<AppState>,
    me: CurrentHolder,
) -> Result<Json<GiftCardList>, ApiError> {
    let cards = state
        .money
        .cards_in_wallet(&state.storage, &me.holder)
        .await?;
    Ok(Json(GiftCardList {
        items: cards.into_iter().map(card_view).collect(),
    }))
}

/// Redeems a card's code into the holder's wallet.
#[utoipa::path(post, path = "/v1/me/gift-cards/redeem", tag = "rewards", security(("session" = [])),
    request_body = GiftCardRedeemRequest,
    responses(
        (status = 201, description = "The card, now in the wallet", body = GiftCardView),
        (status = 403, description = "`account_frozen`, `account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`gift_card_not_found`: no card has this code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`gift_card_redeemed`: the code was redeemed already", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`gift_card_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many wrong codes this hour", body = Problem, content_type = "application/problem+json")))]
pub async fn redeem(
    State(state): State<AppState>,
    me: CurrentHolder,
    ApiJson(body): ApiJson<GiftCardRedeemRequest>,
) -> Result<Response, ApiError> {
    let card = state
        .money
        .redeem_gift_card(&state.storage, &me.holder, &body.code)
        .await?;
    let view = state
        .money
        .card_in_wallet(&state.storage, &me.holder, &card.id)
        .await?;
    Ok((StatusCode::CREATED, Json(card_view(view))).into_response())
}

fn bought_json(done: Bought) -> String {
    json(&GiftCardBought {
        movement_id: done.movement_id,
        card_id: done.card_id,
        number: done.number,
        amount: done.amount.minor(),
        kind: done.kind.as_str().into(),
        expires_at: rfc3339(done.expires_ms),
        gift: done.gift,
    })
}

/// Buys a card of a shop from the wallet balance, for the holder or (`to_phone`) as a gift. It
/// counts as spending: the payment password, the day's limits and risk control judge it.
#[utoipa::path(post, path = "/v1/gift-cards/buy", tag = "rewards", security(("session" = [])),
    request_body = GiftCardBuyRequest, params(IdempotencyHeader),
    responses(
        (status = 201, description = "Bought: the card is in the wallet (or the recipient's)", body = GiftCardBought),
        (status = 400, description = "`otp_invalid`: a second factor's SMS code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`pin_incorrect` (with `attempts_left`), `step_up_required` (send again with `second_factor`), `totp_invalid`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_frozen`, `account_restricted`, `pin_not_set`, `risk_blocked`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no wallet has `to_phone`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`amount_invalid`, `invalid_request` (`kind`, `to_phone`), `invalid_payee` (your own shop, a frozen wallet), `merchant_unavailable`, `insufficient_balance`, `limit_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "`pin_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`maintenance`", body = Problem, content_type = "application/problem+json")))]
pub async fn buy(
    State(state): State<AppState>,
    me: CurrentHolder,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<GiftCardBuyRequest>,
) -> Response {
    let proof = take_proof(&mut body.second_factor);
    let key = idempotency_key(&state, &headers, caller(&me), "gift_card_buy", &body);
    let s = state.clone();
    let pin = (me.holder.id.clone(), body.pin.clone());
    idempotent_with_pin(
        &state,
        key,
        (&pin.0, &pin.1),
        StatusCode::CREATED,
        bought_json,
        |render, key, pin_read| {
            Box::pin(async move {
                let request = BuyRequest {
                    merchant_id: body.merchant_id.clone(),
                    amount: amount(body.amount, s.money.policy.amount_max_minor)?,
                    kind: kind_of(body.kind.as_deref())?,
                    to_phone: phone_of(body.to_phone.as_deref())?,
                };
                s.money
                    .check_pin_read(&s.storage, &me.holder.id, &body.pin, pin_read)
                    .await?;
                let origin = origin(&s, &me, &key, proof).await?;
                s.money
                    .buy_gift_card(&s.storage, &me.holder, request, &origin, &key, render)
                    .await
            })
        },
    )
    .await
}

/// Gives one of the holder's cards to another holder: the card, with what it holds, changes
/// wallets.
#[utoipa::path(post, path = "/v1/me/gift-cards/{id}/give", tag = "rewards", security(("session" = [])),
    params(("id" = String, Path, description = "The card")),
    request_body = GiftCardGiveRequest,
    responses(
        (status = 200, description = "Given", body = GiftCardView),
        (status = 403, description = "`account_frozen`, `account_restricted`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`gift_card_not_found` (none, or another's), `not_found`: no wallet has `to_phone`", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`gift_card_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request` (`to_phone`), `invalid_payee` (yourself, a frozen or closed wallet)", body = Problem, content_type = "application/problem+json")))]
pub async fn give(
    State(state): State<AppState>,
    me: CurrentHolder,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GiftCardGiveRequest>,
) -> Result<Json<GiftCardView>, ApiError> {
    let before = state
        .money
        .card_in_wallet(&state.storage, &me.holder, &id)
        .await?;
    let to = phone_of(Some(&body.to_phone))?.ok_or(MoneyError::InvalidField("to_phone"))?;
    state
        .money
        .give_gift_card(&state.storage, &me.holder, &id, to)
        .await?;
    Ok(Json(card_view(before)))
}
