//! The operator's settings kept in the database (the maintenance window).

use crate::StoreError;

/// Operator settings by key.
pub trait SettingRecords {
    /// An operator setting.
    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets (`Some`) or clears (`None`) an operator setting.
    fn put_setting(&mut self, key: &str, value: Option<&str>, at_ms: i64)
    -> Result<(), StoreError>;
}
