//! The money writer thread, which group-commits whole money calls, each in a savepoint of one
//! SERIALIZABLE transaction under the journal head's lock.

use super::conn::{RecordConn, connect};
use super::error::{must_retry, pg_error};
use super::retry::{SERIALIZABLE_TRIES_MAX, backoff};
use super::tx::{Driver, PgTx};
use crate::BATCH_SIZE_MAX;
use crate::money_batch::Job;
use qianbao_wallet::StoreError;
use tokio::sync::mpsc;
use tokio_postgres::Config;

/// The money writer: a thread with a single-threaded runtime of its own that drives its own
/// connection, so each statement of a money call is one round trip with no hand-off between
/// threads. It takes the money calls waiting (up to a batch) and runs them in one SERIALIZABLE
/// transaction that first takes `LOCK TABLE journal_head IN EXCLUSIVE MODE` — so money
/// transactions of every node still run one after another, each reading what the last committed
/// — each call inside its own savepoint (a refusal or failure rolls back to it only), then
/// commits once and answers every caller. A serialisation failure or deadlock (with a record
/// transaction; money transactions cannot collide under the lock) runs the whole batch again
/// from the start; any other failure of the transaction fails every call of the batch, and
/// nothing of it exists. Ends with the store.
pub(super) fn write_money(
    config: &Config,
    mut jobs: mpsc::Receiver<Box<dyn Job>>,
    seams: &crate::Seams,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the PostgreSQL money writer");
            return;
        }
    };
    let mut conn: Option<RecordConn> = None;
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = crate::money_batch::drain(first, &mut jobs, BATCH_SIZE_MAX);
        let started = seams.clock.monotonic();
        let committed = commit_money(&runtime, config, &mut conn, &mut batch, seams);
        if let Err(e) = &committed {
            tracing::error!(error = %e, size = batch.len(), "money batch failed; nothing was kept");
        }
        let took = seams.clock.monotonic().saturating_sub(started);
        crate::money_batch::answer(batch, committed, took);
    }
}

/// Runs a batch of money calls to its commit, again from the start on a serialisation failure.
fn commit_money(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    conn: &mut Option<RecordConn>,
    batch: &mut [Box<dyn Job>],
    seams: &crate::Seams,
) -> Result<(), StoreError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let c = match conn.take().filter(|c| !c.client.is_closed()) {
            Some(c) => conn.insert(c),
            None => conn.insert(RecordConn {
                client: runtime.block_on(connect(config))?,
                statements: std::collections::HashMap::new(),
            }),
        };
        let (failure, retry) = match run_money_batch(runtime, c, batch, seams.clock.as_ref()) {
            Ok(()) => return Ok(()),
            Err(failed) => failed,
        };
        if c.client.is_closed() {
            *conn = None;
        }
        if !retry || tries >= SERIALIZABLE_TRIES_MAX {
            return Err(failure);
        }
        backoff(seams.random.as_ref(), tries);
    }
}

/// One attempt at a batch: begin, lock, each call in a savepoint, commit. On failure, the error
/// and whether running the batch again may succeed; the transaction is then rolled back.
fn run_money_batch(
    runtime: &tokio::runtime::Runtime,
    conn: &mut RecordConn,
    batch: &mut [Box<dyn Job>],
    clock: &dyn qianbao_wallet::Clock,
) -> Result<(), (StoreError, bool)> {
    let RecordConn { client, statements } = conn;
    let client = &*client;
    let fail = |e: tokio_postgres::Error| {
        let retry = must_retry(&e);
        let _ = runtime.block_on(client.batch_execute("ROLLBACK"));
        (pg_error(e), retry)
    };
    // LOCK takes no snapshot: the first read after it sees every money transaction that
    // committed before, so balances and limits read here are current on every node.
    runtime
        .block_on(client.batch_execute(
            "BEGIN ISOLATION LEVEL SERIALIZABLE; \
             LOCK TABLE journal_head IN EXCLUSIVE MODE; SAVEPOINT money_call",
        ))
        .map_err(fail)?;
    let last = batch.len().saturating_sub(1);
    for (i, job) in batch.iter_mut().enumerate() {
        let mut pg = PgTx::new(client, Driver::Local(runtime), statements, clock);
        // A panicking call is a bug; it must not take the writer (and every later payment) down.
        let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&mut pg)))
            .unwrap_or(false);
        if !kept {
            // Its savepoint is rolled back: what it still had waiting need not be sent at all.
            pg.pending.clear();
        }
        // One round trip between calls: the call's waiting writes, the end of its savepoint and
        // the start of the next one's.
        let (end_kept, end_dropped) = if i == last {
            (
                "RELEASE money_call",
                "ROLLBACK TO money_call; RELEASE money_call",
            )
        } else {
            (
                "RELEASE money_call; SAVEPOINT money_call",
                "ROLLBACK TO money_call; RELEASE money_call; SAVEPOINT money_call",
            )
        };
        let ended =
            pg.round_trip(|client| client.batch_execute(if kept { end_kept } else { end_dropped }));
        if pg.retry {
            let _ = runtime.block_on(client.batch_execute("ROLLBACK"));
            return Err((
                StoreError::Unavailable("serialisation failure; the batch runs again".into()),
                true,
            ));
        }
        match ended {
            Ok(()) => {}
            // One of the call's writes failed, so its RELEASE was refused and the savepoint is
            // still there: the call fails alone and the batch goes on.
            Err(e) if kept && runtime.block_on(client.batch_execute(end_dropped)).is_ok() => {
                job.fail(e);
            }
            Err(e) => {
                let _ = runtime.block_on(client.batch_execute("ROLLBACK"));
                return Err((e, false));
            }
        }
    }
    crate::money_batch::timed_commit(clock, || {
        runtime
            .block_on(client.batch_execute("COMMIT"))
            .map_err(fail)
    })
}
