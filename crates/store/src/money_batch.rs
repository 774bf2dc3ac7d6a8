//! Group commit for whole money calls: a writer takes the money transactions waiting, runs each
//! inside its own `SAVEPOINT` of one storage transaction — a refusal or failure rolls back to its
//! savepoint only — and commits once. Each caller is answered only after that commit, with its
//! own result; if the commit fails, every caller of the batch gets the failure and nothing of the
//! batch exists. One fsync carries a whole batch of payments, and a hot merchant's account row is
//! rewritten per payment inside the transaction but reaches the disk once per batch.

use crate::portable::{Tx, Work};
use qianbao_wallet::StoreError;
use tokio::sync::{mpsc, oneshot};

/// One money call waiting for the writer, with its result type erased.
pub(crate) trait Job: Send {
    /// Runs the work inside the open transaction; whether it succeeded (and so must be kept).
    fn run(&mut self, tx: &mut dyn Tx) -> bool;
    /// Answers the caller once the batch's fate is known: `Ok` when it committed.
    fn answer(self: Box<Self>, committed: Result<(), &StoreError>);
    /// Records that the work, though it returned, failed after all (a write it left waiting was
    /// refused when sent), so its savepoint was rolled back.
    fn fail(&mut self, error: StoreError);
}

/// A job whose caller waits for a `T`.
struct Typed<T> {
    work: Work<T>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send + 'static> Job for Typed<T> {
    fn run(&mut self, tx: &mut dyn Tx) -> bool {
        let result = (self.work)(tx);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn fail(&mut self, error: StoreError) {
        self.result = Some(Err(error));
    }

    fn answer(self: Box<Self>, committed: Result<(), &StoreError>) {
        let result = match (committed, self.result) {
            (Ok(()), Some(result)) => result,
            // A refusal was rolled back to its savepoint: it stands whatever the commit did.
            (Err(_), Some(Err(e))) => Err(e),
            (Err(e), _) => Err(StoreError::Unavailable(e.to_string())),
            (Ok(()), None) => Err(StoreError::Unavailable("the job never ran".into())),
        };
        // A caller that gave up waiting no longer needs its answer.
        let _ = self.reply.send(result);
    }
}

/// Sends `work` to the writer behind `queue` and waits for its result.
pub(crate) async fn submit<T: Send + 'static>(
    queue: &mpsc::Sender<Box<dyn Job>>,
    work: Work<T>,
) -> Result<T, StoreError> {
    let (reply, answer) = oneshot::channel();
    let job: Box<dyn Job> = Box::new(Typed {
        work,
        result: None,
        reply,
    });
    queue
        .send(job)
        .await
        .map_err(|_| StoreError::Unavailable("the money writer has stopped".into()))?;
    answer
        .await
        .map_err(|_| StoreError::Unavailable("the money writer stopped mid-batch".into()))?
}

/// Moves the waiting jobs, up to `max`, behind `first` into one batch.
pub(crate) fn drain(
    first: Box<dyn Job>,
    queue: &mut mpsc::Receiver<Box<dyn Job>>,
    max: usize,
) -> Vec<Box<dyn Job>> {
    let mut batch = Vec::with_capacity(max.min(64));
    batch.push(first);
    while batch.len() < max {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    batch
}

/// Runs every job of a batch in `tx`, each in its own savepoint. Returns an error only when the
/// transaction itself cannot go on (a savepoint statement failed).
pub(crate) fn run_batch(tx: &mut dyn Tx, batch: &mut [Box<dyn Job>]) -> Result<(), StoreError> {
    for job in batch.iter_mut() {
        tx.execute("SAVEPOINT money_call", &[])?;
        // A panicking call is a bug; it must not take the writer (and every later payment) down.
        let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&mut *tx)))
            .unwrap_or(false);
        if kept {
            tx.execute("RELEASE money_call", &[])?;
        } else {
            tx.execute("ROLLBACK TO money_call", &[])?;
            tx.execute("RELEASE money_call", &[])?;
        }
    }
    Ok(())
}

/// Runs a batch's COMMIT and records how long it took (WAL frames written and fsynced on SQLite,
/// the commit record flushed on PostgreSQL): the part of the writer's time per batch that is the
/// disk's, which `qianbao_money_commit_seconds` (the whole batch) includes.
pub(crate) fn timed_commit<T>(clock: &dyn qianbao_wallet::Clock, commit: impl FnOnce() -> T) -> T {
    let started = clock.monotonic();
    let committed = commit();
    metrics::histogram!("qianbao_money_sync_seconds")
        .record(clock.monotonic().saturating_sub(started).as_secs_f64());
    committed
}

/// Answers every job of a batch.
pub(crate) fn answer(
    batch: Vec<Box<dyn Job>>,
    committed: Result<(), StoreError>,
    took: std::time::Duration,
) {
    metrics::histogram!("qianbao_money_batch_size").record(batch.len() as f64);
    metrics::histogram!("qianbao_money_commit_seconds").record(took.as_secs_f64());
    for job in batch {
        job.answer(committed.as_ref().map(|_| ()));
    }
}
