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

    /// Reads a journal line written by [`Instruction::encode`].
    pub fn decode(text: &str) -> Result<Instruction, DecodeError> {
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
