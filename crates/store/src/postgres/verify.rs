//! The verify read: accounts, holds, journal, hold movements and row checks, all read in one
//! snapshot and checked against the ledger's replay.

use super::conn::connect;
use super::error::pg_error;
use crate::batch;
use crate::migrate::{negative_amounts_sql, unreadable_names_sql};
use qianbao_ledger::HoldState;
use qianbao_wallet::verify::{JournalLine, replay};
use qianbao_wallet::verify_holds::{HoldMovement, check_holds, hold_movement_id};
use qianbao_wallet::verify_rows::{
    amount_columns, named_columns, negative_amounts, unreadable_names,
};
use qianbao_wallet::{StoreError, VerifyReport};
use tokio_postgres::Config;

/// Reads everything the verify report checks in one snapshot on a connection of its own, and
/// checks it.
pub(super) async fn verify(config: &Config, now_ms: i64) -> Result<VerifyReport, StoreError> {
    let mut client = connect(config).await?;
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
    // The Merkle log: its head columns and every stored node, checked against the journal.
    let log_head = tx
        .query_one(
            "SELECT log_size, log_lines, log_frontier, log_key FROM journal_head WHERE id = 1",
            &[],
        )
        .await
        .map_err(pg_error)?;
    let log_head: (i64, i64, Vec<u8>, Vec<u8>) = (
        log_head.get(0),
        log_head.get(1),
        log_head.get(2),
        log_head.get(3),
    );
    let log_others: Vec<(i64, i64, Vec<u8>)> = tx
        .query(
            "SELECT leaf_index, after_line, leaf FROM log_snapshot_leaves ORDER BY leaf_index",
            &[],
        )
        .await
        .map_err(pg_error)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let log_nodes: Vec<(i64, i64, Vec<u8>)> = tx
        .query("SELECT level, idx, hash FROM log_nodes", &[])
        .await
        .map_err(pg_error)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
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
    let mut log_report = qianbao_wallet::VerifyReport::default();
    crate::log::check_rows(
        &mut log_report,
        (log_head.0, log_head.1, &log_head.2, log_head.3),
        &journal,
        &log_others,
        &log_nodes,
    );
    let mut report = replay(&accounts, &holds, journal);
    for problem in log_report.problems {
        report.problem(problem);
    }
    check_holds(&mut report, &holds, &movements, now_ms);
    for (column, found) in &names {
        unreadable_names(&mut report, column, found);
    }
    for (column, found) in &amounts {
        negative_amounts(&mut report, column, found);
    }
    Ok(report)
}
