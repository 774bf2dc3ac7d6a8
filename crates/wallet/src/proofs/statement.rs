//! A statement's proofs (issue 23 §3): the inclusion proof of every movement of an export, all
//! under one signed checkpoint and read in one snapshot, so the file can be checked offline line
//! by line against that one root. Built from the same public pieces as a single proof
//! ([`logged_line`](super::ProofRecords::logged_line),
//! [`account_salt`](super::ProofRecords::account_salt), [`TxNodes`] and `qianbao_proofs::log`), with the nodes of all its proofs read in one statement and the salts they share read once.

use super::checkpoint::SignedCheckpoint;
use super::inclusion::{HolderAccount, Inclusion};
use super::nodes::TxNodes;
use super::{ProofError, Proofs};
use crate::StoreError;
use crate::money::records::MovementRecord;
use crate::ports::AccountOwner;
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{AccountId, EntryId, Instruction};
use qianbao_proofs::hash::Hash;
use qianbao_proofs::log;
use std::collections::{BTreeMap, BTreeSet};

/// The most movements one statement carries proofs for: each proof is about 2·log₂ n node reads
/// in the one read transaction (fewer where proofs share nodes), so this bounds that transaction
/// to some tens of thousands of point reads.
pub const STATEMENT_PROOFS_MAX: usize = 1_000;

/// The proofs of a statement: one checkpoint, and per movement, in the order given, its
/// inclusion proof under that checkpoint or `None` (no ledger entry, or logged after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementProofs {
    /// The signed checkpoint every proof leads to.
    pub checkpoint: SignedCheckpoint,
    /// One per movement, in the order of the movements given.
    pub lines: Vec<Option<Inclusion>>,
}

impl Proofs {
    /// The inclusion proofs of `movements` (the caller has read them as `holder`'s) under the
    /// checkpoint of `size`, or the latest one (published first when the log has grown). A
    /// `size` that no published checkpoint has is 422 on `size`; more than
    /// [`STATEMENT_PROOFS_MAX`] movements is a bug of the caller's, refused the same way.
    pub async fn statement(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        movements: &[MovementRecord],
        size: Option<i64>,
    ) -> Result<StatementProofs, ProofError> {
        if movements.len() > STATEMENT_PROOFS_MAX {
            return Err(ProofError::invalid(
                "proofs",
                format!("a statement carries proofs for at most {STATEMENT_PROOFS_MAX} records"),
            ));
        }
        let checkpoint = match size {
            None => self.current(store).await?,
            Some(size) => match self.checkpoint_at(store, size).await {
                Err(ProofError::NoCheckpoint) => {
                    return Err(ProofError::invalid(
                        "size",
                        format!(
                            "no checkpoint of size {size} was published: pass the size of one \
                             GET /v1/proofs/checkpoint answered"
                        ),
                    ));
                }
                other => other?,
            },
        };
        // A movement without a ledger entry (a failed one, a card payment never posted) has
        // nothing in the log.
        let entries: Vec<Option<EntryId>> = movements
            .iter()
            .map(|m| {
                m.entry_id
                    .as_deref()
                    .and_then(|e| u128::from_str_radix(e, 16).ok())
                    .map(EntryId)
            })
            .collect();
        let (tree_size, root) = (checkpoint.size, checkpoint.root);
        let wallet = AccountOwner::Wallet(holder.wallet_id.clone());
        let lines = store
            .transact_read(move |r| {
                let own: BTreeSet<AccountId> =
                    r.accounts_of(&wallet)?.iter().map(|a| a.id).collect();
                let mut salts: BTreeMap<AccountId, Hash> = BTreeMap::new();
                let mut logged = Vec::with_capacity(entries.len());
                for entry in &entries {
                    let line = match entry {
                        Some(entry) => r.logged_line(*entry)?,
                        None => None,
                    };
                    logged.push(line.filter(|l| l.leaf_index < tree_size));
                }
                let mut lines = Vec::with_capacity(logged.len());
                for line in logged {
                    let Some(line) = line else {
                        lines.push(None);
                        continue;
                    };
                    let mut accounts = Vec::new();
                    for account in named_accounts(&line.text)?.intersection(&own) {
                        let salt = match salts.get(account) {
                            Some(salt) => *salt,
                            None => {
                                let salt = r.account_salt(*account)?;
                                salts.insert(*account, salt);
                                salt
                            }
                        };
                        accounts.push(HolderAccount {
                            commitment: qianbao_proofs::commitment::account_commitment(
                                &salt,
                                &account.0.to_string(),
                            ),
                            salt,
                        });
                    }
                    lines.push(Some((line.leaf_index, line.leaf, accounts)));
                }
                // The proofs last, their nodes read in one statement: neighbouring lines share
                // most of their upper nodes, and the root must be the checkpoint's.
                let nodes = TxNodes::new(r);
                let n = tree_size.max(0).unsigned_abs();
                nodes.prefetch(|dry| {
                    let _ = log::root(n, dry);
                    for (leaf_index, _, _) in lines.iter().flatten() {
                        let _ = log::inclusion_proof(leaf_index.unsigned_abs(), n, dry);
                    }
                });
                let stored_root = nodes
                    .finish(log::root(n, &nodes))?
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if stored_root != root {
                    return Err(StoreError::Corrupt(format!(
                        "the log's root at size {tree_size} is not the signed checkpoint's"
                    )));
                }
                let mut out = Vec::with_capacity(lines.len());
                for line in lines {
                    let Some((leaf_index, leaf, accounts)) = line else {
                        out.push(None);
                        continue;
                    };
                    let proof = nodes
                        .finish(log::inclusion_proof(leaf_index.unsigned_abs(), n, &nodes))?
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    out.push(Some(Inclusion {
                        leaf_index,
                        leaf,
                        tree_size,
                        root,
                        proof,
                        accounts,
                    }));
                }
                Ok(out)
            })
            .await?;
        Ok(StatementProofs { checkpoint, lines })
    }
}

/// The accounts a journal line's postings name (none for a hold's posting or voiding).
fn named_accounts(text: &str) -> Result<BTreeSet<AccountId>, StoreError> {
    Ok(
        match Instruction::decode(text).map_err(|e| StoreError::Corrupt(e.to_string()))? {
            Instruction::Transfer { postings, .. } | Instruction::Hold { postings, .. } => {
                postings.iter().map(|p| p.account).collect()
            }
            Instruction::Post { .. } | Instruction::Void { .. } => BTreeSet::new(),
        },
    )
}
