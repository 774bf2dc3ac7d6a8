//! The stored subtree hashes as the proof math's [`Nodes`], read inside one transaction.

use super::records::ProofRecords;
use crate::StoreError;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::log::{LogError, Nodes};
use std::cell::RefCell;

/// [`Nodes`] over an open transaction. The math's reads are infallible (`None` is "missing"),
/// so a storage error is kept aside and wins over the [`LogError::MissingNode`] it causes.
pub struct TxNodes<'a> {
    tx: RefCell<&'a mut dyn ProofRecords>,
    failed: RefCell<Option<StoreError>>,
}

impl<'a> TxNodes<'a> {
    /// Reads through `tx`.
    pub fn new(tx: &'a mut dyn ProofRecords) -> Self {
        TxNodes {
            tx: RefCell::new(tx),
            failed: RefCell::new(None),
        }
    }

    /// The outcome of a computation over these nodes: a storage error first; a node missing
    /// from a size the log has is corruption; the math's other refusals are the caller's.
    pub fn finish<T>(
        &self,
        outcome: Result<T, LogError>,
    ) -> Result<Result<T, LogError>, StoreError> {
        if let Some(e) = self.failed.borrow_mut().take() {
            return Err(e);
        }
        match outcome {
            Err(e @ LogError::MissingNode { .. }) => Err(StoreError::Corrupt(e.to_string())),
            other => Ok(other),
        }
    }
}

impl Nodes for TxNodes<'_> {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        match self.tx.borrow_mut().log_node(level, index) {
            Ok(hash) => hash,
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                None
            }
        }
    }
}
