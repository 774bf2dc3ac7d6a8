//! A holder's liability proof: their leaf in the newest published snapshot, its salt, the path
//! of sibling hashes and sums to the root, and the inclusion of the snapshot's leaf in the
//! journal's log under the latest signed checkpoint.

use super::owner_salt;
use crate::StoreError;
use crate::proofs::nodes::TxNodes;
use crate::proofs::{ProofError, Proofs, SignedCheckpoint};
use crate::storage::RecordStore;
use qianbao_proofs::commitment::account_commitment;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::liability::{TILE_WIDTH, decode_sums, decode_tile, path};
use qianbao_proofs::log;
use qianbao_proofs::sum_tree::{PathStep, SumLeaf, SumNode};

/// What `GET /v1/me/liability-proof` answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiabilityProof {
    /// The snapshot's id.
    pub snapshot_id: String,
    /// When its balances were read (ms).
    pub taken_ms: i64,
    /// The id the leaf's commitment is over (the owner as the ledger names it).
    pub owner: String,
    /// The holder's leaf: salt, commitment and balances.
    pub leaf: SumLeaf,
    /// The siblings from the leaf to the root.
    pub path: Vec<PathStep>,
    /// The root: hash and totals.
    pub root: SumNode,
    /// The snapshot's leaf in the journal's log.
    pub log_leaf_index: i64,
    /// That leaf's bytes.
    pub log_leaf: Vec<u8>,
    /// The checkpoint the log inclusion is under.
    pub checkpoint: SignedCheckpoint,
    /// The audit path of the log leaf to the checkpoint's root.
    pub log_proof: Vec<Hash>,
}

impl Proofs {
    /// `owner`'s proof in the newest published snapshot. 404s: no snapshot yet
    /// ([`ProofError::NoSnapshot`]), or the owner is not in it ([`ProofError::NotInSnapshot`]:
    /// they opened their wallet after it was taken).
    pub async fn liability_proof(
        &self,
        store: &impl RecordStore,
        owner: String,
    ) -> Result<LiabilityProof, ProofError> {
        let read_owner = owner.clone();
        let found = store
            .transact_read(move |r| {
                let Some(snapshot) = r.latest_liability_snapshot()? else {
                    return Ok(Err(ProofError::NoSnapshot));
                };
                let salt = owner_salt(&snapshot.salt_key, &read_owner);
                let commitment = account_commitment(&salt, &read_owner);
                let Some((tile, bytes)) = r.liability_tile_for(&snapshot.id, &commitment)? else {
                    return Ok(Err(ProofError::NotInSnapshot));
                };
                let leaves = decode_tile(&bytes).map_err(corrupt)?;
                let Some(at) = leaves.iter().position(|l| l.commitment == commitment) else {
                    return Ok(Err(ProofError::NotInSnapshot));
                };
                let width = u64::try_from(TILE_WIDTH).unwrap_or(u64::MAX);
                let tiles = snapshot.leaves.unsigned_abs().div_ceil(width);
                let steps = path(&leaves, at, tile.unsigned_abs(), tiles, |level, index| {
                    let (hash, sums) = r
                        .liability_node(
                            &snapshot.id,
                            i64::from(level),
                            i64::try_from(index).unwrap_or(i64::MAX),
                        )?
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "snapshot {} has no node at level {level} index {index}",
                                snapshot.id
                            ))
                        })?;
                    let (sums, _) = decode_sums(&sums).map_err(corrupt)?;
                    Ok::<_, StoreError>(SumNode { hash, sums })
                })?
                .map_err(corrupt)?;
                let (root_sums, _) = decode_sums(&snapshot.root_sums).map_err(corrupt)?;
                let (log_index, _, log_leaf) =
                    r.snapshot_log_leaf(&snapshot.id)?.ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "snapshot {} has no leaf in the log",
                            snapshot.id
                        ))
                    })?;
                Ok(Ok((
                    snapshot.id,
                    snapshot.taken_ms,
                    leaves[at].clone(),
                    steps,
                    SumNode {
                        hash: snapshot.root_hash,
                        sums: root_sums,
                    },
                    log_index,
                    log_leaf,
                )))
            })
            .await??;
        let (snapshot_id, taken_ms, leaf, steps, root, log_leaf_index, log_leaf) = found;
        // Read after the snapshot, so its leaf is under it: publishing follows the log's growth.
        let checkpoint = self.current(store).await?;
        let (index, size) = (
            log_leaf_index.unsigned_abs(),
            checkpoint.size.unsigned_abs(),
        );
        if index >= size {
            return Err(StoreError::Corrupt(format!(
                "snapshot {snapshot_id}'s log leaf {index} is past the checkpoint of {size}"
            ))
            .into());
        }
        let log_proof = store
            .transact_read(move |r| {
                let nodes = TxNodes::new(r);
                nodes.prefetch(|dry| {
                    let _ = log::inclusion_proof(index, size, dry);
                });
                nodes
                    .finish(log::inclusion_proof(index, size, &nodes))?
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .await?;
        Ok(LiabilityProof {
            snapshot_id,
            taken_ms,
            owner,
            leaf,
            path: steps,
            root,
            log_leaf_index,
            log_leaf,
            checkpoint,
            log_proof,
        })
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("a stored liability snapshot does not read: {e}"))
}
