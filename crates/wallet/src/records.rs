//! The rows the wallet's opening and login rules read and write, and the transactional port through
//! which they do. The rules (in [`crate::opening`]) run inside one serialisable transaction, so a
//! check and the write it allows can never be split by another request.

use crate::StoreError;

/// A one-time SMS code waiting to be used. Only a keyed digest of the code is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpRecord {
    /// The phone (E.164) it was sent to.
    pub phone: String,
    /// What it is for (`signup`, `login`, …).
    pub purpose: String,
    /// Keyed digest of the code.
    pub code_digest: String,
    /// When it stops working (ms since the epoch).
    pub expires_ms: i64,
    /// Wrong codes tried against it so far.
    pub wrong_tries: i64,
}

/// The codes sent within a window: how many, and the oldest and newest sending times (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendWindow {
    /// How many.
    pub count: i64,
    /// The first in the window.
    pub oldest_ms: Option<i64>,
    /// The last in the window.
    pub latest_ms: Option<i64>,
}

/// A holder: one person, one phone, one wallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolderRecord {
    /// The holder's id.
    pub id: String,
    /// The wallet's id, which other holders and merchants see.
    pub wallet_id: String,
    /// The phone, E.164.
    pub phone: String,
    /// Argon2id PHC string of the login password.
    pub password_hash: String,
    /// `active`, `frozen`, `restricted` or `closed`.
    pub status: String,
    /// The real-name level, 0–3.
    pub kyc_level: i64,
    /// Wrong login passwords since the last success or recovery.
    pub login_failures: i64,
    /// Whether login is locked until recovery.
    pub login_locked: bool,
    /// When the holder signed up (ms).
    pub created_ms: i64,
}

/// A logged-in device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session's id (shown in the session list; not a credential).
    pub id: String,
    /// SHA-256 of the bearer token; the token itself is never stored.
    pub token_digest: String,
    /// Whose session.
    pub holder_id: String,
    /// The device it belongs to; one live session per device.
    pub device_id: String,
    /// What the holder called the device.
    pub device_name: String,
    /// When it was made (ms).
    pub created_ms: i64,
    /// When it was last used (ms).
    pub last_seen_ms: i64,
}

/// An SMS queued in the durable outbox, written in the same transaction as what caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxSms {
    /// Its number in the outbox.
    pub id: i64,
    /// The phone (E.164).
    pub phone: String,
    /// The text.
    pub text: String,
    /// The code it carries, kept only in sandbox mode so the sandbox can show it.
    pub code: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// When it was queued (ms).
    pub created_ms: i64,
}

/// A verified real-name record. Name and ID number are sealed; `id_blind` finds it by ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityRecord {
    /// Whose.
    pub holder_id: String,
    /// The legal name, sealed.
    pub name_sealed: Vec<u8>,
    /// The name as others may see it (`*三`).
    pub masked_name: String,
    /// The ID number, sealed.
    pub id_sealed: Vec<u8>,
    /// Keyed digest of the ID number.
    pub id_blind: String,
    /// `YYYY-MM-DD`, taken from the ID number.
    pub birth_date: String,
    /// When it was verified (ms).
    pub verified_ms: i64,
}

/// A bank card of a holder's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRecord {
    /// The card's id.
    pub id: String,
    /// Whose.
    pub holder_id: String,
    /// The full number, sealed.
    pub number_sealed: Vec<u8>,
    /// Keyed digest of the number.
    pub number_blind: String,
    /// The first six digits.
    pub bin: String,
    /// The last four digits.
    pub last4: String,
    /// The issuer's name.
    pub bank_name: String,
    /// `debit` or `credit`.
    pub card_type: String,
    /// The phone registered with the bank.
    pub reserved_phone: String,
    /// The bank's reference for the binding.
    pub bank_reference: String,
    /// The bank's token for the card once bound, sealed.
    pub token_sealed: Option<Vec<u8>>,
    /// `pending_otp`, `active`, `failed` or `unbound`.
    pub status: String,
    /// Whether payments use it by default.
    pub is_default: bool,
    /// Wrong binding codes tried.
    pub confirm_tries: i64,
    /// When binding began (ms).
    pub created_ms: i64,
}

/// A payment password as a keyed digest, with its lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRecord {
    /// Whose.
    pub holder_id: String,
    /// Keyed digest of holder id and PIN.
    pub digest: String,
    /// Wrong PINs since the last right one.
    pub failures: i64,
    /// Payments are locked until then (ms), if set.
    pub locked_until_ms: Option<i64>,
    /// When it was set (ms).
    pub set_ms: i64,
}

/// The records, inside one transaction. Every method is one small read or write; the rules that
/// decide what to read and write live in the use cases.
pub trait Records {
    /// The live code for `phone` and `purpose`, if any.
    fn otp(&mut self, phone: &str, purpose: &str) -> Result<Option<OtpRecord>, StoreError>;
    /// Stores a code, replacing any earlier one for the same phone and purpose.
    fn put_otp(&mut self, otp: &OtpRecord) -> Result<(), StoreError>;
    /// Removes the code for `phone` and `purpose`.
    fn delete_otp(&mut self, phone: &str, purpose: &str) -> Result<(), StoreError>;
    /// The codes sent to `phone` since `since_ms`.
    fn otp_sends_to_phone(&mut self, phone: &str, since_ms: i64) -> Result<SendWindow, StoreError>;
    /// The codes `client_ip` asked for since `since_ms`.
    fn otp_sends_from_ip(
        &mut self,
        client_ip: &str,
        since_ms: i64,
    ) -> Result<SendWindow, StoreError>;
    /// Records that a code was sent.
    fn record_otp_send(
        &mut self,
        phone: &str,
        client_ip: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// The security events of `scope` about `subject` since `since_ms` (see [`crate::throttle`]).
    fn security_events(
        &mut self,
        scope: &str,
        subject: &str,
        since_ms: i64,
    ) -> Result<SendWindow, StoreError>;
    /// Records one security event, and forgets that subject's events of the scope older than
    /// `forget_before_ms`, which no window reaches any more.
    fn record_security_event(
        &mut self,
        scope: &str,
        subject: &str,
        at_ms: i64,
        forget_before_ms: i64,
    ) -> Result<(), StoreError>;
    /// Queues an SMS; returns its outbox id.
    fn queue_sms(
        &mut self,
        phone: &str,
        text: &str,
        code: Option<&str>,
        at_ms: i64,
    ) -> Result<i64, StoreError>;
    /// The holder with this phone.
    fn holder_by_phone(&mut self, phone: &str) -> Result<Option<HolderRecord>, StoreError>;
    /// The holder with this id.
    fn holder(&mut self, id: &str) -> Result<Option<HolderRecord>, StoreError>;
    /// Adds a holder; `StoreError::Duplicate` when the phone is taken.
    fn insert_holder(&mut self, holder: &HolderRecord) -> Result<(), StoreError>;
    /// Saves a holder's login counters.
    fn set_login_failures(
        &mut self,
        holder_id: &str,
        failures: i64,
        locked: bool,
    ) -> Result<(), StoreError>;
    /// Whether the operator's restriction list holds `blind` (a keyed digest) of `kind`.
    fn is_restricted(&mut self, kind: &str, blind: &str) -> Result<bool, StoreError>;
    /// Whether the holder has logged in from this device before.
    fn device_known(&mut self, holder_id: &str, device_id: &str) -> Result<bool, StoreError>;
    /// Remembers a device of the holder's.
    fn remember_device(
        &mut self,
        holder_id: &str,
        device_id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// Adds a session, ending any other live session of the same holder on the same device.
    fn insert_session(&mut self, session: &SessionRecord) -> Result<(), StoreError>;
    /// The live session whose token has this digest.
    fn session_by_token(&mut self, token_digest: &str)
    -> Result<Option<SessionRecord>, StoreError>;
    /// The holder's live sessions, newest first.
    fn sessions_of(&mut self, holder_id: &str) -> Result<Vec<SessionRecord>, StoreError>;
    /// Ends a session of the holder's; false when the holder has no such live session.
    fn end_session(
        &mut self,
        holder_id: &str,
        session_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Notes that a session was used.
    fn touch_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Sets the holder's real-name level.
    fn set_kyc_level(&mut self, holder_id: &str, level: i64) -> Result<(), StoreError>;
    /// Sets the holder's status (`active`, `frozen`, …).
    fn set_status(&mut self, holder_id: &str, status: &str) -> Result<(), StoreError>;
    /// Replaces the login password and unlocks login.
    fn set_password_hash(&mut self, holder_id: &str, hash: &str) -> Result<(), StoreError>;
    /// The holder's verified identity.
    fn identity(&mut self, holder_id: &str) -> Result<Option<IdentityRecord>, StoreError>;
    /// Who holds the identity with this ID-number digest.
    fn identity_holder(&mut self, id_blind: &str) -> Result<Option<String>, StoreError>;
    /// Records a verified identity; `Duplicate` when another holder has the ID number.
    fn insert_identity(&mut self, identity: &IdentityRecord) -> Result<(), StoreError>;
    /// Stores a sealed photo of `kind` (`id` or `face`), replacing an earlier one.
    fn put_photo(
        &mut self,
        holder_id: &str,
        kind: &str,
        sealed: &[u8],
        content_type: &str,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    /// Whether the holder has a photo of `kind`.
    fn has_photo(&mut self, holder_id: &str, kind: &str) -> Result<bool, StoreError>;
    /// The holder's cards that are bound or being bound, oldest first.
    fn cards_of(&mut self, holder_id: &str) -> Result<Vec<CardRecord>, StoreError>;
    /// One card of the holder's (in any status).
    fn card(&mut self, holder_id: &str, card_id: &str) -> Result<Option<CardRecord>, StoreError>;
    /// The bound card with this number digest, whoever's it is.
    fn active_card(&mut self, number_blind: &str) -> Result<Option<CardRecord>, StoreError>;
    /// Adds a card.
    fn insert_card(&mut self, card: &CardRecord) -> Result<(), StoreError>;
    /// Saves a card's status, token, default flag and tries.
    fn update_card(&mut self, card: &CardRecord) -> Result<(), StoreError>;
    /// The holder's payment password.
    fn pin(&mut self, holder_id: &str) -> Result<Option<PinRecord>, StoreError>;
    /// Sets the holder's payment password record.
    fn put_pin(&mut self, pin: &PinRecord) -> Result<(), StoreError>;

    // ---- The till's sessions (see [`crate::till`]) ------------------------------------------
    /// Adds a till session.
    fn insert_till_session(
        &mut self,
        session: &crate::till::TillSessionRecord,
    ) -> Result<(), StoreError>;
    /// The till session whose token has this digest, unless it has ended.
    fn till_session_by_token(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<crate::till::TillSessionRecord>, StoreError>;
    /// Notes that a till session was used.
    fn touch_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Ends a till session; false when it had ended already or never was.
    fn end_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<bool, StoreError>;
    // ---- end of the till's sessions ---------------------------------------------------------
}

/// Runs rules over [`Records`] in one serialisable transaction. The work may run more than once
/// (a backend may retry a serialisation conflict), so it must have no effect outside the records.
pub trait RecordStore: Send + Sync {
    /// Runs `work`, committing if it returns `Ok`.
    fn transact<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn Records) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send;

    /// Runs money `work` in one transaction that excludes every other money transaction, on every
    /// node, so the balances, limits and idempotency rows it reads stay true until it commits.
    fn transact_money<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn crate::money::records::MoneyTx) -> Result<T, StoreError>
        + Send
        + Sync
        + 'static,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send;

    /// Runs reads in one consistent snapshot, without taking any write lock. Writes fail.
    fn transact_read<T: Send + 'static>(
        &self,
        work: impl Fn(&mut dyn crate::money::records::MoneyTx) -> Result<T, StoreError>
        + Send
        + Sync
        + 'static,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send;

    /// The outbox's newest messages to `phone` (or to anyone), for the sandbox's SMS view.
    fn outbox(
        &self,
        phone: Option<String>,
        limit: i64,
    ) -> impl std::future::Future<Output = Result<Vec<OutboxSms>, StoreError>> + Send;
}
