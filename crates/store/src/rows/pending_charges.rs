//! Charges waiting for their payer as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::Currency;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{ChargeStatus, PendingChargeRecord, PendingChargeRecords};

const COLUMNS: &str = "id, merchant_id, holder_id, amount, currency, description, status, \
                       expires_ms, created_ms, decided_ms";

fn charge_from(row: &Row) -> Result<PendingChargeRecord, StoreError> {
    Ok(PendingChargeRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        holder_id: row.text(2)?,
        amount: row.amount(3)?,
        currency: row.named(4, Currency::parse)?,
        description: row.text(5)?,
        status: row.named(6, ChargeStatus::parse)?,
        expires_ms: row.int(7)?,
        created_ms: row.int(8)?,
        decided_ms: row.opt_int(9)?,
    })
}

impl PendingChargeRecords for SqlRecords<'_> {
    fn insert_pending_charge(&mut self, c: &PendingChargeRecord) -> Result<(), StoreError> {
        self.insert(
            "pending_charges",
            COLUMNS,
            &[
                c.id.as_str().into(),
                c.merchant_id.as_str().into(),
                c.holder_id.as_str().into(),
                c.amount.into(),
                c.currency.as_str().into(),
                c.description.as_str().into(),
                c.status.as_str().into(),
                c.expires_ms.into(),
                c.created_ms.into(),
                c.decided_ms.into(),
            ],
        )
    }

    fn pending_charge(&mut self, id: &str) -> Result<Option<PendingChargeRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {COLUMNS} FROM pending_charges WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| charge_from(&row))
            .transpose()
    }

    fn decide_pending_charge(
        &mut self,
        id: &str,
        status: ChargeStatus,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = self.0.execute(
            "UPDATE pending_charges SET status = $2, decided_ms = $3
             WHERE id = $1 AND status = 'awaiting_payer'",
            &[id.into(), status.as_str().into(), at_ms.into()],
        )?;
        Ok(changed == 1)
    }

    fn awaiting_charges(
        &mut self,
        holder_id: &str,
        now_ms: i64,
    ) -> Result<Vec<PendingChargeRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM pending_charges
                     WHERE holder_id = $1 AND status = 'awaiting_payer' AND expires_ms > $2
                     ORDER BY created_ms, id LIMIT 20"
                ),
                &[holder_id.into(), now_ms.into()],
            )?
            .iter()
            .map(charge_from)
            .collect()
    }
}
