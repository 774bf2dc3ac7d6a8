//! Merchants as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{MerchantRecord, MerchantRecords};

pub(crate) const MERCHANT_COLUMNS: &str = "id, holder_id, name, category, key_digest, status, webhook_url, webhook_secret_sealed, created_ms";

pub(crate) fn merchant_from(row: &Row) -> Result<MerchantRecord, StoreError> {
    Ok(MerchantRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        name: row.text(2)?,
        category: row.text(3)?,
        key_digest: row.text(4)?,
        status: row.text(5)?,
        webhook_url: row.opt_text(6)?,
        webhook_secret_sealed: row.opt_bytes(7)?,
        created_ms: row.int(8)?,
    })
}

/// The read of a merchant by id.
pub(crate) fn merchant_read() -> String {
    format!("SELECT {MERCHANT_COLUMNS} FROM merchants WHERE id = $1")
}

impl MerchantRecords for SqlRecords<'_> {
    fn merchant(&mut self, id: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.0
            .query_opt(&merchant_read(), &[id.into()])?
            .map(|row| merchant_from(&row))
            .transpose()
    }

    fn merchant_by_key(&mut self, key_digest: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {MERCHANT_COLUMNS} FROM merchants WHERE key_digest = $1"),
                &[key_digest.into()],
            )?
            .map(|row| merchant_from(&row))
            .transpose()
    }

    fn insert_merchant(&mut self, m: &MerchantRecord) -> Result<(), StoreError> {
        self.insert(
            "merchants",
            MERCHANT_COLUMNS,
            &[
                m.id.as_str().into(),
                m.holder_id.as_str().into(),
                m.name.as_str().into(),
                m.category.as_str().into(),
                m.key_digest.as_str().into(),
                m.status.as_str().into(),
                m.webhook_url.as_deref().into(),
                m.webhook_secret_sealed.clone().into(),
                m.created_ms.into(),
            ],
        )
    }

    fn update_merchant(&mut self, m: &MerchantRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE merchants SET key_digest = $2, status = $3, webhook_url = $4,
                    webhook_secret_sealed = $5 WHERE id = $1",
            &[
                m.id.as_str().into(),
                m.key_digest.as_str().into(),
                m.status.as_str().into(),
                m.webhook_url.as_deref().into(),
                m.webhook_secret_sealed.clone().into(),
            ],
        )?;
        Ok(())
    }

    fn merchants_of(&mut self, holder_id: &str) -> Result<Vec<MerchantRecord>, StoreError> {
        self.0
            .query(
                &format!("SELECT {MERCHANT_COLUMNS} FROM merchants WHERE holder_id = $1 ORDER BY created_ms"),
                &[holder_id.into()],
            )?
            .iter()
            .map(merchant_from)
            .collect()
    }
}
