//! Timers as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{TimerKind, TimerRecord, TimerRecords};

pub(crate) const TIMER_COLUMNS: &str = "id, kind, subject, due_ms, attempts, created_ms";

pub(crate) fn timer_from(row: &Row) -> Result<TimerRecord, StoreError> {
    Ok(TimerRecord {
        id: row.text(0)?,
        kind: row.named(1, TimerKind::parse)?,
        subject: row.text(2)?,
        due_ms: row.int(3)?,
        attempts: row.int(4)?,
        created_ms: row.int(5)?,
    })
}

impl TimerRecords for SqlRecords<'_> {
    fn insert_timer(&mut self, t: &TimerRecord) -> Result<(), StoreError> {
        self.insert(
            "timers",
            TIMER_COLUMNS,
            &[
                t.id.as_str().into(),
                t.kind.as_str().into(),
                t.subject.as_str().into(),
                t.due_ms.into(),
                t.attempts.into(),
                t.created_ms.into(),
            ],
        )
    }

    fn due_timers(&mut self, now_ms: i64, limit: i64) -> Result<Vec<TimerRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {TIMER_COLUMNS} FROM timers WHERE due_ms <= $1 ORDER BY due_ms LIMIT $2"
                ),
                &[now_ms.into(), limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(timer_from)
            .collect()
    }

    fn timer(&mut self, id: &str) -> Result<Option<TimerRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {TIMER_COLUMNS} FROM timers WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| timer_from(&row))
            .transpose()
    }

    fn delete_timer(&mut self, id: &str) -> Result<(), StoreError> {
        self.0
            .execute("DELETE FROM timers WHERE id = $1", &[id.into()])?;
        Ok(())
    }

    fn reschedule_timer(&mut self, id: &str, due_ms: i64, attempts: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE timers SET due_ms = $2, attempts = $3 WHERE id = $1",
            &[id.into(), due_ms.into(), attempts.into()],
        )?;
        Ok(())
    }

    fn timers_for(&mut self, subject: &str) -> Result<Vec<TimerRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {TIMER_COLUMNS} FROM timers WHERE subject = $1 ORDER BY due_ms, id \
                     LIMIT 100"
                ),
                &[subject.into()],
            )?
            .iter()
            .map(timer_from)
            .collect()
    }
}
