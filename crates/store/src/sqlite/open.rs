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
    // Plans that do not depend on bound values. Without this, SQLite (built with STAT4) marks a
    // statement whose plan it weighed against a parameter as expiring whenever its bindings are
    // cleared — which the statement cache does each time it takes a statement back — so that
    // statement was parsed and planned again on every use: the risk stage's running-totals read
    // was re-prepared on every money call, an eighth of the money writer's time. We never run
    // ANALYZE, so there are no statistics a bound value could have helped the planner with.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(store_error)?;
    // FULL: the WAL is fsynced at every commit, so an acknowledged payment survives power loss.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(store_error)?;
    Ok(conn)
}

/// Makes the folder and file if missing, checks the file is ours and not newer, switches it to WAL
/// and applies the migrations it lacks (noting `now_ms` as when, drawing from `random`).
pub(super) fn prepare(
    dir: &Path,
    now_ms: i64,
    random: &dyn qianbao_wallet::Randomness,
) -> Result<PathBuf, StoreError> {
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
    migrations::apply(&mut conn, now_ms, random)?;
    Ok(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A statement taken from the cache in one transaction after another is planned once: the
    /// risk stage's running-totals read, which SQLite used to re-prepare on every money call.
    #[test]
    fn a_cached_statement_is_not_prepared_again_in_each_transaction() {
        let dir = std::env::temp_dir().join(format!("qianbao-qpsg-{}", std::process::id()));
        let path = prepare(&dir, 0, &qianbao_wallet::OsRandomness).unwrap();
        let mut conn = connect(&path).unwrap();
        let sql = "SELECT run_count, run_amount FROM risk_decisions WHERE subject = ?1 \
                   AND counted = 1 AND created_ms <= ?2 ORDER BY created_ms DESC LIMIT 1";
        let mut reprepared = 0;
        for round in 0..4i64 {
            let tx = conn.transaction().unwrap();
            {
                let mut statement = tx.prepare_cached(sql).unwrap();
                let mut rows = statement
                    .query(rusqlite::params![format!("holder:{round}"), 1_000 + round])
                    .unwrap();
                while rows.next().unwrap().is_some() {}
                drop(rows);
                reprepared += statement.reset_status(rusqlite::StatementStatus::RePrepare);
            }
            tx.commit().unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(reprepared, 0);
    }
}
