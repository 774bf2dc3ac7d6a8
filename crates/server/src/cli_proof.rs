//! `qianbao proof verify`: checks what the proof endpoints answer (issue 23, `docs/proofs.md`)
//! with only the operator's public key — no database, and no trust in the server. The inputs are
//! the JSON answers of `GET /v1/proofs/key` (or the bare verifier key), `GET /v1/proofs/checkpoint`,
//! `GET /v1/proofs/consistency`, `GET /v1/me/transactions/{id}/proof` and
//! `GET /v1/me/liability-proof`, and statement exports (`GET /v1/me/transactions.json` or `.csv`
//! with `proofs=true`). Exit 0 and one line saying what holds; exit 1 and the reason when a proof
//! or a signature fails; exit 2 when an input cannot be used (unreadable file, an HTTP error, bad
//! JSON, bad base64, a malformed key).
//!
//! Each input is a file or an `http://` / `https://` URL, fetched once before anything is
//! checked (`--token` is sent as the holder's bearer credential). Fetching uses the server
//! crate's one HTTP client, `reqwest`, built with the default `bench` feature; a build without it
//! reads files only and says so. `https://` needs the `tls` feature as the connectors do. A URL
//! only saves a `curl`: everything fetched is checked the same as a file, against the key.

mod fetch;
mod snapshot;
mod statement;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

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
    /// Check an inclusion, consistency or liability proof, or a statement export with proofs,
    /// offline, with the operator's public key.
    Verify(VerifyArgs),
}

/// Where an input comes from: a file, or a URL fetched once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file path.
    File(PathBuf),
    /// An `http://` or `https://` URL.
    Url(String),
}

impl FromStr for Source {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let scheme = |s: &str| {
            text.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        };
        Ok(if scheme("http://") || scheme("https://") {
            Source::Url(text.to_owned())
        } else {
            Source::File(PathBuf::from(text))
        })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Url(url) => f.write_str(url),
        }
    }
}

/// `qianbao proof verify --public-key SRC (--inclusion SRC | --consistency SRC | --liability SRC
/// | --statement SRC) [--checkpoint SRC] [--old-checkpoint SRC] [--token TOKEN]`, each `SRC` a
/// file or an `http(s)://` URL.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("proof")
        .required(true)
        .args(["inclusion", "consistency", "liability", "statement"])
))]
pub struct VerifyArgs {
    /// The operator's note verifier key, C2SP text form `<name>+<hex8>+<base64>`, or the JSON of
    /// `GET /v1/proofs/key` (its `vkey`). A file or a URL.
    #[arg(long)]
    pub public_key: Source,
    /// A transaction's inclusion proof: the JSON of `GET /v1/me/transactions/{id}/proof`.
    #[arg(long)]
    pub inclusion: Option<Source>,
    /// A consistency proof: the JSON of `GET /v1/proofs/consistency?from=N&to=M`. Needs
    /// `--old-checkpoint` (size N) and `--checkpoint` (size M).
    #[arg(long)]
    pub consistency: Option<Source>,
    /// A liability proof: the JSON of `GET /v1/me/liability-proof`. With `--checkpoint`, its
    /// snapshot's log leaf is checked to be in the signed log too.
    #[arg(long)]
    pub liability: Option<Source>,
    /// A statement export with proofs: the JSON of `GET /v1/me/transactions.json?proofs=true`
    /// (it carries its checkpoint), or the CSV of `GET /v1/me/transactions.csv?proofs=true`
    /// (give its checkpoint with `--checkpoint`). Every line's proof is checked.
    #[arg(long)]
    pub statement: Option<Source>,
    /// The signed checkpoint (the JSON of `GET /v1/proofs/checkpoint`) the proof must lead to.
    #[arg(long)]
    pub checkpoint: Option<Source>,
    /// For a consistency proof: the earlier signed checkpoint, the one you saw before.
    #[arg(long)]
    pub old_checkpoint: Option<Source>,
    /// The holder's session token, sent as `Authorization: Bearer` with every URL input (the
    /// statement and the transaction and liability proofs are the holder's own).
    #[arg(long, env = "QIANBAO_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
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
pub async fn run(args: ProofArgs) -> ExitCode {
    match args.action {
        ProofAction::Verify(args) => match verify(&args).await {
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

/// An input's text and where it came from (for messages).
struct Input {
    /// The path or URL.
    label: String,
    /// The whole text.
    text: String,
}

impl Input {
    /// Reads a file or fetches a URL.
    async fn load(source: &Source, token: Option<&str>) -> Result<Input, Failure> {
        let text = match source {
            Source::File(path) => std::fs::read_to_string(path)
                .map_err(|e| Unusable(format!("{}: {e}", path.display())))?,
            Source::Url(url) => fetch::text(url, token).await?,
        };
        Ok(Input {
            label: source.to_string(),
            text,
        })
    }

    /// Reads an optional input.
    async fn load_opt(
        source: Option<&Source>,
        token: Option<&str>,
    ) -> Result<Option<Input>, Failure> {
        match source {
            Some(source) => Ok(Some(Input::load(source, token).await?)),
            None => Ok(None),
        }
    }

    fn json<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        serde_json::from_str(&self.text)
            .map_err(|e| Unusable(format!("{}: not the expected JSON: {e}", self.label)))
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

/// `GET /v1/proofs/key`.
#[derive(Debug, Deserialize)]
struct KeyJson {
    vkey: String,
}

/// `GET /v1/proofs/consistency`.
#[derive(Debug, Deserialize)]
struct ConsistencyJson {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

/// `GET /v1/me/transactions/{id}/proof`, and a statement line's `proof`.
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
    /// The inclusion of the snapshot's leaf in the journal log, when the server ties it.
    #[serde(default)]
    log: Option<LogLeafJson>,
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

/// A liability proof's `log`: an RFC 6962 inclusion proof of the snapshot's log leaf.
#[derive(Debug, Deserialize)]
struct LogLeafJson {
    leaf_index: u64,
    leaf: String,
    tree_size: u64,
    root_hash: String,
    proof: Vec<String>,
}

/// Every input, read before any check, so a check never waits on the network.
struct Inputs {
    key: VerifierKey,
    inclusion: Option<Input>,
    consistency: Option<Input>,
    liability: Option<Input>,
    statement: Option<Input>,
    checkpoint: Option<Input>,
    old_checkpoint: Option<Input>,
}

async fn verify(args: &VerifyArgs) -> Result<String, Failure> {
    let token = args.token.as_deref();
    let key = Input::load(&args.public_key, token).await?;
    let inputs = Inputs {
        key: verifier_key(&key)?,
        inclusion: Input::load_opt(args.inclusion.as_ref(), token).await?,
        consistency: Input::load_opt(args.consistency.as_ref(), token).await?,
        liability: Input::load_opt(args.liability.as_ref(), token).await?,
        statement: Input::load_opt(args.statement.as_ref(), token).await?,
        checkpoint: Input::load_opt(args.checkpoint.as_ref(), token).await?,
        old_checkpoint: Input::load_opt(args.old_checkpoint.as_ref(), token).await?,
    };
    check(&inputs)
}

/// The verifier key: the bare C2SP line, or `GET /v1/proofs/key`'s JSON answer.
fn verifier_key(input: &Input) -> Result<VerifierKey, Failure> {
    let text = input.text.trim();
    let line = if text.starts_with('{') {
        input.json::<KeyJson>()?.vkey
    } else {
        text.to_owned()
    };
    VerifierKey::parse(line.trim()).map_err(|e| Unusable(format!("{}: {e}", input.label)))
}

fn check(inputs: &Inputs) -> Result<String, Failure> {
    let key = &inputs.key;
    let checkpoint = inputs.checkpoint.as_ref();
    if let Some(input) = &inputs.inclusion {
        inclusion(key, input, checkpoint)
    } else if let Some(input) = &inputs.consistency {
        consistency(key, input, inputs.old_checkpoint.as_ref(), checkpoint)
    } else if let Some(input) = &inputs.liability {
        liability(key, input, checkpoint)
    } else if let Some(input) = &inputs.statement {
        statement::check(key, input, checkpoint)
    } else {
        Err(Unusable(
            "give one of --inclusion, --consistency, --liability or --statement".into(),
        ))
    }
}

/// Checks one inclusion proof: against `signed`'s size and root when given, then the path, then
/// that each of the holder's commitments is in the leaf. Answers the leaf's bytes.
fn included(proof: &InclusionJson, signed: Option<&Checkpoint>) -> Result<Vec<u8>, Failure> {
    let leaf = decode(&proof.leaf, "leaf")?;
    let root = hash(&proof.root_hash, "root_hash")?;
    let hashes = hash_list(&proof.proof)?;
    if let Some(cp) = signed {
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
        if !text.contains(&hex(&commitment)) {
            return Err(Fails(format!(
                "account commitment {} is not in the leaf",
                account.commitment
            )));
        }
    }
    Ok(leaf)
}

fn inclusion(
    key: &VerifierKey,
    input: &Input,
    checkpoint: Option<&Input>,
) -> Result<String, Failure> {
    let proof: InclusionJson = input.json()?;
    let signed = checkpoint.map(|c| signed_checkpoint(key, c)).transpose()?;
    included(&proof, signed.as_ref())?;
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
    input: &Input,
    old: Option<&Input>,
    new: Option<&Input>,
) -> Result<String, Failure> {
    let proof: ConsistencyJson = input.json()?;
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

fn liability(
    key: &VerifierKey,
    input: &Input,
    checkpoint: Option<&Input>,
) -> Result<String, Failure> {
    let proof: LiabilityJson = input.json()?;
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
    // Then, with a checkpoint, that this snapshot is the one the signed log holds.
    let tied = match checkpoint {
        None => None,
        Some(checkpoint) => {
            let Some(log) = &proof.log else {
                return Err(Fails(
                    "the proof carries no `log` inclusion: its snapshot is not shown to be in \
                     the signed log"
                        .into(),
                ));
            };
            let cp = signed_checkpoint(key, checkpoint)?;
            snapshot::logged(log, &cp, &plain(&proof.snapshot_id), &proof.taken_at, &root)?;
            Some(cp)
        }
    };
    let totals: Vec<String> = root.sums.iter().map(|(c, a)| format!("{c} {a}")).collect();
    let totals = if totals.is_empty() {
        "none".to_owned()
    } else {
        totals.join(", ")
    };
    Ok(match tied {
        Some(cp) => format!(
            "liability holds: your balances are counted in snapshot {} taken at {}, totals {}, \
             and the snapshot is leaf {} of {}'s log of {} leaves, under the checkpoint signed \
             by {}",
            plain(&proof.snapshot_id),
            plain(&proof.taken_at),
            totals,
            proof.log.as_ref().map_or(0, |l| l.leaf_index),
            cp.origin,
            cp.size,
            key.name
        ),
        None => format!(
            "liability holds: your balances are counted in snapshot {} taken at {}, totals {} \
             (the snapshot root is not tied to a signed checkpoint; pass --checkpoint)",
            plain(&proof.snapshot_id),
            plain(&proof.taken_at),
            totals
        ),
    })
}

/// Reads a checkpoint answer and checks it with the key.
fn signed_checkpoint(key: &VerifierKey, input: &Input) -> Result<Checkpoint, Failure> {
    checked_checkpoint(key, &input.json()?, &input.label)
}

/// Verifies a checkpoint answer's note with the key and checks that the answer's fields say what
/// the signed note says.
fn checked_checkpoint(
    key: &VerifierKey,
    json: &CheckpointJson,
    label: &str,
) -> Result<Checkpoint, Failure> {
    let cp = verify_note(&json.note, &key.name, &key.key)
        .map_err(|e| Fails(format!("signature does not verify: {label}: {e}")))?;
    let root = hash(&json.root_hash, "root_hash")?;
    if json.origin != cp.origin || json.size != cp.size || root != cp.root {
        return Err(Fails(format!(
            "{label}: origin, size or root_hash differs from the signed note"
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
                "signature does not verify: {label}: the signature field is not the note's \
                 signature by {}",
                key.name
            )));
        }
    }
    Ok(cp)
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

/// Lowercase hex, as the leaves write hashes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A JSON scalar as plain text: strings without their quotes.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Source;
    use std::path::PathBuf;

    #[test]
    fn an_http_or_https_address_is_a_url_and_anything_else_a_path() {
        let parse = |s: &str| s.parse::<Source>().unwrap();
        assert_eq!(
            parse("https://wallet.example/v1/proofs/key"),
            Source::Url("https://wallet.example/v1/proofs/key".into())
        );
        assert_eq!(
            parse("HTTP://127.0.0.1:8080/x"),
            Source::Url("HTTP://127.0.0.1:8080/x".into())
        );
        for path in [
            "key.vkey",
            "./http:/x",
            "httpx://a",
            "ftp://a",
            "/tmp/https",
        ] {
            assert_eq!(parse(path), Source::File(PathBuf::from(path)), "{path}");
        }
    }
}
