//! What a credit card needs besides its number to be bound: its expiry, and its CVV. The CVV is
//! the one value the wallet must never keep or show: its type cannot be printed, logged or
//! serialised, is wiped from memory when dropped, and reaches the bank connector only through
//! [`Cvv::expose`].

use std::fmt;
use time::Date;
use zeroize::Zeroizing;

/// A card's expiry month, `MM/YY`, not in the past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardExpiry {
    month: u8,
    year: u8,
}

impl CardExpiry {
    /// Reads `MM/YY` (spaces around it allowed); a month before `today`'s is refused.
    pub fn parse_on(input: &str, today: Date) -> Option<CardExpiry> {
        let (mm, yy) = input.trim().split_once('/')?;
        if mm.len() != 2 || yy.len() != 2 {
            return None;
        }
        let (month, year) = (mm.parse::<u8>().ok()?, yy.parse::<u8>().ok()?);
        if !(1..=12).contains(&month) {
            return None;
        }
        let this_month = (today.year(), u8::from(today.month()));
        if (2000 + i32::from(year), month) < this_month {
            return None;
        }
        Some(CardExpiry { month, year })
    }
}

impl fmt::Display for CardExpiry {
    /// `MM/YY`, as the bank takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.month, self.year)
    }
}

/// The three digits on the back of a credit card. Deliberately without `Display`, `Serialize`
/// or a revealing `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Cvv(Zeroizing<String>);

impl Cvv {
    /// Reads exactly three digits (spaces around them allowed).
    pub fn parse(input: &str) -> Option<Cvv> {
        let digits = input.trim();
        (digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Cvv(Zeroizing::new(digits.to_owned())))
    }

    /// The digits, for the one place that sends them on: the bank connector's request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvv {
    /// Never the digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvv(***)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::Month;

    fn today() -> Date {
        Date::from_calendar_date(2026, Month::December, 6).unwrap()
    }

    #[test]
    fn an_expiry_is_mm_slash_yy_and_not_in_the_past() {
        assert_eq!(
            CardExpiry::parse_on(" 12/26 ", today()).map(|e| e.to_string()),
            Some("12/26".into())
        );
        assert!(CardExpiry::parse_on("01/39", today()).is_some());
        for bad in [
            "11/26", "13/30", "00/30", "1/30", "12/2026", "12-30", "", "ab/cd",
        ] {
            assert_eq!(CardExpiry::parse_on(bad, today()), None, "{bad}");
        }
    }

    #[test]
    fn a_cvv_is_three_digits_and_never_printed() {
        let cvv = Cvv::parse(" 737 ").unwrap();
        assert_eq!(cvv.expose(), "737");
        assert_eq!(format!("{cvv:?}"), "Cvv(***)");
        for bad in ["73", "7370", "7a7", "", "７３７"] {
            assert!(Cvv::parse(bad).is_none(), "{bad}");
        }
    }
}
