//! What a money call made and how its reply is kept: `Done`, the `Idempotency-Key` as sent, and the
//! `Render` the server plugs in to write the reply's body.
use super::records::MovementStatus;
use qianbao_ledger::{Amount, Currency};

/// A reply exactly as first given, kept with the idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: String,
}

/// An `Idempotency-Key` as one caller sent it with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// `holder:<id>` or `merchant:<id>`: keys are per caller.
    pub caller: String,
    /// The key.
    pub key: String,
    /// SHA-256 of method, path and body.
    pub digest: String,
}

/// Turns a call's result into the reply stored with its key, inside the money transaction: the
/// status, and a plain function that writes the body (plain, so the futures that carry it stay
/// `Send` without help).
pub struct Render<T> {
    /// The HTTP status of a success.
    pub status: u16,
    /// Writes the body.
    pub body: fn(T) -> String,
    /// Whether the outcome is accepted but not done: held for review, answered 202.
    pub held: fn(&T) -> bool,
}

impl<T> Clone for Render<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Render<T> {}

impl<T> Render<T> {
    /// The reply for `value`.
    pub fn reply(&self, value: T) -> Reply {
        Reply {
            status: if (self.held)(&value) {
                202
            } else {
                self.status
            },
            body: (self.body)(value),
        }
    }
}

impl Done {
    /// Whether risk control holds the money for a reviewer (the reply is 202).
    pub fn is_held(&self) -> bool {
        self.status == MovementStatus::HeldForReview
    }
}

/// What a money call did, as its reply shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// The payer's record id (the payment id for merchant payments).
    pub id: String,
    /// `succeeded`, `pending` or `scheduled`.
    pub status: MovementStatus,
    /// What moved, without the fee.
    pub amount: Amount,
    /// The fee charged to the caller.
    pub fee: Amount,
    /// The currency moved.
    pub currency: Currency,
    /// Who was paid, as the payer may see them.
    pub payee: Option<String>,
    /// What a coupon or points took off the shop's price (zero without one): the price was
    /// `amount + discount + beside.gift_card`, and the payer paid `amount` from the wallet.
    pub discount: Amount,
    /// What paid beside the wallet and the discount.
    pub beside: Beside,
}

/// What paid a shop's price beside the payer's wallet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Beside {
    /// What the payer's gift cards of the shop paid.
    pub gift_card: Amount,
    /// The points redeemed (their worth is in the discount, one fen a point).
    pub points: i64,
}
