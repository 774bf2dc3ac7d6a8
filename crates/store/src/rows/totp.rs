//! TOTP second factors as rows: the secret only sealed, with the last step used and the lock.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{TotpRecord, TotpRecords};

impl TotpRecords for SqlRecords<'_> {
    fn totp(&mut self, holder_id: &str) -> Result<Option<TotpRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT secret_sealed, confirmed, last_step, failures, locked_until_ms, created_ms
                 FROM totp_secrets WHERE holder_id = $1",
                &[holder_id.into()],
            )?
            .map(|row| {
                Ok(TotpRecord {
                    holder_id: holder_id.to_string(),
                    secret_sealed: row.bytes(0)?,
                    confirmed: row.int(1)? != 0,
                    last_step: row.int(2)?,
                    failures: row.int(3)?,
                    locked_until_ms: row.opt_int(4)?,
                    created_ms: row.int(5)?,
                })
            })
            .transpose()
    }

    fn put_totp(&mut self, t: &TotpRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO totp_secrets
                 (holder_id, secret_sealed, confirmed, last_step, failures, locked_until_ms, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (holder_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,
                 confirmed = excluded.confirmed, last_step = excluded.last_step,
                 failures = excluded.failures, locked_until_ms = excluded.locked_until_ms,
                 created_ms = excluded.created_ms",
            &[
                t.holder_id.as_str().into(),
                t.secret_sealed.as_slice().into(),
                t.confirmed.into(),
                t.last_step.into(),
                t.failures.into(),
                t.locked_until_ms.into(),
                t.created_ms.into(),
            ],
        )
    }

    fn set_totp_counters(
        &mut self,
        holder_id: &str,
        last_step: i64,
        failures: i64,
        locked_until_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE totp_secrets SET last_step = $2, failures = $3, locked_until_ms = $4
             WHERE holder_id = $1",
            &[
                holder_id.into(),
                last_step.into(),
                failures.into(),
                locked_until_ms.into(),
            ],
        )
    }

    fn delete_totp(&mut self, holder_id: &str) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "DELETE FROM totp_secrets WHERE holder_id = $1",
            &[holder_id.into()],
        )? > 0)
    }
}
