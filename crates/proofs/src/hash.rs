//! The two hashes of an RFC 6962 Merkle tree (RFC 6962 §2.1, RFC 9162 §2.1.1).
//!
//! The one-byte prefixes keep a leaf from ever being read as an interior node (the second-preimage
//! defence of RFC 6962 §2.1): a leaf hash and a node hash never hash the same bytes.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a tree head.
pub type Hash = [u8; 32];

/// The prefix of a leaf hash's input.
const LEAF_PREFIX: u8 = 0x00;
/// The prefix of an interior node hash's input.
const NODE_PREFIX: u8 = 0x01;

/// `SHA-256(0x00 ‖ bytes)`: the hash of one leaf, MTH({d(0)}) in RFC 6962.
pub fn leaf_hash(bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(bytes);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// `SHA-256("")`: the tree head of the empty log, MTH({}) in RFC 6962.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_root_is_the_sha256_of_nothing() {
        // The NIST value the CT test suite also quotes as kSHA256EmptyTreeHash.
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_leaf_and_a_node_over_the_same_bytes_differ() {
        let l = [1u8; 32];
        let r = [2u8; 32];
        let mut joined = l.to_vec();
        joined.extend_from_slice(&r);
        assert_ne!(leaf_hash(&joined), node_hash(&l, &r));
    }

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }
}
