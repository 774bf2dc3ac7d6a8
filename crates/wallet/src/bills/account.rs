//! A bill's account number (户号, or the phone number for a phone bill): parsed once at the edge,
//! and shown masked in records and receipts.

/// Shortest account number a biller issues.
const DIGITS_MIN: usize = 6;
/// Longest: billers' numbers are up to 20 digits; more is not an account number.
const DIGITS_MAX: usize = 20;

/// An account number at a biller: 6 to 20 ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BillAccount(String);

impl BillAccount {
    /// Reads an account number; `None` unless it is 6 to 20 digits.
    pub fn parse(text: &str) -> Option<BillAccount> {
        let ok = (DIGITS_MIN..=DIGITS_MAX).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| BillAccount(text.to_string()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As records show it: the last four digits only (`****5678`), since the number names a
    /// home's meter and a statement may be shown to others.
    pub fn masked(&self) -> String {
        let tail = &self.0[self.0.len().saturating_sub(4)..];
        format!("****{tail}")
    }
}

impl std::fmt::Display for BillAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_account_number_is_six_to_twenty_digits() {
        assert!(BillAccount::parse("123456").is_some());
        assert!(BillAccount::parse("12345678901234567890").is_some());
        for bad in [
            "",
            "12345",
            "123456789012345678901",
            "12345a",
            " 123456",
            "１２３４５６",
        ] {
            assert_eq!(BillAccount::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_masked_number_keeps_only_the_last_four_digits() {
        let account = BillAccount::parse("6201001234").unwrap();
        assert_eq!(account.masked(), "****1234");
    }
}
