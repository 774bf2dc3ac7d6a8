//! The transactional port: how the use cases get a transaction over the records. The rules are
//! plain synchronous code handed to a store, which runs them inside one transaction; this module
//! is the only place that names both the holder-side [`Records`] and the money calls' [`MoneyTx`].

use crate::StoreError;
use crate::money::records::MoneyTx;
use crate::records::{OutboxSms, Records};

/// Runs rules over [`Records`] in one serialisable transaction. The work may run more than once
/// (a backend may retry a serialisation conflict), so it must have no effect outside the records.
pub trait RecordStore: Send + Sync {
    /// Runs `work`, committing if it returns `Ok`.
    fn transact<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn Records) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send;

    /// Runs money `work` in one transaction that excludes every other money transaction, on every
    /// node, so the balances, limits and idempotency rows it reads stay true until it commits.
    fn transact_money<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn MoneyTx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send;

    /// Runs reads in one consistent snapshot, without taking any write lock. Writes fail.
    fn transact_read<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn MoneyTx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send;

    /// Whether the reads a money call names ahead are made together, in the round trip of its
    /// first read (PostgreSQL): then a call may look up beforehand, outside the serial money
    /// transaction, what its later reads depend on, and name those too. SQLite reads cost no round
    /// trip, so there it is not worth the look-up.
    fn reads_ahead(&self) -> bool {
        false
    }

    /// The outbox's newest messages to `phone` (or to anyone), for the sandbox's SMS view.
    fn outbox(
        &self,
        phone: Option<String>,
        limit: i64,
    ) -> impl std::future::Future<Output = Result<Vec<OutboxSms>, StoreError>> + Send;
}
