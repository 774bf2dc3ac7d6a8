//! The pure money core of qianbao: amounts in minor units, accounts, journal entries that balance
//! per currency, holds that are later posted or voided, and the hash chain over the journal.
//!
//! Nothing here does I/O, knows about HTTP or SQL, or is async. The store loads the accounts a batch
//! touches into a [`Book`], runs every [`Instruction`] through it, and writes back what changed.
#![deny(clippy::float_arithmetic)]

mod account;
mod amount;
mod book;
mod chain;
mod currency;
mod instruction;
mod rejection;

pub use account::{Account, AccountId, AccountKind};
pub use amount::{Amount, PositiveAmount};
pub use book::{Applied, Book, Hold, HoldState};
pub use chain::{GENESIS, Link, link};
pub use currency::{Currency, CurrencyInfo, KNOWN_CURRENCIES};
pub use instruction::{DecodeError, EntryId, Instruction, POSTINGS_MAX, Posting};
pub use rejection::Rejection;
