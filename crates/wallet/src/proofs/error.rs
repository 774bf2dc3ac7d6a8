//! Why a proof or a checkpoint was refused.

use crate::StoreError;

/// A refusal: the request's fault (a 4xx, naming the field) or storage's.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// Storage failed or holds something broken.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A number out of range: `field` names the query or body field.
    #[error("{detail}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// Why, in words.
        detail: String,
    },
    /// The movement has no journal line in the log (it failed, or has not reached the ledger).
    #[error("this transaction has no journal line in the log")]
    NotLogged,
    /// No checkpoint of that size was published.
    #[error("no checkpoint of that size was published")]
    NoCheckpoint,
    /// No liability snapshot has been published yet.
    #[error("no liability snapshot has been published yet")]
    NoSnapshot,
    /// The owner is not in the newest snapshot (their wallet is newer than it).
    #[error("your wallet is not in the newest liability snapshot; it is in the next one")]
    NotInSnapshot,
    /// The cosignature names no key in the operator's witness list.
    #[error("the signature is by no witness key this log trusts")]
    UnknownWitness,
    /// The cosignature is malformed or does not verify over the checkpoint.
    #[error("the cosignature does not verify over this checkpoint: {0}")]
    BadSignature(String),
}

impl ProofError {
    /// An out-of-range `field`.
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        ProofError::Invalid {
            field,
            detail: detail.into(),
        }
    }
}
