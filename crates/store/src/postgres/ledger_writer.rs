//! The group-commit writer task for bare ledger instructions: one transaction, a constant number
//! of round trips, per batch.

use super::conn::connect;
use super::error::pg_error;
use crate::BATCH_SIZE_MAX;
use crate::batch::{self, Request};
use crate::log::LogHead;
use qianbao_ledger::{Applied, Book, Instruction, Rejection};
use qianbao_wallet::StoreError;
use tokio::sync::mpsc;
use tokio_postgres::{Client, Config};

/// The writer task: takes whatever is waiting (up to a batch), commits it, answers, repeats.
/// A lost connection fails the batch it was carrying and is made again for the next one.
pub(super) async fn write_batches(
    config: Config,
    client: Client,
    mut requests: mpsc::Receiver<Request>,
    clock: std::sync::Arc<dyn qianbao_wallet::Clock>,
) {
    let mut client = Some(client);
    while let Some(first) = requests.recv().await {
        let batch = batch::drain(first, &mut requests, BATCH_SIZE_MAX);
        let instructions: Vec<Instruction> = batch.iter().map(|r| r.instruction.clone()).collect();
        let started = clock.monotonic();
        let now_ms = clock.now_ms();
        let results = match client.as_mut().filter(|c| !c.is_closed()) {
            Some(c) => commit_batch(c, &instructions, now_ms).await,
            None => match connect(&config).await {
                Ok(mut c) => {
                    let results = commit_batch(&mut c, &instructions, now_ms).await;
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
        batch::answer(batch, results, clock.monotonic().saturating_sub(started));
    }
}

/// Applies a batch in one transaction: lock the chain head, lock and load what the batch touches
/// (accounts in id order), run it through the ledger core, write what changed with array
/// parameters, commit.
pub(crate) async fn commit_batch(
    client: &mut Client,
    instructions: &[Instruction],
    now_ms: i64,
) -> Result<Vec<Result<Applied, Rejection>>, StoreError> {
    let tx = client.transaction().await.map_err(pg_error)?;
    let head = tx
        .query_one(
            "SELECT seq, link, log_size, log_frontier, log_key, log_lines FROM journal_head WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await
        .map_err(pg_error)?;
    let mut log = LogHead::from_row(
        head.get::<_, i64>(2),
        head.get::<_, i64>(5),
        head.get::<_, &[u8]>(3),
        head.get::<_, Vec<u8>>(4),
    )?;
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
            &[&seqs, &ids, &texts, &links, &now_ms],
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
    // The Merkle log: lines written before it existed first, then this batch's.
    let mut nodes = Vec::new();
    if log.lines < head.0 {
        let missing = tx
            .query(crate::log::UNLOGGED_LINES, &[&log.lines, &head.0])
            .await
            .map_err(pg_error)?;
        nodes.extend(
            log.append_lines(
                missing
                    .iter()
                    .map(|r| (r.get::<_, i64>(0), r.get::<_, &str>(1))),
            )?,
        );
    }
    nodes.extend(log.append_lines(writes.lines.iter().map(|l| (l.seq, l.text.as_str())))?);
    if !nodes.is_empty() {
        let levels: Vec<i64> = nodes.iter().map(|n| n.0).collect();
        let indexes: Vec<i64> = nodes.iter().map(|n| n.1).collect();
        let hashes: Vec<&[u8]> = nodes.iter().map(|n| &n.2[..]).collect();
        tx.execute(
            "INSERT INTO log_nodes (level, idx, hash)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])",
            &[&levels, &indexes, &hashes],
        )
        .await
        .map_err(pg_error)?;
    }
    tx.execute(
        "UPDATE journal_head SET seq = $1, link = $2, log_size = $3, log_frontier = $4,
                                log_lines = $5 WHERE id = 1",
        &[
            &writes.head.0,
            &&writes.head.1[..],
            &log.size,
            &log.frontier_bytes(),
            &log.lines,
        ],
    )
    .await
    .map_err(pg_error)?;
    tx.commit().await.map_err(pg_error)?;
    Ok(results)
}
