//! Payment passwords as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{PinRecord, PinRecords};

impl PinRecords for SqlRecords<'_> {
    fn pin(&mut self, holder_id: &str) -> Result<Option<PinRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT digest, failures, locked_until_ms, set_ms FROM pins WHERE holder_id = $1",
                &[holder_id.into()],
            )?
            .map(|row| {
                Ok(PinRecord {
                    holder_id: holder_id.to_string(),
                    digest: row.text(0)?,
                    failures: row.int(1)?,
                    locked_until_ms: row.opt_int(2)?,
                    set_ms: row.int(3)?,
                })
            })
            .transpose()
    }

    fn put_pin(&mut self, p: &PinRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO pins (holder_id, digest, failures, locked_until_ms, set_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (holder_id) DO UPDATE SET digest = excluded.digest,
                 failures = excluded.failures, locked_until_ms = excluded.locked_until_ms,
                 set_ms = excluded.set_ms",
            &[
                p.holder_id.as_str().into(),
                p.digest.as_str().into(),
                p.failures.into(),
                p.locked_until_ms.into(),
                p.set_ms.into(),
            ],
        )?;
        Ok(())
    }
}
