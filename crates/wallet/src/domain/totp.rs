//! Time-based one-time passwords (RFC 6238) as the authenticator apps make them: HMAC-SHA-1 over
//! the 30-second time step, six digits, one step of clock drift either way. Pure: the caller
//! passes the time and the last step already used, and stores the step a code matched, so each
//! code works at most once.

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

/// Seconds in one time step (RFC 6238's default, and what every authenticator app assumes).
pub const STEP_S: i64 = 30;
/// Digits in a code the wallet accepts.
pub const DIGITS: u32 = 6;
/// Steps of clock drift accepted on either side of the current one (±30 s).
pub const DRIFT_STEPS: i64 = 1;
/// Bytes in a new secret: 160 bits, RFC 4226's recommended length for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;
/// The issuer shown in the app, and the label's prefix.
pub const ISSUER: &str = "qianbao";

/// SHA-1's block size: HMAC pads or hashes every key to exactly this length.
const BLOCK: usize = 64;

/// The time step a unix time falls in (RFC 6238's `T`, with `T0 = 0`).
pub fn step_at(unix_s: i64) -> i64 {
    unix_s.div_euclid(STEP_S)
}

/// The code of `secret` for one time step, `digits` long with leading zeros (RFC 4226 HOTP with
/// the step as the counter).
pub fn code_for_step(secret: &[u8], step: i64, digits: u32) -> String {
    assert!(
        (1..=9).contains(&digits),
        "a TOTP code has 1 to 9 digits, not {digits}"
    );
    // A negative step would be a clock before 1970: it has no counter, and no code matches it.
    let counter = u64::try_from(step).unwrap_or(0);
    let mut mac = keyed(secret);
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks four bytes.
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The code of `secret` at a unix time.
pub fn code_at(secret: &[u8], unix_s: i64, digits: u32) -> String {
    code_for_step(secret, step_at(unix_s), digits)
}

/// Checks a six-digit `code` at `unix_s` against the current step and one step either side,
/// counting only steps after `last_step` (the last one a code was accepted for), so that a code
/// once used — and every code older than it — never works again. Returns the step it matched.
///
/// Spaces are ignored (apps show `123 456`); anything but six digits matches nothing.
pub fn verify(secret: &[u8], code: &str, unix_s: i64, last_step: i64) -> Option<i64> {
    let given: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if given.len() != DIGITS as usize || !given.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_s);
    let mut matched = None;
    // Every candidate is computed and compared in full, so the time taken does not tell which
    // step (if any) matched.
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let expected = code_for_step(secret, step, DIGITS);
        if equal_in_constant_time(expected.as_bytes(), given.as_bytes())
            && step > last_step
            && step >= 0
        {
            matched = Some(step);
        }
    }
    matched
}

/// RFC 4648 base32 (`A`–`Z`, `2`–`7`) without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 0x1f) as usize]));
        }
        // Only the `bits` low bits are still to be written; dropping the rest keeps it small.
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize],
        ));
    }
    out
}

/// The `otpauth://` URI an authenticator app scans: the label is `qianbao:` and the holder's
/// masked phone (never the full number: the QR may be photographed).
pub fn otpauth_uri(secret: &[u8], masked_phone: &str) -> String {
    format!(
        "otpauth://totp/{ISSUER}:{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_S}",
        label = percent_encode(masked_phone),
        secret = base32(secret),
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters and `*` (a masked phone's
/// stars read better kept as they are, and are legal in a path).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'*') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// HMAC-SHA-1 keyed with `key` without a fallible call: RFC 2104's key rule applied here (longer
/// keys hashed, then zero-padded to the block), so `KeyInit::new` takes it as it is.
fn keyed(key: &[u8]) -> Hmac<Sha1> {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() <= BLOCK {
        block[..key.len()].copy_from_slice(key);
    } else {
        let digest = Sha1::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    }
    Hmac::<Sha1>::new((&*block).into())
}

/// Whether two byte strings are equal, looking at every byte whatever the first difference.
fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 seed: the ASCII of "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn every_rfc_6238_sha1_test_vector_gives_its_eight_digit_code() {
        let vectors: [(i64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (unix_s, expected) in vectors {
            assert_eq!(code_at(RFC_SECRET, unix_s, 8), expected, "at {unix_s}");
        }
    }

    #[test]
    fn the_six_digit_code_is_the_eight_digit_one_cut_to_its_last_six() {
        assert_eq!(code_at(RFC_SECRET, 59, 6), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109, 6), "081804");
    }

    #[test]
    fn rfc_4226_hotp_vectors_hold_for_the_first_counters() {
        // RFC 4226 Appendix D: the same secret, counters 0..9.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (step, code) in expected.iter().enumerate() {
            let step = i64::try_from(step).unwrap_or(0);
            assert_eq!(code_for_step(RFC_SECRET, step, 6), *code, "counter {step}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_early_or_late_but_not_two() {
        let t = 1_234_567_890;
        let now = step_at(t);
        let code = code_at(RFC_SECRET, t, 6);
        assert_eq!(verify(RFC_SECRET, &code, t, -1), Some(now));
        assert_eq!(verify(RFC_SECRET, &code, t - STEP_S, -1), Some(now));
        assert_eq!(verify(RFC_SECRET, &code, t + STEP_S, -1), Some(now));
        assert_eq!(verify(RFC_SECRET, &code, t - 2 * STEP_S, -1), None);
        assert_eq!(verify(RFC_SECRET, &code, t + 2 * STEP_S, -1), None);
    }

    #[test]
    fn a_code_is_used_at_most_once_and_older_codes_die_with_it() {
        let t = 2_000_000_000;
        let code = code_at(RFC_SECRET, t, 6);
        let used = verify(RFC_SECRET, &code, t, -1).unwrap_or(-1);
        assert_eq!(used, step_at(t));
        assert_eq!(
            verify(RFC_SECRET, &code, t, used),
            None,
            "the same code twice"
        );
        assert_eq!(
            verify(RFC_SECRET, &code, t + 10, used),
            None,
            "the same code a little later"
        );
        // The previous step's code is still within the window, but older than the one used.
        let earlier = code_for_step(RFC_SECRET, used - 1, 6);
        assert_eq!(verify(RFC_SECRET, &earlier, t, used), None);
        // The next step's code is new: it works.
        let next = code_for_step(RFC_SECRET, used + 1, 6);
        assert_eq!(verify(RFC_SECRET, &next, t + STEP_S, used), Some(used + 1));
    }

    #[test]
    fn a_wrong_or_malformed_code_matches_nothing() {
        let t = 1_111_111_111;
        let right = code_at(RFC_SECRET, t, 6);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap_or(0) + 1) % 1_000_000);
        for code in [
            wrong.as_str(),
            "",
            "12345",
            "1234567",
            "12345a",
            "１２３４５６",
        ] {
            assert_eq!(verify(RFC_SECRET, code, t, -1), None, "{code:?}");
        }
        let spaced = format!("{} {}", &right[..3], &right[3..]);
        assert_eq!(verify(RFC_SECRET, &spaced, t, -1), Some(step_at(t)));
    }

    #[test]
    fn base32_matches_rfc_4648_section_10_without_padding() {
        let vectors = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base32(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn the_otpauth_uri_names_the_issuer_the_masked_phone_and_the_parameters() {
        let uri = otpauth_uri(RFC_SECRET, "+86 138****5678");
        assert_eq!(
            uri,
            "otpauth://totp/qianbao:%2B86%20138****5678?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=qianbao&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn a_key_longer_than_the_block_is_hashed_first_as_rfc_2104_says() {
        // RFC 2202 test case 6: HMAC-SHA-1 with an 80-byte key of 0xaa.
        let key = [0xaau8; 80];
        let mut mac = keyed(&key);
        mac.update(b"Test Using Larger Than Block-Size Key - Hash Key First");
        let hash = mac.finalize().into_bytes();
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }
}
