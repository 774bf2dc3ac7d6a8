//! The ports: small role traits the use cases hold as `Arc<dyn …>`, implemented by the adapters.

use crate::VerifyReport;
use crate::domain::{BankKind, BankReference, ChinaDay};
use crate::recon::Statement;
use async_trait::async_trait;
use qianbao_ledger::{
    Account, AccountId, AccountKind, Amount, Applied, Currency, Instruction, Rejection,
};
use std::fmt;

/// Why storage could not do what was asked. Rejections of the money rules are not here: they are
/// [`Rejection`] values inside a successful call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Storage is unreachable or a write failed (disk full, connection lost). Nothing was changed;
    /// the call may be retried once storage is back.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A row with the same unique key exists (two sign-ups racing for one phone, say). Nothing
    /// of the transaction was kept.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The database is not one of ours, or its contents are damaged.
    #[error("storage is not a qianbao database or is damaged: {0}")]
    Corrupt(String),
    /// The work inside the transaction declined to commit (a rule refused); nothing was kept.
    #[error("rolled back by the rules")]
    RolledBack,
    /// The database was written by a newer qianbao; starting would risk damaging it.
    #[error(
        "the database has schema version {found}, newer than the {supported} this qianbao knows; \
         upgrade qianbao before starting it on this database"
    )]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
}

/// Who an account belongs to: the operator, or one wallet (a holder's or a merchant's).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AccountOwner {
    /// The operator's own accounts (bank clearing, fee income, …).
    Operator,
    /// The wallet with this id.
    Wallet(String),
}

impl fmt::Display for AccountOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountOwner::Operator => f.write_str("operator"),
            AccountOwner::Wallet(id) => write!(f, "wallet:{id}"),
        }
    }
}

/// The ledger's storage: accounts, the hash-chained journal and holds. Money instructions go through
/// group commit and are durable before `apply` returns.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// The account `owner` holds of `kind` in `currency`, opened empty if it does not exist yet.
    async fn open_account(
        &self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<AccountId, StoreError>;

    /// One account as it stands now.
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError>;

    /// Applies one instruction, batched with its neighbours into one storage transaction. The outer
    /// `Err` means storage failed and nothing changed; the inner one that the ledger refused it.
    async fn apply(
        &self,
        instruction: Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError>;

    /// Recomputes every balance and hold from the journal, checks the hash chain and the
    /// invariants; a hold's age is judged at now by the clock the store was opened with.
    async fn verify(&self) -> Result<VerifyReport, StoreError>;

    /// [`LedgerStore::verify`], judging holds' ages at `now_ms` (the caller's clock).
    async fn verify_at(&self, now_ms: i64) -> Result<VerifyReport, StoreError>;

    /// Whether storage answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// The time, as the use cases see it: a port so tests can move it (OTP expiry, PIN locks).
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// A reading for measuring how long something took (metrics, log lines): only differences
    /// between two readings mean anything. By default the wall clock's, so a simulated clock
    /// gives simulated durations; [`SystemClock`] reads the monotonic clock, which never steps
    /// back.
    fn monotonic(&self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::try_from(self.now_ms()).unwrap_or(0))
    }
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    fn monotonic(&self) -> std::time::Duration {
        // Readings count from the first one taken in this process: only differences matter.
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed()
    }
}

/// Where random bytes come from (tokens, codes, salts, nonces, keys, ids): the operating system's
/// generator in production ([`OsRandomness`]), a seeded stream in the simulation
/// ([`SeededRandomness`]). The port lives in `qianbao-secrets`, below this crate, because the
/// secrets it makes draw from it; every use case reaches it through its
/// [`Context`](crate::context::Context).
pub use qianbao_secrets::random::{OsRandomness, Randomness, SeededRandomness};

/// Why the SMS gateway did not take a message.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The gateway is busy or unreachable; the outbox retries later.
    #[error("SMS gateway unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused this message for good (a number it cannot reach, say).
    #[error("SMS gateway refused the message: {0}")]
    Refused(String),
}

/// The SMS gateway: delivers one text to one phone. The durable outbox calls it, so a gateway
/// outage delays messages but loses none.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// Delivers `text` to `phone` (E.164).
    async fn send(&self, phone: &str, text: &str) -> Result<(), SmsError>;
}

/// Why an outside system (identity verifier, bank) did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// Busy, timed out or unreachable; the same call may succeed later (`verifier_unavailable`,
    /// `bank_unavailable`).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// It answered something this connector does not understand, or refused our credentials:
    /// an operator must look.
    #[error("protocol: {0}")]
    Protocol(String),
}

/// The identity verifier's answer on a name and ID number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityVerdict {
    /// The name belongs to the ID number.
    Match,
    /// They do not belong together (信息不匹配).
    Mismatch,
    /// The verifier cannot decide (a blurred register photo, a recent name change): a member of
    /// the operator's staff must look at the ID photo.
    NeedsReview,
}

/// The identity verifier's answer on a selfie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceVerdict {
    /// The face is the ID number's owner.
    Match,
    /// It is not.
    Mismatch,
}

/// The identity verifier (name + ID number, face). The caller has already checked the ID number's
/// form, check digit and age.
#[async_trait]
pub trait IdentityVerifier: Send + Sync {
    /// Whether `name` is the name registered for `id_number`.
    async fn verify_name(
        &self,
        name: &str,
        id_number: &str,
    ) -> Result<IdentityVerdict, ConnectorError>;

    /// Whether the person in `selfie` (JPEG or PNG, already decoded and size-checked by the
    /// caller) is the owner of `id_number`.
    async fn verify_face(
        &self,
        id_number: &str,
        selfie: &[u8],
    ) -> Result<FaceVerdict, ConnectorError>;
}

/// What the platform sends the bank to bind a card (the four-element check). The CVV is here and
/// nowhere else: never stored, never logged (this type's Debug hides it and the card number).
pub struct CardCheck {
    /// The full card number, digits only.
    pub card_number: String,
    /// The cardholder's name.
    pub holder_name: String,
    /// The cardholder's ID number.
    pub id_number: String,
    /// The phone registered with the bank (E.164), where the bank sends its code.
    pub reserved_phone: String,
    /// The expiry, for credit cards.
    pub expiry: Option<crate::domain::CardExpiry>,
    /// The three digits on the back, for credit cards; never kept, never printed.
    pub cvv: Option<crate::domain::Cvv>,
}

impl std::fmt::Debug for CardCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last4 = self
            .card_number
            .get(self.card_number.len().saturating_sub(4)..)
            .unwrap_or("");
        write!(
            f,
            "CardCheck(card ****{last4}, cvv {})",
            if self.cvv.is_some() { "***" } else { "none" }
        )
    }
}

/// The bank's answer to a binding request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardCheckOutcome {
    /// The four elements match; the bank texted its own code to the reserved phone.
    CodeSent {
        /// The bank's reference for this binding, quoted when confirming.
        bank_reference: String,
        /// The sandbox bank cannot send SMS, so it returns the code for the platform to put in
        /// the outbox in its place. A real bank returns `None`.
        sandbox_code: Option<String>,
    },
    /// Name or ID number differ from the bank's records (信息不匹配).
    HolderMismatch,
    /// The bank does not allow online binding of this card (银行限制).
    Rejected,
    /// The card must be activated first.
    Inactive,
}

/// The bank's answer to the binding code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardConfirmOutcome {
    /// Bound: the token stands for the card in every later call (top-ups, withdrawals).
    Bound {
        /// The bank's token for the card.
        card_token: String,
    },
    /// The code is wrong.
    WrongCode,
}

/// One movement of money between a bound card and the operator's account at the bank: a top-up
/// takes it from the card (`debit`), a withdrawal or settlement pays it to the card (`credit`).
/// The bank dedupes by `reference`, so asking twice never moves money twice.
pub struct BankMovement {
    /// The platform's id for this movement, unique forever; the bank dedupes by it.
    pub reference: String,
    /// What it is for: a top-up (a debit), a withdrawal or a settlement (credits). The bank's
    /// statement names it, and may batch settlements under one reference of its own.
    pub kind: BankKind,
    /// The bank's token for the card, from binding.
    pub card_token: String,
    /// The full card number, digits only. A production bank is sent only the token; the sandbox
    /// bank reads its behaviour digits (7–10) from it. Never logged (this type's Debug hides it).
    pub card_number: String,
    /// Minor units, always positive.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl std::fmt::Debug for BankMovement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BankMovement({} {} {} {})",
            self.reference, self.kind, self.amount_minor, self.currency
        )
    }
}

/// The bank's final answer on a movement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankOutcome {
    /// The money moved.
    Done {
        /// The bank's own reference for it (for a batched settlement, the batch's): what its
        /// statement will carry, so the platform keeps it with the movement to reconcile by.
        bank_reference: BankReference,
    },
    /// The card's account does not hold enough (top-ups: `bank_insufficient_funds`).
    InsufficientFunds,
    /// The bank refused the movement for good (card closed, account restricted, …).
    Rejected,
}

/// The bank connector: binding cards, and moving money to and from them.
#[async_trait]
pub trait Bank: Send + Sync {
    /// Starts binding a card: the bank checks the four elements and texts a code.
    async fn check_card(&self, check: &CardCheck) -> Result<CardCheckOutcome, ConnectorError>;

    /// Finishes binding with the code the holder received.
    async fn confirm_card(
        &self,
        bank_reference: &str,
        code: &str,
    ) -> Result<CardConfirmOutcome, ConnectorError>;

    /// Takes money from the card (a top-up). `Unavailable` means the outcome is unknown: the
    /// bank may or may not have taken it, and [`Bank::movement_status`] tells later.
    async fn debit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError>;

    /// Pays money to the card (a withdrawal or a merchant's settlement). `Unavailable` as above.
    async fn credit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError>;

    /// What became of the movement with `reference`; `None` when the bank never received it.
    async fn movement_status(&self, reference: &str)
    -> Result<Option<BankOutcome>, ConnectorError>;

    /// The bank's statement of `day` (a day in China): every movement it booked that day, one
    /// line per reference of its own — several settlements on one line when it batched them.
    async fn statement(&self, day: ChinaDay) -> Result<Statement, ConnectorError>;
}

/// One movement as the sandbox bank booked it: what its statement is made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankBooking {
    /// The platform's reference for the movement (the movement's id).
    pub reference: String,
    /// The bank's own reference (shared by the settlements of one batch).
    pub bank_reference: BankReference,
    /// Top-up, withdrawal or settlement.
    pub kind: BankKind,
    /// What moved at the card, in minor units.
    pub amount: Amount,
    /// ISO 4217.
    pub currency: Currency,
    /// When the bank booked it (ms).
    pub booked_ms: i64,
}

/// Where the sandbox bank keeps the movements it booked, so that its statement is the same on
/// every node and after a restart, and an operator's command can print it. A real bank keeps its
/// own books; this port exists because the sandbox stands in for one. It sits here, beside the
/// bank port, because this crate is the one both the connectors and storage see.
#[async_trait]
pub trait SandboxBankBooks: Send + Sync {
    /// Keeps `booking` unless its reference was booked before; answers the booking kept, so a
    /// repeat learns the bank reference the first one got.
    async fn book(&self, booking: &BankBooking) -> Result<BankBooking, StoreError>;

    /// The bookings made from `from_ms` up to (not including) `to_ms`, in the order they were
    /// made.
    async fn booked_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<BankBooking>, StoreError>;
}

/// Merchants' webhook receivers: one signed POST per call; the durable outbox retries failures.
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// POSTs `body` to `url` with `headers`; `Ok` only on a 2xx answer, `Unavailable` otherwise.
    async fn deliver(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<(), ConnectorError>;
}

/// One mid-market rate as a rate feed published it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedRate {
    /// The pair priced (`USD/CNY`: how many CNY one USD buys).
    pub pair: crate::fx::Pair,
    /// The mid rate, exact.
    pub rate: crate::fx::Rate,
    /// When the feed says the rate was observed (ms).
    pub as_of_ms: i64,
}

/// A source of mid-market exchange rates (a bank's or a data vendor's feed). The server polls it
/// and stores what it gives as the operator's rates; quotes never call it directly, so a feed
/// outage leaves the last rates in force until they go stale.
#[async_trait]
pub trait RateFeed: Send + Sync {
    /// The newest rates the feed has for `pairs`; a pair it does not quote is left out.
    async fn latest(&self, pairs: &[crate::fx::Pair]) -> Result<Vec<FeedRate>, ConnectorError>;
}
