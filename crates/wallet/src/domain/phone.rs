//! `Phone`: a holder's mobile number in E.164, with mainland (+86) mobiles checked strictly.

use super::fold_width;
use std::fmt;

/// Longest input looked at, in bytes. A phone number with separators in full-width form is at most
/// about 60 bytes; anything longer is refused before any per-character work.
const INPUT_BYTES_MAX: usize = 64;
/// E.164 allows at most 15 digits including the country code.
const E164_DIGITS_MAX: usize = 15;
/// The shortest international number accepted (country code included); shorter ones are not
/// reachable mobiles anywhere, and SMS codes are the only use we have for a phone.
const E164_DIGITS_MIN: usize = 8;
/// The country code of mainland China.
const MAINLAND_COUNTRY_CODE: &str = "86";
/// A mainland mobile number has 11 digits (1 + network + subscriber).
const MAINLAND_DIGITS: usize = 11;

/// A mobile phone number in E.164 form (`+8613812345678`); mainland numbers are always mobiles.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone {
    /// `+` followed by 8–15 ASCII digits.
    e164: String,
}

/// Why a phone number was refused; every variant answers `phone_invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but separators (or nothing at all) was given.
    #[error("the phone number is empty")]
    Empty,
    /// The input is longer than any phone number could be.
    #[error("the phone number is too long")]
    TooLong,
    /// A character other than digits, spaces, dashes and one leading plus sign.
    #[error("a phone number may contain only digits, spaces, dashes and a leading +")]
    BadCharacter,
    /// A plus sign after the first digit, or more than one.
    #[error("a + may only start the phone number")]
    MisplacedPlus,
    /// A number without country code (or with +86) that is not an 11-digit mainland mobile.
    #[error("a mainland China mobile number has 11 digits and starts with 13 to 19")]
    NotMainlandMobile,
    /// An international number outside E.164's shape (country code not starting with 0, 8–15 digits).
    #[error("an international number is + and a country code, 8 to 15 digits in all")]
    NotE164,
}

impl PhoneError {
    /// The stable API error code.
    pub fn code(&self) -> &'static str {
        "phone_invalid"
    }
}

impl Phone {
    /// Parses `+8613812345678`, `13812345678`, `008613812345678`, with spaces, dashes or
    /// full-width characters (`＋８６ １３８-1234-5678`); a number without a country code is mainland.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        if input.len() > INPUT_BYTES_MAX {
            return Err(PhoneError::TooLong);
        }
        let mut digits = String::with_capacity(E164_DIGITS_MAX + 2);
        let mut plus = false;
        for c in input.chars().map(fold_width) {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                '+' => return Err(PhoneError::MisplacedPlus),
                // Why only these two: they are how people group numbers in China (138 1234 5678,
                // 138-1234-5678). Dots, brackets and letters are more likely typos than formatting.
                ' ' | '-' => {}
                _ => return Err(PhoneError::BadCharacter),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        // `00` is the international call prefix from mainland China, the same as a leading `+`.
        if !plus && digits.starts_with("00") {
            plus = true;
            digits.drain(..2);
        }
        if !plus {
            check_mainland_mobile(&digits)?;
            return Ok(Phone {
                e164: format!("+{MAINLAND_COUNTRY_CODE}{digits}"),
            });
        }
        if let Some(national) = digits.strip_prefix(MAINLAND_COUNTRY_CODE) {
            check_mainland_mobile(national)?;
        } else if !(E164_DIGITS_MIN..=E164_DIGITS_MAX).contains(&digits.len())
            || digits.starts_with('0')
        {
            return Err(PhoneError::NotE164);
        }
        Ok(Phone {
            e164: format!("+{digits}"),
        })
    }

    /// The number in E.164 form, `+8613812345678`: what the API returns and what is stored.
    pub fn as_e164(&self) -> &str {
        &self.e164
    }

    /// Whether this is a mainland China (+86) mobile number.
    pub fn is_mainland(&self) -> bool {
        self.mainland_digits().is_some()
    }

    /// The 11 national digits of a mainland number (`13812345678`), `None` for other countries.
    pub fn mainland_digits(&self) -> Option<&str> {
        self.e164
            .strip_prefix('+')
            .and_then(|d| d.strip_prefix(MAINLAND_COUNTRY_CODE))
    }

    /// The digits after the `+`: country code and national number together.
    pub fn digits(&self) -> &str {
        self.e164.strip_prefix('+').unwrap_or(&self.e164)
    }

    /// The last six digits, which a payment password must not be.
    pub fn last_six(&self) -> &str {
        // Every Phone has at least 8 ASCII digits, so this slice is in bounds and on a char boundary.
        &self.e164[self.e164.len() - 6..]
    }

    /// The number with its middle hidden: `+86 138****5678` (other countries: `+447*******3456`).
    pub fn masked(&self) -> String {
        match self.mainland_digits() {
            Some(national) => format!("+86 {}****{}", &national[..3], &national[7..]),
            None => {
                let shown_head = 4; // "+" and up to three digits of country code
                let shown_tail = 4;
                let hidden = self.e164.len() - shown_head - shown_tail;
                format!(
                    "{}{}{}",
                    &self.e164[..shown_head],
                    "*".repeat(hidden),
                    &self.e164[self.e164.len() - shown_tail..]
                )
            }
        }
    }
}

/// Mainland mobile numbers: 11 digits, `1`, then a network digit 3–9 (no mobile range starts 10–12).
fn check_mainland_mobile(national: &str) -> Result<(), PhoneError> {
    let bytes = national.as_bytes();
    if bytes.len() == MAINLAND_DIGITS && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
        Ok(())
    } else {
        Err(PhoneError::NotMainlandMobile)
    }
}

impl fmt::Display for Phone {
    /// Masked, so that a phone number formatted into a log line or message is not leaked whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Phone {
    /// Masked for the same reason as `Display`: `{:?}` of a request struct ends up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl std::str::FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms_normalise_to_e164() {
        let cases = [
            ("13812345678", "+8613812345678"),
            ("+8613812345678", "+8613812345678"),
            ("008613812345678", "+8613812345678"),
            ("138 1234 5678", "+8613812345678"),
            ("138-1234-5678", "+8613812345678"),
            ("+86 138-1234-5678", "+8613812345678"),
            ("  13812345678  ", "+8613812345678"),
            ("１３８１２３４５６７８", "+8613812345678"),
            ("＋８６　１３８－１２３４－５６７８", "+8613812345678"),
            ("19912345678", "+8619912345678"),
            ("13012345678", "+8613012345678"),
            ("+44 7911 123456", "+447911123456"),
            ("+85291234567", "+85291234567"),
            ("+12025550123", "+12025550123"),
            ("+1 2345678", "+12345678"), // 8 digits: the shortest accepted
            ("+123456789012345", "+123456789012345"), // 15 digits: the longest E.164 allows
        ];
        for (input, e164) in cases {
            let phone = Phone::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
            assert_eq!(phone.as_e164(), e164, "{input:?}");
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_reason() {
        let cases = [
            ("", PhoneError::Empty),
            ("   ", PhoneError::Empty),
            ("+", PhoneError::Empty),
            ("1381234567", PhoneError::NotMainlandMobile), // 10 digits
            ("138123456789", PhoneError::NotMainlandMobile), // 12 digits
            ("12812345678", PhoneError::NotMainlandMobile), // second digit 2
            ("10012345678", PhoneError::NotMainlandMobile),
            ("23812345678", PhoneError::NotMainlandMobile),
            ("+86 1012345678", PhoneError::NotMainlandMobile),
            ("+86 010 12345678", PhoneError::NotMainlandMobile), // a Beijing landline
            ("8613812345678", PhoneError::NotMainlandMobile),    // country code without +
            ("+1234567", PhoneError::NotE164),                   // 7 digits
            ("+1234567890123456", PhoneError::NotE164),          // 16 digits
            ("+0123456789", PhoneError::NotE164),                // country codes never start with 0
            ("138+12345678", PhoneError::MisplacedPlus),
            ("++8613812345678", PhoneError::MisplacedPlus),
            ("138.1234.5678", PhoneError::BadCharacter),
            ("(138) 12345678", PhoneError::BadCharacter),
            ("1381234567a", PhoneError::BadCharacter),
            ("138\t12345678", PhoneError::BadCharacter),
            ("138\n12345678", PhoneError::BadCharacter),
            ("13812345678\0", PhoneError::BadCharacter),
            ("138١٢٣٤٥٦٧٨", PhoneError::BadCharacter), // Arabic-Indic digits are not folded
            ("13812345678😀", PhoneError::BadCharacter),
            ("13812345678' OR '1'='1", PhoneError::BadCharacter),
            ("13812345678;--", PhoneError::BadCharacter),
            ("一三八", PhoneError::BadCharacter),
        ];
        for (input, want) in cases {
            assert_eq!(Phone::parse(input), Err(want), "{input:?}");
            assert_eq!(want.code(), "phone_invalid");
        }
    }

    #[test]
    fn overlong_input_is_refused_before_it_is_scanned() {
        let at_limit = format!("{}13812345678", " ".repeat(INPUT_BYTES_MAX - 11));
        assert!(Phone::parse(&at_limit).is_ok());
        let past_limit = format!(" {at_limit}");
        assert_eq!(Phone::parse(&past_limit), Err(PhoneError::TooLong));
        assert_eq!(Phone::parse(&"1".repeat(1 << 20)), Err(PhoneError::TooLong));
    }

    #[test]
    fn masked_display_and_debug_hide_the_middle_digits() {
        let phone = Phone::parse("13812345678").unwrap();
        assert_eq!(phone.to_string(), "+86 138****5678");
        assert_eq!(format!("{phone:?}"), "Phone(+86 138****5678)");
        let foreign = Phone::parse("+447911123456").unwrap();
        assert_eq!(foreign.to_string(), "+447*****3456");
        assert!(!format!("{foreign:?}").contains("7911123456"));
    }

    #[test]
    fn last_six_and_mainland_digits_come_from_the_number() {
        let phone = Phone::parse("+86 138 1234 5678").unwrap();
        assert_eq!(phone.last_six(), "345678");
        assert_eq!(phone.mainland_digits(), Some("13812345678"));
        assert_eq!(phone.digits(), "8613812345678");
        assert!(phone.is_mainland());
        let foreign = Phone::parse("+85291234567").unwrap();
        assert_eq!(foreign.mainland_digits(), None);
        assert_eq!(foreign.last_six(), "234567");
    }

    #[test]
    fn the_same_number_in_different_forms_is_equal() {
        let a = Phone::parse("138 1234 5678").unwrap();
        let b: Phone = "+8613812345678".parse().unwrap();
        assert_eq!(a, b);
    }
}
