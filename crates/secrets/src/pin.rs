//! Payment PINs: a keyed HMAC-SHA256 digest, because six digits have only a million values and no
//! hashing cost can protect them on its own. The key lives outside the database (in the
//! [`KeyRing`]), so a stolen database alone cannot be brute-forced.

use hmac::Mac;

use crate::{KeyRing, Purpose, mac};

/// The digest to store for `holder_id`'s PIN: hex HMAC-SHA256(pin key, holder_id ‖ 0x00 ‖ pin).
///
/// Binding the holder id means equal PINs of different holders give different digests.
pub fn pin_digest(keys: &KeyRing, holder_id: &str, pin: &str) -> String {
    mac::hex_joined(
        keys.sub_key(Purpose::Pin),
        &[holder_id.as_bytes(), pin.as_bytes()],
    )
}

/// Whether `pin` matches the `stored` digest, compared in constant time.
///
/// A stored value that is not 64 hex characters never matches.
pub fn pin_matches(keys: &KeyRing, holder_id: &str, pin: &str, stored: &str) -> bool {
    let mut expected = [0u8; 32];
    if hex::decode_to_slice(stored, &mut expected).is_err() {
        return false;
    }
    // `verify_slice` compares in constant time, so response timing reveals nothing about
    // how many leading bytes of a guess were right.
    mac::joined(
        keys.sub_key(Purpose::Pin),
        &[holder_id.as_bytes(), pin.as_bytes()],
    )
    .verify_slice(&expected)
    .is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ring(byte: u8) -> KeyRing {
        KeyRing::from_bytes([byte; 32])
    }

    #[test]
    fn digest_is_stable_holder_bound_and_keyed() {
        let k = ring(1);
        let d = pin_digest(&k, "holder-1", "482915");
        assert_eq!(d.len(), 64);
        assert!(
            d.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(d, pin_digest(&k, "holder-1", "482915"));
        assert_ne!(d, pin_digest(&k, "holder-2", "482915"));
        assert_ne!(d, pin_digest(&k, "holder-1", "482916"));
        assert_ne!(d, pin_digest(&ring(2), "holder-1", "482915"));
    }

    #[test]
    fn digest_is_hmac_of_holder_nul_pin_under_the_pin_sub_key() {
        use hmac::{Hmac, KeyInit};
        use sha2::Sha256;
        let k = ring(3);
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(k.sub_key(Purpose::Pin)).unwrap();
        m.update(b"h\x00123456");
        assert_eq!(
            pin_digest(&k, "h", "123456"),
            hex::encode(m.finalize().into_bytes())
        );
    }

    #[test]
    fn matches_only_the_right_pin_holder_and_key() {
        let k = ring(1);
        let stored = pin_digest(&k, "holder-1", "482915");
        assert!(pin_matches(&k, "holder-1", "482915", &stored));
        assert!(pin_matches(
            &k,
            "holder-1",
            "482915",
            &stored.to_uppercase()
        ));
        assert!(!pin_matches(&k, "holder-1", "482916", &stored));
        assert!(!pin_matches(&k, "holder-2", "482915", &stored));
        assert!(!pin_matches(&ring(2), "holder-1", "482915", &stored));
        for bad in [
            "",
            "00",
            &stored[..63],
            &format!("{stored}00"),
            &"zz".repeat(32),
        ] {
            assert!(!pin_matches(&k, "holder-1", "482915", bad), "{bad:?}");
        }
    }
}
