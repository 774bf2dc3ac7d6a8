//! The platform's Ed25519 key for ride codes (乘车码): signed here, checked offline by gates.
//!
//! The 32-byte seed is the key ring's [`Purpose::RideSigning`] sub-key, so every node of one
//! deployment signs with the same key and no new secret file has to be shipped or backed up.
//! Only the public half ever leaves this module; the signing key is wiped when dropped.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::{KeyRing, Purpose};

/// Bytes in an Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Bytes in an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// The platform's ride-code signing key; never printed, never serialised.
pub struct RideSigner {
    /// The Ed25519 key (`ed25519-dalek` zeroizes it on drop).
    key: SigningKey,
}

impl fmt::Debug for RideSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key must not reach a log, not even by a stray `{:?}`.
        f.write_str("RideSigner(***)")
    }
}

impl RideSigner {
    /// The deployment's signer: the seed is the key ring's ride-signing sub-key.
    pub fn from_ring(ring: &KeyRing) -> Self {
        Self::from_seed(ring.sub_key(Purpose::RideSigning))
    }

    /// A signer from a raw 32-byte seed (RFC 8032's "secret key"): test vectors and tests.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        RideSigner {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The Ed25519 signature of `message` (deterministic, as RFC 8032 specifies).
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key.sign(message).to_bytes()
    }

    /// The public half, which gates hold to check codes offline.
    pub fn public_key(&self) -> RidePublicKey {
        RidePublicKey {
            key: self.key.verifying_key(),
        }
    }
}

/// The platform's public ride-code key, as a gate holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct RidePublicKey {
    /// The decoded (and so valid) curve point.
    key: VerifyingKey,
}

impl fmt::Debug for RidePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RidePublicKey({})", self.key_id())
    }
}

impl RidePublicKey {
    /// Reads 32 public-key bytes; `None` when they are not a point on the curve.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Option<Self> {
        VerifyingKey::from_bytes(bytes)
            .ok()
            .map(|key| RidePublicKey { key })
    }

    /// The 32 bytes a gate stores.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.key.to_bytes()
    }

    /// A short name for the key: the first 8 bytes of SHA-256 of its bytes, in hex, so a gate
    /// can tell which key it holds after a rotation.
    pub fn key_id(&self) -> String {
        let digest = Sha256::digest(self.key.to_bytes());
        hex::encode(&digest[..8])
    }

    /// Whether `signature` is this key's signature of `message`.
    ///
    /// Uses the strict check (no small-order keys, canonical `S`), so one message has one
    /// accepted signature and a gate cannot be fooled by a malleated copy.
    pub fn verifies(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn seed(text: &str) -> [u8; 32] {
        hex::decode(text).unwrap().try_into().unwrap()
    }

    /// RFC 8032 §7.1, TEST 1 and TEST 2: secret key, public key, message, signature.
    const VECTORS: [(&str, &str, &str, &str); 2] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ];

    #[test]
    fn signatures_match_rfc_8032_test_vectors_1_and_2() {
        for (secret, public, message, signature) in VECTORS {
            let signer = RideSigner::from_seed(&seed(secret));
            let message = hex::decode(message).unwrap();
            assert_eq!(hex::encode(signer.public_key().to_bytes()), public);
            let signed = signer.sign(&message);
            assert_eq!(hex::encode(signed), signature);
            assert!(signer.public_key().verifies(&message, &signed));
        }
    }

    #[test]
    fn a_changed_message_or_signature_does_not_verify() {
        let signer = RideSigner::from_seed(&[7; 32]);
        let key = signer.public_key();
        let signed = signer.sign(b"ride");
        assert!(key.verifies(b"ride", &signed));
        assert!(!key.verifies(b"rida", &signed));
        let mut bent = signed;
        bent[10] ^= 1;
        assert!(!key.verifies(b"ride", &bent));
        let other = RideSigner::from_seed(&[8; 32]).public_key();
        assert!(!other.verifies(b"ride", &signed));
    }

    #[test]
    fn every_node_of_one_deployment_derives_the_same_key() {
        let hex_key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let a = RideSigner::from_ring(&KeyRing::from_hex(hex_key).unwrap());
        let b = RideSigner::from_ring(&KeyRing::from_hex(hex_key).unwrap());
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(a.sign(b"x"), b.sign(b"x"));
        let other = RideSigner::from_ring(&KeyRing::generate(&crate::OsRandomness).unwrap());
        assert_ne!(a.public_key(), other.public_key());
        assert_eq!(format!("{a:?}"), "RideSigner(***)");
        let bytes = a.public_key().to_bytes();
        assert_eq!(RidePublicKey::from_bytes(&bytes).unwrap(), a.public_key());
        assert_eq!(a.public_key().key_id().len(), 16);
    }
}
