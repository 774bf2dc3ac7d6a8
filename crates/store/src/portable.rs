//! One way to run SQL on either backend, for the wallet's records (holders, sessions, codes, cards):
//! the logic is written once as plain synchronous code over [`Tx`] and runs on the blocking pool,
//! in a transaction that is serialisable on both backends (SQLite `BEGIN IMMEDIATE`; PostgreSQL
//! `SERIALIZABLE`, retried on serialisation failures). The ledger's hot path does not use this: it
//! has its own batch code per backend.
//!
//! SQL uses `$1`, `$2`, … placeholders on both backends; DDL lives in the per-backend migrations.

use crate::{PostgresStore, SqliteStore};
use qianbao_wallet::StoreError;
use std::sync::Arc;

/// A value passed to or read from SQL. Booleans are integers 0/1; times are integers (ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<qianbao_ledger::Amount> for Value {
    fn from(v: qianbao_ledger::Amount) -> Self {
        Value::Int(v.minor())
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("a row has no column {i}")))
    }

    fn wrong(i: usize, want: &str, got: &Value) -> StoreError {
        StoreError::Corrupt(format!("column {i}: expected {want}, found {got:?}"))
    }

    /// Column `i` as an integer.
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?
            .ok_or_else(|| Row::wrong(i, "an integer", &Value::Null))
    }

    /// Column `i` as an integer or NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i)? {
            Value::Int(v) => Ok(Some(*v)),
            Value::Null => Ok(None),
            other => Err(Row::wrong(i, "an integer", other)),
        }
    }

    /// Column `i` as an amount of minor units.
    pub fn amount(&self, i: usize) -> Result<qianbao_ledger::Amount, StoreError> {
        self.int(i).map(qianbao_ledger::Amount::from_minor)
    }

    /// Column `i` as one of the names `parse` knows (a state, a currency); a name this build does
    /// not know is reported as damage, never guessed at.
    pub fn named<T>(&self, i: usize, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
        let text = self.text(i)?;
        parse(&text)
            .ok_or_else(|| StoreError::Corrupt(format!("column {i}: unknown value {text:?}")))
    }

    /// Column `i` as text.
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?
            .ok_or_else(|| Row::wrong(i, "text", &Value::Null))
    }

    /// Column `i` as text or NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i)? {
            Value::Text(v) => Ok(Some(v.clone())),
            Value::Null => Ok(None),
            other => Err(Row::wrong(i, "text", other)),
        }
    }

    /// Column `i` as bytes.
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        self.opt_bytes(i)?
            .ok_or_else(|| Row::wrong(i, "bytes", &Value::Null))
    }

    /// Column `i` as bytes or NULL.
    pub fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, StoreError> {
        match self.at(i)? {
            Value::Bytes(v) => Ok(Some(v.clone())),
            Value::Null => Ok(None),
            other => Err(Row::wrong(i, "bytes", other)),
        }
    }
}

/// A transaction in progress. Everything done through it commits together or not at all.
pub trait Tx {
    /// Runs a statement that returns rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// Runs a statement and returns how many rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;

    /// Milliseconds since the Unix epoch by the store's clock: rows' own timestamps.
    fn now_ms(&self) -> i64;

    /// Runs a statement whose outcome the caller does not read. A backend may hold it back and
    /// send it with the next statement (PostgreSQL pipelines it, saving a round trip); a failure
    /// (a duplicate too) then comes back from that statement or from the commit, and fails the
    /// transaction all the same.
    fn write(&mut self, sql: &str, params: &[Value]) -> Result<(), StoreError> {
        self.execute(sql, params).map(|_| ())
    }

    /// Runs statements that return rows and do not depend on each other, and returns each one's
    /// rows, in order. A backend may send them together (PostgreSQL pipelines them: one round
    /// trip for all).
    fn query_all(&mut self, statements: &[(&str, &[Value])]) -> Result<Vec<Vec<Row>>, StoreError> {
        statements
            .iter()
            .map(|(sql, params)| self.query(sql, params))
            .collect()
    }

    /// Reads the work is about to make (statement and parameters, as it will make them): a
    /// backend may make them now, together, and answer each from what it read when it is asked
    /// for — once, and only until its table is written. PostgreSQL does (one round trip for all);
    /// SQLite, where a read costs no round trip, ignores the hint.
    fn read_ahead(&mut self, reads: Vec<(String, Vec<Value>)>) -> Result<(), StoreError> {
        let _ = reads;
        Ok(())
    }

    /// At most one row.
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        let mut rows = self.query(sql, params)?;
        match rows.len() {
            0 => Ok(None),
            1 => Ok(rows.pop()),
            n => Err(StoreError::Corrupt(format!(
                "expected at most one row, found {n}"
            ))),
        }
    }

    /// Exactly one row.
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Corrupt("expected a row, found none".into()))
    }
}

/// What a transaction is for, which decides its locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Reads and writes of records, serialisable (SQLite `BEGIN IMMEDIATE`; PostgreSQL
    /// `SERIALIZABLE`, retried on serialisation failures).
    Write,
    /// A money call: as `Write`, and excluding every other money transaction on every node
    /// (PostgreSQL: `LOCK TABLE journal_head IN EXCLUSIVE MODE` before the first read, so the
    /// snapshot is taken after the previous money transaction committed).
    Money,
    /// Reads only, from one snapshot, taking no write lock (SQLite deferred; PostgreSQL
    /// `REPEATABLE READ READ ONLY`).
    Read,
}

/// Work to run in a transaction. It may run more than once (PostgreSQL retries serialisation
/// failures), so it must not have effects outside the transaction.
pub type Work<T> = Arc<dyn Fn(&mut dyn Tx) -> Result<T, StoreError> + Send + Sync>;

/// Either backend, for running [`Work`].
#[derive(Clone)]
pub enum Storage {
    /// The embedded SQLite file.
    Sqlite(Arc<SqliteStore>),
    /// A PostgreSQL database.
    Postgres(Arc<PostgresStore>),
}

impl Storage {
    /// Opens the storage at `location` (applying migrations), over the system clock and the
    /// OS's randomness.
    pub async fn open(location: &crate::Location) -> Result<Storage, StoreError> {
        Storage::open_with(location, crate::Seams::default()).await
    }

    /// Opens the storage at `location` (applying migrations), reading the time and randomness
    /// from `seams`.
    pub async fn open_with(
        location: &crate::Location,
        seams: crate::Seams,
    ) -> Result<Storage, StoreError> {
        Ok(match location {
            crate::Location::SqliteDir(dir) => {
                Storage::Sqlite(Arc::new(SqliteStore::open_with(dir, seams).await?))
            }
            crate::Location::Postgres(url) => {
                Storage::Postgres(Arc::new(PostgresStore::open_with(url, seams).await?))
            }
        })
    }

    /// The same storage as the ledger's port.
    pub fn ledger(&self) -> Arc<dyn qianbao_wallet::LedgerStore> {
        match self {
            Storage::Sqlite(s) => s.clone(),
            Storage::Postgres(s) => s.clone(),
        }
    }

    /// Runs `work` in one serialisable transaction and commits it if it returns `Ok`; on `Err`
    /// nothing it did is kept.
    pub async fn transact<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn Tx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        self.transact_in(Mode::Write, work).await
    }

    /// Runs `work` in one transaction of the given mode; commits on `Ok`, keeps nothing on `Err`.
    pub async fn transact_in<T: Send + 'static>(
        &self,
        mode: Mode,
        work: impl Fn(&mut dyn Tx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        let work: Work<T> = Arc::new(work);
        match self {
            Storage::Sqlite(s) => s.transact(mode, work).await,
            Storage::Postgres(s) => s.transact(mode, work).await,
        }
    }
}
