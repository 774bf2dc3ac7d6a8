//! The book: a set of accounts, the entries already applied and the holds, with the one function that
//! changes them. Every instruction is validated completely before anything is touched.

use crate::{Account, AccountId, Amount, EntryId, Instruction, POSTINGS_MAX, Posting, Rejection};
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

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
    accounts: HashMap<AccountId, Account, KeyedHash>,
    /// Where in `recorded` each known entry is. Kept apart from the entries themselves so that the
    /// map's slots stay small: it holds every entry the book has seen, and growing it is costly.
    entries: HashMap<EntryKey, usize, KeyedHash>,
    recorded: Vec<Recorded>,
    holds: HashMap<EntryId, Hold, KeyedHash>,
    dirty_accounts: HashSet<AccountId, KeyedHash>,
    dirty_holds: HashSet<EntryId, KeyedHash>,
    appended: Vec<Instruction>,
    /// The changes `apply` computes, kept between calls so that it does not allocate each time.
    scratch: Vec<Change>,
}

/// The hashing of the book's maps, whose keys are all integers (account and entry ids). SipHash,
/// the std default, is built for long keys and was a large share of the cost of `apply`; this is one
/// folded 64x64->128-bit multiply per word, keyed per map from the std's random keys, so that ids
/// chosen to collide cannot be precomputed.
#[derive(Clone, Copy, Debug)]
struct KeyedHash(u64);

impl Default for KeyedHash {
    fn default() -> Self {
        KeyedHash(RandomState::new().hash_one(0x243F_6A88_85A3_08D3_u64))
    }
}

impl BuildHasher for KeyedHash {
    type Hasher = FoldHasher;

    fn build_hasher(&self) -> FoldHasher {
        FoldHasher(self.0)
    }
}

/// See [`KeyedHash`].
struct FoldHasher(u64);

impl FoldHasher {
    /// An odd constant with well-spread bits (digits of the fractional part of pi, made odd).
    const MULTIPLIER: u64 = 0x1319_8A2E_0370_7345;

    fn mix(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * u128::from(Self::MULTIPLIER);
        // Truncations intended: the two halves of the product are folded together.
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_i64(&mut self, n: i64) {
        self.mix(n as u64);
    }

    fn write_u128(&mut self, n: u128) {
        self.mix(n as u64);
        self.mix((n >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The most legs of an entry that [`Recorded`] keeps without a heap allocation of its own: enough
/// for a plain payment, a payment with a fee, or either with a subsidy.
const INLINE_LEGS: usize = 3;

/// An applied instruction as the entry map keeps it, only to tell a retry from a reused id. A
/// transfer or hold of up to [`INLINE_LEGS`] legs, a post and a void are kept inline, so that
/// recording one does not allocate (the map holds every entry the book has seen).
#[derive(Debug)]
enum Recorded {
    /// A transfer (`hold == false`) or hold whose legs are `legs[..len]`.
    Inline {
        hold: bool,
        len: u8,
        legs: [Posting; INLINE_LEGS],
    },
    /// A post (`post == true`) or void of the hold with id `hold`, kept as two halves so that this
    /// type needs no 16-byte alignment.
    Target { post: bool, hold: [u64; 2] },
    /// Anything else, as it was.
    Full(Box<Instruction>),
}

impl Recorded {
    fn of(instruction: &Instruction) -> Recorded {
        match instruction {
            Instruction::Transfer { postings, .. } | Instruction::Hold { postings, .. }
                if (1..=INLINE_LEGS).contains(&postings.len()) =>
            {
                let mut legs = [postings[0]; INLINE_LEGS];
                legs[..postings.len()].copy_from_slice(postings);
                Recorded::Inline {
                    hold: matches!(instruction, Instruction::Hold { .. }),
                    len: postings.len() as u8,
                    legs,
                }
            }
            Instruction::Post { hold, .. } => Recorded::Target {
                post: true,
                hold: halves(*hold),
            },
            Instruction::Void { hold, .. } => Recorded::Target {
                post: false,
                hold: halves(*hold),
            },
            Instruction::Transfer { .. } | Instruction::Hold { .. } => {
                Recorded::Full(Box::new(instruction.clone()))
            }
        }
    }

    /// Whether `instruction`, which has the recorded one's id, is the same instruction.
    fn is(&self, instruction: &Instruction) -> bool {
        match (self, instruction) {
            (Recorded::Full(earlier), _) => **earlier == *instruction,
            (Recorded::Inline { hold, len, legs }, Instruction::Transfer { postings, .. }) => {
                !*hold && legs[..usize::from(*len)] == postings[..]
            }
            (Recorded::Inline { hold, len, legs }, Instruction::Hold { postings, .. }) => {
                *hold && legs[..usize::from(*len)] == postings[..]
            }
            (Recorded::Target { post, hold }, Instruction::Post { hold: other, .. }) => {
                *post && *hold == halves(*other)
            }
            (Recorded::Target { post, hold }, Instruction::Void { hold: other, .. }) => {
                !*post && *hold == halves(*other)
            }
            (Recorded::Inline { .. }, Instruction::Post { .. } | Instruction::Void { .. })
            | (Recorded::Target { .. }, Instruction::Transfer { .. } | Instruction::Hold { .. }) => {
                false
            }
        }
    }
}

/// An entry id as its high and low halves.
fn halves(id: EntryId) -> [u64; 2] {
    // Truncations intended: the id is cut in two.
    [(id.0 >> 64) as u64, id.0 as u64]
}

/// An entry id as the entry map's key: the same value as two words, which need no 16-byte alignment
/// and so make the map's slots 24 bytes instead of 32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EntryKey([u64; 2]);

impl EntryKey {
    fn of(id: EntryId) -> EntryKey {
        EntryKey(halves(id))
    }
}

impl Hash for EntryKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0[0]);
        state.write_u64(self.0[1]);
    }
}

/// An account's state after an instruction, computed before any is written.
#[derive(Debug)]
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
        let recorded = Recorded::of(&instruction);
        let key = EntryKey::of(instruction.id());
        match self.entries.get(&key) {
            Some(&at) => self.recorded[at] = recorded,
            None => self.record(key, recorded),
        }
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
        let key = EntryKey::of(instruction.id());
        if let Some(&at) = self.entries.get(&key) {
            return if self.recorded[at].is(instruction) {
                Ok(Applied::Replayed)
            } else {
                Err(Rejection::ExistsWithDifferentContent)
            };
        }
        let mut changes = std::mem::take(&mut self.scratch);
        changes.clear();
        let checked = self.changes(instruction, &mut changes);
        if let Err(rejection) = checked {
            self.scratch = changes;
            return Err(rejection);
        }
        // Validation is over: from here on nothing can fail.
        for change in changes.drain(..) {
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
        self.scratch = changes;
        self.record(key, Recorded::of(instruction));
        self.appended.push(instruction.clone());
        Ok(Applied::New)
    }

    /// Validates `instruction` and pushes the changes it makes onto `changes`.
    fn changes(
        &self,
        instruction: &Instruction,
        changes: &mut Vec<Change>,
    ) -> Result<(), Rejection> {
        match instruction {
            Instruction::Transfer { postings, .. } => {
                self.check_postings(postings)?;
                self.transfer_changes(postings, changes)
            }
            Instruction::Hold { postings, .. } => {
                self.check_postings(postings)?;
                self.hold_changes(postings, changes)
            }
            Instruction::Post { hold, .. } => {
                let hold = self.pending_hold(*hold)?;
                self.post_changes(&hold.postings, changes)
            }
            Instruction::Void { hold, .. } => {
                let hold = self.pending_hold(*hold)?;
                self.void_changes(&hold.postings, changes);
                Ok(())
            }
        }
    }

    /// Adds an entry the book does not know yet.
    fn record(&mut self, key: EntryKey, recorded: Recorded) {
        self.entries.insert(key, self.recorded.len());
        self.recorded.push(recorded);
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
        // Each currency is summed at its first leg. Sums in i128 cannot overflow for at most
        // POSTINGS_MAX i64 terms.
        for (i, p) in postings.iter().enumerate() {
            if postings[..i].iter().any(|q| q.currency == p.currency) {
                continue;
            }
            let sum: i128 = postings[i..]
                .iter()
                .filter(|q| q.currency == p.currency)
                .map(|q| i128::from(q.amount.minor()))
                .sum();
            if sum != 0 {
                return Err(Rejection::PostingsMustBalance);
            }
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

    fn transfer_changes(
        &self,
        postings: &[Posting],
        changes: &mut Vec<Change>,
    ) -> Result<(), Rejection> {
        // An overdraft on any leg is reported before an overflow on any leg (the order `Rejection`
        // lists), so an overflow only marks the entry and the remaining legs are still checked.
        let mut overflow = false;
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
        Ok(())
    }

    fn hold_changes(
        &self,
        postings: &[Posting],
        changes: &mut Vec<Change>,
    ) -> Result<(), Rejection> {
        // As for a transfer, an overdraft on any leg is reported before an overflow on any leg. The
        // reservation is computed wide, so that one a wallet cannot afford is an overdraft even
        // where it would not fit in an amount.
        let mut overflow = false;
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
        Ok(())
    }

    fn post_changes(
        &self,
        postings: &[Posting],
        changes: &mut Vec<Change>,
    ) -> Result<(), Rejection> {
        for p in postings {
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
            changes.push(Change {
                account: p.account,
                balance,
                held,
            });
        }
        Ok(())
    }

    fn void_changes(&self, postings: &[Posting], changes: &mut Vec<Change>) {
        for p in postings.iter().filter(|p| p.amount.is_negative()) {
            if let Some(account) = self.accounts.get(&p.account) {
                changes.push(Change {
                    account: p.account,
                    balance: account.balance,
                    // The reservation is in `held`, so releasing it cannot underflow.
                    held: account.held.checked_add(p.amount).unwrap_or(Amount::ZERO),
                });
            }
        }
    }
}
