//! Bank cards a holder has bound.

use crate::StoreError;
use crate::domain::CardType;

crate::named! {
    /// Where a card's binding stands.
    pub enum CardStatus {
        /// Waiting for the bank's SMS code.
        PendingOtp = "pending_otp",
        /// Bound.
        Active = "active",
        /// The binding was abandoned after too many wrong codes.
        Failed = "failed",
        /// Unbound by the holder.
        Unbound = "unbound",
    }
}

/// A bank card of a holder's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRecord {
    /// The card's id.
    pub id: String,
    /// Whose.
    pub holder_id: String,
    /// The full number, sealed.
    pub number_sealed: Vec<u8>,
    /// Keyed digest of the number.
    pub number_blind: String,
    /// The first six digits.
    pub bin: String,
    /// The last four digits.
    pub last4: String,
    /// The issuer's name.
    pub bank_name: String,
    /// `debit` or `credit`.
    pub card_type: CardType,
    /// The phone registered with the bank.
    pub reserved_phone: String,
    /// The bank's reference for the binding.
    pub bank_reference: String,
    /// The bank's token for the card once bound, sealed.
    pub token_sealed: Option<Vec<u8>>,
    /// `pending_otp`, `active`, `failed` or `unbound`.
    pub status: CardStatus,
    /// Whether payments use it by default.
    pub is_default: bool,
    /// Wrong binding codes tried.
    pub confirm_tries: i64,
    /// When binding began (ms).
    pub created_ms: i64,
}

/// A holder's bank cards.
pub trait CardRecords {
    /// The holder's cards that are bound or being bound, oldest first.
    fn cards_of(&mut self, holder_id: &str) -> Result<Vec<CardRecord>, StoreError>;
    /// One card of the holder's (in any status).
    fn card(&mut self, holder_id: &str, card_id: &str) -> Result<Option<CardRecord>, StoreError>;
    /// The bound card with this number digest, whoever's it is.
    fn active_card(&mut self, number_blind: &str) -> Result<Option<CardRecord>, StoreError>;
    /// Adds a card.
    fn insert_card(&mut self, card: &CardRecord) -> Result<(), StoreError>;
    /// Saves a card's status, token, default flag and tries.
    fn update_card(&mut self, card: &CardRecord) -> Result<(), StoreError>;
}
