//! A shop's refund password as a keyed digest, with its lock (the till asks for it before a
//! refund; see `money::refund_password`).

use crate::StoreError;

/// A shop's refund password: a keyed digest, the wrong tries and the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPasswordRecord {
    /// Whose: the merchant's id.
    pub merchant_id: String,
    /// Keyed digest of the merchant id and the password.
    pub digest: String,
    /// Wrong passwords since the last right one.
    pub failures: i64,
    /// The till's refunds are locked until then (ms), if set.
    pub locked_until_ms: Option<i64>,
    /// When it was set (ms).
    pub set_ms: i64,
}

/// The refund password's record.
pub trait RefundPasswordRecords {
    /// The shop's refund password, if it has set one.
    fn refund_password(
        &mut self,
        merchant_id: &str,
    ) -> Result<Option<RefundPasswordRecord>, StoreError>;
    /// Sets (or updates the counters of) the shop's refund password.
    fn put_refund_password(&mut self, record: &RefundPasswordRecord) -> Result<(), StoreError>;
}
