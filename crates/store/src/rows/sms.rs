//! The SMS outbox, as rows: a text queued in the transaction that causes it.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::SmsOutbox;

impl SmsOutbox for SqlRecords<'_> {
    fn queue_sms(
        &mut self,
        phone: &str,
        text: &str,
        code: Option<&str>,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        self.0
            .query_one(
                "INSERT INTO sms_outbox (phone, text, code, created_ms) VALUES ($1, $2, $3, $4)
                 RETURNING id",
                &[phone.into(), text.into(), code.into(), at_ms.into()],
            )?
            .int(0)
    }
}
