//! Taking a snapshot without stopping payments: the balances are read in one read snapshot of
//! the database (no lock on the money path), the tree is built off the async threads, its tiles
//! and nodes are written in short money transactions that payments interleave with, and only then
//! is its leaf appended to the journal's log and the snapshot published, in one more.

use super::records::{OwnerBalance, SnapshotRecord, SnapshotStatus, UpperNode};
use super::{LIABILITY_KINDS, owner_salt};
use crate::StoreError;
use crate::proofs::ProofError;
use crate::storage::RecordStore;
use qianbao_proofs::commitment::account_commitment;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::liability::{SnapshotHead, TILE_WIDTH, encode_sums, encode_tile, tile_roots};
use qianbao_proofs::sum_tree::{SumLeaf, SumNode, SumTree};
use std::collections::BTreeMap;

/// Tiles written per money transaction: 1,024 leaves, about 80 KiB, so a payment
/// waits for at most one such write.
const TILES_PER_WRITE: usize = 64;
/// Nodes above the tiles written per money transaction.
const NODES_PER_WRITE: usize = 512;

/// A snapshot taken and published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotTaken {
    /// Its id.
    pub id: String,
    /// When its balances were read (ms).
    pub taken_ms: i64,
    /// The journal line its balances are as of.
    pub journal_seq: i64,
    /// Its leaves: one per owner.
    pub leaves: u64,
    /// Its leaf's index in the journal's log.
    pub leaf_index: i64,
    /// The root: its hash and the totals per currency.
    pub root: SumNode,
}

/// A tree built: its stored rows, and its head.
struct Built {
    tiles: Vec<(i64, Hash, Vec<u8>)>,
    nodes: Vec<UpperNode>,
    root: SumNode,
    leaves: u64,
}

/// Takes snapshot `id` of every liability at `taken_ms` (now) and publishes it. `Ok(None)`
/// when there is nothing to count or another node took that id first.
pub async fn take_snapshot(
    store: &impl RecordStore,
    random: &dyn crate::Randomness,
    id: String,
    taken_ms: i64,
) -> Result<Option<SnapshotTaken>, ProofError> {
    let key = qianbao_secrets::token::new_secret_bytes::<32>(random)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let (journal_seq, balances) = store
        .transact_read(|r| r.liability_balances(&LIABILITY_KINDS))
        .await?;
    let salt_key = key.to_vec();
    let build_key = salt_key.clone();
    // Hashing a million leaves is seconds of CPU: it runs on a thread of its own, not on
    // the threads that answer requests.
    let (send, built) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("liability-snapshot".into())
        .spawn(move || {
            let _ = send.send(build(&build_key, balances));
        })
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let built = built
        .await
        .map_err(|_| StoreError::Unavailable("the snapshot's build thread died".into()))??;
    let Some(built) = built else {
        return Ok(None);
    };
    let mut root_sums = Vec::new();
    encode_sums(&mut root_sums, &built.root.sums).map_err(corrupt)?;
    let record = SnapshotRecord {
        id: id.clone(),
        taken_ms,
        journal_seq,
        leaves: i64::try_from(built.leaves).unwrap_or(i64::MAX),
        salt_key,
        root_hash: built.root.hash,
        root_sums,
        status: SnapshotStatus::Building,
        leaf_index: None,
    };
    let head = record.clone();
    if !store
        .transact_money(move |r| r.insert_liability_snapshot(&head))
        .await?
    {
        return Ok(None);
    }
    for chunk in built.tiles.chunks(TILES_PER_WRITE) {
        let (id, chunk) = (id.clone(), chunk.to_vec());
        store
            .transact_money(move |r| r.insert_liability_tiles(&id, &chunk))
            .await?;
    }
    for chunk in built.nodes.chunks(NODES_PER_WRITE) {
        let (id, chunk) = (id.clone(), chunk.to_vec());
        store
            .transact_money(move |r| r.insert_liability_nodes(&id, &chunk))
            .await?;
    }
    let leaf = SnapshotHead {
        id: id.clone(),
        taken_ms,
        journal_seq,
        leaves: built.leaves,
        root: built.root.clone(),
    }
    .leaf_bytes();
    let logged = id.clone();
    let leaf_index = store
        .transact_money(move |r| r.log_liability_snapshot(&logged, &leaf))
        .await?;
    Ok(Some(SnapshotTaken {
        id,
        taken_ms,
        journal_seq,
        leaves: built.leaves,
        leaf_index,
        root: built.root,
    }))
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("the liability snapshot cannot be built: {e}"))
}

/// One leaf per owner, in ascending commitment order.
pub(super) fn leaves(key: &[u8], balances: Vec<OwnerBalance>) -> Vec<SumLeaf> {
    let mut by_owner: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for b in balances {
        *by_owner
            .entry(b.owner)
            .or_default()
            .entry(b.currency)
            .or_default() += b.balance;
    }
    let mut leaves: Vec<SumLeaf> = by_owner
        .into_iter()
        .map(|(owner, balances)| {
            let salt = owner_salt(key, &owner);
            SumLeaf {
                salt,
                commitment: account_commitment(&salt, &owner),
                balances,
            }
        })
        .collect();
    leaves.sort_unstable_by_key(|l| l.commitment);
    leaves
}

/// Builds the tiles and the tree above them; `None` when there is no leaf.
fn build(key: &[u8], balances: Vec<OwnerBalance>) -> Result<Option<Built>, StoreError> {
    let leaves = leaves(key, balances);
    if leaves.is_empty() {
        return Ok(None);
    }
    let roots = tile_roots(leaves.chunks(TILE_WIDTH)).map_err(corrupt)?;
    let mut tiles = Vec::with_capacity(roots.len());
    for (i, tile) in leaves.chunks(TILE_WIDTH).enumerate() {
        tiles.push((
            i64::try_from(i).unwrap_or(i64::MAX),
            tile[0].commitment,
            encode_tile(tile).map_err(corrupt)?,
        ));
    }
    let upper = SumTree::over(&roots).map_err(corrupt)?;
    let mut nodes = Vec::new();
    for depth in 0..upper.depth() {
        for (i, node) in upper.level(depth).into_iter().enumerate() {
            let mut sums = Vec::new();
            encode_sums(&mut sums, &node.sums).map_err(corrupt)?;
            nodes.push((
                i64::try_from(depth).unwrap_or(i64::MAX),
                i64::try_from(i).unwrap_or(i64::MAX),
                node.hash,
                sums,
            ));
        }
    }
    Ok(Some(Built {
        tiles,
        nodes,
        root: upper.root(),
        leaves: u64::try_from(leaves.len()).unwrap_or(u64::MAX),
    }))
}
