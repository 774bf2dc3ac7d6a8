//! Payment codes as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{PaymentCodeRecord, PaymentCodeRecords};

impl PaymentCodeRecords for SqlRecords<'_> {
    fn payment_code(&mut self, digest: &str) -> Result<Option<PaymentCodeRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT digest, holder_id, expires_ms, used_ms, created_ms FROM payment_codes WHERE digest = $1",
                &[digest.into()],
            )?
            .map(|row| {
                Ok(PaymentCodeRecord {
                    digest: row.text(0)?,
                    holder_id: row.text(1)?,
                    expires_ms: row.int(2)?,
                    used_ms: row.opt_int(3)?,
                    created_ms: row.int(4)?,
                })
            })
            .transpose()
    }

    fn insert_payment_code(&mut self, c: &PaymentCodeRecord) -> Result<(), StoreError> {
        self.insert(
            "payment_codes",
            "digest, holder_id, expires_ms, used_ms, created_ms",
            &[
                c.digest.as_str().into(),
                c.holder_id.as_str().into(),
                c.expires_ms.into(),
                c.used_ms.into(),
                c.created_ms.into(),
            ],
        )
    }

    fn use_payment_code(&mut self, digest: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE payment_codes SET used_ms = $2 WHERE digest = $1",
            &[digest.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn retire_payment_codes(&mut self, holder_id: &str) -> Result<(), StoreError> {
        self.0.write(
            "DELETE FROM payment_codes WHERE holder_id = $1 AND used_ms IS NULL",
            &[holder_id.into()],
        )?;
        Ok(())
    }
}
