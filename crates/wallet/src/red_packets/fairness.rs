//! The fairness commitment (可验证公平): when a packet is sent its split is fixed and only
//! `sha256(salt + ":" + shares joined by ",")` (hex) is shown; once the packet is finished or
//! expired the shares and the salt are revealed, and anyone can recompute it — so the operator
//! cannot have chosen who gets the largest share after seeing who claims.

use qianbao_ledger::Amount;
use sha2::{Digest, Sha256};

/// A commitment to a packet's shares: 64 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commitment(pub String);

/// The text hashed: the salt, a colon, then each share in fen in claim order, comma-separated
/// (`"9f…:34,33,33"`), exactly as the contract publishes it.
fn preimage(salt: &str, shares: &[Amount]) -> String {
    let joined: Vec<String> = shares.iter().map(|s| s.minor().to_string()).collect();
    format!("{salt}:{}", joined.join(","))
}

/// Commits to `shares` under `salt`.
pub fn commit(salt: &str, shares: &[Amount]) -> Commitment {
    Commitment(crate::domain::hex_lower(&Sha256::digest(
        preimage(salt, shares).as_bytes(),
    )))
}

/// Whether revealed `shares` and `salt` are the ones `commitment` was made of.
pub fn verify(commitment: &Commitment, salt: &str, shares: &[Amount]) -> bool {
    commit(salt, shares) == *commitment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fen(values: &[i64]) -> Vec<Amount> {
        values.iter().map(|v| Amount::from_minor(*v)).collect()
    }

    #[test]
    fn the_commitment_is_sha256_of_the_published_text() {
        // sha256("salt:34,33,33"), as `printf 'salt:34,33,33' | sha256sum` prints it.
        let c = commit("salt", &fen(&[34, 33, 33]));
        assert_eq!(
            c.0,
            crate::domain::hex_lower(&Sha256::digest(b"salt:34,33,33"))
        );
        assert_eq!(c.0.len(), 64);
        assert!(verify(&c, "salt", &fen(&[34, 33, 33])));
    }

    #[test]
    fn another_order_amount_or_salt_does_not_verify() {
        let c = commit("s1", &fen(&[50, 30, 20]));
        assert!(
            !verify(&c, "s1", &fen(&[30, 50, 20])),
            "the order is committed"
        );
        assert!(!verify(&c, "s1", &fen(&[50, 30, 21])));
        assert!(!verify(&c, "s2", &fen(&[50, 30, 20])));
        assert!(!verify(&c, "s1", &fen(&[50, 50])));
    }
}
