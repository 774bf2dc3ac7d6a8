//! The ports: small role traits the use cases hold as `Arc<dyn …>`, implemented by the adapters.

use crate::VerifyReport;
use async_trait::async_trait;
use qianbao_ledger::{Account, AccountId, AccountKind, Applied, Currency, Instruction, Rejection};
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

    /// Recomputes every balance and hold from the journal, checks the hash chain and the invariants.
    async fn verify(&self) -> Result<VerifyReport, StoreError>;

    /// Whether storage answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// The time, as the use cases see it: a port so tests can move it (OTP expiry, PIN locks).
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
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
}

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
