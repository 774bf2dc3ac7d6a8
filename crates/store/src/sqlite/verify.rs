//! The verify read: accounts, holds, journal, hold movements and row checks, all read in one
//! transaction and checked against the ledger's replay.

use super::error::store_error;
use crate::batch;
use crate::migrate::{negative_amounts_sql, unreadable_names_sql};
use qianbao_ledger::HoldState;
use qianbao_wallet::verify::{JournalLine, replay};
use qianbao_wallet::verify_holds::{HoldMovement, check_holds, hold_movement_id};
use qianbao_wallet::verify_rows::{
    amount_columns, named_columns, negative_amounts, unreadable_names,
};
use qianbao_wallet::{StoreError, VerifyReport};
use rusqlite::{Connection, OptionalExtension};

/// Reads everything the verify report checks in one read transaction on `conn`, and checks it.
pub(super) fn verify(conn: &mut Connection, now_ms: i64) -> Result<VerifyReport, StoreError> {
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
    // The Merkle log: its head columns and every stored node, checked against the journal.
    let log_head = tx
        .query_row(
            "SELECT log_size, log_lines, log_frontier, log_key FROM journal_head WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            },
        )
        .map_err(store_error)?;
    // Both read as (integer, integer, bytes) rows.
    let triples = |sql: &str| {
        tx.prepare(sql)
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(store_error)
    };
    let log_others = triples(
        "SELECT leaf_index, after_line, leaf FROM log_snapshot_leaves ORDER BY leaf_index",
    )?;
    let log_nodes = triples("SELECT level, idx, hash FROM log_nodes")?;
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
}
