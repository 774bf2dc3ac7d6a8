//! Proofs a holder can check (issue 23, `docs/proofs.md`): the journal's Merkle log served as
//! signed checkpoints, inclusion proofs for a holder's own transactions, consistency proofs
//! between two sizes, and witnesses' cosignatures. The math is `qianbao_proofs`'; this module
//! reads its inputs in one snapshot, signs, and refuses bad requests with a field named.

mod checkpoint;
mod consistency;
mod cosign;
mod error;
mod inclusion;
pub mod liabilities;
mod nodes;
mod records;
pub mod statement;

pub use checkpoint::SignedCheckpoint;
pub use error::ProofError;
pub use inclusion::{HolderAccount, Inclusion};
pub use liabilities::LiabilityRecords;
pub use nodes::{Recorder, TxNodes};
pub use records::{CheckpointRecord, LoggedLine, ProofRecords};

use crate::ports::Clock;
use qianbao_proofs::note::VerifierKey;
use qianbao_secrets::checkpoint_signing::CheckpointSigner;
use std::sync::Arc;

/// The log's origin line when the operator names none.
pub const DEFAULT_ORIGIN: &str = "qianbao.local/log";

/// The proof use cases: the log's name, the operator's signing key and the witnesses trusted.
#[derive(Clone)]
pub struct Proofs {
    /// The C2SP origin line of every checkpoint, also the operator key's name in notes.
    pub origin: String,
    /// The operator's checkpoint key.
    pub signer: Arc<CheckpointSigner>,
    /// The witness keys whose cosignatures are accepted.
    pub witnesses: Arc<[VerifierKey]>,
    /// The time checkpoints are stamped with.
    pub clock: Arc<dyn Clock>,
    /// Taken while this node publishes on demand, so a burst of reads makes one checkpoint and
    /// takes the money lock once, not once per read.
    pub publishing: Arc<tokio::sync::Mutex<()>>,
}

impl Proofs {
    /// The operator's public key in C2SP verifier-key form (`<origin>+<hash>+<base64>`).
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey {
            name: self.origin.clone(),
            key: self.signer.public_key(),
        }
    }
}
