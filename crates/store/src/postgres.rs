//! The PostgreSQL backend: a writer task per node commits money instructions in batches (one
//! transaction, a constant number of round trips whatever the batch size), a money writer thread
//! per node group-commits whole money calls (each in a savepoint of one transaction), and pooled
//! connections serve everything else. Several nodes may share one database: every batch first
//! locks the journal head, so batches apply one after another and read the balances the last one
//! wrote.

use crate::batch::{self, Request};
use crate::migrate::{self, HISTORY_TABLE, MIGRATIONS};
use crate::migrate::{negative_amounts_sql, unreadable_names_sql};
use crate::money_batch::Job;
use crate::portable::{Mode, Row, Tx, Value, Work};
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
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, Config, NoTls};

/// How long making a connection may take before storage counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The advisory lock that keeps two nodes from migrating at once.
const MIGRATION_LOCK_KEY: i64 = 0x0071_6961_6e62_616f; // "qianbao" in ASCII

/// The PostgreSQL store.
pub struct PostgresStore {
    queue: mpsc::Sender<Request>,
    config: Config,
    shared: Mutex<Option<Arc<Client>>>,
    /// Connections for record transactions, which need a client of their own while they run.
    records: Arc<std::sync::Mutex<Vec<RecordConn>>>,
    /// A permit per record connection: past [`RECORD_CONNECTIONS_MAX`] transactions wait for one
    /// to come back instead of connecting (a PostgreSQL connection is a process to start).
    record_permits: Arc<tokio::sync::Semaphore>,
    /// This node's money writer, which group-commits whole money calls.
    money: mpsc::Sender<Box<dyn Job>>,
}

/// A connection for record transactions with the statements it has prepared: each statement is
/// parsed once per connection, so running it again costs one round trip, not two.
struct RecordConn {
    client: Client,
    statements: std::collections::HashMap<String, tokio_postgres::Statement>,
}

/// Statements kept prepared per connection; past this the cache starts over (the wallet runs far
/// fewer distinct statements, so this only bounds a bug).
const STATEMENTS_MAX: usize = 512;

fn pg_error(e: tokio_postgres::Error) -> StoreError {
    // The Display of a server error is just "db error"; the server's own message says what.
    let message = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    };
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        return StoreError::Duplicate(message);
    }
    StoreError::Unavailable(message)
}

/// Whether a failure means "run the transaction again": SERIALIZABLE refused to interleave it with
/// another, or two transactions deadlocked.
fn must_retry(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
    )
}

/// How many times a serialisable transaction is tried before its failure is returned.
const SERIALIZABLE_TRIES_MAX: u32 = 30;

/// Record transactions running at once, each on its own connection, all kept open between uses.
/// Under load, more would only start and end PostgreSQL processes: with 64 requests in flight
/// and at most 8 connections kept, most record transactions connected afresh, and the machine
/// spent more time starting backends than answering.
const RECORD_CONNECTIONS_MAX: usize = 16;

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(v) => v.as_str().to_sql(ty, out),
            Value::Bytes(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        // Checked per value in `to_sql`, where the kind of value is known.
        <i64 as ToSql>::accepts(ty)
            || <i32 as ToSql>::accepts(ty)
            || <bool as ToSql>::accepts(ty)
            || <&str as ToSql>::accepts(ty)
            || <&[u8] as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

/// What runs a connection's futures to completion from synchronous code.
#[derive(Clone, Copy)]
enum Driver<'a> {
    /// A blocking thread of the server's runtime: the connection's task runs on its workers.
    Handle(&'a tokio::runtime::Handle),
    /// The money writer's own single-threaded runtime, which drives the writer's connection on
    /// the writer's thread: a statement is one round trip with no hand-off between threads.
    Local(&'a tokio::runtime::Runtime),
}

impl Driver<'_> {
    fn block_on<F: std::future::Future>(self, future: F) -> F::Output {
        match self {
            Driver::Handle(handle) => handle.block_on(future),
            Driver::Local(runtime) => runtime.block_on(future),
        }
    }
}

/// A [`Tx`] over a PostgreSQL transaction, driven from a blocking thread.
struct PgTx<'a> {
    client: &'a Client,
    driver: Driver<'a>,
    statements: &'a mut std::collections::HashMap<String, tokio_postgres::Statement>,
    /// Writes whose outcome nobody reads, not sent yet: they go out with the next statement (or
    /// the flush before the savepoint ends or the commit), all in one round trip.
    pending: Vec<(tokio_postgres::Statement, Vec<Value>)>,
    /// Rows read ahead ([`Tx::read_ahead`]), each given out once to the same statement with the
    /// same parameters; dropped when their table is written.
    ahead: Vec<(String, Vec<Value>, Vec<Row>)>,
    /// Set when a statement failed in a way that calls for running the whole transaction again.
    retry: bool,
}

impl<'a> PgTx<'a> {
    fn new(
        client: &'a Client,
        driver: Driver<'a>,
        statements: &'a mut std::collections::HashMap<String, tokio_postgres::Statement>,
    ) -> PgTx<'a> {
        PgTx {
            client,
            driver,
            statements,
            pending: Vec::new(),
            ahead: Vec::new(),
            retry: false,
        }
    }

    fn fail(&mut self, e: tokio_postgres::Error) -> StoreError {
        self.retry |= must_retry(&e);
        pg_error(e)
    }

    /// Sends the waiting writes and then `last`, pipelined: PostgreSQL runs them in order and one
    /// round trip carries them all. The first failure is the one returned — after it the
    /// transaction is aborted and every later statement only says so.
    fn round_trip<T, F>(&mut self, last: impl FnOnce(&'a Client) -> F) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let pending = std::mem::take(&mut self.pending);
        let client = self.client;
        let (writes, last) = if pending.is_empty() {
            (Vec::new(), self.driver.block_on(last(client)))
        } else {
            let values: Vec<Vec<&(dyn ToSql + Sync)>> =
                pending.iter().map(|(_, v)| params(v)).collect();
            let writes = futures_util::future::join_all(
                pending
                    .iter()
                    .zip(&values)
                    .map(|((statement, _), values)| client.execute(statement, values)),
            );
            self.driver
                .block_on(futures_util::future::join(writes, last(client)))
        };
        for write in writes {
            if let Err(e) = write {
                return Err(self.fail(e));
            }
        }
        last.map_err(|e| self.fail(e))
    }

    /// Sends the writes still waiting; their failure, if one failed.
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.round_trip(|_| std::future::ready(Ok(())))
    }

    /// The prepared statement for `sql`, prepared on first use on this connection.
    fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = match self.driver.block_on(self.client.prepare(sql)) {
            Ok(statement) => statement,
            Err(e) => return Err(self.fail(e)),
        };
        if self.statements.len() >= STATEMENTS_MAX {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// Whether a statement may change rows (and so is never read ahead).
fn writes(sql: &str) -> bool {
    let verb = sql.trim_start().get(..6).unwrap_or_default();
    !verb.eq_ignore_ascii_case("select")
}

/// The word after the first `keyword` in `sql`: the table of `FROM t`, `INTO t`, `UPDATE t`.
fn word_after<'s>(sql: &'s str, keyword: &str) -> Option<&'s str> {
    let mut words = sql.split_whitespace();
    words.find(|w| w.eq_ignore_ascii_case(keyword))?;
    words.next()
}

/// The one table a write changes, when that is plain from its first words.
fn table_written(sql: &str) -> Option<&str> {
    let verb = sql.split_whitespace().next()?;
    if verb.eq_ignore_ascii_case("insert") {
        word_after(sql, "into")
    } else if verb.eq_ignore_ascii_case("update") {
        word_after(sql, "update")
    } else if verb.eq_ignore_ascii_case("delete") {
        word_after(sql, "from")
    } else {
        None
    }
}

impl PgTx<'_> {
    /// Drops what was read ahead from the table `sql` writes (everything, when that is unclear).
    fn forget_ahead(&mut self, sql: &str) {
        match table_written(sql) {
            Some(table) => self
                .ahead
                .retain(|(read, _, _)| word_after(read, "from").is_some_and(|t| t != table)),
            None => self.ahead.clear(),
        }
    }
}

fn rows_from(rows: &[tokio_postgres::Row]) -> Result<Vec<Row>, StoreError> {
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|i| value_at(row, i))
                .collect::<Result<_, _>>()
                .map(Row)
        })
        .collect()
}

fn value_at(row: &tokio_postgres::Row, i: usize) -> Result<Value, StoreError> {
    let column = &row.columns()[i];
    let bad = |e: tokio_postgres::Error| StoreError::Corrupt(e.to_string());
    Ok(match *column.type_() {
        Type::INT8 => row.try_get::<_, Option<i64>>(i).map_err(bad)?.into(),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)
            .map_err(bad)?
            .map(i64::from)
            .into(),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)
            .map_err(bad)?
            .map(i64::from)
            .into(),
        Type::BOOL => row.try_get::<_, Option<bool>>(i).map_err(bad)?.into(),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            row.try_get::<_, Option<String>>(i).map_err(bad)?.into()
        }
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i).map_err(bad)?.into(),
        ref other => {
            return Err(StoreError::Corrupt(format!(
                "column {} has type {other}, which records do not use",
                column.name()
            )));
        }
    })
}

impl Tx for PgTx<'_> {
    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>, StoreError> {
        if let Some(i) = self
            .ahead
            .iter()
            .position(|(s, v, _)| s == sql && v.as_slice() == values)
        {
            return Ok(self.ahead.swap_remove(i).2);
        }
        if writes(sql) {
            self.forget_ahead(sql);
        }
        let statement = self.statement(sql)?;
        let values = params(values);
        let rows = self.round_trip(|client| client.query(&statement, &values))?;
        rows_from(&rows)
    }

    fn query_all(&mut self, statements: &[(&str, &[Value])]) -> Result<Vec<Vec<Row>>, StoreError> {
        let prepared = statements
            .iter()
            .map(|(sql, _)| self.statement(sql))
            .collect::<Result<Vec<_>, _>>()?;
        let values: Vec<Vec<&(dyn ToSql + Sync)>> =
            statements.iter().map(|(_, v)| params(v)).collect();
        let answers = self.round_trip(|client| async move {
            futures_util::future::join_all(
                prepared
                    .iter()
                    .zip(&values)
                    .map(|(statement, values)| client.query(statement, values)),
            )
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
        })?;
        answers.iter().map(|rows| rows_from(rows)).collect()
    }

    fn read_ahead(&mut self, reads: Vec<(String, Vec<Value>)>) -> Result<(), StoreError> {
        let reads: Vec<_> = reads.into_iter().filter(|(sql, _)| !writes(sql)).collect();
        let statements: Vec<(&str, &[Value])> = reads
            .iter()
            .map(|(sql, values)| (sql.as_str(), values.as_slice()))
            .collect();
        let rows = self.query_all(&statements)?;
        self.ahead = reads
            .into_iter()
            .zip(rows)
            .map(|((sql, values), rows)| (sql, values, rows))
            .collect();
        Ok(())
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
        self.forget_ahead(sql);
        let statement = self.statement(sql)?;
        let values = params(values);
        self.round_trip(|client| client.execute(&statement, &values))
    }

    fn write(&mut self, sql: &str, values: &[Value]) -> Result<(), StoreError> {
        self.forget_ahead(sql);
        let statement = self.statement(sql)?;
        self.pending.push((statement, values.to_vec()));
        Ok(())
    }
}

async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await.map_err(pg_error)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "PostgreSQL connection closed");
        }
    });
    Ok(client)
}

impl PostgresStore {
    /// Connects to `url`, refuses a database that is not ours or is newer, applies migrations and
    /// starts this node's writer.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("bad database URL: {e}")))?;
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("qianbao");
        let mut client = connect(&config).await?;
        prepare(&mut client).await?;
        let writer = connect(&config).await?;
        let (queue, requests) = mpsc::channel(QUEUE_DEPTH_MAX);
        tokio::spawn(write_batches(config.clone(), writer, requests));
        let (money, money_jobs) = mpsc::channel(QUEUE_DEPTH_MAX);
        let money_config = config.clone();
        std::thread::Builder::new()
            .name("qianbao-pg-money".into())
            .spawn(move || write_money(&money_config, money_jobs))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(PostgresStore {
            queue,
            config,
            shared: Mutex::new(Some(Arc::new(client))),
            records: Arc::new(std::sync::Mutex::new(Vec::new())),
            record_permits: Arc::new(tokio::sync::Semaphore::new(RECORD_CONNECTIONS_MAX)),
            money,
        })
    }

    /// Runs `work` in a SERIALIZABLE transaction on a blocking thread, again from the start when
    /// PostgreSQL reports a serialisation failure or deadlock, up to [`SERIALIZABLE_TRIES_MAX`].
    /// A money call goes to the node's money writer, which runs it in a batch (see
    /// [`write_money`]).
    pub(crate) async fn transact<T: Send + 'static>(
        &self,
        mode: Mode,
        work: Work<T>,
    ) -> Result<T, StoreError> {
        if mode == Mode::Money {
            return crate::money_batch::submit(&self.money, work).await;
        }
        let config = self.config.clone();
        let records = self.records.clone();
        let handle = tokio::runtime::Handle::current();
        let permit = self
            .record_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closing".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = records.lock().ok().and_then(|mut idle| idle.pop());
            let mut conn = match idle.filter(|c| !c.client.is_closed()) {
                Some(conn) => conn,
                None => RecordConn {
                    client: handle.block_on(connect(&config))?,
                    statements: std::collections::HashMap::new(),
                },
            };
            let result = transact_on(&handle, &mut conn, mode, &work);
            if !conn.client.is_closed()
                && let Ok(mut idle) = records.lock()
                && idle.len() < RECORD_CONNECTIONS_MAX
            {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }

    /// The shared client, reconnecting if the last one was lost.
    async fn client(&self) -> Result<Arc<Client>, StoreError> {
        let mut shared = self.shared.lock().await;
        if let Some(client) = shared.as_ref()
            && !client.is_closed()
        {
            return Ok(client.clone());
        }
        *shared = None;
        let client = Arc::new(connect(&self.config).await?);
        *shared = Some(client.clone());
        Ok(client)
    }
}

/// Checks the database is ours (or empty) and not newer, then applies missing migrations, under an
/// advisory lock so that nodes starting together do not race.
async fn prepare(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await
        .map_err(pg_error)?;
    let tables: i64 = tx
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .await
        .map_err(pg_error)?
        .get(0);
    if tables > 0 {
        let ours = tx
            .query_opt(
                "SELECT 1 FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = 'qianbao_meta'",
                &[],
            )
            .await
            .map_err(pg_error)?
            .is_some();
        let ours = ours
            && tx
                .query_opt(
                    "SELECT 1 FROM qianbao_meta WHERE key = 'application' AND value = 'qianbao'",
                    &[],
                )
                .await
                .map_err(pg_error)?
                .is_some();
        if !ours {
            return Err(StoreError::Corrupt(
                "the database holds tables of something else, not qianbao; it was left as it is"
                    .into(),
            ));
        }
        let found: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
                &[],
            )
            .await
            .map_err(pg_error)?
            .get(0);
        if found > migrate::latest() {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: migrate::latest(),
            });
        }
    }
    tx.batch_execute(HISTORY_TABLE).await.map_err(pg_error)?;
    let applied: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .await
        .map_err(pg_error)?
        .get(0);
    for m in MIGRATIONS.iter().filter(|m| m.version > applied) {
        tx.batch_execute(m.postgres).await.map_err(pg_error)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &now_ms()],
        )
        .await
        .map_err(pg_error)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().await.map_err(pg_error)
}

fn transact_on<T>(
    handle: &tokio::runtime::Handle,
    conn: &mut RecordConn,
    mode: Mode,
    work: &Work<T>,
) -> Result<T, StoreError> {
    let RecordConn { client, statements } = conn;
    let mut tries = 0;
    loop {
        tries += 1;
        let (isolation, read_only) = match mode {
            Mode::Write | Mode::Money => (tokio_postgres::IsolationLevel::Serializable, false),
            Mode::Read => (tokio_postgres::IsolationLevel::RepeatableRead, true),
        };
        let tx = handle
            .block_on(
                client
                    .build_transaction()
                    .isolation_level(isolation)
                    .read_only(read_only)
                    .start(),
            )
            .map_err(pg_error)?;
        if mode == Mode::Money {
            // LOCK takes no snapshot: the first read after it sees every money transaction that
            // committed before, so balances and limits read here are current on every node.
            if let Err(e) =
                handle.block_on(tx.batch_execute("LOCK TABLE journal_head IN EXCLUSIVE MODE"))
            {
                let _ = handle.block_on(tx.rollback());
                if must_retry(&e) && tries < SERIALIZABLE_TRIES_MAX {
                    continue;
                }
                return Err(pg_error(e));
            }
        }
        let mut pg = PgTx::new(tx.client(), Driver::Handle(handle), statements);
        let outcome = work(&mut pg).and_then(|value| pg.flush().map(|()| value));
        let retry = pg.retry;
        let failure = match outcome {
            Ok(value) => match handle.block_on(tx.commit()) {
                Ok(()) => return Ok(value),
                Err(e) if must_retry(&e) => pg_error(e),
                Err(e) => return Err(pg_error(e)),
            },
            Err(e) => {
                let _ = handle.block_on(tx.rollback());
                if !retry {
                    return Err(e);
                }
                e
            }
        };
        if tries >= SERIALIZABLE_TRIES_MAX {
            return Err(failure);
        }
        backoff(tries);
    }
}

/// The money writer: a thread with a single-threaded runtime of its own that drives its own
/// connection, so each statement of a money call is one round trip with no hand-off between
/// threads. It takes the money calls waiting (up to a batch) and runs them in one SERIALIZABLE
/// transaction that first takes `LOCK TABLE journal_head IN EXCLUSIVE MODE` — so money
/// transactions of every node still run one after another, each reading what the last committed
/// — each call inside its own savepoint (a refusal or failure rolls back to it only), then
/// commits once and answers every caller. A serialisation failure or deadlock (with a record
/// transaction; money transactions cannot collide under the lock) runs the whole batch again
/// from the start; any other failure of the transaction fails every call of the batch, and
/// nothing of it exists. Ends with the store.
fn write_money(config: &Config, mut jobs: mpsc::Receiver<Box<dyn Job>>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the PostgreSQL money writer");
            return;
        }
    };
    let mut conn: Option<RecordConn> = None;
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = crate::money_batch::drain(first, &mut jobs, BATCH_SIZE_MAX);
        let started = std::time::Instant::now();
        let committed = commit_money(&runtime, config, &mut conn, &mut batch);
        if let Err(e) = &committed {
            tracing::error!(error = %e, size = batch.len(), "money batch failed; nothing was kept");
        }
        crate::money_batch::answer(batch, committed, started.elapsed());
    }
}

/// Runs a batch of money calls to its commit, again from the start on a serialisation failure.
fn commit_money(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    conn: &mut Option<RecordConn>,
    batch: &mut [Box<dyn Job>],
) -> Result<(), StoreError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let c = match conn.take().filter(|c| !c.client.is_closed()) {
            Some(c) => conn.insert(c),
            None => conn.insert(RecordConn {
                client: runtime.block_on(connect(config))?,
                statements: std::collections::HashMap::new(),
            }),
        };
        let (failure, retry) = match run_money_batch(runtime, c, batch) {
            Ok(()) => return Ok(()),
            Err(failed) => failed,
        };
        if c.client.is_closed() {
            *conn = None;
        }
        if !retry || tries >= SERIALIZABLE_TRIES_MAX {
            return Err(failure);
        }
        backoff(tries);
    }
}

/// One attempt at a batch: begin, lock, each call in a savepoint, commit. On failure, the error
/// and whether running the batch again may succeed; the transaction is then rolled back.
fn run_money_batch(
    runtime: &tokio::runtime::Runtime,
    conn: &mut RecordConn,
    batch: &mut [Box<dyn Job>],
) -> Result<(), (StoreError, bool)> {
    let RecordConn { client, statements } = conn;
    let client = &*client;
    let fail = |e: tokio_postgres::Error| {
        let retry = must_retry(&e);
        let _ = runtime.block_on(client.batch_execute("ROLLBACK"));
        (pg_error(e), retry)
    };
    // LOCK takes no snapshot: the first read after it sees every money transaction that
    // committed before, so balances and limits read here are current on every node.
    runtime
        .block_on(client.batch_execute(
            "BEGIN ISOLATION LEVEL SERIALIZABLE; \
             LOCK TABLE journal_head IN EXCLUSIVE MODE; SAVEPOINT money_call",
        ))
        .map_err(fail)?;
    let last = batch.len().saturating_sub(1);
    for (i, job) in batch.iter_mut().enumerate() {
        let mut pg = PgTx::new(client, Driver::Local(runtime), statements);
        // A panicking call is a bug; it must not take the writer (and every later payment) down.
        let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&mut pg)))
            .unwrap_or(false);
        if !kept {
            // Its savepoint is rolled back: what it still had waiting need not be sent at all.
            pg.pending.clear();
        }
        // One round trip between calls: the call's waiting writes, the end of its savepoint and
        // the start of the next one's.
        let (end_kept, end_dropped) = if i == last {
            (
                "RELEASE money_call",
                "ROLLBACK TO money_call; RELEASE money_call",
            )
        } else {
            (
                "RELEASE money_call; SAVEPOINT money_call",
                "ROLLBACK TO money_call; RELEASE money_call; SAVEPOINT money_call",
            )
        };
        let ended =
            pg.round_trip(|client| client.batch_execute(if kept { end_kept } else { end_dropped }));
        if pg.retry {
            let _ = runtime.block_on(client.batch_execute("ROLLBACK"));
            return Err((
                StoreError::Unavailable("serialisation failure; the batch runs again".into()),
                true,
            ));
        }
        match ended {
            Ok(()) => {}
            // One of the call's writes failed, so its RELEASE was refused and the savepoint is
            // still there: the call fails alone and the batch goes on.
            Err(e) if kept && runtime.block_on(client.batch_execute(end_dropped)).is_ok() => {
                job.fail(e);
            }
            Err(e) => {
                let _ = runtime.block_on(client.batch_execute("ROLLBACK"));
                return Err((e, false));
            }
        }
    }
    runtime
        .block_on(client.batch_execute("COMMIT"))
        .map_err(fail)
}

/// Waits a random time, doubling up to 64 ms with `tries`, so transactions that collided spread
/// out instead of colliding again in step.
fn backoff(tries: u32) {
    let ceiling_us = 1_000u64 << tries.min(6);
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    std::thread::sleep(Duration::from_micros(jitter % ceiling_us));
}

/// The writer task: takes whatever is waiting (up to a batch), commits it, answers, repeats.
/// A lost connection fails the batch it was carrying and is made again for the next one.
async fn write_batches(config: Config, client: Client, mut requests: mpsc::Receiver<Request>) {
    let mut client = Some(client);
    while let Some(first) = requests.recv().await {
        let batch = batch::drain(first, &mut requests, BATCH_SIZE_MAX);
        let instructions: Vec<Instruction> = batch.iter().map(|r| r.instruction.clone()).collect();
        let started = std::time::Instant::now();
        let results = match client.as_mut().filter(|c| !c.is_closed()) {
            Some(c) => commit_batch(c, &instructions).await,
            None => match connect(&config).await {
                Ok(mut c) => {
                    let results = commit_batch(&mut c, &instructions).await;
                    client = Some(c);
                    results
                }
                Err(e) => Err(e),
            },
        };
        if let Err(e) = &results {
            tracing::error!(error = %e, size = batch.len(), "ledger batch failed; nothing was applied");
            if client.as_ref().is_none_or(Client::is_closed) {
                client = None;
            }
        }
        batch::answer(batch, results, started.elapsed());
    }
}

/// Applies a batch in one transaction: lock the chain head, lock and load what the batch touches
/// (accounts in id order), run it through the ledger core, write what changed with array
/// parameters, commit.
pub(crate) async fn commit_batch(
    client: &mut Client,
    instructions: &[Instruction],
) -> Result<Vec<Result<Applied, Rejection>>, StoreError> {
    let tx = client.transaction().await.map_err(pg_error)?;
    let head = tx
        .query_one(
            "SELECT seq, link FROM journal_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await
        .map_err(pg_error)?;
    let head = (
        head.get::<_, i64>(0),
        batch::link_from_row(head.get::<_, &[u8]>(1))?,
    );
    let mut book = Book::new();
    let hold_ids: Vec<Vec<u8>> = batch::hold_ids(instructions)
        .into_iter()
        .map(|id| id.0.to_be_bytes().to_vec())
        .collect();
    if !hold_ids.is_empty() {
        for row in tx
            .query(
                "SELECT text, state FROM holds WHERE id = ANY($1) FOR UPDATE",
                &[&hold_ids],
            )
            .await
            .map_err(pg_error)?
        {
            book.insert_hold(batch::hold_from_row(row.get(0), row.get(1))?);
        }
    }
    let account_ids: Vec<i64> = batch::account_ids(instructions, &book)
        .into_iter()
        .map(|id| id.0)
        .collect();
    for row in tx
        .query(
            "SELECT id, kind, currency, balance, held FROM accounts
             WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            &[&account_ids],
        )
        .await
        .map_err(pg_error)?
    {
        book.insert_account(batch::account_from_row(
            row.get(0),
            row.get(1),
            row.get(2),
            row.get(3),
            row.get(4),
        )?);
    }
    let entry_ids: Vec<Vec<u8>> = batch::entry_ids(instructions)
        .into_iter()
        .map(|id| id.0.to_be_bytes().to_vec())
        .collect();
    for row in tx
        .query(
            "SELECT text FROM journal WHERE entry_id = ANY($1)",
            &[&entry_ids],
        )
        .await
        .map_err(pg_error)?
    {
        book.insert_applied(batch::instruction_from_row(row.get(0))?);
    }
    let (results, writes) = batch::run(&mut book, instructions, head);
    if !writes.accounts.is_empty() {
        let ids: Vec<i64> = writes.accounts.iter().map(|a| a.id.0).collect();
        let balances: Vec<i64> = writes.accounts.iter().map(|a| a.balance.minor()).collect();
        let held: Vec<i64> = writes.accounts.iter().map(|a| a.held.minor()).collect();
        tx.execute(
            "UPDATE accounts AS a SET balance = u.balance, held = u.held
             FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, balance, held)
             WHERE a.id = u.id",
            &[&ids, &balances, &held],
        )
        .await
        .map_err(pg_error)?;
    }
    if !writes.lines.is_empty() {
        let seqs: Vec<i64> = writes.lines.iter().map(|l| l.seq).collect();
        let ids: Vec<Vec<u8>> = writes
            .lines
            .iter()
            .map(|l| l.entry_id.0.to_be_bytes().to_vec())
            .collect();
        let texts: Vec<&str> = writes.lines.iter().map(|l| l.text.as_str()).collect();
        let links: Vec<&[u8]> = writes.lines.iter().map(|l| &l.link[..]).collect();
        tx.execute(
            "INSERT INTO journal (seq, entry_id, text, link, created_ms)
             SELECT s, e, t, l, $5 FROM unnest($1::bigint[], $2::bytea[], $3::text[], $4::bytea[])
             AS x(s, e, t, l)",
            &[&seqs, &ids, &texts, &links, &now_ms()],
        )
        .await
        .map_err(pg_error)?;
    }
    if !writes.holds.is_empty() {
        let ids: Vec<Vec<u8>> = writes
            .holds
            .iter()
            .map(|(id, _, _)| id.0.to_be_bytes().to_vec())
            .collect();
        let texts: Vec<&str> = writes.holds.iter().map(|(_, t, _)| t.as_str()).collect();
        let states: Vec<&str> = writes.holds.iter().map(|(_, _, s)| s.as_str()).collect();
        tx.execute(
            "INSERT INTO holds (id, text, state)
             SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[])
             ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            &[&ids, &texts, &states],
        )
        .await
        .map_err(pg_error)?;
    }
    tx.execute(
        "UPDATE journal_head SET seq = $1, link = $2 WHERE id = 1",
        &[&writes.head.0, &&writes.head.1[..]],
    )
    .await
    .map_err(pg_error)?;
    tx.commit().await.map_err(pg_error)?;
    Ok(results)
}

#[async_trait]
impl LedgerStore for PostgresStore {
    async fn open_account(
        &self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<AccountId, StoreError> {
        let client = self.client().await?;
        let owner = owner.to_string();
        client
            .execute(
                "INSERT INTO accounts (owner, kind, currency, created_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (owner, kind, currency) DO NOTHING",
                &[&owner, &kind.as_str(), &currency.as_str(), &now_ms()],
            )
            .await
            .map_err(pg_error)?;
        let row = client
            .query_one(
                "SELECT id FROM accounts WHERE owner = $1 AND kind = $2 AND currency = $3",
                &[&owner, &kind.as_str(), &currency.as_str()],
            )
            .await
            .map_err(pg_error)?;
        Ok(AccountId(row.get(0)))
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT kind, currency, balance, held FROM accounts WHERE id = $1",
                &[&id.0],
            )
            .await
            .map_err(pg_error)?
            .map(|row| {
                batch::account_from_row(id.0, row.get(0), row.get(1), row.get(2), row.get(3))
            })
            .transpose()
    }

    async fn apply(
        &self,
        instruction: Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError> {
        batch::submit(&self.queue, instruction).await
    }

    async fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut client = connect(&self.config).await?;
        // One snapshot: accounts, holds and journal seen at one instant.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(pg_error)?;
        let accounts = tx
            .query(
                "SELECT id, kind, currency, balance, held FROM accounts ORDER BY id",
                &[],
            )
            .await
            .map_err(pg_error)?
            .iter()
            .map(|r| batch::account_from_row(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
            .collect::<Result<Vec<_>, _>>()?;
        let holds = tx
            .query("SELECT text, state FROM holds", &[])
            .await
            .map_err(pg_error)?
            .iter()
            .map(|r| batch::hold_from_row(r.get(0), r.get(1)))
            .collect::<Result<Vec<_>, _>>()?;
        let journal = tx
            .query("SELECT seq, text, link FROM journal ORDER BY seq", &[])
            .await
            .map_err(pg_error)?
            .iter()
            .map(|r| JournalLine {
                seq: r.get::<_, i64>(0).unsigned_abs(),
                text: r.get(1),
                link: batch::link_from_row(r.get::<_, &[u8]>(2)).unwrap_or([0xff; 32]),
            })
            .collect::<Vec<_>>();
        let pending: Vec<String> = holds
            .iter()
            .filter(|h| h.state == HoldState::Pending)
            .map(hold_movement_id)
            .collect();
        let movements = tx
            .query(
                "SELECT id, kind, status, created_ms,
                        EXISTS (SELECT 1 FROM timers WHERE subject = movements.id)
                 FROM movements WHERE id = ANY($1)",
                &[&pending],
            )
            .await
            .map_err(pg_error)?
            .iter()
            .map(|r| HoldMovement {
                id: r.get(0),
                kind: r.get(1),
                status: r.get(2),
                created_ms: r.get(3),
                has_timer: r.get(4),
            })
            .collect::<Vec<_>>();
        let mut names = Vec::new();
        for column in named_columns() {
            let found: Vec<(String, String)> = tx
                .query(&unreadable_names_sql(&column), &[])
                .await
                .map_err(pg_error)?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            names.push((column, found));
        }
        let mut amounts = Vec::new();
        for column in amount_columns() {
            let found: Vec<(String, i64)> = tx
                .query(&negative_amounts_sql(&column), &[])
                .await
                .map_err(pg_error)?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            amounts.push((column, found));
        }
        tx.commit().await.map_err(pg_error)?;
        let mut report = replay(&accounts, &holds, journal);
        check_holds(&mut report, &holds, &movements, now_ms());
        for (column, found) in &names {
            unreadable_names(&mut report, column, found);
        }
        for (column, found) in &amounts {
            negative_amounts(&mut report, column, found);
        }
        Ok(report)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .query_one("SELECT 1 FROM journal_head", &[])
            .await
            .map_err(pg_error)?;
        Ok(())
    }
}
