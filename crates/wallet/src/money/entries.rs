//! How a movement becomes ledger entries: its step ids, its postings, its accounts, and applying
//! them inside the money transaction.

use super::error::MoneyError;
use super::records::MoneyTx;
use crate::{AccountOwner, StoreError};
use qianbao_ledger::{
    Account, AccountKind, Amount, Currency, EntryId, Instruction, Posting, Rejection,
};

/// The ledger steps of one movement; each gets its own entry id, derived from the movement's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The movement's entry or hold.
    Move,
    /// Posting its hold.
    Post,
    /// Voiding its hold.
    Void,
}

/// The ledger entry id of `step` of the movement `movement_id` (a UUID v7). Posts and voids flip
/// bits of the UUID's version nibble (7 → 6, 7 → 5), so no two steps of any movements collide,
/// and a retry of the same step finds its first application.
pub fn entry_id(movement_id: &str, step: Step) -> EntryId {
    let raw = uuid::Uuid::parse_str(movement_id).map_or(0, |u| u.as_u128());
    let mask = match step {
        Step::Move => 0,
        Step::Post => 1u128 << 76,
        Step::Void => 2u128 << 76,
    };
    EntryId(raw ^ mask)
}

/// A posting of `amount` (signed: negative is a debit) to `account`.
pub(crate) fn leg(account: &Account, amount: Amount) -> Posting {
    Posting {
        account: account.id,
        currency: account.currency,
        amount,
    }
}

/// Keeps the postings that move something: an entry may not carry a zero leg.
pub(crate) fn legs(postings: impl IntoIterator<Item = Posting>) -> Vec<Posting> {
    postings
        .into_iter()
        .filter(|p| p.amount != Amount::ZERO)
        .collect()
}

/// Applies an entry the rules built; an overdraft is the caller's, anything else is a bug.
pub(crate) fn apply(r: &mut dyn MoneyTx, instruction: &Instruction) -> Result<(), MoneyError> {
    match r.apply(instruction)? {
        Ok(_) => Ok(()),
        Err(Rejection::ExceedsBalance) => Err(MoneyError::InsufficientBalance),
        Err(other) => Err(MoneyError::Internal(format!(
            "the ledger refused an entry: {other}"
        ))),
    }
}

/// A wallet's account in `currency`.
pub(crate) fn wallet_account(
    r: &mut dyn MoneyTx,
    wallet_id: &str,
    currency: Currency,
) -> Result<Account, StoreError> {
    r.account(
        &AccountOwner::Wallet(wallet_id.to_string()),
        AccountKind::Wallet,
        currency,
    )
}

/// One of the operator's accounts in `currency`.
pub(crate) fn operator_account(
    r: &mut dyn MoneyTx,
    kind: AccountKind,
    currency: Currency,
) -> Result<Account, StoreError> {
    r.account(&AccountOwner::Operator, kind, currency)
}
