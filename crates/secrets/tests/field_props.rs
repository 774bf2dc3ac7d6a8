//! Property tests for field sealing: round trips for any input, and no single-byte change survives.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::sample::Index;
use qianbao_secrets::KeyRing;
use qianbao_secrets::field::{OVERHEAD, open, seal};

/// A fixed key so failures reproduce from the proptest seed alone.
fn ring() -> KeyRing {
    KeyRing::from_bytes([0x5a; 32])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn open_inverts_seal(
        plaintext in proptest::collection::vec(any::<u8>(), 0..=4096),
        associated in proptest::collection::vec(any::<u8>(), 0..=256),
    ) {
        let keys = ring();
        let sealed = seal(&keys, &qianbao_secrets::OsRandomness, &plaintext, &associated).unwrap();
        prop_assert_eq!(sealed.len(), plaintext.len() + OVERHEAD);
        prop_assert_eq!(open(&keys, &sealed, &associated).unwrap(), plaintext);
    }

    #[test]
    fn any_single_byte_change_fails(
        plaintext in proptest::collection::vec(any::<u8>(), 0..=4096),
        associated in proptest::collection::vec(any::<u8>(), 0..=256),
        at in any::<Index>(),
        mask in 1u8..=255,
    ) {
        let keys = ring();
        let mut sealed = seal(&keys, &qianbao_secrets::OsRandomness, &plaintext, &associated).unwrap();
        let i = at.index(sealed.len());
        sealed[i] ^= mask;
        prop_assert!(open(&keys, &sealed, &associated).is_err(), "byte {} ^ {:#04x} opened", i, mask);
    }

    #[test]
    fn different_associated_data_fails(
        plaintext in proptest::collection::vec(any::<u8>(), 0..=512),
        associated in proptest::collection::vec(any::<u8>(), 0..=64),
        other in proptest::collection::vec(any::<u8>(), 0..=64),
    ) {
        prop_assume!(associated != other);
        let keys = ring();
        let sealed = seal(&keys, &qianbao_secrets::OsRandomness, &plaintext, &associated).unwrap();
        prop_assert!(open(&keys, &sealed, &other).is_err());
    }
}
