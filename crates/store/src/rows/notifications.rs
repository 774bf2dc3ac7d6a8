//! The inbox as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{NotificationRecord, NotificationRecords};

pub(crate) fn notification_from(row: &Row) -> Result<NotificationRecord, StoreError> {
    Ok(NotificationRecord {
        id: row.int(0)?,
        holder_id: row.text(1)?,
        kind: row.text(2)?,
        title: row.text(3)?,
        body: row.text(4)?,
        movement_id: row.opt_text(5)?,
        created_ms: row.int(6)?,
        title_en: row.text(7)?,
        body_en: row.text(8)?,
    })
}

impl NotificationRecords for SqlRecords<'_> {
    fn insert_notification(&mut self, n: &NotificationRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO notifications
             (holder_id, kind, title, body, movement_id, created_ms, title_en, body_en)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                n.holder_id.as_str().into(),
                n.kind.as_str().into(),
                n.title.as_str().into(),
                n.body.as_str().into(),
                n.movement_id.as_deref().into(),
                n.created_ms.into(),
                n.title_en.as_str().into(),
                n.body_en.as_str().into(),
            ],
        )
    }

    fn notifications(
        &mut self,
        holder_id: &str,
        before_id: Option<i64>,
        after_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        self.0
            .query(
                "SELECT id, holder_id, kind, title, body, movement_id, created_ms, title_en, body_en
                 FROM notifications
                 WHERE holder_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
                &[
                    holder_id.into(),
                    before_id.unwrap_or(i64::MAX).into(),
                    after_id.unwrap_or(i64::MIN).into(),
                    limit.clamp(1, 1_000).into(),
                ],
            )?
            .iter()
            .map(notification_from)
            .collect()
    }
}
