//! ISO 4217 currency codes, kept as three ASCII capitals so they copy for free.

use std::fmt;

/// An ISO 4217 alphabetic code such as `CNY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The renminbi, the default currency of a wallet.
    pub const CNY: Currency = Currency(*b"CNY");

    /// Parses a code of exactly three ASCII capitals; anything else is `None`.
    pub fn parse(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(bytes))
    }

    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        // The constructor admits only ASCII capitals, so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
