//! The SMS outbox worker's side: what is due, and what became of each text.

use crate::portable::{Storage, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::OutboxSms;

/// The longest wait between two offers of one SMS.
const SMS_BACKOFF_MAX_MS: i64 = 5 * 60 * 1000;

/// How many times the outbox offers an SMS to the gateway before marking it failed: with the
/// backoff below, a little over an hour of trying.
const SMS_ATTEMPTS_MAX: i64 = 20;

impl Storage {
    /// The oldest SMS due to be sent at `now_ms`, at most `limit`.
    pub async fn pending_sms(&self, limit: i64, now_ms: i64) -> Result<Vec<OutboxSms>, StoreError> {
        self.transact(move |tx| {
            tx.query(
                "SELECT id, phone, text, code, status, created_ms FROM sms_outbox
                 WHERE status = 'pending' AND next_attempt_ms <= $2 ORDER BY id LIMIT $1",
                &[Value::Int(limit.clamp(1, 1000)), Value::Int(now_ms)],
            )?
            .iter()
            .map(|row| {
                Ok(OutboxSms {
                    id: row.int(0)?,
                    phone: row.text(1)?,
                    text: row.text(2)?,
                    code: row.opt_text(3)?,
                    status: row.text(4)?,
                    created_ms: row.int(5)?,
                })
            })
            .collect()
        })
        .await
    }

    /// Marks an SMS sent. With `redact`, its text (which carries a code) is dropped: a sent code
    /// has no business staying in the database.
    pub async fn sms_sent(&self, id: i64, at_ms: i64, redact: bool) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE sms_outbox SET status = 'sent', sent_ms = $2, attempts = attempts + 1,
                     text = CASE WHEN $3 = 1 THEN '(sent; text removed)' ELSE text END
                 WHERE id = $1",
                &[
                    Value::Int(id),
                    Value::Int(at_ms),
                    Value::Int(i64::from(redact)),
                ],
            )
        })
        .await
        .map(|_| ())
    }

    /// Notes a failed delivery at `now_ms`: the SMS is offered again after a wait that doubles
    /// from two seconds up to `SMS_BACKOFF_MAX_MS`; after `SMS_ATTEMPTS_MAX` tries, or at once
    /// when the gateway refused it for good, it is marked failed and no longer offered.
    pub async fn sms_failed(
        &self,
        id: i64,
        permanently: bool,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.transact(move |tx| {
            let attempts = tx
                .query_opt(
                    "SELECT attempts FROM sms_outbox WHERE id = $1",
                    &[Value::Int(id)],
                )?
                .map_or(Ok(0), |row| row.int(0))?
                + 1;
            let wait_ms = (1000_i64 << attempts.clamp(0, 20)).min(SMS_BACKOFF_MAX_MS);
            let failed = permanently || attempts >= SMS_ATTEMPTS_MAX;
            tx.execute(
                "UPDATE sms_outbox SET attempts = $2, next_attempt_ms = $3,
                     status = CASE WHEN $4 = 1 THEN 'failed' ELSE status END
                 WHERE id = $1",
                &[
                    Value::Int(id),
                    Value::Int(attempts),
                    Value::Int(now_ms + wait_ms),
                    Value::from(failed),
                ],
            )
        })
        .await
        .map(|_| ())
    }
}
