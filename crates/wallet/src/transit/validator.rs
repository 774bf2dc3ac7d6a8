//! The gate's check of a ride code, offline: the platform's public key, the revoked tokens the
//! gate last synced, its clock and the last counter it saw per token give a verdict. Pure, so a
//! gate can embed it, `qianbao transit validate` runs it, and the tap upload judges the same way.

use std::collections::{BTreeMap, BTreeSet};

use qianbao_secrets::ride_signing::RidePublicKey;

use super::ride_code::{self, LIFETIME_S, RideToken};

/// How far a gate's clock may be from the issuing server's, in seconds, either way: a code is
/// taken from `skew` before its issue time to `skew` after its lifetime ends.
pub const CLOCK_SKEW_S: i64 = 30;

/// A code that passed every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoodCode {
    /// Whose it is.
    pub token: RideToken,
    /// Its counter, for the gate to remember.
    pub counter: u64,
    /// When it was issued (Unix seconds).
    pub issued_s: i64,
}

/// What the gate does with a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Open the gate.
    Good(GoodCode),
    /// Not one of our codes: the signature does not match the platform's key.
    BadSignature,
    /// Issued too long ago (or, by more than the skew, in the future).
    Expired,
    /// A counter no higher than one this gate already took for the token: a copied code.
    Replayed,
    /// The token was revoked (a lost phone's freeze).
    Revoked,
    /// Not a ride code at all.
    Malformed,
}

impl Verdict {
    /// The reason as a word (what the CLI prints and a refused tap line says).
    pub fn reason(&self) -> &'static str {
        match self {
            Verdict::Good(_) => "good",
            Verdict::BadSignature => "bad_signature",
            Verdict::Expired => "expired",
            Verdict::Replayed => "replayed",
            Verdict::Revoked => "revoked",
            Verdict::Malformed => "malformed",
        }
    }
}

/// The revoked tokens a gate holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevocationList {
    /// The tokens.
    tokens: BTreeSet<RideToken>,
}

impl RevocationList {
    /// A list of the tokens written as hex; `None` if one is not a token.
    pub fn from_hex<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Option<RevocationList> {
        let tokens = tokens
            .into_iter()
            .map(RideToken::parse_hex)
            .collect::<Option<BTreeSet<_>>>()?;
        Some(RevocationList { tokens })
    }

    /// Whether `token` is on the list.
    pub fn contains(&self, token: &RideToken) -> bool {
        self.tokens.contains(token)
    }
}

/// The highest counter a gate took per token: what makes a copied code fail at the second gate
/// that sees it. The CLI keeps it in a file of `<token hex> <counter>` lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeenCounters {
    /// Token → highest counter taken.
    seen: BTreeMap<RideToken, u64>,
}

impl SeenCounters {
    /// Reads the `<token hex> <counter>` lines (blank lines skipped); `None` on a bad line.
    pub fn parse(text: &str) -> Option<SeenCounters> {
        let mut seen = BTreeMap::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (token, counter) = line.split_once(' ')?;
            seen.insert(RideToken::parse_hex(token)?, counter.trim().parse().ok()?);
        }
        Some(SeenCounters { seen })
    }

    /// The lines [`SeenCounters::parse`] reads.
    pub fn to_text(&self) -> String {
        self.seen
            .iter()
            .map(|(token, counter)| format!("{} {counter}\n", token.to_hex()))
            .collect()
    }

    /// The highest counter taken for `token`.
    pub fn last(&self, token: &RideToken) -> Option<u64> {
        self.seen.get(token).copied()
    }

    /// Remembers a code the gate took.
    pub fn record(&mut self, good: &GoodCode) {
        let entry = self.seen.entry(good.token).or_insert(good.counter);
        *entry = (*entry).max(good.counter);
    }
}

/// Judges `text` at Unix time `now_s`. The checks run in a fixed order — the format, the
/// signature, the time, revocation, the counter — so a forged code is always `bad_signature`
/// whatever it claims, and only a genuine code can be `expired`, `revoked` or `replayed`.
pub fn judge(
    key: &RidePublicKey,
    revoked: &RevocationList,
    seen: &SeenCounters,
    now_s: i64,
    text: &str,
) -> Verdict {
    let Some(parsed) = ride_code::parse(text.trim()) else {
        return Verdict::Malformed;
    };
    if !key.verifies(parsed.signed.as_bytes(), &parsed.signature) {
        return Verdict::BadSignature;
    }
    let fields = parsed.fields;
    let from = fields.issued_s.saturating_sub(CLOCK_SKEW_S);
    let until = fields
        .issued_s
        .saturating_add(LIFETIME_S)
        .saturating_add(CLOCK_SKEW_S);
    if now_s < from || now_s > until {
        return Verdict::Expired;
    }
    if revoked.contains(&fields.token) {
        return Verdict::Revoked;
    }
    if seen
        .last(&fields.token)
        .is_some_and(|last| fields.counter <= last)
    {
        return Verdict::Replayed;
    }
    Verdict::Good(GoodCode {
        token: fields.token,
        counter: fields.counter,
        issued_s: fields.issued_s,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::ride_code::RideFields;
    use super::*;
    use qianbao_secrets::ride_signing::RideSigner;

    const NOW: i64 = 1_700_000_000;

    fn code(signer: &RideSigner, token: RideToken, issued_s: i64, counter: u64) -> String {
        RideFields {
            token,
            issued_s,
            counter,
        }
        .sign(signer)
    }

    #[test]
    fn each_bad_code_is_refused_with_its_reason() {
        let signer = RideSigner::from_seed(&[9; 32]);
        let key = signer.public_key();
        let token = RideToken::new_random(&crate::ids::Ids::new(
            std::sync::Arc::new(crate::SystemClock),
            std::sync::Arc::new(crate::OsRandomness),
        ));
        let none = RevocationList::default();
        let mut seen = SeenCounters::default();
        let good = code(&signer, token, NOW, 5);

        let verdict = judge(&key, &none, &seen, NOW + 10, &good);
        let Verdict::Good(taken) = verdict else {
            panic!("{verdict:?}")
        };
        assert_eq!((taken.token, taken.counter), (token, 5));
        seen.record(&taken);

        // The same code, or an older one, at a gate that took it: a copy.
        assert_eq!(
            judge(&key, &none, &seen, NOW + 10, &good),
            Verdict::Replayed
        );
        let older = code(&signer, token, NOW, 4);
        assert_eq!(judge(&key, &none, &seen, NOW, &older), Verdict::Replayed);
        let newer = code(&signer, token, NOW + 60, 6);
        assert!(matches!(
            judge(&key, &none, &seen, NOW + 61, &newer),
            Verdict::Good(_)
        ));

        let mut bent = good.clone().into_bytes();
        let last = bent.len() - 3;
        bent[last] = if bent[last] == b'A' { b'B' } else { b'A' };
        let bent = String::from_utf8(bent).unwrap();
        assert_eq!(judge(&key, &none, &seen, NOW, &bent), Verdict::BadSignature);
        let forged = code(&RideSigner::from_seed(&[1; 32]), token, NOW, 9);
        assert_eq!(
            judge(&key, &none, &seen, NOW, &forged),
            Verdict::BadSignature
        );

        let edge = NOW + LIFETIME_S + CLOCK_SKEW_S;
        assert!(matches!(
            judge(&key, &none, &SeenCounters::default(), edge, &good),
            Verdict::Good(_)
        ));
        assert_eq!(judge(&key, &none, &seen, edge + 1, &good), Verdict::Expired);
        assert_eq!(
            judge(&key, &none, &seen, NOW - CLOCK_SKEW_S - 1, &good),
            Verdict::Expired
        );

        let hex = token.to_hex();
        let revoked = RevocationList::from_hex([hex.as_str()]).unwrap();
        assert_eq!(
            judge(&key, &revoked, &seen, NOW + 61, &newer),
            Verdict::Revoked
        );
        assert_eq!(
            judge(&key, &none, &seen, NOW, "QBR1.nonsense"),
            Verdict::Malformed
        );
        assert_eq!(Verdict::Malformed.reason(), "malformed");
    }

    #[test]
    fn the_seen_file_reads_back() {
        let mut seen = SeenCounters::default();
        let token = RideToken::new_random(&crate::ids::Ids::new(
            std::sync::Arc::new(crate::SystemClock),
            std::sync::Arc::new(crate::OsRandomness),
        ));
        seen.record(&GoodCode {
            token,
            counter: 3,
            issued_s: 0,
        });
        seen.record(&GoodCode {
            token,
            counter: 2,
            issued_s: 0,
        });
        let text = seen.to_text();
        assert_eq!(text, format!("{} 3\n", token.to_hex()));
        assert_eq!(SeenCounters::parse(&text), Some(seen));
        assert_eq!(SeenCounters::parse("\n"), Some(SeenCounters::default()));
        assert!(SeenCounters::parse("nope").is_none());
        assert!(RevocationList::from_hex(["bad"]).is_none());
    }
}
