//! Reconciliation cases: listing them, and resolving one — accepted with a note by an operator
//! now, or adjusted through a ledger adjustment that a second person approves (the four-eyes
//! path, which calls [`resolve`] with [`Resolution::Adjusted`] once its entry is applied).

use super::ReconError;
use crate::domain::display_text;
use crate::money::records::{CaseRecord, CaseStatus};
use crate::storage::RecordStore;

/// The longest note kept with a resolution.
const NOTE_CHARS_MAX: usize = 500;

/// The most cases one listing returns.
pub const CASES_LISTED_MAX: i64 = 1_000;

/// How a case is resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The difference is understood and needs no entry (a timing difference, say).
    Accepted {
        /// Why.
        note: String,
    },
    /// A ledger adjustment made the books agree.
    Adjusted {
        /// The adjustment's entry.
        adjustment_id: String,
        /// Why.
        note: String,
    },
}

/// Cases in `status` (any when `None`), oldest first, at most `limit` (capped at
/// [`CASES_LISTED_MAX`]).
pub async fn cases(
    store: &impl RecordStore,
    status: Option<CaseStatus>,
    limit: i64,
) -> Result<Vec<CaseRecord>, ReconError> {
    let limit = limit.clamp(1, CASES_LISTED_MAX);
    Ok(store
        .transact_read(move |r| r.recon_cases(status, limit))
        .await?)
}

/// Resolves the open case `id`; answers it as it now stands.
pub async fn resolve(
    store: &impl RecordStore,
    id: &str,
    resolution: Resolution,
    now_ms: i64,
) -> Result<CaseRecord, ReconError> {
    let (status, note, adjustment_id) = match resolution {
        Resolution::Accepted { note } => (CaseStatus::Accepted, note, None),
        Resolution::Adjusted {
            adjustment_id,
            note,
        } => (CaseStatus::Adjusted, note, Some(adjustment_id)),
    };
    let note = display_text(&note, NOTE_CHARS_MAX, true).map_err(|_| ReconError::NoteInvalid)?;
    let id = id.to_owned();
    // The refusal travels out as a value: a transaction's work answers storage errors only.
    store
        .transact_money(move |r| {
            let Some(case) = r.recon_case(&id)? else {
                return Ok(Err(ReconError::NoSuchCase(id.clone())));
            };
            if case.status != CaseStatus::Open {
                return Ok(Err(ReconError::NotOpen {
                    id: id.clone(),
                    status: case.status,
                }));
            }
            r.resolve_recon_case(&id, status, &note, adjustment_id.as_deref(), now_ms)?;
            Ok(Ok(r.recon_case(&id)?.unwrap_or(case)))
        })
        .await?
}

/// Accepts the open case `id` with `note`.
pub async fn accept(
    store: &impl RecordStore,
    id: &str,
    note: &str,
    now_ms: i64,
) -> Result<CaseRecord, ReconError> {
    resolve(
        store,
        id,
        Resolution::Accepted {
            note: note.to_owned(),
        },
        now_ms,
    )
    .await
}
