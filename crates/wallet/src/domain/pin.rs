//! `Pin`: the six-digit payment password (支付密码), and the check that it is not trivially guessable.

use super::{IdNumber, Phone};
use std::fmt;
use time::Date;
use zeroize::Zeroize;

/// A payment password has exactly six digits (the convention of every Chinese wallet and bank).
const LENGTH: usize = 6;

/// PINs that are neither repeats nor runs yet are among the first anyone tries: keypad lines and
/// crosses (147258, 159357), mirrors (123321), pairs (112233), and the numbers that spell love or
/// luck in Chinese (521314 "我爱你一生", 666888). Repeats and runs are caught by rule, not listed.
/// The list stays short on purpose: the contract (API.md) names only repeats, runs, the birth
/// date and the ID's and phone's tails as weak, and clients (the acceptance journey among them)
/// set PINs such as 369258 that a longer list would refuse.
const COMMON_PINS: [&str; 27] = [
    "123321", "321123", "112233", "332211", "445566", "778899", "147258", "258369", "147369",
    "159357", "159753", "357159", "741852", "852963", "963852", "789456", "456123", "147852",
    "521314", "520131", "201314", "131420", "131421", "666888", "888666", "888999", "666999",
];

/// A payment password of exactly six ASCII digits; prints as `******` and is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin {
    /// Six ASCII digits.
    digits: String,
}

/// What a new payment password may not resemble: the holder's own birth date, ID number and phone.
#[derive(Debug, Clone, Copy, Default)]
pub struct PinContext<'a> {
    /// The holder's birth date, if known apart from the ID number.
    pub birth_date: Option<Date>,
    /// The holder's verified ID number (its birth date is checked too).
    pub id_number: Option<&'a IdNumber>,
    /// The holder's phone number.
    pub phone: Option<&'a Phone>,
}

/// Why a payment password is too easy to guess; the HTTP layer names it in the `pin_weak` detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinWeakness {
    /// One digit six times: 111111.
    #[error("all six digits are the same")]
    AllSame,
    /// A run up or down, wrapping past 9 or 0: 123456, 654321, 890123.
    #[error("the digits run up or down in sequence")]
    Sequence,
    /// A two- or three-digit group repeated: 121212, 123123.
    #[error("the digits repeat a short group")]
    RepeatedGroup,
    /// One of the well-known PINs anyone would try first.
    #[error("it is one of the most commonly used payment passwords")]
    Common,
    /// The holder's birth date in one of its common six-digit forms.
    #[error("it is your birth date")]
    BirthDate,
    /// The last six characters of the holder's ID number.
    #[error("it is the end of your ID number")]
    IdNumberTail,
    /// The last six digits of the holder's phone number.
    #[error("it is the end of your phone number")]
    PhoneTail,
}

impl PinWeakness {
    /// A stable machine name for the reason, e.g. `birth_date`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PinWeakness::AllSame => "all_same",
            PinWeakness::Sequence => "sequence",
            PinWeakness::RepeatedGroup => "repeated_group",
            PinWeakness::Common => "common",
            PinWeakness::BirthDate => "birth_date",
            PinWeakness::IdNumberTail => "id_number_tail",
            PinWeakness::PhoneTail => "phone_tail",
        }
    }
}

/// Why a payment password was refused: `pin_invalid` (not six digits) or `pin_weak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not exactly six ASCII digits.
    #[error("a payment password is exactly six digits")]
    Invalid,
    /// Six digits, but too easy to guess.
    #[error("the payment password is too easy to guess: {0}")]
    Weak(PinWeakness),
}

impl PinError {
    /// The stable API error code.
    pub fn code(&self) -> &'static str {
        match self {
            PinError::Invalid => "pin_invalid",
            PinError::Weak(_) => "pin_weak",
        }
    }
}

impl Pin {
    /// Accepts exactly six ASCII digits and nothing else: no spaces, no full-width digits.
    ///
    /// Why so strict when phone and card numbers are lenient: a PIN is typed on the app's own
    /// digit pad, so anything else means a broken client, and silently rewriting a secret would
    /// make the holder's next attempt fail for a reason they cannot see.
    pub fn parse(input: &str) -> Result<Pin, PinError> {
        if input.len() == LENGTH && input.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Pin {
                digits: input.to_owned(),
            })
        } else {
            Err(PinError::Invalid)
        }
    }

    /// The six digits, for the keyed hash only; never log or store them.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// Refuses a PIN that is a repeat, a run, a common PIN, or derived from the holder's birth
    /// date, ID number or phone number; use when a PIN is set, not when one is checked.
    pub fn check_strength(&self, context: &PinContext<'_>) -> Result<(), PinError> {
        let d = self.digits.as_bytes();
        let weakness = if d.iter().all(|&b| b == d[0]) {
            Some(PinWeakness::AllSame)
        } else if is_sequence(d) {
            Some(PinWeakness::Sequence)
        } else if has_period(d, 2) || has_period(d, 3) {
            Some(PinWeakness::RepeatedGroup)
        } else if COMMON_PINS.contains(&self.digits.as_str()) {
            Some(PinWeakness::Common)
        } else if context
            .birth_date
            .into_iter()
            .chain(context.id_number.map(IdNumber::birth_date))
            .any(|date| birth_date_forms(date).contains(&self.digits))
        {
            Some(PinWeakness::BirthDate)
        } else if context
            .id_number
            .is_some_and(|id| id.last_six() == self.digits)
        {
            Some(PinWeakness::IdNumberTail)
        } else if context
            .phone
            .is_some_and(|phone| phone.last_six() == self.digits)
        {
            Some(PinWeakness::PhoneTail)
        } else {
            None
        };
        match weakness {
            Some(w) => Err(PinError::Weak(w)),
            None => Ok(()),
        }
    }
}

/// Each step is +1 or each step is -1, modulo 10 (so 890123 and 210987 count as runs too).
fn is_sequence(d: &[u8]) -> bool {
    let steps = || d.windows(2).map(|w| (10 + w[1] - w[0]) % 10);
    steps().all(|s| s == 1) || steps().all(|s| s == 9)
}

/// Whether the digits repeat with the given period (2: 121212, 3: 123123).
fn has_period(d: &[u8], period: usize) -> bool {
    d.iter().zip(&d[period..]).all(|(a, b)| a == b)
}

/// The six-digit forms people make from a birth date (7 March 1990 shown in brackets): with a
/// two-digit year YYMMDD (900307), YYDDMM (900703), MMDDYY (030790) and DDMMYY (070390); with a
/// four-digit year YYYYMM (199003) and MMYYYY (031990); and, when month and day are single
/// digits, the unpadded YYYYMD (199037), MDYYYY (371990) and DMYYYY (731990).
fn birth_date_forms(date: Date) -> Vec<String> {
    let yyyy = format!("{:04}", date.year());
    let yy = &yyyy[2..];
    let (month, day) = (date.month() as u8, date.day());
    let (mm, dd) = (format!("{month:02}"), format!("{day:02}"));
    let mut forms = vec![
        format!("{yy}{mm}{dd}"),
        format!("{yy}{dd}{mm}"),
        format!("{mm}{dd}{yy}"),
        format!("{dd}{mm}{yy}"),
        format!("{yyyy}{mm}"),
        format!("{mm}{yyyy}"),
    ];
    if month < 10 && day < 10 {
        forms.push(format!("{yyyy}{month}{day}"));
        forms.push(format!("{month}{day}{yyyy}"));
        forms.push(format!("{day}{month}{yyyy}"));
    }
    forms
}

impl Drop for Pin {
    /// Wipes the digits so a freed PIN does not linger in memory.
    fn drop(&mut self) {
        self.digits.zeroize();
    }
}

impl fmt::Debug for Pin {
    /// Never prints the digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(******)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_pins_the_acceptance_journey_sets_are_strong_enough() {
        // ../shared/acceptance/qb.py picks one of these for every holder it opens.
        for pin in ["258147", "369258", "147036", "806142", "520713"] {
            assert_eq!(
                Pin::parse(pin)
                    .unwrap()
                    .check_strength(&PinContext::default()),
                Ok(()),
                "{pin}"
            );
        }
    }

    #[test]
    fn exactly_six_ascii_digits_are_a_pin() {
        for input in ["000000", "135790", "999999", "482915"] {
            assert_eq!(Pin::parse(input).unwrap().expose(), input);
        }
    }

    #[test]
    fn anything_but_six_ascii_digits_is_invalid() {
        let cases = [
            "",
            "12345",
            "1234567",
            "12345a",
            "12 345",
            " 123456",
            "123456 ",
            "12-345",
            "１２３４５６", // full-width digits
            "١٢٣٤٥٦",       // Arabic-Indic digits
            "12345\0",
            "12345\n",
            "1234😀",
            "1' OR 1=1",
            "000000000000000000000000000",
        ];
        for input in cases {
            assert_eq!(Pin::parse(input), Err(PinError::Invalid), "{input:?}");
        }
        assert_eq!(PinError::Invalid.code(), "pin_invalid");
    }

    #[test]
    fn trivial_pins_are_weak_whoever_sets_them() {
        let context = PinContext::default();
        let cases = [
            ("000000", PinWeakness::AllSame),
            ("111111", PinWeakness::AllSame),
            ("999999", PinWeakness::AllSame),
            ("123456", PinWeakness::Sequence),
            ("012345", PinWeakness::Sequence),
            ("456789", PinWeakness::Sequence),
            ("654321", PinWeakness::Sequence),
            ("987654", PinWeakness::Sequence),
            ("543210", PinWeakness::Sequence),
            ("890123", PinWeakness::Sequence), // wraps past 9
            ("210987", PinWeakness::Sequence), // wraps past 0
            ("121212", PinWeakness::RepeatedGroup),
            ("909090", PinWeakness::RepeatedGroup),
            ("123123", PinWeakness::RepeatedGroup),
            ("520520", PinWeakness::RepeatedGroup),
            ("987987", PinWeakness::RepeatedGroup),
            ("123321", PinWeakness::Common),
            ("112233", PinWeakness::Common),
            ("147258", PinWeakness::Common),
            ("521314", PinWeakness::Common),
        ];
        for (pin, why) in cases {
            let result = Pin::parse(pin).unwrap().check_strength(&context);
            assert_eq!(result, Err(PinError::Weak(why)), "{pin}");
            assert_eq!(PinError::Weak(why).code(), "pin_weak");
        }
    }

    #[test]
    fn near_misses_of_the_trivial_patterns_are_strong_enough() {
        let context = PinContext::default();
        for pin in [
            "111112", "123457", "124567", "121213", "123124", "135791", "482915", "902468",
        ] {
            assert_eq!(
                Pin::parse(pin).unwrap().check_strength(&context),
                Ok(()),
                "{pin}"
            );
        }
    }

    #[test]
    fn the_birth_date_in_any_common_form_is_weak() {
        let context = PinContext {
            birth_date: Some(date!(1990 - 03 - 07)),
            ..PinContext::default()
        };
        for pin in [
            "900307", "900703", "030790", "070390", "199003", "031990", "199037", "371990",
            "731990",
        ] {
            let result = Pin::parse(pin).unwrap().check_strength(&context);
            assert_eq!(result, Err(PinError::Weak(PinWeakness::BirthDate)), "{pin}");
        }
        // The same digits are fine for someone born on another day.
        let other = PinContext {
            birth_date: Some(date!(1985 - 11 - 23)),
            ..PinContext::default()
        };
        assert_eq!(Pin::parse("900307").unwrap().check_strength(&other), Ok(()));
    }

    #[test]
    fn two_digit_months_and_days_have_no_unpadded_form() {
        let context = PinContext {
            birth_date: Some(date!(1988 - 12 - 25)),
            ..PinContext::default()
        };
        for pin in ["881225", "122588", "251288", "198812"] {
            let result = Pin::parse(pin).unwrap().check_strength(&context);
            assert_eq!(result, Err(PinError::Weak(PinWeakness::BirthDate)), "{pin}");
        }
    }

    /// The ID number with these 17 digits and whichever check character fits.
    fn id_number(first17: &str) -> IdNumber {
        "0123456789X"
            .chars()
            .find_map(|c| IdNumber::parse_on(&format!("{first17}{c}"), date!(2025 - 06 - 15)).ok())
            .unwrap()
    }

    #[test]
    fn the_id_numbers_birth_date_and_tail_and_the_phones_tail_are_weak() {
        // Born 23 November 1985; pick a sequence code whose check character is a digit, so the
        // tail (23 + sequence + check) can be typed as a PIN; 47x avoids runs such as 234567.
        let id = (470..480)
            .map(|seq| id_number(&format!("11010519851123{seq}")))
            .find(|id| !id.last_six().ends_with('X'))
            .unwrap();
        let phone = Phone::parse("13812947586").unwrap();
        let context = PinContext {
            birth_date: None,
            id_number: Some(&id),
            phone: Some(&phone),
        };
        let cases = [
            ("851123", PinWeakness::BirthDate), // from the ID number, no birth date given
            ("231185", PinWeakness::BirthDate),
            (id.last_six(), PinWeakness::IdNumberTail),
            ("947586", PinWeakness::PhoneTail),
        ];
        for (pin, why) in cases {
            let result = Pin::parse(pin).unwrap().check_strength(&context);
            assert_eq!(result, Err(PinError::Weak(why)), "{pin}");
        }
        assert_eq!(
            Pin::parse("482915").unwrap().check_strength(&context),
            Ok(())
        );
    }

    #[test]
    fn debug_never_shows_the_digits() {
        assert_eq!(
            format!("{:?}", Pin::parse("482915").unwrap()),
            "Pin(******)"
        );
    }

    #[test]
    fn weakness_reasons_have_stable_names() {
        assert_eq!(PinWeakness::BirthDate.as_str(), "birth_date");
        assert_eq!(
            PinWeakness::PhoneTail.to_string(),
            "it is the end of your phone number"
        );
    }
}
