//! Record transactions: portable work run on a record connection in one transaction, again
//! from the start on a serialisation failure or deadlock.

use super::conn::RecordConn;
use super::error::{must_retry, pg_error};
use super::retry::{SERIALIZABLE_TRIES_MAX, backoff};
use super::tx::{Driver, PgTx};
use crate::portable::{Mode, Work};
use qianbao_wallet::StoreError;

pub(super) fn transact_on<T>(
    handle: &tokio::runtime::Handle,
    conn: &mut RecordConn,
    mode: Mode,
    work: &Work<T>,
    seams: &crate::Seams,
) -> Result<T, StoreError> {
    let RecordConn { client, statements } = conn;
    let mut tries = 0;
    loop {
        tries += 1;
        let (isolation, read_only) = match mode {
            Mode::Write | Mode::Money => (tokio_postgres::IsolationLevel::Serializable, false),
            Mode::Read => (tokio_postgres::IsolationLevel::RepeatableRead, true),
        };
        let tx = handle
            .block_on(
                client
                    .build_transaction()
                    .isolation_level(isolation)
                    .read_only(read_only)
                    .start(),
            )
            .map_err(pg_error)?;
        if mode == Mode::Money {
            // LOCK takes no snapshot: the first read after it sees every money transaction that
            // committed before, so balances and limits read here are current on every node.
            if let Err(e) =
                handle.block_on(tx.batch_execute("LOCK TABLE journal_head IN EXCLUSIVE MODE"))
            {
                let _ = handle.block_on(tx.rollback());
                if must_retry(&e) && tries < SERIALIZABLE_TRIES_MAX {
                    continue;
                }
                return Err(pg_error(e));
            }
        }
        let mut pg = PgTx::new(
            tx.client(),
            Driver::Handle(handle),
            statements,
            seams.clock.as_ref(),
        );
        let outcome = work(&mut pg).and_then(|value| pg.flush().map(|()| value));
        let retry = pg.retry;
        let failure = match outcome {
            Ok(value) => match handle.block_on(tx.commit()) {
                Ok(()) => return Ok(value),
                Err(e) if must_retry(&e) => pg_error(e),
                Err(e) => return Err(pg_error(e)),
            },
            Err(e) => {
                let _ = handle.block_on(tx.rollback());
                if !retry {
                    return Err(e);
                }
                e
            }
        };
        if tries >= SERIALIZABLE_TRIES_MAX {
            return Err(failure);
        }
        backoff(seams.random.as_ref(), tries);
    }
}
