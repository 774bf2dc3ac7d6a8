//! Idempotency keys: the first reply of a money call, kept with its movement.

use crate::StoreError;

crate::named! {
    /// Where a call under an `Idempotency-Key` stands.
    pub enum IdempotencyState {
        /// An attempt is under way (a bank call).
        Running = "running",
        /// Answered; the reply is kept.
        Done = "done",
    }
}

/// A caller's use of one `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Who called: `holder:<id>` or `merchant:<id>`.
    pub caller: String,
    /// The key as sent.
    pub key: String,
    /// SHA-256 of the request (method, path, body), to tell a retry from a reuse.
    pub request_digest: String,
    /// `running` while an attempt is under way (a bank call), `done` once answered.
    pub state: IdempotencyState,
    /// The attempt that owns the row; only it may finish it.
    pub attempt: String,
    /// The id of what the call makes (a top-up's movement), kept across attempts.
    pub resource_id: String,
    /// The HTTP status answered, once done.
    pub status: Option<i64>,
    /// The body answered, once done.
    pub body: Option<String>,
    /// First seen (ms).
    pub created_ms: i64,
    /// Last changed (ms).
    pub updated_ms: i64,
}

impl IdempotencyRecord {
    /// The row as a new attempt that takes over a stale one leaves it.
    pub fn taken_over(&self, attempt: &str, now_ms: i64) -> IdempotencyRecord {
        IdempotencyRecord {
            attempt: attempt.to_string(),
            updated_ms: now_ms,
            ..self.clone()
        }
    }
}

/// A caller's uses of its `Idempotency-Key`s.
pub trait IdempotencyRecords {
    /// The row for `caller` and `key`.
    fn idempotency(
        &mut self,
        caller: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// Inserts or replaces the row for its caller and key.
    fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), StoreError>;
}
