//! Bill payment's rows, for both backends: look-ups, payments and saved billers.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::bills::{
    BillLookupRecord, BillPaymentRecord, BillPaymentStatus, BillRecords, SavedBillerRecord,
};

const LOOKUP_COLUMNS: &str = "id, holder_id, biller_id, biller_name, account, reference, amount, \
     period, masked_name, created_ms, expires_ms";
const PAYMENT_COLUMNS: &str = "movement_id, holder_id, lookup_id, biller_id, biller_name, \
     account, reference, amount, period, status, receipt, autopay, created_ms, updated_ms";
const SAVED_COLUMNS: &str = "id, holder_id, biller_id, account, nickname, autopay_day, \
     autopay_cap, created_ms, updated_ms";

fn lookup_from(row: &Row) -> Result<BillLookupRecord, StoreError> {
    Ok(BillLookupRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        biller_id: row.text(2)?,
        biller_name: row.text(3)?,
        account: row.text(4)?,
        reference: row.text(5)?,
        amount: row.amount(6)?,
        period: row.text(7)?,
        masked_name: row.text(8)?,
        created_ms: row.int(9)?,
        expires_ms: row.int(10)?,
    })
}

fn payment_from(row: &Row) -> Result<BillPaymentRecord, StoreError> {
    Ok(BillPaymentRecord {
        movement_id: row.text(0)?,
        holder_id: row.text(1)?,
        lookup_id: row.text(2)?,
        biller_id: row.text(3)?,
        biller_name: row.text(4)?,
        account: row.text(5)?,
        reference: row.text(6)?,
        amount: row.amount(7)?,
        period: row.text(8)?,
        status: row.named(9, BillPaymentStatus::parse)?,
        receipt: row.opt_text(10)?,
        autopay: row.int(11)? != 0,
        created_ms: row.int(12)?,
        updated_ms: row.int(13)?,
    })
}

fn saved_from(row: &Row) -> Result<SavedBillerRecord, StoreError> {
    Ok(SavedBillerRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        biller_id: row.text(2)?,
        account: row.text(3)?,
        nickname: row.text(4)?,
        autopay_day: row.opt_int(5)?,
        autopay_cap: row.opt_int(6)?.map(qianbao_ledger::Amount::from_minor),
        created_ms: row.int(7)?,
        updated_ms: row.int(8)?,
    })
}

impl BillRecords for SqlRecords<'_> {
    fn insert_bill_lookup(&mut self, l: &BillLookupRecord) -> Result<(), StoreError> {
        self.insert(
            "bill_lookups",
            LOOKUP_COLUMNS,
            &[
                l.id.as_str().into(),
                l.holder_id.as_str().into(),
                l.biller_id.as_str().into(),
                l.biller_name.as_str().into(),
                l.account.as_str().into(),
                l.reference.as_str().into(),
                l.amount.into(),
                l.period.as_str().into(),
                l.masked_name.as_str().into(),
                l.created_ms.into(),
                l.expires_ms.into(),
            ],
        )
    }

    fn bill_lookup(&mut self, id: &str) -> Result<Option<BillLookupRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {LOOKUP_COLUMNS} FROM bill_lookups WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| lookup_from(&row))
            .transpose()
    }

    fn insert_bill_payment(&mut self, p: &BillPaymentRecord) -> Result<(), StoreError> {
        self.insert(
            "bill_payments",
            PAYMENT_COLUMNS,
            &[
                p.movement_id.as_str().into(),
                p.holder_id.as_str().into(),
                p.lookup_id.as_str().into(),
                p.biller_id.as_str().into(),
                p.biller_name.as_str().into(),
                p.account.as_str().into(),
                p.reference.as_str().into(),
                p.amount.into(),
                p.period.as_str().into(),
                p.status.as_str().into(),
                p.receipt.as_deref().into(),
                p.autopay.into(),
                p.created_ms.into(),
                p.updated_ms.into(),
            ],
        )
    }

    fn bill_payment(&mut self, movement_id: &str) -> Result<Option<BillPaymentRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {PAYMENT_COLUMNS} FROM bill_payments WHERE movement_id = $1"),
                &[movement_id.into()],
            )?
            .map(|row| payment_from(&row))
            .transpose()
    }

    fn open_bill_payment(
        &mut self,
        biller_id: &str,
        reference: &str,
    ) -> Result<Option<BillPaymentRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {PAYMENT_COLUMNS} FROM bill_payments
                     WHERE biller_id = $1 AND reference = $2 AND status <> 'refused'"
                ),
                &[biller_id.into(), reference.into()],
            )?
            .map(|row| payment_from(&row))
            .transpose()
    }

    fn settle_bill_payment(
        &mut self,
        movement_id: &str,
        status: BillPaymentStatus,
        receipt: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE bill_payments SET status = $2, receipt = $3, updated_ms = $4
             WHERE movement_id = $1",
            &[
                movement_id.into(),
                status.as_str().into(),
                receipt.into(),
                at_ms.into(),
            ],
        )
    }

    fn saved_billers(&mut self, holder_id: &str) -> Result<Vec<SavedBillerRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {SAVED_COLUMNS} FROM saved_billers WHERE holder_id = $1
                     ORDER BY created_ms, id"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(saved_from)
            .collect()
    }

    fn saved_biller(&mut self, id: &str) -> Result<Option<SavedBillerRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {SAVED_COLUMNS} FROM saved_billers WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| saved_from(&row))
            .transpose()
    }

    fn insert_saved_biller(&mut self, s: &SavedBillerRecord) -> Result<(), StoreError> {
        self.insert(
            "saved_billers",
            SAVED_COLUMNS,
            &[
                s.id.as_str().into(),
                s.holder_id.as_str().into(),
                s.biller_id.as_str().into(),
                s.account.as_str().into(),
                s.nickname.as_str().into(),
                s.autopay_day.into(),
                s.autopay_cap.map(|a| a.minor()).into(),
                s.created_ms.into(),
                s.updated_ms.into(),
            ],
        )
    }

    fn update_saved_biller(&mut self, s: &SavedBillerRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE saved_billers SET nickname = $2, autopay_day = $3, autopay_cap = $4,
                 updated_ms = $5
             WHERE id = $1",
            &[
                s.id.as_str().into(),
                s.nickname.as_str().into(),
                s.autopay_day.into(),
                s.autopay_cap.map(|a| a.minor()).into(),
                s.updated_ms.into(),
            ],
        )
    }

    fn delete_saved_biller(&mut self, id: &str) -> Result<(), StoreError> {
        self.0
            .write("DELETE FROM saved_billers WHERE id = $1", &[id.into()])
    }
}
