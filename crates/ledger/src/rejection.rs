//! Every reason the ledger refuses an instruction. Each reads as a sentence and carries its stable code.

use std::fmt;

/// Why an instruction was refused. Checked in the order listed; nothing changes when one is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// An entry with this id exists with other content: the id (idempotency key) was reused.
    ExistsWithDifferentContent,
    /// The entry has fewer than two postings.
    PostingsMustBeAtLeastTwo,
    /// The entry has more than [`crate::POSTINGS_MAX`] postings.
    PostingsMustNotExceedMax,
    /// A posting moves zero.
    AmountMustNotBeZero,
    /// One account appears in two postings of the entry.
    AccountsMustBeDistinct,
    /// The postings do not sum to zero in some currency.
    PostingsMustBalance,
    /// A posting names an account the ledger does not have.
    AccountNotFound,
    /// A posting's currency is not its account's.
    CurrencyMustMatchAccount,
    /// A debit would take an account that may not go negative below what it has available.
    ExceedsBalance,
    /// A credit would take a balance past the largest representable amount.
    BalanceOverflow,
    /// A `Post` or `Void` names a hold the ledger does not have.
    HoldNotFound,
    /// The hold was already posted.
    HoldAlreadyPosted,
    /// The hold was already voided.
    HoldAlreadyVoided,
}

impl Rejection {
    /// The stable error code, as the API returns it.
    pub const fn code(self) -> &'static str {
        match self {
            Rejection::ExistsWithDifferentContent => "idempotency_conflict",
            Rejection::PostingsMustBeAtLeastTwo => "postings_must_be_at_least_two",
            Rejection::PostingsMustNotExceedMax => "postings_must_not_exceed_max",
            Rejection::AmountMustNotBeZero => "amount_must_not_be_zero",
            Rejection::AccountsMustBeDistinct => "accounts_must_be_distinct",
            Rejection::PostingsMustBalance => "postings_must_balance",
            Rejection::AccountNotFound => "account_not_found",
            Rejection::CurrencyMustMatchAccount => "currency_must_match_account",
            Rejection::ExceedsBalance => "insufficient_balance",
            Rejection::BalanceOverflow => "balance_overflow",
            Rejection::HoldNotFound => "hold_not_found",
            Rejection::HoldAlreadyPosted => "hold_already_posted",
            Rejection::HoldAlreadyVoided => "hold_already_voided",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Rejection {}
