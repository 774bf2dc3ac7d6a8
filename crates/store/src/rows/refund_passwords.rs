//! Shops' refund passwords as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{RefundPasswordRecord, RefundPasswordRecords};

impl RefundPasswordRecords for SqlRecords<'_> {
    fn refund_password(
        &mut self,
        merchant_id: &str,
    ) -> Result<Option<RefundPasswordRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT digest, failures, locked_until_ms, set_ms FROM refund_passwords
                 WHERE merchant_id = $1",
                &[merchant_id.into()],
            )?
            .map(|row| {
                Ok(RefundPasswordRecord {
                    merchant_id: merchant_id.to_string(),
                    digest: row.text(0)?,
                    failures: row.int(1)?,
                    locked_until_ms: row.opt_int(2)?,
                    set_ms: row.int(3)?,
                })
            })
            .transpose()
    }

    fn put_refund_password(&mut self, p: &RefundPasswordRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO refund_passwords (merchant_id, digest, failures, locked_until_ms, set_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (merchant_id) DO UPDATE SET digest = excluded.digest,
                 failures = excluded.failures, locked_until_ms = excluded.locked_until_ms,
                 set_ms = excluded.set_ms",
            &[
                p.merchant_id.as_str().into(),
                p.digest.as_str().into(),
                p.failures.into(),
                p.locked_until_ms.into(),
                p.set_ms.into(),
            ],
        )?;
        Ok(())
    }
}
