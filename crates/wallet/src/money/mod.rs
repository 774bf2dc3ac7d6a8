//! Moving money: top-ups, withdrawals, transfers, receive codes, merchant payments both ways,
//! refunds, settlement, records and alerts.
//!
//! Every money call is plain code over [`MoneyTx`] run in one transaction that excludes every
//! other money transaction ([`RecordStore::transact_money`]): it checks the holder's status, the
//! limits and the idempotency row, applies the ledger entry, and writes the records, the inbox,
//! the SMS and webhook outboxes, the timers and the idempotency row with the reply — all or
//! nothing. A rule that refuses rolls the whole transaction back. Slow or outside work (the PIN's
//! own counter, bank calls) happens before or between such transactions, never inside one.

mod call;
pub mod fees;
pub mod history;
pub mod limits;
pub mod maintenance;
pub mod merchant;
pub mod moves;
pub mod payload;
pub mod quote;
pub mod records;
mod throttles;
pub mod timers;
pub mod webhooks;

use crate::context::Context;
use crate::kyc::{Kyc, KycError};
use crate::levels::LevelTable;
use crate::records::{HolderRecord, HolderStatus};
use crate::storage::RecordStore;
use crate::{AccountOwner, StoreError};
use fees::FeeSchedule;
use limits::Exceeded;
use qianbao_ledger::{
    Account, AccountKind, Amount, Currency, EntryId, Instruction, PositiveAmount, Posting,
    Rejection,
};
use records::{IdempotencyRecord, IdempotencyState, MoneyTx, MovementStatus, NotificationRecord};
use std::sync::{Arc, Mutex};

/// Why a money call was refused. Each variant has the API's code; none leaves a trace in any
/// balance.
#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    /// The wallet is frozen: no money leaves it.
    #[error("account_frozen")]
    Frozen,
    /// The operator has restricted the wallet.
    #[error("account_restricted")]
    Restricted,
    /// The level is too low for this (withdrawal needs L2, a merchant L1).
    #[error("kyc_required")]
    KycRequired,
    /// The payment password check failed (wrong, locked, not set).
    #[error(transparent)]
    Pin(KycError),
    /// The amount is not a whole positive number of minor units within bounds.
    #[error("amount_invalid")]
    AmountInvalid,
    /// The currency is unknown or not accepted for this movement.
    #[error("currency_unsupported")]
    CurrencyUnsupported,
    /// The balance is not enough.
    #[error("insufficient_balance")]
    InsufficientBalance,
    /// A limit would be broken.
    #[error("limit_exceeded")]
    LimitExceeded(Exceeded),
    /// The payee cannot take this payment: yourself, or a wallet that is closed or frozen.
    #[error("invalid_payee: {0}")]
    InvalidPayee(&'static str),
    /// The scanned text is not a code the platform issued.
    #[error("payload_invalid")]
    PayloadInvalid,
    /// The order's time to pay has passed.
    #[error("order_expired")]
    OrderExpired,
    /// The order is paid already.
    #[error("order_paid")]
    OrderPaid,
    /// No such payment code, or it was used.
    #[error("payment_code_invalid")]
    PaymentCodeInvalid,
    /// The payment code is older than its 60 s.
    #[error("payment_code_expired")]
    PaymentCodeExpired,
    /// Above the password-free limit: the holder must confirm with the payment password.
    #[error("pin_required")]
    PinRequired,
    /// More would be refunded than was paid.
    #[error("refund_exceeds_payment")]
    RefundExceedsPayment,
    /// The merchant cannot take payments now.
    #[error("merchant_unavailable")]
    MerchantUnavailable,
    /// The card's account at the bank does not hold enough.
    #[error("bank_insufficient_funds")]
    BankInsufficientFunds,
    /// The bank refused the movement.
    #[error("bank_rejected")]
    BankRejected,
    /// The bank is busy; retry with the same key.
    #[error("bank_unavailable")]
    BankUnavailable,
    /// A maintenance window is on.
    #[error("maintenance")]
    Maintenance {
        /// Seconds until it is announced to end.
        retry_after_s: u64,
        /// The operator's notice.
        message: String,
    },
    /// The Idempotency-Key was used for a different request.
    #[error("idempotency_conflict")]
    IdempotencyConflict,
    /// The first request with this key is still running.
    #[error("idempotency_in_progress")]
    IdempotencyInProgress,
    /// The key was used before for the same request: here is the first reply.
    #[error("replay")]
    Replay(Reply),
    /// The delayed transfer has arrived or was cancelled already.
    #[error("not_cancellable")]
    NotCancellable,
    /// A field other than the amount is unusable; names it.
    #[error("invalid_request: {0}")]
    InvalidField(&'static str),
    /// No such thing of the caller's.
    #[error("not_found")]
    NotFound,
    /// Too many tries of something guessable (payee lookups, payment codes); retry after this
    /// many seconds.
    #[error("rate_limited")]
    RateLimited {
        /// Seconds until a try may succeed.
        retry_after_s: u64,
    },
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or an unexpected answer (the ledger refusing an entry the rules built, say).
    #[error("internal: {0}")]
    Internal(String),
}

impl MoneyError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Frozen => "account_frozen",
            MoneyError::Restricted => "account_restricted",
            MoneyError::KycRequired => "kyc_required",
            MoneyError::Pin(e) => e.code(),
            MoneyError::AmountInvalid => "amount_invalid",
            MoneyError::CurrencyUnsupported => "currency_unsupported",
            MoneyError::InsufficientBalance => "insufficient_balance",
            MoneyError::LimitExceeded(_) => "limit_exceeded",
            MoneyError::InvalidPayee(_) => "invalid_payee",
            MoneyError::PayloadInvalid => "payload_invalid",
            MoneyError::OrderExpired => "order_expired",
            MoneyError::OrderPaid => "order_paid",
            MoneyError::PaymentCodeInvalid => "payment_code_invalid",
            MoneyError::PaymentCodeExpired => "payment_code_expired",
            MoneyError::PinRequired => "pin_required",
            MoneyError::RefundExceedsPayment => "refund_exceeds_payment",
            MoneyError::MerchantUnavailable => "merchant_unavailable",
            MoneyError::BankInsufficientFunds => "bank_insufficient_funds",
            MoneyError::BankRejected => "bank_rejected",
            MoneyError::BankUnavailable => "bank_unavailable",
            MoneyError::Maintenance { .. } => "maintenance",
            MoneyError::IdempotencyConflict => "idempotency_conflict",
            MoneyError::IdempotencyInProgress => "idempotency_in_progress",
            MoneyError::Replay(_) => "replay",
            MoneyError::NotCancellable => "not_cancellable",
            MoneyError::InvalidField(_) => "invalid_request",
            MoneyError::NotFound => "not_found",
            MoneyError::RateLimited { .. } => "rate_limited",
            MoneyError::Store(_) => "storage_unavailable",
            MoneyError::Internal(_) => "internal",
        }
    }
}

impl From<KycError> for MoneyError {
    fn from(e: KycError) -> Self {
        match e {
            KycError::Store(s) => MoneyError::Store(s),
            KycError::NotFound => MoneyError::NotFound,
            KycError::KycRequired => MoneyError::KycRequired,
            other => MoneyError::Pin(other),
        }
    }
}

/// A reply exactly as first given, kept with the idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: String,
}

/// An `Idempotency-Key` as one caller sent it with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// `holder:<id>` or `merchant:<id>`: keys are per caller.
    pub caller: String,
    /// The key.
    pub key: String,
    /// SHA-256 of method, path and body.
    pub digest: String,
}

/// Turns a call's result into the reply stored with its key, inside the money transaction: the
/// status, and a plain function that writes the body (plain, so the futures that carry it stay
/// `Send` without help).
pub struct Render<T> {
    /// The HTTP status of a success.
    pub status: u16,
    /// Writes the body.
    pub body: fn(T) -> String,
}

impl<T> Clone for Render<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Render<T> {}

impl<T> Render<T> {
    /// The reply for `value`.
    pub fn reply(&self, value: T) -> Reply {
        Reply {
            status: self.status,
            body: (self.body)(value),
        }
    }
}

/// The operator's numbers for money (besides the levels and fees).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyPolicy {
    /// How long a payment code works.
    pub payment_code_ttl_ms: i64,
    /// The most one payment-code charge may be without the password (小额免密, default ¥500).
    pub password_free_payment_minor: Amount,
    /// The most payment-code charges without the password may total in a day (PBOC, ¥1,000).
    pub password_free_daily_minor: Amount,
    /// The most paying static QR codes from the balance may total in a day (PBOC, ¥500).
    pub static_qr_daily_minor: Amount,
    /// Movements of at least this much are also sent by SMS (default ¥1,000).
    pub alert_sms_minor: Amount,
    /// How soon a withdrawal is sent to the bank.
    pub withdrawal_delay_ms: i64,
    /// How long an order waits to be paid unless the merchant says otherwise.
    pub order_ttl_ms: i64,
    /// The longest an order may wait.
    pub order_ttl_max_ms: i64,
    /// The largest amount any one call may move (a bound on hostile input).
    pub amount_max_minor: Amount,
    /// How long a first request with a key counts as running before a retry may take over.
    pub idempotency_stale_ms: i64,
    /// Whether merchants may point webhooks at loopback and private addresses (the sandbox, where
    /// the receiver runs beside the server); off in production, so a merchant cannot make the
    /// platform call into its own network.
    pub webhook_private_hosts: bool,
    /// Payee look-ups one holder may make in an hour (`None`: no limit): each answers with a
    /// wallet id and a masked name, so unthrottled they would list who has a wallet.
    pub payee_lookups_per_holder_hourly_max: Option<i64>,
    /// Payee look-ups one client address may make in an hour (`None`: no limit, the sandbox
    /// default, where one tester's machine is every holder).
    pub payee_lookups_per_ip_hourly_max: Option<i64>,
    /// Wrong or used-up payment codes one merchant may send in a minute (`None`: no limit).
    pub wrong_payment_codes_per_minute_max: Option<i64>,
}

impl Default for MoneyPolicy {
    fn default() -> Self {
        MoneyPolicy {
            payment_code_ttl_ms: 60_000,
            password_free_payment_minor: Amount::from_minor(50_000),
            password_free_daily_minor: Amount::from_minor(100_000),
            static_qr_daily_minor: Amount::from_minor(50_000),
            alert_sms_minor: Amount::from_minor(100_000),
            withdrawal_delay_ms: 2_000,
            order_ttl_ms: 15 * 60_000,
            order_ttl_max_ms: 24 * 3_600_000,
            amount_max_minor: Amount::from_minor(1_000_000_000_000),
            idempotency_stale_ms: 60_000,
            webhook_private_hosts: false,
            payee_lookups_per_holder_hourly_max: Some(30),
            payee_lookups_per_ip_hourly_max: Some(120),
            wrong_payment_codes_per_minute_max: Some(10),
        }
    }
}

/// What the money use cases need besides storage.
#[derive(Clone)]
pub struct Money {
    /// The keys and the clock every use case shares.
    pub ctx: Context,
    /// The payment password's check, and the bank.
    pub kyc: Kyc,
    /// The limits of each level.
    pub levels: Arc<LevelTable>,
    /// The fee schedule.
    pub fees: FeeSchedule,
    /// The other numbers.
    pub policy: MoneyPolicy,
}

/// What a money call did, as its reply shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// The payer's record id (the payment id for merchant payments).
    pub id: String,
    /// `succeeded`, `pending` or `scheduled`.
    pub status: MovementStatus,
    /// What moved, without the fee.
    pub amount: Amount,
    /// The fee charged to the caller.
    pub fee: Amount,
    /// The currency moved.
    pub currency: Currency,
    /// Who was paid, as the payer may see them.
    pub payee: Option<String>,
}

/// The ledger steps of one movement; each gets its own entry id, derived from the movement's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The movement's entry or hold.
    Move,
    /// Posting its hold.
    Post,
    /// Voiding its hold.
    Void,
}

/// The ledger entry id of `step` of the movement `movement_id` (a UUID v7). Posts and voids flip
/// bits of the UUID's version nibble (7 → 6, 7 → 5), so no two steps of any movements collide,
/// and a retry of the same step finds its first application.
pub fn entry_id(movement_id: &str, step: Step) -> EntryId {
    let raw = uuid::Uuid::parse_str(movement_id).map_or(0, |u| u.as_u128());
    let mask = match step {
        Step::Move => 0,
        Step::Post => 1u128 << 76,
        Step::Void => 2u128 << 76,
    };
    EntryId(raw ^ mask)
}

/// A new time-ordered id (UUID v7): records sort by it.
pub fn new_movement_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub use crate::domain::yuan::yuan;

/// A posting of `amount` (signed: negative is a debit) to `account`.
pub(crate) fn leg(account: &Account, amount: Amount) -> Posting {
    Posting {
        account: account.id,
        currency: account.currency,
        amount,
    }
}

/// Keeps the postings that move something: an entry may not carry a zero leg.
pub(crate) fn legs(postings: impl IntoIterator<Item = Posting>) -> Vec<Posting> {
    postings
        .into_iter()
        .filter(|p| p.amount != Amount::ZERO)
        .collect()
}

/// Applies an entry the rules built; an overdraft is the caller's, anything else is a bug.
pub(crate) fn apply(r: &mut dyn MoneyTx, instruction: &Instruction) -> Result<(), MoneyError> {
    match r.apply(instruction)? {
        Ok(_) => Ok(()),
        Err(Rejection::ExceedsBalance) => Err(MoneyError::InsufficientBalance),
        Err(other) => Err(MoneyError::Internal(format!(
            "the ledger refused an entry: {other}"
        ))),
    }
}

/// A wallet's account in `currency`.
pub(crate) fn wallet_account(
    r: &mut dyn MoneyTx,
    wallet_id: &str,
    currency: Currency,
) -> Result<Account, StoreError> {
    r.account(
        &AccountOwner::Wallet(wallet_id.to_string()),
        AccountKind::Wallet,
        currency,
    )
}

/// One of the operator's accounts in `currency`.
pub(crate) fn operator_account(
    r: &mut dyn MoneyTx,
    kind: AccountKind,
    currency: Currency,
) -> Result<Account, StoreError> {
    r.account(&AccountOwner::Operator, kind, currency)
}

/// The holder as they stand now, refused unless money may leave their wallet.
pub(crate) fn active_holder(
    r: &mut dyn MoneyTx,
    holder_id: &str,
) -> Result<HolderRecord, MoneyError> {
    let holder = r.holder(holder_id)?.ok_or(MoneyError::NotFound)?;
    match holder.status {
        HolderStatus::Active => Ok(holder),
        HolderStatus::Frozen => Err(MoneyError::Frozen),
        HolderStatus::Restricted => Err(MoneyError::Restricted),
        HolderStatus::Closed => Err(MoneyError::NotFound),
    }
}

/// How a holder appears to others: the masked real name, or the masked phone before verification.
pub(crate) fn shown_name(r: &mut dyn MoneyTx, holder: &HolderRecord) -> Result<String, StoreError> {
    Ok(match r.identity(&holder.id)? {
        Some(identity) => identity.masked_name,
        None => crate::domain::Phone::parse(&holder.phone)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "****".into()),
    })
}

/// The row of a key that may proceed: `None` when new, the running row when a stale attempt is
/// being taken over. A finished key is a [`MoneyError::Replay`]; another request's key a conflict.
pub(crate) fn claim(
    r: &mut dyn MoneyTx,
    key: &IdempotencyKey,
    now_ms: i64,
    stale_ms: i64,
) -> Result<Option<IdempotencyRecord>, MoneyError> {
    judge(r.idempotency(&key.caller, &key.key)?, key, now_ms, stale_ms)
}

/// What a stored row means for a request with `key`: `None` (new) or a stale running row may
/// proceed; a finished one is a [`MoneyError::Replay`]; another request's is a conflict; a fresh
/// running one is in progress. The one reading of the row, before and inside the transaction.
fn judge(
    row: Option<IdempotencyRecord>,
    key: &IdempotencyKey,
    now_ms: i64,
    stale_ms: i64,
) -> Result<Option<IdempotencyRecord>, MoneyError> {
    let Some(row) = row else {
        return Ok(None);
    };
    if row.request_digest != key.digest {
        return Err(MoneyError::IdempotencyConflict);
    }
    if row.state == IdempotencyState::Done {
        return Err(MoneyError::Replay(Reply {
            status: u16::try_from(row.status.unwrap_or(500)).unwrap_or(500),
            body: row.body.unwrap_or_default(),
        }));
    }
    if now_ms - row.updated_ms < stale_ms {
        return Err(MoneyError::IdempotencyInProgress);
    }
    Ok(Some(row))
}

/// Records the reply of a finished call with its key.
pub(crate) fn finish(
    r: &mut dyn MoneyTx,
    key: &IdempotencyKey,
    resource_id: &str,
    reply: &Reply,
    now_ms: i64,
) -> Result<(), StoreError> {
    let row = r.idempotency(&key.caller, &key.key)?;
    finish_claimed(r, key, row.as_ref(), resource_id, reply, now_ms)
}

/// [`finish`] for a call that [`claim`]ed its key earlier in the same transaction and wrote no
/// row for it since: `claimed` is what `claim` returned (the row as it still stands), so the
/// row need not be read again.
pub(crate) fn finish_claimed(
    r: &mut dyn MoneyTx,
    key: &IdempotencyKey,
    claimed: Option<&IdempotencyRecord>,
    resource_id: &str,
    reply: &Reply,
    now_ms: i64,
) -> Result<(), StoreError> {
    let created_ms = claimed.map_or(now_ms, |row| row.created_ms);
    r.put_idempotency(&IdempotencyRecord {
        caller: key.caller.clone(),
        key: key.key.clone(),
        request_digest: key.digest.clone(),
        state: IdempotencyState::Done,
        attempt: String::new(),
        resource_id: resource_id.to_string(),
        status: Some(i64::from(reply.status)),
        body: Some(reply.body.clone()),
        created_ms,
        updated_ms: now_ms,
    })
}

/// An alert in the holder's inbox, and by SMS too when the amount is large.
pub(crate) struct Alert<'a> {
    pub(crate) holder: &'a HolderRecord,
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) title_en: String,
    pub(crate) body_en: String,
    pub(crate) movement_id: &'a str,
    pub(crate) amount: Amount,
}

impl Money {
    /// The time now (ms).
    pub fn now_ms(&self) -> i64 {
        self.ctx.now_ms()
    }

    /// Runs money rules in one exclusive transaction. A refusal rolls everything back; a storage
    /// failure is retried by the store where that is safe, else returned.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        store: &impl RecordStore,
        work: impl Fn(&mut dyn MoneyTx) -> Result<T, MoneyError> + Send + Sync + 'static,
    ) -> Result<T, MoneyError> {
        let refusal: Arc<Mutex<Option<MoneyError>>> = Arc::new(Mutex::new(None));
        let cell = refusal.clone();
        let result = store
            .transact_money(move |r| match work(r) {
                Ok(value) => Ok(value),
                Err(MoneyError::Store(e)) => Err(e),
                Err(other) => {
                    if let Ok(mut slot) = cell.lock() {
                        *slot = Some(other);
                    }
                    Err(StoreError::RolledBack)
                }
            })
            .await;
        match result {
            Ok(value) => Ok(value),
            Err(StoreError::RolledBack) => Err(refusal
                .lock()
                .ok()
                .and_then(|mut slot| slot.take())
                .unwrap_or_else(|| MoneyError::Internal("a refusal went missing".into()))),
            Err(e) => Err(MoneyError::Store(e)),
        }
    }

    /// Writes an alert (and its SMS, when large) inside the movement's transaction.
    pub(crate) fn alert(&self, r: &mut dyn MoneyTx, alert: Alert<'_>) -> Result<(), StoreError> {
        let now = self.now_ms();
        r.insert_notification(&NotificationRecord {
            id: 0,
            holder_id: alert.holder.id.clone(),
            kind: alert.kind.to_string(),
            title: alert.title.clone(),
            body: alert.body.clone(),
            title_en: alert.title_en,
            body_en: alert.body_en,
            movement_id: Some(alert.movement_id.to_string()),
            created_ms: now,
        })?;
        if alert.amount >= self.policy.alert_sms_minor {
            r.queue_sms(
                &alert.holder.phone,
                &format!(
                    "【钱包】{}：{}。如非本人操作，请立即冻结钱包。",
                    alert.title, alert.body
                ),
                None,
                now,
            )?;
        }
        Ok(())
    }

    /// Whether money calls are open: a maintenance window answers 503 `maintenance`.
    pub async fn check_open(&self, store: &impl RecordStore) -> Result<(), MoneyError> {
        open_at(maintenance::current(store).await?, self.now_ms())
    }

    /// The checks before a money call's transaction, from **one** read transaction (one trip to
    /// storage instead of three): the maintenance window, then the `Idempotency-Key` (a finished
    /// key is [`Precheck::Replay`]; a reused or running one is refused as by [`Money::replay`]),
    /// and, when `pin` (holder id, PIN) is given, the payment password's record — whether the PIN
    /// is right with no wrong tries or lock to clear, the common case, which then needs no read
    /// of its own ([`Money::check_pin_read`]). Reading the PIN here changes nothing: the call
    /// still checks its fields first and the PIN after them, as before.
    pub async fn precheck(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        pin: Option<(&str, &str)>,
    ) -> Result<Precheck, MoneyError> {
        let k = key.clone();
        let pin = pin.map(|(holder, pin)| (holder.to_string(), pin.to_string()));
        let keys = self.ctx.keys.clone();
        let (window, row, clean) = store
            .transact_read(move |r| {
                let window = r.setting(maintenance::KEY)?;
                let row = r.idempotency(&k.caller, &k.key)?;
                let clean = match &pin {
                    Some((holder_id, pin)) => r.pin(holder_id)?.is_some_and(|record| {
                        record.failures == 0
                            && record.locked_until_ms.is_none()
                            && qianbao_secrets::pin::pin_matches(
                                &keys,
                                holder_id,
                                pin,
                                &record.digest,
                            )
                    }),
                    None => false,
                };
                Ok((window, row, clean))
            })
            .await?;
        let now = self.now_ms();
        open_at(window.as_deref().and_then(maintenance::decode), now)?;
        match judge(row, key, now, self.policy.idempotency_stale_ms) {
            Ok(_) => Ok(Precheck::Proceed(PinRead { clean })),
            Err(MoneyError::Replay(reply)) => Ok(Precheck::Replay(reply)),
            Err(e) => Err(e),
        }
    }

    /// Checks the payment password, using what [`Money::precheck`] read: a right PIN with nothing
    /// to clear passes at once; anything else (wrong, locked, not set, tries to reset) goes
    /// through the PIN's own counter and lock as [`Money::check_pin`] does.
    pub async fn check_pin_read(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        pin: &str,
        read: PinRead,
    ) -> Result<(), MoneyError> {
        if read.clean {
            return Ok(());
        }
        self.check_pin(store, holder_id, pin).await
    }

    /// The first reply given for `key`, if the call finished; refuses a reused or running key.
    pub async fn replay(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
    ) -> Result<Option<Reply>, MoneyError> {
        let k = key.clone();
        let (now, stale) = (self.now_ms(), self.policy.idempotency_stale_ms);
        let row = store
            .transact_read(move |r| r.idempotency(&k.caller, &k.key))
            .await?;
        match judge(row, key, now, stale) {
            Ok(_) => Ok(None),
            Err(MoneyError::Replay(reply)) => Ok(Some(reply)),
            Err(e) => Err(e),
        }
    }

    /// Keeps a refusal's reply with its key, so a retry gets the same answer. A key that already
    /// has a reply keeps it.
    pub async fn remember_refusal(
        &self,
        store: &impl RecordStore,
        key: &IdempotencyKey,
        reply: Reply,
    ) -> Result<(), MoneyError> {
        let key = key.clone();
        let now = self.now_ms();
        self.run(store, move |r| {
            match r.idempotency(&key.caller, &key.key)? {
                Some(row)
                    if row.state == IdempotencyState::Done || row.request_digest != key.digest => {}
                _ => finish(r, &key, "", &reply, now)?,
            }
            Ok(())
        })
        .await
    }
}

/// What [`Money::precheck`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precheck {
    /// The key's call finished: here is its first reply.
    Replay(Reply),
    /// The call may run; what was read of the payment password.
    Proceed(PinRead),
}

/// What [`Money::precheck`] read of the payment password, for [`Money::check_pin_read`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinRead {
    /// The PIN was right, with no wrong tries or lock to clear.
    clean: bool,
}

/// Refuses money calls while the maintenance window `window` is on at `now`.
fn open_at(window: Option<maintenance::Maintenance>, now: i64) -> Result<(), MoneyError> {
    match window {
        Some(m) if m.until_ms > now => Err(MoneyError::Maintenance {
            retry_after_s: u64::try_from((m.until_ms - now + 999) / 1000).unwrap_or(1),
            message: m.message,
        }),
        _ => Ok(()),
    }
}

/// Checks an amount from the wire: whole, positive, at most `max`.
pub fn amount(value: i64, max: Amount) -> Result<PositiveAmount, MoneyError> {
    PositiveAmount::new(value)
        .filter(|a| a.minor() <= max.minor())
        .ok_or(MoneyError::AmountInvalid)
}

/// The currencies wallets hold and move: only the renminbi so far (top-ups, withdrawals and
/// merchant payments are CNY only, so any other currency could never be funded).
pub const SUPPORTED_CURRENCIES: &[Currency] = &[Currency::CNY];

/// A currency from the wire, `CNY` when absent; a code that is not one of
/// [`SUPPORTED_CURRENCIES`] (`XYZ`, `USD`, `cny`) is `currency_unsupported`.
pub fn currency(code: Option<&str>) -> Result<Currency, MoneyError> {
    match code {
        None => Ok(Currency::CNY),
        Some(code) => Currency::parse(code)
            .filter(|c| SUPPORTED_CURRENCIES.contains(c))
            .ok_or(MoneyError::CurrencyUnsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_of_a_movement_has_its_own_entry_id() {
        let id = new_movement_id();
        let (m, p, v) = (
            entry_id(&id, Step::Move),
            entry_id(&id, Step::Post),
            entry_id(&id, Step::Void),
        );
        assert!(m != p && p != v && m != v);
        assert_eq!(
            m,
            entry_id(&id, Step::Move),
            "the same step gets the same id again"
        );
        let other = new_movement_id();
        assert_ne!(entry_id(&other, Step::Move), m);
    }

    #[test]
    fn amounts_must_be_positive_and_bounded() {
        let ten = Amount::from_minor(10);
        assert!(amount(0, ten).is_err());
        assert!(amount(-1, ten).is_err());
        assert!(amount(11, ten).is_err());
        assert_eq!(amount(10, ten).ok().map(PositiveAmount::minor), Some(10));
    }

    #[test]
    fn only_supported_currencies_are_accepted() {
        assert_eq!(currency(None).ok(), Some(Currency::CNY));
        assert_eq!(currency(Some("CNY")).ok(), Some(Currency::CNY));
        for code in ["XYZ", "USD", "cny", "", "人民币"] {
            assert!(currency(Some(code)).is_err(), "{code:?}");
        }
    }
}
