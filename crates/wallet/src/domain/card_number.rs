//! `CardNumber`: a bank card's primary account number, 13–19 digits that pass the Luhn check.

use super::bin::{self, BinInfo};
use super::fold_width;
use std::fmt;

/// Longest input looked at, in bytes: 19 full-width digits with separators fit easily.
const INPUT_BYTES_MAX: usize = 96;
/// ISO/IEC 7812 card numbers have 13 to 19 digits (UnionPay debit cards are often 19).
const DIGITS_MIN: usize = 13;
/// See [`DIGITS_MIN`].
const DIGITS_MAX: usize = 19;

/// A card number that passed the Luhn check; its digits are exposed only by name.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CardNumber {
    /// 13–19 ASCII digits.
    digits: String,
}

/// Why a card number was refused: `card_invalid`, or `card_unsupported` for an unknown issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// Fewer than 13 or more than 19 digits.
    #[error("a card number has 13 to 19 digits")]
    Length,
    /// A character other than digits, spaces and dashes.
    #[error("a card number may contain only digits, spaces and dashes")]
    BadCharacter,
    /// The Luhn check digit does not match: almost always a typo.
    #[error("the card number's check digit is wrong; please check for a typo")]
    Checksum,
    /// The number is well formed but its BIN (first six digits) is not in the issuer table.
    #[error("cards from this issuer are not supported")]
    Unsupported,
}

impl CardError {
    /// The stable API error code.
    pub fn code(&self) -> &'static str {
        match self {
            CardError::Unsupported => "card_unsupported",
            _ => "card_invalid",
        }
    }
}

impl CardNumber {
    /// Parses a card number; spaces, dashes and full-width digits are allowed (`6222 0212 …`).
    pub fn parse(input: &str) -> Result<CardNumber, CardError> {
        if input.len() > INPUT_BYTES_MAX {
            return Err(CardError::Length);
        }
        let mut digits = String::with_capacity(DIGITS_MAX);
        for c in input.chars().map(fold_width) {
            match c {
                '0'..='9' if digits.len() < DIGITS_MAX => digits.push(c),
                '0'..='9' => return Err(CardError::Length),
                ' ' | '-' => {}
                _ => return Err(CardError::BadCharacter),
            }
        }
        if digits.len() < DIGITS_MIN {
            return Err(CardError::Length);
        }
        if !luhn_valid(digits.as_bytes()) {
            return Err(CardError::Checksum);
        }
        Ok(CardNumber { digits })
    }

    /// All the digits, for the bank connector and encryption at rest; never log or return them.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// The first six digits, the issuer identification number (BIN).
    pub fn bin6(&self) -> &str {
        &self.digits[..6]
    }

    /// The last four digits, shown to the holder to tell cards apart.
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// Digits 7–10, with which the sandbox bank chooses a failure (API.md, Sandbox).
    pub fn behaviour_digits(&self) -> &str {
        &self.digits[6..10]
    }

    /// The issuer, card type and scheme from the BIN table, or [`CardError::Unsupported`].
    pub fn issuer(&self) -> Result<BinInfo, CardError> {
        bin::lookup(self.bin6()).ok_or(CardError::Unsupported)
    }

    /// The number as people see it on statements: `6222 **** **** 1234`, whatever its length.
    pub fn masked(&self) -> String {
        format!("{} **** **** {}", &self.digits[..4], self.last4())
    }
}

/// `body` (ASCII digits) with the Luhn check digit that makes it a valid card number appended:
/// how test cards and the load generator's cards are made.
pub fn with_luhn_digit(body: &str) -> String {
    (b'0'..=b'9')
        .map(|d| format!("{body}{}", char::from(d)))
        .find(|number| luhn_valid(number.as_bytes()))
        .unwrap_or_else(|| body.to_string())
}

/// The Luhn (mod 10) check over ASCII digits, rightmost digit being the check digit.
fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl fmt::Display for CardNumber {
    /// Masked, so that a card number formatted into a log line or message is not leaked whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for CardNumber {
    /// Masked for the same reason as `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::bin::{CardScheme, CardType};
    use proptest::prelude::*;

    #[test]
    fn well_known_test_numbers_pass_luhn() {
        for input in [
            "4111111111111111",    // Visa test card
            "5555555555554444",    // Mastercard test card
            "378282246310005",     // Amex test card, 15 digits
            "4222222222222",       // 13 digits, the shortest
            "6222021234567890128", // 19 digits, the longest
        ] {
            assert!(CardNumber::parse(input).is_ok(), "{input}");
            let body = &input[..input.len() - 1];
            assert_eq!(
                with_luhn_digit(body),
                input,
                "the check digit that completes {body}"
            );
        }
    }

    #[test]
    fn separators_and_full_width_digits_are_dropped() {
        let cases = [
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            " 4111111111111111 ",
            "４１１１１１１１１１１１１１１１",
            "４１１１　１１１１－１１１１　１１１１",
        ];
        for input in cases {
            let card = CardNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
            assert_eq!(card.expose(), "4111111111111111", "{input:?}");
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_reason() {
        let cases = [
            (String::new(), CardError::Length),
            ("    ".into(), CardError::Length),
            (with_luhn_digit("41111111111"), CardError::Length), // 12 digits
            (with_luhn_digit("4111111111111111111"), CardError::Length), // 20 digits
            ("4111111111111112".into(), CardError::Checksum),
            ("6222021234567890123".into(), CardError::Checksum),
            ("4111.1111.1111.1111".into(), CardError::BadCharacter),
            ("4111111111111111\0".into(), CardError::BadCharacter),
            ("4111111111111111\t".into(), CardError::BadCharacter),
            ("4111111111111111😀".into(), CardError::BadCharacter),
            (
                "4111111111111111' OR 1=1 --".into(),
                CardError::BadCharacter,
            ),
            ("411111111111111l".into(), CardError::BadCharacter),
            ("٤١١١١١١١١١١١١١١١".into(), CardError::BadCharacter), // Arabic-Indic digits
        ];
        for (input, want) in cases {
            assert_eq!(CardNumber::parse(&input), Err(want), "{input:?}");
            assert_eq!(want.code(), "card_invalid");
        }
    }

    #[test]
    fn overlong_input_is_refused_before_it_is_scanned() {
        let padded = format!("{}4111111111111111", " ".repeat(INPUT_BYTES_MAX - 16));
        assert!(CardNumber::parse(&padded).is_ok());
        assert_eq!(
            CardNumber::parse(&format!(" {padded}")),
            Err(CardError::Length)
        );
        assert_eq!(
            CardNumber::parse(&"4".repeat(1 << 20)),
            Err(CardError::Length)
        );
    }

    #[test]
    fn parts_and_mask_come_from_the_number() {
        let card = CardNumber::parse(&with_luhn_digit("622202000412345678")).unwrap();
        assert_eq!(card.bin6(), "622202");
        assert_eq!(card.behaviour_digits(), "0004");
        assert_eq!(card.last4(), &card.expose()[15..]);
        assert_eq!(card.masked(), format!("6222 **** **** {}", card.last4()));
        assert_eq!(card.to_string(), card.masked());
        assert_eq!(
            format!("{card:?}"),
            format!("CardNumber({})", card.masked())
        );
    }

    #[test]
    fn the_issuer_comes_from_the_bin_table_or_the_card_is_unsupported() {
        let icbc = CardNumber::parse(&with_luhn_digit("622202123456789012")).unwrap();
        let info = icbc.issuer().unwrap();
        assert_eq!(info.issuer_en, "Industrial and Commercial Bank of China");
        assert_eq!(info.card_type, CardType::Debit);
        assert_eq!(info.scheme, CardScheme::UnionPay);
        let visa = CardNumber::parse("4111111111111111").unwrap();
        assert_eq!(visa.issuer().unwrap().card_type, CardType::Credit);
        let unknown = CardNumber::parse(&with_luhn_digit("100000123456789")).unwrap();
        assert_eq!(unknown.issuer(), Err(CardError::Unsupported));
        assert_eq!(CardError::Unsupported.code(), "card_unsupported");
    }

    proptest! {
        #[test]
        fn any_luhn_valid_sixteen_digit_number_parses(body in "[0-9]{15}") {
            let number = with_luhn_digit(&body);
            let card = CardNumber::parse(&number).unwrap();
            prop_assert_eq!(card.expose(), number.as_str());
        }

        #[test]
        fn changing_any_one_digit_fails_the_check(body in "[0-9]{15}", pos in 0usize..16, delta in 1u8..=9) {
            let mut bytes = with_luhn_digit(&body).into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(CardNumber::parse(&changed), Err(CardError::Checksum));
        }
    }
}
