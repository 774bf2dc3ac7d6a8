//! The book: a set of accounts, the entries already applied and the holds, with the one function that
//! changes them. Every instruction is validated completely before anything is touched.

use crate::{
    Account, AccountId, Amount, Currency, EntryId, Instruction, POSTINGS_MAX, Posting, Rejection,
};
use std::collections::{HashMap, HashSet};

/// Where a hold stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldState {
    /// Reserved, waiting for a post or a void.
    Pending,
    /// Its postings were applied.
    Posted,
    /// Its reservation was released.
    Voided,
}

impl HoldState {
    /// The stable name stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            HoldState::Pending => "pending",
            HoldState::Posted => "posted",
            HoldState::Voided => "voided",
        }
    }

    /// Reads a stored name back.
    pub fn parse(name: &str) -> Option<HoldState> {
        [HoldState::Pending, HoldState::Posted, HoldState::Voided]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A pending entry: its debit legs are reserved until it is posted or voided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// The id of the `Hold` instruction that made it.
    pub id: EntryId,
    /// The legs applied when it is posted.
    pub postings: Vec<Posting>,
    /// Where it stands.
    pub state: HoldState,
}

/// What a successful instruction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// It changed the book and is a new journal line.
    New,
    /// An identical instruction with the same id was applied before; nothing changed.
    Replayed,
}

/// Accounts, known entries and holds. The store keeps one per batch holding just what the batch
/// touches; tests and benchmarks keep one for everything.
#[derive(Debug, Default)]
pub struct Book {
    accounts: HashMap<AccountId, Account>,
    entries: HashMap<EntryId, Instruction>,
    holds: HashMap<EntryId, Hold>,
    dirty_accounts: HashSet<AccountId>,
    dirty_holds: HashSet<EntryId>,
    appended: Vec<Instruction>,
}

/// An account's state after an instruction, computed before any is written.
struct Change {
    account: AccountId,
    balance: Amount,
    held: Amount,
}

impl Book {
    /// An empty book.
    pub fn new() -> Self {
        Book::default()
    }

    /// Adds (or replaces) an account as it stands in storage.
    pub fn insert_account(&mut self, account: Account) {
        self.accounts.insert(account.id, account);
    }

    /// Records an instruction applied earlier, so that a retry of it is recognised.
    pub fn insert_applied(&mut self, instruction: Instruction) {
        self.entries.insert(instruction.id(), instruction);
    }

    /// Adds a hold as it stands in storage.
    pub fn insert_hold(&mut self, hold: Hold) {
        self.holds.insert(hold.id, hold);
    }

    /// One account, if the book has it.
    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// Every account in the book.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// One hold, if the book has it.
    pub fn hold(&self, id: EntryId) -> Option<&Hold> {
        self.holds.get(&id)
    }

    /// Every hold in the book.
    pub fn holds(&self) -> impl Iterator<Item = &Hold> {
        self.holds.values()
    }

    /// The accounts changed since the last [`Book::take_changes`].
    pub fn dirty_accounts(&self) -> impl Iterator<Item = &Account> {
        self.dirty_accounts
            .iter()
            .filter_map(|id| self.accounts.get(id))
    }

    /// Takes the new journal lines (in order) and the holds made or changed since the last call,
    /// and forgets which accounts changed.
    pub fn take_changes(&mut self) -> (Vec<Instruction>, Vec<Hold>) {
        self.dirty_accounts.clear();
        let holds = self
            .dirty_holds
            .drain()
            .filter_map(|id| self.holds.get(&id).cloned())
            .collect();
        (std::mem::take(&mut self.appended), holds)
    }

    /// Applies one instruction: validates everything first, in a fixed order, then changes the book.
    /// On `Err` the book is exactly as it was.
    pub fn apply(&mut self, instruction: &Instruction) -> Result<Applied, Rejection> {
        if let Some(earlier) = self.entries.get(&instruction.id()) {
            return if earlier == instruction {
                Ok(Applied::Replayed)
            } else {
                Err(Rejection::ExistsWithDifferentContent)
            };
        }
        let changes = match instruction {
            Instruction::Transfer { postings, .. } => {
                self.check_postings(postings)?;
                self.transfer_changes(postings)?
            }
            Instruction::Hold { postings, .. } => {
                self.check_postings(postings)?;
                self.hold_changes(postings)?
            }
            Instruction::Post { hold, .. } => {
                let hold = self.pending_hold(*hold)?;
                self.post_changes(&hold.postings)?
            }
            Instruction::Void { hold, .. } => {
                let hold = self.pending_hold(*hold)?;
                self.void_changes(&hold.postings)
            }
        };
        // Validation is over: from here on nothing can fail.
        for change in changes {
            if let Some(account) = self.accounts.get_mut(&change.account) {
                account.balance = change.balance;
                account.held = change.held;
                self.dirty_accounts.insert(change.account);
            }
        }
        match instruction {
            Instruction::Transfer { .. } => {}
            Instruction::Hold { id, postings } => {
                self.holds.insert(
                    *id,
                    Hold {
                        id: *id,
                        postings: postings.clone(),
                        state: HoldState::Pending,
                    },
                );
                self.dirty_holds.insert(*id);
            }
            Instruction::Post { hold, .. } | Instruction::Void { hold, .. } => {
                if let Some(h) = self.holds.get_mut(hold) {
                    h.state = if matches!(instruction, Instruction::Post { .. }) {
                        HoldState::Posted
                    } else {
                        HoldState::Voided
                    };
                    self.dirty_holds.insert(*hold);
                }
            }
        }
        self.entries.insert(instruction.id(), instruction.clone());
        self.appended.push(instruction.clone());
        Ok(Applied::New)
    }

    /// The shape checks every posting list must pass, in order.
    fn check_postings(&self, postings: &[Posting]) -> Result<(), Rejection> {
        if postings.len() < 2 {
            return Err(Rejection::PostingsMustBeAtLeastTwo);
        }
        if postings.len() > POSTINGS_MAX {
            return Err(Rejection::PostingsMustNotExceedMax);
        }
        if postings.iter().any(|p| p.amount.is_zero()) {
            return Err(Rejection::AmountMustNotBeZero);
        }
        for (i, p) in postings.iter().enumerate() {
            if postings[..i].iter().any(|q| q.account == p.account) {
                return Err(Rejection::AccountsMustBeDistinct);
            }
        }
        // Sums in i128 cannot overflow for at most POSTINGS_MAX i64 terms.
        let mut sums: Vec<(Currency, i128)> = Vec::with_capacity(2);
        for p in postings {
            match sums.iter_mut().find(|(c, _)| *c == p.currency) {
                Some((_, sum)) => *sum += i128::from(p.amount.minor()),
                None => sums.push((p.currency, i128::from(p.amount.minor()))),
            }
        }
        if sums.iter().any(|(_, sum)| *sum != 0) {
            return Err(Rejection::PostingsMustBalance);
        }
        // Every account is looked up before any currency is compared, so that an unknown account is
        // reported first wherever it stands among the legs (the order `Rejection` lists).
        let mut currency_mismatch = false;
        for p in postings {
            let account = self
                .accounts
                .get(&p.account)
                .ok_or(Rejection::AccountNotFound)?;
            currency_mismatch |= account.currency != p.currency;
        }
        if currency_mismatch {
            return Err(Rejection::CurrencyMustMatchAccount);
        }
        Ok(())
    }

    fn pending_hold(&self, id: EntryId) -> Result<&Hold, Rejection> {
        let hold = self.holds.get(&id).ok_or(Rejection::HoldNotFound)?;
        match hold.state {
            HoldState::Pending => Ok(hold),
            HoldState::Posted => Err(Rejection::HoldAlreadyPosted),
            HoldState::Voided => Err(Rejection::HoldAlreadyVoided),
        }
    }

    fn account_of(&self, p: &Posting) -> Result<&Account, Rejection> {
        self.accounts
            .get(&p.account)
            .ok_or(Rejection::AccountNotFound)
    }

    fn transfer_changes(&self, postings: &[Posting]) -> Result<Vec<Change>, Rejection> {
        // An overdraft on any leg is reported before an overflow on any leg (the order `Rejection`
        // lists), so an overflow only marks the entry and the remaining legs are still checked.
        let mut overflow = false;
        let mut changes = Vec::with_capacity(postings.len());
        for p in postings {
            let account = self.account_of(p)?;
            match account.balance.checked_add(p.amount) {
                Some(balance) => {
                    if !account.kind.may_go_negative() && balance < account.held {
                        return Err(Rejection::ExceedsBalance);
                    }
                    changes.push(Change {
                        account: p.account,
                        balance,
                        held: account.held,
                    });
                }
                // Only a credit can overflow an account that may not go negative, and a credit
                // cannot overdraw it.
                None => overflow = true,
            }
        }
        if overflow {
            return Err(Rejection::BalanceOverflow);
        }
        Ok(changes)
    }

    fn hold_changes(&self, postings: &[Posting]) -> Result<Vec<Change>, Rejection> {
        // As for a transfer, an overdraft on any leg is reported before an overflow on any leg. The
        // reservation is computed wide, so that one a wallet cannot afford is an overdraft even
        // where it would not fit in an amount.
        let mut overflow = false;
        let mut changes = Vec::with_capacity(postings.len());
        for p in postings.iter().filter(|p| p.amount.is_negative()) {
            let account = self.account_of(p)?;
            let held = i128::from(account.held.minor()) - i128::from(p.amount.minor());
            if !account.kind.may_go_negative() && held > i128::from(account.balance.minor()) {
                return Err(Rejection::ExceedsBalance);
            }
            match i64::try_from(held) {
                Ok(held) => changes.push(Change {
                    account: p.account,
                    balance: account.balance,
                    held: Amount::from_minor(held),
                }),
                Err(_) => overflow = true,
            }
        }
        if overflow {
            return Err(Rejection::BalanceOverflow);
        }
        Ok(changes)
    }

    fn post_changes(&self, postings: &[Posting]) -> Result<Vec<Change>, Rejection> {
        postings
            .iter()
            .map(|p| {
                let account = self.account_of(p)?;
                let balance = account
                    .balance
                    .checked_add(p.amount)
                    .ok_or(Rejection::BalanceOverflow)?;
                // A debit leg was reserved when the hold was made; posting spends the reservation,
                // so balance minus held stays what it was and cannot go below zero.
                let held = if p.amount.is_negative() {
                    account
                        .held
                        .checked_add(p.amount)
                        .ok_or(Rejection::BalanceOverflow)?
                } else {
                    account.held
                };
                Ok(Change {
                    account: p.account,
                    balance,
                    held,
                })
            })
            .collect()
    }

    fn void_changes(&self, postings: &[Posting]) -> Vec<Change> {
        postings
            .iter()
            .filter(|p| p.amount.is_negative())
            .filter_map(|p| {
                let account = self.accounts.get(&p.account)?;
                Some(Change {
                    account: p.account,
                    balance: account.balance,
                    // The reservation is in `held`, so releasing it cannot underflow.
                    held: account.held.checked_add(p.amount).unwrap_or(Amount::ZERO),
                })
            })
            .collect()
    }
}
