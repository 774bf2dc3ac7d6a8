//! The holder's own values: phone, ID number, card number, payment PIN and login password.

use crate::generate::{self, Rng, decorate, mutate_text, random_text, token_text};
use crate::{Case, Check, ensure};
use qianbao_wallet::domain::{CardNumber, IdNumber, Password, Phone, Pin, PinContext};
use time::{Date, Month};

/// Country codes for foreign numbers (none starts with 86 or 0, as E.164 promises).
const COUNTRY_CODES: &[&str] = &[
    "1", "7", "33", "44", "49", "81", "852", "853", "886", "971", "1268", "380",
];

/// Tokens of phone numbers as people type them.
const PHONE_DICT: &[&str] = &[
    "+",
    "+86",
    "0086",
    "00",
    "86",
    "138",
    "1",
    " ",
    "-",
    "１",
    "＋",
    "　",
    "－",
    "13812345678",
    "+44",
    "0",
    "9",
    "99999999",
];

/// A phone number in one of the forms people type, and the E.164 form it must parse to.
pub fn valid_phone(rng: &mut Rng) -> (String, String) {
    if rng.chance(70) {
        let network = char::from(b'3' + rng.below(7) as u8);
        let national = format!("1{network}{}", rng.digits(9));
        let prefix = *rng.pick(&["", "", "+86", "0086", "+86 ", "+86-", "0086 "]);
        let text = decorate(rng, &format!("{prefix}{national}"), &[' ', '-']);
        (text, format!("+86{national}"))
    } else {
        let cc = *rng.pick(COUNTRY_CODES);
        let total = rng.between(8, 15) as usize;
        let digits = format!("{cc}{}", rng.digits(total - cc.len()));
        let prefix = *rng.pick(&["+", "00", "+ "]);
        let text = decorate(rng, &format!("{prefix}{digits}"), &[' ', '-']);
        (text, format!("+{digits}"))
    }
}

/// The ASCII digits of `input` after width folding.
fn folded_digits(input: &str) -> String {
    input
        .chars()
        .map(generate::fold_width)
        .filter(char::is_ascii_digit)
        .collect()
}

/// `Phone::parse`: valid forms give their E.164; whatever parses is E.164, re-parses to itself,
/// holds exactly the input's digits (less a `00` or plus the mainland `86`), and prints masked.
pub fn phone(rng: &mut Rng, case: &mut Case) -> Check {
    let (input, expected) = match rng.below(100) {
        0..20 => {
            let (text, e164) = valid_phone(rng);
            (text, Some(e164))
        }
        20..70 => {
            let (text, _) = valid_phone(rng);
            (mutate_text(rng, &text, PHONE_DICT), None)
        }
        70..85 => (token_text(rng, PHONE_DICT), None),
        _ => (random_text(rng), None),
    };
    case.text(&input);
    let result = Phone::parse(&input);
    if let Some(e164) = &expected {
        if input.len() <= 64 {
            ensure(
                result.as_ref().map(Phone::as_e164) == Ok(e164.as_str()),
                || format!("a valid number parsed as {result:?}, not {e164}"),
            )?;
        } else {
            ensure(result.is_err(), || "an over-long input was accepted".into())?;
        }
    }
    let Ok(phone) = result else { return Ok(()) };
    let e164 = phone.as_e164();
    let digits = e164.strip_prefix('+').unwrap_or("");
    ensure(
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0'),
        || format!("{e164:?} is not E.164"),
    )?;
    ensure(input.len() <= 64, || {
        "an over-long input was accepted".into()
    })?;
    if let Some(national) = digits.strip_prefix("86") {
        let b = national.as_bytes();
        ensure(
            b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]),
            || format!("{e164:?} is +86 but not a mainland mobile"),
        )?;
        ensure(
            phone.is_mainland() && phone.mainland_digits() == Some(national),
            || "mainland_digits disagrees with the number".into(),
        )?;
    }
    let typed = folded_digits(&input);
    ensure(
        digits == typed
            || digits == format!("86{typed}")
            || typed.strip_prefix("00") == Some(digits),
        || format!("{e164:?} does not hold the typed digits {typed:?}"),
    )?;
    let again = Phone::parse(e164);
    ensure(again.as_ref() == Ok(&phone), || {
        format!("{e164:?} re-parses as {again:?}")
    })?;
    ensure(phone.digits() == digits, || "digits() disagrees".into())?;
    ensure(
        e164.ends_with(phone.last_six()) && phone.last_six().len() == 6,
        || "last_six is not the last six digits".into(),
    )?;
    let (shown, debug) = (phone.to_string(), format!("{phone:?}"));
    ensure(
        shown == phone.masked() && !shown.contains(digits) && !debug.contains(digits),
        || format!("the number is printed unmasked: {shown:?} / {debug:?}"),
    )
}

/// Today's date for an ID-number case: usually a plausible one, sometimes a boundary.
fn some_date(rng: &mut Rng) -> Date {
    let boundaries = [
        Date::MIN,
        Date::MAX,
        date(1900, 1, 1),
        date(1899, 12, 31),
        date(2000, 2, 29),
        date(2025, 6, 15),
    ];
    match rng.below(10) {
        0..7 => julian(rng.between(
            i64::from(date(1950, 1, 1).to_julian_day()),
            i64::from(date(2100, 12, 31).to_julian_day()),
        )),
        7..9 => *rng.pick(&boundaries),
        _ => julian(rng.between(
            i64::from(Date::MIN.to_julian_day()),
            i64::from(Date::MAX.to_julian_day()),
        )),
    }
}

/// A calendar date that exists (falls back to 1 January of the year).
fn date(year: i32, month: u8, day: u8) -> Date {
    Month::try_from(month)
        .ok()
        .and_then(|m| Date::from_calendar_date(year, m, day).ok())
        .unwrap_or(Date::MIN)
}

/// The date with this Julian day number, clamped into the supported range.
fn julian(day: i64) -> Date {
    let day = i32::try_from(day).unwrap_or(0);
    Date::from_julian_day(day).unwrap_or(Date::MIN)
}

/// The GB 11643 check character of 17 digits, computed independently of the wallet's table:
/// weights 2^(17−i) mod 11, check value (12 − sum mod 11) mod 11, 10 written `X`.
pub fn gb11643_check(first17: &[u8]) -> char {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for &b in first17.iter().rev() {
        weight = weight * 2 % 11;
        sum += u32::from(b - b'0') * weight;
    }
    match (12 - sum % 11) % 11 {
        10 => 'X',
        v => char::from(b'0' + v as u8),
    }
}

/// A valid ID number born on or before `today` (none if `today` is before 1900): the canonical
/// 18 characters, and a form of it as typed (spaces, full-width, lower-case `x`).
pub fn valid_id(rng: &mut Rng, today: Date) -> Option<(String, String)> {
    let floor = date(1900, 1, 1).to_julian_day();
    if today.to_julian_day() < floor {
        return None;
    }
    let born = julian(rng.between(i64::from(floor), i64::from(today.to_julian_day())));
    let first17 = format!(
        "{}{}{:04}{:02}{:02}{}",
        char::from(b'1' + rng.below(8) as u8),
        rng.digits(5),
        born.year(),
        born.month() as u8,
        born.day(),
        rng.digits(3)
    );
    let canonical = format!("{first17}{}", gb11643_check(first17.as_bytes()));
    let mut typed = decorate(rng, &canonical, &[' ']);
    if rng.chance(30) {
        typed = typed.replace('X', "x").replace('Ｘ', "ｘ");
    }
    Some((canonical, typed))
}

/// Tokens of ID numbers.
const ID_DICT: &[&str] = &[
    "X",
    "x",
    "Ｘ",
    " ",
    "19",
    "20",
    "0229",
    "1231",
    "0000",
    "11010519491231002X",
    "9",
    "0",
];

/// `IdNumber::parse_on` against a random today: valid numbers parse; whatever parses has a right
/// check character (computed independently), a real birth date from 1900 to today, re-parses to
/// itself, and its parts, mask and age are consistent.
pub fn id_number(rng: &mut Rng, case: &mut Case) -> Check {
    let today = some_date(rng);
    case.note("today", today);
    let valid = valid_id(rng, today);
    let (input, expected) = match (rng.below(100), &valid) {
        (0..20, Some((canonical, typed))) => (typed.clone(), Some(canonical.clone())),
        (20..70, Some((_, typed))) => (mutate_text(rng, typed, ID_DICT), None),
        (70..85, _) => (token_text(rng, ID_DICT), None),
        _ => (random_text(rng), None),
    };
    case.text(&input);
    let result = IdNumber::parse_on(&input, today);
    if rng.chance(5) {
        // The clock-reading convenience; only that it does not panic.
        let _ = IdNumber::parse_on(&input, time::macros::date!(2030 - 01 - 01));
    }
    if let Some(canonical) = &expected {
        let fits = input.len() <= 96;
        ensure(
            fits != result.is_err() && result.as_ref().map_or(true, |id| id.expose() == canonical),
            || format!("valid number {canonical:?} gave {result:?}"),
        )?;
    }
    let Ok(id) = result else { return Ok(()) };
    let value = id.expose();
    let b = value.as_bytes();
    ensure(
        b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit),
        || format!("{value:?} is not 17 digits and a check character"),
    )?;
    ensure(char::from(b[17]) == gb11643_check(&b[..17]), || {
        format!("{value:?} has the wrong check character")
    })?;
    ensure((b'1'..=b'8').contains(&b[0]), || {
        format!("{value:?} has no province")
    })?;
    let born = id.birth_date();
    ensure(
        born <= today
            && born.year() >= 1900
            && value[6..14]
                == format!(
                    "{:04}{:02}{:02}",
                    born.year(),
                    born.month() as u8,
                    born.day()
                ),
        || format!("{value:?}: birth date {born} is wrong or after {today}"),
    )?;
    let typed: String = input
        .chars()
        .map(generate::fold_width)
        .filter(|&c| c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    ensure(typed == value, || {
        format!("{value:?} is not what was typed")
    })?;
    let again = IdNumber::parse_on(value, today);
    ensure(again.as_ref() == Ok(&id), || {
        format!("{value:?} re-parses as {again:?}")
    })?;
    ensure(
        id.area_code() == &value[..6]
            && id.sequence_code() == &value[14..17]
            && id.last_six() == &value[12..],
        || "the parts disagree with the number".into(),
    )?;
    let masked = id.masked();
    ensure(
        id.to_string() == masked && !masked.contains(&value[4..14]) && masked.len() == 18,
        || format!("mask {masked:?} shows the middle"),
    )?;
    // Age: zero at birth, never more than the difference of years, never decreasing by a day.
    ensure(id.age_on(born) == 0, || "aged at birth".into())?;
    let on = some_date(rng);
    case.note("age_on", on);
    let age = id.age_on(on);
    let years = i64::from(on.year()) - i64::from(born.year());
    ensure(i64::from(age) <= years.max(0), || {
        format!("age {age} on {on} is more than the years since {born}")
    })?;
    if let Some(next) = on.next_day() {
        ensure(id.age_on(next) >= age, || {
            format!("age went down from {on} to {next}")
        })?;
    }
    ensure(
        id.require_adult(on).is_ok() == (age >= qianbao_wallet::domain::ADULT_AGE),
        || "require_adult disagrees with age_on".into(),
    )
}

/// Well-known BIN prefixes, so that valid cards also reach the issuer table.
const BINS: &[&str] = &[
    "622202", "621700", "622848", "4111", "5555", "3782", "6011", "62", "",
];

/// The Luhn check digit for `body`, computed independently of the wallet (digit sums of doubles).
pub fn luhn_digit(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                (2 * d) / 10 + (2 * d) % 10
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// A Luhn-valid card number of 13 to 19 digits: the digits, and a form as typed.
fn valid_card(rng: &mut Rng) -> (String, String) {
    let len = rng.between(13, 19) as usize;
    let bin = *rng.pick(BINS);
    let body = format!("{bin}{}", rng.digits(len - 1 - bin.len()));
    let digits = format!("{body}{}", luhn_digit(&body));
    let typed = decorate(rng, &digits, &[' ', '-']);
    (digits, typed)
}

/// Tokens of card numbers.
const CARD_DICT: &[&str] = &[
    " ",
    "-",
    "0",
    "9",
    "622202",
    "4111 1111 1111 1111",
    "０",
    "－",
];

/// `CardNumber::parse`: Luhn-valid 13–19 digits parse; whatever parses is exactly the typed
/// digits, 13–19 of them, Luhn-valid (checked independently), re-parses to itself, prints masked.
pub fn card_number(rng: &mut Rng, case: &mut Case) -> Check {
    let (digits, typed) = valid_card(rng);
    let (input, expected) = match rng.below(100) {
        0..20 => (typed, Some(digits)),
        20..70 => (mutate_text(rng, &typed, CARD_DICT), None),
        70..85 => (token_text(rng, CARD_DICT), None),
        _ => (random_text(rng), None),
    };
    case.text(&input);
    let result = CardNumber::parse(&input);
    if let Some(digits) = &expected {
        let fits = input.len() <= 96;
        ensure(
            fits != result.is_err() && result.as_ref().map_or(true, |c| c.expose() == digits),
            || format!("valid card {digits:?} gave {result:?}"),
        )?;
    }
    let Ok(card) = result else { return Ok(()) };
    let value = card.expose();
    ensure(
        (13..=19).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()),
        || format!("{value:?} is not 13–19 digits"),
    )?;
    let (body, check) = value.split_at(value.len() - 1);
    ensure(check.starts_with(luhn_digit(body)), || {
        format!("{value:?} fails Luhn")
    })?;
    ensure(folded_digits(&input) == value, || {
        format!("{value:?} is not the typed digits")
    })?;
    let again = CardNumber::parse(value);
    ensure(again.as_ref() == Ok(&card), || {
        format!("{value:?} re-parses as {again:?}")
    })?;
    ensure(
        card.bin6() == &value[..6]
            && card.last4() == &value[value.len() - 4..]
            && card.behaviour_digits() == &value[6..10],
        || "the parts disagree with the number".into(),
    )?;
    let _ = card.issuer();
    let (shown, debug) = (card.to_string(), format!("{card:?}"));
    ensure(!shown.contains(value) && !debug.contains(value), || {
        format!("the number is printed unmasked: {shown:?}")
    })
}

/// The six-digit forms of a birth date that must always be weak (a subset of the wallet's).
fn date_pins(date: Date) -> Vec<String> {
    let year = date.year().rem_euclid(100);
    let (m, d) = (date.month() as u8, date.day());
    vec![
        format!("{year:02}{m:02}{d:02}"),
        format!("{d:02}{m:02}{year:02}"),
        format!("{m:02}{d:02}{year:02}"),
    ]
}

/// `Pin::parse` and `check_strength`: a PIN is exactly six ASCII digits; strength checks never
/// panic whatever the context (dates at the ends of the calendar), and the holder's own phone
/// tail, ID tail, birth date and repeated digits are always refused.
pub fn pin(rng: &mut Rng, case: &mut Case) -> Check {
    let six = rng.digits(6);
    let input = match rng.below(100) {
        0..40 => six,
        40..60 => mutate_text(rng, &six, &["0", "9", " ", "０"]),
        60..80 => {
            let n = rng.below(10);
            rng.digits(n)
        }
        _ => random_text(rng),
    };
    // The holder's context, with values the PIN may copy.
    let birth = rng.chance(50).then(|| some_date(rng));
    let today = some_date(rng);
    let id =
        valid_id(rng, today).and_then(|(canonical, _)| IdNumber::parse_on(&canonical, today).ok());
    let phone = rng
        .chance(70)
        .then(|| Phone::parse(&valid_phone(rng).1).ok())
        .flatten();
    let input = match rng.below(100) {
        0..5 => phone.as_ref().map_or(input, |p| p.last_six().to_owned()),
        5..10 => id.as_ref().map_or(input, |i| i.last_six().to_owned()),
        10..15 => birth
            .or(id.as_ref().map(IdNumber::birth_date))
            .map_or(input, |d| rng.pick(&date_pins(d)).clone()),
        15..20 => rng.digit().to_string().repeat(6),
        _ => input,
    };
    case.text(&input);
    case.note("birth_date", birth);
    case.note("id_number", id.as_ref().map(IdNumber::expose));
    case.note("phone", phone.as_ref().map(Phone::as_e164));
    let result = Pin::parse(&input);
    let six_digits = input.len() == 6 && input.bytes().all(|b| b.is_ascii_digit());
    ensure(result.is_ok() == six_digits, || {
        format!("six-digit rule broken: {result:?}")
    })?;
    let Ok(pin) = result else { return Ok(()) };
    ensure(
        pin.expose() == input && format!("{pin:?}") == "Pin(******)",
        || "the PIN changed or printed".into(),
    )?;
    let context = PinContext {
        birth_date: birth,
        id_number: id.as_ref(),
        phone: phone.as_ref(),
    };
    let strength = pin.check_strength(&context);
    let digits = pin.expose();
    let must_be_weak = phone.as_ref().is_some_and(|p| p.last_six() == digits)
        || id.as_ref().is_some_and(|i| i.last_six() == digits)
        || birth
            .into_iter()
            .chain(id.as_ref().map(IdNumber::birth_date))
            // Years before 0 have no two-digit form; no holder was born then.
            .filter(|d| d.year() >= 0)
            .any(|d| date_pins(d).iter().any(|f| f == digits))
        || digits.bytes().all(|b| b == digits.as_bytes()[0]);
    ensure(!must_be_weak || strength.is_err(), || {
        "a PIN from the holder's own details was accepted".into()
    })
}

/// Tokens of passwords.
const PASSWORD_DICT: &[&str] = &[
    "password",
    "Password1",
    "12345678",
    "woaini1314",
    "ｐａｓｓ",
    "钱包",
    "😀",
    "\u{200b}",
    "İ",
    "ǅ",
    " ",
    "-",
    ".",
    "1",
    "x",
];

/// `Password::parse`: whatever is accepted is as typed, 8–128 characters, free of control and
/// invisible characters, and does not contain the holder's phone digits in any grouping.
pub fn password(rng: &mut Rng, case: &mut Case) -> Check {
    let (_, e164) = valid_phone(rng);
    let phone = Phone::parse(&e164).map_err(|e| format!("seed phone {e164:?}: {e:?}"))?;
    let digits = phone.digits().to_owned();
    let national = phone.mainland_digits().unwrap_or(&digits).to_owned();
    let seed = match rng.below(4) {
        0 => format!("my{national}pass"),
        1 => decorate(rng, &national, &[' ', '-', '.']),
        2 => "correct horse battery staple".to_owned(),
        _ => token_text(rng, PASSWORD_DICT),
    };
    let input = match rng.below(100) {
        0..50 => mutate_text(rng, &seed, PASSWORD_DICT),
        50..70 => seed,
        70..85 => token_text(rng, PASSWORD_DICT),
        _ => random_text(rng),
    };
    case.text(&input);
    case.note("phone", phone.as_e164());
    let result = Password::parse(&input, &phone);
    let chars = input.chars().count();
    let Ok(password) = result else {
        return Ok(());
    };
    ensure(password.expose() == input, || "not kept as typed".into())?;
    ensure((8..=128).contains(&chars), || {
        format!("{chars} characters accepted")
    })?;
    ensure(!input.chars().any(char::is_control), || {
        "a control character was accepted".into()
    })?;
    let squeezed: String = input
        .chars()
        .map(generate::fold_width)
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    ensure(!squeezed.contains(&national), || {
        format!("the phone's digits {national:?} were accepted")
    })?;
    ensure(format!("{password:?}") == "Password(***)", || {
        "the password printed".into()
    })
}

/// Tokens of legal names.
const NAME_DICT: &[&str] = &[
    "张三",
    "王",
    "·",
    "•",
    "-",
    ".",
    "'",
    " ",
    "Zhang San",
    "Ａ",
    "\u{301}",
    "\u{200b}",
    "1",
    "\t",
    "😀",
    "艾力·买买提",
];

/// `LegalName::parse`: an accepted name is the input trimmed, 1–50 characters, each a letter or
/// one of ` ·•-.'`, and its mask is `*` and the last character.
pub fn legal_name(rng: &mut Rng, case: &mut Case) -> Check {
    let seed = token_text(rng, NAME_DICT);
    let input = match rng.below(100) {
        0..50 => mutate_text(rng, &seed, NAME_DICT),
        50..75 => seed,
        _ => random_text(rng),
    };
    case.text(&input);
    let Some(legal) = qianbao_wallet::domain::LegalName::parse(&input) else {
        return Ok(());
    };
    let (name, masked) = (legal.expose().to_owned(), legal.masked());
    let count = name.chars().count();
    ensure(name == input.trim(), || {
        format!("{name:?} is not the trimmed input")
    })?;
    ensure((1..=50).contains(&count), || {
        format!("{count} characters accepted")
    })?;
    ensure(
        name.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '·' | '•' | '-' | '.' | '\'')),
        || format!("{name:?} has a character outside the rule"),
    )?;
    let last = name.chars().last().map(String::from).unwrap_or_default();
    ensure(masked == format!("*{last}"), || format!("mask {masked:?}"))
}
