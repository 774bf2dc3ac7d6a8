//! The group-commit writer thread for bare ledger instructions: one `BEGIN IMMEDIATE`
//! transaction (one fsync) per batch.

use super::error::store_error;
use crate::BATCH_SIZE_MAX;
use crate::batch::{self, Request};
use crate::log::LogHead;
use qianbao_ledger::{Applied, Book, Instruction, Rejection};
use qianbao_wallet::{Clock, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::mpsc;

/// The writer thread: takes whatever is waiting (up to a batch), commits it, answers, repeats.
/// It ends when every sender is gone.
pub(super) fn write_batches(
    mut conn: Connection,
    mut requests: mpsc::Receiver<Request>,
    clock: &dyn Clock,
) {
    while let Some(first) = requests.blocking_recv() {
        let batch = batch::drain(first, &mut requests, BATCH_SIZE_MAX);
        let instructions: Vec<Instruction> = batch.iter().map(|r| r.instruction.clone()).collect();
        let started = clock.monotonic();
        let results = commit_batch(&mut conn, &instructions, clock.now_ms());
        if let Err(e) = &results {
            tracing::error!(error = %e, size = batch.len(), "ledger batch failed; nothing was applied");
        }
        batch::answer(batch, results, clock.monotonic().saturating_sub(started));
    }
}

/// Applies a batch in one `BEGIN IMMEDIATE` transaction: load what it touches, run it through the
/// ledger core, write what changed, commit (one fsync). On any error nothing is kept.
pub(crate) fn commit_batch(
    conn: &mut Connection,
    instructions: &[Instruction],
    now_ms: i64,
) -> Result<Vec<Result<Applied, Rejection>>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let mut book = Book::new();
    let (head, mut log) = {
        type HeadRow = (i64, Vec<u8>, i64, i64, Vec<u8>, Vec<u8>);
        let (seq, link, size, lines, frontier, key): HeadRow = tx
            .prepare_cached(
                "SELECT seq, link, log_size, log_lines, log_frontier, log_key
                 FROM journal_head WHERE id = 1",
            )
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
            })
            .map_err(store_error)?;
        (
            (seq, batch::link_from_row(&link)?),
            LogHead::from_row(size, lines, &frontier, key)?,
        )
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
        let created_ms = now_ms;
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
        // The Merkle log: lines written before it existed first, then this batch's.
        let mut nodes = Vec::new();
        if log.lines < head.0 {
            let missing: Vec<(i64, String)> = tx
                .prepare_cached(crate::log::UNLOGGED_LINES)
                .and_then(|mut s| {
                    s.query_map(params![log.lines, head.0], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(store_error)?;
            nodes.extend(log.append_lines(missing.iter().map(|(s, t)| (*s, t.as_str())))?);
        }
        nodes.extend(log.append_lines(writes.lines.iter().map(|l| (l.seq, l.text.as_str())))?);
        let mut node = tx
            .prepare_cached("INSERT INTO log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")
            .map_err(store_error)?;
        for (level, index, hash) in nodes {
            node.execute(params![level, index, hash])
                .map_err(store_error)?;
        }
        tx.prepare_cached(
            "UPDATE journal_head SET seq = ?1, link = ?2, log_size = ?3, log_lines = ?4,
                                    log_frontier = ?5 WHERE id = 1",
        )
        .and_then(|mut s| {
            s.execute(params![
                writes.head.0,
                writes.head.1,
                log.size,
                log.lines,
                log.frontier_bytes()
            ])
        })
        .map_err(store_error)?;
    }
    tx.commit().map_err(store_error)?;
    Ok(results)
}
