//! SMS codes: the live code per phone and purpose, and when codes were sent (the limits).

use crate::StoreError;

/// A one-time SMS code waiting to be used. Only a keyed digest of the code is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpRecord {
    /// The phone (E.164) it was sent to.
    pub phone: String,
    /// What it is for (`signup`, `login`, …).
    pub purpose: String,
    /// Keyed digest of the code.
    pub code_digest: String,
    /// When it stops working (ms since the epoch).
    pub expires_ms: i64,
    /// Wrong codes tried against it so far.
    pub wrong_tries: i64,
}

/// The codes sent within a window: how many, and the oldest and newest sending times (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendWindow {
    /// How many.
    pub count: i64,
    /// The first in the window.
    pub oldest_ms: Option<i64>,
    /// The last in the window.
    pub latest_ms: Option<i64>,
}

/// SMS codes and their sending, for the limits on asking and guessing.
pub trait CodeRecords {
    /// The live code for `phone` and `purpose`, if any.
    fn otp(&mut self, phone: &str, purpose: &str) -> Result<Option<OtpRecord>, StoreError>;
    /// Stores a code, replacing any earlier one for the same phone and purpose.
    fn put_otp(&mut self, otp: &OtpRecord) -> Result<(), StoreError>;
    /// Removes the code for `phone` and `purpose`.
    fn delete_otp(&mut self, phone: &str, purpose: &str) -> Result<(), StoreError>;
    /// The codes sent to `phone` since `since_ms`.
    fn otp_sends_to_phone(&mut self, phone: &str, since_ms: i64) -> Result<SendWindow, StoreError>;
    /// The codes `client_ip` asked for since `since_ms`.
    fn otp_sends_from_ip(
        &mut self,
        client_ip: &str,
        since_ms: i64,
    ) -> Result<SendWindow, StoreError>;
    /// Records that a code was sent.
    fn record_otp_send(
        &mut self,
        phone: &str,
        client_ip: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
}
