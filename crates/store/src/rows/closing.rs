//! Closed wallets as rows, and the releases of a closed holder's phone and ID number digest.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{ClosingRecord, ClosingRecords};

impl ClosingRecords for SqlRecords<'_> {
    fn insert_closing(&mut self, c: &ClosingRecord) -> Result<(), StoreError> {
        self.insert(
            "closings",
            "holder_id, phone, closed_ms",
            &[
                c.holder_id.as_str().into(),
                c.phone.as_str().into(),
                c.closed_ms.into(),
            ],
        )
    }

    fn latest_closing(&mut self, phone: &str) -> Result<Option<ClosingRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT holder_id, phone, closed_ms FROM closings WHERE phone = $1
                 ORDER BY closed_ms DESC, holder_id DESC LIMIT 1",
                &[phone.into()],
            )?
            .map(|row| {
                Ok(ClosingRecord {
                    holder_id: row.text(0)?,
                    phone: row.text(1)?,
                    closed_ms: row.int(2)?,
                })
            })
            .transpose()
    }

    fn release_phone(&mut self, holder_id: &str, stand_in: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET phone = $2 WHERE id = $1",
            &[holder_id.into(), stand_in.into()],
        )
    }

    fn release_id_number(&mut self, holder_id: &str, stand_in: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE identities SET id_blind = $2 WHERE holder_id = $1",
            &[holder_id.into(), stand_in.into()],
        )
    }
}
