//! Inclusion proofs (RFC 6962 §2.1.1) of a holder's own transaction: its journal line's leaf,
//! the path to a signed tree size, and the salts of the holder's accounts in that leaf, so they
//! can see which postings are theirs and nothing of anyone else's.

use super::nodes::TxNodes;
use super::{ProofError, Proofs};
use crate::StoreError;
use crate::money::records::MovementRecord;
use crate::ports::AccountOwner;
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{EntryId, Instruction};
use qianbao_proofs::hash::Hash;
use qianbao_proofs::log;
use std::collections::BTreeSet;

/// One of the holder's accounts named in the leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolderAccount {
    /// The commitment the leaf carries.
    pub commitment: Hash,
    /// Its salt: the commitment is over it and the account's decimal id.
    pub salt: Hash,
}

/// An inclusion proof, with what the holder needs to read the leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inclusion {
    /// The leaf's index (journal sequence − 1, plus the snapshot leaves before it).
    pub leaf_index: i64,
    /// The leaf's canonical bytes.
    pub leaf: Vec<u8>,
    /// The tree size the proof is for.
    pub tree_size: i64,
    /// The root at that size.
    pub root: Hash,
    /// The audit path, leaf to root.
    pub proof: Vec<Hash>,
    /// The holder's own accounts among the leaf's postings.
    pub accounts: Vec<HolderAccount>,
}

impl Proofs {
    /// The inclusion proof of `movement`'s journal line (the caller has checked the movement is
    /// `holder`'s) under the tree of `size` leaves, or the latest checkpoint's size.
    pub async fn inclusion(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        movement: &MovementRecord,
        size: Option<i64>,
    ) -> Result<Inclusion, ProofError> {
        let entry = movement
            .entry_id
            .as_deref()
            .and_then(|e| u128::from_str_radix(e, 16).ok())
            .map(EntryId)
            .ok_or(ProofError::NotLogged)?;
        if let Some(size) = size
            && size < 1
        {
            return Err(ProofError::invalid("size", "size must be at least 1"));
        }
        let latest = self.current(store).await?;
        if let Some(size) = size
            && size > latest.size
        {
            return Err(ProofError::invalid(
                "size",
                format!(
                    "size ({size}) is past the latest checkpoint's size ({})",
                    latest.size
                ),
            ));
        }
        let tree_size = size.unwrap_or(latest.size);
        let wallet = AccountOwner::Wallet(holder.wallet_id.clone());
        store
            .transact_read(move |r| {
                let Some(line) = r.logged_line(entry)? else {
                    return Ok(Err(ProofError::NotLogged));
                };
                let leaf_index = line.leaf_index;
                if leaf_index >= tree_size {
                    return Ok(Err(if size.is_some() {
                        ProofError::invalid(
                            "size",
                            format!(
                                "size ({tree_size}) must be more than the leaf index ({leaf_index})"
                            ),
                        )
                    } else {
                        ProofError::NotLogged
                    }));
                }
                let own: BTreeSet<_> = r.accounts_of(&wallet)?.iter().map(|a| a.id).collect();
                let named: BTreeSet<_> = match Instruction::decode(&line.text)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?
                {
                    Instruction::Transfer { postings, .. } | Instruction::Hold { postings, .. } => {
                        postings.iter().map(|p| p.account).collect()
                    }
                    Instruction::Post { .. } | Instruction::Void { .. } => BTreeSet::new(),
                };
                let mut accounts = Vec::new();
                for account in named.intersection(&own) {
                    let salt = r.account_salt(*account)?;
                    accounts.push(HolderAccount {
                        commitment: qianbao_proofs::commitment::account_commitment(
                            &salt,
                            &account.0.to_string(),
                        ),
                        salt,
                    });
                }
                let (index, n) = (leaf_index.unsigned_abs(), tree_size.unsigned_abs());
                let nodes = TxNodes::new(r);
                nodes.prefetch(|dry| {
                    let _ = log::inclusion_proof(index, n, dry);
                    let _ = log::root(n, dry);
                });
                let proof = nodes
                    .finish(log::inclusion_proof(index, n, &nodes))?
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let root = nodes
                    .finish(log::root(n, &nodes))?
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(Ok(Inclusion {
                    leaf_index,
                    leaf: line.leaf,
                    tree_size,
                    root,
                    proof,
                    accounts,
                }))
            })
            .await?
    }
}
