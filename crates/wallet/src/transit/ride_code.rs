//! The ride code's text, byte for byte (docs/transit.md): `QBR1.<fields>.<signature>`.
//!
//! `fields` is base64url (no padding) of 32 bytes: the ride token (16), the issue time in Unix
//! seconds (8, big-endian) and the counter (8, big-endian); `signature` is base64url of the
//! platform's Ed25519 signature over the ASCII text `QBR1.<fields>` — the prefix is signed too,
//! so a later format cannot be passed off as this one. 135 characters: a small QR.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qianbao_secrets::ride_signing::{RideSigner, SIGNATURE_LEN};

/// The format's name, the text's first part.
pub const PREFIX: &str = "QBR1";
/// How long a code is good for after it is issued, in seconds: the QR rotates this often.
pub const LIFETIME_S: i64 = 60;
/// Bytes in a ride token.
pub const TOKEN_LEN: usize = 16;
/// Bytes in the signed fields.
const FIELDS_LEN: usize = TOKEN_LEN + 8 + 8;
/// Longest text the parser looks at; a code is 135 characters, so anything longer is not one.
pub const MAX_TEXT_LEN: usize = 200;

/// A holder's ride token for one operator: a random id a gate sees instead of the wallet id, so
/// a gate's log names no holder and a lost phone's token can be revoked alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RideToken([u8; TOKEN_LEN]);

impl RideToken {
    /// A new random token (a UUID v4's 122 random bits, from `ids`' randomness).
    pub fn new_random(ids: &crate::ids::Ids) -> RideToken {
        RideToken(ids.uuid_v4().into_bytes())
    }

    /// The token as 32 lowercase hex characters: how it is stored, listed and printed.
    pub fn to_hex(self) -> String {
        crate::domain::hex_lower(&self.0)
    }

    /// Reads 32 hex characters (either case).
    pub fn parse_hex(text: &str) -> Option<RideToken> {
        if text.len() != TOKEN_LEN * 2 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; TOKEN_LEN];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        Some(RideToken(bytes))
    }
}

/// What a ride code says, before or after its signature is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RideFields {
    /// Whose code (for one operator).
    pub token: RideToken,
    /// When it was issued (Unix seconds).
    pub issued_s: i64,
    /// The token's counter: each code issued for a token has a higher one.
    pub counter: u64,
}

impl RideFields {
    /// The signed part: `QBR1.<base64url(fields)>`.
    fn signed_text(&self) -> String {
        let mut raw = [0u8; FIELDS_LEN];
        raw[..TOKEN_LEN].copy_from_slice(&self.token.0);
        raw[TOKEN_LEN..TOKEN_LEN + 8].copy_from_slice(&self.issued_s.to_be_bytes());
        raw[TOKEN_LEN + 8..].copy_from_slice(&self.counter.to_be_bytes());
        format!("{PREFIX}.{}", URL_SAFE_NO_PAD.encode(raw))
    }

    /// The whole code, signed by `signer`.
    pub fn sign(&self, signer: &RideSigner) -> String {
        let signed = self.signed_text();
        let signature = signer.sign(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// A code read apart, its signature not yet checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedCode<'a> {
    /// What it says.
    pub fields: RideFields,
    /// The text the signature covers.
    pub signed: &'a str,
    /// The signature.
    pub signature: [u8; SIGNATURE_LEN],
}

/// Reads a code's three parts; `None` for anything that is not exactly this format (the
/// validator's `malformed`).
pub fn parse(text: &str) -> Option<ParsedCode<'_>> {
    if text.len() > MAX_TEXT_LEN {
        return None;
    }
    let (signed, signature) = text.rsplit_once('.')?;
    let (prefix, fields) = signed.split_once('.')?;
    if prefix != PREFIX {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(fields).ok()?;
    let raw: [u8; FIELDS_LEN] = raw.try_into().ok()?;
    let signature: [u8; SIGNATURE_LEN] = URL_SAFE_NO_PAD.decode(signature).ok()?.try_into().ok()?;
    let token = RideToken(raw[..TOKEN_LEN].try_into().ok()?);
    let issued_s = i64::from_be_bytes(raw[TOKEN_LEN..TOKEN_LEN + 8].try_into().ok()?);
    let counter = u64::from_be_bytes(raw[TOKEN_LEN + 8..].try_into().ok()?);
    let fields = RideFields {
        token,
        issued_s,
        counter,
    };
    // One text per code: a non-canonical base64 spelling of the same bytes is refused, so the
    // signed text is always what `sign` wrote.
    (fields.signed_text() == signed).then_some(ParsedCode {
        fields,
        signed,
        signature,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn signer() -> RideSigner {
        RideSigner::from_seed(&[3; 32])
    }

    #[test]
    fn a_code_is_135_characters_in_three_parts_and_reads_back() {
        let fields = RideFields {
            token: RideToken([0xab; TOKEN_LEN]),
            issued_s: 1_700_000_000,
            counter: 7,
        };
        let text = fields.sign(&signer());
        assert_eq!(text.len(), 135);
        assert!(text.starts_with("QBR1."));
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.fields, fields);
        assert!(
            signer()
                .public_key()
                .verifies(parsed.signed.as_bytes(), &parsed.signature)
        );
    }

    #[test]
    fn anything_else_is_malformed() {
        let good = RideFields {
            token: RideToken([1; TOKEN_LEN]),
            issued_s: 5,
            counter: 1,
        }
        .sign(&signer());
        for bad in [
            String::new(),
            "QBR1".into(),
            good.replacen("QBR1", "QBR2", 1),
            format!("{good}."),
            format!("{good}A"),
            good.replace('.', ","),
            "x".repeat(300),
        ] {
            assert!(parse(&bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn tokens_print_as_hex_and_read_back() {
        let token = RideToken::new_random(&crate::ids::Ids::new(
            std::sync::Arc::new(crate::SystemClock),
            std::sync::Arc::new(crate::OsRandomness),
        ));
        assert_eq!(RideToken::parse_hex(&token.to_hex()), Some(token));
        assert_eq!(
            RideToken::parse_hex(&token.to_hex().to_uppercase()),
            Some(token)
        );
        assert!(RideToken::parse_hex("zz").is_none());
        assert!(RideToken::parse_hex(&"g".repeat(32)).is_none());
    }

    proptest! {
        #[test]
        fn every_code_reads_back_as_signed(bytes in any::<[u8; 16]>(), issued in any::<i64>(), counter in any::<u64>()) {
            let fields = RideFields { token: RideToken(bytes), issued_s: issued, counter };
            let text = fields.sign(&signer());
            prop_assert_eq!(parse(&text).map(|p| p.fields), Some(fields));
        }

        #[test]
        fn the_parser_never_panics(text in ".{0,220}") {
            let _ = parse(&text);
        }
    }
}
