//! The durable SMS outbox: a text is queued in the transaction that causes it and sent by a worker.

use crate::StoreError;

/// An SMS queued in the durable outbox, written in the same transaction as what caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxSms {
    /// Its number in the outbox.
    pub id: i64,
    /// The phone (E.164).
    pub phone: String,
    /// The text.
    pub text: String,
    /// The code it carries, kept only in sandbox mode so the sandbox can show it.
    pub code: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// When it was queued (ms).
    pub created_ms: i64,
}

/// Queues texts in the same transaction as what causes them.
pub trait SmsOutbox {
    /// Queues an SMS; returns its outbox id.
    fn queue_sms(
        &mut self,
        phone: &str,
        text: &str,
        code: Option<&str>,
        at_ms: i64,
    ) -> Result<i64, StoreError>;
}
