//! The embedded SQLite backend: one file in the data folder, WAL, `synchronous=FULL`, a writer
//! thread that commits money instructions in batches with `BEGIN IMMEDIATE`, and a small pool of
//! connections for everything else.

use crate::batch::{self, Request};
use crate::migrate::{self, HISTORY_TABLE, MIGRATIONS};
use crate::migrate::{negative_amounts_sql, unreadable_names_sql};
use crate::portable::{Mode, Row, Tx, Value, Work, sqlite_placeholders};
use crate::{BATCH_SIZE_MAX, QUEUE_DEPTH_MAX, now_ms};
use async_trait::async_trait;
use qianbao_ledger::{
    Account, AccountId, AccountKind, Applied, Book, Currency, HoldState, Instruction, Rejection,
};
use qianbao_wallet::verify::{JournalLine, replay};
use qianbao_wallet::verify_holds::{HoldMovement, check_holds, hold_movement_id};
use qianbao_wallet::verify_rows::{
    amount_columns, named_columns, negative_amounts, unreadable_names,
};
use qianbao_wallet::{AccountOwner, LedgerStore, StoreError, VerifyReport};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The file inside the data folder.
pub const FILE_NAME: &str = "qianbao.db";

/// How long a connection waits for another's write lock before giving up.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// Page cache of each of the two writer connections, in KiB: the hot accounts, the journal's tail
/// and the money tables' recent pages fit, and the server stays within its memory budget.
const WRITER_CACHE_KIB: i64 = 32 * 1024;

/// Prepared statements kept per connection: every statement the wallet runs, with room to spare.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// Idle connections kept for reuse.
const POOL_IDLE_MAX: usize = 12;

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
    /// Dropped with the store, which ends the checkpointer thread.
    _stop_checkpoints: std::sync::mpsc::Sender<()>,
}

/// How often the checkpointer copies committed WAL frames into the database file.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// WAL frames (4 KiB pages) beyond which the checkpointer stops being polite: a RESTART
/// checkpoint briefly waits for the writer so the WAL starts over instead of growing without end.
const WAL_FRAMES_MAX: i64 = 16_384;

impl SqliteStore {
    /// Opens (creating if needed) `dir/qianbao.db`, refuses a file that is not ours or is newer,
    /// applies migrations and starts the writer thread.
    pub async fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        let dir = dir.to_path_buf();
        let path = tokio::task::spawn_blocking(move || prepare(&dir))
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
            .spawn(move || write_batches(writer, requests))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let money_writer = connect(&path)?;
        money_writer
            // Temporary files in memory: each money call runs in a savepoint, whose statement
            // journal would otherwise be written to a temporary file page by page (a syscall
            // each); it only ever serves to roll a savepoint back inside the open transaction,
            // never recovery after a crash, so durability is unchanged.
            .execute_batch(&format!(
                "PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA temp_store = MEMORY;"
            ))
            .map_err(store_error)?;
        let (money, money_jobs) = mpsc::channel(QUEUE_DEPTH_MAX);
        std::thread::Builder::new()
            .name("qianbao-sqlite-money".into())
            .spawn(move || write_money(money_writer, money_jobs))
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
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(behavior)
                .map_err(store_error)?;
            let value = work(&mut SqliteTx(&tx))?;
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

struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => connect(&self.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < POOL_IDLE_MAX
        {
            idle.push(conn);
        }
    }
}

/// Maps a SQLite failure: a damaged or foreign file is `Corrupt`, a unique key taken is
/// `Duplicate`, anything else `Unavailable`.
fn store_error(e: rusqlite::Error) -> StoreError {
    const UNIQUE: i32 = 2067;
    const PRIMARY_KEY: i32 = 1555;
    if let rusqlite::Error::SqliteFailure(failure, _) = &e
        && matches!(failure.extended_code, UNIQUE | PRIMARY_KEY)
    {
        return StoreError::Duplicate(e.to_string());
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput;
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(v) => ToSqlOutput::from(*v),
            Value::Text(v) => ToSqlOutput::from(v.as_str()),
            Value::Bytes(v) => ToSqlOutput::from(v.as_slice()),
        })
    }
}

/// A [`Tx`] over a SQLite transaction.
struct SqliteTx<'a>(&'a rusqlite::Transaction<'a>);

impl Tx for SqliteTx<'_> {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self
            .0
            .prepare_cached(&sqlite_placeholders(sql))
            .map_err(store_error)?;
        let columns = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(store_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(store_error)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                use rusqlite::types::ValueRef;
                values.push(match row.get_ref(i).map_err(store_error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Text(v) => Value::Text(
                        String::from_utf8(v.to_vec())
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    ),
                    ValueRef::Blob(v) => Value::Bytes(v.to_vec()),
                    ValueRef::Real(_) => {
                        return Err(StoreError::Corrupt(
                            "a REAL column: money and times are integers".into(),
                        ));
                    }
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let changed = self
            .0
            .prepare_cached(&sqlite_placeholders(sql))
            .and_then(|mut s| s.execute(rusqlite::params_from_iter(params.iter())))
            .map_err(store_error)?;
        Ok(changed as u64)
    }
}

/// Opens a connection with the settings every connection needs.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(store_error)?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
        .map_err(store_error)?;
    // A money call runs a few dozen distinct statements; rusqlite's default cache of 16 would
    // evict them within one call and parse every statement again.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    // FULL: the WAL is fsynced at every commit, so an acknowledged payment survives power loss.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(store_error)?;
    Ok(conn)
}

/// Makes the folder and file if missing, checks the file is ours and not newer, switches it to WAL
/// and applies the migrations it lacks.
fn prepare(dir: &Path) -> Result<PathBuf, StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        StoreError::Unavailable(format!(
            "cannot make the data folder {}: {e}",
            dir.display()
        ))
    })?;
    let path = dir.join(FILE_NAME);
    let mut conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )
    .map_err(store_error)?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
        .map_err(store_error)?;
    // Read before writing anything: a foreign file must be refused untouched.
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::Corrupt(format!(
                "{} is not a SQLite database; it was left as it is",
                path.display()
            )),
            _ => store_error(e),
        })?;
    if tables > 0 {
        let ours: Option<String> = conn
            .query_row(
                "SELECT value FROM qianbao_meta WHERE key = 'application'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap_or(None);
        if ours.as_deref() != Some("qianbao") {
            return Err(StoreError::Corrupt(format!(
                "{} is a SQLite database of something else, not qianbao; it was left as it is",
                path.display()
            )));
        }
        let found: i64 = conn
            .query_row(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .map_err(store_error)?;
        if found > migrate::latest() {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: migrate::latest(),
            });
        }
    }
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .map_err(store_error)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    tx.execute_batch(HISTORY_TABLE).map_err(store_error)?;
    let applied: i64 = tx
        .query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(store_error)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > applied) {
        tx.execute_batch(m.sqlite).map_err(store_error)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, now_ms()],
        )
        .map_err(store_error)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().map_err(store_error)?;
    Ok(path)
}

/// The checkpointer thread: every interval, copies what it can of the WAL into the database file
/// without blocking the writer (PASSIVE); when the WAL has grown past [`WAL_FRAMES_MAX`], waits
/// for a gap between batches (RESTART) so the WAL is reused from its start. Ends with the store.
fn checkpoint_wal(conn: &Connection, stopped: &std::sync::mpsc::Receiver<()>) {
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
        stopped.recv_timeout(CHECKPOINT_INTERVAL)
    {
        let passive = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match passive {
            Ok((frames, copied)) if frames > WAL_FRAMES_MAX && copied < frames => {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL restart checkpoint failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
        }
    }
}

/// The writer thread: takes whatever is waiting (up to a batch), commits it, answers, repeats.
/// It ends when every sender is gone.
fn write_batches(mut conn: Connection, mut requests: mpsc::Receiver<Request>) {
    while let Some(first) = requests.blocking_recv() {
        let batch = batch::drain(first, &mut requests, BATCH_SIZE_MAX);
        let instructions: Vec<Instruction> = batch.iter().map(|r| r.instruction.clone()).collect();
        let started = std::time::Instant::now();
        let results = commit_batch(&mut conn, &instructions);
        if let Err(e) = &results {
            tracing::error!(error = %e, size = batch.len(), "ledger batch failed; nothing was applied");
        }
        batch::answer(batch, results, started.elapsed());
    }
}

/// The money writer thread: takes the money calls waiting (up to a batch), runs each in its own
/// savepoint of one `BEGIN IMMEDIATE` transaction, commits once, answers. Ends with the store.
fn write_money(mut conn: Connection, mut jobs: mpsc::Receiver<Box<dyn crate::money_batch::Job>>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = crate::money_batch::drain(first, &mut jobs, BATCH_SIZE_MAX);
        let started = std::time::Instant::now();
        let committed = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_error)?;
            crate::money_batch::run_batch(&mut SqliteTx(&tx), &mut batch)?;
            tx.commit().map_err(store_error)
        })();
        if let Err(e) = &committed {
            tracing::error!(error = %e, size = batch.len(), "money batch failed; nothing was kept");
        }
        crate::money_batch::answer(batch, committed, started.elapsed());
    }
}

/// Applies a batch in one `BEGIN IMMEDIATE` transaction: load what it touches, run it through the
/// ledger core, write what changed, commit (one fsync). On any error nothing is kept.
pub(crate) fn commit_batch(
    conn: &mut Connection,
    instructions: &[Instruction],
) -> Result<Vec<Result<Applied, Rejection>>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let mut book = Book::new();
    let head = {
        let (seq, link): (i64, Vec<u8>) = tx
            .prepare_cached("SELECT seq, link FROM journal_head WHERE id = 1")
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(store_error)?;
        (seq, batch::link_from_row(&link)?)
    };
    {
        let mut select = tx
            .prepare_cached("SELECT text, state FROM holds WHERE id = ?1")
            .map_err(store_error)?;
        for id in batch::hold_ids(instructions) {
            let row: Option<(String, String)> = select
                .query_row([id.0.to_be_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(store_error)?;
            if let Some((text, state)) = row {
                book.insert_hold(batch::hold_from_row(&text, &state)?);
            }
        }
    }
    {
        let mut select = tx
            .prepare_cached("SELECT kind, currency, balance, held FROM accounts WHERE id = ?1")
            .map_err(store_error)?;
        for id in batch::account_ids(instructions, &book) {
            let row: Option<(String, String, i64, i64)> = select
                .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()
                .map_err(store_error)?;
            if let Some((kind, currency, balance, held)) = row {
                book.insert_account(batch::account_from_row(
                    id.0, &kind, &currency, balance, held,
                )?);
            }
        }
    }
    {
        let mut select = tx
            .prepare_cached("SELECT text FROM journal WHERE entry_id = ?1")
            .map_err(store_error)?;
        for id in batch::entry_ids(instructions) {
            let text: Option<String> = select
                .query_row([id.0.to_be_bytes()], |r| r.get(0))
                .optional()
                .map_err(store_error)?;
            if let Some(text) = text {
                book.insert_applied(batch::instruction_from_row(&text)?);
            }
        }
    }
    let (results, writes) = batch::run(&mut book, instructions, head);
    {
        let mut update = tx
            .prepare_cached("UPDATE accounts SET balance = ?2, held = ?3 WHERE id = ?1")
            .map_err(store_error)?;
        for a in &writes.accounts {
            update
                .execute(params![a.id.0, a.balance.minor(), a.held.minor()])
                .map_err(store_error)?;
        }
        let created_ms = now_ms();
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO journal (seq, entry_id, text, link, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(store_error)?;
        for line in &writes.lines {
            insert
                .execute(params![
                    line.seq,
                    line.entry_id.0.to_be_bytes(),
                    line.text,
                    line.link,
                    created_ms
                ])
                .map_err(store_error)?;
        }
        let mut upsert = tx
            .prepare_cached(
                "INSERT INTO holds (id, text, state) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            )
            .map_err(store_error)?;
        for (id, text, state) in &writes.holds {
            upsert
                .execute(params![id.0.to_be_bytes(), text, state.as_str()])
                .map_err(store_error)?;
        }
        tx.prepare_cached("UPDATE journal_head SET seq = ?1, link = ?2 WHERE id = 1")
            .and_then(|mut s| s.execute(params![writes.head.0, writes.head.1]))
            .map_err(store_error)?;
    }
    tx.commit().map_err(store_error)?;
    Ok(results)
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
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_error)?;
            tx.execute(
                "INSERT INTO accounts (owner, kind, currency, created_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (owner, kind, currency) DO NOTHING",
                params![owner, kind.as_str(), currency.as_str(), now_ms()],
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
        self.with_conn(|conn| {
            // One read transaction: accounts, holds and journal seen at one instant.
            let tx = conn.transaction().map_err(store_error)?;
            let accounts = tx
                .prepare("SELECT id, kind, currency, balance, held FROM accounts ORDER BY id")
                .and_then(|mut s| {
                    s.query_map([], |r| {
                        Ok((
                            r.get(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get(3)?,
                            r.get(4)?,
                        ))
                    })?
                    .collect::<Result<Vec<(i64, String, String, i64, i64)>, _>>()
                })
                .map_err(store_error)?
                .into_iter()
                .map(|(id, kind, currency, balance, held)| {
                    batch::account_from_row(id, &kind, &currency, balance, held)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let holds = tx
                .prepare("SELECT text, state FROM holds")
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(store_error)?
                .into_iter()
                .map(|(text, state)| batch::hold_from_row(&text, &state))
                .collect::<Result<Vec<_>, _>>()?;
            let mut select = tx
                .prepare("SELECT seq, text, link FROM journal ORDER BY seq")
                .map_err(store_error)?;
            let lines = select
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                    ))
                })
                .map_err(store_error)?;
            let mut journal = Vec::new();
            for line in lines {
                let (seq, text, link) = line.map_err(store_error)?;
                journal.push(JournalLine {
                    seq: seq.unsigned_abs(),
                    text,
                    link: batch::link_from_row(&link).unwrap_or([0xff; 32]),
                });
            }
            let mut movements = Vec::new();
            let mut find = tx
                .prepare(
                    "SELECT id, kind, status, created_ms,
                            EXISTS (SELECT 1 FROM timers WHERE subject = movements.id)
                     FROM movements WHERE id = ?1",
                )
                .map_err(store_error)?;
            for hold in holds.iter().filter(|h| h.state == HoldState::Pending) {
                let found = find
                    .query_row([hold_movement_id(hold)], |r| {
                        Ok(HoldMovement {
                            id: r.get(0)?,
                            kind: r.get(1)?,
                            status: r.get(2)?,
                            created_ms: r.get(3)?,
                            has_timer: r.get(4)?,
                        })
                    })
                    .optional()
                    .map_err(store_error)?;
                movements.extend(found);
            }
            let mut report = replay(&accounts, &holds, journal);
            check_holds(&mut report, &holds, &movements, now_ms());
            for column in named_columns() {
                let found = tx
                    .prepare(&unreadable_names_sql(&column))
                    .and_then(|mut s| {
                        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                            .collect::<Result<Vec<(String, String)>, _>>()
                    })
                    .map_err(store_error)?;
                unreadable_names(&mut report, &column, &found);
            }
            for column in amount_columns() {
                let found = tx
                    .prepare(&negative_amounts_sql(&column))
                    .and_then(|mut s| {
                        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                            .collect::<Result<Vec<(String, i64)>, _>>()
                    })
                    .map_err(store_error)?;
                negative_amounts(&mut report, &column, &found);
            }
            Ok(report)
        })
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
