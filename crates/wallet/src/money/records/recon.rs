//! Reconciliation's rows: what the bank confirmed for each movement (its own reference, kept in
//! the transaction that applied its answer), the statement files imported, and the case each
//! break opened.

use crate::StoreError;
use crate::domain::{BankKind, BankReference, ChinaDay};
use qianbao_ledger::{Amount, Currency};

crate::named! {
    /// What a statement and our records disagree on.
    pub enum BreakKind {
        /// The bank moved money we have no finished movement for under its reference.
        MissingHere = "missing_here",
        /// We finished a movement the bank's statement of its day does not show.
        MissingAtBank = "missing_at_bank",
        /// Both sides have it, for different amounts (or currencies, or kinds).
        AmountDiffers = "amount_differs",
        /// Both sides have it, on days further apart than the policy's tolerance.
        DateOutsideTolerance = "date_outside_tolerance",
    }
}

crate::named! {
    /// Where a reconciliation case stands.
    pub enum CaseStatus {
        /// Found, not yet dealt with.
        Open = "open",
        /// An operator accepted the difference with a note (a timing difference, a bank fee).
        Accepted = "accepted",
        /// A ledger adjustment, approved by a second person, resolved it.
        Adjusted = "adjusted",
    }
}

/// A movement the bank confirmed done, as the platform kept it when the bank answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankConfirmation {
    /// The movement's id: our reference, the one the bank dedupes by.
    pub movement_id: String,
    /// The bank's own reference (a batch's, for a batched settlement).
    pub bank_reference: BankReference,
    /// Top-up, withdrawal or settlement.
    pub kind: BankKind,
    /// What moved at the card: a top-up's amount and fee, a payout's amount.
    pub amount: Amount,
    /// ISO 4217.
    pub currency: Currency,
    /// When the platform applied the bank's answer (ms).
    pub confirmed_ms: i64,
}

/// How an import came out: lines matched, and breaks by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconCounts {
    /// Statement lines that agreed with our records.
    pub matched: i64,
    /// Our movements those lines covered (more than `matched` when the bank batched).
    pub matched_movements: i64,
    /// Lines the bank has and we do not.
    pub missing_here: i64,
    /// Movements we have and the bank's statement does not.
    pub missing_at_bank: i64,
    /// Lines whose amount differs from ours.
    pub amount_differs: i64,
    /// Lines booked further from our day than the tolerance.
    pub date_outside_tolerance: i64,
}

impl ReconCounts {
    /// Every break, of any kind.
    pub fn breaks(&self) -> i64 {
        self.missing_here + self.missing_at_bank + self.amount_differs + self.date_outside_tolerance
    }
}

/// One statement file imported: kept by its digest, so the same file is never counted twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    /// The import's id.
    pub id: String,
    /// SHA-256 of the file's bytes, hex.
    pub digest: String,
    /// Statement lines in the file.
    pub lines: i64,
    /// What it came to.
    pub counts: ReconCounts,
    /// When it was imported (ms).
    pub created_ms: i64,
}

/// A break an import found, kept until an operator deals with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    /// The case's id.
    pub id: String,
    /// The import that found it.
    pub import_id: String,
    /// What disagrees.
    pub kind: BreakKind,
    /// Open, accepted or adjusted.
    pub status: CaseStatus,
    /// The bank reference the break is about (the statement's, or the one we kept).
    pub bank_reference: BankReference,
    /// Our references involved (the line's, or ours under that bank reference).
    pub our_references: Vec<String>,
    /// What the bank's line says moved, when there is a line.
    pub bank_amount: Option<Amount>,
    /// What our records say moved, when we have any.
    pub our_amount: Option<Amount>,
    /// ISO 4217.
    pub currency: Currency,
    /// The day it concerns (the line's, or ours).
    pub day: ChinaDay,
    /// The difference in words, for the operator.
    pub detail: String,
    /// Why it was accepted (or adjusted).
    pub note: Option<String>,
    /// The ledger adjustment that resolved it, once the four-eyes adjustment path sets one.
    pub adjustment_id: Option<String>,
    /// When it was found (ms).
    pub created_ms: i64,
    /// When it was resolved (ms).
    pub resolved_ms: Option<i64>,
}

/// Reconciliation's rows.
pub trait ReconRecords {
    /// Keeps what the bank confirmed for a movement (once: a movement is finished once).
    fn confirm_at_bank(&mut self, confirmation: &BankConfirmation) -> Result<(), StoreError>;
    /// The confirmations applied from `from_ms` up to (not including) `to_ms`, at most `limit`.
    fn confirmations_between(
        &mut self,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
    ) -> Result<Vec<BankConfirmation>, StoreError>;
    /// The confirmations kept under any of `references`.
    fn confirmations_under(
        &mut self,
        references: &[BankReference],
    ) -> Result<Vec<BankConfirmation>, StoreError>;
    /// The import of the file with `digest`, if it was imported.
    fn recon_import(&mut self, digest: &str) -> Result<Option<ImportRecord>, StoreError>;
    /// Keeps an import.
    fn insert_recon_import(&mut self, import: &ImportRecord) -> Result<(), StoreError>;
    /// The id of the open case of `kind` about `bank_reference`, if there is one.
    fn open_case(
        &mut self,
        kind: BreakKind,
        bank_reference: &BankReference,
    ) -> Result<Option<String>, StoreError>;
    /// Keeps a new case.
    fn insert_recon_case(&mut self, case: &CaseRecord) -> Result<(), StoreError>;
    /// One case.
    fn recon_case(&mut self, id: &str) -> Result<Option<CaseRecord>, StoreError>;
    /// Cases in `status` (any when `None`), oldest first, at most `limit`.
    fn recon_cases(
        &mut self,
        status: Option<CaseStatus>,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StoreError>;
    /// Resolves a case: its new status, the note, the adjustment if any, and when.
    fn resolve_recon_case(
        &mut self,
        id: &str,
        status: CaseStatus,
        note: &str,
        adjustment_id: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError>;
}
