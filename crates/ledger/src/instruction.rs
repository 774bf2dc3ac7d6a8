//! What the ledger is asked to do, and the canonical text each instruction is journaled and hashed as.

use crate::{AccountId, Amount, Currency};
use std::fmt::{self, Write as _};

/// The most postings one entry may carry. A wallet movement needs at most a handful (payer, payee,
/// fee, promotion); the bound keeps a hostile entry from costing more than a small one.
pub const POSTINGS_MAX: usize = 16;

/// The unique id of a journal entry: the caller chooses it (derived from its idempotency key), so a
/// retried instruction finds its first application instead of applying twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(pub u128);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// One leg of an entry: `amount` is added to `account` (a credit); a negative amount is a debit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Posting {
    /// The account the leg moves.
    pub account: AccountId,
    /// The currency of the leg; it must be the account's.
    pub currency: Currency,
    /// Signed minor units: positive raises the account's balance, negative lowers it.
    pub amount: Amount,
}

/// A request to change the ledger. Each one that succeeds becomes one line of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Instruction {
    /// Apply the postings at once.
    Transfer {
        /// The entry's id.
        id: EntryId,
        /// The legs, summing to zero per currency.
        postings: Vec<Posting>,
    },
    /// Reserve the debit legs now; the postings take effect only when a `Post` names this hold.
    Hold {
        /// The hold's id, which `Post` and `Void` name.
        id: EntryId,
        /// The legs applied if the hold is posted.
        postings: Vec<Posting>,
    },
    /// Apply a pending hold's postings and release its reservation.
    Post {
        /// This entry's own id.
        id: EntryId,
        /// The hold to post.
        hold: EntryId,
    },
    /// Release a pending hold's reservation without moving money.
    Void {
        /// This entry's own id.
        id: EntryId,
        /// The hold to void.
        hold: EntryId,
    },
}

/// Why a stored journal line could not be read back as an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "journal line does not decode: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

impl Instruction {
    /// The entry's own id.
    pub fn id(&self) -> EntryId {
        match self {
            Instruction::Transfer { id, .. }
            | Instruction::Hold { id, .. }
            | Instruction::Post { id, .. }
            | Instruction::Void { id, .. } => *id,
        }
    }

    /// The postings it carries (none for `Post` and `Void`, which act on a hold's).
    pub fn postings(&self) -> &[Posting] {
        match self {
            Instruction::Transfer { postings, .. } | Instruction::Hold { postings, .. } => postings,
            Instruction::Post { .. } | Instruction::Void { .. } => &[],
        }
    }

    /// The hold that a `Post` or `Void` acts on.
    pub fn hold(&self) -> Option<EntryId> {
        match self {
            Instruction::Post { hold, .. } | Instruction::Void { hold, .. } => Some(*hold),
            Instruction::Transfer { .. } | Instruction::Hold { .. } => None,
        }
    }

    /// The canonical journal text, e.g. `transfer <id> 7:CNY:-100 9:CNY:100`. Two instructions are
    /// the same exactly when their texts are, and the hash chain is computed over this text.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(48 + 24 * self.postings().len());
        let (verb, target) = match self {
            Instruction::Transfer { .. } => ("transfer", None),
            Instruction::Hold { .. } => ("hold", None),
            Instruction::Post { hold, .. } => ("post", Some(*hold)),
            Instruction::Void { hold, .. } => ("void", Some(*hold)),
        };
        // Writing to a String cannot fail.
        let _ = write!(out, "{verb} {}", self.id());
        if let Some(hold) = target {
            let _ = write!(out, " {hold}");
        }
        for p in self.postings() {
            let _ = write!(out, " {}:{}:{}", p.account, p.currency, p.amount);
        }
        out
    }

    /// Reads a journal line written by [`Instruction::encode`], and only such a line: text that
    /// would decode to an instruction written differently (upper-case hex, a `+` sign, leading
    /// zeros, `-0`) is refused, so that one instruction has exactly one journal text.
    pub fn decode(text: &str) -> Result<Instruction, DecodeError> {
        let instruction = Instruction::decode_words(text)?;
        if instruction.encode() != text {
            return Err(DecodeError(format!("{text:?} is not in canonical form")));
        }
        Ok(instruction)
    }

    /// The words of a journal line read leniently; [`Instruction::decode`] then insists on the
    /// canonical form.
    fn decode_words(text: &str) -> Result<Instruction, DecodeError> {
        let mut words = text.split(' ');
        let verb = words.next().unwrap_or_default();
        let id = parse_id(words.next())?;
        match verb {
            "transfer" | "hold" => {
                let postings = words.map(parse_posting).collect::<Result<Vec<_>, _>>()?;
                Ok(if verb == "transfer" {
                    Instruction::Transfer { id, postings }
                } else {
                    Instruction::Hold { id, postings }
                })
            }
            "post" | "void" => {
                let hold = parse_id(words.next())?;
                if words.next().is_some() {
                    return Err(DecodeError(format!("trailing words after {verb}")));
                }
                Ok(if verb == "post" {
                    Instruction::Post { id, hold }
                } else {
                    Instruction::Void { id, hold }
                })
            }
            other => Err(DecodeError(format!("unknown verb {other:?}"))),
        }
    }
}

fn parse_id(word: Option<&str>) -> Result<EntryId, DecodeError> {
    let word = word.ok_or_else(|| DecodeError("missing id".into()))?;
    if word.len() != 32 {
        return Err(DecodeError(format!("id {word:?} is not 32 hex digits")));
    }
    u128::from_str_radix(word, 16)
        .map(EntryId)
        .map_err(|_| DecodeError(format!("id {word:?} is not hex")))
}

fn parse_posting(word: &str) -> Result<Posting, DecodeError> {
    let bad = || DecodeError(format!("posting {word:?}"));
    let mut parts = word.split(':');
    let account = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let currency = parts.next().and_then(Currency::parse).ok_or_else(bad)?;
    let amount = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok(Posting {
        account: AccountId(account),
        currency,
        amount: Amount::from_minor(amount),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Found by `qianbao-fuzz instruction`: lines that the word parser read but that `encode`
    /// never writes, so one instruction had several journal texts.
    #[test]
    fn fuzz_found_non_canonical_journal_text_is_refused() {
        let id = "0000000000000000000000000000000a";
        let found = [
            // Upper-case hex in an id (seed 1592598565, case 5296).
            "post 00000000000000000000000000000182 d02c0fd3801ad3e023dc66dcd6717C7c".to_string(),
            "transfer 00FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF".to_string(),
            // A `+` in an id: `u128::from_str_radix` takes a sign (seed 1, case 2061).
            "transfer +fffffffffffffffffffffffffffffff".to_string(),
            "void +e5f082f1b5f8dee1216850f58373580 0000000000000000000000000000013d".to_string(),
            // Leading zeros and signs in an account or an amount.
            "hold 00000000000000000000000000000000 00000000000:CNY:510".to_string(),
            format!("transfer {id} +7:CNY:-100 9:CNY:100"),
            format!("transfer {id} 07:CNY:-100 9:CNY:100"),
            format!("transfer {id} 7:CNY:-100 9:CNY:+100"),
            format!("transfer {id} 7:CNY:-0100 9:CNY:100"),
            format!("transfer {id} 7:CNY:-0 9:CNY:0"),
        ];
        for text in found {
            let result = Instruction::decode(&text);
            assert!(result.is_err(), "{text:?} decoded as {result:?}");
        }
        // The canonical twins still decode, and re-encode to themselves.
        for text in [
            "post 00000000000000000000000000000182 d02c0fd3801ad3e023dc66dcd6717c7c".to_string(),
            "transfer 0fffffffffffffffffffffffffffffff".to_string(),
            "hold 00000000000000000000000000000000 0:CNY:510".to_string(),
            format!("transfer {id} 7:CNY:-100 9:CNY:100"),
            format!("transfer {id} 7:CNY:0 9:CNY:0"),
        ] {
            assert_eq!(Instruction::decode(&text).unwrap().encode(), text);
        }
    }
}
