//! `Password`: a new login password, long enough, not common and not the holder's phone number.
//!
//! The rules are NIST SP 800-63B's: a length range and a block list, no composition rules (they
//! push people to `Password1!`). The block list is `common_passwords.txt` beside this file.
//!
//! Source of the list: written by hand for this project from the passwords that public
//! most-common-password rankings keep reporting (SplashData's and NordPass's yearly lists, the
//! frequency tables published about the RockYou leak and the 2011 CSDN/Tianya leaks in China,
//! e.g. `123456789`, `woaini1314`, `dearbook`, `1qaz2wsx`), plus the digit and year suffixes
//! people add to them (`password123`, `qwerty2024`) and every digit repeated or run in sequence;
//! no list was downloaded or copied. Being a list of common strings, it carries no copyright.

use super::{Phone, fold_width};
use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;
use zeroize::Zeroize;

/// Fewer characters than this are guessed offline in seconds (NIST SP 800-63B minimum).
pub const PASSWORD_CHARS_MIN: usize = 8;
/// More is not safer, only a cheaper way to make the server hash megabytes (API.md: 8–128).
pub const PASSWORD_CHARS_MAX: usize = 128;
/// The phone digits a password may not contain are at least this long, so that a short country
/// code stripped from a foreign number never leaves a fragment too short to mean anything.
const PHONE_CORE_DIGITS_MIN: usize = 7;

/// The block list's text, one lower-case password a line.
const COMMON_PASSWORDS_TXT: &str = include_str!("common_passwords.txt");

/// The block list, loaded once on first use.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_PASSWORDS_TXT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// A login password that passed the rules; prints as `Password(***)` and is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    /// The password exactly as typed (no trimming: spaces are legitimate characters).
    value: String,
}

/// Why a new password was refused; every variant answers `password_weak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 8 characters.
    #[error("a password needs at least 8 characters")]
    TooShort,
    /// More than 128 characters.
    #[error("a password may have at most 128 characters")]
    TooLong,
    /// A control or invisible formatting character, which cannot be typed back reliably.
    #[error("a password may not contain control or invisible characters")]
    ControlCharacter,
    /// One of the most common passwords, ignoring case.
    #[error("this password is one of the most commonly used and easily guessed")]
    Common,
    /// The holder's phone number, or contains it.
    #[error("a password may not contain your phone number")]
    ContainsPhone,
}

impl PasswordError {
    /// The stable API error code.
    pub fn code(&self) -> &'static str {
        "password_weak"
    }

    /// A stable machine name for the reason, e.g. `common`.
    pub fn reason(&self) -> &'static str {
        match self {
            PasswordError::TooShort => "too_short",
            PasswordError::TooLong => "too_long",
            PasswordError::ControlCharacter => "control_character",
            PasswordError::Common => "common",
            PasswordError::ContainsPhone => "contains_phone",
        }
    }
}

impl Password {
    /// Accepts a new password for the holder of `phone`: 8–128 characters (not bytes), no control
    /// characters, not on the common list (ignoring case and width), not containing the phone.
    pub fn parse(input: &str, phone: &Phone) -> Result<Password, PasswordError> {
        // A char is at most 4 bytes, so this refuses a huge body before counting its characters.
        if input.len() > PASSWORD_CHARS_MAX * 4 {
            return Err(PasswordError::TooLong);
        }
        let chars = input.chars().count();
        if chars < PASSWORD_CHARS_MIN {
            return Err(PasswordError::TooShort);
        }
        if chars > PASSWORD_CHARS_MAX {
            return Err(PasswordError::TooLong);
        }
        // An invisible character could never be typed again on another keyboard.
        if input.chars().any(super::display_text::is_hidden) {
            return Err(PasswordError::ControlCharacter);
        }
        // Fold full-width forms and case so `ＰＡＳＳＷＯＲＤ` and `Password` are both `password`.
        let folded: String = input
            .chars()
            .map(fold_width)
            .flat_map(char::to_lowercase)
            .collect();
        if COMMON_PASSWORDS.contains(folded.as_str()) {
            return Err(PasswordError::Common);
        }
        // Drop the ways a number is grouped, so `138-1234-5678` hides nothing.
        let digits_only: String = folded
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.'))
            .collect();
        if digits_only.contains(phone_core(phone)) {
            return Err(PasswordError::ContainsPhone);
        }
        Ok(Password {
            value: input.to_owned(),
        })
    }

    /// The password as typed, for the Argon2id hash only; never log or store it.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

/// The part of a phone number a password may not contain: the 11 national digits of a mainland
/// number (which also rules out every E.164 form), or for other countries the digits after the
/// longest possible (three-digit) country code, kept to at least seven digits.
fn phone_core(phone: &Phone) -> &str {
    if let Some(national) = phone.mainland_digits() {
        return national;
    }
    let digits = phone.digits();
    let skip = digits.len().saturating_sub(PHONE_CORE_DIGITS_MIN).min(3);
    &digits[skip..]
}

impl Drop for Password {
    /// Wipes the characters so a freed password does not linger in memory.
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

impl fmt::Debug for Password {
    /// Never prints the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn phone() -> Phone {
        Phone::parse("13812947586").unwrap()
    }

    #[test]
    fn reasonable_passwords_are_accepted_as_typed() {
        let cases = [
            "correct horse battery staple",
            "Tr0ub4dor&3x",
            "8 chars!",
            "钱包密码很安全的", // 8 Chinese characters: 24 bytes, 8 chars
            "пароль-длинный",
            "emoji 😀😀 ok",
            "'; DROP TABLE users; --",
            " leading and trailing spaces ",
        ];
        for input in cases {
            let password =
                Password::parse(input, &phone()).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
            assert_eq!(password.expose(), input);
        }
    }

    #[test]
    fn length_is_counted_in_characters_at_both_limits() {
        let phone = phone();
        let cases = [
            ("x7k".repeat(2) + "q", Err(PasswordError::TooShort)), // 7
            ("x7k".repeat(2) + "qz", Ok(())),                      // 8
            ("钱包钱包钱包钱".to_string(), Err(PasswordError::TooShort)), // 7 chars, 21 bytes
            ("钱包钱包钱包钱包".to_string(), Ok(())),
            ("😀".repeat(8), Ok(())),
            ("a".repeat(127) + "z", Ok(())), // 128
            ("a".repeat(128) + "z", Err(PasswordError::TooLong)), // 129
            ("钱".repeat(128), Ok(())),      // 128 chars, 384 bytes
            ("钱".repeat(129), Err(PasswordError::TooLong)),
            ("😀".repeat(128), Ok(())), // 512 bytes: the byte guard's limit
            ("😀".repeat(129), Err(PasswordError::TooLong)),
            ("a".repeat(10 << 20), Err(PasswordError::TooLong)),
            (String::new(), Err(PasswordError::TooShort)),
        ];
        for (input, want) in cases {
            let got = Password::parse(&input, &phone).map(|_| ());
            assert_eq!(got, want, "{} chars", input.chars().count());
        }
    }

    #[test]
    fn control_and_invisible_characters_are_refused() {
        for input in [
            "abcdefgh\0",
            "abcd\tefgh",
            "abcd\nefgh",
            "abcd\refgh",
            "abcd\u{1b}[31mefgh",
            "abcd\u{7f}efgh",
            "abcd\u{200b}efgh",
            "abcd\u{202e}efgh",
            "\u{feff}abcdefgh",
        ] {
            assert_eq!(
                Password::parse(input, &phone()),
                Err(PasswordError::ControlCharacter),
                "{input:?}"
            );
        }
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case_or_width() {
        for input in [
            "password",
            "PASSWORD",
            "Password1",
            "12345678",
            "123456789",
            "qwertyuiop",
            "iloveyou1",
            "a1b2c3d4",
            "woaini1314",
            "WoAiNi1314",
            "1qaz2wsx",
            "dearbook",
            "ｐａｓｓｗｏｒｄ",
            "１２３４５６７８",
            "88888888",
            "p@ssw0rd",
        ] {
            assert_eq!(
                Password::parse(input, &phone()),
                Err(PasswordError::Common),
                "{input:?}"
            );
        }
    }

    #[test]
    fn the_common_list_is_large_lower_case_and_has_no_blank_entries() {
        assert!(
            COMMON_PASSWORDS.len() >= 1000,
            "only {} entries",
            COMMON_PASSWORDS.len()
        );
        for entry in COMMON_PASSWORDS.iter() {
            assert_eq!(*entry, entry.to_lowercase(), "{entry:?} is not lower-case");
            assert!(
                !entry.chars().any(char::is_whitespace),
                "{entry:?} has whitespace"
            );
        }
    }

    #[test]
    fn the_phone_number_in_any_form_is_refused() {
        let phone = phone();
        for input in [
            "13812947586",
            "+8613812947586",
            "8613812947586",
            "008613812947586",
            "138-1294-7586",
            "138 1294 7586",
            "mypass13812947586",
            "13812947586abc",
            "１３８１２９４７５８６",
        ] {
            assert_eq!(
                Password::parse(input, &phone),
                Err(PasswordError::ContainsPhone),
                "{input:?}"
            );
        }
        // Part of the number is not the number.
        assert!(Password::parse("x1381294758", &phone).is_ok());
        // Someone else's number is not this holder's.
        assert!(Password::parse("13912947586", &phone).is_ok());
    }

    #[test]
    fn a_foreign_phone_number_is_refused_without_its_country_code_too() {
        let phone = Phone::parse("+447911123456").unwrap();
        for input in [
            "447911123456",
            "07911123456",
            "7911123456",
            "+44 7911 123456",
        ] {
            assert_eq!(
                Password::parse(input, &phone),
                Err(PasswordError::ContainsPhone),
                "{input:?}"
            );
        }
        assert!(Password::parse("79111234", &phone).is_ok());
    }

    #[test]
    fn every_refusal_answers_password_weak_with_a_reason() {
        let reasons = [
            (PasswordError::TooShort, "too_short"),
            (PasswordError::TooLong, "too_long"),
            (PasswordError::ControlCharacter, "control_character"),
            (PasswordError::Common, "common"),
            (PasswordError::ContainsPhone, "contains_phone"),
        ];
        for (error, reason) in reasons {
            assert_eq!(error.code(), "password_weak");
            assert_eq!(error.reason(), reason);
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("correct horse battery staple", &phone()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
