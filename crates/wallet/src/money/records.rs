//! The rows the money use cases read and write, and the port through which they do: every money
//! call runs as plain code over [`MoneyTx`] inside one transaction that also applies its ledger
//! entry, so the balance, the records, the inbox, the outboxes and the idempotency row commit
//! together or not at all.

use crate::records::Records;
use crate::{AccountOwner, StoreError};
use qianbao_ledger::{Account, AccountKind, Applied, Currency, Instruction, Rejection};

/// A caller's use of one `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Who called: `holder:<id>` or `merchant:<id>`.
    pub caller: String,
    /// The key as sent.
    pub key: String,
    /// SHA-256 of the request (method, path, body), to tell a retry from a reuse.
    pub request_digest: String,
    /// `running` while an attempt is under way (a bank call), `done` once answered.
    pub state: String,
    /// The attempt that owns the row; only it may finish it.
    pub attempt: String,
    /// The id of what the call makes (a top-up's movement), kept across attempts.
    pub resource_id: String,
    /// The HTTP status answered, once done.
    pub status: Option<i64>,
    /// The body answered, once done.
    pub body: Option<String>,
    /// First seen (ms).
    pub created_ms: i64,
    /// Last changed (ms).
    pub updated_ms: i64,
}

impl IdempotencyRecord {
    /// The row as a new attempt that takes over a stale one leaves it.
    pub fn taken_over(&self, attempt: &str, now_ms: i64) -> IdempotencyRecord {
        IdempotencyRecord {
            attempt: attempt.to_string(),
            updated_ms: now_ms,
            ..self.clone()
        }
    }
}

/// One side of a movement as its owner sees it in their records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovementRecord {
    /// The record's id; the payer's is the id the money call returns.
    pub id: String,
    /// Whose record: a holder's id, or a merchant's for its settlements.
    pub owner_id: String,
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund` or `settlement`.
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Which limits it counts toward: `transfer`, `receive_code`, `static_qr`, `order`,
    /// `payment_code`, `payment_code_free`, `card`, `merchant`.
    pub channel: String,
    /// Minor units moved, without the fee.
    pub amount: i64,
    /// The fee the owner paid on it.
    pub fee: i64,
    /// ISO 4217.
    pub currency: String,
    /// The other side as the owner may see it (`*三`, a shop's name, `工商银行 ****1234`).
    pub counterparty: String,
    /// The other side's id (holder or merchant), when there is one.
    pub peer_id: Option<String>,
    /// `succeeded`, `pending`, `scheduled`, `failed` or `cancelled`.
    pub status: String,
    /// The payer's note.
    pub memo: String,
    /// The ledger entry or hold behind it.
    pub entry_id: Option<String>,
    /// The bank card of a top-up or withdrawal.
    pub card_id: Option<String>,
    /// When it was made (ms).
    pub created_ms: i64,
    /// When its status last changed (ms).
    pub updated_ms: i64,
}

/// Which records to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MovementFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Made at or after (ms).
    pub from_ms: Option<i64>,
    /// Made before (ms).
    pub to_ms: Option<i64>,
    /// Only ids before this one (the cursor; ids sort by time).
    pub before_id: Option<String>,
    /// At most this many.
    pub limit: i64,
}

/// A shop that takes payments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantRecord {
    /// Its id.
    pub id: String,
    /// The holder who opened it.
    pub holder_id: String,
    /// Its name as payers see it.
    pub name: String,
    /// What it sells (`restaurant`, …).
    pub category: String,
    /// SHA-256 of the API key.
    pub key_digest: String,
    /// `active` or `suspended`.
    pub status: String,
    /// Where events are POSTed.
    pub webhook_url: Option<String>,
    /// The webhook signing secret, sealed.
    pub webhook_secret_sealed: Option<Vec<u8>>,
    /// When it was opened (ms).
    pub created_ms: i64,
}

/// An order with a fixed amount, shown as a QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    /// Its id.
    pub id: String,
    /// Whose.
    pub merchant_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// What it is for.
    pub description: String,
    /// `open` or `paid` (expiry is read from `expires_ms`).
    pub status: String,
    /// When it stops taking payment (ms).
    pub expires_ms: i64,
    /// The payment that paid it.
    pub payment_id: Option<String>,
    /// When it was made (ms).
    pub created_ms: i64,
}

/// A payment code a holder showed; only a keyed digest of the code is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentCodeRecord {
    /// Keyed digest of the 18 digits.
    pub digest: String,
    /// Whose.
    pub holder_id: String,
    /// When it stops working (ms).
    pub expires_ms: i64,
    /// When it was charged, if it was.
    pub used_ms: Option<i64>,
    /// When it was made (ms).
    pub created_ms: i64,
}

/// A payment a merchant received, with what has been refunded of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantPaymentRecord {
    /// The payment's id (the payer's movement id).
    pub id: String,
    /// Who was paid.
    pub merchant_id: String,
    /// Who paid.
    pub holder_id: String,
    /// Minor units the payer paid.
    pub amount: i64,
    /// The merchant's fee on it (merchant discount rate).
    pub fee: i64,
    /// ISO 4217.
    pub currency: String,
    /// Refunded so far.
    pub refunded: i64,
    /// Fee given back with those refunds.
    pub fee_refunded: i64,
    /// The order it paid, if any.
    pub order_id: Option<String>,
    /// `order`, `static_qr`, `payment_code` or `payment_code_free`.
    pub channel: String,
    /// The merchant's description.
    pub description: String,
    /// When (ms).
    pub created_ms: i64,
}

/// A refund of (part of) a merchant payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRecord {
    /// The refund's id.
    pub id: String,
    /// Whose payment.
    pub merchant_id: String,
    /// Which payment.
    pub payment_id: String,
    /// Minor units back to the payer.
    pub amount: i64,
    /// Fee given back to the merchant with it.
    pub fee_back: i64,
    /// Why, as the merchant wrote it.
    pub reason: String,
    /// When (ms).
    pub created_ms: i64,
}

/// One alert in a holder's inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Its number; later alerts have larger ones.
    pub id: i64,
    /// Whose.
    pub holder_id: String,
    /// What happened (`topup`, `transfer_in`, …).
    pub kind: String,
    /// One line.
    pub title: String,
    /// The details.
    pub body: String,
    /// The line in English.
    pub title_en: String,
    /// The details in English.
    pub body_en: String,
    /// The movement it is about.
    pub movement_id: Option<String>,
    /// When (ms).
    pub created_ms: i64,
}

/// Work due later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerRecord {
    /// Its id.
    pub id: String,
    /// `withdrawal_payout`, `topup_reconcile` or `transfer_release`.
    pub kind: String,
    /// What it acts on (a movement id).
    pub subject: String,
    /// When it is due (ms).
    pub due_ms: i64,
    /// Tries so far.
    pub attempts: i64,
    /// When it was set (ms).
    pub created_ms: i64,
}

/// A webhook event waiting for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRecord {
    /// Its number.
    pub id: i64,
    /// To whom.
    pub merchant_id: String,
    /// `payment.succeeded`, `refund.succeeded`, …
    pub event: String,
    /// The JSON body, exactly as signed and sent.
    pub body: String,
    /// Tries so far.
    pub attempts: i64,
}

/// A read a money call is about to make, named so that the store may make several at once
/// ([`MoneyRecords::read_ahead`]). Each is the read of the method it names, with its arguments.
#[derive(Clone, Copy, Debug)]
pub enum ReadAhead<'a> {
    /// [`MoneyRecords::idempotency`].
    Idempotency {
        /// The caller.
        caller: &'a str,
        /// Their key.
        key: &'a str,
    },
    /// [`Records::holder`].
    Holder(&'a str),
    /// [`Records::holder_by_phone`], with the phone in E.164.
    HolderByPhone(&'a str),
    /// [`MoneyRecords::holder_by_wallet`].
    HolderByWallet(&'a str),
    /// [`Records::identity`].
    Identity(&'a str),
    /// [`MoneyRecords::spent_since`].
    SpentSince {
        /// Whose spending.
        owner_id: &'a str,
        /// From when.
        since_ms: i64,
        /// Through which channels.
        channels: &'a [&'a str],
    },
    /// [`MoneyRecords::merchant`].
    Merchant(&'a str),
    /// [`MoneyRecords::account`] (an account found, not one to open).
    Account {
        /// Whose.
        owner: &'a AccountOwner,
        /// Of which kind.
        kind: AccountKind,
        /// In which currency.
        currency: Currency,
    },
}

/// The money rows, inside one transaction. Each method is one small read or write; the rules
/// live in the use cases.
pub trait MoneyRecords {
    /// Reads the call is about to make, all known before the first is needed: a store may make
    /// them together (PostgreSQL: in one round trip) and answer them from that until anything is
    /// written. A hint only: the reads are then made as usual, and may be made again.
    fn read_ahead(&mut self, reads: &[ReadAhead<'_>]) -> Result<(), StoreError> {
        let _ = reads;
        Ok(())
    }
    /// Applies a ledger instruction inside this transaction. A rejection changes nothing.
    fn apply(
        &mut self,
        instruction: &Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError>;
    /// The account `owner` holds of `kind` in `currency`, opened empty if missing.
    fn account(
        &mut self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<Account, StoreError>;
    /// The holder whose wallet has this id.
    fn holder_by_wallet(
        &mut self,
        wallet_id: &str,
    ) -> Result<Option<crate::records::HolderRecord>, StoreError>;
    /// Every account of `owner`.
    fn accounts_of(&mut self, owner: &AccountOwner) -> Result<Vec<Account>, StoreError>;

    /// The row for `caller` and `key`.
    fn idempotency(
        &mut self,
        caller: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;
    /// Inserts or replaces the row for its caller and key.
    fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), StoreError>;

    /// One movement record.
    fn movement(&mut self, id: &str) -> Result<Option<MovementRecord>, StoreError>;
    /// The movements still waiting on the bank with card `card_id`: payouts to it and top-ups
    /// from it whose timer has not finished them.
    fn waiting_on_card(&mut self, card_id: &str) -> Result<Vec<MovementRecord>, StoreError>;
    /// Adds a movement record.
    fn insert_movement(&mut self, movement: &MovementRecord) -> Result<(), StoreError>;
    /// Sets a movement's status.
    fn set_movement_status(&mut self, id: &str, status: &str, at_ms: i64)
    -> Result<(), StoreError>;
    /// An owner's records, newest first.
    fn movements(
        &mut self,
        owner_id: &str,
        filter: &MovementFilter,
    ) -> Result<Vec<MovementRecord>, StoreError>;
    /// What left `owner_id`'s wallet through `channels` from the start of the day (China time)
    /// containing `since_ms`, counting pending and scheduled movements (they will leave) and not
    /// failed or cancelled ones.
    fn spent_since(
        &mut self,
        owner_id: &str,
        since_ms: i64,
        channels: &[&str],
    ) -> Result<i64, StoreError>;
    /// What was withdrawn to cards over the owner's whole life (for the free quota).
    fn withdrawn_total(&mut self, owner_id: &str) -> Result<i64, StoreError>;

    /// One merchant.
    fn merchant(&mut self, id: &str) -> Result<Option<MerchantRecord>, StoreError>;
    /// The merchant whose API key has this digest.
    fn merchant_by_key(&mut self, key_digest: &str) -> Result<Option<MerchantRecord>, StoreError>;
    /// Adds a merchant.
    fn insert_merchant(&mut self, merchant: &MerchantRecord) -> Result<(), StoreError>;
    /// Saves a merchant's key digest, status and webhook.
    fn update_merchant(&mut self, merchant: &MerchantRecord) -> Result<(), StoreError>;
    /// The merchants a holder opened.
    fn merchants_of(&mut self, holder_id: &str) -> Result<Vec<MerchantRecord>, StoreError>;

    /// One order.
    fn order(&mut self, id: &str) -> Result<Option<OrderRecord>, StoreError>;
    /// Adds an order.
    fn insert_order(&mut self, order: &OrderRecord) -> Result<(), StoreError>;
    /// Marks an order paid by `payment_id`.
    fn pay_order(&mut self, id: &str, payment_id: &str) -> Result<(), StoreError>;

    /// The payment code with this digest.
    fn payment_code(&mut self, digest: &str) -> Result<Option<PaymentCodeRecord>, StoreError>;
    /// Adds a payment code.
    fn insert_payment_code(&mut self, code: &PaymentCodeRecord) -> Result<(), StoreError>;
    /// Marks a payment code used.
    fn use_payment_code(&mut self, digest: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Removes the holder's unused payment codes: a newer one takes their place.
    fn retire_payment_codes(&mut self, holder_id: &str) -> Result<(), StoreError>;

    /// One merchant payment.
    fn merchant_payment(&mut self, id: &str) -> Result<Option<MerchantPaymentRecord>, StoreError>;
    /// Adds a merchant payment.
    fn insert_merchant_payment(
        &mut self,
        payment: &MerchantPaymentRecord,
    ) -> Result<(), StoreError>;
    /// Saves how much of a payment is refunded.
    fn set_refunded(
        &mut self,
        id: &str,
        refunded: i64,
        fee_refunded: i64,
    ) -> Result<(), StoreError>;
    /// A merchant's payments, newest first, before `before_id` if given.
    fn merchant_payments(
        &mut self,
        merchant_id: &str,
        before_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<MerchantPaymentRecord>, StoreError>;
    /// Adds a refund.
    fn insert_refund(&mut self, refund: &RefundRecord) -> Result<(), StoreError>;

    /// Adds an alert to a holder's inbox (numbered by the store, in order).
    fn insert_notification(&mut self, n: &NotificationRecord) -> Result<(), StoreError>;
    /// A holder's alerts, newest first: before `before_id` if given, after `after_id` if given.
    fn notifications(
        &mut self,
        holder_id: &str,
        before_id: Option<i64>,
        after_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationRecord>, StoreError>;

    /// Sets a timer.
    fn insert_timer(&mut self, timer: &TimerRecord) -> Result<(), StoreError>;
    /// Timers due at `now_ms`, earliest first.
    fn due_timers(&mut self, now_ms: i64, limit: i64) -> Result<Vec<TimerRecord>, StoreError>;
    /// One timer.
    fn timer(&mut self, id: &str) -> Result<Option<TimerRecord>, StoreError>;
    /// Removes a timer (its work is done).
    fn delete_timer(&mut self, id: &str) -> Result<(), StoreError>;
    /// Moves a timer later, counting a try.
    fn reschedule_timer(&mut self, id: &str, due_ms: i64, attempts: i64) -> Result<(), StoreError>;

    /// Queues a webhook event for a merchant.
    fn queue_webhook(
        &mut self,
        merchant_id: &str,
        event: &str,
        body: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// Events due for delivery.
    fn pending_webhooks(
        &mut self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<WebhookRecord>, StoreError>;
    /// Records a delivery (`delivered`), or a failed try with the next one due at `next_ms`.
    fn webhook_tried(
        &mut self,
        id: i64,
        delivered: bool,
        next_ms: i64,
        at_ms: i64,
    ) -> Result<(), StoreError>;

    /// An operator setting.
    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets (`Some`) or clears (`None`) an operator setting.
    fn put_setting(&mut self, key: &str, value: Option<&str>, at_ms: i64)
    -> Result<(), StoreError>;
}

/// Both sets of records in one transaction: what a money call needs.
pub trait MoneyTx: Records + MoneyRecords {}

impl<T: Records + MoneyRecords + ?Sized> MoneyTx for T {}
