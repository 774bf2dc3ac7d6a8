//! The operator's Ed25519 key for the journal log's checkpoints (issue 23): each checkpoint is a
//! C2SP signed note over the log's origin, size and root, signed with this key.
//!
//! The 32-byte seed is the key ring's [`Purpose::CheckpointSigning`] sub-key, as the ride-code
//! key is the ring's ride-signing sub-key: every node of one deployment signs with the same key,
//! and no new secret file has to be shipped or backed up. A separate purpose, so a ride-code
//! signature can never pass for a checkpoint's, nor the reverse.

use std::fmt;

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::{KeyRing, Purpose};

/// The operator's checkpoint signing key; never printed, never serialised.
pub struct CheckpointSigner {
    /// The Ed25519 key (`ed25519-dalek` zeroizes it on drop).
    key: SigningKey,
}

impl fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key must not reach a log, not even by a stray `{:?}`.
        f.write_str("CheckpointSigner(***)")
    }
}

impl CheckpointSigner {
    /// The deployment's signer: the seed is the key ring's checkpoint-signing sub-key.
    pub fn from_ring(ring: &KeyRing) -> Self {
        Self::from_seed(ring.sub_key(Purpose::CheckpointSigning))
    }

    /// A signer from a raw 32-byte seed: tests.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        CheckpointSigner {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The signing key, for the signed-note code (`qianbao_proofs::note`), which writes the
    /// signature line itself.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The public half, which anyone checking a checkpoint holds.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ride_signing::RideSigner;

    #[test]
    fn every_node_derives_the_same_key_and_it_is_not_the_ride_key() {
        let hex_key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let ring = KeyRing::from_hex(hex_key).unwrap();
        let a = CheckpointSigner::from_ring(&ring);
        let b = CheckpointSigner::from_ring(&KeyRing::from_hex(hex_key).unwrap());
        assert_eq!(a.public_key(), b.public_key());
        let ride = RideSigner::from_ring(&ring).public_key().to_bytes();
        assert_ne!(a.public_key().to_bytes(), ride);
        assert_eq!(format!("{a:?}"), "CheckpointSigner(***)");
    }
}
