//! `IdNumber`: an 18-character resident identity number (GB 11643-1999), check and birth date proven.

use super::fold_width;
use std::fmt;
use time::{Date, Month};

/// Longest input looked at, in bytes: 18 full-width characters with a few spaces fit easily.
const INPUT_BYTES_MAX: usize = 96;
/// A second-generation resident ID number has exactly 18 characters.
const LENGTH: usize = 18;
/// GB 11643-1999 weights for the first 17 digits: 2^(18-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each weighted sum modulo 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
/// No living holder was born before 1900; earlier years are typos or forgeries.
const BIRTH_YEAR_MIN: i32 = 1900;
/// The age at which a holder may verify their identity and open a full wallet (完全民事行为能力).
pub const ADULT_AGE: u32 = 18;

/// A valid resident ID number: 17 digits and a check character (digit or `X`), stored upper-case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber {
    /// 18 ASCII characters; the last may be `X`.
    value: String,
    /// The birth date encoded in characters 7–14.
    birth_date: Date,
}

/// Why an ID number was refused; all answer `id_number_invalid` except `Underage` (`underage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters (after dropping spaces).
    #[error("a resident ID number has 18 characters")]
    Length,
    /// A character other than digits, a final X, and spaces.
    #[error("a resident ID number is 17 digits followed by a digit or X")]
    BadCharacter,
    /// The region code starts with 0 or 9, which no province uses.
    #[error("the ID number's region code is not a province of China")]
    AreaCode,
    /// Characters 7–14 are not a calendar date from 1900 on.
    #[error("the ID number's birth date is not a real date")]
    BirthDate,
    /// The birth date is after today.
    #[error("the ID number's birth date is in the future")]
    FutureBirthDate,
    /// The 18th character does not match the GB 11643 check of the first 17.
    #[error("the ID number's check character is wrong; please check for a typo")]
    CheckCharacter,
    /// The holder is younger than 18.
    #[error("the holder must be at least 18 years old")]
    Underage,
}

impl IdNumberError {
    /// The stable API error code.
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Underage => "underage",
            _ => "id_number_invalid",
        }
    }
}

impl IdNumber {
    /// Parses an ID number whose birth date must not be after `today`; spaces and full-width
    /// characters are allowed, a lower-case `x` is accepted and stored as `X`.
    pub fn parse_on(input: &str, today: Date) -> Result<IdNumber, IdNumberError> {
        if input.len() > INPUT_BYTES_MAX {
            return Err(IdNumberError::Length);
        }
        let mut value = String::with_capacity(LENGTH);
        for c in input.chars().map(fold_width) {
            match c {
                ' ' => {}
                '0'..='9' if value.len() < LENGTH => value.push(c),
                'x' | 'X' if value.len() == LENGTH - 1 => value.push('X'),
                '0'..='9' | 'x' | 'X' => return Err(IdNumberError::Length),
                _ => return Err(IdNumberError::BadCharacter),
            }
        }
        if value.len() != LENGTH {
            return Err(IdNumberError::Length);
        }
        let bytes = value.as_bytes();
        // Region codes run from 11 (Beijing) to 82 (Macau); 0 and 9 lead no province.
        if !(b'1'..=b'8').contains(&bytes[0]) {
            return Err(IdNumberError::AreaCode);
        }
        let birth_date = birth_date_of(bytes)?;
        if birth_date > today {
            return Err(IdNumberError::FutureBirthDate);
        }
        if bytes[17] != check_char(bytes) {
            return Err(IdNumberError::CheckCharacter);
        }
        Ok(IdNumber { value, birth_date })
    }

    /// The full 18 characters, for encryption at rest and the identity verifier; never log it.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// The birth date written in the number.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// Completed years of age on `today`; a birthday counts on the day itself, and a 29 February
    /// birthday counts on 1 March in common years (the day after 28 February, never before it).
    pub fn age_on(&self, today: Date) -> u32 {
        let born = self.birth_date;
        if today <= born {
            return 0;
        }
        let years = today.year() - born.year();
        let before_birthday = (today.month() as u8, today.day()) < (born.month() as u8, born.day());
        let completed = if before_birthday { years - 1 } else { years };
        u32::try_from(completed).unwrap_or(0)
    }

    /// `Ok` when the holder is at least 18 on `today`, else [`IdNumberError::Underage`].
    pub fn require_adult(&self, today: Date) -> Result<(), IdNumberError> {
        if self.age_on(today) >= ADULT_AGE {
            Ok(())
        } else {
            Err(IdNumberError::Underage)
        }
    }

    /// The six-digit region code (行政区划代码) of where the number was issued.
    pub fn area_code(&self) -> &str {
        &self.value[..6]
    }

    /// The sequence code (顺序码), digits 15–17; the sandbox verifier keys its failures on it.
    pub fn sequence_code(&self) -> &str {
        &self.value[14..17]
    }

    /// The last six characters, which a payment password must not be.
    pub fn last_six(&self) -> &str {
        &self.value[12..]
    }

    /// The number with everything but the first and last four hidden: `1101**********1234`.
    pub fn masked(&self) -> String {
        format!(
            "{}{}{}",
            &self.value[..4],
            "*".repeat(LENGTH - 8),
            &self.value[LENGTH - 4..]
        )
    }
}

/// Reads YYYYMMDD from characters 7–14 (already known to be ASCII digits).
fn birth_date_of(bytes: &[u8]) -> Result<Date, IdNumberError> {
    let number = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    let year = i32::try_from(number(6..10)).map_err(|_| IdNumberError::BirthDate)?;
    let month = u8::try_from(number(10..12)).map_err(|_| IdNumberError::BirthDate)?;
    let day = u8::try_from(number(12..14)).map_err(|_| IdNumberError::BirthDate)?;
    if year < BIRTH_YEAR_MIN {
        return Err(IdNumberError::BirthDate);
    }
    let month = Month::try_from(month).map_err(|_| IdNumberError::BirthDate)?;
    // `from_calendar_date` knows month lengths and leap years (19000229 and 20230229 fail).
    Date::from_calendar_date(year, month, day).map_err(|_| IdNumberError::BirthDate)
}

/// The first 17 digits of an ID number (ASCII) with their GB 11643 check character appended:
/// how test holders' and the load generator's ID numbers are made.
pub fn with_check_char(first17: &str) -> String {
    match first17.as_bytes() {
        bytes if bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit) => {
            format!("{first17}{}", char::from(check_char(bytes)))
        }
        _ => first17.to_string(),
    }
}

/// The GB 11643 check character of the first 17 digits.
fn check_char(bytes: &[u8]) -> u8 {
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    // sum % 11 is in 0..=10, always a valid index.
    CHECK_CHARS[(sum % 11) as usize]
}

impl fmt::Display for IdNumber {
    /// Masked, so that an ID number formatted into a log line or message is not leaked whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for IdNumber {
    /// Masked for the same reason as `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 15);

    #[test]
    fn the_check_character_completes_seventeen_digits_and_nothing_else() {
        assert_eq!(with_check_char("11010519491231002"), "11010519491231002X");
        assert_eq!(with_check_char("44052418800101001"), "440524188001010014");
        for not_seventeen_digits in [
            "1101051949123100",
            "110105194912310021",
            "1101051949123100X",
        ] {
            assert_eq!(with_check_char(not_seventeen_digits), not_seventeen_digits);
        }
    }

    #[test]
    fn the_standards_own_examples_parse() {
        // Both examples are printed in GB 11643-1999 itself.
        for (input, birth) in [
            ("11010519491231002X", date!(1949 - 12 - 31)),
            ("440524188001010014", date!(1880 - 01 - 01)),
        ] {
            let result = IdNumber::parse_on(input, TODAY);
            if birth.year() < BIRTH_YEAR_MIN {
                // The second example's 1880 birth is before the floor we accept for living holders.
                assert_eq!(result, Err(IdNumberError::BirthDate));
            } else {
                let id = result.unwrap();
                assert_eq!(id.birth_date(), birth);
                assert_eq!(id.expose(), input);
            }
        }
    }

    #[test]
    fn spaces_full_width_characters_and_lower_case_x_are_normalised() {
        let cases = [
            "11010519491231002x",
            "110105 19491231 002X",
            " 11010519491231002X ",
            "１１０１０５１９４９１２３１００２Ｘ",
            "１１０１０５１９４９１２３１００２ｘ",
            "110105　19491231　002X",
        ];
        for input in cases {
            let id =
                IdNumber::parse_on(input, TODAY).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
            assert_eq!(id.expose(), "11010519491231002X", "{input:?}");
        }
    }

    #[test]
    fn malformed_numbers_are_refused_with_the_reason() {
        let valid = with_check_char("11010519900307123");
        let wrong_check = {
            let mut s = valid.clone();
            let last = s.pop().unwrap();
            s.push(if last == '0' { '1' } else { '0' });
            s
        };
        let cases = [
            (String::new(), IdNumberError::Length),
            ("1101051990030712".into(), IdNumberError::Length), // 16
            (valid[..17].to_string(), IdNumberError::Length),   // 17
            (format!("{valid}0"), IdNumberError::Length),       // 19
            ("11010519491231002XX".into(), IdNumberError::Length),
            ("X1010519491231002X".into(), IdNumberError::Length), // X only last
            ("1101051949123100X2".into(), IdNumberError::Length),
            ("110105194912310021\0".into(), IdNumberError::BadCharacter),
            ("11010519491231002\n".into(), IdNumberError::BadCharacter),
            ("110105-19491231-002X".into(), IdNumberError::BadCharacter),
            ("11010519491231002😀".into(), IdNumberError::BadCharacter),
            ("1' OR '1'='1".into(), IdNumberError::BadCharacter),
            ("11010519491231002Y".into(), IdNumberError::BadCharacter),
            (
                with_check_char("01010519900307123"),
                IdNumberError::AreaCode,
            ),
            (
                with_check_char("91010519900307123"),
                IdNumberError::AreaCode,
            ),
            (
                with_check_char("11010518991231123"),
                IdNumberError::BirthDate,
            ), // before 1900
            (
                with_check_char("11010519901301123"),
                IdNumberError::BirthDate,
            ), // month 13
            (
                with_check_char("11010519900001123"),
                IdNumberError::BirthDate,
            ), // month 0
            (
                with_check_char("11010519900100123"),
                IdNumberError::BirthDate,
            ), // day 0
            (
                with_check_char("11010519900431123"),
                IdNumberError::BirthDate,
            ), // 31 April
            (
                with_check_char("11010520230229123"),
                IdNumberError::BirthDate,
            ), // 29 Feb, common year
            (
                with_check_char("11010519000229123"),
                IdNumberError::BirthDate,
            ), // 1900 was not leap
            (
                with_check_char("11010520250616123"),
                IdNumberError::FutureBirthDate,
            ), // tomorrow
            (
                with_check_char("11010529990101123"),
                IdNumberError::FutureBirthDate,
            ),
            (wrong_check, IdNumberError::CheckCharacter),
            ("110105194912310021".into(), IdNumberError::CheckCharacter),
        ];
        for (input, want) in cases {
            assert_eq!(IdNumber::parse_on(&input, TODAY), Err(want), "{input:?}");
            assert_eq!(want.code(), "id_number_invalid");
        }
    }

    #[test]
    fn leap_day_and_today_are_real_birth_dates() {
        for first17 in [
            "11010520000229123",
            "11010520240229123",
            "11010520250615123",
        ] {
            assert!(
                IdNumber::parse_on(&with_check_char(first17), TODAY).is_ok(),
                "{first17}"
            );
        }
    }

    #[test]
    fn overlong_input_is_refused_before_it_is_scanned() {
        let padded = format!("{}11010519491231002X", " ".repeat(INPUT_BYTES_MAX - LENGTH));
        assert!(IdNumber::parse_on(&padded, TODAY).is_ok());
        let past = format!(" {padded}");
        assert_eq!(IdNumber::parse_on(&past, TODAY), Err(IdNumberError::Length));
    }

    #[test]
    fn age_counts_whole_years_with_the_birthday_itself_counting() {
        let born_2007_06_15 =
            IdNumber::parse_on(&with_check_char("11010520070615123"), TODAY).unwrap();
        let leap_born = IdNumber::parse_on(&with_check_char("11010520040229123"), TODAY).unwrap();
        let cases = [
            (&born_2007_06_15, date!(2025 - 06 - 15), 18),
            (&born_2007_06_15, date!(2025 - 06 - 14), 17),
            (&born_2007_06_15, date!(2007 - 06 - 15), 0),
            (&born_2007_06_15, date!(2000 - 01 - 01), 0), // before birth
            (&leap_born, date!(2022 - 02 - 28), 17),
            (&leap_born, date!(2022 - 03 - 01), 18), // common year: 1 March
            (&leap_born, date!(2024 - 02 - 28), 19),
            (&leap_born, date!(2024 - 02 - 29), 20), // leap year: the day itself
        ];
        for (id, today, age) in cases {
            assert_eq!(id.age_on(today), age, "{id:?} on {today}");
        }
    }

    #[test]
    fn a_holder_is_adult_exactly_on_the_eighteenth_birthday() {
        let id = IdNumber::parse_on(&with_check_char("11010520070615123"), TODAY).unwrap();
        assert_eq!(id.require_adult(date!(2025 - 06 - 15)), Ok(()));
        let short = id.require_adult(date!(2025 - 06 - 14));
        assert_eq!(short, Err(IdNumberError::Underage));
        assert_eq!(IdNumberError::Underage.code(), "underage");
    }

    #[test]
    fn a_leap_day_baby_is_adult_on_the_first_of_march_in_a_common_year() {
        // Born 29 February 2008; 2026 is a common year.
        let id = IdNumber::parse_on(&with_check_char("11010520080229123"), date!(2026 - 12 - 31))
            .unwrap();
        assert_eq!(
            id.require_adult(date!(2026 - 02 - 28)),
            Err(IdNumberError::Underage)
        );
        assert_eq!(id.require_adult(date!(2026 - 03 - 01)), Ok(()));
    }

    #[test]
    fn parts_and_mask_come_from_the_number() {
        let id = IdNumber::parse_on("11010519491231002X", TODAY).unwrap();
        assert_eq!(id.area_code(), "110105");
        assert_eq!(id.sequence_code(), "002");
        assert_eq!(id.last_six(), "31002X");
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.to_string(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(1101**********002X)");
    }

    prop_compose! {
        fn valid_id()(
            area in 100_000u32..=899_999,
            birth in (0i32..=36_500).prop_map(|d| date!(1920 - 01 - 01) + time::Duration::days(d.into())),
            sequence in 0u32..=999,
        ) -> (String, Date) {
            let first17 = format!(
                "{area:06}{:04}{:02}{:02}{sequence:03}",
                birth.year(),
                birth.month() as u8,
                birth.day()
            );
            (with_check_char(&first17), birth)
        }
    }

    proptest! {
        #[test]
        fn any_well_formed_number_parses_and_its_parts_agree((input, birth) in valid_id()) {
            let id = IdNumber::parse_on(&input, date!(2030 - 01 - 01)).unwrap();
            prop_assert_eq!(id.expose(), input.as_str());
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.last_six(), &input[12..]);
            prop_assert_eq!(id.sequence_code(), &input[14..17]);
            let masked = id.masked();
            prop_assert_eq!(&masked[..4], &input[..4]);
            prop_assert_eq!(&masked[4..14], "**********");
            prop_assert!(id.last_six().ends_with(&masked[14..]));
        }

        #[test]
        fn changing_any_one_digit_breaks_the_check((input, _birth) in valid_id(), pos in 0usize..17, delta in 1u8..=9) {
            let mut bytes = input.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            // The change may also break the area code or date first; it must never be accepted.
            prop_assert!(IdNumber::parse_on(&changed, date!(2030 - 01 - 01)).is_err());
        }
    }
}
