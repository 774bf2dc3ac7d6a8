//! Reconciliation's rows: the bank's confirmations of our movements, imported statements and
//! their cases.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_ledger::Currency;
use qianbao_wallet::StoreError;
use qianbao_wallet::domain::{BankKind, BankReference, ChinaDay};
use qianbao_wallet::money::records::{
    BankConfirmation, BreakKind, CaseRecord, CaseStatus, ImportRecord, ReconCounts, ReconRecords,
};

const CONFIRMATION_COLUMNS: &str = "movement_id, bank_ref, kind, amount, currency, confirmed_ms";

const IMPORT_COLUMNS: &str = "id, digest, lines, matched, matched_movements, missing_here, \
                              missing_at_bank, amount_differs, date_outside_tolerance, created_ms";

const CASE_COLUMNS: &str = "id, import_id, kind, status, bank_ref, our_refs, bank_amount, \
                            our_amount, currency, day_ms, detail, note, adjustment_id, \
                            created_ms, resolved_ms";

fn confirmation_from(row: &Row) -> Result<BankConfirmation, StoreError> {
    Ok(BankConfirmation {
        movement_id: row.text(0)?,
        bank_reference: row.named(1, BankReference::parse)?,
        kind: row.named(2, BankKind::parse)?,
        amount: row.amount(3)?,
        currency: row.named(4, Currency::parse)?,
        confirmed_ms: row.int(5)?,
    })
}

fn import_from(row: &Row) -> Result<ImportRecord, StoreError> {
    Ok(ImportRecord {
        id: row.text(0)?,
        digest: row.text(1)?,
        lines: row.int(2)?,
        counts: ReconCounts {
            matched: row.int(3)?,
            matched_movements: row.int(4)?,
            missing_here: row.int(5)?,
            missing_at_bank: row.int(6)?,
            amount_differs: row.int(7)?,
            date_outside_tolerance: row.int(8)?,
        },
        created_ms: row.int(9)?,
    })
}

fn case_from(row: &Row) -> Result<CaseRecord, StoreError> {
    let amount = |i: usize| -> Result<_, StoreError> {
        Ok(row.opt_int(i)?.map(qianbao_ledger::Amount::from_minor))
    };
    Ok(CaseRecord {
        id: row.text(0)?,
        import_id: row.text(1)?,
        kind: row.named(2, BreakKind::parse)?,
        status: row.named(3, CaseStatus::parse)?,
        bank_reference: row.named(4, BankReference::parse)?,
        our_references: row
            .text(5)?
            .split(';')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        bank_amount: amount(6)?,
        our_amount: amount(7)?,
        currency: row.named(8, Currency::parse)?,
        day: ChinaDay::of_ms(row.int(9)?),
        detail: row.text(10)?,
        note: row.opt_text(11)?,
        adjustment_id: row.opt_text(12)?,
        created_ms: row.int(13)?,
        resolved_ms: row.opt_int(14)?,
    })
}

impl ReconRecords for SqlRecords<'_> {
    fn confirm_at_bank(&mut self, c: &BankConfirmation) -> Result<(), StoreError> {
        self.insert(
            "bank_confirmations",
            CONFIRMATION_COLUMNS,
            &[
                c.movement_id.as_str().into(),
                c.bank_reference.as_str().into(),
                c.kind.as_str().into(),
                c.amount.into(),
                c.currency.as_str().into(),
                c.confirmed_ms.into(),
            ],
        )
    }

    fn confirmations_between(
        &mut self,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
    ) -> Result<Vec<BankConfirmation>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CONFIRMATION_COLUMNS} FROM bank_confirmations
                     WHERE confirmed_ms >= $1 AND confirmed_ms < $2
                     ORDER BY confirmed_ms, movement_id LIMIT $3"
                ),
                &[from_ms.into(), to_ms.into(), limit.max(1).into()],
            )?
            .iter()
            .map(confirmation_from)
            .collect()
    }

    fn confirmations_under(
        &mut self,
        references: &[BankReference],
    ) -> Result<Vec<BankConfirmation>, StoreError> {
        if references.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=references.len()).map(|i| format!("${i}")).collect();
        let values: Vec<Value> = references.iter().map(|r| r.as_str().into()).collect();
        self.0
            .query(
                &format!(
                    "SELECT {CONFIRMATION_COLUMNS} FROM bank_confirmations
                     WHERE bank_ref IN ({}) ORDER BY confirmed_ms, movement_id",
                    placeholders.join(", ")
                ),
                &values,
            )?
            .iter()
            .map(confirmation_from)
            .collect()
    }

    fn recon_import(&mut self, digest: &str) -> Result<Option<ImportRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {IMPORT_COLUMNS} FROM recon_imports WHERE digest = $1"),
                &[digest.into()],
            )?
            .map(|row| import_from(&row))
            .transpose()
    }

    fn insert_recon_import(&mut self, i: &ImportRecord) -> Result<(), StoreError> {
        let c = &i.counts;
        self.insert(
            "recon_imports",
            IMPORT_COLUMNS,
            &[
                i.id.as_str().into(),
                i.digest.as_str().into(),
                i.lines.into(),
                c.matched.into(),
                c.matched_movements.into(),
                c.missing_here.into(),
                c.missing_at_bank.into(),
                c.amount_differs.into(),
                c.date_outside_tolerance.into(),
                i.created_ms.into(),
            ],
        )
    }

    fn open_case(
        &mut self,
        kind: BreakKind,
        bank_reference: &BankReference,
    ) -> Result<Option<String>, StoreError> {
        self.0
            .query_opt(
                "SELECT id FROM recon_cases WHERE kind = $1 AND bank_ref = $2 AND status = 'open'",
                &[kind.as_str().into(), bank_reference.as_str().into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn insert_recon_case(&mut self, c: &CaseRecord) -> Result<(), StoreError> {
        self.insert(
            "recon_cases",
            CASE_COLUMNS,
            &[
                c.id.as_str().into(),
                c.import_id.as_str().into(),
                c.kind.as_str().into(),
                c.status.as_str().into(),
                c.bank_reference.as_str().into(),
                c.our_references.join(";").into(),
                c.bank_amount.into(),
                c.our_amount.into(),
                c.currency.as_str().into(),
                c.day.start_ms().into(),
                c.detail.as_str().into(),
                c.note.clone().into(),
                c.adjustment_id.clone().into(),
                c.created_ms.into(),
                c.resolved_ms.into(),
            ],
        )
    }

    fn recon_case(&mut self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {CASE_COLUMNS} FROM recon_cases WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| case_from(&row))
            .transpose()
    }

    fn recon_cases(
        &mut self,
        status: Option<CaseStatus>,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let limit = Value::from(limit.max(1));
        let rows = match status {
            Some(status) => self.0.query(
                &format!(
                    "SELECT {CASE_COLUMNS} FROM recon_cases WHERE status = $1
                     ORDER BY created_ms, id LIMIT $2"
                ),
                &[status.as_str().into(), limit],
            )?,
            None => self.0.query(
                &format!("SELECT {CASE_COLUMNS} FROM recon_cases ORDER BY created_ms, id LIMIT $1"),
                &[limit],
            )?,
        };
        rows.iter().map(case_from).collect()
    }

    fn resolve_recon_case(
        &mut self,
        id: &str,
        status: CaseStatus,
        note: &str,
        adjustment_id: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE recon_cases SET status = $2, note = $3, adjustment_id = $4, resolved_ms = $5
             WHERE id = $1 AND status = 'open'",
            &[
                id.into(),
                status.as_str().into(),
                note.into(),
                adjustment_id.into(),
                at_ms.into(),
            ],
        )?;
        Ok(())
    }
}
