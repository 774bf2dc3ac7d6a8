//! Field encryption at rest (card numbers, ID numbers, ID photos) with AES-256-GCM, and HMAC
//! blind indexes to find rows by those values without decrypting.
//!
//! Sealed layout: `version (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. The version byte names the
//! key generation, so keys can be rotated later by adding versions without rewriting old rows.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

use crate::{KeyRing, Purpose, Randomness, SecretError, mac, random};

/// The current (and so far only) sealed format: AES-256-GCM under the field-encryption sub-key.
pub const VERSION: u8 = 1;
/// Nonce length: 96 bits, GCM's native size.
pub const NONCE_LEN: usize = 12;
/// Authentication tag length.
pub const TAG_LEN: usize = 16;
/// Bytes a sealed value adds to its plaintext.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// The cipher for format [`VERSION`].
fn cipher(keys: &KeyRing) -> Aes256Gcm {
    // Borrowed as an `&Array` view of the same bytes: no unwiped copy of the key is made.
    Aes256Gcm::new(keys.sub_key(Purpose::FieldEncryption).into())
}

/// Encrypts `plaintext`, bound to `associated` (e.g. `"card:<holder_id>"`), under a fresh nonce.
///
/// Random 96-bit nonces are safe for far more than the 2^32 seals per key NIST allows here;
/// a fresh nonce each time also means equal plaintexts never give equal ciphertexts.
pub fn seal(
    keys: &KeyRing,
    random: &dyn Randomness,
    plaintext: &[u8],
    associated: &[u8],
) -> Result<Vec<u8>, SecretError> {
    let nonce_bytes = random::bytes::<NONCE_LEN>(random)?;
    let nonce = Nonce::from(nonce_bytes);
    let ciphertext = cipher(keys)
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: associated,
            },
        )
        .map_err(|_| SecretError::Encrypt)?;
    let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    sealed.push(VERSION);
    sealed.extend_from_slice(&nonce_bytes);
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

/// Decrypts a value from [`seal`]; any wrong key, associated data, truncation or flipped bit fails.
pub fn open(keys: &KeyRing, sealed: &[u8], associated: &[u8]) -> Result<Vec<u8>, SecretError> {
    let Some((&version, rest)) = sealed.split_first() else {
        return Err(SecretError::Decrypt);
    };
    if version != VERSION {
        return Err(SecretError::UnsupportedVersion(version));
    }
    if rest.len() < NONCE_LEN + TAG_LEN {
        return Err(SecretError::Decrypt);
    }
    let (nonce_bytes, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce_bytes).map_err(|_| SecretError::Decrypt)?;
    cipher(keys)
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad: associated,
            },
        )
        .map_err(|_| SecretError::Decrypt)
}

/// A keyed look-up index for an encrypted value: hex HMAC-SHA256(blind-index key, kind ‖ 0x00 ‖ value).
///
/// `kind` (e.g. `"card"`, `"id"`) keeps equal strings of different kinds apart; normalise the
/// value first (strip spaces, fold case) so every spelling of one number finds the same row.
pub fn blind_index(keys: &KeyRing, kind: &str, normalised_value: &str) -> String {
    mac::hex_joined(
        keys.sub_key(Purpose::BlindIndex),
        &[kind.as_bytes(), normalised_value.as_bytes()],
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ring(byte: u8) -> KeyRing {
        KeyRing::from_bytes([byte; 32])
    }

    const CARD: &[u8] = b"6222020200112233445";
    const AD: &[u8] = b"card:holder-1";

    #[test]
    fn round_trip_and_layout() {
        let k = ring(1);
        let sealed = seal(&k, &crate::OsRandomness, CARD, AD).unwrap();
        assert_eq!(sealed.len(), CARD.len() + OVERHEAD);
        assert_eq!(sealed[0], VERSION);
        assert_eq!(open(&k, &sealed, AD).unwrap(), CARD);

        let empty = seal(&k, &crate::OsRandomness, b"", b"").unwrap();
        assert_eq!(empty.len(), OVERHEAD);
        assert_eq!(open(&k, &empty, b"").unwrap(), b"");
    }

    #[test]
    fn two_seals_differ() {
        let k = ring(1);
        let a = seal(&k, &crate::OsRandomness, CARD, AD).unwrap();
        let b = seal(&k, &crate::OsRandomness, CARD, AD).unwrap();
        assert_ne!(a, b);
        assert_ne!(a[1..1 + NONCE_LEN], b[1..1 + NONCE_LEN]);
    }

    #[test]
    fn ciphertext_does_not_contain_the_plaintext() {
        let sealed = seal(&ring(1), &crate::OsRandomness, CARD, AD).unwrap();
        assert!(!sealed.windows(CARD.len()).any(|w| w == CARD));
    }

    #[test]
    fn every_tamper_case_fails() {
        let k = ring(1);
        let sealed = seal(&k, &crate::OsRandomness, CARD, AD).unwrap();

        assert!(matches!(
            open(&ring(2), &sealed, AD),
            Err(SecretError::Decrypt)
        ));
        assert!(matches!(
            open(&k, &sealed, b"card:holder-2"),
            Err(SecretError::Decrypt)
        ));
        assert!(matches!(open(&k, &sealed, b""), Err(SecretError::Decrypt)));

        for len in 0..sealed.len() {
            assert!(open(&k, &sealed[..len], AD).is_err(), "truncated to {len}");
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert!(open(&k, &longer, AD).is_err());

        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[i] ^= 1 << bit;
                assert!(open(&k, &bad, AD).is_err(), "byte {i} bit {bit}");
            }
        }
        let mut other_version = sealed.clone();
        other_version[0] = 2;
        assert!(matches!(
            open(&k, &other_version, AD),
            Err(SecretError::UnsupportedVersion(2))
        ));
    }

    #[test]
    fn field_key_is_not_the_master_or_another_sub_key() {
        // A ciphertext made with the raw master key or the blind-index key must not open.
        let k = ring(1);
        let nonce = [9u8; NONCE_LEN];
        for wrong in [[1u8; 32], *k.sub_key(Purpose::BlindIndex)] {
            let ct = Aes256Gcm::new(&wrong.into())
                .encrypt(&Nonce::from(nonce), Payload { msg: CARD, aad: AD })
                .unwrap();
            let mut sealed = vec![VERSION];
            sealed.extend_from_slice(&nonce);
            sealed.extend_from_slice(&ct);
            assert!(open(&k, &sealed, AD).is_err());
        }
    }

    #[test]
    fn blind_index_is_stable_keyed_and_kind_separated() {
        let k = ring(1);
        let i = blind_index(&k, "card", "6222020200112233445");
        assert_eq!(i.len(), 64);
        assert_eq!(i, blind_index(&k, "card", "6222020200112233445"));
        assert_ne!(i, blind_index(&k, "card", "6222020200112233446"));
        assert_ne!(i, blind_index(&k, "id", "6222020200112233445"));
        assert_ne!(i, blind_index(&ring(2), "card", "6222020200112233445"));
        // Must not collide with the PIN digest of the same strings: different sub-keys.
        assert_ne!(i, crate::pin::pin_digest(&k, "card", "6222020200112233445"));
    }
}
