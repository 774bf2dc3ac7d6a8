//! Review-case locks as rows: one per queue and case; taking one is a conditional upsert, so two
//! reviewers racing for a case cannot both get it.

use super::SqlRecords;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{CaseLockRecord, CaseLockRecords};

impl CaseLockRecords for SqlRecords<'_> {
    fn case_locks(&mut self, queue: &str, now_ms: i64) -> Result<Vec<CaseLockRecord>, StoreError> {
        self.0
            .query(
                "SELECT queue, case_id, staff_id, until_ms FROM case_locks
                 WHERE queue = $1 AND until_ms > $2",
                &[queue.into(), now_ms.into()],
            )?
            .iter()
            .map(|row| {
                Ok(CaseLockRecord {
                    queue: row.text(0)?,
                    case_id: row.text(1)?,
                    staff_id: row.text(2)?,
                    until_ms: row.int(3)?,
                })
            })
            .collect()
    }

    fn lock_case(&mut self, l: &CaseLockRecord, now_ms: i64) -> Result<bool, StoreError> {
        // Taken only when free, lapsed, or already this reviewer's: the update's condition is
        // checked against the row as it stands, inside the transaction.
        let changed = self.0.execute(
            "INSERT INTO case_locks (queue, case_id, staff_id, until_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (queue, case_id) DO UPDATE SET staff_id = excluded.staff_id,
                 until_ms = excluded.until_ms
             WHERE case_locks.until_ms <= $5 OR case_locks.staff_id = excluded.staff_id",
            &[
                l.queue.as_str().into(),
                l.case_id.as_str().into(),
                l.staff_id.as_str().into(),
                l.until_ms.into(),
                now_ms.into(),
            ],
        )?;
        Ok(changed > 0)
    }

    fn unlock_case(&mut self, queue: &str, case_id: &str) -> Result<(), StoreError> {
        self.0.write(
            "DELETE FROM case_locks WHERE queue = $1 AND case_id = $2",
            &[queue.into(), case_id.into()],
        )
    }
}
