//! Importing a bank statement: the file is read whole (or refused whole), matched against the
//! movements the bank confirmed to us, and kept by its digest with one case per new break — so
//! the same file imported again answers its first summary and counts nothing twice.

use super::matcher::reconcile;
use super::{ReconError, ReconPolicy, Statement};
use crate::domain::{BankReference, ChinaDay};
use crate::money::records::{BankConfirmation, CaseRecord, CaseStatus, ImportRecord};
use crate::storage::RecordStore;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The most confirmations one day may have for one import to read them.
pub const CONFIRMATIONS_PER_DAY_MAX: i64 = 2_000_000;

/// How many bank references one read names.
const REFERENCES_PER_READ: usize = 500;

/// An import, as it came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The import (the first one, when the same file was imported before).
    pub import: ImportRecord,
    /// Whether this file was imported before: nothing was counted again.
    pub replayed: bool,
}

/// SHA-256 of the file, hex: what recognises the same file again.
pub fn digest(file: &[u8]) -> String {
    crate::domain::hex_lower(&Sha256::digest(file))
}

/// Imports the statement `file`. `day`, when given, is a day it covers besides its lines' own
/// (needed for a statement with no line). A bad line refuses the whole file and keeps nothing.
pub async fn import_statement(
    store: &impl RecordStore,
    ids: &crate::ids::Ids,
    file: &[u8],
    day: Option<ChinaDay>,
    policy: &ReconPolicy,
    now_ms: i64,
) -> Result<Imported, ReconError> {
    let statement = Statement::parse_csv(file)?;
    let digest = digest(file);
    let known = digest.clone();
    if let Some(first) = store.transact_read(move |r| r.recon_import(&known)).await? {
        return Ok(Imported {
            import: first,
            replayed: true,
        });
    }
    let mut days = statement.days();
    days.extend(day);
    if days.is_empty() {
        return Err(ReconError::NoDay);
    }
    let ours = confirmations(store, &statement, &days).await?;
    let found = reconcile(&statement, &ours, &days, policy.date_tolerance_days);
    let import = ImportRecord {
        id: ids.movement_id(),
        digest,
        lines: statement.lines.len() as i64,
        counts: found.counts,
        created_ms: now_ms,
    };
    let ids = ids.clone();
    Ok(store
        .transact_money(move |r| {
            // A twin import of the same file may have committed since the read above.
            if let Some(first) = r.recon_import(&import.digest)? {
                return Ok(Imported {
                    import: first,
                    replayed: true,
                });
            }
            r.insert_recon_import(&import)?;
            for b in &found.breaks {
                // One open case per break, however many files show it.
                if r.open_case(b.kind, &b.bank_reference)?.is_some() {
                    continue;
                }
                r.insert_recon_case(&CaseRecord {
                    id: ids.movement_id(),
                    import_id: import.id.clone(),
                    kind: b.kind,
                    status: CaseStatus::Open,
                    bank_reference: b.bank_reference.clone(),
                    our_references: b.our_references.clone(),
                    bank_amount: b.bank_amount,
                    our_amount: b.our_amount,
                    currency: b.currency,
                    day: b.day,
                    detail: b.detail.clone(),
                    note: None,
                    adjustment_id: None,
                    created_ms: now_ms,
                    resolved_ms: None,
                })?;
            }
            Ok(Imported {
                import: import.clone(),
                replayed: false,
            })
        })
        .await?)
}

/// Our confirmations on `days` and under the statement's references, each once.
async fn confirmations(
    store: &impl RecordStore,
    statement: &Statement,
    days: &BTreeSet<ChinaDay>,
) -> Result<Vec<BankConfirmation>, ReconError> {
    let references: Vec<BankReference> = statement
        .lines
        .iter()
        .map(|l| l.bank_reference.clone())
        .collect();
    let days: Vec<ChinaDay> = days.iter().copied().collect();
    let read = store
        .transact_read(move |r| {
            let mut all = Vec::new();
            for day in &days {
                let of_day = r.confirmations_between(
                    day.start_ms(),
                    day.end_ms(),
                    CONFIRMATIONS_PER_DAY_MAX + 1,
                )?;
                if of_day.len() as i64 > CONFIRMATIONS_PER_DAY_MAX {
                    return Ok(None);
                }
                all.extend(of_day);
            }
            for chunk in references.chunks(REFERENCES_PER_READ) {
                all.extend(r.confirmations_under(chunk)?);
            }
            Ok(Some(all))
        })
        .await?
        .ok_or(ReconError::TooMany(CONFIRMATIONS_PER_DAY_MAX))?;
    let mut seen = BTreeSet::new();
    Ok(read
        .into_iter()
        .filter(|c| seen.insert(c.movement_id.clone()))
        .collect())
}
