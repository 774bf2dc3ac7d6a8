//! Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note), Ed25519
//! only.
//!
//! A note is a text ending in a newline, a blank line, and one line per signature:
//! `— <key name> <base64(4-byte key hash ‖ 64-byte signature)>`. The signature covers the text
//! with its final newline, not the blank line. The key hash is the first four bytes of
//! `SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key)`; it only picks a key, the signature proves it.
//! Witnesses co-sign by adding their own line over the same text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::hash::Hash;

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;
/// What starts a signature line: an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// The most signature lines a note may carry. The spec asks verifiers to accept at least 16 and to
/// cap the count; 100 is the Go reference's cap.
const MAX_SIGNATURES: usize = 100;

/// Why a note or a verifier key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note has no blank line between text and signatures, or no signature lines.
    #[error("the note has no signature block")]
    NoSignatures,
    /// A line of the signature block is not `— <name> <base64>`.
    #[error("signature line {0} is malformed")]
    MalformedSignature(usize),
    /// The note carries more signature lines than any verifier needs to read.
    #[error("the note carries more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// The text is empty, does not end in a newline, or holds a control character.
    #[error("the note text is malformed")]
    MalformedText,
    /// A key name is empty or holds a space or a plus sign.
    #[error("key name {0:?} is not a valid note key name")]
    BadKeyName(String),
    /// No signature line names this key (by name and key hash).
    #[error("the note is not signed by {0}")]
    NotSignedBy(String),
    /// A signature line names this key but its signature does not verify.
    #[error("the signature by {0} does not verify")]
    BadSignature(String),
    /// This key has signed the note already.
    #[error("the note is already signed by {0}")]
    AlreadySigned(String),
    /// The text is not a checkpoint: origin, size, base64 root hash, nothing more.
    #[error("the note text is not a checkpoint: {0}")]
    NotACheckpoint(&'static str),
    /// A verifier key is not `<name>+<hex key hash>+<base64(0x01 ‖ key)>`, or its parts disagree.
    #[error("the verifier key is malformed: {0}")]
    BadVerifierKey(&'static str),
}

/// A tree head as a checkpoint's text: which log, how many leaves, and the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `wallet.example.com/journal`.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The RFC 6962 tree head at that size.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: `"<origin>\n<size>\n<base64 root>\n"`.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Reads a note text written by [`Checkpoint::body`]. Extension lines are refused: ours carry
    /// none, and the spec itself does not recommend them because monitors cannot audit them.
    pub fn parse_body(text: &str) -> Result<Checkpoint, NoteError> {
        let rest = text
            .strip_suffix('\n')
            .ok_or(NoteError::NotACheckpoint("no final newline"))?;
        let mut lines = rest.split('\n');
        let (Some(origin), Some(size), Some(root), None) =
            (lines.next(), lines.next(), lines.next(), lines.next())
        else {
            return Err(NoteError::NotACheckpoint("not exactly three lines"));
        };
        if origin.is_empty() {
            return Err(NoteError::NotACheckpoint("empty origin"));
        }
        // ASCII decimal, no sign, no leading zero unless the size is 0 itself.
        let canonical = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        let size = canonical
            .then(|| size.parse::<u64>().ok())
            .flatten()
            .ok_or(NoteError::NotACheckpoint("size is not a canonical decimal"))?;
        let root = B64
            .decode(root)
            .ok()
            .and_then(|b| Hash::try_from(b).ok())
            .ok_or(NoteError::NotACheckpoint("root is not 32 bytes of base64"))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

/// A verifier key in the C2SP text form `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    /// The key name that signature lines carry.
    pub name: String,
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

impl VerifierKey {
    /// The 4-byte key hash that signature lines by this key carry.
    pub fn key_hash(&self) -> [u8; 4] {
        key_hash(&self.name, &self.key)
    }

    /// Reads the text form, checking that the key hash matches the name and the key.
    pub fn parse(text: &str) -> Result<VerifierKey, NoteError> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadVerifierKey("not three '+'-separated parts"));
        };
        check_name(name)?;
        let hash = parse_hex4(hash).ok_or(NoteError::BadVerifierKey("key hash is not 8 hex"))?;
        let raw = B64
            .decode(key)
            .map_err(|_| NoteError::BadVerifierKey("key is not base64"))?;
        let [ED25519, key @ ..] = raw.as_slice() else {
            return Err(NoteError::BadVerifierKey("not an Ed25519 (0x01) key"));
        };
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| NoteError::BadVerifierKey("key is not 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|_| NoteError::BadVerifierKey("not a valid Ed25519 point"))?;
        let parsed = VerifierKey {
            name: name.to_owned(),
            key,
        };
        if parsed.key_hash() != hash {
            return Err(NoteError::BadVerifierKey(
                "key hash does not match name and key",
            ));
        }
        Ok(parsed)
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        let hash: String = self.key_hash().iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "{}+{}+{}", self.name, hash, B64.encode(raw))
    }
}

/// One signature line of a note, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name on the line.
    pub name: String,
    /// The 4-byte key hash the signature starts with.
    pub key_hash: [u8; 4],
    /// The signature bytes after the key hash (64 for Ed25519; other types may differ).
    pub signature: Vec<u8>,
}

/// `SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[..4]`: the key hash of an Ed25519 note key.
pub fn key_hash(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(key.as_bytes());
    let digest: [u8; 32] = h.finalize().into();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Signs `text` as key `name`: returns the whole note, text, blank line and one signature line.
pub fn sign_note(text: &str, name: &str, key: &SigningKey) -> Result<String, NoteError> {
    check_text(text)?;
    check_name(name)?;
    Ok(format!("{text}\n{}", signature_line(text, name, key)))
}

/// Adds a signature by key `name` over the same text: how a witness co-signs a checkpoint.
pub fn add_signature(note: &str, name: &str, key: &SigningKey) -> Result<String, NoteError> {
    check_name(name)?;
    let (text, lines) = split(note)?;
    let hash = key_hash(name, &key.verifying_key());
    if lines.iter().any(|s| s.name == name && s.key_hash == hash) {
        return Err(NoteError::AlreadySigned(name.to_owned()));
    }
    if lines.len() >= MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    Ok(format!("{note}{}", signature_line(text, name, key)))
}

/// Every signature line of a note, in order, without verifying any.
pub fn signatures(note: &str) -> Result<Vec<NoteSignature>, NoteError> {
    split(note).map(|(_, lines)| lines)
}

/// Verifies the note's signature by key `name` and returns its text. Lines by other keys are
/// ignored, as the spec requires; a line that names this key and fails refuses the note.
pub fn open_note<'a>(note: &'a str, name: &str, key: &VerifyingKey) -> Result<&'a str, NoteError> {
    let (text, lines) = split(note)?;
    let hash = key_hash(name, key);
    let mut found = false;
    for line in lines
        .iter()
        .filter(|s| s.name == name && s.key_hash == hash)
    {
        let signature = Signature::from_slice(&line.signature)
            .map_err(|_| NoteError::BadSignature(name.to_owned()))?;
        key.verify_strict(text.as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature(name.to_owned()))?;
        found = true;
    }
    if found {
        Ok(text)
    } else {
        Err(NoteError::NotSignedBy(name.to_owned()))
    }
}

/// Verifies the note's signature by key `name` and reads its text as a checkpoint.
pub fn verify_note(note: &str, name: &str, key: &VerifyingKey) -> Result<Checkpoint, NoteError> {
    Checkpoint::parse_body(open_note(note, name, key)?)
}

/// `— <name> <base64(key hash ‖ signature)>\n` over `text`.
fn signature_line(text: &str, name: &str, key: &SigningKey) -> String {
    let mut raw = key_hash(name, &key.verifying_key()).to_vec();
    raw.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
    format!("{SIGNATURE_PREFIX}{name} {}\n", B64.encode(raw))
}

/// Splits a note into its text and parsed signature lines. The text ends at the *last* blank
/// line, since the text itself may hold blank lines.
fn split(note: &str) -> Result<(&str, Vec<NoteSignature>), NoteError> {
    check_chars(note)?;
    let at = note.rfind("\n\n").ok_or(NoteError::NoSignatures)?;
    let (text, block) = (&note[..=at], &note[at + 2..]);
    check_text(text)?;
    let block = block.strip_suffix('\n').ok_or(NoteError::NoSignatures)?;
    let lines: Vec<&str> = block.split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    let parsed = lines
        .iter()
        .enumerate()
        .map(|(i, line)| parse_signature_line(line).ok_or(NoteError::MalformedSignature(i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((text, parsed))
}

/// Reads `— <name> <base64>`; the signature must hold a key hash and at least one byte more.
fn parse_signature_line(line: &str) -> Option<NoteSignature> {
    let rest = line.strip_prefix(SIGNATURE_PREFIX)?;
    let (name, sig) = rest.split_once(' ')?;
    check_name(name).ok()?;
    let raw = B64.decode(sig).ok()?;
    if raw.len() <= 4 {
        return None;
    }
    let (hash, signature) = raw.split_at(4);
    Some(NoteSignature {
        name: name.to_owned(),
        key_hash: hash.try_into().ok()?,
        signature: signature.to_vec(),
    })
}

/// A text must be non-empty, end in a newline and hold no control character but newlines.
fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') {
        return Err(NoteError::MalformedText);
    }
    check_chars(text)
}

/// Signed notes hold no ASCII control character other than the newline.
fn check_chars(s: &str) -> Result<(), NoteError> {
    if s.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::MalformedText);
    }
    Ok(())
}

/// A key name is non-empty and holds no Unicode space and no plus sign.
fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(NoteError::BadKeyName(name.to_owned()));
    }
    Ok(())
}

/// Exactly eight lowercase or uppercase hex digits as four bytes.
fn parse_hex4(s: &str) -> Option<[u8; 4]> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok().map(u32::to_be_bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
