//! Bearer secrets from the [`Randomness`] port (the OS RNG in production): session tokens,
//! merchant API keys, numeric codes and raw shared secrets (TOTP keys).
//!
//! Tokens and keys carry 256 random bits (DESIGN requires ≥ 128) and are stored only as their
//! SHA-256 digest: a leaked table cannot be replayed, and lookups go by digest. A slow hash is
//! unnecessary because the input is already unguessable.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{Randomness, SecretError, random};

/// Prefix of session tokens, so a leaked one is recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "qb_";
/// Prefix of merchant API keys.
pub const API_KEY_PREFIX: &str = "qbk_";
/// Random bytes in a token or API key (256 bits).
pub const TOKEN_BYTES: usize = 32;
/// Length of the encoded random part: 32 bytes in unpadded base64.
pub const TOKEN_BODY_LEN: usize = 43;
/// Most digits [`new_numeric_code`] will produce.
pub const MAX_CODE_DIGITS: usize = 64;

/// A new session token and the digest to store for it: `(token, digest)`.
pub fn new_token(random: &dyn Randomness) -> Result<(String, String), SecretError> {
    prefixed_secret(random, TOKEN_PREFIX)
}

/// A new merchant API key and the digest to store for it: `(key, digest)`.
pub fn new_api_key(random: &dyn Randomness) -> Result<(String, String), SecretError> {
    prefixed_secret(random, API_KEY_PREFIX)
}

/// The stored form of a token or API key: hex SHA-256 of the whole string, prefix included.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `prefix` + 32 random bytes in URL-safe unpadded base64, with its digest.
fn prefixed_secret(random: &dyn Randomness, prefix: &str) -> Result<(String, String), SecretError> {
    let raw = Zeroizing::new(random::bytes::<TOKEN_BYTES>(random)?);
    let mut token = String::with_capacity(prefix.len() + TOKEN_BODY_LEN);
    token.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(raw.as_slice(), &mut token);
    let digest = token_digest(&token);
    Ok((token, digest))
}

/// `N` bytes from `random` for a shared secret (a TOTP key), wiped when dropped.
pub fn new_secret_bytes<const N: usize>(
    random: &dyn Randomness,
) -> Result<Zeroizing<[u8; N]>, SecretError> {
    Ok(Zeroizing::new(random::bytes::<N>(random)?))
}

/// A uniformly random string of `digits` decimal digits (OTPs, payment codes); leading zeros occur.
///
/// Each digit comes from one random byte below 250 — the largest multiple of 10 that fits — and
/// bytes of 250..=255 are discarded, so every digit is exactly uniform (no modulo bias).
pub fn new_numeric_code(random: &dyn Randomness, digits: usize) -> Result<String, SecretError> {
    if digits == 0 || digits > MAX_CODE_DIGITS {
        return Err(SecretError::InvalidCodeLength {
            requested: digits,
            max: MAX_CODE_DIGITS,
        });
    }
    // Each batch keeps ~97.7% of its bytes, so one batch of 2×digits almost always suffices.
    // The round limit bounds the loop; reaching it means the RNG is returning junk.
    const MAX_ROUNDS: usize = 64;
    let mut code = String::with_capacity(digits);
    let mut batch = Zeroizing::new([0u8; 2 * MAX_CODE_DIGITS]);
    for _ in 0..MAX_ROUNDS {
        random.fill(&mut batch[..])?;
        for &b in batch.iter() {
            if b < 250 {
                code.push(char::from(b'0' + b % 10));
                if code.len() == digits {
                    return Ok(code);
                }
            }
        }
    }
    Err(SecretError::Random(
        "too many rejected bytes while drawing a numeric code".to_owned(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn is_url_safe(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn tokens_have_prefix_length_charset_and_256_bits() {
        let (token, digest) = new_token(&crate::OsRandomness).unwrap();
        assert!(token.starts_with("qb_"), "{token}");
        assert_eq!(token.len(), 3 + TOKEN_BODY_LEN);
        let body = &token[3..];
        assert!(is_url_safe(body), "{token}");
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), 32);
        assert_eq!(digest, token_digest(&token));
        assert_eq!(digest.len(), 64);

        let (key, key_digest) = new_api_key(&crate::OsRandomness).unwrap();
        assert!(key.starts_with("qbk_"), "{key}");
        assert_eq!(key.len(), 4 + TOKEN_BODY_LEN);
        assert!(is_url_safe(&key[4..]));
        assert_eq!(key_digest, token_digest(&key));
    }

    #[test]
    fn ten_thousand_tokens_are_unique() {
        let mut tokens = HashSet::new();
        let mut digests = HashSet::new();
        for _ in 0..10_000 {
            let (t, d) = new_token(&crate::OsRandomness).unwrap();
            assert!(tokens.insert(t));
            assert!(digests.insert(d));
        }
    }

    #[test]
    fn digest_is_stable_hex_sha256() {
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(token_digest("qb_x"), token_digest("qb_x"));
        assert_ne!(token_digest("qb_x"), token_digest("qb_y"));
    }

    #[test]
    fn numeric_codes_have_the_right_length_and_charset() {
        for digits in [1, 6, 18, MAX_CODE_DIGITS] {
            let code = new_numeric_code(&crate::OsRandomness, digits).unwrap();
            assert_eq!(code.len(), digits);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
        for bad in [0, MAX_CODE_DIGITS + 1, usize::MAX] {
            assert!(matches!(
                new_numeric_code(&crate::OsRandomness, bad),
                Err(SecretError::InvalidCodeLength { .. })
            ));
        }
    }

    #[test]
    fn numeric_codes_are_roughly_uniform() {
        // Chi-square over the first digit of 20,000 codes: 9 degrees of freedom, so the
        // statistic is ~9 on average and exceeds 40 with probability below 1e-5.
        const N: u64 = 20_000;
        let mut counts = [0u64; 10];
        for _ in 0..N {
            let code = new_numeric_code(&crate::OsRandomness, 6).unwrap();
            counts[usize::from(code.as_bytes()[0] - b'0')] += 1;
        }
        let expected = N / 10;
        // Scaled by `expected` to stay in integers: chi² = Σ(c - e)² / e.
        let scaled: u64 = counts.iter().map(|&c| c.abs_diff(expected).pow(2)).sum();
        assert!(scaled < 40 * expected, "counts {counts:?}");
        assert!(counts.iter().all(|&c| c > 0));
    }

    #[test]
    fn eighteen_digit_codes_are_unique() {
        let codes: HashSet<String> = (0..1_000)
            .map(|_| new_numeric_code(&crate::OsRandomness, 18).unwrap())
            .collect();
        assert_eq!(codes.len(), 1_000);
    }
}
