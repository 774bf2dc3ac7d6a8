//! The rows proofs read and write: the journal log's size and stored subtree hashes, a journal
//! line as its log leaf, account salts, and the signed checkpoints.

use crate::StoreError;
use qianbao_ledger::{AccountId, EntryId};
use qianbao_proofs::hash::Hash;

/// A journal line as the log holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedLine {
    /// Its journal sequence number.
    pub seq: i64,
    /// Its leaf index: `seq − 1` plus the liability snapshots logged before it.
    pub leaf_index: i64,
    /// The journal line's text (the encoded instruction).
    pub text: String,
    /// The leaf's canonical bytes (`docs/proofs.md`): the leaf hash is `SHA-256(0x00 ‖ leaf)`.
    pub leaf: Vec<u8>,
}

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointRecord {
    /// The tree size it signs.
    pub size: i64,
    /// The root at that size.
    pub root: Hash,
    /// The signed note: the operator's signature first, then any witnesses' cosignatures.
    pub note: String,
    /// When it was published (ms).
    pub created_ms: i64,
}

/// The proof rows.
pub trait ProofRecords {
    /// How many leaves the log has (journal lines logged so far).
    fn log_size(&mut self) -> Result<i64, StoreError>;
    /// The stored perfect-subtree hash at `(level, index)`, if it is complete.
    fn log_node(&mut self, level: u32, index: u64) -> Result<Option<Hash>, StoreError>;
    /// The stored perfect-subtree hashes at `at`, those that are complete, in one read.
    fn log_nodes_at(&mut self, at: &[(u32, u64)]) -> Result<Vec<(u32, u64, Hash)>, StoreError>;
    /// The journal line of ledger entry `entry`, with its canonical leaf bytes. The store writes
    /// the leaves, so it is the one that knows their format; the wallet only passes them on.
    fn logged_line(&mut self, entry: EntryId) -> Result<Option<LoggedLine>, StoreError>;
    /// The salt of `account`'s commitment in the log's leaves (a keyed hash under the log's
    /// key, which never leaves the store).
    fn account_salt(&mut self, account: AccountId) -> Result<Hash, StoreError>;
    /// Stores a checkpoint unless one of that size exists (then leaves it: a size has one root,
    /// and Ed25519 signs deterministically, so the stored one is the same).
    fn insert_checkpoint(&mut self, checkpoint: &CheckpointRecord) -> Result<(), StoreError>;
    /// The checkpoint of the largest size.
    fn latest_checkpoint(&mut self) -> Result<Option<CheckpointRecord>, StoreError>;
    /// The checkpoint of `size`.
    fn checkpoint_at(&mut self, size: i64) -> Result<Option<CheckpointRecord>, StoreError>;
    /// Replaces the note of checkpoint `size` (a cosignature appended).
    fn set_checkpoint_note(&mut self, size: i64, note: &str) -> Result<(), StoreError>;
}
