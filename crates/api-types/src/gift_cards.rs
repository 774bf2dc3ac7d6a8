//! Gift and membership cards on the wire: a shop issuing them, holders buying, redeeming, giving
//! and listing them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/merchant/gift-cards`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardIssueRequest {
    /// Each card's value in fen, loaded from the shop's takings at once.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// How many cards, 1–100 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub count: Option<i64>,
    /// `gift` (default) or `membership`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(gift|membership)$")]
    pub kind: Option<String>,
    /// When the cards expire (RFC 3339): a year on by default, at most three years. What a card
    /// still holds then goes to the shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The holder the cards go straight to; without it each card gets a redeem code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_phone: Option<String>,
}

/// One card issued.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GiftCardIssued {
    /// The card's id.
    pub card_id: String,
    /// The digits its barcode carries.
    pub number: String,
    /// Its 16-digit redeem code: in the first answer only (a replay of the same
    /// Idempotency-Key leaves it out), and only for cards not issued to a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Its value in fen.
    pub amount: i64,
    /// `gift` or `membership`.
    pub kind: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
}

/// The cards one issue made.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GiftCardsIssued {
    /// The cards, in order.
    pub cards: Vec<GiftCardIssued>,
}

/// `POST /v1/gift-cards/buy`: a card of a shop, paid from the wallet.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardBuyRequest {
    /// The shop whose card it is: it pays only there.
    pub merchant_id: String,
    /// Its value in fen, paid from the wallet balance.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// The six-digit payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// Another holder the card goes to, as a gift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_phone: Option<String>,
    /// `gift` (default) or `membership`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(gift|membership)$")]
    pub kind: Option<String>,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<crate::SecondFactor>,
}

/// A card bought.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GiftCardBought {
    /// The buyer's record of the purchase (`GET /v1/me/transactions/{id}`).
    pub movement_id: String,
    /// The card.
    pub card_id: String,
    /// The digits its barcode carries.
    pub number: String,
    /// Its value in fen.
    pub amount: i64,
    /// `gift` or `membership`.
    pub kind: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// Whether it went to another holder.
    pub gift: bool,
}

/// `POST /v1/me/gift-cards/redeem`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardRedeemRequest {
    /// The card's 16-digit redeem code (spaces are ignored).
    #[schema(max_length = 64)]
    pub code: String,
}

/// `POST /v1/me/gift-cards/{id}/give`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardGiveRequest {
    /// The holder the card goes to.
    pub to_phone: String,
}

/// A card as its holder or its shop sees it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GiftCardView {
    /// The card's id.
    pub card_id: String,
    /// The shop it pays at.
    pub merchant_id: String,
    /// The shop's name.
    pub merchant_name: String,
    /// `gift` or `membership`.
    pub kind: String,
    /// What it holds now, in fen: paid before the wallet at its shop.
    pub balance: i64,
    /// What it was loaded with, in fen.
    pub value: i64,
    /// The digits its barcode carries.
    pub number: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// `unredeemed`, `active` or `expired`.
    pub status: String,
    /// `issued` (by the shop) or `sold` (bought by a holder).
    pub origin: String,
}

/// `GET /v1/me/cards-in-wallet` and `GET /v1/merchant/gift-cards`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GiftCardList {
    /// The cards: a holder's soonest to expire first, a shop's newest first (at most 100).
    pub items: Vec<GiftCardView>,
}
