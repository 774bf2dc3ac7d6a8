//! Group-commit throughput: transfers per second through `LedgerStore::apply` on SQLite and
//! PostgreSQL, with 1, 100 and 1000 requests in flight (so batches of about that size form), over
//! uniformly random wallet pairs and with every transfer crediting one hot merchant account.
//!
//! Run with `cargo bench -p qianbao-store --bench commit`; `QIANBAO_BENCH_QUICK=1` shrinks the
//! counts to a smoke run. PostgreSQL comes from `QIANBAO_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); a fresh database is made and dropped.
#![allow(clippy::unwrap_used)]

use qianbao_ledger::{
    AccountId, AccountKind, Amount, Applied, Currency, EntryId, Instruction, POSTINGS_MAX, Posting,
};
use qianbao_store::{PostgresStore, SqliteStore};
use qianbao_wallet::{AccountOwner, LedgerStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Wallets opened and funded before the runs (fewer in a quick run: opening one is a commit of
/// its own, about 3 ms on PostgreSQL).
const WALLETS: usize = 10_000;

/// Wallets in a quick run.
const WALLETS_QUICK: usize = 1_000;

/// What each wallet is funded with: enough that no benchmark transfer is ever refused.
const FUNDING_MINOR: i64 = 1_000_000_000;

/// The admin URL used when `QIANBAO_TEST_DATABASE_URL` is not set.
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A tiny xorshift64* PRNG.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

/// A fresh entry id.
fn entry_id() -> EntryId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    EntryId(u128::from(NEXT.fetch_add(1, Ordering::Relaxed)))
}

fn posting(account: AccountId, amount: i64) -> Posting {
    Posting {
        account,
        currency: Currency::CNY,
        amount: Amount::from_minor(amount),
    }
}

fn transfer(from: AccountId, to: AccountId, amount: i64) -> Instruction {
    Instruction::Transfer {
        id: entry_id(),
        postings: vec![posting(from, -amount), posting(to, amount)],
    }
}

/// Where the money goes.
#[derive(Clone, Copy)]
enum Shape {
    /// Between two random wallets.
    Uniform,
    /// From a random wallet to the one hot merchant account.
    Hot,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Uniform => "uniform",
            Shape::Hot => "hot",
        }
    }
}

/// The accounts a backend's runs use.
struct Accounts {
    wallets: Vec<AccountId>,
    merchant: AccountId,
}

/// `n` with thousands separators.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds with two decimals, without float arithmetic.
fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    format!("{}.{:02}", ms / 1000, (ms % 1000) / 10)
}

/// Per second, from a count and a duration.
fn per_second(count: u64, d: Duration) -> u64 {
    let micros = d.as_micros().max(1);
    u64::try_from(u128::from(count) * 1_000_000 / micros).unwrap_or(u64::MAX)
}

/// Opens the accounts and funds every wallet, many calls in flight at once.
async fn setup(backend: &str, store: &Arc<dyn LedgerStore>, wallet_count: usize) -> Arc<Accounts> {
    let started = Instant::now();
    let bank = store
        .open_account(
            &AccountOwner::Operator,
            AccountKind::BankClearing,
            Currency::CNY,
        )
        .await
        .unwrap();
    let merchant = store
        .open_account(
            &AccountOwner::Wallet("hot-merchant".into()),
            AccountKind::Merchant,
            Currency::CNY,
        )
        .await
        .unwrap();
    let openers: Vec<_> = (0..16)
        .map(|task| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in (task..wallet_count).step_by(16) {
                    let owner = AccountOwner::Wallet(format!("bench-{i}"));
                    ids.push(
                        store
                            .open_account(&owner, AccountKind::Wallet, Currency::CNY)
                            .await
                            .unwrap(),
                    );
                }
                ids
            })
        })
        .collect();
    let mut wallets = Vec::with_capacity(wallet_count);
    for opener in openers {
        wallets.extend(opener.await.unwrap());
    }
    let opened = started.elapsed();
    // One funding entry credits up to POSTINGS_MAX - 1 wallets from bank clearing.
    let fundings: Vec<_> = wallets
        .chunks(POSTINGS_MAX - 1)
        .map(|chunk| {
            let mut postings = vec![posting(bank, -FUNDING_MINOR * chunk.len() as i64)];
            postings.extend(chunk.iter().map(|w| posting(*w, FUNDING_MINOR)));
            let store = store.clone();
            tokio::spawn(async move {
                let funding = Instruction::Transfer {
                    id: entry_id(),
                    postings,
                };
                assert_eq!(store.apply(funding).await.unwrap(), Ok(Applied::New));
            })
        })
        .collect();
    for funding in fundings {
        funding.await.unwrap();
    }
    println!(
        "{backend:<8} setup: {} wallets opened in {} s, funded in {} s",
        grouped(wallet_count as u64),
        seconds(opened),
        seconds(started.elapsed() - opened)
    );
    Arc::new(Accounts { wallets, merchant })
}

/// Runs `count` transfers from `in_flight` tasks, each applying one after another.
async fn run_case(
    backend: &str,
    store: &Arc<dyn LedgerStore>,
    accounts: &Arc<Accounts>,
    in_flight: usize,
    count: usize,
    shape: Shape,
) {
    let per_task = count / in_flight;
    let started = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|task| {
            let store = store.clone();
            let accounts = accounts.clone();
            tokio::spawn(async move {
                let mut rng = Rng::new(task as u64 + 1);
                let mut refused = 0u64;
                for _ in 0..per_task {
                    let n = accounts.wallets.len();
                    let from = rng.below(n);
                    let to = match shape {
                        Shape::Uniform => accounts.wallets[(from + 1 + rng.below(n - 1)) % n],
                        Shape::Hot => accounts.merchant,
                    };
                    let amount = 1 + i64::try_from(rng.below(100)).unwrap();
                    let instruction = transfer(accounts.wallets[from], to, amount);
                    match store.apply(instruction).await {
                        Ok(Ok(Applied::New)) => {}
                        Ok(_) => refused += 1,
                        Err(e) => panic!("storage failed: {e}"),
                    }
                }
                refused
            })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        refused += task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let done = (per_task * in_flight) as u64;
    let refused = if refused == 0 {
        String::new()
    } else {
        format!(" ({refused} refused)")
    };
    println!(
        "{backend:<8} batch~{in_flight:<4} {:<7}: {:>7} transfers in {:>5} s = {:>7} transfers/s{refused}",
        shape.name(),
        grouped(done),
        seconds(elapsed),
        grouped(per_second(done, elapsed)),
    );
}

/// Every case on one backend, then a verify of everything written.
async fn bench_backend(backend: &str, store: Arc<dyn LedgerStore>, quick: bool) {
    let wallets = if quick { WALLETS_QUICK } else { WALLETS };
    let accounts = setup(backend, &store, wallets).await;
    // (requests in flight, transfers): sized so that each case lasts 3 to 5 s on a small box.
    let counts: [(usize, usize); 3] = match (backend, quick) {
        (_, true) => [(1, 100), (100, 5_000), (1000, 20_000)],
        ("sqlite", false) => [(1, 4_000), (100, 150_000), (1000, 400_000)],
        (_, false) => [(1, 2_000), (100, 60_000), (1000, 150_000)],
    };
    for (in_flight, count) in counts {
        for shape in [Shape::Uniform, Shape::Hot] {
            run_case(backend, &store, &accounts, in_flight, count, shape).await;
        }
    }
    let started = Instant::now();
    let report = store.verify().await.unwrap();
    println!(
        "{backend:<8} verify: {} over {} journal lines in {} s",
        if report.is_clean() {
            "clean"
        } else {
            "NOT CLEAN"
        },
        grouped(report.journal_lines),
        seconds(started.elapsed())
    );
    assert!(report.is_clean(), "{report}");
}

/// A unique suffix for the temp folder and database names.
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000_000)
        .unwrap_or(0);
    format!("{}_{nanos}", std::process::id())
}

/// `base` with its database name replaced by `name`.
fn url_with_database(base: &str, name: &str) -> String {
    let (main, query) = base
        .split_once('?')
        .map_or((base, None), |(m, q)| (m, Some(q)));
    let (scheme, rest) = main.split_once("://").unwrap_or(("postgres", main));
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

async fn pg_admin(url: &str) -> Result<tokio_postgres::Client, String> {
    let connect = tokio_postgres::connect(url, tokio_postgres::NoTls);
    let (client, connection) = tokio::time::timeout(Duration::from_secs(5), connect)
        .await
        .map_err(|_| "connection timed out".to_string())?
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

async fn bench_sqlite(quick: bool) {
    let dir = std::env::temp_dir().join(format!("qianbao-bench-{}", unique()));
    let store: Arc<dyn LedgerStore> = Arc::new(SqliteStore::open(&dir).await.unwrap());
    bench_backend("sqlite", store, quick).await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn bench_postgres(quick: bool) {
    let admin_url = std::env::var("QIANBAO_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.into());
    let admin = match pg_admin(&admin_url).await {
        Ok(admin) => admin,
        Err(e) => {
            println!("postgres skipped: {admin_url} is unreachable ({e})");
            return;
        }
    };
    let name = format!("qb_bench_{}", unique());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let store: Arc<dyn LedgerStore> = Arc::new(
        PostgresStore::open(&url_with_database(&admin_url, &name))
            .await
            .unwrap(),
    );
    bench_backend("postgres", store, quick).await;
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}

fn main() {
    let quick = std::env::var("QIANBAO_BENCH_QUICK").is_ok_and(|v| v == "1");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    runtime.block_on(async {
        bench_sqlite(quick).await;
        bench_postgres(quick).await;
    });
    println!("total {} s", seconds(started.elapsed()));
}
