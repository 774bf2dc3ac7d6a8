//! Webhook signatures, sent as `Qianbao-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<body>")>`.
//!
//! Signing the timestamp with the body lets receivers reject replays outside a tolerance window.
//! The key is the merchant's whole webhook secret string (`whsec_…`) as bytes, exactly as the
//! merchant received it, so any HMAC library can verify without knowing our encoding.

use hmac::Mac;

use crate::{Randomness, SecretError, SignatureError, mac, random};

/// Prefix of webhook secrets.
pub const WEBHOOK_SECRET_PREFIX: &str = "whsec_";
/// The HTTP header carrying the signature.
pub const HEADER_NAME: &str = "Qianbao-Signature";
/// Longest header [`verify`] will parse; room for a timestamp and several signatures during
/// secret rotation, and a bound on the work an attacker can make us do.
pub const MAX_HEADER_LEN: usize = 1024;
/// Most `v1=` signatures [`verify`] accepts in one header.
pub const MAX_SIGNATURES: usize = 8;
/// Hex characters in one `v1=` signature (32 bytes).
const SIGNATURE_HEX_LEN: usize = 64;

/// A new webhook secret: `whsec_` + 32 random bytes in hex.
pub fn new_webhook_secret(random: &dyn Randomness) -> Result<String, SecretError> {
    let raw = zeroize::Zeroizing::new(random::bytes::<32>(random)?);
    let mut secret = String::with_capacity(WEBHOOK_SECRET_PREFIX.len() + 64);
    secret.push_str(WEBHOOK_SECRET_PREFIX);
    secret.push_str(&hex::encode(raw.as_slice()));
    Ok(secret)
}

/// The MAC state over `"<t>.<body>"` under `secret`.
fn signed_payload(secret: &[u8], t: i64, body: &[u8]) -> mac::HmacSha256 {
    let mut m = mac::keyed(secret);
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The header value for `body` sent at unix time `t`: `t=<t>,v1=<hex>`.
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let tag = signed_payload(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(tag))
}

/// Checks a signature header against `body` at unix time `now`, allowing `tolerance_s` seconds of skew.
///
/// Parsing is strict: comma-separated `key=value` parts with no spaces, exactly one `t` of plain
/// decimal digits, one to [`MAX_SIGNATURES`] `v1` values of 64 hex characters each, nothing else.
/// Several `v1` values let a sender sign with an old and a new secret while a merchant rotates.
/// The signature is checked (in constant time) before the timestamp, so `OutsideTolerance`
/// is only ever reported for a genuine but stale signature.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_s: i64,
) -> Result<(), SignatureError> {
    let parsed = parse(header)?;
    let expected = signed_payload(secret, parsed.t, body);
    let matched = parsed.signatures[..parsed.count]
        .iter()
        // Every candidate is checked (no short-circuit) so timing does not reveal which matched.
        .fold(false, |any, sig| {
            expected.clone().verify_slice(sig).is_ok() | any
        });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    // A negative tolerance is treated as zero: only the exact second is accepted.
    let tolerance = u64::try_from(tolerance_s).unwrap_or(0);
    if now.abs_diff(parsed.t) > tolerance {
        return Err(SignatureError::OutsideTolerance);
    }
    Ok(())
}

/// A header broken into its timestamp and signatures.
struct Parsed {
    /// The `t=` value.
    t: i64,
    /// The decoded `v1=` values; only the first `count` are filled.
    signatures: [[u8; 32]; MAX_SIGNATURES],
    /// How many `v1=` values the header had.
    count: usize,
}

/// Parses a header strictly; see [`verify`] for the grammar.
fn parse(header: &str) -> Result<Parsed, SignatureError> {
    if header.is_empty() || header.len() > MAX_HEADER_LEN {
        return Err(SignatureError::Malformed);
    }
    let mut t = None;
    let mut signatures = [[0u8; 32]; MAX_SIGNATURES];
    let mut count = 0;
    for part in header.split(',') {
        let (key, value) = part.split_once('=').ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                if t.is_some() {
                    return Err(SignatureError::DuplicateTimestamp);
                }
                // Digits only: `i64::from_str` would also take a sign, which no sender emits.
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(SignatureError::InvalidTimestamp);
                }
                t = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::InvalidTimestamp)?,
                );
            }
            "v1" => {
                if count == MAX_SIGNATURES {
                    return Err(SignatureError::Malformed);
                }
                if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(SignatureError::InvalidHex);
                }
                if value.len() != SIGNATURE_HEX_LEN {
                    return Err(SignatureError::InvalidLength);
                }
                hex::decode_to_slice(value, &mut signatures[count])
                    .map_err(|_| SignatureError::InvalidHex)?;
                count += 1;
            }
            "" => return Err(SignatureError::Malformed),
            _ => return Err(SignatureError::UnknownPart),
        }
    }
    let t = t.ok_or(SignatureError::MissingTimestamp)?;
    if count == 0 {
        return Err(SignatureError::MissingSignature);
    }
    Ok(Parsed {
        t,
        signatures,
        count,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit};
    use sha2::Sha256;

    const SECRET: &[u8] = b"whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment.succeeded"}"#;
    const T: i64 = 1_767_225_600;

    #[test]
    fn fixed_vector_matches_an_independent_hmac() {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
        m.update(b"1767225600.");
        m.update(BODY);
        let expected = format!("t=1767225600,v1={}", hex::encode(m.finalize().into_bytes()));
        assert_eq!(sign(SECRET, T, BODY), expected);
    }

    #[test]
    fn fixed_vector_matches_a_literal() {
        // Computed outside Rust with Python's `hmac` module:
        // hmac.new(SECRET, b"1767225600." + BODY, hashlib.sha256).hexdigest()
        assert_eq!(
            sign(SECRET, T, BODY),
            "t=1767225600,v1=f088f35b7a0cca7db8e37adf0010bec9b19158c061826e67c93e0affa7f2839f"
        );
    }

    #[test]
    fn verify_accepts_within_tolerance_and_rejects_outside() {
        let h = sign(SECRET, T, BODY);
        assert_eq!(verify(SECRET, &h, BODY, T, 300), Ok(()));
        assert_eq!(verify(SECRET, &h, BODY, T + 300, 300), Ok(()));
        assert_eq!(verify(SECRET, &h, BODY, T - 300, 300), Ok(()));
        assert_eq!(
            verify(SECRET, &h, BODY, T + 301, 300),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(
            verify(SECRET, &h, BODY, T - 301, 300),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(
            verify(SECRET, &h, BODY, T + 1, -5),
            Err(SignatureError::OutsideTolerance)
        );
        // No overflow at the extremes: the distance is computed without wrapping.
        assert_eq!(verify(SECRET, &h, BODY, 0, i64::MAX), Ok(()));
        assert_eq!(
            verify(SECRET, &h, BODY, i64::MIN, i64::MAX),
            Err(SignatureError::OutsideTolerance)
        );
        let max_t = sign(SECRET, i64::MAX, BODY);
        assert_eq!(verify(SECRET, &max_t, BODY, i64::MAX, 0), Ok(()));
        assert_eq!(
            verify(SECRET, &max_t, BODY, i64::MIN, 0),
            Err(SignatureError::OutsideTolerance)
        );
    }

    #[test]
    fn verify_rejects_wrong_secret_body_or_timestamp() {
        let h = sign(SECRET, T, BODY);
        assert_eq!(
            verify(b"whsec_other", &h, BODY, T, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &h, b"{}", T, 300),
            Err(SignatureError::Mismatch)
        );
        let moved = h.replace("t=1767225600", "t=1767225601");
        assert_eq!(
            verify(SECRET, &moved, BODY, T, 300),
            Err(SignatureError::Mismatch)
        );
        let mut flipped = h.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            verify(SECRET, &String::from_utf8(flipped).unwrap(), BODY, T, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn verify_accepts_any_of_several_signatures() {
        let old = sign(b"whsec_old", T, BODY);
        let new = sign(SECRET, T, BODY);
        let both = format!("{new},{}", old.split_once(',').unwrap().1);
        assert_eq!(verify(SECRET, &both, BODY, T, 300), Ok(()));
        assert_eq!(verify(b"whsec_old", &both, BODY, T, 300), Ok(()));
        assert_eq!(
            verify(b"whsec_third", &both, BODY, T, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn verify_parses_strictly() {
        use SignatureError::*;
        let good = sign(SECRET, T, BODY);
        let sig = good.split_once(",v1=").unwrap().1.to_owned();
        let cases: Vec<(String, SignatureError)> = vec![
            (String::new(), Malformed),
            ("garbage".into(), Malformed),
            (format!("t={T}"), MissingSignature),
            (format!("v1={sig}"), MissingTimestamp),
            (format!("t={T},t={T},v1={sig}"), DuplicateTimestamp),
            (format!("t={T}, v1={sig}"), UnknownPart),
            (format!("t={T},v0={sig}"), UnknownPart),
            (format!("t={T},v1={sig},"), Malformed),
            (format!(",t={T},v1={sig}"), Malformed),
            (format!("t={T},={sig}"), Malformed),
            (format!("t={T},v1"), Malformed),
            (format!("t=,v1={sig}"), InvalidTimestamp),
            (format!("t=-{T},v1={sig}"), InvalidTimestamp),
            (format!("t=+{T},v1={sig}"), InvalidTimestamp),
            (format!("t= {T},v1={sig}"), InvalidTimestamp),
            (format!("t=99999999999999999999,v1={sig}"), InvalidTimestamp),
            (format!("t={T},v1={}zz", &sig[..62]), InvalidHex),
            (format!("t={T},v1=\u{0660}{}", &sig[..62]), InvalidHex),
            (format!("t={T},v1={}", &sig[..62]), InvalidLength),
            (format!("t={T},v1={sig}00"), InvalidLength),
            (format!("t={T},v1="), InvalidLength),
            (
                format!("t={T}{}", format!(",v1={sig}").repeat(9)),
                Malformed,
            ),
            ("x".repeat(MAX_HEADER_LEN + 1), Malformed),
        ];
        for (header, want) in cases {
            assert_eq!(
                verify(SECRET, &header, BODY, T, 300),
                Err(want),
                "{header:?}"
            );
        }
        // Uppercase hex and the parts in either order are fine.
        let upper = format!("v1={},t={T}", sig.to_uppercase());
        assert_eq!(verify(SECRET, &upper, BODY, T, 300), Ok(()));
    }

    #[test]
    fn webhook_secrets_are_prefixed_random_hex() {
        let a = new_webhook_secret(&crate::OsRandomness).unwrap();
        let b = new_webhook_secret(&crate::OsRandomness).unwrap();
        assert!(a.starts_with("whsec_"));
        assert_eq!(a.len(), 6 + 64);
        assert!(
            a[6..]
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
        let h = sign(a.as_bytes(), T, BODY);
        assert_eq!(verify(a.as_bytes(), &h, BODY, T, 0), Ok(()));
    }

    #[test]
    fn signature_error_converts_into_secret_error() {
        let e: SecretError = SignatureError::Mismatch.into();
        assert!(matches!(
            e,
            SecretError::Signature(SignatureError::Mismatch)
        ));
    }
}
