//! Proofs on the wire (issue 23, `docs/proofs.md`): the journal log's signed checkpoints,
//! inclusion and consistency proofs, and witnesses' cosignatures. Hashes, leaves and signatures
//! are standard base64.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A signed checkpoint of the journal log (c2sp.org/tlog-checkpoint).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckpointReply {
    /// The log's origin line.
    pub origin: String,
    /// The tree size: journal lines logged.
    pub size: i64,
    /// The RFC 6962 root at that size (base64).
    pub root_hash: String,
    /// The signed note: origin, size and root, a blank line, the operator's signature line and
    /// any witnesses' cosignature lines (c2sp.org/signed-note).
    pub note: String,
    /// The operator's Ed25519 signature over the note's text (base64 of the 64 bytes).
    pub signature: String,
}

/// The operator's checkpoint key.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LogKeyReply {
    /// The C2SP verifier key: `<origin>+<key hash hex>+<base64(0x01 ‖ Ed25519 public key)>`.
    pub vkey: String,
    /// The log's origin line (also the key's name in notes).
    pub origin: String,
}

/// Which consistency proof.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size, at least 1.
    #[param(minimum = 1)]
    pub from: i64,
    /// The newer tree size, at least `from` and at most the latest checkpoint's.
    #[param(minimum = 1)]
    pub to: i64,
}

/// An RFC 6962 consistency proof (§2.1.2).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyReply {
    /// The older size.
    pub from: i64,
    /// The newer size.
    pub to: i64,
    /// The proof's hashes (base64), in the RFC's order.
    pub proof: Vec<String>,
}

/// Which tree size an inclusion proof is for.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The tree size; the latest checkpoint's when left out.
    #[param(minimum = 1)]
    pub size: Option<i64>,
}

/// One of the holder's accounts among a leaf's postings.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProofAccount {
    /// The commitment the leaf's posting line carries (base64).
    pub commitment: String,
    /// Its salt (base64): the commitment is over it and the account id.
    pub salt: String,
}

/// An RFC 6962 inclusion proof (§2.1.1) of a holder's transaction.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InclusionReply {
    /// The leaf's index: its journal line's sequence number − 1.
    pub leaf_index: i64,
    /// The leaf's canonical bytes (base64); the leaf hash is `SHA-256(0x00 ‖ leaf)`.
    pub leaf: String,
    /// The tree size the proof is for.
    pub tree_size: i64,
    /// The root at that size (base64).
    pub root_hash: String,
    /// The audit path, leaf to root (base64).
    pub proof: Vec<String>,
    /// The holder's own accounts in the leaf, so they can tell their postings.
    pub accounts: Vec<ProofAccount>,
}

/// A witness's cosignature of a checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CosignRequest {
    /// The witness key's name, as in its verifier key; may be left out when `signature` is a
    /// whole signature line or names the key by its key hash.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub key_name: Option<String>,
    /// The Ed25519 signature over the checkpoint's note text: base64 of the 64 bytes, base64 of
    /// key hash ‖ signature (68 bytes), or a whole C2SP signature line `— <name> <base64>`.
    #[schema(max_length = 400)]
    pub signature: String,
}

/// A holder's leaf in a liability snapshot.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LiabilityLeaf {
    /// The leaf's salt (base64, 32 bytes).
    pub salt: String,
    /// The salted commitment to the holder's id (base64): `SHA-256("qianbao-account-v1\0" ‖ salt
    /// ‖ id)`.
    pub commitment: String,
    /// The holder's balances per currency (and `PTS` points) in minor units, as counted.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub balances: std::collections::BTreeMap<String, i64>,
    /// The id the commitment is over, so the holder can recompute it.
    pub id: String,
}

/// A node of a liability sum tree: its hash and the sums below it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LiabilityNode {
    /// The node's hash (base64).
    pub hash: String,
    /// The sums per currency of every leaf below it, zero sums left out.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub sums: std::collections::BTreeMap<String, i64>,
}

/// One step of a leaf's path to the root: its sibling there.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LiabilityStep {
    /// `left` when the sibling is the left child, `right` when it is the right one.
    pub side: String,
    /// The sibling's hash (base64).
    pub hash: String,
    /// The sibling's sums.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub sums: std::collections::BTreeMap<String, i64>,
}

/// The snapshot's leaf in the journal's log, with its RFC 6962 inclusion proof under the latest
/// checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SnapshotInLog {
    /// The leaf's index in the log.
    pub leaf_index: i64,
    /// The leaf's canonical bytes (base64; `docs/proofs.md`, "The snapshot's leaf").
    pub leaf: String,
    /// The checkpoint's tree size.
    pub tree_size: i64,
    /// The checkpoint's root (base64).
    pub root_hash: String,
    /// The audit path, leaf to root (base64).
    pub proof: Vec<String>,
}

/// A holder's proof that their balances are counted in the newest liability snapshot.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LiabilityProofReply {
    /// The snapshot's id.
    pub snapshot_id: String,
    /// When its balances were read (RFC 3339).
    pub taken_at: String,
    /// The holder's leaf.
    pub leaf: LiabilityLeaf,
    /// The siblings from the leaf to the root, nearest first.
    pub path: Vec<LiabilityStep>,
    /// The root: its hash and the snapshot's totals.
    pub root: LiabilityNode,
    /// The snapshot's leaf in the journal's log.
    pub log: SnapshotInLog,
}
