//! Points' rows, and the parts of payments paid beside the wallet.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::Amount;
use qianbao_wallet::StoreError;
use qianbao_wallet::points::{
    PointsEarnedRecord, PointsEvent, PointsHistoryRecord, PointsLot, PointsRecords,
};
use qianbao_wallet::rewards::parts::{PartRecords, PartSource, PaymentPartRecord};

const LOT_COLUMNS: &str = "id, holder_id, merchant_id, points, remaining, expires_ms, created_ms";

const HISTORY_COLUMNS: &str = "id, holder_id, kind, points, payment_id, memo, created_ms";

const EARNED_COLUMNS: &str = "payment_id, campaign_id, holder_id, points, taken_back, created_ms";

const PART_COLUMNS: &str = "payment_id, source, source_id, amount, returned";

fn lot_from(row: &Row) -> Result<PointsLot, StoreError> {
    Ok(PointsLot {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        merchant_id: row.text(2)?,
        points: row.int(3)?,
        remaining: row.int(4)?,
        expires_ms: row.int(5)?,
        created_ms: row.int(6)?,
    })
}

impl PointsRecords for SqlRecords<'_> {
    fn insert_points_lot(&mut self, l: &PointsLot) -> Result<(), StoreError> {
        self.insert(
            "points_lots",
            LOT_COLUMNS,
            &[
                l.id.as_str().into(),
                l.holder_id.as_str().into(),
                l.merchant_id.as_str().into(),
                l.points.into(),
                l.remaining.into(),
                l.expires_ms.into(),
                l.created_ms.into(),
            ],
        )
    }

    fn points_lots_of(&mut self, holder_id: &str) -> Result<Vec<PointsLot>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {LOT_COLUMNS} FROM points_lots WHERE holder_id = $1 AND remaining > 0
                     ORDER BY expires_ms, id"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(lot_from)
            .collect()
    }

    fn set_lot_remaining(&mut self, id: &str, remaining: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE points_lots SET remaining = $2 WHERE id = $1",
            &[id.into(), remaining.into()],
        )
    }

    fn expired_points_lots(
        &mut self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<PointsLot>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {LOT_COLUMNS} FROM points_lots WHERE remaining > 0 AND expires_ms <= $1
                     ORDER BY expires_ms, id LIMIT $2"
                ),
                &[now_ms.into(), limit.into()],
            )?
            .iter()
            .map(lot_from)
            .collect()
    }

    fn insert_points_history(&mut self, h: &PointsHistoryRecord) -> Result<(), StoreError> {
        self.insert(
            "points_history",
            HISTORY_COLUMNS,
            &[
                h.id.as_str().into(),
                h.holder_id.as_str().into(),
                h.kind.as_str().into(),
                h.points.into(),
                h.payment_id.as_deref().into(),
                h.memo.as_str().into(),
                h.created_ms.into(),
            ],
        )
    }

    fn points_history_of(
        &mut self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<PointsHistoryRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {HISTORY_COLUMNS} FROM points_history WHERE holder_id = $1
                     ORDER BY created_ms DESC, id DESC LIMIT $2"
                ),
                &[holder_id.into(), limit.into()],
            )?
            .iter()
            .map(|row| {
                Ok(PointsHistoryRecord {
                    id: row.text(0)?,
                    holder_id: row.text(1)?,
                    kind: row.named(2, PointsEvent::parse)?,
                    points: row.int(3)?,
                    payment_id: row.opt_text(4)?,
                    memo: row.text(5)?,
                    created_ms: row.int(6)?,
                })
            })
            .collect()
    }

    fn insert_points_earned(&mut self, e: &PointsEarnedRecord) -> Result<(), StoreError> {
        self.insert(
            "points_earned",
            EARNED_COLUMNS,
            &[
                e.payment_id.as_str().into(),
                e.campaign_id.as_str().into(),
                e.holder_id.as_str().into(),
                e.points.into(),
                e.taken_back.into(),
                e.created_ms.into(),
            ],
        )
    }

    fn points_earned_for(
        &mut self,
        payment_id: &str,
    ) -> Result<Vec<PointsEarnedRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {EARNED_COLUMNS} FROM points_earned WHERE payment_id = $1
                     ORDER BY created_ms, campaign_id"
                ),
                &[payment_id.into()],
            )?
            .iter()
            .map(|row| {
                Ok(PointsEarnedRecord {
                    payment_id: row.text(0)?,
                    campaign_id: row.text(1)?,
                    holder_id: row.text(2)?,
                    points: row.int(3)?,
                    taken_back: row.int(4)?,
                    created_ms: row.int(5)?,
                })
            })
            .collect()
    }

    fn set_points_taken_back(
        &mut self,
        payment_id: &str,
        campaign_id: &str,
        taken_back: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE points_earned SET taken_back = $3 WHERE payment_id = $1 AND campaign_id = $2",
            &[payment_id.into(), campaign_id.into(), taken_back.into()],
        )
    }

    fn points_lots_total(&mut self) -> Result<i64, StoreError> {
        self.0
            .query_one(
                "SELECT CAST(coalesce(sum(remaining), 0) AS BIGINT) FROM points_lots",
                &[],
            )?
            .int(0)
    }
}

impl PartRecords for SqlRecords<'_> {
    fn insert_payment_part(&mut self, p: &PaymentPartRecord) -> Result<(), StoreError> {
        self.insert(
            "payment_parts",
            PART_COLUMNS,
            &[
                p.payment_id.as_str().into(),
                p.source.as_str().into(),
                p.source_id.as_str().into(),
                p.amount.into(),
                p.returned.into(),
            ],
        )
    }

    fn payment_parts(&mut self, payment_id: &str) -> Result<Vec<PaymentPartRecord>, StoreError> {
        // Points before cards, then by card: the order the payment took them in.
        self.0
            .query(
                &format!(
                    "SELECT {PART_COLUMNS} FROM payment_parts WHERE payment_id = $1
                     ORDER BY CASE source WHEN 'points' THEN 0 ELSE 1 END, source_id"
                ),
                &[payment_id.into()],
            )?
            .iter()
            .map(|row| {
                Ok(PaymentPartRecord {
                    payment_id: row.text(0)?,
                    source: row.named(1, PartSource::parse)?,
                    source_id: row.text(2)?,
                    amount: row.amount(3)?,
                    returned: row.amount(4)?,
                })
            })
            .collect()
    }

    fn set_part_returned(&mut self, p: &PaymentPartRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE payment_parts SET returned = $4
             WHERE payment_id = $1 AND source = $2 AND source_id = $3",
            &[
                p.payment_id.as_str().into(),
                p.source.as_str().into(),
                p.source_id.as_str().into(),
                Amount::into(p.returned),
            ],
        )
    }
}
