//! The console's JSON for holder actions, refunds on a merchant's behalf and reconciliation
//! (`/v1/console/holders/{id}/…`, `/v1/console/payments/{id}/refund`, `/v1/console/recon/…`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a holder action left: restrict, unrestrict, end sessions, reset the login lock.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderActionView {
    /// The holder.
    pub holder_id: String,
    /// `active`, `frozen`, `restricted` or `closed`, now.
    pub status: String,
    /// Whether login is locked by wrong passwords, now.
    pub login_locked: bool,
    /// Sessions the action ended (0 but for `sessions/end`).
    pub sessions_ended: i64,
}

/// `POST /v1/console/payments/{payment_id}/refund`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsoleRefundRequest {
    /// Minor units, positive; at most what the payment has left to refund.
    pub amount: i64,
    /// Why (the payer sees it in their records; kept in the audit log): 1–200 characters.
    #[serde(default)]
    pub reason: String,
}

/// A refund made at once on a merchant's behalf.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleRefundView {
    /// The refund's id.
    pub refund_id: String,
    /// `succeeded`.
    pub status: String,
    /// What went back to the payer, minor units.
    pub amount: i64,
}

/// A reconciliation case.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReconCaseView {
    /// The case's id (`case_id` of an adjustment command that resolves it).
    pub case_id: String,
    /// `missing_here`, `missing_at_bank`, `amount_differs` or `date_outside_tolerance`.
    pub kind: String,
    /// The day it concerns, YYYY-MM-DD (China).
    pub day: String,
    /// The bank reference it is about.
    pub reference: String,
    /// Our movements involved.
    pub our_references: Vec<String>,
    /// What our records say moved, minor units, when we have any.
    pub our_amount: Option<i64>,
    /// What the bank's line says moved, minor units, when there is a line.
    pub bank_amount: Option<i64>,
    /// ISO 4217.
    pub currency: String,
    /// `open`, `accepted` or `adjusted`.
    pub status: String,
    /// The difference in words.
    pub detail: String,
    /// Why it was accepted or adjusted.
    pub note: Option<String>,
    /// The four-eyes adjustment command that resolved it.
    pub adjustment_id: Option<String>,
    /// The import that found it.
    pub import_id: String,
    /// When it was found (RFC 3339).
    pub created_at: String,
    /// When it was resolved (RFC 3339).
    pub resolved_at: Option<String>,
}

/// `POST /v1/console/recon/imports`: what the statement came to.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReconImportView {
    /// The import (the first one, when the same file was imported before).
    pub import_id: String,
    /// Whether this file was imported before: nothing was counted again.
    pub replayed: bool,
    /// Statement lines read.
    pub lines: i64,
    /// Lines matched to our movements.
    pub matched: i64,
    /// Lines the bank has and we do not.
    pub missing_here: i64,
    /// Movements we have and the bank does not.
    pub missing_at_bank: i64,
    /// Lines whose amount differs from ours.
    pub amount_differs: i64,
    /// Lines whose day is too far from ours.
    pub date_outside_tolerance: i64,
    /// The cases this import opened.
    pub cases: Vec<ReconCaseView>,
}

/// `POST /v1/console/recon/cases/{id}/accept`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptCaseBody {
    /// Why the difference needs no entry: 1–500 characters.
    #[serde(default)]
    pub note: String,
}

/// A break of the funding invariant found by the daily check.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FundingAlertView {
    /// The alert's id.
    pub alert_id: String,
    /// The day checked, YYYY-MM-DD (China).
    pub day: String,
    /// ISO 4217.
    pub currency: String,
    /// The funding account less what it owes, minor units (0 would hold).
    pub difference: i64,
    /// The position in words.
    pub detail: String,
    /// When it was raised (RFC 3339).
    pub created_at: String,
}
