//! Throughput of the in-memory ledger core on one thread: how many transfers per second `Book::apply`
//! takes, first between uniformly random wallets, then with every transfer paying one hot merchant.
//!
//! Run with `cargo bench -p qianbao-ledger`. No criterion: a plain `main`, `Instant`, and a tiny
//! xorshift generator so the numbers depend on nothing but the ledger.

use qianbao_ledger::{
    Account, AccountId, AccountKind, Amount, Applied, Book, Currency, EntryId, Instruction, Posting,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Wallets in the book.
const WALLETS: i64 = 10_000;
/// Transfers timed per run.
const TRANSFERS: usize = 2_000_000;
/// How often the journal lines are taken out of the book, as the store does once per batch.
const BATCH: usize = 10_000;
/// What each wallet is funded with before the run, in fen.
const FUNDING: i64 = 1_000_000_000;
/// Each run is repeated on a fresh book and the fastest reported: the machine is shared.
const ROUNDS: usize = 3;

const CLEARING: AccountId = AccountId(0);
const HOT_MERCHANT: AccountId = AccountId(WALLETS + 1);

/// xorshift64*: good enough to pick accounts, and the same sequence on every machine.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn wallet(n: u64) -> AccountId {
    // Wallets are numbered 1..=WALLETS; n < WALLETS, so the cast cannot truncate.
    AccountId(1 + i64::try_from(n).unwrap_or(0))
}

fn transfer(id: u128, from: AccountId, to: AccountId, amount: i64) -> Instruction {
    Instruction::Transfer {
        id: EntryId(id),
        postings: vec![
            Posting {
                account: from,
                currency: Currency::CNY,
                amount: Amount::from_minor(-amount),
            },
            Posting {
                account: to,
                currency: Currency::CNY,
                amount: Amount::from_minor(amount),
            },
        ],
    }
}

/// A book with the clearing account, the wallets (each funded) and the hot merchant.
fn funded_book() -> Book {
    let mut book = Book::new();
    book.insert_account(Account::open(
        CLEARING,
        AccountKind::BankClearing,
        Currency::CNY,
    ));
    book.insert_account(Account::open(
        HOT_MERCHANT,
        AccountKind::Merchant,
        Currency::CNY,
    ));
    for n in 0..WALLETS.unsigned_abs() {
        let id = wallet(n);
        book.insert_account(Account::open(id, AccountKind::Wallet, Currency::CNY));
        let top_up = transfer(u128::from(n) + 1, CLEARING, id, FUNDING);
        if book.apply(&top_up) != Ok(Applied::New) {
            eprintln!("funding wallet {id} was refused");
        }
    }
    book.take_changes();
    book
}

/// `TRANSFERS` transfers of 1..=100 fen from random wallets, to random other wallets or to the hot
/// merchant. Ids start above the funding entries'.
fn instructions(rng: &mut XorShift, hot: bool) -> Vec<Instruction> {
    let first_id = u128::from(WALLETS.unsigned_abs()) + 1_000;
    (0..TRANSFERS)
        .map(|i| {
            let from = rng.below(WALLETS.unsigned_abs());
            let to = if hot {
                HOT_MERCHANT
            } else {
                // Any wallet but the payer.
                let step = 1 + rng.below(WALLETS.unsigned_abs() - 1);
                wallet((from + step) % WALLETS.unsigned_abs())
            };
            let amount = 1 + i64::try_from(rng.below(100)).unwrap_or(0);
            transfer(first_id + i as u128, wallet(from), to, amount)
        })
        .collect()
}

/// Applies every instruction, taking the changes out every `BATCH`; returns the time and how many
/// were refused (there should be none).
fn run(book: &mut Book, instructions: &[Instruction]) -> (Duration, usize) {
    let mut refused = 0;
    let start = Instant::now();
    for batch in instructions.chunks(BATCH) {
        for instruction in batch {
            if book.apply(instruction).is_err() {
                refused += 1;
            }
        }
        black_box(book.take_changes());
    }
    (start.elapsed(), refused)
}

/// `1234567` as `1,234,567`.
fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1.23 s`.
fn seconds(elapsed: Duration) -> String {
    let centis = elapsed.as_millis() / 10;
    format!("{}.{:02} s", centis / 100, centis % 100)
}

fn report(label: &str, count: usize, times: &[Duration]) {
    let Some(best) = times.iter().min() else {
        return;
    };
    let per_second = count as u128 * 1_000_000_000 / best.as_nanos().max(1);
    let all: Vec<String> = times.iter().copied().map(seconds).collect();
    println!(
        "ledger core, {label}: {count} transfers in {} = {} transfers/s (best of {}: {})",
        seconds(*best),
        grouped(per_second),
        times.len(),
        all.join(", "),
    );
}

fn main() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for (label, hot) in [
        ("uniform accounts", false),
        ("one hot merchant account", true),
    ] {
        let instructions = instructions(&mut rng, hot);
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let mut book = funded_book();
            let (elapsed, refused) = run(&mut book, &instructions);
            times.push(elapsed);
            if refused > 0 {
                println!("  ({refused} transfers were refused)");
            }
            // Sanity: the money is all still there.
            let total: i128 = book.accounts().map(|a| i128::from(a.balance.minor())).sum();
            if total != 0 {
                println!("  (the book does not balance: {total})");
            }
        }
        report(label, instructions.len(), &times);
    }
}
