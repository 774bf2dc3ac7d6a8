//! Witnesses' cosignatures: an Ed25519 signature over a checkpoint's note text by a key in the
//! operator's witness list is appended to the stored note as one more signature line.

use super::checkpoint::SignedCheckpoint;
use super::{ProofError, Proofs};
use crate::StoreError;
use crate::storage::RecordStore;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signature;
use qianbao_proofs::note::{self, VerifierKey};

/// What starts a C2SP signature line: an em dash and a space.
const LINE_PREFIX: &str = "\u{2014} ";

/// A cosignature as sent: the key's name, when given, its 4-byte key hash, when given, and the
/// 64 signature bytes.
struct Offered {
    name: Option<String>,
    key_hash: Option<[u8; 4]>,
    signature: Signature,
}

/// Reads a signature as base64 of the 64 raw bytes, base64 of key hash ‖ signature (68 bytes,
/// the signed-note form), or a whole signature line `— <name> <base64>`.
fn offered(key_name: Option<String>, text: &str) -> Result<Offered, ProofError> {
    let text = text.trim();
    let (name, b64) = match text.strip_prefix(LINE_PREFIX) {
        Some(line) => {
            let (name, b64) = line
                .split_once(' ')
                .ok_or_else(|| ProofError::BadSignature("not a signature line".into()))?;
            (Some(name.to_owned()), b64)
        }
        None => (key_name, text),
    };
    let raw = B64
        .decode(b64)
        .map_err(|_| ProofError::BadSignature("the signature is not base64".into()))?;
    let (key_hash, signature) = match raw.len() {
        64 => (None, raw.as_slice()),
        68 => {
            let (hash, rest) = raw.split_at(4);
            (hash.try_into().ok(), rest)
        }
        n => {
            return Err(ProofError::BadSignature(format!(
                "{n} bytes: an Ed25519 signature is 64 (68 with its key hash)"
            )));
        }
    };
    let signature = Signature::from_slice(signature)
        .map_err(|_| ProofError::BadSignature("not an Ed25519 signature".into()))?;
    Ok(Offered {
        name,
        key_hash,
        signature,
    })
}

impl Proofs {
    /// Adds a witness's cosignature to checkpoint `size`. Refused when no configured witness
    /// key matches the name or key hash given, or when none of those that match verifies it.
    /// Adding the same witness twice keeps the note as it is.
    pub async fn cosign(
        &self,
        store: &impl RecordStore,
        size: i64,
        key_name: Option<String>,
        signature: &str,
    ) -> Result<SignedCheckpoint, ProofError> {
        let offered = offered(key_name, signature)?;
        let candidates: Vec<VerifierKey> = self
            .witnesses
            .iter()
            .filter(|w| offered.name.as_ref().is_none_or(|n| *n == w.name))
            .filter(|w| offered.key_hash.is_none_or(|h| h == w.key_hash()))
            .cloned()
            .collect();
        if candidates.is_empty() {
            return Err(ProofError::UnknownWitness);
        }
        let sig = offered.signature;
        let stored = store
            .transact_money(move |r| {
                let Some(c) = r.checkpoint_at(size)? else {
                    return Ok(Err(ProofError::NoCheckpoint));
                };
                // The text is everything up to the last blank line (`c2sp.org/signed-note`).
                let Some(at) = c.note.rfind("\n\n") else {
                    return Err(StoreError::Corrupt(format!(
                        "checkpoint {size} has no signature block"
                    )));
                };
                let text = &c.note[..=at];
                let Some(witness) = candidates
                    .iter()
                    .find(|w| w.key.verify_strict(text.as_bytes(), &sig).is_ok())
                else {
                    return Ok(Err(ProofError::BadSignature(
                        "no matching witness key verifies it over this checkpoint".into(),
                    )));
                };
                let hash = witness.key_hash();
                let lines =
                    note::signatures(&c.note).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if lines
                    .iter()
                    .any(|s| s.name == witness.name && s.key_hash == hash)
                {
                    return Ok(Ok(c));
                }
                let mut raw = hash.to_vec();
                raw.extend_from_slice(&sig.to_bytes());
                let cosigned = format!(
                    "{}{LINE_PREFIX}{} {}\n",
                    c.note,
                    witness.name,
                    B64.encode(raw)
                );
                // The line just written must read back as the witness's: a check of this code.
                if note::open_note(&cosigned, &witness.name, &witness.key).is_err() {
                    return Err(StoreError::Corrupt("a cosigned note does not open".into()));
                }
                r.set_checkpoint_note(size, &cosigned)?;
                Ok(Ok(super::CheckpointRecord {
                    note: cosigned,
                    ..c
                }))
            })
            .await??;
        self.signed(stored)
    }
}
