//! Payment passwords as rows (the row shape is shared with refund passwords: `locked_digests.rs`).

use super::SqlRecords;
use super::locked_digests::{LockedDigest, Secrets};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{PinRecord, PinRecords};

impl PinRecords for SqlRecords<'_> {
    fn pin(&mut self, holder_id: &str) -> Result<Option<PinRecord>, StoreError> {
        Ok(self
            .locked_digest(Secrets::Pins, holder_id)?
            .map(|d| PinRecord {
                holder_id: holder_id.to_string(),
                digest: d.digest,
                failures: d.failures,
                locked_until_ms: d.locked_until_ms,
                set_ms: d.set_ms,
            }))
    }

    fn put_pin(&mut self, p: &PinRecord) -> Result<(), StoreError> {
        self.put_locked_digest(
            Secrets::Pins,
            &p.holder_id,
            LockedDigest {
                digest: p.digest.clone(),
                failures: p.failures,
                locked_until_ms: p.locked_until_ms,
                set_ms: p.set_ms,
            },
        )
    }
}
