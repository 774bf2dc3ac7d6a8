//! Closed wallets as rows, and the releases of a closed holder's phone and ID number digest.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{
    ClosingRecord, ClosingRecords, ClosingRequestRecord, ClosingRequestStatus,
};

const REQUEST_COLUMNS: &str =
    "id, holder_id, card_id, status, requested_ms, decided_ms, decided_by, outcome";

fn request_from(row: &Row) -> Result<ClosingRequestRecord, StoreError> {
    Ok(ClosingRequestRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        card_id: row.text(2)?,
        status: row.named(3, ClosingRequestStatus::parse)?,
        requested_ms: row.int(4)?,
        decided_ms: row.opt_int(5)?,
        decided_by: row.opt_text(6)?,
        outcome: row.text(7)?,
    })
}

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

    fn insert_closing_request(&mut self, q: &ClosingRequestRecord) -> Result<(), StoreError> {
        // Not `write`: a second waiting request must come back from this statement as
        // `Duplicate` (the one-waiting index).
        self.0.execute(
            &format!(
                "INSERT INTO closing_requests ({REQUEST_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            &[
                q.id.as_str().into(),
                q.holder_id.as_str().into(),
                q.card_id.as_str().into(),
                q.status.as_str().into(),
                q.requested_ms.into(),
                q.decided_ms.into(),
                q.decided_by.as_deref().into(),
                q.outcome.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn closing_request(&mut self, id: &str) -> Result<Option<ClosingRequestRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {REQUEST_COLUMNS} FROM closing_requests WHERE id = $1"),
                &[id.into()],
            )?
            .as_ref()
            .map(request_from)
            .transpose()
    }

    fn waiting_closing_request(
        &mut self,
        holder_id: &str,
    ) -> Result<Option<ClosingRequestRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {REQUEST_COLUMNS} FROM closing_requests
                     WHERE holder_id = $1 AND status = 'waiting'"
                ),
                &[holder_id.into()],
            )?
            .as_ref()
            .map(request_from)
            .transpose()
    }

    fn waiting_closing_requests(
        &mut self,
        limit: i64,
    ) -> Result<Vec<ClosingRequestRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {REQUEST_COLUMNS} FROM closing_requests WHERE status = 'waiting'
                     ORDER BY requested_ms, id LIMIT $1"
                ),
                &[limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(request_from)
            .collect()
    }

    fn end_closing_request(&mut self, q: &ClosingRequestRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE closing_requests SET status = $2, decided_ms = $3, decided_by = $4,
             outcome = $5 WHERE id = $1 AND status = 'waiting'",
            &[
                q.id.as_str().into(),
                q.status.as_str().into(),
                q.decided_ms.into(),
                q.decided_by.as_deref().into(),
                q.outcome.as_str().into(),
            ],
        )
    }
}
