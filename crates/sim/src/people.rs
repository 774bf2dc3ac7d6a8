//! The simulated people's particulars, made from their number and the seed: phones, resident ID
//! numbers with a valid check digit, and Luhn-valid sandbox cards whose digits 7–10 choose how the
//! sandbox bank behaves (docs/sandbox.md).

use crate::rng::Rng;

/// How a holder's card behaves at the sandbox bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardKind {
    /// Everything works.
    Good,
    /// Top-ups and card payments fail with `bank_insufficient_funds`.
    Empty,
    /// The bank takes each top-up but its answer times out; the platform reconciles later.
    SlowAnswers,
    /// The bank refuses every withdrawal; the held money comes back.
    RefusesPayouts,
}

impl CardKind {
    /// Digits 7–10 of the card number that ask the sandbox bank for this behaviour.
    fn digits(self, rng: &mut Rng) -> String {
        match self {
            // Any four digits not of the form 000x.
            CardKind::Good => format!("{}", rng.between(1000, 9999)),
            CardKind::Empty => "0001".into(),
            CardKind::SlowAnswers => "0005".into(),
            CardKind::RefusesPayouts => "0006".into(),
        }
    }

    /// Its name in the trace.
    pub fn name(self) -> &'static str {
        match self {
            CardKind::Good => "good",
            CardKind::Empty => "empty",
            CardKind::SlowAnswers => "slow",
            CardKind::RefusesPayouts => "refuses-payouts",
        }
    }
}

/// The mainland mobile number of person `n`.
pub fn phone(n: usize) -> String {
    format!("+86139{:08}", 10_000_000 + n)
}

/// A resident ID number (GB 11643) for person `n`: Beijing's Dongcheng, born 1990-03-07, a
/// sequence that never hits the sandbox verifier's failure codes (996–999).
pub fn id_number(n: usize) -> String {
    let body = format!("11010119900307{:03}", 100 + (n % 800));
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"[usize::try_from(sum % 11).unwrap_or(0)] as char;
    format!("{body}{check}")
}

/// A 19-digit ICBC debit card of `kind`, Luhn-valid.
pub fn card_number(kind: CardKind, rng: &mut Rng) -> String {
    let mut digits = format!("622202{}", kind.digits(rng));
    while digits.len() < 18 {
        digits.push(char::from(b'1' + u8::try_from(rng.below(9)).unwrap_or(0)));
    }
    let total: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    digits.push(char::from_digit((10 - total % 10) % 10, 10).unwrap_or('0'));
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_ok(number: &str) -> bool {
        let total: u32 = number
            .chars()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = c.to_digit(10).unwrap_or(0);
                if i % 2 == 1 {
                    let twice = d * 2;
                    if twice > 9 { twice - 9 } else { twice }
                } else {
                    d
                }
            })
            .sum();
        total.is_multiple_of(10)
    }

    #[test]
    fn cards_are_luhn_valid_and_carry_their_behaviour_digits() {
        let mut rng = Rng::new(3);
        for kind in [
            CardKind::Good,
            CardKind::Empty,
            CardKind::SlowAnswers,
            CardKind::RefusesPayouts,
        ] {
            let number = card_number(kind, &mut rng);
            assert_eq!(number.len(), 19);
            assert!(luhn_ok(&number), "{number}");
            let behaviour = &number[6..10];
            assert_eq!(
                behaviour.starts_with("000"),
                kind != CardKind::Good,
                "{number}"
            );
        }
    }

    #[test]
    fn id_numbers_have_the_gb_11643_check_digit() {
        // Check digits worked out by hand (weights 7 9 10 5 8 4 2 1 6 3 …, sum mod 11).
        assert_eq!(id_number(0), "110101199003071006");
        assert_eq!(id_number(123), "110101199003072236");
    }
}
