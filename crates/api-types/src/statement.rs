//! A statement export that carries the journal log's proofs (issue 23 §3, `docs/proofs.md`):
//! the holder's records with, for each, the inclusion proof of its ledger entry, all under one
//! signed checkpoint, so anyone can check the file offline with the operator's key.

use crate::proofs::{CheckpointReply, InclusionReply};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /v1/me/transactions.json`: the records and, with `proofs=true`, the checkpoint every
/// proof leads to.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StatementExport {
    /// The signed checkpoint all `proof`s are under; `null` without `proofs=true`.
    pub checkpoint: Option<CheckpointReply>,
    /// The records, newest first: the columns of the CSV export, as JSON.
    pub transactions: Vec<StatementLine>,
}

/// One record of a statement export: the record as `GET /v1/me/transactions/{id}` answers it,
/// with its ledger entry and that entry's proof.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StatementLine {
    /// The record's fields, at the top level of the line.
    #[serde(flatten)]
    pub record: crate::TransactionBody,
    /// The ledger entry (or hold) behind it, 32 lowercase hex digits, as the leaf's `entry` line
    /// names it; `null` when it has none.
    pub entry: Option<String>,
    /// The inclusion proof of that entry's journal line under `checkpoint`, the shape of
    /// `GET /v1/me/transactions/{id}/proof`; `null` without `proofs=true`, for a record with no
    /// ledger entry, or for one logged after the checkpoint.
    pub proof: Option<InclusionReply>,
}
