//! `qianbao proof verify`: checks what the proof endpoints answer (issue 23, `docs/proofs.md`)
//! with only the operator's public key — no server, no database. The inputs are files holding the
//! JSON answers of `GET /v1/proofs/checkpoint`, `GET /v1/proofs/consistency`,
//! `GET /v1/me/transactions/{id}/proof` and `GET /v1/me/liability-proof`. Exit 0 and one line
//! saying what holds; exit 1 and the reason when a proof or a signature fails; exit 2 when an input
//! cannot be used (unreadable file, bad JSON, bad base64, a malformed key).
//!
//! Files only: the one HTTP client in the server crate (`reqwest`) is optional, built for
//! `qianbao bench` alone, and the transaction and liability proofs need the holder's session
//! anyway. Fetch the answers with any client (`curl`) and pass the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use clap::{ArgGroup, Args, Subcommand};
use qianbao_proofs::hash::{Hash, leaf_hash};
use qianbao_proofs::note::{Checkpoint, VerifierKey, signatures, verify_note};
use qianbao_proofs::sum_tree::{PathStep, Side, SumError, SumLeaf, SumNode, verify_path};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// `qianbao proof …`.
#[derive(Debug, Args)]
pub struct ProofArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ProofAction,
}

/// The holder's proof tools.
#[derive(Debug, Subcommand)]
pub enum ProofAction {
    /// Check an inclusion, consistency or liability proof offline, with the operator's public key.
    Verify(VerifyArgs),
}

/// `qianbao proof verify --public-key FILE (--inclusion FILE | --consistency FILE | --liability
/// FILE) [--checkpoint FILE] [--old-checkpoint FILE]`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("proof")
        .required(true)
        .args(["inclusion", "consistency", "liability"])
))]
pub struct VerifyArgs {
    /// The operator's note verifier key, C2SP text form `<name>+<hex8>+<base64>`.
    #[arg(long)]
    pub public_key: PathBuf,
    /// A transaction's inclusion proof: the JSON of `GET /v1/me/transactions/{id}/proof`.
    #[arg(long)]
    pub inclusion: Option<PathBuf>,
    /// A consistency proof: the JSON of `GET /v1/proofs/consistency?from=N&to=M`. Needs
    /// `--old-checkpoint` (size N) and `--checkpoint` (size M).
    #[arg(long)]
    pub consistency: Option<PathBuf>,
    /// A liability proof: the JSON of `GET /v1/me/liability-proof`.
    #[arg(long)]
    pub liability: Option<PathBuf>,
    /// The signed checkpoint (the JSON of `GET /v1/proofs/checkpoint`) the proof must lead to.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// For a consistency proof: the earlier signed checkpoint, the one you saw before.
    #[arg(long)]
    pub old_checkpoint: Option<PathBuf>,
}

/// Why the command did not say "holds".
#[derive(Debug)]
enum Failure {
    /// The proof or a signature does not hold: exit 1.
    Fails(String),
    /// An input cannot be used: exit 2.
    Unusable(String),
}

use Failure::{Fails, Unusable};

/// Runs a proof tool.
pub fn run(args: ProofArgs) -> ExitCode {
    match args.action {
        ProofAction::Verify(args) => match verify(&args) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(Fails(reason)) => {
                eprintln!("proof does not hold: {reason}");
                ExitCode::FAILURE
            }
            Err(Unusable(reason)) => {
                eprintln!("error: {reason}");
                ExitCode::from(2)
            }
        },
    }
}

/// `GET /v1/proofs/checkpoint`.
#[derive(Debug, Deserialize)]
struct CheckpointJson {
    origin: String,
    size: u64,
    root_hash: String,
    note: String,
    /// The operator's signature over the note text; when given, it must be the one in the note.
    #[serde(default)]
    signature: Option<String>,
}

/// `GET /v1/proofs/consistency`.
#[derive(Debug, Deserialize)]
struct ConsistencyJson {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

/// `GET /v1/me/transactions/{id}/proof`.
#[derive(Debug, Deserialize)]
struct InclusionJson {
    leaf_index: u64,
    leaf: String,
    tree_size: u64,
    root_hash: String,
    proof: Vec<String>,
    /// The holder's own accounts in the leaf, when the server sends them.
    #[serde(default)]
    accounts: Vec<AccountJson>,
}

/// One of the holder's account commitments (its salt, also sent, is for checking by hand).
#[derive(Debug, Deserialize)]
struct AccountJson {
    commitment: String,
}

/// `GET /v1/me/liability-proof`.
#[derive(Debug, Deserialize)]
struct LiabilityJson {
    snapshot_id: serde_json::Value,
    taken_at: serde_json::Value,
    leaf: LiabilityLeafJson,
    path: Vec<PathStepJson>,
    root: SumNodeJson,
}

#[derive(Debug, Deserialize)]
struct LiabilityLeafJson {
    salt: String,
    commitment: String,
    balances: BTreeMap<String, i64>,
}

#[derive(Debug, Deserialize)]
struct PathStepJson {
    side: String,
    hash: String,
    sums: BTreeMap<String, i64>,
}

#[derive(Debug, Deserialize)]
struct SumNodeJson {
    hash: String,
    sums: BTreeMap<String, i64>,
}

fn verify(args: &VerifyArgs) -> Result<String, Failure> {
    let key_text = read_text(&args.public_key)?;
    let key = VerifierKey::parse(key_text.trim())
        .map_err(|e| Unusable(format!("{}: {e}", args.public_key.display())))?;
    if let Some(path) = &args.inclusion {
        inclusion(&key, path, args.checkpoint.as_deref())
    } else if let Some(path) = &args.consistency {
        consistency(
            &key,
            path,
            args.old_checkpoint.as_deref(),
            args.checkpoint.as_deref(),
        )
    } else if let Some(path) = &args.liability {
        liability(path)
    } else {
        Err(Unusable(
            "give one of --inclusion, --consistency or --liability".into(),
        ))
    }
}

fn inclusion(key: &VerifierKey, path: &Path, checkpoint: Option<&Path>) -> Result<String, Failure> {
    let proof: InclusionJson = read_json(path)?;
    let leaf = decode(&proof.leaf, "leaf")?;
    let root = hash(&proof.root_hash, "root_hash")?;
    let hashes = hash_list(&proof.proof)?;
    let signed = checkpoint.map(|p| signed_checkpoint(key, p)).transpose()?;
    if let Some(cp) = &signed {
        if proof.tree_size != cp.size {
            return Err(Fails(format!(
                "tree size differs: the proof is at size {}, the checkpoint at {}",
                proof.tree_size, cp.size
            )));
        }
        if root != cp.root {
            return Err(Fails(
                "root differs: the proof's root_hash is not the checkpoint's".into(),
            ));
        }
    }
    if !qianbao_proofs::log::verify_inclusion(
        &leaf_hash(&leaf),
        proof.leaf_index,
        proof.tree_size,
        &hashes,
        &root,
    ) {
        return Err(Fails(format!(
            "proof does not verify: leaf {} is not shown in the tree of {} leaves with root {}",
            proof.leaf_index, proof.tree_size, proof.root_hash
        )));
    }
    // The holder's accounts must be the ones the leaf names.
    let text = String::from_utf8_lossy(&leaf);
    for account in &proof.accounts {
        let commitment = hash(&account.commitment, "accounts[].commitment")?;
        let hex: String = commitment.iter().map(|b| format!("{b:02x}")).collect();
        if !text.contains(&hex) {
            return Err(Fails(format!(
                "account commitment {} is not in the leaf",
                account.commitment
            )));
        }
    }
    Ok(match signed {
        Some(cp) => format!(
            "inclusion holds: leaf {} is in {}'s log of {} leaves, under the checkpoint signed by {}",
            proof.leaf_index, cp.origin, cp.size, key.name
        ),
        None => format!(
            "inclusion holds: leaf {} is in the tree of {} leaves with root {} (root not checked \
             against a signed checkpoint; pass --checkpoint)",
            proof.leaf_index, proof.tree_size, proof.root_hash
        ),
    })
}

fn consistency(
    key: &VerifierKey,
    path: &Path,
    old: Option<&Path>,
    new: Option<&Path>,
) -> Result<String, Failure> {
    let proof: ConsistencyJson = read_json(path)?;
    let hashes = hash_list(&proof.proof)?;
    let (Some(old), Some(new)) = (old, new) else {
        return Err(Unusable(
            "a consistency proof needs both signed roots: --old-checkpoint FILE (size `from`) and \
             --checkpoint FILE (size `to`)"
                .into(),
        ));
    };
    let old = signed_checkpoint(key, old)?;
    let new = signed_checkpoint(key, new)?;
    if old.origin != new.origin {
        return Err(Fails(format!(
            "the checkpoints are of different logs: {:?} and {:?}",
            old.origin, new.origin
        )));
    }
    if proof.from != old.size || proof.to != new.size {
        return Err(Fails(format!(
            "tree size differs: the proof is from {} to {}, the checkpoints are at {} and {}",
            proof.from, proof.to, old.size, new.size
        )));
    }
    if !qianbao_proofs::log::verify_consistency(old.size, new.size, &old.root, &new.root, &hashes) {
        return Err(Fails(format!(
            "proof does not verify: the tree of {} leaves is not shown to be a prefix of the tree \
             of {} leaves",
            old.size, new.size
        )));
    }
    Ok(format!(
        "consistency holds: {}'s log at {} leaves is a prefix of the log at {} leaves, both \
         checkpoints signed by {}",
        new.origin, old.size, new.size, key.name
    ))
}

fn liability(path: &Path) -> Result<String, Failure> {
    let proof: LiabilityJson = read_json(path)?;
    let leaf = SumLeaf {
        salt: hash(&proof.leaf.salt, "leaf.salt")?,
        commitment: hash(&proof.leaf.commitment, "leaf.commitment")?,
        balances: proof.leaf.balances,
    };
    let steps = proof
        .path
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let side = match step.side.to_ascii_lowercase().as_str() {
                "left" => Side::Left,
                "right" => Side::Right,
                other => {
                    return Err(Unusable(format!(
                        "path[{i}].side is {other:?}, not \"left\" or \"right\""
                    )));
                }
            };
            Ok(PathStep {
                side,
                hash: hash(&step.hash, "path[].hash")?,
                sums: step.sums,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let root = SumNode {
        hash: hash(&proof.root.hash, "root.hash")?,
        sums: proof.root.sums,
    };
    verify_path(&leaf, &steps, &root).map_err(|e| {
        Fails(match e {
            SumError::NegativeSum { step, currency } => {
                format!("negative {currency} sum at step {step}")
            }
            SumError::RootHashMismatch => "root differs: the path leads to another hash".into(),
            SumError::RootSumsMismatch => "root differs: the path leads to other totals".into(),
            other => format!("proof does not verify: {other}"),
        })
    })?;
    let totals: Vec<String> = root.sums.iter().map(|(c, a)| format!("{c} {a}")).collect();
    Ok(format!(
        "liability holds: your balances are counted in snapshot {} taken at {}, totals {} \
         (the snapshot root is not yet tied to a signed checkpoint)",
        plain(&proof.snapshot_id),
        plain(&proof.taken_at),
        if totals.is_empty() {
            "none".to_owned()
        } else {
            totals.join(", ")
        }
    ))
}

/// Reads a checkpoint answer, verifies its note with the key and checks that the answer's fields
/// say what the signed note says.
fn signed_checkpoint(key: &VerifierKey, path: &Path) -> Result<Checkpoint, Failure> {
    let json: CheckpointJson = read_json(path)?;
    let cp = verify_note(&json.note, &key.name, &key.key).map_err(|e| {
        Fails(format!(
            "signature does not verify: {}: {e}",
            path.display()
        ))
    })?;
    let root = hash(&json.root_hash, "root_hash")?;
    if json.origin != cp.origin || json.size != cp.size || root != cp.root {
        return Err(Fails(format!(
            "{}: origin, size or root_hash differs from the signed note",
            path.display()
        )));
    }
    if let Some(signature) = &json.signature {
        let raw = decode(signature, "signature")?;
        // The bare 64-byte signature, or the 4-byte key hash and the signature as on the line.
        let hash = key.key_hash();
        let matches = signatures(&json.note)
            .map_err(|e| Fails(format!("signature does not verify: {e}")))?
            .iter()
            .filter(|s| s.name == key.name && s.key_hash == hash)
            .any(|s| {
                raw == s.signature
                    || (raw.len() == 4 + s.signature.len()
                        && raw[..4] == hash
                        && raw[4..] == s.signature[..])
            });
        if !matches {
            return Err(Fails(format!(
                "signature does not verify: {}: the signature field is not the note's signature by {}",
                path.display(),
                key.name
            )));
        }
    }
    Ok(cp)
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Unusable(format!("{}: {e}", path.display())))
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    serde_json::from_str(&read_text(path)?)
        .map_err(|e| Unusable(format!("{}: not the expected JSON: {e}", path.display())))
}

fn decode(text: &str, what: &str) -> Result<Vec<u8>, Failure> {
    B64.decode(text)
        .map_err(|e| Unusable(format!("{what} is not standard base64: {e}")))
}

fn hash(text: &str, what: &str) -> Result<Hash, Failure> {
    Hash::try_from(decode(text, what)?)
        .map_err(|raw| Unusable(format!("{what} is {} bytes, not 32", raw.len())))
}

fn hash_list(texts: &[String]) -> Result<Vec<Hash>, Failure> {
    texts.iter().map(|t| hash(t, "proof[]")).collect()
}

/// A JSON scalar as plain text: strings without their quotes.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
