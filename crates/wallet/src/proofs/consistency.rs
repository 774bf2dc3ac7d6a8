//! Consistency proofs (RFC 6962 §2.1.2) between two sizes the log has signed up to.

use super::nodes::TxNodes;
use super::{ProofError, Proofs};
use crate::StoreError;
use crate::storage::RecordStore;
use qianbao_proofs::hash::Hash;
use qianbao_proofs::log;

impl Proofs {
    /// The proof that the tree of `from` leaves is a prefix of the tree of `to`. `from` must be
    /// at least 1 (every tree extends the empty one), at most `to`, and `to` at most the latest
    /// checkpoint's size (published first if the log has grown).
    pub async fn consistency(
        &self,
        store: &impl RecordStore,
        from: i64,
        to: i64,
    ) -> Result<Vec<Hash>, ProofError> {
        if from < 1 {
            return Err(ProofError::invalid("from", "from must be at least 1"));
        }
        if from > to {
            return Err(ProofError::invalid(
                "from",
                format!("from ({from}) is greater than to ({to})"),
            ));
        }
        let latest = self.current(store).await?;
        if to > latest.size {
            return Err(ProofError::invalid(
                "to",
                format!(
                    "to ({to}) is past the latest checkpoint's size ({})",
                    latest.size
                ),
            ));
        }
        let (from, to) = (from.unsigned_abs(), to.unsigned_abs());
        let proof = store
            .transact_read(move |r| {
                let nodes = TxNodes::new(r);
                nodes.prefetch(|dry| {
                    let _ = log::consistency_proof(from, to, dry);
                });
                nodes
                    .finish(log::consistency_proof(from, to, &nodes))?
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .await?;
        Ok(proof)
    }
}
