//! TOTP second factors: the shared secret sealed, whether the holder proved it with a first code,
//! the last time step a code was accepted for, and the wrong-code counter with its lock.

use crate::StoreError;

/// One holder's TOTP second factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpRecord {
    /// Whose.
    pub holder_id: String,
    /// The 20-byte secret, sealed (AES-256-GCM, bound to `totp:<holder_id>`); never stored clear.
    pub secret_sealed: Vec<u8>,
    /// Whether a first code proved the holder's app has it; only then does it guard anything.
    pub confirmed: bool,
    /// The last time step a code was accepted for; only later steps are accepted (−1: none yet).
    pub last_step: i64,
    /// Wrong codes since the last right one.
    pub failures: i64,
    /// The second factor is locked until then (ms), if set.
    pub locked_until_ms: Option<i64>,
    /// When the secret was made (ms).
    pub created_ms: i64,
}

/// The TOTP second factor's record.
pub trait TotpRecords {
    /// The holder's TOTP record, confirmed or not.
    fn totp(&mut self, holder_id: &str) -> Result<Option<TotpRecord>, StoreError>;
    /// Sets the holder's TOTP record, replacing any.
    fn put_totp(&mut self, record: &TotpRecord) -> Result<(), StoreError>;
    /// Sets what a check changes: the last step used, the wrong-code count and the lock.
    fn set_totp_counters(
        &mut self,
        holder_id: &str,
        last_step: i64,
        failures: i64,
        locked_until_ms: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Removes the holder's TOTP record; whether there was one.
    fn delete_totp(&mut self, holder_id: &str) -> Result<bool, StoreError>;
}
