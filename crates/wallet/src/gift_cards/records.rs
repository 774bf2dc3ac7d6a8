//! The rows of gift and membership cards: what each card is, whose wallet it is in, and where it
//! stands. What a card holds is not here: it is its ledger account's balance.

use crate::StoreError;
use qianbao_ledger::Amount;

crate::named! {
    /// What a card is for.
    pub enum GiftCardKind {
        /// A gift card (礼品卡): stored value to give or spend.
        Gift = "gift",
        /// A membership card (会员卡): the shop's own stored-value card for its regulars.
        Membership = "membership",
    }
}

crate::named! {
    /// Where a card stands.
    pub enum GiftCardStatus {
        /// Issued with a redeem code nobody has redeemed yet.
        Unredeemed = "unredeemed",
        /// In a holder's wallet, usable at its shop until it expires.
        Active = "active",
        /// Its time is up: what it held went to the shop.
        Expired = "expired",
    }
}

crate::named! {
    /// How a card came to be.
    pub enum GiftCardOrigin {
        /// Issued by the shop from its takings.
        Issued = "issued",
        /// Bought by a holder from their wallet balance.
        Sold = "sold",
    }
}

/// A gift or membership card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftCardRecord {
    /// Its id; its ledger account is owned by it.
    pub id: String,
    /// The only shop it pays at, whose liability it is.
    pub merchant_id: String,
    /// Whose wallet it is in; `None` until its code is redeemed.
    pub holder_id: Option<String>,
    /// Gift or membership.
    pub kind: GiftCardKind,
    /// The 16–19 digits its barcode carries.
    pub number: String,
    /// The keyed digest of its redeem code, when it was issued with one.
    pub code_digest: Option<String>,
    /// What it was loaded with: its balance never goes above it.
    pub value: Amount,
    /// Where it stands.
    pub status: GiftCardStatus,
    /// Issued or sold.
    pub origin: GiftCardOrigin,
    /// When it expires (ms).
    pub expires_ms: i64,
    /// When it was made (ms).
    pub created_ms: i64,
    /// When it came into a wallet (ms), by code, sale or issue to a phone.
    pub redeemed_ms: Option<i64>,
}

/// A card whose ledger account disagrees with its row, as `qianbao verify` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardAccountProblem {
    /// The account's owner as stored (`wallet:<card id>`).
    pub owner: String,
    /// The card's status, `None` when no card owns the account.
    pub status: Option<String>,
    /// What the account holds (fen).
    pub balance: i64,
    /// What the card was loaded with (fen), when there is a card.
    pub value: Option<i64>,
}

/// Cards' rows.
pub trait GiftCardRecords {
    /// Stores a new card.
    fn insert_gift_card(&mut self, card: &GiftCardRecord) -> Result<(), StoreError>;
    /// A card by id.
    fn gift_card(&mut self, id: &str) -> Result<Option<GiftCardRecord>, StoreError>;
    /// A card by the digest of its redeem code.
    fn gift_card_by_code(&mut self, digest: &str) -> Result<Option<GiftCardRecord>, StoreError>;
    /// The holder's active cards of `merchant_id` not expired at `now_ms`, soonest to expire
    /// first.
    fn usable_gift_cards(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
        now_ms: i64,
    ) -> Result<Vec<GiftCardRecord>, StoreError>;
    /// The holder's cards, soonest to expire first, at most `limit`.
    fn gift_cards_of_holder(
        &mut self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<GiftCardRecord>, StoreError>;
    /// The shop's cards, newest first, at most `limit`.
    fn gift_cards_of_merchant(
        &mut self,
        merchant_id: &str,
        limit: i64,
    ) -> Result<Vec<GiftCardRecord>, StoreError>;
    /// Puts an unredeemed card into `holder_id`'s wallet: false when it is no longer
    /// unredeemed (a racing redeem won).
    fn redeem_gift_card(
        &mut self,
        id: &str,
        holder_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Passes an active card from `from_id` to `to_id`: false when `from_id` no longer holds it
    /// active.
    fn pass_gift_card(&mut self, id: &str, from_id: &str, to_id: &str) -> Result<bool, StoreError>;
    /// Marks a card expired: false when it already was.
    fn expire_gift_card(&mut self, id: &str) -> Result<bool, StoreError>;
    /// What the shop's live cards (not expired) still hold, in fen: its outstanding liability.
    fn live_gift_cards_total(&mut self, merchant_id: &str) -> Result<Amount, StoreError>;
    /// Gift-card accounts that no card owns, cards marked expired that still hold money, and
    /// cards holding more than they were loaded with, at most `limit`.
    fn gift_card_account_problems(
        &mut self,
        limit: i64,
    ) -> Result<Vec<CardAccountProblem>, StoreError>;
}
