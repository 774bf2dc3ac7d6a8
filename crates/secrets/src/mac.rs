//! HMAC-SHA256 helpers shared by the PIN digest, blind index, key derivation and webhook signatures.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// HMAC with SHA-256, the only MAC this crate uses.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// SHA-256's block size: HMAC pads or hashes every key to exactly this length.
const BLOCK: usize = 64;

/// Builds an HMAC-SHA256 instance for a key of any length without a fallible call.
///
/// `Hmac::new_from_slice` returns a `Result` even though HMAC accepts every key length, and this
/// crate allows no `unwrap`/`expect`. So we apply RFC 2104's key rule ourselves — keys longer than
/// the block are hashed, then the key is zero-padded to the block — and call the infallible
/// `KeyInit::new`. The result is bit-for-bit the same MAC (the tests check it against
/// `new_from_slice` and RFC 4231).
pub(crate) fn keyed(key: &[u8]) -> HmacSha256 {
    // Zeroizing so the padded copy of the key does not linger on the stack after we return.
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() <= BLOCK {
        block[..key.len()].copy_from_slice(key);
    } else {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    }
    HmacSha256::new((&*block).into())
}

/// HMAC-SHA256 over `parts` joined by a 0x00 separator, as lowercase hex.
///
/// The separator keeps `("ab", "c")` and `("a", "bc")` apart; the first part is always a
/// server-chosen value (a holder id or a fixed kind label) that never contains NUL.
pub(crate) fn hex_joined(key: &[u8], parts: &[&[u8]]) -> String {
    hex::encode(joined(key, parts).finalize().into_bytes())
}

/// An HMAC-SHA256 state that has absorbed `parts` joined by 0x00, ready to finalize or verify.
pub(crate) fn joined(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = keyed(key);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            mac.update(&[0u8]);
        }
        mac.update(part);
    }
    mac
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keyed_matches_new_from_slice_for_every_key_length_class() {
        for len in [0usize, 1, 32, 63, 64, 65, 128, 200] {
            let key: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
            let ours = keyed(&key).chain_update(b"message").finalize().into_bytes();
            let theirs = <HmacSha256 as KeyInit>::new_from_slice(&key)
                .unwrap()
                .chain_update(b"message")
                .finalize()
                .into_bytes();
            assert_eq!(ours, theirs, "key length {len}");
        }
    }

    #[test]
    fn rfc4231_test_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let mac = keyed(b"Jefe")
            .chain_update(b"what do ya want for nothing?")
            .finalize()
            .into_bytes();
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rfc4231_test_case_6_long_key() {
        // RFC 4231 §4.7: a 131-byte key, longer than the block, is hashed first.
        let key = [0xaau8; 131];
        let mac = keyed(&key)
            .chain_update(b"Test Using Larger Than Block-Size Key - Hash Key First")
            .finalize()
            .into_bytes();
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn parts_are_separated() {
        assert_ne!(
            hex_joined(b"k", &[b"ab", b"c"]),
            hex_joined(b"k", &[b"a", b"bc"])
        );
        assert_eq!(
            hex_joined(b"k", &[b"a", b"b"]),
            hex_joined(b"k", &[b"a\0b"])
        );
    }
}
