//! Sessions and known devices as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{SessionRecord, SessionRecords};

pub(crate) const SESSION_COLUMNS: &str =
    "id, token_digest, holder_id, device_id, device_name, created_ms, last_seen_ms";

pub(crate) fn session_from(row: &Row) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: row.text(0)?,
        token_digest: row.text(1)?,
        holder_id: row.text(2)?,
        device_id: row.text(3)?,
        device_name: row.text(4)?,
        created_ms: row.int(5)?,
        last_seen_ms: row.int(6)?,
    })
}

impl SessionRecords for SqlRecords<'_> {
    fn device_known(&mut self, holder_id: &str, device_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM devices WHERE holder_id = $1 AND device_id = $2",
                &[holder_id.into(), device_id.into()],
            )?
            .is_some())
    }

    fn remember_device(
        &mut self,
        holder_id: &str,
        device_id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO devices (holder_id, device_id, first_seen_ms) VALUES ($1, $2, $3)
             ON CONFLICT (holder_id, device_id) DO NOTHING",
            &[holder_id.into(), device_id.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRecord) -> Result<(), StoreError> {
        // One live session per device: a new login on the device ends the old one.
        self.0.write(
            "UPDATE sessions SET ended_ms = $3
             WHERE holder_id = $1 AND device_id = $2 AND ended_ms IS NULL",
            &[
                s.holder_id.as_str().into(),
                s.device_id.as_str().into(),
                s.created_ms.into(),
            ],
        )?;
        self.insert(
            "sessions",
            SESSION_COLUMNS,
            &[
                s.id.as_str().into(),
                s.token_digest.as_str().into(),
                s.holder_id.as_str().into(),
                s.device_id.as_str().into(),
                s.device_name.as_str().into(),
                s.created_ms.into(),
                s.last_seen_ms.into(),
            ],
        )
    }

    fn session_by_token(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_digest = $1 AND ended_ms IS NULL"
                ),
                &[token_digest.into()],
            )?
            .as_ref()
            .map(session_from)
            .transpose()
    }

    fn sessions_of(&mut self, holder_id: &str) -> Result<Vec<SessionRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE holder_id = $1 AND ended_ms IS NULL
                     ORDER BY created_ms DESC, id DESC LIMIT 100"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(session_from)
            .collect()
    }

    fn end_session(
        &mut self,
        holder_id: &str,
        session_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE sessions SET ended_ms = $3 WHERE id = $1 AND holder_id = $2 AND ended_ms IS NULL",
            &[session_id.into(), holder_id.into(), at_ms.into()],
        )? == 1)
    }

    fn touch_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE sessions SET last_seen_ms = $2 WHERE id = $1",
            &[session_id.into(), at_ms.into()],
        )?;
        Ok(())
    }
}
