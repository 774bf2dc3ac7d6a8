//! The sandbox bank: binds API.md's test cards without keeping any state, and moves money with
//! books kept in memory.
//!
//! A card binds when it passes Luhn and the BIN table knows its first six digits; the caller
//! checks both before calling, so a card that fails them here is a `Protocol` error. Digits 7–10
//! choose a failure: `0002` → `Rejected` (`bank_rejected`), `0003` → `Inactive`
//! (`card_inactive`), `0004` → `Unavailable` (`bank_unavailable`); anything else — `0001`
//! included, which fails only top-ups, later — gets a code. A credit card (by the BIN table)
//! needs an expiry `MM/YY` no earlier than this month in China and a CVV of 3 digits (4 for
//! American Express); without them it is a `Protocol` error too, for the platform validates them
//! first. The sandbox has no records of names, so it never answers `HolderMismatch`.
//!
//! Stateless, so any node of a cluster can confirm what another started, and a restart loses
//! nothing: with `n` 8 random bytes, the bank reference is
//! `sbx_` ‖ hex(n) ‖ hex(HMAC(secret, card ‖ 0 ‖ phone ‖ 0 ‖ n)[..16]); the code is
//! HMAC(secret, `code` ‖ 0 ‖ reference) as a number mod 10⁶, six digits; and the card token is
//! `sbxcard_` ‖ hex(HMAC(secret, `token` ‖ 0 ‖ reference))[..32]. Only the secret's holder can
//! derive a reference's code, so the code must come from the (sandbox) SMS. The CVV is looked at
//! and dropped: never stored, never logged, never part of any MAC.
//!
//! **Money.** Each card starts with ¥1,000,000 (100,000,000 fen) at the bank. A debit (top-up)
//! takes from it, and one over what is left is `InsufficientFunds`; a credit (withdrawal,
//! settlement) adds to it. Every movement is remembered by reference with its outcome, so a
//! repeat answers the first outcome without moving money again, as a real bank deduplicating by
//! reference does; the same reference with another card, amount or direction is a `Protocol`
//! error. Digits 7–10 again: `0001` → every debit `InsufficientFunds` (credits work); `0005` →
//! the first debit for a reference is booked but its answer is lost (`Unavailable`), so only
//! [`Bank::movement_status`] or a repeat tells the outcome (credits work); `0006` → every credit
//! `Rejected` (debits work). Amounts must be positive and in CNY, which the platform checks first,
//! so anything else is a `Protocol` error and books nothing.
//!
//! Unlike binding, these books live in the process only: a restarted sandbox has forgotten every
//! movement and balance — what a bank that never received those calls looks like (status `None`,
//! a fresh million per card) — and each node of a cluster keeps its own. Cards are booked under
//! HMAC(secret, `card` ‖ 0 ‖ number), so the books hold no card number. They grow with every
//! movement until the process ends: fine for a sandbox, never for production.
//!
//! **Statements.** A movement that moves money also gets the bank's own reference, answered with
//! `Done`: `sbxm_` ‖ hex(HMAC(secret, `movement` ‖ 0 ‖ reference))[..32] for a top-up or a
//! withdrawal; for a settlement, the reference of the day's batch for its card, `sbxb_` ‖
//! hex(HMAC(secret, `batch` ‖ 0 ‖ card key ‖ 0 ‖ day))[..32] — every settlement paid to one card
//! on one day in China is one batch, one line of the statement. Each such movement is kept in the
//! [`SandboxBankBooks`] the bank was given (the server gives it the database, so the statement is
//! the same on every node, after a restart and for an operator's command; without, a list in
//! memory), before the bank answers; its statement of a day is those bookings, one line per bank
//! reference.

use super::sandbox_books::MemoryBooks;
use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use qianbao_ledger::{Amount, Currency, PositiveAmount};
use qianbao_wallet::domain::{
    BankKind, BankReference, CardNumber, CardScheme, CardType, ChinaDay, bin,
};
use qianbao_wallet::recon::{Statement, StatementLine};
use qianbao_wallet::{
    Bank, BankBooking, BankMovement, BankOutcome, CardCheck, CardCheckOutcome, CardConfirmOutcome,
    Clock, ConnectorError, OsRandomness, Randomness, SandboxBankBooks, SystemClock,
};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use time::Date;
use zeroize::Zeroize;

/// HMAC with SHA-256.
type HmacSha256 = Hmac<Sha256>;

/// Prefix of every sandbox bank reference.
const REFERENCE_PREFIX: &str = "sbx_";
/// Prefix of every sandbox card token.
const TOKEN_PREFIX: &str = "sbxcard_";
/// Random bytes per reference: two bindings of one card must get different codes.
const NONCE_BYTES: usize = 8;
/// Bytes of the MAC kept in a reference: 128 bits make references unguessable.
const REFERENCE_MAC_BYTES: usize = 16;
/// Hex characters of the MAC kept in a card token.
const TOKEN_HEX_CHARS: usize = 32;
/// A reference is the prefix and this many lowercase hex characters.
const REFERENCE_HEX_CHARS: usize = 2 * (NONCE_BYTES + REFERENCE_MAC_BYTES);
/// The binding code has six digits, like a real bank's.
const CODE_MODULUS: u64 = 1_000_000;

/// Digits 7–10 that make the bank refuse online binding.
const REJECTED: &str = "0002";
/// Digits 7–10 of a card not activated yet.
const INACTIVE: &str = "0003";
/// Digits 7–10 for which the bank times out.
const UNAVAILABLE: &str = "0004";
/// Digits 7–10 of a card whose account never holds enough for a top-up.
const NO_FUNDS: &str = "0001";
/// Digits 7–10 for which the bank takes a top-up and then times out.
const ANSWER_LOST: &str = "0005";
/// Digits 7–10 of a card the bank refuses to pay into.
const NO_CREDITS: &str = "0006";

/// What each card holds at the bank before its first movement: ¥1,000,000 in fen.
const OPENING_FUNDS_MINOR: i64 = 100_000_000;
/// The only currency the sandbox bank keeps.
const CURRENCY: &str = "CNY";
/// Prefix of the bank's reference for a top-up or a withdrawal.
const MOVEMENT_PREFIX: &str = "sbxm_";
/// Prefix of the bank's reference for a day's batch of settlements to one card.
const BATCH_PREFIX: &str = "sbxb_";
/// Hex characters of the MAC kept in a bank reference: 128 bits.
const BANK_REFERENCE_HEX_CHARS: usize = 32;

/// The sandbox bank: binding derived from a secret without state; money in per-process books;
/// what moved kept in its [`SandboxBankBooks`] for the statements.
pub struct SandboxBank {
    /// HMAC keyed with the secret, cloned for each MAC; wiped on drop (hmac's `zeroize`).
    keyed: HmacSha256,
    /// Movements and funds; a std mutex, for no lock is held across an await.
    books: Mutex<Books>,
    /// Every movement that moved money, for the statements.
    bookings: Arc<dyn SandboxBankBooks>,
    /// When movements are booked and which cards have expired: the server's clock.
    clock: Arc<dyn Clock>,
    /// The binding references' nonces.
    random: Arc<dyn Randomness>,
}

/// A card as the books know it: a keyed digest of its number.
type CardKey = [u8; 32];

/// Which way money moves: from the card (a top-up) or to it (a withdrawal, a settlement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Debit,
    Credit,
}

/// A movement as booked, to answer its repeats and status questions.
struct Booked {
    kind: BankKind,
    card: CardKey,
    amount_minor: i64,
    outcome: BankOutcome,
}

/// What the sandbox bank remembers of money, until the process ends.
#[derive(Default)]
struct Books {
    /// Every movement by its reference.
    movements: HashMap<String, Booked>,
    /// Each card's money at the bank, once it has moved any; [`OPENING_FUNDS_MINOR`] before.
    funds: HashMap<CardKey, i64>,
}

impl std::fmt::Debug for SandboxBank {
    /// Without the key: whoever holds it can confirm any binding.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SandboxBank { .. }")
    }
}

impl SandboxBank {
    /// A sandbox bank whose references, codes and tokens are keyed by `secret`; nodes that share
    /// the secret confirm each other's bindings. What moved is kept in memory for its
    /// statements; [`SandboxBank::with_books`] keeps it elsewhere.
    pub fn new(secret: [u8; 32]) -> SandboxBank {
        SandboxBank::with_books(secret, Arc::new(MemoryBooks::default()))
    }

    /// A sandbox bank as [`SandboxBank::new`] that keeps every movement that moved money in
    /// `bookings`, where its statements are read from.
    pub fn with_books(mut secret: [u8; 32], bookings: Arc<dyn SandboxBankBooks>) -> SandboxBank {
        // HMAC-SHA256 takes a 64-byte key block; a shorter key is zero-padded (RFC 2104), which is
        // what `new_from_slice` would do — without its `Result`, which cannot fail for 32 bytes.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&secret);
        let keyed = HmacSha256::new((&block).into());
        block.zeroize();
        secret.zeroize();
        SandboxBank {
            keyed,
            books: Mutex::new(Books::default()),
            bookings,
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandomness),
        }
    }

    /// The same bank reading the time from `clock` and drawing its nonces from `random` (the
    /// server's ports; the simulation's in a simulation) instead of the system clock and the OS.
    pub fn with_ports(mut self, clock: Arc<dyn Clock>, random: Arc<dyn Randomness>) -> SandboxBank {
        self.clock = clock;
        self.random = random;
        self
    }

    /// The books, even after a panic elsewhere: every change to them is a whole insert or
    /// assignment, so a poisoned lock still guards consistent books.
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// HMAC over `parts` joined by a 0 byte, so `("ab", "c")` and `("a", "bc")` differ.
    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(&[0]);
            }
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// The six-digit code the bank "texts" for `reference`.
    fn code_for(&self, reference: &str) -> String {
        let mac = self.mac(&[b"code", reference.as_bytes()]);
        let mut first8 = [0u8; 8];
        first8.copy_from_slice(&mac[..8]);
        // 2^64 is not a multiple of 10^6, but the bias (under 10^-13) is far below anything a
        // sandbox could notice.
        format!("{:06}", u64::from_be_bytes(first8) % CODE_MODULUS)
    }

    /// The bank's own reference for a movement of `kind` with our `reference`, paid to or taken
    /// from `card` on `day`: one per movement, except that a day's settlements to one card share
    /// their batch's.
    fn bank_reference_for(
        &self,
        kind: BankKind,
        reference: &str,
        card: &CardKey,
        day: ChinaDay,
    ) -> Result<BankReference, ConnectorError> {
        let (prefix, mac) = match kind {
            BankKind::Settlement => (
                BATCH_PREFIX,
                self.mac(&[b"batch", card, day.start_ms().to_string().as_bytes()]),
            ),
            BankKind::Topup | BankKind::Withdrawal => (
                MOVEMENT_PREFIX,
                self.mac(&[b"movement", reference.as_bytes()]),
            ),
        };
        let text = format!("{prefix}{}", &hex::encode(mac)[..BANK_REFERENCE_HEX_CHARS]);
        BankReference::parse(&text).ok_or_else(|| {
            ConnectorError::Protocol("sandbox bank made a reference it cannot print".to_owned())
        })
    }

    /// The card token for a confirmed `reference`.
    fn token_for(&self, reference: &str) -> String {
        let mac = hex::encode(self.mac(&[b"token", reference.as_bytes()]));
        format!("{TOKEN_PREFIX}{}", &mac[..TOKEN_HEX_CHARS])
    }
}

/// Whether `reference` has the shape this bank issues.
fn well_formed(reference: &str) -> bool {
    reference
        .strip_prefix(REFERENCE_PREFIX)
        .is_some_and(|rest| {
            rest.len() == REFERENCE_HEX_CHARS
                && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
}

/// Compares in time that depends on the length only, so timing does not reveal how many leading
/// digits of a guess were right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `expiry` is `MM/YY` for this month of `today` or later.
fn expiry_current(expiry: &str, today: Date) -> bool {
    let bytes = expiry.as_bytes();
    let [m1, m2, b'/', y1, y2] = bytes else {
        return false;
    };
    if ![m1, m2, y1, y2].iter().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let month = (m1 - b'0') * 10 + (m2 - b'0');
    let year = 2000 + i32::from((y1 - b'0') * 10 + (y2 - b'0'));
    // A card is valid through the last day of its expiry month.
    (1..=12).contains(&month) && (year, month) >= (today.year(), u8::from(today.month()))
}

/// Whether `cvv` has the digits the card's scheme prints: 4 on American Express, else 3.
fn cvv_shaped(cvv: &str, scheme: CardScheme) -> bool {
    let digits = if scheme == CardScheme::Amex { 4 } else { 3 };
    cvv.len() == digits && cvv.bytes().all(|b| b.is_ascii_digit())
}

impl SandboxBank {
    /// The check itself, with "today" passed in so expiry rules can be tested on fixed dates.
    fn check_on(&self, check: &CardCheck, today: Date) -> Result<CardCheckOutcome, ConnectorError> {
        // The platform parses the number and looks up the BIN before calling; failing here is a
        // bug upstream. The messages name the rule, never the number.
        let card = CardNumber::parse(&check.card_number).map_err(|e| {
            ConnectorError::Protocol(format!("sandbox bank got an invalid card number: {e}"))
        })?;
        let info = bin::lookup(card.bin6()).ok_or_else(|| {
            ConnectorError::Protocol("sandbox bank does not know this card's BIN".to_owned())
        })?;
        if info.card_type == CardType::Credit {
            let expiry_ok = check
                .expiry
                .is_some_and(|e| expiry_current(&e.to_string(), today));
            let cvv_ok = check
                .cvv
                .as_ref()
                .is_some_and(|c| cvv_shaped(c.expose(), info.scheme));
            if !(expiry_ok && cvv_ok) {
                return Err(ConnectorError::Protocol(
                    "credit cards need expiry and cvv".to_owned(),
                ));
            }
        }
        match card.behaviour_digits() {
            REJECTED => return Ok(CardCheckOutcome::Rejected),
            INACTIVE => return Ok(CardCheckOutcome::Inactive),
            UNAVAILABLE => {
                return Err(ConnectorError::Unavailable(
                    "sandbox bank timed out (card digits 7-10 are 0004)".to_owned(),
                ));
            }
            _ => {}
        }
        let mut nonce = [0u8; NONCE_BYTES];
        self.random.fill(&mut nonce).map_err(|e| {
            ConnectorError::Unavailable(format!("sandbox bank has no randomness: {e}"))
        })?;
        let mac = self.mac(&[
            card.expose().as_bytes(),
            check.reserved_phone.as_bytes(),
            &nonce,
        ]);
        let bank_reference = format!(
            "{REFERENCE_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(&mac[..REFERENCE_MAC_BYTES])
        );
        let code = self.code_for(&bank_reference);
        Ok(CardCheckOutcome::CodeSent {
            bank_reference,
            sandbox_code: Some(code),
        })
    }
}

impl SandboxBank {
    /// Books one debit or credit, or answers the outcome booked for its reference before; a
    /// movement that moved money is kept in the bookings before the answer.
    async fn move_money(
        &self,
        direction: Direction,
        movement: &BankMovement,
    ) -> Result<BankOutcome, ConnectorError> {
        if movement.reference.is_empty() {
            return Err(ConnectorError::Protocol(
                "sandbox bank got a movement without a reference".to_owned(),
            ));
        }
        if movement.amount_minor <= 0 {
            return Err(ConnectorError::Protocol(
                "sandbox bank got a movement of no or negative amount".to_owned(),
            ));
        }
        if movement.currency != CURRENCY {
            return Err(ConnectorError::Protocol(format!(
                "sandbox bank keeps {CURRENCY} only"
            )));
        }
        let debit = movement.kind == BankKind::Topup;
        if debit != (direction == Direction::Debit) {
            return Err(ConnectorError::Protocol(format!(
                "sandbox bank got a {} the wrong way round",
                movement.kind
            )));
        }
        // As in binding: the messages name the rule, never the number.
        let card = CardNumber::parse(&movement.card_number).map_err(|e| {
            ConnectorError::Protocol(format!("sandbox bank got an invalid card number: {e}"))
        })?;
        let key = self.mac(&[b"card", card.expose().as_bytes()]);
        let behaviour = card.behaviour_digits();
        let now_ms = self.clock.now_ms();
        let bank_reference = self.bank_reference_for(
            movement.kind,
            &movement.reference,
            &key,
            ChinaDay::of_ms(now_ms),
        )?;
        let (outcome, repeat) = self.book(direction, movement, key, behaviour, bank_reference)?;
        let outcome = match outcome {
            BankOutcome::Done { bank_reference } => {
                let kept = self.keep(movement, bank_reference, now_ms).await?;
                BankOutcome::Done {
                    bank_reference: kept,
                }
            }
            refused => refused,
        };
        if !repeat && direction == Direction::Debit && behaviour == ANSWER_LOST {
            // Booked above, so the status and any repeat know what the caller never heard.
            return Err(ConnectorError::Unavailable(
                "sandbox bank timed out after booking the debit (card digits 7-10 are 0005)"
                    .to_owned(),
            ));
        }
        Ok(outcome)
    }

    /// Books the movement in memory, or finds it booked: its outcome, and whether it is a repeat.
    fn book(
        &self,
        direction: Direction,
        movement: &BankMovement,
        key: CardKey,
        behaviour: &str,
        bank_reference: BankReference,
    ) -> Result<(BankOutcome, bool), ConnectorError> {
        let mut guard = self.books();
        // Through a plain reference, so the two maps can be borrowed apart.
        let books = &mut *guard;
        if let Some(first) = books.movements.get(&movement.reference) {
            if first.kind != movement.kind
                || first.card != key
                || first.amount_minor != movement.amount_minor
            {
                return Err(ConnectorError::Protocol(
                    "sandbox bank already booked this reference for another movement".to_owned(),
                ));
            }
            return Ok((first.outcome.clone(), true));
        }
        let funds = books.funds.entry(key).or_insert(OPENING_FUNDS_MINOR);
        let done = BankOutcome::Done { bank_reference };
        let outcome = match direction {
            Direction::Debit if behaviour == NO_FUNDS => BankOutcome::InsufficientFunds,
            Direction::Debit => match funds.checked_sub(movement.amount_minor) {
                Some(left) if left >= 0 => {
                    *funds = left;
                    done
                }
                _ => BankOutcome::InsufficientFunds,
            },
            Direction::Credit if behaviour == NO_CREDITS => BankOutcome::Rejected,
            // An account past i64 fen (about ¥92 trillion) is one no bank would keep.
            Direction::Credit => match funds.checked_add(movement.amount_minor) {
                Some(total) => {
                    *funds = total;
                    done
                }
                None => BankOutcome::Rejected,
            },
        };
        books.movements.insert(
            movement.reference.clone(),
            Booked {
                kind: movement.kind,
                card: key,
                amount_minor: movement.amount_minor,
                outcome: outcome.clone(),
            },
        );
        Ok((outcome, false))
    }

    /// Keeps a movement that moved money in the bookings (again, on a repeat: a failed keep is
    /// made good by the repeat it causes); answers the bank reference kept with its first
    /// booking, which a restarted sandbox may otherwise have made anew for another day's batch.
    async fn keep(
        &self,
        movement: &BankMovement,
        bank_reference: BankReference,
        now_ms: i64,
    ) -> Result<BankReference, ConnectorError> {
        let currency = Currency::parse(&movement.currency).ok_or_else(|| {
            ConnectorError::Protocol("sandbox bank got an unknown currency".to_owned())
        })?;
        let kept = self
            .bookings
            .book(&BankBooking {
                reference: movement.reference.clone(),
                bank_reference,
                kind: movement.kind,
                amount: Amount::from_minor(movement.amount_minor),
                currency,
                booked_ms: now_ms,
            })
            .await
            .map_err(|e| {
                ConnectorError::Unavailable(format!("sandbox bank cannot keep its books: {e}"))
            })?;
        if let Some(booked) = self.books().movements.get_mut(&movement.reference) {
            booked.outcome = BankOutcome::Done {
                bank_reference: kept.bank_reference.clone(),
            };
        }
        Ok(kept.bank_reference)
    }

    /// The statement of `day` from the bookings: one line per bank reference, in the order of
    /// each reference's first booking.
    async fn statement_of(&self, day: ChinaDay) -> Result<Statement, ConnectorError> {
        let booked = self
            .bookings
            .booked_between(day.start_ms(), day.end_ms())
            .await
            .map_err(|e| {
                ConnectorError::Unavailable(format!("sandbox bank cannot read its books: {e}"))
            })?;
        let mut lines: Vec<(StatementLine, i64)> = Vec::new();
        let mut at: HashMap<BankReference, usize> = HashMap::new();
        for b in booked {
            let too_large =
                || ConnectorError::Protocol("sandbox bank's batch is too large".to_owned());
            match at.get(&b.bank_reference).copied() {
                Some(i) => {
                    let (line, total) = &mut lines[i];
                    *total = total.checked_add(b.amount.minor()).ok_or_else(too_large)?;
                    line.amount = PositiveAmount::new(*total).ok_or_else(too_large)?;
                    line.our_references.push(b.reference);
                }
                None => {
                    at.insert(b.bank_reference.clone(), lines.len());
                    let amount = PositiveAmount::new(b.amount.minor()).ok_or_else(|| {
                        ConnectorError::Protocol("sandbox bank booked no amount".to_owned())
                    })?;
                    lines.push((
                        StatementLine {
                            date: day,
                            bank_reference: b.bank_reference,
                            kind: b.kind,
                            amount,
                            currency: b.currency,
                            our_references: vec![b.reference],
                        },
                        b.amount.minor(),
                    ));
                }
            }
        }
        Ok(Statement {
            lines: lines.into_iter().map(|(line, _)| line).collect(),
        })
    }
}

#[async_trait]
impl Bank for SandboxBank {
    async fn check_card(&self, check: &CardCheck) -> Result<CardCheckOutcome, ConnectorError> {
        // Cards are issued in China: they expire at Beijing midnight.
        self.check_on(check, ChinaDay::of_ms(self.clock.now_ms()).date())
    }

    async fn confirm_card(
        &self,
        bank_reference: &str,
        code: &str,
    ) -> Result<CardConfirmOutcome, ConnectorError> {
        // A reference we could not have issued is answered like a wrong code: the holder can only
        // start over, and a distinct answer would help nobody but someone probing.
        if !well_formed(bank_reference) {
            return Ok(CardConfirmOutcome::WrongCode);
        }
        let expected = self.code_for(bank_reference);
        if !constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            return Ok(CardConfirmOutcome::WrongCode);
        }
        Ok(CardConfirmOutcome::Bound {
            card_token: self.token_for(bank_reference),
        })
    }

    async fn debit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        self.move_money(Direction::Debit, movement).await
    }

    async fn credit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        self.move_money(Direction::Credit, movement).await
    }

    async fn movement_status(
        &self,
        reference: &str,
    ) -> Result<Option<BankOutcome>, ConnectorError> {
        Ok(self
            .books()
            .movements
            .get(reference)
            .map(|m| m.outcome.clone()))
    }

    async fn statement(&self, day: ChinaDay) -> Result<Statement, ConnectorError> {
        self.statement_of(day).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use qianbao_wallet::domain::{CardExpiry, Cvv};
    use time::Month;

    /// A Luhn-valid card number: `bin6`, then `behaviour` (digits 7–10), then filler up to
    /// `len - 1` digits, then the check digit computed here.
    fn card(bin6: &str, behaviour: &str, len: usize) -> String {
        let mut digits = format!("{bin6}{behaviour}");
        while digits.len() < len - 1 {
            digits.push(char::from(b'0' + (digits.len() % 7) as u8));
        }
        let sum: u32 = digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                // Counting from the right with the check digit still to come, even positions
                // are the ones Luhn doubles.
                if i % 2 == 0 {
                    let doubled = d * 2;
                    if doubled > 9 { doubled - 9 } else { doubled }
                } else {
                    d
                }
            })
            .sum();
        digits.push(char::from(b'0' + ((10 - sum % 10) % 10) as u8));
        digits
    }

    fn check(card_number: String, expiry: Option<&str>, cvv: Option<&str>) -> CardCheck {
        CardCheck {
            card_number,
            holder_name: "张三".to_owned(),
            id_number: "110101199001010010".to_owned(),
            reserved_phone: "+8613812345678".to_owned(),
            // Any well-formed expiry, past ones too: the bank's own rules are what is tested.
            expiry: expiry.and_then(|e| CardExpiry::parse_on(e, Date::MIN)),
            cvv: cvv.and_then(Cvv::parse),
        }
    }

    fn bank() -> SandboxBank {
        SandboxBank::new([7; 32])
    }

    /// Far enough ahead to stay valid as long as this code lives.
    const FUTURE: &str = "12/99";

    #[derive(Debug, PartialEq)]
    enum Expect {
        CodeSent,
        Rejected,
        Inactive,
        Unavailable,
        Protocol,
    }

    fn outcome(result: Result<CardCheckOutcome, ConnectorError>) -> Expect {
        match result {
            Ok(CardCheckOutcome::CodeSent { .. }) => Expect::CodeSent,
            Ok(CardCheckOutcome::Rejected) => Expect::Rejected,
            Ok(CardCheckOutcome::Inactive) => Expect::Inactive,
            Ok(CardCheckOutcome::HolderMismatch) => panic!("the sandbox has no holder records"),
            Err(ConnectorError::Unavailable(_)) => Expect::Unavailable,
            Err(ConnectorError::Protocol(_)) => Expect::Protocol,
        }
    }

    #[test]
    fn the_helper_makes_cards_the_wallet_accepts_with_the_chosen_digits() {
        for len in [16, 19] {
            let number = card("622202", "0003", len);
            let parsed = CardNumber::parse(&number);
            assert_eq!(parsed.as_ref().map(|c| c.behaviour_digits()), Ok("0003"));
            assert_eq!(number.len(), len);
        }
    }

    #[tokio::test]
    async fn debit_cards_follow_their_behaviour_digits() {
        let cases = [
            ("0000", Expect::CodeSent),
            ("0001", Expect::CodeSent),
            ("0002", Expect::Rejected),
            ("0003", Expect::Inactive),
            ("0004", Expect::Unavailable),
            ("0005", Expect::CodeSent),
            ("0006", Expect::CodeSent),
            ("1234", Expect::CodeSent),
        ];
        for bin6 in ["622202", "621700", "622848"] {
            for (behaviour, expected) in &cases {
                let got = bank()
                    .check_card(&check(card(bin6, behaviour, 19), None, None))
                    .await;
                assert_eq!(&outcome(got), expected, "{bin6} {behaviour}");
            }
        }
    }

    #[tokio::test]
    async fn credit_cards_with_expiry_and_cvv_follow_their_behaviour_digits() {
        let cases = [
            ("0001", Expect::CodeSent),
            ("0002", Expect::Rejected),
            ("0003", Expect::Inactive),
            ("0004", Expect::Unavailable),
            ("9999", Expect::CodeSent),
        ];
        for bin6 in ["411111", "555555"] {
            for (behaviour, expected) in &cases {
                let got = bank()
                    .check_card(&check(card(bin6, behaviour, 16), Some(FUTURE), Some("123")))
                    .await;
                assert_eq!(&outcome(got), expected, "{bin6} {behaviour}");
            }
        }
    }

    #[tokio::test]
    async fn credit_cards_without_a_usable_expiry_or_cvv_are_a_protocol_error() {
        let cases: [(Option<&str>, Option<&str>); 14] = [
            (None, Some("123")),
            (Some(FUTURE), None),
            (None, None),
            (Some("01/20"), Some("123")),
            (Some("13/30"), Some("123")),
            (Some("00/30"), Some("123")),
            (Some("1/30"), Some("123")),
            (Some("01-30"), Some("123")),
            (Some("0130"), Some("123")),
            (Some("01/2030"), Some("123")),
            (Some("ab/cd"), Some("123")),
            (Some(FUTURE), Some("12")),
            (Some(FUTURE), Some("1234")),
            (Some(FUTURE), Some("12a")),
        ];
        // Behaviour 0002 as well: the request is malformed before the card's behaviour matters.
        for behaviour in ["0000", "0002"] {
            for (expiry, cvv) in cases {
                let got = bank()
                    .check_card(&check(card("411111", behaviour, 16), expiry, cvv))
                    .await;
                match got {
                    Err(ConnectorError::Protocol(text)) => {
                        assert_eq!(text, "credit cards need expiry and cvv")
                    }
                    other => panic!("{expiry:?} {cvv:?}: {other:?}"),
                }
            }
        }
    }

    #[tokio::test]
    async fn debit_cards_need_neither_expiry_nor_cvv_and_ignore_them_if_given() {
        let got = bank()
            .check_card(&check(
                card("622202", "0000", 19),
                Some("nonsense"),
                Some("x"),
            ))
            .await;
        assert_eq!(outcome(got), Expect::CodeSent);
    }

    #[tokio::test]
    async fn cards_the_platform_should_have_refused_are_a_protocol_error() {
        let mut bad_luhn = card("622202", "0000", 19);
        let last = if bad_luhn.ends_with('0') { "1" } else { "0" };
        bad_luhn.replace_range(18.., last);
        for number in [
            bad_luhn,
            // Prefix 1 belongs to airlines: no bank issues it.
            card("100000", "0000", 16),
            "12345".to_owned(),
            "not a card".to_owned(),
        ] {
            let got = bank().check_card(&check(number.clone(), None, None)).await;
            assert_eq!(outcome(got), Expect::Protocol, "{number}");
        }
    }

    #[test]
    fn expiry_is_current_through_the_end_of_its_month() -> Result<(), time::error::ComponentRange> {
        let today = Date::from_calendar_date(2026, Month::March, 31)?;
        assert!(expiry_current("03/26", today));
        assert!(expiry_current("04/26", today));
        assert!(expiry_current("01/27", today));
        assert!(!expiry_current("02/26", today));
        assert!(!expiry_current("12/25", today));
        let new_year = Date::from_calendar_date(2027, Month::January, 1)?;
        assert!(!expiry_current("12/26", new_year));
        assert!(expiry_current("01/27", new_year));
        Ok(())
    }

    #[test]
    fn american_express_cards_take_a_four_digit_cvv() {
        assert!(cvv_shaped("1234", CardScheme::Amex));
        assert!(!cvv_shaped("123", CardScheme::Amex));
        assert!(cvv_shaped("123", CardScheme::Visa));
        assert!(!cvv_shaped("1234", CardScheme::UnionPay));
    }

    /// Starts a binding of a good debit card and returns its reference and code.
    async fn started(bank: &SandboxBank) -> (String, String) {
        match bank
            .check_card(&check(card("622202", "0000", 19), None, None))
            .await
        {
            Ok(CardCheckOutcome::CodeSent {
                bank_reference,
                sandbox_code: Some(code),
            }) => (bank_reference, code),
            other => panic!("expected a code: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_binding_gets_a_well_formed_reference_and_a_six_digit_code() {
        let (reference, code) = started(&bank()).await;
        assert!(well_formed(&reference), "{reference}");
        assert_eq!(reference.len(), 4 + 48);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[tokio::test]
    async fn the_right_code_binds_and_yields_a_stable_card_token() {
        let bank = bank();
        let (reference, code) = started(&bank).await;
        let first = bank.confirm_card(&reference, &code).await;
        let again = bank.confirm_card(&reference, &code).await;
        let Ok(CardConfirmOutcome::Bound { card_token }) = first else {
            panic!("expected Bound: {first:?}");
        };
        assert!(card_token.starts_with("sbxcard_"));
        assert_eq!(card_token.len(), 8 + 32);
        assert!(card_token[8..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(again.ok(), Some(CardConfirmOutcome::Bound { card_token }));
    }

    #[tokio::test]
    async fn another_node_with_the_same_secret_confirms_the_binding() {
        let (reference, code) = started(&bank()).await;
        let other_node = SandboxBank::new([7; 32]);
        let got = other_node.confirm_card(&reference, &code).await;
        assert!(
            matches!(got, Ok(CardConfirmOutcome::Bound { .. })),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn a_bank_with_another_secret_does_not_accept_the_code() {
        let (reference, code) = started(&bank()).await;
        let stranger = SandboxBank::new([8; 32]);
        let got = stranger.confirm_card(&reference, &code).await;
        assert_eq!(got.ok(), Some(CardConfirmOutcome::WrongCode));
    }

    #[tokio::test]
    async fn a_wrong_code_does_not_bind() {
        let bank = bank();
        let (reference, code) = started(&bank).await;
        let off_by_one = format!("{:06}", (code.parse::<u32>().unwrap_or(0) + 1) % 1_000_000);
        for wrong in [
            off_by_one.as_str(),
            "",
            "12345",
            "1234567",
            " 123456",
            &code[..5],
        ] {
            let got = bank.confirm_card(&reference, wrong).await;
            assert_eq!(got.ok(), Some(CardConfirmOutcome::WrongCode), "{wrong:?}");
        }
    }

    #[tokio::test]
    async fn a_malformed_reference_is_answered_as_a_wrong_code() {
        let bank = bank();
        let (reference, code) = started(&bank).await;
        let upper = reference.to_uppercase().replacen("SBX_", "sbx_", 1);
        let cases = [
            String::new(),
            "sbx_".to_owned(),
            reference[..reference.len() - 1].to_owned(),
            format!("{reference}0"),
            reference.replacen("sbx_", "sbz_", 1),
            upper,
            format!("sbx_{}", "g".repeat(48)),
        ];
        for bad in cases {
            let got = bank.confirm_card(&bad, &code).await;
            assert_eq!(got.ok(), Some(CardConfirmOutcome::WrongCode), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn two_bindings_of_one_card_get_different_references() {
        let bank = bank();
        let (first, _) = started(&bank).await;
        let (second, _) = started(&bank).await;
        assert_ne!(first, second);
    }

    #[test]
    fn the_bank_prints_without_its_secret() {
        assert_eq!(format!("{:?}", bank()), "SandboxBank { .. }");
    }

    #[test]
    fn equal_and_unequal_byte_strings_compare_as_expected() {
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"123456", b"123457"));
        assert!(!constant_time_eq(b"123456", b"12345"));
        assert!(constant_time_eq(b"", b""));
    }

    /// A million yuan in fen: what every card starts with.
    const MILLION: i64 = 100_000_000;

    /// A movement of `kind` of `amount_minor` fen in CNY on a card with behaviour digits
    /// `behaviour`.
    fn movement_of(
        kind: BankKind,
        reference: &str,
        behaviour: &str,
        amount_minor: i64,
    ) -> BankMovement {
        BankMovement {
            reference: reference.to_owned(),
            kind,
            card_token: "sbxcard_test".to_owned(),
            card_number: card("622202", behaviour, 19),
            amount_minor,
            currency: "CNY".to_owned(),
        }
    }

    /// A top-up: a debit.
    fn topup(reference: &str, behaviour: &str, amount_minor: i64) -> BankMovement {
        movement_of(BankKind::Topup, reference, behaviour, amount_minor)
    }

    /// A withdrawal: a credit.
    fn payout(reference: &str, behaviour: &str, amount_minor: i64) -> BankMovement {
        movement_of(BankKind::Withdrawal, reference, behaviour, amount_minor)
    }

    /// What an answer said, without the bank's reference: `done`, `insufficient_funds`,
    /// `rejected`, or `None` for an error.
    fn said(answer: Result<BankOutcome, ConnectorError>) -> Option<&'static str> {
        match answer {
            Ok(BankOutcome::Done { .. }) => Some("done"),
            Ok(BankOutcome::InsufficientFunds) => Some("insufficient_funds"),
            Ok(BankOutcome::Rejected) => Some("rejected"),
            Err(_) => None,
        }
    }

    /// What a status question said, as [`said`] does.
    fn status(answer: Result<Option<BankOutcome>, ConnectorError>) -> Option<Option<&'static str>> {
        match answer {
            Ok(None) => Some(None),
            Ok(Some(outcome)) => Some(said(Ok(outcome))),
            Err(_) => None,
        }
    }

    #[tokio::test]
    async fn each_card_has_a_million_at_the_bank_and_credits_add_to_it() {
        let bank = bank();
        let all = bank.debit(&topup("m1", "0000", MILLION)).await;
        assert_eq!(said(all), Some("done"));
        let one_more = bank.debit(&topup("m2", "0000", 1)).await;
        assert_eq!(said(one_more), Some("insufficient_funds"));
        let paid_in = bank.credit(&payout("m3", "0000", 500)).await;
        assert_eq!(said(paid_in), Some("done"));
        let some_back = bank.debit(&topup("m4", "0000", 500)).await;
        assert_eq!(said(some_back), Some("done"));
        let empty_again = bank.debit(&topup("m5", "0000", 1)).await;
        assert_eq!(said(empty_again), Some("insufficient_funds"));
        // Another card's million is its own.
        let other = bank.debit(&topup("m6", "1234", MILLION)).await;
        assert_eq!(said(other), Some("done"));
    }

    #[tokio::test]
    async fn a_debit_over_what_is_left_takes_nothing() {
        let bank = bank();
        let too_much = bank.debit(&topup("m1", "0000", MILLION + 1)).await;
        assert_eq!(said(too_much), Some("insufficient_funds"));
        let all = bank.debit(&topup("m2", "0000", MILLION)).await;
        assert_eq!(said(all), Some("done"));
    }

    #[tokio::test]
    async fn a_repeated_reference_answers_the_first_outcome_and_moves_money_once() {
        let bank = bank();
        for _ in 0..3 {
            let got = bank.debit(&topup("top-up-1", "0000", 60_000_000)).await;
            assert_eq!(said(got), Some("done"));
        }
        // Taken once: 40,000,000 remain, and not a fen more.
        let rest = bank.debit(&topup("top-up-2", "0000", 40_000_000)).await;
        assert_eq!(said(rest), Some("done"));
        let over = bank.debit(&topup("top-up-3", "0000", 1)).await;
        assert_eq!(said(over), Some("insufficient_funds"));
        // A refused movement stays refused, even once money is there again.
        let paid_in = bank.credit(&payout("payout-1", "0000", 10)).await;
        assert_eq!(said(paid_in), Some("done"));
        let repeat = bank.debit(&topup("top-up-3", "0000", 1)).await;
        assert_eq!(said(repeat), Some("insufficient_funds"));
        for _ in 0..2 {
            let again = bank.credit(&payout("payout-1", "0000", 10)).await;
            assert_eq!(said(again), Some("done"));
        }
        // Paid in once: 10 fen, so 11 is too much.
        let eleven = bank.debit(&topup("top-up-4", "0000", 11)).await;
        assert_eq!(said(eleven), Some("insufficient_funds"));
    }

    #[tokio::test]
    async fn a_reference_reused_for_another_movement_is_a_protocol_error() {
        let bank = bank();
        let first = bank.debit(&topup("m1", "0000", 100)).await;
        assert_eq!(said(first), Some("done"));
        let other_amount = bank.debit(&topup("m1", "0000", 101)).await;
        let other_card = bank.debit(&topup("m1", "1234", 100)).await;
        let other_direction = bank.credit(&payout("m1", "0000", 100)).await;
        for got in [other_amount, other_card, other_direction] {
            assert!(matches!(got, Err(ConnectorError::Protocol(_))), "{got:?}");
        }
        assert_eq!(status(bank.movement_status("m1").await), Some(Some("done")));
    }

    #[tokio::test]
    async fn cards_ending_0001_never_have_enough_for_a_top_up_but_take_payouts() {
        let bank = bank();
        let top_up = bank.debit(&topup("m1", "0001", 1)).await;
        assert_eq!(said(top_up), Some("insufficient_funds"));
        assert_eq!(
            status(bank.movement_status("m1").await),
            Some(Some("insufficient_funds"))
        );
        let payout = bank.credit(&payout("m2", "0001", 1)).await;
        assert_eq!(said(payout), Some("done"));
        let after_payout = bank.debit(&topup("m3", "0001", 1)).await;
        assert_eq!(said(after_payout), Some("insufficient_funds"));
    }

    #[tokio::test]
    async fn cards_ending_0005_lose_the_first_answer_to_a_top_up_that_was_taken() {
        let bank = bank();
        assert_eq!(status(bank.movement_status("m1").await), Some(None));
        let first = bank.debit(&topup("m1", "0005", MILLION)).await;
        assert!(
            matches!(first, Err(ConnectorError::Unavailable(_))),
            "{first:?}"
        );
        assert_eq!(status(bank.movement_status("m1").await), Some(Some("done")));
        let repeat = bank.debit(&topup("m1", "0005", MILLION)).await;
        assert_eq!(said(repeat), Some("done"));
        // The million was taken once, by the first call: nothing is left for another top-up,
        // whose answer is lost too — the status still tells.
        let next = bank.debit(&topup("m2", "0005", 1)).await;
        assert!(
            matches!(next, Err(ConnectorError::Unavailable(_))),
            "{next:?}"
        );
        assert_eq!(
            status(bank.movement_status("m2").await),
            Some(Some("insufficient_funds"))
        );
        let payout = bank.credit(&payout("m3", "0005", 1)).await;
        assert_eq!(said(payout), Some("done"));
    }

    #[tokio::test]
    async fn cards_ending_0006_refuse_payouts_but_allow_top_ups() {
        let bank = bank();
        let payout = bank.credit(&payout("m1", "0006", 100)).await;
        assert_eq!(said(payout), Some("rejected"));
        assert_eq!(
            status(bank.movement_status("m1").await),
            Some(Some("rejected"))
        );
        let top_up = bank.debit(&topup("m2", "0006", MILLION)).await;
        assert_eq!(said(top_up), Some("done"));
        // The refused payout added nothing.
        let more = bank.debit(&topup("m3", "0006", 1)).await;
        assert_eq!(said(more), Some("insufficient_funds"));
    }

    #[tokio::test]
    async fn the_status_of_a_reference_the_bank_never_got_is_none() {
        let bank = bank();
        assert!(bank.debit(&topup("m1", "0000", 1)).await.is_ok());
        for reference in ["m2", "", "M1", "m1 "] {
            let got = bank.movement_status(reference).await;
            assert_eq!(got.ok(), Some(None), "{reference:?}");
        }
    }

    #[tokio::test]
    async fn movements_the_platform_should_have_refused_are_a_protocol_error_and_book_nothing() {
        let bank = bank();
        let mut dollars = topup("m3", "0000", 100);
        dollars.currency = "USD".to_owned();
        let mut bad_card = topup("m4", "0000", 100);
        bad_card.card_number = "12345".to_owned();
        let cases = [
            topup("m1", "0000", 0),
            topup("m2", "0000", -100),
            dollars,
            bad_card,
            topup("", "0000", 100),
        ];
        for bad in &cases {
            for got in [bank.debit(bad).await, bank.credit(bad).await] {
                assert!(
                    matches!(got, Err(ConnectorError::Protocol(_))),
                    "{bad:?}: {got:?}"
                );
            }
            assert_eq!(
                status(bank.movement_status(&bad.reference).await),
                Some(None)
            );
        }
        // And took nothing: the million is whole.
        let all = bank.debit(&topup("m5", "0000", MILLION)).await;
        assert_eq!(said(all), Some("done"));
    }

    #[tokio::test]
    async fn a_restarted_sandbox_has_forgotten_its_movements_and_balances() {
        let before = bank();
        assert!(before.debit(&topup("m1", "0000", MILLION)).await.is_ok());
        drop(before);
        let after = bank();
        assert_eq!(status(after.movement_status("m1").await), Some(None));
        let again = after.debit(&topup("m2", "0000", MILLION)).await;
        assert_eq!(said(again), Some("done"));
    }

    #[tokio::test]
    async fn the_books_know_a_card_by_its_keyed_digest_only() {
        let bank = bank();
        let taken = topup("m1", "0000", 1);
        assert!(bank.debit(&taken).await.is_ok());
        let digest = bank.mac(&[b"card", taken.card_number.as_bytes()]);
        let keys: Vec<CardKey> = bank.books().funds.keys().copied().collect();
        assert_eq!(keys, [digest]);
    }

    /// A settlement of `amount_minor` fen to a card with behaviour digits `behaviour`.
    fn settlement(reference: &str, behaviour: &str, amount_minor: i64) -> BankMovement {
        movement_of(BankKind::Settlement, reference, behaviour, amount_minor)
    }

    /// The bank reference a movement was answered with.
    fn reference_of(answer: Result<BankOutcome, ConnectorError>) -> String {
        match answer {
            Ok(BankOutcome::Done { bank_reference }) => bank_reference.to_string(),
            other => panic!("expected done: {other:?}"),
        }
    }

    #[tokio::test]
    async fn each_top_up_and_withdrawal_gets_its_own_bank_reference_and_keeps_it() {
        let bank = bank();
        let top_up = reference_of(bank.debit(&topup("m1", "0000", 100)).await);
        let payout = reference_of(bank.credit(&payout("m2", "0000", 50)).await);
        assert!(
            top_up.starts_with("sbxm_") && top_up.len() == 5 + 32,
            "{top_up}"
        );
        assert_ne!(top_up, payout);
        assert_eq!(
            reference_of(bank.debit(&topup("m1", "0000", 100)).await),
            top_up
        );
        let Ok(Some(BankOutcome::Done { bank_reference })) = bank.movement_status("m2").await
        else {
            panic!("the status should be done");
        };
        assert_eq!(bank_reference.as_str(), payout);
        // Another node with the same secret names a movement the same.
        let other_node = SandboxBank::new([7; 32]);
        assert_eq!(
            reference_of(other_node.debit(&topup("m1", "0000", 100)).await),
            top_up
        );
    }

    #[tokio::test]
    async fn a_days_settlements_to_one_card_share_one_batch_reference() {
        let bank = bank();
        let first = reference_of(bank.credit(&settlement("s1", "0000", 100)).await);
        let second = reference_of(bank.credit(&settlement("s2", "0000", 200)).await);
        let other_card = reference_of(bank.credit(&settlement("s3", "1234", 300)).await);
        assert!(first.starts_with("sbxb_"), "{first}");
        assert_eq!(first, second);
        assert_ne!(first, other_card);
    }

    #[tokio::test]
    async fn a_movement_sent_the_wrong_way_round_is_a_protocol_error() {
        let bank = bank();
        for got in [
            bank.credit(&topup("m1", "0000", 1)).await,
            bank.debit(&payout("m2", "0000", 1)).await,
            bank.debit(&settlement("m3", "0000", 1)).await,
        ] {
            assert!(matches!(got, Err(ConnectorError::Protocol(_))), "{got:?}");
        }
    }

    #[tokio::test]
    async fn the_statement_of_a_day_has_a_line_per_bank_reference_and_nothing_refused() {
        let bank = bank();
        let top_up = reference_of(bank.debit(&topup("m1", "0000", 10_010)).await);
        reference_of(bank.credit(&payout("m2", "0000", 5_000)).await);
        let batch = reference_of(bank.credit(&settlement("s1", "0000", 20_000)).await);
        reference_of(bank.credit(&settlement("s2", "0000", 5_000)).await);
        // Refused and repeated movements add nothing.
        assert_eq!(
            said(bank.debit(&topup("m3", "0001", 1)).await),
            Some("insufficient_funds")
        );
        assert_eq!(
            said(bank.credit(&payout("m4", "0006", 1)).await),
            Some("rejected")
        );
        reference_of(bank.debit(&topup("m1", "0000", 10_010)).await);
        let today = ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock));
        let statement = bank.statement(today).await.unwrap();
        let csv = statement.to_csv();
        let day = qianbao_wallet::recon::statement::day_text(today);
        assert_eq!(
            csv.lines().collect::<Vec<_>>(),
            [
                "date,bank_ref,kind,amount_minor,currency,our_refs".to_owned(),
                format!("{day},{top_up},topup,10010,CNY,m1"),
                format!(
                    "{day},{},withdrawal,5000,CNY,m2",
                    statement.lines[1].bank_reference
                ),
                format!("{day},{batch},settlement,25000,CNY,s1;s2"),
            ]
        );
        let yesterday = ChinaDay::of_ms(today.start_ms() - 1);
        assert!(bank.statement(yesterday).await.unwrap().lines.is_empty());
    }

    #[tokio::test]
    async fn a_top_up_whose_answer_was_lost_is_on_the_statement_all_the_same() {
        let bank = bank();
        let lost = bank.debit(&topup("m1", "0005", 700)).await;
        assert!(
            matches!(lost, Err(ConnectorError::Unavailable(_))),
            "{lost:?}"
        );
        let statement = bank
            .statement(ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(
                &qianbao_wallet::SystemClock,
            )))
            .await
            .unwrap();
        assert_eq!(statement.lines.len(), 1);
        assert_eq!(statement.lines[0].our_references, ["m1"]);
        assert_eq!(statement.lines[0].amount.minor(), 700);
    }

    #[tokio::test]
    async fn books_given_to_the_bank_outlive_it_and_answer_the_first_batch_reference() {
        let books: Arc<dyn SandboxBankBooks> = Arc::new(MemoryBooks::default());
        let before = SandboxBank::with_books([7; 32], books.clone());
        let first = reference_of(before.credit(&settlement("s1", "0000", 100)).await);
        drop(before);
        let after = SandboxBank::with_books([7; 32], books.clone());
        let statement = after
            .statement(ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(
                &qianbao_wallet::SystemClock,
            )))
            .await
            .unwrap();
        assert_eq!(statement.lines.len(), 1);
        assert_eq!(statement.lines[0].bank_reference.as_str(), first);
        // The restarted bank forgot the movement, so a repeat moves money again; the books
        // still answer the reference the first booking got, and count it once.
        let kept = books
            .book(&BankBooking {
                reference: "s1".into(),
                bank_reference: BankReference::parse("sbxb_other").unwrap(),
                kind: BankKind::Settlement,
                amount: Amount::from_minor(100),
                currency: Currency::CNY,
                booked_ms: 0,
            })
            .await
            .unwrap();
        assert_eq!(kept.bank_reference.as_str(), first);
        let again = reference_of(after.credit(&settlement("s1", "0000", 100)).await);
        assert_eq!(again, first);
        assert_eq!(
            after
                .statement(ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(
                    &qianbao_wallet::SystemClock
                )))
                .await
                .unwrap()
                .lines[0]
                .amount
                .minor(),
            100
        );
    }
}
