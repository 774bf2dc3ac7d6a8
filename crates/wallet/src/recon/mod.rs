//! Reconciliation: the bank's daily statement against the movements it confirmed to us, the
//! cases each break opens, and the funding invariant checked every day.
//!
//! The pure parts — the statement file ([`statement`]), the matcher ([`matcher`]) and the
//! invariant ([`funding`]) — do no I/O; the use cases ([`import`], [`cases`], [`daily`]) read
//! and write through [`RecordStore`](crate::storage::RecordStore) like every other.

pub mod cases;
pub mod daily;
pub mod funding;
pub mod import;
pub mod matcher;
pub mod statement;

pub use crate::domain::{BankKind, BankReference};
pub use statement::{Statement, StatementError, StatementLine};

use crate::StoreError;
use crate::money::records::CaseStatus;

/// The operator's numbers for reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconPolicy {
    /// How many days a statement line's date may be from the day we confirmed its movement
    /// before the difference is a break (default 1: a movement made just before midnight may
    /// be booked by the bank just after).
    pub date_tolerance_days: i64,
}

impl Default for ReconPolicy {
    fn default() -> Self {
        ReconPolicy {
            date_tolerance_days: 1,
        }
    }
}

/// Why a reconciliation task could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ReconError {
    /// The statement file was refused, whole: nothing of it was imported.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// The statement has no line and no day was named, so nothing says which day it covers.
    #[error("the statement has no lines: name the day it covers")]
    NoDay,
    /// More confirmations on one day than one import reads.
    #[error("more than {0} movements were confirmed on one day; this import cannot hold them")]
    TooMany(i64),
    /// No case has this id.
    #[error("no reconciliation case {0}")]
    NoSuchCase(String),
    /// The case was resolved already.
    #[error("case {id} is {status} already")]
    NotOpen {
        /// The case.
        id: String,
        /// How it was resolved.
        status: CaseStatus,
    },
    /// A resolution needs a note of 1 to 500 visible characters.
    #[error("the note must be 1 to 500 characters, with no control or hidden characters")]
    NoteInvalid,
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
