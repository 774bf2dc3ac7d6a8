//! Table-driven vectors for `Book::apply`, in the style of TigerBeetle's: each row is a sentence, the
//! book it starts from, one instruction and the result it must give. Every `Rejection` has a row, so
//! do guards that trip together (the first in `Rejection`'s order wins), and every refusal is checked
//! to leave the book exactly as it was. Also here: the stable error codes, the journal text's
//! round trip and the hash chain.
#![allow(clippy::unwrap_used)]

use qianbao_ledger::{
    Account, AccountId, AccountKind, Amount, Applied, Book, Currency, EntryId, GENESIS, Hold,
    HoldState, Instruction, POSTINGS_MAX, Posting, Rejection, link,
};
use std::collections::BTreeSet;

// The accounts every vector's book starts with, all empty.
const A: AccountId = AccountId(1);
const B: AccountId = AccountId(2);
const MERCHANT: AccountId = AccountId(3);
const FEES: AccountId = AccountId(4);
const BANK: AccountId = AccountId(5);
const PROMOTIONS: AccountId = AccountId(6);
const USD_WALLET: AccountId = AccountId(7);
const USD_BANK: AccountId = AccountId(8);
/// Wallets `EXTRA..EXTRA + 20`, for entries with many legs.
const EXTRA: i64 = 100;
/// An account no book has.
const NOWHERE: AccountId = AccountId(99);

const MAX: i64 = i64::MAX;

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn accounts() -> Vec<Account> {
    let mut all = vec![
        Account::open(A, AccountKind::Wallet, Currency::CNY),
        Account::open(B, AccountKind::Wallet, Currency::CNY),
        Account::open(MERCHANT, AccountKind::Merchant, Currency::CNY),
        Account::open(FEES, AccountKind::FeeIncome, Currency::CNY),
        Account::open(BANK, AccountKind::BankClearing, Currency::CNY),
        Account::open(PROMOTIONS, AccountKind::Promotions, Currency::CNY),
        Account::open(USD_WALLET, AccountKind::Wallet, usd()),
        Account::open(USD_BANK, AccountKind::BankClearing, usd()),
    ];
    for n in 0..20 {
        all.push(Account::open(
            AccountId(EXTRA + n),
            AccountKind::Wallet,
            Currency::CNY,
        ));
    }
    all
}

/// A CNY leg.
fn p(account: AccountId, amount: i64) -> Posting {
    pc(account, Currency::CNY, amount)
}

/// A leg in any currency.
fn pc(account: AccountId, currency: Currency, amount: i64) -> Posting {
    Posting {
        account,
        currency,
        amount: Amount::from_minor(amount),
    }
}

fn transfer(id: u128, postings: Vec<Posting>) -> Instruction {
    Instruction::Transfer {
        id: EntryId(id),
        postings,
    }
}

fn hold(id: u128, postings: Vec<Posting>) -> Instruction {
    Instruction::Hold {
        id: EntryId(id),
        postings,
    }
}

fn post(id: u128, hold: u128) -> Instruction {
    Instruction::Post {
        id: EntryId(id),
        hold: EntryId(hold),
    }
}

fn void(id: u128, hold: u128) -> Instruction {
    Instruction::Void {
        id: EntryId(id),
        hold: EntryId(hold),
    }
}

/// A top-up: the bank clearing account pays `amount` CNY into `account`.
fn fund(id: u128, account: AccountId, amount: i64) -> Instruction {
    transfer(id, vec![p(BANK, -amount), p(account, amount)])
}

/// `n` legs: the bank pays one fen into each of `n - 1` of the extra wallets.
fn many_legs(n: usize, zero_at: Option<usize>) -> Vec<Posting> {
    let credits = n - 1;
    let mut legs = vec![p(BANK, -i64::try_from(credits).unwrap())];
    for i in 0..credits {
        legs.push(p(AccountId(EXTRA + i64::try_from(i).unwrap()), 1));
    }
    if let Some(i) = zero_at {
        legs[i].amount = Amount::ZERO;
    }
    legs
}

/// One vector: a book made by applying `setup` to the empty accounts, then `instruction`.
struct Vector {
    name: &'static str,
    setup: Vec<Instruction>,
    instruction: Instruction,
    expected: Result<Applied, Rejection>,
    /// For a new entry: `(account, balance, held)` afterwards, for the accounts worth naming.
    after: Vec<(AccountId, i64, i64)>,
}

fn ok(
    name: &'static str,
    setup: Vec<Instruction>,
    instruction: Instruction,
    expected: Applied,
    after: Vec<(AccountId, i64, i64)>,
) -> Vector {
    Vector {
        name,
        setup,
        instruction,
        expected: Ok(expected),
        after,
    }
}

fn refused(
    name: &'static str,
    setup: Vec<Instruction>,
    instruction: Instruction,
    rejection: Rejection,
) -> Vector {
    Vector {
        name,
        setup,
        instruction,
        expected: Err(rejection),
        after: vec![],
    }
}

fn vectors() -> Vec<Vector> {
    use Applied::{New, Replayed};
    use Rejection::*;
    let funded = || vec![fund(1, A, 1_000)];
    let held = || {
        vec![
            fund(1, A, 1_000),
            hold(10, vec![p(A, -400), p(MERCHANT, 400)]),
        ]
    };
    let posted = || {
        let mut s = held();
        s.push(post(11, 10));
        s
    };
    let voided = || {
        let mut s = held();
        s.push(void(11, 10));
        s
    };
    // The merchant at the largest representable balance, paid for by the promotions budget.
    let merchant_full = || vec![transfer(1, vec![p(PROMOTIONS, -MAX), p(MERCHANT, MAX)])];
    vec![
        // Successes.
        ok(
            "a transfer between two wallets moves the money",
            funded(),
            transfer(20, vec![p(A, -300), p(B, 300)]),
            New,
            vec![(A, 700, 0), (B, 300, 0), (BANK, -1_000, 0)],
        ),
        ok(
            "the bank clearing account goes negative to fund a wallet top up",
            vec![],
            fund(20, A, 500),
            New,
            vec![(BANK, -500, 0), (A, 500, 0)],
        ),
        ok(
            "the promotions budget goes negative to pay a subsidy",
            vec![],
            transfer(20, vec![p(PROMOTIONS, -50), p(A, 50)]),
            New,
            vec![(PROMOTIONS, -50, 0), (A, 50, 0)],
        ),
        ok(
            "a wallet may spend exactly its whole balance",
            funded(),
            transfer(20, vec![p(A, -1_000), p(MERCHANT, 1_000)]),
            New,
            vec![(A, 0, 0), (MERCHANT, 1_000, 0)],
        ),
        ok(
            "a wallet may spend exactly what a hold leaves available",
            held(),
            transfer(20, vec![p(A, -600), p(B, 600)]),
            New,
            vec![(A, 400, 400), (B, 600, 0)],
        ),
        ok(
            "a payment may carry a fee leg",
            funded(),
            transfer(20, vec![p(A, -1_000), p(MERCHANT, 990), p(FEES, 10)]),
            New,
            vec![(A, 0, 0), (MERCHANT, 990, 0), (FEES, 10, 0)],
        ),
        ok(
            "an entry may balance in two currencies at once",
            vec![],
            transfer(
                20,
                vec![
                    p(BANK, -100),
                    p(A, 100),
                    pc(USD_BANK, usd(), -5),
                    pc(USD_WALLET, usd(), 5),
                ],
            ),
            New,
            vec![
                (BANK, -100, 0),
                (A, 100, 0),
                (USD_BANK, -5, 0),
                (USD_WALLET, 5, 0),
            ],
        ),
        ok(
            "an entry with the most postings allowed is accepted",
            vec![],
            transfer(20, many_legs(POSTINGS_MAX, None)),
            New,
            vec![(BANK, -15, 0), (AccountId(EXTRA), 1, 0)],
        ),
        ok(
            "a hold reserves its debit without moving money",
            funded(),
            hold(20, vec![p(A, -400), p(MERCHANT, 400)]),
            New,
            vec![(A, 1_000, 400), (MERCHANT, 0, 0)],
        ),
        ok(
            "a hold may reserve the whole available balance",
            held(),
            hold(20, vec![p(A, -600), p(B, 600)]),
            New,
            vec![(A, 1_000, 1_000), (B, 0, 0)],
        ),
        ok(
            "posting a hold moves its money and spends its reservation",
            held(),
            post(20, 10),
            New,
            vec![(A, 600, 0), (MERCHANT, 400, 0)],
        ),
        ok(
            "voiding a hold releases its reservation and moves nothing",
            held(),
            void(20, 10),
            New,
            vec![(A, 1_000, 0), (MERCHANT, 0, 0)],
        ),
        ok(
            "a hold may reserve from an operator account beyond its balance",
            vec![],
            hold(20, vec![p(BANK, -700), p(A, 700)]),
            New,
            vec![(BANK, 0, 700), (A, 0, 0)],
        ),
        ok(
            "an identical transfer with the same id is a replay and changes nothing",
            vec![fund(1, A, 1_000), transfer(20, vec![p(A, -300), p(B, 300)])],
            transfer(20, vec![p(A, -300), p(B, 300)]),
            Replayed,
            vec![],
        ),
        ok(
            "a replay is recognised even when the original could not be applied again",
            vec![
                fund(1, A, 1_000),
                transfer(20, vec![p(A, -1_000), p(B, 1_000)]),
            ],
            transfer(20, vec![p(A, -1_000), p(B, 1_000)]),
            Replayed,
            vec![],
        ),
        ok(
            "an identical hold with the same id is a replay and reserves nothing more",
            held(),
            hold(10, vec![p(A, -400), p(MERCHANT, 400)]),
            Replayed,
            vec![],
        ),
        ok(
            "an identical post with the same id is a replay",
            posted(),
            post(11, 10),
            Replayed,
            vec![],
        ),
        ok(
            "an identical void with the same id is a replay",
            voided(),
            void(11, 10),
            Replayed,
            vec![],
        ),
        // ExistsWithDifferentContent.
        refused(
            "reusing a transfer's id for another amount is an idempotency conflict",
            vec![fund(1, A, 1_000), transfer(20, vec![p(A, -300), p(B, 300)])],
            transfer(20, vec![p(A, -301), p(B, 301)]),
            ExistsWithDifferentContent,
        ),
        refused(
            "reusing a transfer's id with its legs in another order is an idempotency conflict",
            vec![fund(1, A, 1_000), transfer(20, vec![p(A, -300), p(B, 300)])],
            transfer(20, vec![p(B, 300), p(A, -300)]),
            ExistsWithDifferentContent,
        ),
        refused(
            "reusing a transfer's id for a hold with the same legs is an idempotency conflict",
            vec![fund(1, A, 1_000), transfer(20, vec![p(A, -300), p(B, 300)])],
            hold(20, vec![p(A, -300), p(B, 300)]),
            ExistsWithDifferentContent,
        ),
        refused(
            "a post that reuses its own hold's id is an idempotency conflict",
            held(),
            post(10, 10),
            ExistsWithDifferentContent,
        ),
        refused(
            "a post reusing a void's id is an idempotency conflict",
            voided(),
            post(11, 10),
            ExistsWithDifferentContent,
        ),
        refused(
            "a post reusing an earlier post's id for another hold is an idempotency conflict",
            {
                let mut s = posted();
                s.push(hold(12, vec![p(A, -100), p(B, 100)]));
                s
            },
            post(11, 12),
            ExistsWithDifferentContent,
        ),
        refused(
            "a void reusing an earlier void's id for another hold is an idempotency conflict",
            {
                let mut s = voided();
                s.push(hold(12, vec![p(A, -100), p(B, 100)]));
                s
            },
            void(11, 12),
            ExistsWithDifferentContent,
        ),
        refused(
            "an entry that adds a leg to a recorded one is an idempotency conflict",
            vec![fund(1, A, 1_000), transfer(20, vec![p(A, -300), p(B, 300)])],
            transfer(20, vec![p(A, -300), p(B, 200), p(MERCHANT, 100)]),
            ExistsWithDifferentContent,
        ),
        refused(
            "an entry that drops a leg of a recorded one is an idempotency conflict",
            vec![
                fund(1, A, 1_000),
                transfer(20, vec![p(A, -300), p(B, 200), p(MERCHANT, 100)]),
            ],
            transfer(20, vec![p(A, -300), p(B, 200)]),
            ExistsWithDifferentContent,
        ),
        refused(
            "a three leg entry differing only in its last leg's currency is an idempotency conflict",
            vec![transfer(
                20,
                vec![p(BANK, -300), p(B, 200), p(MERCHANT, 100)],
            )],
            transfer(20, vec![p(BANK, -300), p(B, 200), pc(MERCHANT, usd(), 100)]),
            ExistsWithDifferentContent,
        ),
        refused(
            "a long entry differing only in its last leg is an idempotency conflict",
            vec![transfer(20, many_legs(POSTINGS_MAX, None))],
            transfer(20, {
                let mut legs = many_legs(POSTINGS_MAX, None);
                legs[POSTINGS_MAX - 1].account = AccountId(EXTRA + 19);
                legs
            }),
            ExistsWithDifferentContent,
        ),
        ok(
            "an identical long entry with the same id is a replay",
            vec![transfer(20, many_legs(POSTINGS_MAX, None))],
            transfer(20, many_legs(POSTINGS_MAX, None)),
            Replayed,
            vec![],
        ),
        ok(
            "an identical three leg entry with the same id is a replay",
            vec![transfer(20, vec![p(BANK, -1_000), p(A, 990), p(FEES, 10)])],
            transfer(20, vec![p(BANK, -1_000), p(A, 990), p(FEES, 10)]),
            Replayed,
            vec![],
        ),
        ok(
            "an identical four leg hold with the same id is a replay",
            vec![
                fund(1, A, 1_000),
                hold(20, vec![p(A, -100), p(MERCHANT, 80), p(FEES, 10), p(B, 10)]),
            ],
            hold(20, vec![p(A, -100), p(MERCHANT, 80), p(FEES, 10), p(B, 10)]),
            Replayed,
            vec![],
        ),
        refused(
            "an idempotency conflict is reported before every other guard",
            funded(),
            transfer(1, vec![p(A, 0)]),
            ExistsWithDifferentContent,
        ),
        // PostingsMustBeAtLeastTwo.
        refused(
            "an entry with no postings is refused",
            vec![],
            transfer(20, vec![]),
            PostingsMustBeAtLeastTwo,
        ),
        refused(
            "an entry with a single posting is refused",
            funded(),
            transfer(20, vec![p(A, 100)]),
            PostingsMustBeAtLeastTwo,
        ),
        refused(
            "a hold with a single posting is refused",
            funded(),
            hold(20, vec![p(A, -100)]),
            PostingsMustBeAtLeastTwo,
        ),
        refused(
            "a single zero posting reports too few postings before the zero amount",
            vec![],
            transfer(20, vec![p(A, 0)]),
            PostingsMustBeAtLeastTwo,
        ),
        // PostingsMustNotExceedMax.
        refused(
            "an entry with one posting more than the most allowed is refused",
            vec![],
            transfer(20, many_legs(POSTINGS_MAX + 1, None)),
            PostingsMustNotExceedMax,
        ),
        refused(
            "too many postings are reported before a zero amount",
            vec![],
            hold(20, many_legs(POSTINGS_MAX + 1, Some(3))),
            PostingsMustNotExceedMax,
        ),
        // AmountMustNotBeZero.
        refused(
            "an entry of two zero postings is refused",
            vec![],
            transfer(20, vec![p(A, 0), p(B, 0)]),
            AmountMustNotBeZero,
        ),
        refused(
            "a zero leg in an otherwise valid entry is refused",
            funded(),
            transfer(20, vec![p(A, -100), p(B, 100), p(MERCHANT, 0)]),
            AmountMustNotBeZero,
        ),
        refused(
            "an unbalanced entry with a zero amount reports the zero amount first",
            funded(),
            transfer(20, vec![p(A, -100), p(B, 50), p(MERCHANT, 0)]),
            AmountMustNotBeZero,
        ),
        refused(
            "a zero amount is reported before a repeated account",
            funded(),
            hold(20, vec![p(A, -100), p(A, 100), p(B, 0)]),
            AmountMustNotBeZero,
        ),
        // AccountsMustBeDistinct.
        refused(
            "an entry moving money from an account to itself is refused",
            funded(),
            transfer(20, vec![p(A, -100), p(A, 100)]),
            AccountsMustBeDistinct,
        ),
        refused(
            "an account named twice among other legs is refused",
            funded(),
            transfer(20, vec![p(A, -100), p(B, 50), p(A, 50)]),
            AccountsMustBeDistinct,
        ),
        refused(
            "a repeated account is reported before the entry's imbalance",
            funded(),
            transfer(20, vec![p(A, -100), p(A, 50)]),
            AccountsMustBeDistinct,
        ),
        // PostingsMustBalance.
        refused(
            "an entry that creates money is refused",
            vec![],
            transfer(20, vec![p(BANK, -100), p(A, 101)]),
            PostingsMustBalance,
        ),
        refused(
            "an entry cannot balance one currency against another",
            vec![],
            transfer(20, vec![p(BANK, -100), pc(USD_WALLET, usd(), 100)]),
            PostingsMustBalance,
        ),
        refused(
            "legs at the extremes of the amount range still have to balance",
            vec![],
            transfer(20, vec![p(BANK, i64::MIN), p(A, MAX)]),
            PostingsMustBalance,
        ),
        refused(
            "an imbalance is reported before an unknown account",
            vec![],
            hold(20, vec![p(BANK, -100), p(NOWHERE, 50)]),
            PostingsMustBalance,
        ),
        // AccountNotFound.
        refused(
            "a posting to an account the book does not have is refused",
            vec![],
            transfer(20, vec![p(BANK, -100), p(NOWHERE, 100)]),
            AccountNotFound,
        ),
        refused(
            "a hold from an account the book does not have is refused",
            vec![],
            hold(20, vec![p(NOWHERE, -100), p(A, 100)]),
            AccountNotFound,
        ),
        refused(
            "an unknown account is reported before a currency mismatch on an earlier leg",
            vec![],
            transfer(20, vec![pc(BANK, usd(), -100), pc(NOWHERE, usd(), 100)]),
            AccountNotFound,
        ),
        // CurrencyMustMatchAccount.
        refused(
            "a dollar leg on a renminbi account is refused",
            vec![],
            transfer(20, vec![pc(BANK, usd(), -100), pc(USD_WALLET, usd(), 100)]),
            CurrencyMustMatchAccount,
        ),
        refused(
            "a currency mismatch is reported before an overdraft",
            vec![],
            transfer(20, vec![pc(A, usd(), -100), pc(USD_WALLET, usd(), 100)]),
            CurrencyMustMatchAccount,
        ),
        // ExceedsBalance.
        refused(
            "a debit beyond the balance is refused",
            funded(),
            transfer(20, vec![p(A, -1_001), p(B, 1_001)]),
            ExceedsBalance,
        ),
        refused(
            "an empty wallet cannot pay",
            vec![],
            transfer(20, vec![p(A, -1), p(MERCHANT, 1)]),
            ExceedsBalance,
        ),
        refused(
            "a debit beyond the available balance is refused when a hold reserves funds",
            held(),
            transfer(20, vec![p(A, -601), p(B, 601)]),
            ExceedsBalance,
        ),
        refused(
            "a hold beyond the available balance is refused",
            held(),
            hold(20, vec![p(A, -601), p(B, 601)]),
            ExceedsBalance,
        ),
        refused(
            "a merchant balance may not go negative",
            vec![],
            transfer(20, vec![p(MERCHANT, -1), p(BANK, 1)]),
            ExceedsBalance,
        ),
        refused(
            "fee income may not go negative",
            vec![],
            transfer(20, vec![p(FEES, -1), p(BANK, 1)]),
            ExceedsBalance,
        ),
        refused(
            "fee income may not be reserved below zero either",
            vec![],
            hold(20, vec![p(FEES, -1), p(BANK, 1)]),
            ExceedsBalance,
        ),
        refused(
            "the most negative debit from a wallet is an overdraft",
            funded(),
            transfer(20, vec![p(A, i64::MIN), p(MERCHANT, MAX), p(B, 1)]),
            ExceedsBalance,
        ),
        refused(
            "the most negative hold on a wallet is an overdraft, not an overflow",
            funded(),
            hold(20, vec![p(A, i64::MIN), p(MERCHANT, MAX), p(B, 1)]),
            ExceedsBalance,
        ),
        refused(
            "a hold the wallet cannot afford is an overdraft even where the reservation would overflow",
            held(),
            hold(20, vec![p(A, -MAX), p(B, MAX)]),
            ExceedsBalance,
        ),
        refused(
            "an overdraft is reported before an overflow even when the overflowing leg comes first",
            merchant_full(),
            transfer(20, vec![p(MERCHANT, 1), p(A, -1)]),
            ExceedsBalance,
        ),
        // BalanceOverflow.
        refused(
            "a credit past the largest amount overflows",
            vec![fund(1, A, MAX)],
            fund(20, A, 1),
            BalanceOverflow,
        ),
        refused(
            "a debit past the smallest amount overflows an operator account",
            vec![transfer(1, vec![p(BANK, -MAX), p(A, MAX)])],
            fund(20, B, 2),
            BalanceOverflow,
        ),
        refused(
            "posting a hold whose credit would overflow is refused and the hold stays pending",
            vec![
                fund(1, A, 1_000),
                hold(10, vec![p(A, -400), p(MERCHANT, 400)]),
                transfer(2, vec![p(PROMOTIONS, -MAX), p(MERCHANT, MAX)]),
            ],
            post(20, 10),
            BalanceOverflow,
        ),
        refused(
            "reserving past the largest amount overflows an operator account",
            vec![hold(1, vec![p(PROMOTIONS, -MAX), p(A, MAX)])],
            hold(20, vec![p(PROMOTIONS, -1), p(B, 1)]),
            BalanceOverflow,
        ),
        refused(
            "reserving the most negative amount from an operator account overflows",
            vec![],
            hold(20, vec![p(BANK, i64::MIN), p(A, MAX), p(B, 1)]),
            BalanceOverflow,
        ),
        // HoldNotFound.
        refused(
            "posting a hold that does not exist is refused",
            funded(),
            post(20, 10),
            HoldNotFound,
        ),
        refused(
            "voiding a hold that does not exist is refused",
            funded(),
            void(20, 10),
            HoldNotFound,
        ),
        refused(
            "a transfer's id does not name a hold",
            funded(),
            post(20, 1),
            HoldNotFound,
        ),
        refused(
            "a hold that was refused does not exist to be posted",
            vec![],
            post(20, 10),
            HoldNotFound,
        ),
        // HoldAlreadyPosted.
        refused(
            "posting a hold twice is refused",
            posted(),
            post(20, 10),
            HoldAlreadyPosted,
        ),
        refused(
            "voiding a posted hold is refused",
            posted(),
            void(20, 10),
            HoldAlreadyPosted,
        ),
        // HoldAlreadyVoided.
        refused(
            "posting a voided hold is refused",
            voided(),
            post(20, 10),
            HoldAlreadyVoided,
        ),
        refused(
            "voiding a hold twice is refused",
            voided(),
            void(20, 10),
            HoldAlreadyVoided,
        ),
    ]
}

/// Everything a refusal must leave alone: every account and every hold, in a fixed order.
fn state(book: &Book) -> (Vec<Account>, Vec<Hold>) {
    let mut accounts: Vec<Account> = book.accounts().cloned().collect();
    accounts.sort_by_key(|a| a.id);
    let mut holds: Vec<Hold> = book.holds().cloned().collect();
    holds.sort_by_key(|h| h.id);
    (accounts, holds)
}

/// Runs one vector; `Err` says what went wrong.
fn check(v: &Vector) -> Result<(), String> {
    let mut book = Book::new();
    for account in accounts() {
        book.insert_account(account);
    }
    for step in &v.setup {
        let result = book.apply(step);
        if result != Ok(Applied::New) {
            return Err(format!("setup step {} gave {result:?}", step.encode()));
        }
    }
    book.take_changes();
    let before = state(&book);

    let result = book.apply(&v.instruction);
    if result != v.expected {
        return Err(format!("gave {result:?}, expected {:?}", v.expected));
    }
    let dirty = book.dirty_accounts().count();
    let (journal, holds) = book.take_changes();
    match result {
        Ok(Applied::New) => {
            if journal != [v.instruction.clone()] {
                return Err(format!("journaled {journal:?}"));
            }
            let expected_hold = match &v.instruction {
                Instruction::Transfer { .. } => None,
                Instruction::Hold { id, .. } => Some((*id, HoldState::Pending)),
                Instruction::Post { hold, .. } => Some((*hold, HoldState::Posted)),
                Instruction::Void { hold, .. } => Some((*hold, HoldState::Voided)),
            };
            let changed: Vec<_> = holds.iter().map(|h| (h.id, h.state)).collect();
            if changed != expected_hold.into_iter().collect::<Vec<_>>() {
                return Err(format!("changed holds {changed:?}"));
            }
            for (id, balance, held) in &v.after {
                let account = book.account(*id).ok_or("account vanished")?;
                if (account.balance.minor(), account.held.minor()) != (*balance, *held) {
                    return Err(format!(
                        "account {id} is {}/{} (balance/held), expected {balance}/{held}",
                        account.balance, account.held
                    ));
                }
            }
            let (accounts, _) = state(&book);
            let total: i128 = accounts.iter().map(|a| i128::from(a.balance.minor())).sum();
            if total != 0 {
                return Err(format!("the book no longer sums to zero: {total}"));
            }
        }
        Ok(Applied::Replayed) | Err(_) => {
            if state(&book) != before {
                return Err("changed the book".into());
            }
            if !journal.is_empty() || !holds.is_empty() || dirty != 0 {
                return Err(format!(
                    "reported changes: journal {journal:?}, holds {holds:?}, {dirty} dirty accounts"
                ));
            }
        }
    }
    // Whatever happened, the same instruction again gives a replay (if it was applied) or the same
    // refusal, and changes nothing more.
    let again = state(&book);
    let second = book.apply(&v.instruction);
    let expected_second = match v.expected {
        Ok(_) => Ok(Applied::Replayed),
        Err(rejection) => Err(rejection),
    };
    if second != expected_second {
        return Err(format!("the second attempt gave {second:?}"));
    }
    if state(&book) != again || !book.take_changes().0.is_empty() {
        return Err("the second attempt changed the book".into());
    }
    Ok(())
}

#[test]
fn every_vector_gives_its_expected_result_and_refusals_change_nothing() {
    let failures: Vec<String> = vectors()
        .iter()
        .filter_map(|v| check(v).err().map(|e| format!("{}: {e}", v.name)))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every variant, by a match that stops compiling when one is added.
fn all_rejections() -> Vec<Rejection> {
    let every = [
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
    ];
    for r in every {
        match r {
            Rejection::ExistsWithDifferentContent
            | Rejection::PostingsMustBeAtLeastTwo
            | Rejection::PostingsMustNotExceedMax
            | Rejection::AmountMustNotBeZero
            | Rejection::AccountsMustBeDistinct
            | Rejection::PostingsMustBalance
            | Rejection::AccountNotFound
            | Rejection::CurrencyMustMatchAccount
            | Rejection::ExceedsBalance
            | Rejection::BalanceOverflow
            | Rejection::HoldNotFound
            | Rejection::HoldAlreadyPosted
            | Rejection::HoldAlreadyVoided => {}
        }
    }
    every.to_vec()
}

#[test]
fn every_rejection_has_at_least_one_vector() {
    let covered: BTreeSet<&str> = vectors()
        .iter()
        .filter_map(|v| v.expected.err())
        .map(Rejection::code)
        .collect();
    let missing: Vec<&str> = all_rejections()
        .into_iter()
        .map(Rejection::code)
        .filter(|c| !covered.contains(c))
        .collect();
    assert!(missing.is_empty(), "no vector for {missing:?}");
}

#[test]
fn vector_names_are_unique_sentences() {
    let mut seen = BTreeSet::new();
    for v in vectors() {
        assert!(seen.insert(v.name), "two vectors are named {:?}", v.name);
        assert!(
            v.name.starts_with(|c: char| c.is_ascii_lowercase()) && v.name.contains(' '),
            "{:?} is not a sentence",
            v.name
        );
    }
}

#[test]
fn an_entry_recorded_from_storage_is_recognised_when_retried() {
    let long = transfer(30, many_legs(5, None));
    let recorded = [
        fund(1, A, 1_000),
        hold(2, vec![p(A, -100), p(B, 100)]),
        post(3, 2),
        void(4, 2),
        long.clone(),
    ];
    let mut book = Book::new();
    for account in accounts() {
        book.insert_account(account);
    }
    for instruction in &recorded {
        book.insert_applied(instruction.clone());
    }
    let before = state(&book);
    for instruction in &recorded {
        assert_eq!(
            book.apply(instruction),
            Ok(Applied::Replayed),
            "{instruction:?}"
        );
    }
    let conflicts = [
        fund(1, A, 1_001),
        transfer(2, vec![p(A, -100), p(B, 100)]),
        void(3, 2),
        post(4, 2),
        post(3, 1),
        transfer(30, many_legs(6, None)),
        transfer(30, many_legs(4, None)),
    ];
    for instruction in &conflicts {
        assert_eq!(
            book.apply(instruction),
            Err(Rejection::ExistsWithDifferentContent),
            "{instruction:?}"
        );
    }
    assert!(state(&book) == before);
    assert!(book.take_changes().0.is_empty());
}

#[test]
fn recording_an_entry_again_replaces_what_was_recorded_under_its_id() {
    let mut book = Book::new();
    for account in accounts() {
        book.insert_account(account);
    }
    book.insert_applied(fund(1, A, 5));
    book.insert_applied(transfer(1, many_legs(5, None)));
    assert_eq!(
        book.apply(&transfer(1, many_legs(5, None))),
        Ok(Applied::Replayed)
    );
    assert_eq!(
        book.apply(&fund(1, A, 5)),
        Err(Rejection::ExistsWithDifferentContent)
    );
    book.insert_applied(post(1, 9));
    assert_eq!(book.apply(&post(1, 9)), Ok(Applied::Replayed));
    // Other ids are untouched.
    assert_eq!(book.apply(&fund(2, A, 5)), Ok(Applied::New));
    assert_eq!(book.apply(&fund(2, A, 5)), Ok(Applied::Replayed));
}

#[test]
fn an_overdraft_has_the_api_code_insufficient_balance() {
    assert_eq!(Rejection::ExceedsBalance.code(), "insufficient_balance");
}

#[test]
fn a_reused_id_has_the_api_code_idempotency_conflict() {
    assert_eq!(
        Rejection::ExistsWithDifferentContent.code(),
        "idempotency_conflict"
    );
}

#[test]
fn rejection_codes_are_distinct_snake_case_and_shown_as_themselves() {
    let all = all_rejections();
    let codes: BTreeSet<&str> = all.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), all.len());
    for r in all {
        assert!(
            r.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{}",
            r.code()
        );
        assert_eq!(r.to_string(), r.code());
    }
}

fn examples() -> Vec<Instruction> {
    vec![
        transfer(
            0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
            vec![p(A, -100), p(B, 100)],
        ),
        transfer(
            u128::MAX,
            vec![
                p(AccountId(i64::MIN), i64::MIN),
                pc(AccountId(MAX), usd(), MAX),
                p(AccountId(0), 1),
            ],
        ),
        transfer(0, vec![]),
        hold(7, vec![p(A, -400), p(MERCHANT, 390), p(FEES, 10)]),
        post(8, 7),
        void(u128::MAX - 1, 0),
    ]
}

#[test]
fn every_kind_of_instruction_round_trips_through_its_journal_text() {
    for instruction in examples() {
        let text = instruction.encode();
        assert_eq!(
            Instruction::decode(&text),
            Ok(instruction.clone()),
            "{text}"
        );
        assert_eq!(Instruction::decode(&text).unwrap().encode(), text);
    }
}

#[test]
fn the_journal_text_is_the_verb_the_ids_in_hex_and_the_legs() {
    assert_eq!(
        transfer(10, vec![p(AccountId(7), -100), p(AccountId(9), 100)]).encode(),
        "transfer 0000000000000000000000000000000a 7:CNY:-100 9:CNY:100"
    );
    assert_eq!(
        hold(
            1,
            vec![pc(AccountId(7), usd(), -5), pc(AccountId(8), usd(), 5)]
        )
        .encode(),
        "hold 00000000000000000000000000000001 7:USD:-5 8:USD:5"
    );
    assert_eq!(
        post(2, 1).encode(),
        "post 00000000000000000000000000000002 00000000000000000000000000000001"
    );
    assert_eq!(
        void(3, 1).encode(),
        "void 00000000000000000000000000000003 00000000000000000000000000000001"
    );
}

#[test]
fn garbage_journal_lines_do_not_decode() {
    let id = "0000000000000000000000000000000a";
    let garbage = [
        String::new(),
        "transfer".to_string(),
        format!("send {id} 7:CNY:-100 9:CNY:100"),
        format!("Transfer {id}"),
        "transfer 0a 7:CNY:-100 9:CNY:100".to_string(),
        format!("transfer {id}0 7:CNY:-100"),
        "transfer 0000000000000000000000000000000g 7:CNY:-100".to_string(),
        "post zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz 0000000000000000000000000000000a".to_string(),
        format!("transfer {id} 7:CNY"),
        format!("transfer {id} 7:CNY:-100:1"),
        format!("transfer {id} x:CNY:-100"),
        format!("transfer {id} 7:cny:-100"),
        format!("transfer {id} 7:CNY:ten"),
        format!("transfer {id} 7:CNY:99999999999999999999"),
        format!("transfer {id} 7:CNY:-100  9:CNY:100"),
        format!("transfer {id} 7:CNY:-100 9:CNY:100 "),
        format!("hold {id} 7-CNY--100"),
        format!("post {id}"),
        format!("post {id} 0a"),
        format!("post {id} {id} {id}"),
        format!("void {id} {id} 7:CNY:1"),
        format!("void {id} {id} "),
    ];
    for text in garbage {
        assert!(
            Instruction::decode(&text).is_err(),
            "{text:?} decoded as {:?}",
            Instruction::decode(&text)
        );
    }
}

#[test]
fn the_chain_link_is_deterministic() {
    let a = link(&GENESIS, 1, "transfer x");
    assert_eq!(a, link(&GENESIS, 1, "transfer x"));
    assert_ne!(a, GENESIS);
    let b = link(&a, 2, "post y");
    assert_eq!(b, link(&a, 2, "post y"));
}

#[test]
fn the_chain_link_changes_with_the_previous_link_the_sequence_and_the_text() {
    let base = link(&GENESIS, 1, "transfer x");
    let mut other_prev = GENESIS;
    other_prev[31] = 1;
    assert_ne!(base, link(&other_prev, 1, "transfer x"));
    assert_ne!(base, link(&GENESIS, 2, "transfer x"));
    assert_ne!(base, link(&GENESIS, 1 << 56, "transfer x"));
    assert_ne!(base, link(&GENESIS, 1, "transfer y"));
    assert_ne!(base, link(&GENESIS, 1, "transfer x "));
    assert_ne!(base, link(&GENESIS, 1, ""));
}

#[test]
fn the_chain_link_is_sha256_of_the_previous_link_the_big_endian_sequence_and_the_text() {
    // SHA-256 of 32 zero bytes, then 0u64 big-endian, then nothing: 40 zero bytes.
    let hex: String = link(&GENESIS, 0, "")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        hex,
        "2c34ce1df23b838c5abf2a7f6437cca3d3067ed509ff25f11df6b11b582b51eb"
    );
}
