//! The money writer thread, which group-commits whole money calls, each in a savepoint of one
//! `BEGIN IMMEDIATE` transaction.

use super::error::store_error;
use super::tx::SqliteTx;
use crate::BATCH_SIZE_MAX;
use qianbao_wallet::Clock;
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::mpsc;

/// The money writer thread: takes the money calls waiting (up to a batch), runs each in its own
/// savepoint of one `BEGIN IMMEDIATE` transaction, commits once, answers. Ends with the store.
pub(super) fn write_money(
    mut conn: Connection,
    mut jobs: mpsc::Receiver<Box<dyn crate::money_batch::Job>>,
    clock: &dyn Clock,
) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = crate::money_batch::drain(first, &mut jobs, BATCH_SIZE_MAX);
        let started = clock.monotonic();
        let committed = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(store_error)?;
            crate::money_batch::run_batch(&mut SqliteTx(&tx, clock), &mut batch)?;
            crate::money_batch::timed_commit(clock, || tx.commit().map_err(store_error))
        })();
        if let Err(e) = &committed {
            tracing::error!(error = %e, size = batch.len(), "money batch failed; nothing was kept");
        }
        crate::money_batch::answer(batch, committed, clock.monotonic().saturating_sub(started));
    }
}
