//! KYC review cases as rows; the partial unique index keeps one pending case per holder, and a
//! decision is a conditional update, so two reviewers racing cannot both decide one case.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{KycReasonCode, KycReviewRecord, KycReviewRecords, KycReviewStatus};

const REVIEW_COLUMNS: &str = "id, holder_id, name_sealed, masked_name, id_sealed, id_blind, \
     id_masked, birth_date, status, submitted_ms, decided_ms, decided_by, reason_code, note";

fn review_from(row: &Row) -> Result<KycReviewRecord, StoreError> {
    let reason_code = match row.opt_text(12)? {
        None => None,
        Some(text) => Some(
            KycReasonCode::parse(&text)
                .ok_or_else(|| StoreError::Corrupt(format!("column 12: unknown value {text:?}")))?,
        ),
    };
    Ok(KycReviewRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        name_sealed: row.bytes(2)?,
        masked_name: row.text(3)?,
        id_sealed: row.bytes(4)?,
        id_blind: row.text(5)?,
        id_masked: row.text(6)?,
        birth_date: row.text(7)?,
        status: row.named(8, KycReviewStatus::parse)?,
        submitted_ms: row.int(9)?,
        decided_ms: row.opt_int(10)?,
        decided_by: row.opt_text(11)?,
        reason_code,
        note: row.text(13)?,
    })
}

impl KycReviewRecords for SqlRecords<'_> {
    fn insert_kyc_review(&mut self, r: &KycReviewRecord) -> Result<(), StoreError> {
        // Not `write`: the one-pending index's `Duplicate` must come back from this statement.
        self.0.execute(
            &format!(
                "INSERT INTO kyc_reviews ({REVIEW_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ),
            &[
                r.id.as_str().into(),
                r.holder_id.as_str().into(),
                r.name_sealed.as_slice().into(),
                r.masked_name.as_str().into(),
                r.id_sealed.as_slice().into(),
                r.id_blind.as_str().into(),
                r.id_masked.as_str().into(),
                r.birth_date.as_str().into(),
                r.status.as_str().into(),
                r.submitted_ms.into(),
                r.decided_ms.into(),
                r.decided_by.as_deref().into(),
                r.reason_code.map(KycReasonCode::as_str).into(),
                r.note.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn kyc_review(&mut self, id: &str) -> Result<Option<KycReviewRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {REVIEW_COLUMNS} FROM kyc_reviews WHERE id = $1"),
                &[id.into()],
            )?
            .as_ref()
            .map(review_from)
            .transpose()
    }

    fn pending_kyc_review(
        &mut self,
        holder_id: &str,
    ) -> Result<Option<KycReviewRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {REVIEW_COLUMNS} FROM kyc_reviews
                     WHERE holder_id = $1 AND status = 'pending'"
                ),
                &[holder_id.into()],
            )?
            .as_ref()
            .map(review_from)
            .transpose()
    }

    fn pending_kyc_reviews(
        &mut self,
        limit: i64,
    ) -> Result<Vec<(KycReviewRecord, bool)>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {REVIEW_COLUMNS},
                         CASE WHEN EXISTS (SELECT 1 FROM identity_photos p
                             WHERE p.holder_id = kyc_reviews.holder_id AND p.kind = 'id')
                         THEN 1 ELSE 0 END
                     FROM kyc_reviews WHERE status = 'pending'
                     ORDER BY submitted_ms, id LIMIT $1"
                ),
                &[limit.into()],
            )?
            .iter()
            .map(|row| Ok((review_from(row)?, row.int(14)? == 1)))
            .collect()
    }

    fn decide_kyc_review(&mut self, r: &KycReviewRecord) -> Result<bool, StoreError> {
        let changed = self.0.execute(
            "UPDATE kyc_reviews SET status = $2, decided_ms = $3, decided_by = $4,
                 reason_code = $5, note = $6
             WHERE id = $1 AND status = 'pending'",
            &[
                r.id.as_str().into(),
                r.status.as_str().into(),
                r.decided_ms.into(),
                r.decided_by.as_deref().into(),
                r.reason_code.map(KycReasonCode::as_str).into(),
                r.note.as_str().into(),
            ],
        )?;
        Ok(changed > 0)
    }

    fn photo(
        &mut self,
        holder_id: &str,
        kind: &str,
    ) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        self.0
            .query_opt(
                "SELECT sealed, content_type FROM identity_photos
                 WHERE holder_id = $1 AND kind = $2",
                &[holder_id.into(), kind.into()],
            )?
            .map(|row| Ok((row.bytes(0)?, row.text(1)?)))
            .transpose()
    }
}
