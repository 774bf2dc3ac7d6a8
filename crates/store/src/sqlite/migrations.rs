//! Applying the migrations a SQLite file lacks, in one `BEGIN IMMEDIATE` transaction.

use super::error::store_error;
use crate::migrate::{HISTORY_TABLE, LOG_KEY_BYTES, LOG_KEY_VERSION, MIGRATIONS};
use qianbao_wallet::StoreError;
use rusqlite::{Connection, TransactionBehavior, params};

/// Records the history table if missing and applies, in order, every migration newer than the
/// last one applied, noting `now_ms` as when; the journal log's key comes from `random`.
pub(super) fn apply(
    conn: &mut Connection,
    now_ms: i64,
    random: &dyn qianbao_wallet::Randomness,
) -> Result<(), StoreError> {
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
        if m.version == LOG_KEY_VERSION {
            let mut key = [0u8; LOG_KEY_BYTES];
            random
                .fill(&mut key)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            tx.execute(
                "UPDATE journal_head SET log_key = ?1",
                params![key.to_vec()],
            )
            .map_err(store_error)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, now_ms],
        )
        .map_err(store_error)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().map_err(store_error)?;
    Ok(())
}
