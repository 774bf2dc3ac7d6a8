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
    apply_through(conn, now_ms, random, i64::MAX)
}

/// [`apply`], stopping after migration `last`: how a test makes a file of an earlier release.
fn apply_through(
    conn: &mut Connection,
    now_ms: i64,
    random: &dyn qianbao_wallet::Randomness,
    last: i64,
) -> Result<(), StoreError> {
    // A migration that rebuilds a table (0036) drops the old one while other tables' rows still
    // name its rows; SQLite's guide to rebuilding tables turns foreign keys off for that (they
    // cannot be switched inside a transaction) and checks every reference before committing.
    let enforced: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .map_err(store_error)?;
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(store_error)?;
    let applied = apply_pending(conn, now_ms, random, last);
    if enforced {
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(store_error)?;
    }
    applied
}

/// The migrations after the last applied, through `last`, in one transaction, with every
/// reference checked before it commits (foreign keys being off).
fn apply_pending(
    conn: &mut Connection,
    now_ms: i64,
    random: &dyn qianbao_wallet::Randomness,
    last: i64,
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
    let pending: Vec<_> = MIGRATIONS
        .iter()
        .filter(|m| m.version > applied && m.version <= last)
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    for m in pending {
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
    let dangling: i64 = tx
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(store_error)?;
    if dangling > 0 {
        return Err(StoreError::Corrupt(format!(
            "after the migrations {dangling} rows name rows that do not exist; nothing was applied"
        )));
    }
    tx.commit().map_err(store_error)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const MOVEMENT: &str = "INSERT INTO movements (id, owner_id, kind, direction, channel, amount,
            fee, currency, counterparty, peer_id, status, memo, entry_id, card_id, created_ms,
            updated_ms)
        VALUES (?1, 'h1', ?2, 'out', 'transfer', 5, 0, 'CNY', 'B', NULL, 'succeeded', '', NULL,
                NULL, 1, 1)";

    /// Migration 0036 rebuilds the money tables with CHECK constraints in place of triggers: the
    /// rows of a file of the release before it, and the rows other tables hold that name them,
    /// come through whole, and the same values are refused afterwards, under the same names.
    #[test]
    fn the_rebuilt_money_tables_keep_their_rows_references_and_checks() {
        let random = qianbao_wallet::SeededRandomness::new(7);
        let mut conn = Connection::open_in_memory().unwrap();
        apply_through(&mut conn, 1, &random, 35).unwrap();
        conn.execute(MOVEMENT, params!["m1", "transfer"]).unwrap();
        conn.execute_batch(
            "INSERT INTO bank_confirmations (movement_id, bank_ref, kind, amount, currency,
                                             confirmed_ms)
             VALUES ('m1', 'b1', 'topup', 5, 'CNY', 1);
             INSERT INTO idempotency (caller, key, request_digest, state, attempt, resource_id,
                                      status, body, created_ms, updated_ms)
             VALUES ('h1', 'k1', 'd', 'done', 'a', 'm1', 200, '{}', 1, 1);",
        )
        .unwrap();
        apply(&mut conn, 2, &random).unwrap();

        let count = |table: &str| -> i64 {
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(
            (
                count("movements"),
                count("idempotency"),
                count("bank_confirmations")
            ),
            (1, 1, 1)
        );
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        let dangling: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(dangling, 0);
        let triggers: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
                 AND tbl_name IN ('movements', 'merchant_payments', 'idempotency')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(triggers, 0);

        let refused = conn
            .execute(MOVEMENT, params!["m2", "bogus"])
            .unwrap_err()
            .to_string();
        assert!(refused.contains("movements_kind_named"), "{refused}");
        let refused = conn
            .execute("UPDATE idempotency SET state = 'lost' WHERE key = 'k1'", [])
            .unwrap_err()
            .to_string();
        assert!(refused.contains("idempotency_state_named"), "{refused}");
        // The bank's confirmation still names a movement that must exist.
        let refused = conn
            .execute_batch(
                "INSERT INTO bank_confirmations (movement_id, bank_ref, kind, amount, currency,
                                                 confirmed_ms)
                 VALUES ('m9', 'b2', 'topup', 5, 'CNY', 1)",
            )
            .unwrap_err()
            .to_string();
        assert!(refused.contains("FOREIGN KEY"), "{refused}");
        conn.execute(MOVEMENT, params!["m2", "payment"]).unwrap();
    }
}
