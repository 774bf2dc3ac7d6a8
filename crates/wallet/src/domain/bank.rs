//! The words both sides use about a movement at the bank: what it is for ([`BankKind`]), and the
//! references a statement carries — the bank's own for a movement (or for a batch of them), and
//! ours (a movement's id). Both references are short tokens of letters, digits, `.`, `_` and `-`,
//! so a statement line needs no quoting and a reference cannot smuggle a comma, a `;` or a line
//! break into one.

use std::fmt;

crate::named! {
    /// What a movement at the bank is for.
    pub enum BankKind {
        /// Money taken from a holder's card into the wallet (a debit at the bank).
        Topup = "topup",
        /// Money paid from a wallet to its holder's card (a credit).
        Withdrawal = "withdrawal",
        /// A merchant's takings paid to its owner's card (a credit; the bank may batch them).
        Settlement = "settlement",
    }
}

/// The longest reference either side may use. Ours are UUIDs (36 characters); a bank's are its
/// own, and 128 leaves room for any we know of.
pub const REFERENCE_BYTES_MAX: usize = 128;

/// Whether `text` may stand in a statement as a reference: 1 to [`REFERENCE_BYTES_MAX`] ASCII
/// letters, digits, `.`, `_` or `-`.
pub fn is_reference(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= REFERENCE_BYTES_MAX
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The bank's reference for a movement it booked, or for the batch it booked it in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BankReference(String);

impl BankReference {
    /// `text` as a bank reference, if it has the form [`is_reference`] allows.
    pub fn parse(text: &str) -> Option<BankReference> {
        is_reference(text).then(|| BankReference(text.to_owned()))
    }

    /// The reference as the bank wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BankReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_tokens_that_need_no_quoting() {
        for good in [
            "a",
            "sbxm_0123abcd",
            "0190f5c2-7d3e-7b3a-9c1e-5f6a7b8c9d0e",
            "BANK.2026.001",
        ] {
            assert!(BankReference::parse(good).is_some(), "{good}");
        }
        let long = "x".repeat(REFERENCE_BYTES_MAX + 1);
        for bad in [
            "", "a,b", "a;b", "a b", "a\nb", "a\"b", "银行", "a/b", &long,
        ] {
            assert!(BankReference::parse(bad).is_none(), "{bad:?}");
        }
        assert!(is_reference(&"x".repeat(REFERENCE_BYTES_MAX)));
    }
}
