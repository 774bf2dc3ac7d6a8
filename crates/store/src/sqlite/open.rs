//! Opening the database file: each connection's settings and pragmas, and refusing a file that
//! is not ours or is newer before anything is written to it.

use super::error::store_error;
use super::migrations;
use crate::migrate;
use qianbao_wallet::StoreError;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// The file inside the data folder.
pub const FILE_NAME: &str = "qianbao.db";

/// How long a connection waits for another's write lock before giving up.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// Prepared statements kept per connection: every statement the wallet runs, with room to spare.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// Opens a connection with the settings every connection needs.
pub(super) fn connect(path: &Path) -> Result<Connection, StoreError> {
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
pub(super) fn prepare(dir: &Path) -> Result<PathBuf, StoreError> {
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
    migrations::apply(&mut conn)?;
    Ok(path)
}
