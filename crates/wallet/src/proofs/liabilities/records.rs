//! The rows of liability snapshots: the balances read at one instant, the snapshot's head, its
//! tiles of leaves, the nodes above them, and its leaf in the journal's log.

use crate::StoreError;
use qianbao_ledger::{AccountId, AccountKind};
use qianbao_proofs::hash::Hash;

/// One account's balance as a snapshot reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerBalance {
    /// The owner, as the ledger names it (`wallet:<id>`).
    pub owner: String,
    /// The currency or unit code.
    pub currency: String,
    /// The balance in minor units.
    pub balance: i64,
}

/// Where a snapshot is: being written, or logged and served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotStatus {
    /// Its tiles and nodes are being written; nothing serves or checks it yet.
    Building,
    /// Its leaf is in the journal's log: served to holders and checked by `qianbao verify`.
    Published,
}

impl SnapshotStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotStatus::Building => "building",
            SnapshotStatus::Published => "published",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [SnapshotStatus::Building, SnapshotStatus::Published]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Every stored name, for the named-states check.
    pub fn names() -> Vec<&'static str> {
        vec!["building", "published"]
    }
}

/// A snapshot's head row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotRecord {
    /// Its id.
    pub id: String,
    /// When its balances were read (ms).
    pub taken_ms: i64,
    /// The journal line its balances are as of.
    pub journal_seq: i64,
    /// Its number of leaves.
    pub leaves: i64,
    /// The key its owners' salts are made under (never leaves the store and this module).
    pub salt_key: Vec<u8>,
    /// The root hash.
    pub root_hash: Hash,
    /// The root sums in the canonical sums encoding.
    pub root_sums: Vec<u8>,
    /// Where it is.
    pub status: SnapshotStatus,
    /// Its leaf's index in the journal's log, once published.
    pub leaf_index: Option<i64>,
}

/// An account as a replay needs it, with its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerAccount {
    /// Its id.
    pub id: AccountId,
    /// Its kind.
    pub kind: AccountKind,
    /// Its currency.
    pub currency: qianbao_ledger::Currency,
    /// Its owner, as the ledger names it.
    pub owner: String,
}

/// A stored tile: its number, its first leaf's commitment, and its leaves' bytes.
pub type StoredTile = (i64, Vec<u8>, Vec<u8>);

/// A node of the tree above the tiles: level, index, hash, sums (canonical encoding).
pub type UpperNode = (i64, i64, Hash, Vec<u8>);

/// The snapshot rows.
pub trait LiabilityRecords {
    /// The journal's head seq and every balance of an account of `kinds` not the operator's, in
    /// one snapshot of the database, ordered by owner.
    fn liability_balances(
        &mut self,
        kinds: &[AccountKind],
    ) -> Result<(i64, Vec<OwnerBalance>), StoreError>;
    /// Stores a new snapshot's head; false when that id exists already.
    fn insert_liability_snapshot(&mut self, snapshot: &SnapshotRecord) -> Result<bool, StoreError>;
    /// Stores tiles `(tile, first commitment, leaves)` of snapshot `id`.
    fn insert_liability_tiles(
        &mut self,
        id: &str,
        tiles: &[(i64, Hash, Vec<u8>)],
    ) -> Result<(), StoreError>;
    /// Stores nodes of the tree above the tiles of snapshot `id`.
    fn insert_liability_nodes(&mut self, id: &str, nodes: &[UpperNode]) -> Result<(), StoreError>;
    /// Appends `leaf` to the journal's log as snapshot `id`'s leaf and marks the snapshot
    /// published, in the caller's money transaction; answers the leaf's index.
    fn log_liability_snapshot(&mut self, id: &str, leaf: &[u8]) -> Result<i64, StoreError>;
    /// Drops a snapshot that never got published, and its rows.
    fn delete_liability_snapshot(&mut self, id: &str) -> Result<(), StoreError>;
    /// Snapshot `id`, whatever its status.
    fn liability_snapshot(&mut self, id: &str) -> Result<Option<SnapshotRecord>, StoreError>;
    /// The newest published snapshot.
    fn latest_liability_snapshot(&mut self) -> Result<Option<SnapshotRecord>, StoreError>;
    /// Every published snapshot, oldest first.
    fn published_liability_snapshots(&mut self) -> Result<Vec<SnapshotRecord>, StoreError>;
    /// The tile of snapshot `id` that would hold `commitment`: the last whose first commitment is
    /// not above it, as `(tile, leaves)`.
    fn liability_tile_for(
        &mut self,
        id: &str,
        commitment: &Hash,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError>;
    /// Every tile of snapshot `id` as `(tile, first commitment, leaves)`, in order.
    fn liability_tiles(&mut self, id: &str) -> Result<Vec<StoredTile>, StoreError>;
    /// The node at `(level, index)` above the tiles of snapshot `id`.
    fn liability_node(
        &mut self,
        id: &str,
        level: i64,
        index: i64,
    ) -> Result<Option<(Hash, Vec<u8>)>, StoreError>;
    /// Every node above the tiles of snapshot `id`.
    fn liability_nodes(&mut self, id: &str) -> Result<Vec<UpperNode>, StoreError>;
    /// Snapshot `id`'s leaf in the journal's log: `(leaf index, after journal line, bytes)`.
    fn snapshot_log_leaf(&mut self, id: &str) -> Result<Option<(i64, i64, Vec<u8>)>, StoreError>;
    /// Every account, for a replay of the journal: id, kind, currency, owner.
    fn accounts_with_owners(&mut self) -> Result<Vec<LedgerAccount>, StoreError>;
    /// The journal's lines from 1 to `seq`, as their texts, in order.
    fn journal_texts(&mut self, seq: i64) -> Result<Vec<String>, StoreError>;
}
