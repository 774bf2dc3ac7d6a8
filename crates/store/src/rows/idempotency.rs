//! Idempotency rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{IdempotencyRecord, IdempotencyRecords, IdempotencyState};

/// The read of an idempotency row by caller and key.
pub(crate) const IDEMPOTENCY_READ: &str =
    "SELECT caller, key, request_digest, state, attempt, resource_id, status, body,
            created_ms, updated_ms
     FROM idempotency WHERE caller = $1 AND key = $2";

impl IdempotencyRecords for SqlRecords<'_> {
    fn idempotency(
        &mut self,
        caller: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.0
            .query_opt(IDEMPOTENCY_READ, &[caller.into(), key.into()])?
            .map(|row| {
                Ok(IdempotencyRecord {
                    caller: row.text(0)?,
                    key: row.text(1)?,
                    request_digest: row.text(2)?,
                    state: row.named(3, IdempotencyState::parse)?,
                    attempt: row.text(4)?,
                    resource_id: row.text(5)?,
                    status: row.opt_int(6)?,
                    body: row.opt_text(7)?,
                    created_ms: row.int(8)?,
                    updated_ms: row.int(9)?,
                })
            })
            .transpose()
    }

    fn put_idempotency(&mut self, r: &IdempotencyRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO idempotency (caller, key, request_digest, state, attempt, resource_id,
                                      status, body, created_ms, updated_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (caller, key) DO UPDATE SET
                request_digest = excluded.request_digest, state = excluded.state,
                attempt = excluded.attempt, resource_id = excluded.resource_id,
                status = excluded.status, body = excluded.body, updated_ms = excluded.updated_ms",
            &[
                r.caller.as_str().into(),
                r.key.as_str().into(),
                r.request_digest.as_str().into(),
                r.state.as_str().into(),
                r.attempt.as_str().into(),
                r.resource_id.as_str().into(),
                r.status.into(),
                r.body.clone().into(),
                r.created_ms.into(),
                r.updated_ms.into(),
            ],
        )?;
        Ok(())
    }
}
