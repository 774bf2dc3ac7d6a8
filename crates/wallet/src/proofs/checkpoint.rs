//! Publishing checkpoints: the tree head at the log's size, signed by the operator as a C2SP
//! note and stored, one per size. Publishing only ever signs what the log holds, so anyone may
//! cause it: `current` publishes when the log has grown past the latest checkpoint, which makes
//! at most one row per journal line, however often it is asked, and one node publishes one at a
//! time (a burst of reads waits for one publication and shares it).

use super::nodes::TxNodes;
use super::records::CheckpointRecord;
use super::{ProofError, Proofs};
use crate::StoreError;
use crate::storage::RecordStore;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::log;
use qianbao_proofs::note::{self, Checkpoint};

/// A stored checkpoint with its operator signature picked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The origin line of its note.
    pub origin: String,
    /// Its tree size.
    pub size: i64,
    /// Its root.
    pub root: Hash,
    /// The whole signed note, with any cosignatures.
    pub note: String,
    /// The operator's Ed25519 signature over the note's text (64 bytes).
    pub signature: Vec<u8>,
}

impl Proofs {
    /// The checkpoint of the log as it is now: the latest one, or a new one published when the
    /// log has grown since.
    pub async fn current(&self, store: &impl RecordStore) -> Result<SignedCheckpoint, ProofError> {
        let (size, latest) = store
            .transact_read(|r| Ok((r.log_size()?, r.latest_checkpoint()?)))
            .await?;
        if let Some(c) = latest.filter(|c| c.size >= size) {
            return self.signed(c);
        }
        // One publication at a time on this node; whoever waited takes what the one before
        // published when it covers the size they saw.
        let _turn = self.publishing.lock().await;
        let latest = store.transact_read(|r| r.latest_checkpoint()).await?;
        match latest {
            Some(c) if c.size >= size => self.signed(c),
            _ => self.publish(store).await,
        }
    }

    /// Signs and stores the tree head at the log's size now (kept as it is if that size has a
    /// checkpoint already).
    pub async fn publish(&self, store: &impl RecordStore) -> Result<SignedCheckpoint, ProofError> {
        let (size, root) = store
            .transact_read(|r| {
                let size = r.log_size()?;
                let nodes = TxNodes::new(r);
                nodes.prefetch(|dry| {
                    let _ = log::root(size.max(0).unsigned_abs(), dry);
                });
                let root = nodes
                    .finish(log::root(size.max(0).unsigned_abs(), &nodes))?
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((size, root))
            })
            .await?;
        let body = Checkpoint {
            origin: self.origin.clone(),
            size: size.max(0).unsigned_abs(),
            root,
        }
        .body();
        // The origin was checked as a note key name at start, so signing cannot fail here.
        let note = note::sign_note(&body, &self.origin, self.signer.signing_key())
            .map_err(|e| StoreError::Corrupt(format!("cannot sign the checkpoint: {e}")))?;
        let record = CheckpointRecord {
            size,
            root,
            note,
            created_ms: self.clock.now_ms(),
        };
        let stored = store
            .transact_money(move |r| {
                r.insert_checkpoint(&record)?;
                r.checkpoint_at(record.size)
            })
            .await?
            .ok_or_else(|| StoreError::Corrupt("the checkpoint just stored is gone".into()))?;
        self.signed(stored)
    }

    /// The checkpoint of `size`, if one was published.
    pub async fn checkpoint_at(
        &self,
        store: &impl RecordStore,
        size: i64,
    ) -> Result<SignedCheckpoint, ProofError> {
        let found = store.transact_read(move |r| r.checkpoint_at(size)).await?;
        self.signed(found.ok_or(ProofError::NoCheckpoint)?)
    }

    /// Picks the operator's signature out of a stored note.
    pub(super) fn signed(&self, c: CheckpointRecord) -> Result<SignedCheckpoint, ProofError> {
        let key = self.signer.public_key();
        let text = note::open_note(&c.note, &self.origin, &key).map_err(|e| {
            StoreError::Corrupt(format!("checkpoint {} does not open: {e}", c.size))
        })?;
        let body = Checkpoint::parse_body(text)
            .map_err(|e| StoreError::Corrupt(format!("checkpoint {}: {e}", c.size)))?;
        let hash = note::key_hash(&self.origin, &key);
        let signature = note::signatures(&c.note)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .into_iter()
            .find(|s| s.name == self.origin && s.key_hash == hash)
            .map(|s| s.signature)
            .ok_or_else(|| StoreError::Corrupt("the operator's signature is gone".into()))?;
        Ok(SignedCheckpoint {
            origin: body.origin,
            size: c.size,
            root: c.root,
            note: c.note,
            signature,
        })
    }
}
