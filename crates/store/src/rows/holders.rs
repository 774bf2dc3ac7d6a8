//! Holders as rows, and the one read of a holder every other read reuses.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{HolderRecord, HolderRecords, HolderStatus};

pub(crate) const HOLDER_COLUMNS: &str = "id, wallet_id, phone, password_hash, status, kyc_level, \
                              login_failures, login_locked, created_ms";

pub(crate) fn holder_from(row: &Row) -> Result<HolderRecord, StoreError> {
    Ok(HolderRecord {
        id: row.text(0)?,
        wallet_id: row.text(1)?,
        phone: row.text(2)?,
        password_hash: row.text(3)?,
        status: row.named(4, HolderStatus::parse)?,
        kyc_level: row.int(5)?,
        login_failures: row.int(6)?,
        login_locked: row.int(7)? != 0,
        created_ms: row.int(8)?,
    })
}

/// The read of the holder whose `column` is `value`.
pub(crate) fn holder_read(column: &str, value: &str) -> (String, Vec<Value>) {
    (
        format!("SELECT {HOLDER_COLUMNS} FROM holders WHERE {column} = $1"),
        vec![value.into()],
    )
}

impl HolderRecords for SqlRecords<'_> {
    fn holder_by_phone(&mut self, phone: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.holder_where("phone", phone)
    }

    fn holder(&mut self, id: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.holder_where("id", id)
    }

    fn insert_holder(&mut self, h: &HolderRecord) -> Result<(), StoreError> {
        self.insert(
            "holders",
            HOLDER_COLUMNS,
            &[
                h.id.as_str().into(),
                h.wallet_id.as_str().into(),
                h.phone.as_str().into(),
                h.password_hash.as_str().into(),
                h.status.as_str().into(),
                h.kyc_level.into(),
                h.login_failures.into(),
                h.login_locked.into(),
                h.created_ms.into(),
            ],
        )
    }

    fn set_login_failures(
        &mut self,
        holder_id: &str,
        failures: i64,
        locked: bool,
    ) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET login_failures = $2, login_locked = $3 WHERE id = $1",
            &[holder_id.into(), failures.into(), locked.into()],
        )?;
        Ok(())
    }

    fn is_restricted(&mut self, kind: &str, blind: &str) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM restrictions WHERE kind = $1 AND blind = $2",
                &[kind.into(), blind.into()],
            )?
            .is_some())
    }

    fn set_kyc_level(&mut self, holder_id: &str, level: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET kyc_level = $2 WHERE id = $1",
            &[holder_id.into(), level.into()],
        )?;
        Ok(())
    }

    fn set_status(&mut self, holder_id: &str, status: HolderStatus) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET status = $2 WHERE id = $1",
            &[holder_id.into(), status.as_str().into()],
        )?;
        Ok(())
    }

    fn set_password_hash(&mut self, holder_id: &str, hash: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE holders SET password_hash = $2, login_failures = 0, login_locked = 0 WHERE id = $1",
            &[holder_id.into(), hash.into()],
        )?;
        Ok(())
    }

    fn holder_by_wallet(&mut self, wallet_id: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.holder_where("wallet_id", wallet_id)
    }
}
