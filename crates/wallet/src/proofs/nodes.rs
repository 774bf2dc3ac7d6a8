//! The stored subtree hashes as the proof math's [`Nodes`], read inside one transaction.
//!
//! Which nodes a proof needs depends only on the leaf index and the tree sizes, never on the
//! hashes, so a computation can be run once over a [`Recorder`] that answers every node with a
//! placeholder and notes what was asked, and all of those nodes read in one statement
//! ([`TxNodes::prefetch`]) before it runs for real. On PostgreSQL that is one round trip for a
//! proof instead of forty at a million leaves.

use super::records::ProofRecords;
use crate::StoreError;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::log::{LogError, Nodes};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// [`Nodes`] over an open transaction, keeping every node it has read. The math's reads are
/// infallible (`None` is "missing"), so a storage error is kept aside and wins over the
/// [`LogError::MissingNode`] it causes.
pub struct TxNodes<'a> {
    tx: RefCell<&'a mut dyn ProofRecords>,
    read: RefCell<HashMap<(u32, u64), Hash>>,
    failed: RefCell<Option<StoreError>>,
}

/// Answers every node with a placeholder and notes which were asked: a dry run of a proof.
#[derive(Default)]
pub struct Recorder(RefCell<BTreeSet<(u32, u64)>>);

impl Recorder {
    /// The nodes asked for, in order.
    pub fn asked(self) -> Vec<(u32, u64)> {
        self.0.into_inner().into_iter().collect()
    }
}

impl Nodes for Recorder {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        self.0.borrow_mut().insert((level, index));
        Some([0; 32])
    }
}

impl<'a> TxNodes<'a> {
    /// Reads through `tx`.
    pub fn new(tx: &'a mut dyn ProofRecords) -> Self {
        TxNodes {
            tx: RefCell::new(tx),
            read: RefCell::new(HashMap::new()),
            failed: RefCell::new(None),
        }
    }

    /// Runs `dry` over a [`Recorder`] and reads every node it asked for (and has not read yet)
    /// in one statement, so the real run that follows finds them all here.
    pub fn prefetch(&self, dry: impl FnOnce(&Recorder)) {
        let recorder = Recorder::default();
        dry(&recorder);
        let wanted: Vec<(u32, u64)> = {
            let read = self.read.borrow();
            recorder
                .asked()
                .into_iter()
                .filter(|at| !read.contains_key(at))
                .collect()
        };
        if wanted.is_empty() {
            return;
        }
        match self.tx.borrow_mut().log_nodes_at(&wanted) {
            Ok(found) => self
                .read
                .borrow_mut()
                .extend(found.into_iter().map(|(l, i, h)| ((l, i), h))),
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
            }
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
        if let Some(hash) = self.read.borrow().get(&(level, index)) {
            return Some(*hash);
        }
        match self.tx.borrow_mut().log_node(level, index) {
            Ok(Some(hash)) => {
                self.read.borrow_mut().insert((level, index), hash);
                Some(hash)
            }
            Ok(None) => None,
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                None
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::proofs::{CheckpointRecord, LoggedLine};
    use qianbao_ledger::{AccountId, EntryId};
    use qianbao_proofs::log;

    /// The stored nodes of a log, counting the statements that reach them.
    #[derive(Default)]
    struct Stored {
        nodes: HashMap<(u32, u64), Hash>,
        single: usize,
        batched: usize,
    }

    impl ProofRecords for Stored {
        fn log_size(&mut self) -> Result<i64, StoreError> {
            Ok(0)
        }
        fn log_node(&mut self, level: u32, index: u64) -> Result<Option<Hash>, StoreError> {
            self.single += 1;
            Ok(self.nodes.get(&(level, index)).copied())
        }
        fn log_nodes_at(&mut self, at: &[(u32, u64)]) -> Result<Vec<(u32, u64, Hash)>, StoreError> {
            self.batched += 1;
            Ok(at
                .iter()
                .filter_map(|&(l, i)| self.nodes.get(&(l, i)).map(|h| (l, i, *h)))
                .collect())
        }
        fn logged_line(&mut self, _: EntryId) -> Result<Option<LoggedLine>, StoreError> {
            Ok(None)
        }
        fn account_salt(&mut self, _: AccountId) -> Result<Hash, StoreError> {
            Ok([0; 32])
        }
        fn insert_checkpoint(&mut self, _: &CheckpointRecord) -> Result<(), StoreError> {
            Ok(())
        }
        fn latest_checkpoint(&mut self) -> Result<Option<CheckpointRecord>, StoreError> {
            Ok(None)
        }
        fn checkpoint_at(&mut self, _: i64) -> Result<Option<CheckpointRecord>, StoreError> {
            Ok(None)
        }
        fn set_checkpoint_note(&mut self, _: i64, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
    }

    fn log_of(leaves: u64) -> HashMap<(u32, u64), Hash> {
        let mut nodes = HashMap::new();
        for i in 0..leaves {
            let leaf = qianbao_proofs::hash::leaf_hash(&i.to_be_bytes());
            for (level, index, hash) in log::appended(i, leaf, &nodes).unwrap() {
                nodes.insert((level, index), hash);
            }
        }
        nodes
    }

    #[test]
    fn a_prefetched_proof_is_the_same_and_reads_in_one_statement() {
        let nodes = log_of(1_000);
        for (index, size) in [(0, 1), (17, 1_000), (999, 1_000), (512, 777), (3, 4)] {
            let mut stored = Stored {
                nodes: nodes.clone(),
                ..Stored::default()
            };
            let tx = TxNodes::new(&mut stored);
            tx.prefetch(|dry| {
                let _ = log::inclusion_proof(index, size, dry);
                let _ = log::root(size, dry);
            });
            let proof = tx
                .finish(log::inclusion_proof(index, size, &tx))
                .unwrap()
                .unwrap();
            let root = tx.finish(log::root(size, &tx)).unwrap().unwrap();
            assert_eq!(proof, log::inclusion_proof(index, size, &nodes).unwrap());
            assert_eq!(root, log::root(size, &nodes).unwrap());
            drop(tx);
            assert_eq!((stored.batched, stored.single), (1, 0), "{index} of {size}");
        }
        // A consistency proof too.
        let mut stored = Stored {
            nodes: nodes.clone(),
            ..Stored::default()
        };
        let tx = TxNodes::new(&mut stored);
        tx.prefetch(|dry| {
            let _ = log::consistency_proof(300, 1_000, dry);
        });
        let proof = tx
            .finish(log::consistency_proof(300, 1_000, &tx))
            .unwrap()
            .unwrap();
        assert_eq!(proof, log::consistency_proof(300, 1_000, &nodes).unwrap());
        drop(tx);
        assert_eq!((stored.batched, stored.single), (1, 0));
    }
}
