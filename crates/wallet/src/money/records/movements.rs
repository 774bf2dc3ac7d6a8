//! Movements: each side of a money movement as its owner sees it, and the sums the limits read.

use crate::StoreError;
use qianbao_ledger::{Amount, Currency};

crate::named! {
    /// What a movement is, as its owner's records name it.
    pub enum MovementKind {
        /// Money in from a bound card.
        Topup = "topup",
        /// Money out to a bound card.
        Withdrawal = "withdrawal",
        /// Between two holders.
        Transfer = "transfer",
        /// To a merchant.
        Payment = "payment",
        /// Back from a merchant.
        Refund = "refund",
        /// A merchant's takings out to its owner's card.
        Settlement = "settlement",
        /// A correction by the operator's staff, approved by a second member (four eyes).
        Adjustment = "adjustment",
        /// Between two of the holder's own currencies at a quoted rate.
        Conversion = "conversion",
        /// A red packet sent, a share of one claimed, or what nobody claimed coming back.
        RedPacket = "red_packet",
        /// A water, power, gas or phone bill paid to its biller.
        Bill = "bill",
        /// A bus or metro fare charged after the ride.
        Fare = "fare",
        /// Money back from a shop's cashback campaign after a payment (or taken back by its
        /// refund).
        Cashback = "cashback",
        /// A gift card bought from a shop (for oneself or as a gift).
        GiftCard = "gift_card",
    }
}

crate::named! {
    /// Which way a movement went for its owner.
    pub enum Direction {
        /// Into the owner's wallet.
        In = "in",
        /// Out of it.
        Out = "out",
    }
}

crate::named! {
    /// How a movement was made: which limits it counts toward.
    pub enum Channel {
        /// A transfer by phone or wallet id.
        Transfer = "transfer",
        /// Paying another holder's receive code.
        ReceiveCode = "receive_code",
        /// Paying a merchant's static QR code.
        StaticQr = "static_qr",
        /// Paying a merchant's order.
        Order = "order",
        /// A merchant charging a payment code with the payment password.
        PaymentCode = "payment_code",
        /// A merchant charging a payment code without it (小额免密).
        PaymentCodeFree = "payment_code_free",
        /// To or from a bank card.
        Card = "card",
        /// From a merchant (refunds).
        Merchant = "merchant",
        /// Currency exchange between the holder's own accounts (counts toward no spending limit).
        Fx = "fx",
        /// Red packets (sent, claimed, returned).
        RedPacket = "red_packet",
        /// Bill payments to billers.
        Bill = "bill",
        /// Transit fares.
        Transit = "transit",
        /// Gift cards bought.
        GiftCard = "gift_card",
    }
}

crate::named! {
    /// Where a movement stands.
    pub enum MovementStatus {
        /// Done.
        Succeeded = "succeeded",
        /// Waiting for the bank.
        Pending = "pending",
        /// A delayed transfer waiting for its time.
        Scheduled = "scheduled",
        /// Refused by the bank, or its card gone: nothing moved.
        Failed = "failed",
        /// A delayed transfer called back before it arrived.
        Cancelled = "cancelled",
        /// Risk control holds the money until a reviewer releases or rejects it.
        HeldForReview = "held_for_review",
        /// A reviewer rejected a held payment (or nobody decided in time): the hold was voided.
        Rejected = "rejected",
    }
}

impl MovementStatus {
    /// The states in which money may still move: the bank has not answered, the time has not
    /// come, or a reviewer has not decided.
    pub const UNFINISHED: [MovementStatus; 3] = [
        MovementStatus::Pending,
        MovementStatus::Scheduled,
        MovementStatus::HeldForReview,
    ];

    /// Whether the movement counts toward the limits: everything that did or may still move.
    pub fn counts(self) -> bool {
        matches!(
            self,
            MovementStatus::Succeeded
                | MovementStatus::Pending
                | MovementStatus::Scheduled
                | MovementStatus::HeldForReview
        )
    }
}

/// One side of a movement as its owner sees it in their records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovementRecord {
    /// The record's id; the payer's is the id the money call returns.
    pub id: String,
    /// Whose record: a holder's id, or a merchant's for its settlements.
    pub owner_id: String,
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    pub kind: MovementKind,
    /// `in` or `out`.
    pub direction: Direction,
    /// Which limits it counts toward: `transfer`, `receive_code`, `static_qr`, `order`,
    /// `payment_code`, `payment_code_free`, `card`, `merchant`.
    pub channel: Channel,
    /// Minor units moved, without the fee.
    pub amount: Amount,
    /// The fee the owner paid on it.
    pub fee: Amount,
    /// ISO 4217.
    pub currency: Currency,
    /// The other side as the owner may see it (`*三`, a shop's name, `工商银行 ****1234`).
    pub counterparty: String,
    /// The other side's id (holder or merchant), when there is one.
    pub peer_id: Option<String>,
    /// `succeeded`, `pending`, `scheduled`, `failed` or `cancelled`.
    pub status: MovementStatus,
    /// The payer's note.
    pub memo: String,
    /// The ledger entry or hold behind it.
    pub entry_id: Option<String>,
    /// The bank card of a top-up or withdrawal.
    pub card_id: Option<String>,
    /// When it was made (ms).
    pub created_ms: i64,
    /// When its status last changed (ms).
    pub updated_ms: i64,
}

/// Which records to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MovementFilter {
    /// Only this kind.
    pub kind: Option<MovementKind>,
    /// Made at or after (ms).
    pub from_ms: Option<i64>,
    /// Made before (ms).
    pub to_ms: Option<i64>,
    /// Only records after this one in the listing's order (the cursor: the last record of the
    /// page before; records sort by time, then id).
    pub before_id: Option<String>,
    /// At most this many.
    pub limit: i64,
}

/// Movements, and what has left a wallet (for the limits).
pub trait MovementRecords {
    /// One movement record.
    fn movement(&mut self, id: &str) -> Result<Option<MovementRecord>, StoreError>;
    /// Every payer's movement in `status`, oldest first (the review queue).
    fn movements_with_status(
        &mut self,
        status: MovementStatus,
    ) -> Result<Vec<MovementRecord>, StoreError>;
    /// The movements still waiting on the bank with card `card_id`: payouts to it and top-ups
    /// from it whose timer has not finished them.
    fn waiting_on_card(&mut self, card_id: &str) -> Result<Vec<MovementRecord>, StoreError>;
    /// Adds a movement record; money leaving in yuan counts toward its owner's day at once.
    fn insert_movement(&mut self, movement: &MovementRecord) -> Result<(), StoreError>;
    /// Counts `yuan` toward what left `owner_id` through `channel` on the day of `at_ms`: how a
    /// movement in another currency is counted, at its yuan value.
    fn count_spending(
        &mut self,
        owner_id: &str,
        at_ms: i64,
        channel: Channel,
        yuan: Amount,
    ) -> Result<(), StoreError>;
    /// Sets a movement's status.
    fn set_movement_status(
        &mut self,
        id: &str,
        status: MovementStatus,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// An owner's records, newest first (by time, then id).
    fn movements(
        &mut self,
        owner_id: &str,
        filter: &MovementFilter,
    ) -> Result<Vec<MovementRecord>, StoreError>;
    /// What left `owner_id`'s wallet through `channels` from the start of the day (China time)
    /// containing `since_ms`, counting pending and scheduled movements (they will leave) and not
    /// failed or cancelled ones.
    fn spent_since(
        &mut self,
        owner_id: &str,
        since_ms: i64,
        channels: &[Channel],
    ) -> Result<Amount, StoreError>;
    /// What was withdrawn to cards over the owner's whole life (for the free quota).
    fn withdrawn_total(&mut self, owner_id: &str) -> Result<Amount, StoreError>;
    /// The owner's movements that have not ended — [`MovementStatus::UNFINISHED`] — oldest
    /// first, at most `limit`: what a wallet's closing waits for.
    fn unfinished_of(
        &mut self,
        owner_id: &str,
        limit: i64,
    ) -> Result<Vec<MovementRecord>, StoreError>;
}
