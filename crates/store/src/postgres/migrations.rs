//! Preparing the schema under an advisory lock: refusing a database that is not ours or is
//! newer, then applying the migrations it lacks.

use super::error::pg_error;
use crate::migrate::{self, HISTORY_TABLE, LOG_KEY_BYTES, LOG_KEY_VERSION, MIGRATIONS};
use qianbao_wallet::StoreError;
use tokio_postgres::Client;

/// The advisory lock that keeps two nodes from migrating at once.
const MIGRATION_LOCK_KEY: i64 = 0x0071_6961_6e62_616f; // "qianbao" in ASCII

/// Checks the database is ours (or empty) and not newer, then applies missing migrations, under an
/// advisory lock so that nodes starting together do not race.
pub(super) async fn prepare(
    client: &mut Client,
    now_ms: i64,
    random: &dyn qianbao_wallet::Randomness,
) -> Result<(), StoreError> {
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
        if m.version == LOG_KEY_VERSION {
            let mut key = [0u8; LOG_KEY_BYTES];
            random
                .fill(&mut key)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            tx.execute("UPDATE journal_head SET log_key = $1", &[&key.as_slice()])
                .await
                .map_err(pg_error)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &now_ms],
        )
        .await
        .map_err(pg_error)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().await.map_err(pg_error)
}
