//! An exchange rate as an exact decimal: a count of 10^-12 units of the quote currency per one
//! unit of the base currency. Never a float: a rate is parsed from text, multiplied and divided
//! in integers, and printed back the same.

use std::fmt;

/// Digits kept after the decimal point: 12, so even a rate near 0.0001 (KRW in GBP) keeps at
/// least 8 significant digits.
pub const RATE_SCALE_DIGITS: u32 = 12;
/// 10^[`RATE_SCALE_DIGITS`].
pub const RATE_SCALE: u128 = 1_000_000_000_000;
/// The largest rate accepted (one unit buying a billion of another is no rate a feed means).
const RATE_MAX_UNITS: u128 = 1_000_000_000 * RATE_SCALE;

/// How many of the quote currency's major units one major unit of the base currency buys,
/// exactly, as an integer count of 10^-12.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(u128);

/// Why a text is not a rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// Not digits with at most one point, or more than 12 digits after it.
    #[error("a rate is a decimal such as 7.1234, with at most 12 digits after the point")]
    Format,
    /// Zero, or so large no currency pair has it.
    #[error("a rate must be above zero and at most 1000000000")]
    OutOfRange,
}

impl Rate {
    /// Reads a decimal such as `7.1234`: digits, at most one point, at most 12 digits after it,
    /// above zero. Signs, exponents, spaces and commas are refused.
    pub fn parse(text: &str) -> Result<Rate, RateError> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 10
            || !digits(whole)
            || !digits(fraction)
            || fraction.len() > RATE_SCALE_DIGITS as usize
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(RateError::Format);
        }
        let whole: u128 = whole.parse().map_err(|_| RateError::Format)?;
        let padded = format!("{fraction:0<12}");
        let fraction: u128 = padded.parse().map_err(|_| RateError::Format)?;
        Rate::from_units(whole * RATE_SCALE + fraction)
    }

    /// A rate of `units` × 10^-12; zero and absurdly large rates are refused.
    pub fn from_units(units: u128) -> Result<Rate, RateError> {
        if units == 0 || units > RATE_MAX_UNITS {
            return Err(RateError::OutOfRange);
        }
        Ok(Rate(units))
    }

    /// The rate as an integer count of 10^-12.
    pub fn units(self) -> u128 {
        self.0
    }

    /// The rate the other way round (B/A from A/B), to the nearest 10^-12 (ties away from zero).
    pub fn inverse(self) -> Result<Rate, RateError> {
        Rate::from_units(divide_nearest(RATE_SCALE * RATE_SCALE, self.0))
    }

    /// The cross rate A/B from A/C (`self`) and B/C (`other`), to the nearest 10^-12.
    pub fn per(self, other: Rate) -> Result<Rate, RateError> {
        Rate::from_units(divide_nearest(self.0 * RATE_SCALE, other.0))
    }
}

/// `n / d` rounded to the nearest integer, halves away from zero.
fn divide_nearest(n: u128, d: u128) -> u128 {
    (n + d / 2) / d
}

impl fmt::Display for Rate {
    /// The shortest exact decimal: `7.1234`, `20`, `0.000123456789`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / RATE_SCALE;
        let fraction = self.0 % RATE_SCALE;
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let text = format!("{fraction:012}");
        write!(f, "{whole}.{}", text.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimals_read_exactly_and_print_back() {
        for (text, units) in [
            ("7.1234", 7_123_400_000_000u128),
            ("20", 20 * RATE_SCALE),
            ("0.000123456789", 123_456_789),
            ("0.000000000001", 1),
            ("1000000000", RATE_MAX_UNITS),
        ] {
            let rate = Rate::parse(text).map(Rate::units);
            assert_eq!(rate, Ok(units), "{text}");
            assert_eq!(Rate(units).to_string(), text);
        }
        assert_eq!(Rate::parse("7.10").map(|r| r.to_string()), Ok("7.1".into()));
    }

    #[test]
    fn anything_but_a_positive_decimal_is_refused() {
        for bad in [
            "",
            ".5",
            "5.",
            "-7.1",
            "+7.1",
            "7,1",
            "7.1.2",
            "1e3",
            " 7.1",
            "7.1 ",
            "NaN",
            "0.0000000000001",
            "７.１",
            "99999999999",
        ] {
            assert_eq!(Rate::parse(bad), Err(RateError::Format), "{bad:?}");
        }
        for zero_or_huge in ["0", "0.0", "0.000000000000", "1000000000.000000000001"] {
            assert_eq!(Rate::parse(zero_or_huge), Err(RateError::OutOfRange));
        }
    }

    #[test]
    fn inverse_and_cross_rates_round_to_the_nearest_unit() {
        let usd_cny = Rate::parse("7.1234").unwrap_or(Rate(1));
        assert_eq!(
            usd_cny.inverse().map(|r| r.to_string()),
            Ok("0.140382401662".into())
        );
        let hkd_cny = Rate::parse("0.9123").unwrap_or(Rate(1));
        // HKD/USD = (HKD/CNY) / (USD/CNY) = 0.9123 / 7.1234 = 0.12807086503635...
        assert_eq!(
            hkd_cny.per(usd_cny).map(|r| r.to_string()),
            Ok("0.128070865036".into())
        );
    }

    proptest! {
        #[test]
        fn every_rate_prints_as_text_that_reads_back_the_same(units in 1u128..=RATE_MAX_UNITS) {
            let rate = Rate(units);
            prop_assert_eq!(Rate::parse(&rate.to_string()), Ok(rate));
        }

        #[test]
        fn an_inverse_is_within_half_a_unit(units in 1_000_000u128..=1_000_000 * RATE_SCALE) {
            // r × (1/r) is 1 to within what rounding 1/r to 10^-12 can move it.
            let rate = Rate(units);
            let inverse = rate.inverse().map(Rate::units).unwrap_or(0);
            let product = units * inverse;
            let one = RATE_SCALE * RATE_SCALE;
            prop_assert!(product.abs_diff(one) <= units / 2 + 1);
        }
    }
}
