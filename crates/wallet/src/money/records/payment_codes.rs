//! Payment codes (付款码): one use, short-lived, kept as keyed digests.

use crate::StoreError;

/// A payment code a holder showed; only a keyed digest of the code is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentCodeRecord {
    /// Keyed digest of the 18 digits.
    pub digest: String,
    /// Whose.
    pub holder_id: String,
    /// When it stops working (ms).
    pub expires_ms: i64,
    /// When it was charged, if it was.
    pub used_ms: Option<i64>,
    /// When it was made (ms).
    pub created_ms: i64,
}

/// A holder's payment codes.
pub trait PaymentCodeRecords {
    /// The payment code with this digest.
    fn payment_code(&mut self, digest: &str) -> Result<Option<PaymentCodeRecord>, StoreError>;
    /// Adds a payment code.
    fn insert_payment_code(&mut self, code: &PaymentCodeRecord) -> Result<(), StoreError>;
    /// Marks a payment code used.
    fn use_payment_code(&mut self, digest: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Removes the holder's unused payment codes: a newer one takes their place.
    fn retire_payment_codes(&mut self, holder_id: &str) -> Result<(), StoreError>;
}
