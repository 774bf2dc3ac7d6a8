//! Shops' refund passwords as rows (the row shape is shared with payment passwords:
//! `locked_digests.rs`).

use super::SqlRecords;
use super::locked_digests::{LockedDigest, Secrets};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{RefundPasswordRecord, RefundPasswordRecords};

impl RefundPasswordRecords for SqlRecords<'_> {
    fn refund_password(
        &mut self,
        merchant_id: &str,
    ) -> Result<Option<RefundPasswordRecord>, StoreError> {
        Ok(self
            .locked_digest(Secrets::RefundPasswords, merchant_id)?
            .map(|d| RefundPasswordRecord {
                merchant_id: merchant_id.to_string(),
                digest: d.digest,
                failures: d.failures,
                locked_until_ms: d.locked_until_ms,
                set_ms: d.set_ms,
            }))
    }

    fn put_refund_password(&mut self, p: &RefundPasswordRecord) -> Result<(), StoreError> {
        self.put_locked_digest(
            Secrets::RefundPasswords,
            &p.merchant_id,
            LockedDigest {
                digest: p.digest.clone(),
                failures: p.failures,
                locked_until_ms: p.locked_until_ms,
                set_ms: p.set_ms,
            },
        )
    }
}
