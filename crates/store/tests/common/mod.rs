//! Helpers shared by the store contract suite: a fresh database per test on either backend, raw SQL
//! access for tampering, and small builders for accounts and instructions.
#![allow(clippy::unwrap_used, dead_code)]

use qianbao_ledger::{
    AccountId, AccountKind, Amount, Applied, Currency, EntryId, Instruction, Posting, Rejection,
};
use qianbao_store::Location;
use qianbao_wallet::{AccountOwner, LedgerStore, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The admin URL used when `QIANBAO_TEST_DATABASE_URL` is not set.
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which storage a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `qianbao.db` in a fresh temp folder.
    Sqlite,
    /// A fresh PostgreSQL database, dropped afterwards.
    Postgres,
}

/// A fresh, empty place to keep a ledger, removed when dropped.
pub struct Db {
    /// Which backend.
    pub backend: Backend,
    /// Where `qianbao_store::open` finds it.
    pub location: Location,
    /// The temp folder (SQLite).
    dir: Option<PathBuf>,
    /// The admin URL and the database name (PostgreSQL).
    pg: Option<(String, String)>,
}

/// A name no other test of this or another run uses.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `base` with its database name replaced by `name`.
fn url_with_database(base: &str, name: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (base, None),
    };
    let (scheme, rest) = main.split_once("://").unwrap_or(("postgres", main));
    let authority = rest
        .split_once('/')
        .map_or(rest, |(authority, _)| authority);
    let mut url = format!("{scheme}://{authority}/{name}");
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// Connects with tokio-postgres and drives the connection on the current runtime.
pub async fn pg_connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

impl Db {
    /// A fresh SQLite folder under the system temp dir.
    pub fn sqlite() -> Db {
        let dir = std::env::temp_dir().join(format!("qianbao-store-test-{}", unique_name()));
        Db {
            backend: Backend::Sqlite,
            location: Location::SqliteDir(dir.clone()),
            dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a note) when PostgreSQL is unreachable and
    /// `QIANBAO_REQUIRE_POSTGRES=1` is not set. With it set, unreachable PostgreSQL fails the test.
    pub async fn postgres() -> Option<Db> {
        let admin = std::env::var("QIANBAO_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_ADMIN_URL.to_string());
        let required = std::env::var("QIANBAO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let client = match tokio::time::timeout(Duration::from_secs(5), pg_connect(&admin)).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return postgres_unreachable(required, &admin, &e.to_string()),
            Err(_) => return postgres_unreachable(required, &admin, "connection timed out"),
        };
        let name = format!("qb_test_{}", unique_name());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        Some(Db {
            backend: Backend::Postgres,
            location: Location::Postgres(url_with_database(&admin, &name)),
            dir: None,
            pg: Some((admin, name)),
        })
    }

    /// The SQLite folder.
    pub fn dir(&self) -> &Path {
        self.dir.as_deref().unwrap()
    }

    /// The SQLite file.
    pub fn sqlite_file(&self) -> PathBuf {
        self.dir().join(qianbao_store::sqlite::FILE_NAME)
    }

    /// The PostgreSQL URL of this database.
    pub fn url(&self) -> &str {
        match &self.location {
            Location::Postgres(url) => url,
            Location::SqliteDir(_) => panic!("not a PostgreSQL database"),
        }
    }

    /// The PostgreSQL admin URL (another database on the same server).
    pub fn admin_url(&self) -> &str {
        &self.pg.as_ref().unwrap().0
    }

    /// The PostgreSQL database name.
    pub fn name(&self) -> &str {
        &self.pg.as_ref().unwrap().1
    }

    /// Opens the store, which must succeed.
    pub async fn open(&self) -> Arc<dyn LedgerStore> {
        match self.try_open().await {
            Ok(store) => store,
            Err(e) => panic!("opening {:?} failed: {e}", self.location),
        }
    }

    /// Opens the store.
    pub async fn try_open(&self) -> Result<Arc<dyn LedgerStore>, StoreError> {
        qianbao_store::open(&self.location).await
    }

    /// Runs SQL statements directly on the database, behind the store's back; returns the rows
    /// the last one changed.
    pub async fn execute(&self, sql: &str) -> u64 {
        match self.backend {
            Backend::Sqlite => {
                let path = self.sqlite_file();
                let sql = sql.to_string();
                tokio::task::spawn_blocking(move || {
                    let conn = rusqlite::Connection::open(path).unwrap();
                    conn.busy_timeout(Duration::from_secs(10)).unwrap();
                    conn.execute(&sql, []).unwrap() as u64
                })
                .await
                .unwrap()
            }
            Backend::Postgres => {
                let client = pg_connect(self.url()).await.unwrap();
                client.execute(sql, &[]).await.unwrap()
            }
        }
    }

    /// Runs one statement directly on the database and answers how it went, for statements the
    /// database is expected to refuse.
    pub async fn try_execute(&self, sql: &str) -> Result<u64, String> {
        match self.backend {
            Backend::Sqlite => {
                let path = self.sqlite_file();
                let sql = sql.to_string();
                tokio::task::spawn_blocking(move || {
                    let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                    conn.execute(&sql, [])
                        .map(|n| n as u64)
                        .map_err(|e| e.to_string())
                })
                .await
                .unwrap()
            }
            Backend::Postgres => {
                let client = pg_connect(self.url()).await.unwrap();
                client.execute(sql, &[]).await.map_err(|e| format!("{e:?}"))
            }
        }
    }

    /// Runs a query returning one `bigint` directly on the database.
    pub async fn query_i64(&self, sql: &str) -> i64 {
        match self.backend {
            Backend::Sqlite => {
                let path = self.sqlite_file();
                let sql = sql.to_string();
                tokio::task::spawn_blocking(move || {
                    let conn = rusqlite::Connection::open(path).unwrap();
                    conn.query_row(&sql, [], |r| r.get(0)).unwrap()
                })
                .await
                .unwrap()
            }
            Backend::Postgres => {
                let client = pg_connect(self.url()).await.unwrap();
                client.query_one(sql, &[]).await.unwrap().get(0)
            }
        }
    }
}

fn postgres_unreachable(required: bool, url: &str, why: &str) -> Option<Db> {
    if required {
        panic!("PostgreSQL at {url} is unreachable ({why}) and QIANBAO_REQUIRE_POSTGRES=1");
    }
    eprintln!(
        "note: PostgreSQL at {url} is unreachable ({why}); skipping this PostgreSQL test \
         (set QIANBAO_REQUIRE_POSTGRES=1 to make this a failure)"
    );
    None
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs inside the test's runtime, so the async client gets a runtime of its own
            // on a plain thread.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let client = pg_connect(&admin).await?;
                    client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("note: could not drop a test database: {dropped:?}");
            }
        }
    }
}

/// A unique entry id.
pub fn entry_id() -> EntryId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    EntryId((0x7162_u128 << 112) | u128::from(NEXT.fetch_add(1, Ordering::Relaxed)))
}

/// A posting of `amount` minor units of `currency` to `account`.
pub fn posting(account: AccountId, currency: Currency, amount: i64) -> Posting {
    Posting {
        account,
        currency,
        amount: Amount::from_minor(amount),
    }
}

/// A transfer of `amount` CNY from `from` to `to`, with a fresh id.
pub fn transfer(from: AccountId, to: AccountId, amount: i64) -> Instruction {
    transfer_in(Currency::CNY, from, to, amount)
}

/// A transfer of `amount` in `currency` from `from` to `to`, with a fresh id.
pub fn transfer_in(currency: Currency, from: AccountId, to: AccountId, amount: i64) -> Instruction {
    Instruction::Transfer {
        id: entry_id(),
        postings: vec![
            posting(from, currency, -amount),
            posting(to, currency, amount),
        ],
    }
}

/// A hold of `amount` CNY from `from` to `to`, with a fresh id.
pub fn hold(from: AccountId, to: AccountId, amount: i64) -> Instruction {
    Instruction::Hold {
        id: entry_id(),
        postings: vec![
            posting(from, Currency::CNY, -amount),
            posting(to, Currency::CNY, amount),
        ],
    }
}

/// The USD currency.
pub fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

/// Opens (or finds) an account, which must succeed.
pub async fn account(
    store: &dyn LedgerStore,
    owner: &str,
    kind: AccountKind,
    currency: Currency,
) -> AccountId {
    let owner = if owner == "operator" {
        AccountOwner::Operator
    } else {
        AccountOwner::Wallet(owner.to_string())
    };
    store.open_account(&owner, kind, currency).await.unwrap()
}

/// A wallet of `owner` in CNY.
pub async fn wallet(store: &dyn LedgerStore, owner: &str) -> AccountId {
    account(store, owner, AccountKind::Wallet, Currency::CNY).await
}

/// The operator's CNY bank clearing account.
pub async fn bank(store: &dyn LedgerStore) -> AccountId {
    account(store, "operator", AccountKind::BankClearing, Currency::CNY).await
}

/// Applies an instruction whose storage must not fail.
pub async fn apply(
    store: &dyn LedgerStore,
    instruction: Instruction,
) -> Result<Applied, Rejection> {
    match store.apply(instruction).await {
        Ok(result) => result,
        Err(e) => panic!("storage failed: {e}"),
    }
}

/// Applies an instruction that must be new.
pub async fn apply_new(store: &dyn LedgerStore, instruction: Instruction) {
    let text = instruction.encode();
    assert_eq!(apply(store, instruction).await, Ok(Applied::New), "{text}");
}

/// Tops `wallet` up by `amount` CNY from bank clearing.
pub async fn fund(store: &dyn LedgerStore, bank: AccountId, wallet: AccountId, amount: i64) {
    apply_new(store, transfer(bank, wallet, amount)).await;
}

/// An account's balance, which must exist.
pub async fn balance(store: &dyn LedgerStore, id: AccountId) -> i64 {
    store.account(id).await.unwrap().unwrap().balance.minor()
}

/// An account's `(balance, held, available)`.
pub async fn amounts(store: &dyn LedgerStore, id: AccountId) -> (i64, i64, i64) {
    let a = store.account(id).await.unwrap().unwrap();
    (a.balance.minor(), a.held.minor(), a.available().minor())
}

/// Verifies the ledger, which must be clean and hold `lines` journal lines.
pub async fn assert_clean(store: &dyn LedgerStore, lines: u64) {
    let report = store.verify().await.unwrap();
    assert!(report.is_clean(), "verify found problems:\n{report}");
    assert_eq!(report.journal_lines, lines, "journal lines\n{report}");
    assert!(
        report.totals.values().all(|total| *total == 0),
        "money is not conserved:\n{report}"
    );
}

/// A tiny deterministic PRNG (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// Seeded; a zero seed is replaced.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
