//! The SQLite store: the `SqliteStore` handle, starting its writer, money writer and
//! checkpointer threads, transactions on pooled connections, and its `LedgerStore` calls.
//!
//! The embedded SQLite backend: one file in the data folder, WAL, `synchronous=FULL`, a writer
//! thread that commits money instructions in batches with `BEGIN IMMEDIATE`, and a small pool of
//! connections for everything else.

mod checkpoint;
mod error;
mod ledger_writer;
mod migrations;
mod money_writer;
mod open;
mod pool;
mod tx;
mod verify;

pub use open::FILE_NAME;

use crate::batch::{self, Request};
use crate::portable::{Mode, Work};
use crate::{QUEUE_DEPTH_MAX, Seams};
use async_trait::async_trait;
use checkpoint::checkpoint_wal;
use error::store_error;
use ledger_writer::write_batches;
use money_writer::write_money;
use open::{connect, prepare};
use pool::Pool;
use qianbao_ledger::{Account, AccountId, AccountKind, Applied, Currency, Instruction, Rejection};
use qianbao_wallet::{AccountOwner, LedgerStore, StoreError, VerifyReport};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tx::SqliteTx;

/// Page cache of each of the two writer connections, in KiB: the hot accounts, the journal's tail
/// and the money tables' recent pages fit, and the server stays within its memory budget.
const WRITER_CACHE_KIB: i64 = 32 * 1024;

/// WAL frames after which the money writer checkpoints inside a commit. The checkpointer thread
/// copies frames between commits on the other core; the writer's own checkpoint is what lets the
/// WAL start over, and with most frames already copied it has little left to do.
const MONEY_WRITER_CHECKPOINT_FRAMES: i64 = 4_000;

/// Read transactions running at once. Reads are short (a session, a key, a page of records); more
/// at once would not finish sooner on a few cores, and every one past the idle connections kept
/// would open a connection (reading the schema, preparing its statements afresh) and drop it after.
const READERS_MAX: usize = 8;

/// The SQLite store.
pub struct SqliteStore {
    queue: mpsc::Sender<Request>,
    money: mpsc::Sender<Box<dyn crate::money_batch::Job>>,
    pool: Arc<Pool>,
    /// Permits for read transactions: at most [`READERS_MAX`] hold a connection at once.
    readers: Arc<tokio::sync::Semaphore>,
    /// The clock and randomness it reads.
    seams: Seams,
    /// Dropped with the store, which ends the checkpointer thread.
    _stop_checkpoints: std::sync::mpsc::Sender<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) `dir/qianbao.db`, refuses a file that is not ours or is newer,
    /// applies migrations and starts the writer thread; over the system clock.
    pub async fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(dir, Seams::default()).await
    }

    /// Opens the store as [`SqliteStore::open`] does, reading the time from `seams`.
    pub async fn open_with(dir: &Path, seams: Seams) -> Result<SqliteStore, StoreError> {
        let dir = dir.to_path_buf();
        let now_ms = seams.clock.now_ms();
        let random = seams.random.clone();
        let path = tokio::task::spawn_blocking(move || prepare(&dir, now_ms, random.as_ref()))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))??;
        let pool = Arc::new(Pool {
            path: path.clone(),
            idle: Mutex::new(Vec::new()),
        });
        let writer = connect(&path)?;
        // Checkpoints run on their own thread (below), never inside a money commit; a larger
        // page cache keeps the hot pages of accounts and the journal's tail in memory.
        writer
            .execute_batch(&format!(
                "PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -{WRITER_CACHE_KIB};"
            ))
            .map_err(store_error)?;
        let (queue, requests) = mpsc::channel(QUEUE_DEPTH_MAX);
        std::thread::Builder::new()
            .name("qianbao-sqlite-writer".into())
            .spawn({
                let clock = seams.clock.clone();
                move || write_batches(writer, requests, clock.as_ref())
            })
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let money_writer = connect(&path)?;
        money_writer
            // Temporary files in memory: each money call runs in a savepoint, whose statement
            // journal would otherwise be written to a temporary file page by page (a syscall
            // each); it only ever serves to roll a savepoint back inside the open transaction,
            // never recovery after a crash, so durability is unchanged.
            .execute_batch(&format!(
                "PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA temp_store = MEMORY; \
                 PRAGMA wal_autocheckpoint = {MONEY_WRITER_CHECKPOINT_FRAMES};"
            ))
            .map_err(store_error)?;
        let (money, money_jobs) = mpsc::channel(QUEUE_DEPTH_MAX);
        std::thread::Builder::new()
            .name("qianbao-sqlite-money".into())
            .spawn({
                let clock = seams.clock.clone();
                move || write_money(money_writer, money_jobs, clock.as_ref())
            })
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let checkpointer = connect(&path)?;
        let (stop_checkpoints, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("qianbao-sqlite-checkpointer".into())
            .spawn(move || checkpoint_wal(&checkpointer, &stopped))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(SqliteStore {
            queue,
            money,
            pool,
            readers: Arc::new(tokio::sync::Semaphore::new(READERS_MAX)),
            seams,
            _stop_checkpoints: stop_checkpoints,
        })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.pool.path
    }

    /// Runs `work` in one transaction on a pooled connection: `BEGIN IMMEDIATE` for writes (the
    /// one write lock serialises every writer, money included), deferred for reads.
    pub(crate) async fn transact<T: Send + 'static>(
        &self,
        mode: Mode,
        work: Work<T>,
    ) -> Result<T, StoreError> {
        let behavior = match mode {
            Mode::Money => return crate::money_batch::submit(&self.money, work).await,
            Mode::Write => TransactionBehavior::Immediate,
            Mode::Read => TransactionBehavior::Deferred,
        };
        let _permit = match mode {
            Mode::Read => Some(
                self.readers
                    .acquire()
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            ),
            Mode::Write | Mode::Money => None,
        };
        let clock = self.seams.clock.clone();
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(behavior)
                .map_err(store_error)?;
            let value = work(&mut SqliteTx(&tx, clock.as_ref()))?;
            tx.commit().map_err(store_error)?;
            Ok(value)
        })
        .await
    }

    /// Runs `f` on a pooled connection off the async threads.
    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.take()?;
            let result = f(&mut conn);
            pool.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }
}

#[async_trait]
impl LedgerStore for SqliteStore {
    async fn open_account(
        &self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<AccountId, StoreError> {
        let owner = owner.to_string();
        let now_ms = self.seams.clock.now_ms();
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_error)?;
            tx.execute(
                "INSERT INTO accounts (owner, kind, currency, created_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (owner, kind, currency) DO NOTHING",
                params![owner, kind.as_str(), currency.as_str(), now_ms],
            )
            .map_err(store_error)?;
            let id: i64 = tx
                .query_row(
                    "SELECT id FROM accounts WHERE owner = ?1 AND kind = ?2 AND currency = ?3",
                    params![owner, kind.as_str(), currency.as_str()],
                    |r| r.get(0),
                )
                .map_err(store_error)?;
            tx.commit().map_err(store_error)?;
            Ok(AccountId(id))
        })
        .await
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        self.with_conn(move |conn| {
            let row: Option<(String, String, i64, i64)> = conn
                .prepare_cached("SELECT kind, currency, balance, held FROM accounts WHERE id = ?1")
                .and_then(|mut s| {
                    s.query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                        .optional()
                })
                .map_err(store_error)?;
            row.map(|(kind, currency, balance, held)| {
                batch::account_from_row(id.0, &kind, &currency, balance, held)
            })
            .transpose()
        })
        .await
    }

    async fn apply(
        &self,
        instruction: Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError> {
        batch::submit(&self.queue, instruction).await
    }

    async fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.verify_at(self.seams.clock.now_ms()).await
    }

    async fn verify_at(&self, now_ms: i64) -> Result<VerifyReport, StoreError> {
        self.with_conn(move |conn| verify::verify(conn, now_ms))
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.query_row("SELECT 1 FROM journal_head", [], |_| Ok(()))
                .map_err(store_error)
        })
        .await
    }
}
