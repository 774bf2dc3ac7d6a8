//! What the simulation expects the wallet to hold: every holder's balance, every merchant payment
//! with what was refunded of it, every movement still pending, and every movement the server
//! acknowledged. It is changed only by replies the server acknowledged, each applied once, so a
//! server that moves money twice, or keeps what it acknowledged from a crash, disagrees with it.

use crate::people::CardKind;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// One holder as the simulation knows them.
#[derive(Clone, Debug)]
pub struct Holder {
    /// The phone, E.164.
    pub phone: String,
    /// The session token.
    pub token: String,
    /// The bound card's id.
    pub card_id: String,
    /// The bound card's number (a PIN reset names it).
    pub card_number: String,
    /// How the card behaves at the sandbox bank.
    pub card: CardKind,
    /// The payment password.
    pub pin: String,
    /// The address their requests come from.
    pub peer: SocketAddr,
    /// What may be spent, in fen, by the model.
    pub available: i64,
    /// What pending withdrawals and delayed transfers reserve, in fen, by the model.
    pub held: i64,
    /// The last payment code a shop charged, which must never be charged again.
    pub spent_code: Option<String>,
    /// What may be spent in each other currency, in its minor units, by the model.
    pub foreign: BTreeMap<String, i64>,
    /// What the acknowledged spending from the balance added up to, per China day: never more
    /// than the level's daily limit (`limit_never_exceeded`).
    pub spent_by_day: BTreeMap<i64, i64>,
}

/// One shop, owned by a holder.
#[derive(Clone, Debug)]
pub struct Merchant {
    /// The owner's index among the holders.
    pub owner: usize,
    /// The API key (shown once at opening).
    pub api_key: String,
    /// The webhook secret, when the shop set a webhook.
    pub webhook_secret: Option<String>,
}

/// One payment to a shop.
#[derive(Clone, Debug)]
pub struct Payment {
    /// The payment's id.
    pub id: String,
    /// The shop's index.
    pub merchant: usize,
    /// The payer's index.
    pub payer: usize,
    /// What was paid, in fen.
    pub amount: i64,
    /// What was refunded of it so far, in fen.
    pub refunded: i64,
}

/// What a pending movement becomes once it finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingKind {
    /// A top-up whose bank answer timed out: credited once the bank's status is known.
    TopUp,
    /// A withdrawal, held until the bank pays the card (or refuses, and the money comes back).
    Withdrawal,
    /// A delayed transfer to the holder with this index, held until it runs.
    DelayedTransfer(usize),
    /// A payment risk control held for review, to the holder with this index (`None`: a
    /// withdrawal): the payer's money is held until a reviewer (or, in the simulation, the
    /// hold's timer, which rejects it) decides.
    Held(Option<usize>),
    /// A bill payment whose confirmation the biller has not given yet: the money has left, and
    /// comes back if the biller refuses.
    Bill,
}

/// A movement acknowledged as pending or scheduled, not yet finished.
#[derive(Clone, Debug)]
pub struct Pending {
    /// The holder whose record it is.
    pub holder: usize,
    /// The record's id.
    pub id: String,
    /// What it is.
    pub kind: PendingKind,
    /// In fen.
    pub amount: i64,
    /// The fee, in fen.
    pub fee: i64,
    /// The memo it was sent with ("" when none): a delayed transfer's is unique, to find its
    /// record on the payee's side.
    pub memo: String,
}

/// One red packet as its sender and claimants saw it acknowledged.
#[derive(Clone, Debug)]
pub struct Packet {
    /// The packet's id.
    pub id: String,
    /// The sender's index.
    pub sender: usize,
    /// The recipient of a one-to-one packet.
    pub to: Option<usize>,
    /// What it holds, in fen.
    pub amount: i64,
    /// How many shares.
    pub shares: u32,
    /// The memo, unique to the packet: its return is found by it among the sender's records.
    pub memo: String,
    /// When claims stop and what is left goes back, by the simulated clock (ms).
    pub expires_ms: i64,
    /// Each acknowledged claim: the claimant and the share.
    pub claims: Vec<(usize, i64)>,
    /// Whether the sender has had what nobody claimed back (the expiry timer ran).
    pub returned: bool,
}

impl Packet {
    /// What the acknowledged claims took.
    pub fn claimed(&self) -> i64 {
        self.claims.iter().map(|c| c.1).sum()
    }

    /// Whether nothing can change any more: every share claimed, or expired and returned.
    pub fn finished(&self) -> bool {
        self.returned || self.claims.len() == usize::try_from(self.shares).unwrap_or(0)
    }
}

/// A timer the model waits on, whose money must move exactly once (`timer_fires_once`): the
/// record it leaves is found by its memo among `holder`'s records of `kind`.
#[derive(Clone, Debug)]
pub struct TimerCheck {
    /// The holder whose records show it.
    pub holder: usize,
    /// The records' type (`transfer`, `red_packet`).
    pub kind: &'static str,
    /// The memo unique to it.
    pub memo: String,
    /// How many incoming records with that memo there must be: 1 once it fired with money to
    /// move, 0 when it moved none (cancelled, or nothing left).
    pub expected: usize,
}

/// A movement the server acknowledged with a 2xx, to be found again after any crash.
#[derive(Clone, Debug)]
pub struct Acked {
    /// The holder whose record it is.
    pub holder: usize,
    /// The record's id.
    pub id: String,
    /// What it was, for the violation's text.
    pub what: &'static str,
}

/// The whole expectation.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Holders in the order their wallets opened.
    pub holders: Vec<Holder>,
    /// Shops in the order they opened.
    pub merchants: Vec<Merchant>,
    /// Payments to shops.
    pub payments: Vec<Payment>,
    /// Movements still pending.
    pub pending: Vec<Pending>,
    /// Every acknowledged movement.
    pub acked: Vec<Acked>,
    /// Red packets sent.
    pub packets: Vec<Packet>,
    /// Timers that fired (or were called off), checked for exactly one firing.
    pub timers: Vec<TimerCheck>,
}
