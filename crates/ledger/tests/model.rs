//! A reference model of the ledger, checked against `Book` by proptest: random sequences of
//! transfers, holds, posts, voids, replays and conflicting ids run against both, and after every
//! step the results must agree and the ledger's invariants must hold.
//!
//! The model is written from the rules as documented (`Rejection`'s order, what each kind of
//! account may do), in `i128` and plain maps, and calls nothing of `Book`'s.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};
use qianbao_ledger::{
    Account, AccountId, AccountKind, Amount, Applied, Book, Currency, EntryId, Hold, HoldState,
    Instruction, Posting, Rejection,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

/// The accounts every run starts with, all at zero: `(id, kind, is_usd)`.
const ACCOUNTS: [(i64, AccountKind, bool); 13] = [
    (1, AccountKind::Wallet, false),
    (2, AccountKind::Wallet, false),
    (3, AccountKind::Merchant, false),
    (4, AccountKind::FeeIncome, false),
    (5, AccountKind::BankClearing, false),
    (6, AccountKind::Promotions, false),
    (7, AccountKind::MerchantSettlement, false),
    (11, AccountKind::Wallet, true),
    (12, AccountKind::Wallet, true),
    (13, AccountKind::Merchant, true),
    (14, AccountKind::FeeIncome, true),
    (15, AccountKind::BankClearing, true),
    (16, AccountKind::Suspense, true),
];
/// The first `CNY_ACCOUNTS` of `ACCOUNTS` are in renminbi, the rest in dollars.
const CNY_ACCOUNTS: usize = 7;
/// Where money enters each currency.
const BANK_CNY: AccountId = AccountId(5);
const BANK_USD: AccountId = AccountId(15);
/// Account ids no book has; an account index past `ACCOUNTS` names one of these.
const UNKNOWN: [i64; 2] = [9, 99];
const INDICES: usize = ACCOUNTS.len() + UNKNOWN.len();

fn account_at(index: usize) -> (AccountId, Currency) {
    match ACCOUNTS.get(index % INDICES) {
        Some(&(id, _, is_usd)) => (AccountId(id), if is_usd { usd() } else { Currency::CNY }),
        None => (
            AccountId(UNKNOWN[(index % INDICES) - ACCOUNTS.len()]),
            Currency::CNY,
        ),
    }
}

fn other(currency: Currency) -> Currency {
    if currency == Currency::CNY {
        usd()
    } else {
        Currency::CNY
    }
}

fn posting(account: AccountId, currency: Currency, amount: i64) -> Posting {
    Posting {
        account,
        currency,
        amount: Amount::from_minor(amount),
    }
}

// ---------------------------------------------------------------------------------------------
// The model.

/// Accounts that hold other people's money, or earned fees, may never go below zero.
fn must_stay_non_negative(kind: AccountKind) -> bool {
    matches!(
        kind,
        AccountKind::Wallet | AccountKind::Merchant | AccountKind::FeeIncome
    )
}

fn fits(x: i128) -> bool {
    i64::try_from(x).is_ok()
}

#[derive(Clone, Debug, PartialEq)]
struct ModelAccount {
    kind: AccountKind,
    currency: Currency,
    balance: i128,
    held: i128,
}

#[derive(Clone, Debug, Default)]
struct Model {
    accounts: BTreeMap<AccountId, ModelAccount>,
    holds: BTreeMap<EntryId, (Vec<Posting>, HoldState)>,
    applied: HashMap<EntryId, Instruction>,
}

impl Model {
    fn new() -> Self {
        let mut model = Model::default();
        for (id, kind, is_usd) in ACCOUNTS {
            let currency = if is_usd { usd() } else { Currency::CNY };
            model.accounts.insert(
                AccountId(id),
                ModelAccount {
                    kind,
                    currency,
                    balance: 0,
                    held: 0,
                },
            );
        }
        model
    }

    /// The checks on a list of legs, in `Rejection`'s order.
    fn check_shape(&self, postings: &[Posting]) -> Result<(), Rejection> {
        if postings.len() < 2 {
            return Err(Rejection::PostingsMustBeAtLeastTwo);
        }
        if postings.len() > 16 {
            return Err(Rejection::PostingsMustNotExceedMax);
        }
        if postings.iter().any(|p| p.amount.minor() == 0) {
            return Err(Rejection::AmountMustNotBeZero);
        }
        let distinct: BTreeSet<AccountId> = postings.iter().map(|p| p.account).collect();
        if distinct.len() != postings.len() {
            return Err(Rejection::AccountsMustBeDistinct);
        }
        let mut sums: BTreeMap<Currency, i128> = BTreeMap::new();
        for p in postings {
            *sums.entry(p.currency).or_default() += i128::from(p.amount.minor());
        }
        if sums.values().any(|s| *s != 0) {
            return Err(Rejection::PostingsMustBalance);
        }
        if postings
            .iter()
            .any(|p| !self.accounts.contains_key(&p.account))
        {
            return Err(Rejection::AccountNotFound);
        }
        if postings
            .iter()
            .any(|p| self.accounts[&p.account].currency != p.currency)
        {
            return Err(Rejection::CurrencyMustMatchAccount);
        }
        Ok(())
    }

    fn apply(&mut self, instruction: &Instruction) -> Result<Applied, Rejection> {
        let id = instruction.id();
        if let Some(earlier) = self.applied.get(&id) {
            return if earlier == instruction {
                Ok(Applied::Replayed)
            } else {
                Err(Rejection::ExistsWithDifferentContent)
            };
        }
        // The new (balance, held) of each account the instruction touches.
        let mut updates: Vec<(AccountId, i128, i128)> = Vec::new();
        let mut overdraft = false;
        let mut overflow = false;
        match instruction {
            Instruction::Transfer { postings, .. } => {
                self.check_shape(postings)?;
                for p in postings {
                    let a = &self.accounts[&p.account];
                    let balance = a.balance + i128::from(p.amount.minor());
                    overdraft |= must_stay_non_negative(a.kind) && balance - a.held < 0;
                    overflow |= !fits(balance);
                    updates.push((p.account, balance, a.held));
                }
            }
            Instruction::Hold { postings, .. } => {
                self.check_shape(postings)?;
                for p in postings.iter().filter(|p| p.amount.minor() < 0) {
                    let a = &self.accounts[&p.account];
                    let held = a.held - i128::from(p.amount.minor());
                    overdraft |= must_stay_non_negative(a.kind) && a.balance - held < 0;
                    overflow |= !fits(held);
                    updates.push((p.account, a.balance, held));
                }
            }
            Instruction::Post { hold, .. } | Instruction::Void { hold, .. } => {
                let (postings, state) = self.holds.get(hold).ok_or(Rejection::HoldNotFound)?;
                match state {
                    HoldState::Pending => {}
                    HoldState::Posted => return Err(Rejection::HoldAlreadyPosted),
                    HoldState::Voided => return Err(Rejection::HoldAlreadyVoided),
                }
                let posting = matches!(instruction, Instruction::Post { .. });
                for p in postings {
                    let a = &self.accounts[&p.account];
                    let amount = i128::from(p.amount.minor());
                    let release = if amount < 0 { amount } else { 0 };
                    let balance = if posting {
                        a.balance + amount
                    } else {
                        a.balance
                    };
                    overflow |= !fits(balance);
                    updates.push((p.account, balance, a.held + release));
                }
            }
        }
        if overdraft {
            return Err(Rejection::ExceedsBalance);
        }
        if overflow {
            return Err(Rejection::BalanceOverflow);
        }
        for (account, balance, held) in updates {
            let a = self.accounts.get_mut(&account).unwrap();
            a.balance = balance;
            a.held = held;
        }
        match instruction {
            Instruction::Transfer { .. } => {}
            Instruction::Hold { id, postings } => {
                self.holds
                    .insert(*id, (postings.clone(), HoldState::Pending));
            }
            Instruction::Post { hold, .. } => {
                self.holds.get_mut(hold).unwrap().1 = HoldState::Posted;
            }
            Instruction::Void { hold, .. } => {
                self.holds.get_mut(hold).unwrap().1 = HoldState::Voided;
            }
        }
        self.applied.insert(id, instruction.clone());
        Ok(Applied::New)
    }
}

// ---------------------------------------------------------------------------------------------
// Operations, generated abstractly and made concrete against the run's history.

/// Which hold a post or void names.
#[derive(Clone, Debug)]
enum HoldRef {
    /// One of the holds the book accepted so far.
    Accepted(usize),
    /// One of the holds issued so far, whether or not it was accepted.
    Issued(usize),
    /// An id that was never used.
    Fresh,
}

#[derive(Clone, Debug)]
enum Op {
    /// The bank clearing account of the payee's currency tops it up.
    Fund {
        to: usize,
        amount: i64,
    },
    /// `amount` from `from` to `to` (a negative amount runs backwards); `hold` makes it a hold,
    /// `same` picks a payee in the payer's currency, `flip` puts the payer's leg in the other one.
    Pay {
        from: usize,
        to: usize,
        amount: i64,
        hold: bool,
        same: bool,
        flip: bool,
    },
    /// Any number of legs; `balance` sets the last leg to what balances the others, if it can, and
    /// `distinct` moves the legs onto distinct accounts of the first leg's currency, as far as
    /// there are enough.
    Legs {
        legs: Vec<(usize, i64, bool)>,
        balance: bool,
        distinct: bool,
        hold: bool,
    },
    Post(HoldRef),
    Void(HoldRef),
    /// The same instruction as an earlier one, id and all.
    Replay(usize),
    /// An earlier instruction's id with other content behind it, made by `Change` (which may
    /// happen to give the same content again).
    Reuse(usize, Change),
}

/// How a reused id's new content differs from the instruction that had the id first.
#[derive(Clone, Debug)]
enum Change {
    /// A transfer becomes a hold and a post a void, and back.
    Kind,
    /// A post or void names another hold; a transfer or hold changes the amount of leg `.0`.
    Target(usize, i64),
    /// A leg is dropped (`false`) or one is added (`true`).
    Legs(bool, usize, i64),
    /// A plain top-up of `.0` into the first wallet.
    Anything(i64),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::Kind),
        (
            any::<usize>(),
            prop_oneof![Just(1i64), Just(-1i64), amount()]
        )
            .prop_map(|(i, d)| Change::Target(i, d)),
        (any::<bool>(), account_index(), amount()).prop_map(|(add, a, x)| Change::Legs(add, a, x)),
        amount().prop_map(Change::Anything),
    ]
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 1..=1_000i64,
        3 => 1_000..=1_000_000i64,
        1 => Just(0i64),
        2 => -1_000..=-1i64,
        1 => prop::sample::select(vec![
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            i64::MIN + 1,
            i64::MAX / 2 + 1,
            -(i64::MAX / 2 + 1),
        ]),
        1 => any::<i64>(),
    ]
}

fn account_index() -> impl Strategy<Value = usize> {
    prop_oneof![
        12 => 0..ACCOUNTS.len(),
        1 => ACCOUNTS.len()..INDICES,
    ]
}

fn hold_ref() -> impl Strategy<Value = HoldRef> {
    prop_oneof![
        6 => any::<usize>().prop_map(HoldRef::Accepted),
        1 => any::<usize>().prop_map(HoldRef::Issued),
        1 => Just(HoldRef::Fresh),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..ACCOUNTS.len(), prop_oneof![4 => 1..=100_000i64, 1 => amount()])
            .prop_map(|(to, amount)| Op::Fund { to, amount }),
        6 => (
            account_index(),
            account_index(),
            amount(),
            any::<bool>(),
            prop::bool::weighted(0.85),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(from, to, amount, hold, same, flip)| Op::Pay {
                from,
                to,
                amount,
                hold,
                same,
                flip,
            }),
        2 => (
            prop_oneof![
                prop::collection::vec(
                    (account_index(), prop_oneof![9 => 1..=1_000i64, 1 => amount()], Just(false)),
                    3..=6,
                ),
                prop::collection::vec(
                    (account_index(), amount(), prop::bool::weighted(0.05)),
                    0..=18,
                ),
            ],
            prop::bool::weighted(0.8),
            prop::bool::weighted(0.7),
            any::<bool>(),
        )
            .prop_map(|(legs, balance, distinct, hold)| Op::Legs {
                legs,
                balance,
                distinct,
                hold,
            }),
        3 => hold_ref().prop_map(Op::Post),
        2 => hold_ref().prop_map(Op::Void),
        2 => any::<usize>().prop_map(Op::Replay),
        2 => (any::<usize>(), change()).prop_map(|(i, c)| Op::Reuse(i, c)),
    ]
}

/// What the run has issued so far, to make abstract operations concrete.
#[derive(Default)]
struct History {
    next_id: u128,
    issued: Vec<Instruction>,
    holds: Vec<EntryId>,
    accepted_holds: Vec<EntryId>,
}

impl History {
    fn fresh(&mut self) -> EntryId {
        self.next_id += 1;
        EntryId(self.next_id)
    }

    fn pick_hold(&mut self, hold: &HoldRef) -> EntryId {
        match hold {
            HoldRef::Accepted(i) if !self.accepted_holds.is_empty() => {
                self.accepted_holds[i % self.accepted_holds.len()]
            }
            HoldRef::Accepted(i) | HoldRef::Issued(i) if !self.holds.is_empty() => {
                self.holds[i % self.holds.len()]
            }
            _ => {
                // An id beyond any the run will use.
                self.next_id += 1;
                EntryId(u128::MAX - self.next_id)
            }
        }
    }

    fn entry(&mut self, hold: bool, postings: Vec<Posting>) -> Instruction {
        let id = self.fresh();
        if hold {
            self.holds.push(id);
            Instruction::Hold { id, postings }
        } else {
            Instruction::Transfer { id, postings }
        }
    }

    fn instruction(&mut self, op: &Op) -> Instruction {
        let made = match op {
            Op::Fund { to, amount } => {
                let (to, currency) = account_at(*to);
                let bank = if currency == Currency::CNY {
                    BANK_CNY
                } else {
                    BANK_USD
                };
                self.entry(
                    false,
                    vec![
                        posting(bank, currency, amount.wrapping_neg()),
                        posting(to, currency, *amount),
                    ],
                )
            }
            Op::Pay {
                from,
                to,
                amount,
                hold,
                same,
                flip,
            } => {
                let to = match (*from, *to) {
                    // Both known: keep the payee in the payer's currency group (CNY first, then USD).
                    (f, t) if *same && f < ACCOUNTS.len() && t < ACCOUNTS.len() => {
                        if f < CNY_ACCOUNTS {
                            t % CNY_ACCOUNTS
                        } else {
                            CNY_ACCOUNTS + t % (ACCOUNTS.len() - CNY_ACCOUNTS)
                        }
                    }
                    (_, t) => t,
                };
                let (from, currency) = account_at(*from);
                let (to, _) = account_at(to);
                let payer_currency = if *flip { other(currency) } else { currency };
                self.entry(
                    *hold,
                    vec![
                        posting(from, payer_currency, amount.wrapping_neg()),
                        posting(to, currency, *amount),
                    ],
                )
            }
            Op::Legs {
                legs,
                balance,
                distinct,
                hold,
            } => {
                let first = legs.first().map_or(0, |leg| leg.0);
                let (start, size) = if first < CNY_ACCOUNTS {
                    (0, CNY_ACCOUNTS)
                } else {
                    (CNY_ACCOUNTS, ACCOUNTS.len() - CNY_ACCOUNTS)
                };
                let mut postings: Vec<Posting> = legs
                    .iter()
                    .enumerate()
                    .map(|(k, &(index, amount, flip))| {
                        let index = if *distinct && first < ACCOUNTS.len() {
                            start + (first - start + k) % size
                        } else {
                            index
                        };
                        let (account, currency) = account_at(index);
                        let currency = if flip { other(currency) } else { currency };
                        posting(account, currency, amount)
                    })
                    .collect();
                if *balance && let Some((last, rest)) = postings.split_last_mut() {
                    let others: i128 = rest
                        .iter()
                        .filter(|p| p.currency == last.currency)
                        .map(|p| i128::from(p.amount.minor()))
                        .sum();
                    if let Ok(minor) = i64::try_from(-others) {
                        last.amount = Amount::from_minor(minor);
                    }
                }
                self.entry(*hold, postings)
            }
            Op::Post(hold) => {
                let hold = self.pick_hold(hold);
                let id = self.fresh();
                Instruction::Post { id, hold }
            }
            Op::Void(hold) => {
                let hold = self.pick_hold(hold);
                let id = self.fresh();
                Instruction::Void { id, hold }
            }
            Op::Replay(i) if !self.issued.is_empty() => {
                // Not pushed again: it is already in the history.
                return self.issued[i % self.issued.len()].clone();
            }
            Op::Reuse(i, change) if !self.issued.is_empty() => {
                let earlier = self.issued[i % self.issued.len()].clone();
                self.changed(earlier, change)
            }
            Op::Replay(_) | Op::Reuse(..) => {
                let id = self.fresh();
                Instruction::Void { id, hold: id }
            }
        };
        self.issued.push(made.clone());
        made
    }
}

impl History {
    /// `earlier` with its id kept and its content changed by `change`.
    fn changed(&mut self, earlier: Instruction, change: &Change) -> Instruction {
        let id = earlier.id();
        match (earlier, change) {
            (Instruction::Transfer { postings, .. }, Change::Kind) => {
                Instruction::Hold { id, postings }
            }
            (Instruction::Hold { postings, .. }, Change::Kind) => {
                Instruction::Transfer { id, postings }
            }
            (Instruction::Post { hold, .. }, Change::Kind) => Instruction::Void { id, hold },
            (Instruction::Void { hold, .. }, Change::Kind) => Instruction::Post { id, hold },
            (Instruction::Post { .. }, Change::Target(h, _)) => Instruction::Post {
                id,
                hold: self.pick_hold(&HoldRef::Issued(*h)),
            },
            (Instruction::Void { .. }, Change::Target(h, _)) => Instruction::Void {
                id,
                hold: self.pick_hold(&HoldRef::Issued(*h)),
            },
            (
                Instruction::Transfer { mut postings, .. } | Instruction::Hold { mut postings, .. },
                Change::Target(leg, delta),
            ) if !postings.is_empty() => {
                let at = leg % postings.len();
                postings[at].amount =
                    Amount::from_minor(postings[at].amount.minor().wrapping_add(*delta));
                Instruction::Transfer { id, postings }
            }
            (
                Instruction::Transfer { mut postings, .. } | Instruction::Hold { mut postings, .. },
                Change::Legs(add, account, amount),
            ) => {
                if *add || postings.is_empty() {
                    let (account, currency) = account_at(*account);
                    postings.push(posting(account, currency, *amount));
                } else {
                    postings.pop();
                }
                Instruction::Transfer { id, postings }
            }
            (
                _,
                Change::Anything(amount) | Change::Target(_, amount) | Change::Legs(_, _, amount),
            ) => Instruction::Transfer {
                id,
                postings: vec![
                    posting(BANK_CNY, Currency::CNY, amount.wrapping_neg()),
                    posting(AccountId(1), Currency::CNY, *amount),
                ],
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running both and comparing.

/// Every account and hold of the book, in a fixed order.
fn state(book: &Book) -> (Vec<Account>, Vec<Hold>) {
    let mut accounts: Vec<Account> = book.accounts().cloned().collect();
    accounts.sort_by_key(|a| a.id);
    let mut holds: Vec<Hold> = book.holds().cloned().collect();
    holds.sort_by_key(|h| h.id);
    (accounts, holds)
}

fn fresh_book() -> Book {
    let mut book = Book::new();
    for (id, kind, is_usd) in ACCOUNTS {
        let currency = if is_usd { usd() } else { Currency::CNY };
        book.insert_account(Account::open(AccountId(id), kind, currency));
    }
    book
}

/// How often each result was seen, to show the generator reaches every branch.
type Tally = BTreeMap<String, usize>;

fn result_name(result: &Result<Applied, Rejection>) -> String {
    match result {
        Ok(applied) => format!("{applied:?}"),
        Err(rejection) => format!("{rejection:?}"),
    }
}

/// The invariants that hold after every step, checked on the book itself.
fn check_invariants(book: &Book, model: &Model) -> Result<(), TestCaseError> {
    let (accounts, holds) = state(book);
    let mut sums: BTreeMap<Currency, i128> = BTreeMap::new();
    let mut reserved: BTreeMap<AccountId, i128> = BTreeMap::new();
    for hold in holds.iter().filter(|h| h.state == HoldState::Pending) {
        for p in hold.postings.iter().filter(|p| p.amount.is_negative()) {
            *reserved.entry(p.account).or_default() -= i128::from(p.amount.minor());
        }
    }
    for a in &accounts {
        let balance = i128::from(a.balance.minor());
        let held = i128::from(a.held.minor());
        *sums.entry(a.currency).or_default() += balance;
        prop_assert!(held >= 0, "account {} holds {held}", a.id);
        prop_assert_eq!(
            held,
            reserved.get(&a.id).copied().unwrap_or(0),
            "account {} holds other than its pending holds reserve",
            a.id
        );
        if must_stay_non_negative(a.kind) {
            prop_assert!(balance >= 0, "{:?} {} is at {balance}", a.kind, a.id);
            prop_assert!(
                held <= balance,
                "{:?} {} has {balance} but holds {held}",
                a.kind,
                a.id
            );
        }
        let m = &model.accounts[&a.id];
        prop_assert_eq!(
            (balance, held),
            (m.balance, m.held),
            "account {} differs from the model",
            a.id
        );
    }
    prop_assert_eq!(accounts.len(), model.accounts.len());
    for (currency, sum) in sums {
        prop_assert_eq!(sum, 0, "{} does not sum to zero", currency);
    }
    let book_holds: Vec<_> = holds
        .iter()
        .map(|h| (h.id, h.postings.clone(), h.state))
        .collect();
    let model_holds: Vec<_> = model
        .holds
        .iter()
        .map(|(id, (postings, state))| (*id, postings.clone(), *state))
        .collect();
    prop_assert_eq!(book_holds, model_holds);
    Ok(())
}

fn run(ops: &[Op], tally: &mut Tally) -> Result<(), TestCaseError> {
    let mut book = fresh_book();
    let mut model = Model::new();
    let mut history = History::default();
    for op in ops {
        let instruction = history.instruction(op);
        let before = state(&book);
        let got = book.apply(&instruction);
        let expected = model.apply(&instruction);
        *tally.entry(result_name(&got)).or_default() += 1;
        if got == Ok(Applied::New) && instruction.postings().len() > 3 {
            *tally
                .entry("New with more than three legs".into())
                .or_default() += 1;
        }
        if let (Ok(Applied::New), Instruction::Hold { id, .. }) = (got, &instruction) {
            history.accepted_holds.push(*id);
        }
        prop_assert_eq!(
            got,
            expected,
            "{} (from {:?}) disagrees with the model",
            instruction.encode(),
            op
        );
        let dirty = book.dirty_accounts().count();
        let (journal, changed_holds) = book.take_changes();
        match got {
            Ok(Applied::New) => {
                prop_assert_eq!(journal, vec![instruction.clone()]);
                let expected_hold = match &instruction {
                    Instruction::Transfer { .. } => None,
                    Instruction::Hold { id, .. } | Instruction::Post { hold: id, .. } => Some(*id),
                    Instruction::Void { hold, .. } => Some(*hold),
                };
                prop_assert_eq!(
                    changed_holds.iter().map(|h| h.id).collect::<Vec<_>>(),
                    expected_hold.into_iter().collect::<Vec<_>>()
                );
                // Replaying what was just applied is recognised and changes nothing.
                let after = state(&book);
                prop_assert_eq!(book.apply(&instruction), Ok(Applied::Replayed));
                prop_assert_eq!(model.apply(&instruction), Ok(Applied::Replayed));
                prop_assert!(state(&book) == after, "a replay changed the book");
                let (journal, holds) = book.take_changes();
                prop_assert!(journal.is_empty() && holds.is_empty());
            }
            Ok(Applied::Replayed) | Err(_) => {
                prop_assert!(
                    state(&book) == before,
                    "{} changed the book though it gave {:?}",
                    instruction.encode(),
                    got
                );
                prop_assert!(journal.is_empty(), "journaled {:?}", journal);
                prop_assert!(changed_holds.is_empty(), "changed {:?}", changed_holds);
                prop_assert_eq!(dirty, 0);
            }
        }
        check_invariants(&book, &model)?;
    }
    Ok(())
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..=200)
}

proptest! {
    #[test]
    fn the_book_agrees_with_the_model_and_keeps_its_invariants_after_every_step(ops in ops()) {
        run(&ops, &mut Tally::new())?;
    }
}

#[test]
fn the_generated_operations_reach_every_result() {
    let mut runner = TestRunner::deterministic();
    let strategy = ops();
    let mut tally = Tally::new();
    for _ in 0..256 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        run(&ops, &mut tally).unwrap();
    }
    eprintln!("{tally:?}");
    let mut expected: Vec<String> = [
        Rejection::ExistsWithDifferentContent,
        Rejection::PostingsMustBeAtLeastTwo,
        Rejection::PostingsMustNotExceedMax,
        Rejection::AmountMustNotBeZero,
        Rejection::AccountsMustBeDistinct,
        Rejection::PostingsMustBalance,
        Rejection::AccountNotFound,
        Rejection::CurrencyMustMatchAccount,
        Rejection::ExceedsBalance,
        Rejection::BalanceOverflow,
        Rejection::HoldNotFound,
        Rejection::HoldAlreadyPosted,
        Rejection::HoldAlreadyVoided,
    ]
    .iter()
    .map(|r| result_name(&Err(*r)))
    .collect();
    expected.push(result_name(&Ok(Applied::New)));
    expected.push(result_name(&Ok(Applied::Replayed)));
    expected.push("New with more than three legs".into());
    let missing: Vec<&String> = expected
        .iter()
        .filter(|name| !tally.contains_key(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "never seen: {missing:?}; seen: {tally:?}"
    );
}
