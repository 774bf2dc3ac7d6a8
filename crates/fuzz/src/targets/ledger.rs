//! `Instruction::decode`: the journal's canonical text, read back on replay and verification.

use crate::generate::{Rng, boundary_i64, mutate_text, random_text, token_text};
use crate::{Case, Check, ensure};
use qianbao_ledger::{AccountId, Amount, Currency, EntryId, Instruction, POSTINGS_MAX, Posting};

/// An entry id: the ends of the range, small ones, random ones.
fn some_entry_id(rng: &mut Rng) -> EntryId {
    EntryId(match rng.below(5) {
        0 => *rng.pick(&[0, 1, u128::MAX, u128::MAX >> 4, 1 << 124]),
        1 => rng.below(1000) as u128,
        _ => (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64()),
    })
}

/// A currency code: mostly CNY, sometimes any three capitals.
fn some_currency(rng: &mut Rng) -> Currency {
    let code: String = (0..3)
        .map(|_| char::from(b'A' + rng.below(26) as u8))
        .collect();
    if rng.chance(70) {
        Currency::CNY
    } else {
        Currency::parse(&code).unwrap_or(Currency::CNY)
    }
}

/// Any instruction, with boundary account ids and amounts and up to twice the postings allowed.
fn some_instruction(rng: &mut Rng) -> Instruction {
    let id = some_entry_id(rng);
    let count = if rng.chance(10) {
        rng.below(2 * POSTINGS_MAX + 1)
    } else {
        rng.below(5)
    };
    let postings: Vec<Posting> = (0..count)
        .map(|_| Posting {
            account: AccountId(boundary_i64(rng)),
            currency: some_currency(rng),
            amount: Amount::from_minor(boundary_i64(rng)),
        })
        .collect();
    match rng.below(4) {
        0 => Instruction::Transfer { id, postings },
        1 => Instruction::Hold { id, postings },
        2 => Instruction::Post {
            id,
            hold: some_entry_id(rng),
        },
        _ => Instruction::Void {
            id,
            hold: some_entry_id(rng),
        },
    }
}

/// Tokens of the journal grammar.
const JOURNAL_DICT: &[&str] = &[
    "transfer ",
    "hold ",
    "post ",
    "void ",
    " ",
    ":",
    "CNY",
    "cny",
    "-",
    "+",
    "0",
    "00",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "00000000000000000000000000000000",
    "ffffffffffffffffffffffffffffffff",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "+fffffffffffffffffffffffffffffff",
    "\t",
];

/// `Instruction::decode`: every instruction's text decodes to it; whatever decodes re-encodes to
/// exactly the text it came from (the journal text is canonical: one instruction, one text).
pub fn instruction(rng: &mut Rng, case: &mut Case) -> Check {
    let made = some_instruction(rng);
    let encoded = made.encode();
    let input = match rng.below(100) {
        0..20 => encoded.clone(),
        20..75 => mutate_text(rng, &encoded, JOURNAL_DICT),
        75..90 => token_text(rng, JOURNAL_DICT),
        _ => random_text(rng),
    };
    case.text(&input);
    let result = Instruction::decode(&input);
    if input == encoded {
        ensure(result.as_ref() == Ok(&made), || {
            format!("{made:?} encoded and decoded as {result:?}")
        })?;
    }
    let Ok(decoded) = result else { return Ok(()) };
    let text = decoded.encode();
    ensure(text == input, || {
        format!("decoded {decoded:?}, which is written {text:?}: not the text it was read from")
    })?;
    let again = Instruction::decode(&text);
    ensure(again.as_ref() == Ok(&decoded), || {
        format!("{text:?} decodes as {again:?}")
    })
}
