//! Till sessions as rows.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{TillRecords, TillSessionRecord};

/// The columns of `till_sessions` a [`TillSessionRecord`] is read from and written to, in order.
pub(crate) const TILL_SESSION_COLUMNS: &str =
    "id, token_digest, merchant_id, key_digest, created_ms, last_used_ms";

impl TillRecords for SqlRecords<'_> {
    fn insert_till_session(&mut self, s: &TillSessionRecord) -> Result<(), StoreError> {
        self.insert(
            "till_sessions",
            TILL_SESSION_COLUMNS,
            &[
                s.id.as_str().into(),
                s.token_digest.as_str().into(),
                s.merchant_id.as_str().into(),
                s.key_digest.as_str().into(),
                s.created_ms.into(),
                s.last_used_ms.into(),
            ],
        )
    }

    fn till_session_by_token(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<TillSessionRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {TILL_SESSION_COLUMNS} FROM till_sessions
                     WHERE token_digest = $1 AND ended_ms IS NULL"
                ),
                &[token_digest.into()],
            )?
            .map(|row| {
                Ok(TillSessionRecord {
                    id: row.text(0)?,
                    token_digest: row.text(1)?,
                    merchant_id: row.text(2)?,
                    key_digest: row.text(3)?,
                    created_ms: row.int(4)?,
                    last_used_ms: row.int(5)?,
                })
            })
            .transpose()
    }

    fn touch_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE till_sessions SET last_used_ms = $2 WHERE id = $1",
            &[session_id.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn end_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE till_sessions SET ended_ms = $2 WHERE id = $1 AND ended_ms IS NULL",
            &[session_id.into(), at_ms.into()],
        )? == 1)
    }
}
