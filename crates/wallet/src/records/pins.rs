//! Payment passwords as keyed digests, with their lock.

use crate::StoreError;

/// A payment password as a keyed digest, with its lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRecord {
    /// Whose.
    pub holder_id: String,
    /// Keyed digest of holder id and PIN.
    pub digest: String,
    /// Wrong PINs since the last right one.
    pub failures: i64,
    /// Payments are locked until then (ms), if set.
    pub locked_until_ms: Option<i64>,
    /// When it was set (ms).
    pub set_ms: i64,
}

/// The payment password's record.
pub trait PinRecords {
    /// The holder's payment password.
    fn pin(&mut self, holder_id: &str) -> Result<Option<PinRecord>, StoreError>;
    /// Sets the holder's payment password record.
    fn put_pin(&mut self, pin: &PinRecord) -> Result<(), StoreError>;
}
