//! `signature::verify`: the `Qianbao-Signature` header of webhook deliveries.

use crate::generate::{Rng, boundary_i64, mutate_text, random_text, token_text};
use crate::{Case, Check, ensure};
use qianbao_secrets::SignatureError;
use qianbao_secrets::signature::{MAX_HEADER_LEN, MAX_SIGNATURES, sign, verify};

/// A signing secret: the real shape, empty, short, or longer than HMAC-SHA256's 64-byte block.
fn some_secret(rng: &mut Rng) -> Vec<u8> {
    match rng.below(4) {
        0 => format!("whsec_{}", hex::encode(rng.bytes(32))).into_bytes(),
        1 => Vec::new(),
        2 => {
            let n = rng.below(200);
            rng.bytes(n)
        }
        _ => {
            let n = 1 + rng.below(40);
            rng.bytes(n)
        }
    }
}

/// A body: JSON-like text or raw bytes, sometimes empty.
fn some_body(rng: &mut Rng) -> Vec<u8> {
    match rng.below(3) {
        0 => format!(
            r#"{{"id":"evt_{}","type":"payment.succeeded","amount":{}}}"#,
            rng.next_u64(),
            boundary_i64(rng)
        )
        .into_bytes(),
        1 => Vec::new(),
        _ => {
            let n = rng.below(600);
            rng.bytes(n)
        }
    }
}

/// A timestamp a sender could sign: non-negative, near now or at a boundary.
fn some_time(rng: &mut Rng) -> i64 {
    if rng.chance(60) {
        1_767_225_600 + rng.between(-100_000, 100_000)
    } else {
        boundary_i64(rng).checked_abs().unwrap_or(i64::MAX)
    }
}

/// The hex signature `sign` puts in a header.
fn v1_of(header: &str) -> &str {
    header.split_once(",v1=").map_or("", |(_, v)| v)
}

/// The documented grammar and rule, restated independently of the parser: `t` once (digits),
/// one to eight `v1` of 64 hex digits, nothing else; accepted when one `v1` is the signature of
/// `"<t>.<body>"` (any hex case) and `now` is within the tolerance (negative meaning zero).
fn should_verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    if header.is_empty() || header.len() > MAX_HEADER_LEN {
        return false;
    }
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.split_once('=') else {
            return false;
        };
        let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        match key {
            "t" if t.is_none() && digits => match value.parse::<i64>() {
                Ok(v) => t = Some(v),
                Err(_) => return false,
            },
            "v1" if signatures.len() < MAX_SIGNATURES
                && value.len() == 64
                && value.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                signatures.push(value.to_ascii_lowercase());
            }
            _ => return false,
        }
    }
    let Some(t) = t else { return false };
    let expected = sign(secret, t, body);
    signatures.iter().any(|s| s == v1_of(&expected))
        && now.abs_diff(t) <= u64::try_from(tolerance).unwrap_or(0)
}

/// Tokens of the header grammar.
const HEADER_DICT: &[&str] = &[
    ",",
    "=",
    "t=",
    "v1=",
    "v0=",
    "v2=",
    ",v1=",
    ",t=",
    "0",
    "9",
    "a",
    "F",
    "-",
    "+",
    " ",
    "9223372036854775807",
    "9223372036854775808",
    "00000000",
];

/// Webhook signatures: a signed header verifies at its own second, and against a moving clock
/// exactly within the tolerance; any one-byte change of the body, or of the header other than the
/// case of a hex letter, is refused; a wrong secret is refused; several signatures verify under
/// each secret; and for any header at all, `verify` answers exactly as the documented grammar
/// says (an independent restatement), without panicking.
pub fn signature(rng: &mut Rng, case: &mut Case) -> Check {
    let secret = some_secret(rng);
    let body = some_body(rng);
    let t = some_time(rng);
    let signed = sign(&secret, t, &body);
    let header = match rng.below(100) {
        0..40 => signed.clone(),
        40..55 => {
            // Rotation: other secrets' signatures beside ours, in any order and hex case.
            let mut parts = vec![format!("t={t}"), format!("v1={}", v1_of(&signed))];
            for _ in 0..rng.below(MAX_SIGNATURES + 1) {
                let other = sign(&some_secret(rng), t, &body);
                parts.push(format!("v1={}", v1_of(&other)));
            }
            for i in (1..parts.len()).rev() {
                let j = rng.below(i + 1);
                parts.swap(i, j);
            }
            let joined = parts.join(",");
            if rng.chance(30) {
                joined
                    .to_ascii_uppercase()
                    .replace("T=", "t=")
                    .replace("V1=", "v1=")
            } else {
                joined
            }
        }
        55..85 => mutate_text(rng, &signed, HEADER_DICT),
        85..93 => token_text(rng, HEADER_DICT),
        _ => random_text(rng),
    };
    let (now, tolerance) = match rng.below(3) {
        0 => (t, 0),
        1 => (t.saturating_add(rng.between(-400, 400)), 300),
        _ => (boundary_i64(rng), boundary_i64(rng)),
    };
    case.text(&header);
    case.note("secret", hex::encode(&secret));
    case.note("body", hex::encode(&body));
    case.note("now", now);
    case.note("tolerance", tolerance);
    let result = verify(&secret, &header, &body, now, tolerance);
    let expected = should_verify(&secret, &header, &body, now, tolerance);
    ensure(result.is_ok() == expected, || {
        format!(
            "verify gave {result:?}; the grammar says {}",
            if expected { "accept" } else { "refuse" }
        )
    })?;
    if header != signed {
        return Ok(());
    }
    // A genuine header: it verifies at its own second, and only within the tolerance otherwise.
    ensure(verify(&secret, &header, &body, t, 0).is_ok(), || {
        "a genuine signature was refused at its own second".into()
    })?;
    let within = now.abs_diff(t) <= u64::try_from(tolerance).unwrap_or(0);
    let want = if within {
        Ok(())
    } else {
        Err(SignatureError::OutsideTolerance)
    };
    ensure(result == want, || {
        format!("at {now}±{tolerance}: {result:?}")
    })?;
    // One byte of the body changed.
    if !body.is_empty() {
        let mut changed = body.clone();
        let i = rng.below(changed.len());
        changed[i] ^= 1 + rng.below(255) as u8;
        let r = verify(&secret, &header, &changed, t, 0);
        ensure(r == Err(SignatureError::Mismatch), || {
            format!("a body changed at byte {i} gave {r:?}")
        })?;
    }
    // One byte of the header changed.
    let mut bytes = header.clone().into_bytes();
    let i = rng.below(bytes.len());
    let replacement = if rng.chance(70) {
        *rng.pick(b"0123456789abcdefABCDEFt=v,x ")
    } else {
        rng.next_u64() as u8
    };
    if replacement != bytes[i] {
        let case_only = bytes[i].eq_ignore_ascii_case(&replacement)
            && bytes[i].is_ascii_alphabetic()
            && i >= header.len() - 64;
        bytes[i] = replacement;
        if let Ok(changed) = String::from_utf8(bytes) {
            let r = verify(&secret, &changed, &body, t, 0);
            ensure(r.is_ok() == case_only, || {
                format!("the header changed at byte {i} to {changed:?} gave {r:?}")
            })?;
        }
    }
    // Another secret, one byte different.
    if !secret.is_empty() {
        let mut other = secret.clone();
        let i = rng.below(other.len());
        other[i] ^= 1 + rng.below(255) as u8;
        let r = verify(&other, &header, &body, t, 0);
        ensure(r == Err(SignatureError::Mismatch), || {
            format!("a secret changed at byte {i} gave {r:?}")
        })?;
    }
    Ok(())
}
