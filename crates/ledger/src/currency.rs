//! ISO 4217 currency codes, kept as three ASCII capitals so they copy for free, and the one table
//! of what the platform knows about each: its numeric code and its minor-unit exponent.

use std::fmt;

/// An ISO 4217 alphabetic code such as `CNY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

/// What ISO 4217 says of one currency the platform can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyInfo {
    /// The alphabetic code.
    pub currency: Currency,
    /// The numeric code, as EMVCo QR codes carry it (tag 53).
    pub numeric: u16,
    /// Digits after the decimal point: an amount is an integer count of 10^-exponent units
    /// (JPY 0: one yen is the smallest amount; CNY 2: one fen).
    pub exponent: u8,
}

/// Every currency the platform can hold, whatever the operator enables: the one table exponents
/// and numeric codes come from.
pub const KNOWN_CURRENCIES: &[CurrencyInfo] = &[
    CurrencyInfo {
        currency: Currency::CNY,
        numeric: 156,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"HKD"),
        numeric: 344,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"USD"),
        numeric: 840,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"EUR"),
        numeric: 978,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"JPY"),
        numeric: 392,
        exponent: 0,
    },
    CurrencyInfo {
        currency: Currency(*b"GBP"),
        numeric: 826,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"SGD"),
        numeric: 702,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"MOP"),
        numeric: 446,
        exponent: 2,
    },
    CurrencyInfo {
        currency: Currency(*b"KRW"),
        numeric: 410,
        exponent: 0,
    },
    CurrencyInfo {
        currency: Currency(*b"THB"),
        numeric: 764,
        exponent: 2,
    },
];

impl Currency {
    /// The renminbi, the default currency of a wallet.
    pub const CNY: Currency = Currency(*b"CNY");

    /// Loyalty points (积分): the ledger's one unit that is not a currency. Whole points
    /// (exponent 0), outside the ISO table, so no wallet call that takes a currency accepts it.
    pub const POINTS: Currency = Currency(*b"PTS");

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

    /// What the table knows of this currency; `None` for a well-formed code the platform does not
    /// hold.
    pub fn info(self) -> Option<&'static CurrencyInfo> {
        KNOWN_CURRENCIES.iter().find(|i| i.currency == self)
    }

    /// Its minor-unit exponent; 2 for a code outside the table (the ledger stores such amounts,
    /// but no wallet call accepts them).
    pub fn exponent(self) -> u8 {
        if self == Currency::POINTS {
            return 0;
        }
        self.info().map_or(2, |i| i.exponent)
    }

    /// The currency with ISO 4217 numeric code `numeric`, if the table has it.
    pub fn from_numeric(numeric: u16) -> Option<Currency> {
        KNOWN_CURRENCIES
            .iter()
            .find(|i| i.numeric == numeric)
            .map(|i| i.currency)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_each_code_once_with_its_iso_numbers() {
        for (i, a) in KNOWN_CURRENCIES.iter().enumerate() {
            for b in &KNOWN_CURRENCIES[i + 1..] {
                assert_ne!(a.currency, b.currency);
                assert_ne!(a.numeric, b.numeric);
            }
            assert_eq!(Currency::from_numeric(a.numeric), Some(a.currency));
        }
        let jpy = Currency::parse("JPY").and_then(Currency::info);
        assert_eq!(jpy.map(|i| (i.numeric, i.exponent)), Some((392, 0)));
        assert_eq!(Currency::CNY.info().map(|i| i.numeric), Some(156));
        assert_eq!(Currency::parse("XYZ").and_then(Currency::info), None);
        assert_eq!(Currency::from_numeric(999), None);
        // Points are whole, and no currency of the table.
        assert_eq!(Currency::POINTS.exponent(), 0);
        assert_eq!(Currency::POINTS.info(), None);
    }
}
