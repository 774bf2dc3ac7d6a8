//! The journal's hash chain: each line's hash covers the previous hash, its sequence number and its
//! text, so changing, dropping or reordering any stored line breaks every hash after it.

use sha2::{Digest, Sha256};

/// A SHA-256 link of the chain.
pub type Link = [u8; 32];

/// The link before the first journal line.
pub const GENESIS: Link = [0; 32];

/// The link of journal line `seq` with canonical text `text`, following `prev`.
pub fn link(prev: &Link, seq: u64, text: &str) -> Link {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(text.as_bytes());
    h.finalize().into()
}
