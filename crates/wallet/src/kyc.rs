//! Real-name verification, bank cards and the payment password: the steps that take a holder from
//! L0 to L2 with a PIN. Outside calls (verifier, bank) happen outside transactions; every check
//! and the write it allows happen inside one.

use crate::domain::{CardNumber, CardType, IdNumber, Phone, Photo, Pin, PinContext, PinError};
use crate::opening::{Opening, Purpose};
use crate::records::{CardRecord, HolderRecord, IdentityRecord, PinRecord, RecordStore, Records};
use crate::{
    Bank, CardCheck, CardCheckOutcome, CardConfirmOutcome, Clock, ConnectorError, FaceVerdict,
    IdentityVerdict, IdentityVerifier, StoreError,
};
use qianbao_secrets::KeyRing;
use qianbao_secrets::field::{blind_index, open, seal};
use qianbao_secrets::pin::{pin_digest, pin_matches};
use std::sync::Arc;

/// Why a verification, card or PIN call was refused. Each variant has the API's code.
#[derive(Debug, thiserror::Error)]
pub enum KycError {
    /// Verify the real name first.
    #[error("kyc_required")]
    KycRequired,
    /// The holder has already verified a real name.
    #[error("already_verified")]
    AlreadyVerified,
    /// The name is empty, too long or has characters no name has.
    #[error("name_invalid")]
    NameInvalid,
    /// The ID number is malformed (length, region, date, check digit).
    #[error("id_number_invalid")]
    IdNumberInvalid,
    /// Under 18 by the ID number's birth date.
    #[error("underage")]
    Underage,
    /// Name and ID number do not belong together, or do not match the verified identity.
    #[error("identity_mismatch")]
    IdentityMismatch,
    /// Another wallet is verified with this ID number.
    #[error("identity_taken")]
    IdentityTaken,
    /// The identity verifier is busy; retry.
    #[error("verifier_unavailable")]
    VerifierUnavailable,
    /// The person is on the operator's restriction list.
    #[error("account_restricted")]
    AccountRestricted,
    /// The card number (or its expiry or CVV) is malformed.
    #[error("card_invalid: {0}")]
    CardInvalid(&'static str),
    /// No known issuer has this card's BIN.
    #[error("card_unsupported")]
    CardUnsupported,
    /// The cardholder is not the verified holder, or the bank says so.
    #[error("card_holder_mismatch")]
    CardHolderMismatch,
    /// The bank refuses online binding of this card.
    #[error("bank_rejected")]
    BankRejected,
    /// The card must be activated at the bank first.
    #[error("card_inactive")]
    CardInactive,
    /// The card is bound already.
    #[error("card_already_bound")]
    CardAlreadyBound,
    /// Money is still on its way to or from the card; says what waits, e.g. "a withdrawal of
    /// ¥30.00". Unbinding would leave the bank nowhere to pay.
    #[error("card_in_use: {0}")]
    CardInUse(String),
    /// The bank is busy; retry.
    #[error("bank_unavailable")]
    BankUnavailable,
    /// The reserved phone is not a valid number.
    #[error("phone_invalid")]
    PhoneInvalid,
    /// The code is wrong.
    #[error("otp_invalid")]
    OtpInvalid {
        /// Tries left.
        attempts_left: Option<u32>,
    },
    /// The code has expired.
    #[error("otp_expired")]
    OtpExpired,
    /// Not six digits.
    #[error("pin_invalid")]
    PinInvalid,
    /// Too easy to guess.
    #[error("pin_weak: {0}")]
    PinWeak(&'static str),
    /// The payment password is wrong.
    #[error("pin_incorrect")]
    PinIncorrect {
        /// Tries left before payments lock.
        attempts_left: u32,
    },
    /// Payments are locked by wrong payment passwords.
    #[error("pin_locked")]
    PinLocked {
        /// Seconds until the lock ends.
        retry_after_s: u64,
    },
    /// No payment password is set yet.
    #[error("pin_not_set")]
    PinNotSet,
    /// The photo is not a readable JPEG or PNG of the right size; the reason names which.
    #[error("photo_invalid: {0}")]
    PhotoInvalid(&'static str),
    /// The selfie is not the ID's owner.
    #[error("face_mismatch")]
    FaceMismatch,
    /// No such thing of the caller's.
    #[error("not_found")]
    NotFound,
    /// The outside system answered something unexpected.
    #[error("connector: {0}")]
    Connector(String),
    /// A recovery guard refused: too many wrong identity answers (`rate_limited`), or a wrong one
    /// that used up one of the code's tries (`identity_mismatch` with `attempts_left`).
    #[error(transparent)]
    Recovery(crate::opening::OpeningError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sealing or randomness failed.
    #[error("secrets: {0}")]
    Secrets(String),
}

impl KycError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            KycError::KycRequired => "kyc_required",
            KycError::AlreadyVerified => "already_verified",
            KycError::NameInvalid => "name_invalid",
            KycError::IdNumberInvalid => "id_number_invalid",
            KycError::Underage => "underage",
            KycError::IdentityMismatch => "identity_mismatch",
            KycError::IdentityTaken => "identity_taken",
            KycError::VerifierUnavailable => "verifier_unavailable",
            KycError::AccountRestricted => "account_restricted",
            KycError::CardInvalid(_) => "card_invalid",
            KycError::CardUnsupported => "card_unsupported",
            KycError::CardHolderMismatch => "card_holder_mismatch",
            KycError::BankRejected => "bank_rejected",
            KycError::CardInactive => "card_inactive",
            KycError::CardAlreadyBound => "card_already_bound",
            KycError::BankUnavailable => "bank_unavailable",
            KycError::PhoneInvalid => "phone_invalid",
            KycError::OtpInvalid { .. } => "otp_invalid",
            KycError::OtpExpired => "otp_expired",
            KycError::PinInvalid => "pin_invalid",
            KycError::PinWeak(_) => "pin_weak",
            KycError::PinIncorrect { .. } => "pin_incorrect",
            KycError::PinLocked { .. } => "pin_locked",
            KycError::PinNotSet => "pin_not_set",
            KycError::PhotoInvalid(_) => "photo_invalid",
            KycError::FaceMismatch => "face_mismatch",
            KycError::NotFound => "not_found",
            KycError::Connector(_) | KycError::Secrets(_) => "internal",
            KycError::Store(_) => "storage_unavailable",
            KycError::CardInUse(_) => "card_in_use",
            KycError::Recovery(e) => e.code(),
        }
    }
}

fn secrets(e: impl std::fmt::Display) -> KycError {
    KycError::Secrets(e.to_string())
}

/// Wrong binding codes after which a binding is abandoned and must start again.
const CARD_CODE_TRIES_MAX: i64 = 5;

/// What the verification, card and PIN use cases need besides storage.
#[derive(Clone)]
pub struct Kyc {
    /// The code checks and keys of sign-up and login.
    pub opening: Opening,
    /// The identity verifier.
    pub verifier: Arc<dyn IdentityVerifier>,
    /// The bank.
    pub bank: Arc<dyn Bank>,
    /// Wrong payment passwords after which payments lock.
    pub pin_tries_max: i64,
    /// How long that lock lasts.
    pub pin_lock_ms: i64,
}

/// A card binding request as the holder typed it.
#[derive(Clone)]
pub struct CardRequest {
    /// The card number.
    pub card_number: String,
    /// The name on the card.
    pub holder_name: String,
    /// The cardholder's ID number.
    pub id_number: String,
    /// The phone registered with the bank.
    pub reserved_phone: String,
    /// `MM/YY`, credit cards only.
    pub expiry: Option<String>,
    /// Credit cards only; passed to the bank and nowhere else.
    pub cvv: Option<String>,
}

/// A legal name: 1–50 characters of letters (any script), spaces, `·`, `-`, `.` or `'`.
/// Returns the name and its masked form (`*三`).
pub fn legal_name(input: &str) -> Result<(String, String), KycError> {
    let name = input.trim();
    let count = name.chars().count();
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '·' | '•' | '-' | '.' | '\'');
    // A name is letters with separators between them, never separators alone ("-", "...").
    if count == 0
        || count > 50
        || !name.chars().all(allowed)
        || !name.chars().any(char::is_alphabetic)
    {
        return Err(KycError::NameInvalid);
    }
    let last = name.chars().last().map(String::from).unwrap_or_default();
    Ok((name.to_string(), format!("*{last}")))
}

impl Kyc {
    fn keys(&self) -> &KeyRing {
        &self.opening.keys
    }

    fn clock(&self) -> &dyn Clock {
        self.opening.clock.as_ref()
    }

    /// Today's date in China (UTC+8): ages and expiries turn over at Beijing midnight.
    fn today(&self) -> time::Date {
        let ms = self.clock().now_ms() + 8 * 3600 * 1000;
        time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }

    /// Verifies the holder's real name and ID number with the identity verifier: L0 → L1.
    pub async fn verify_identity(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        name: &str,
        id_number: &str,
    ) -> Result<(i64, String), KycError> {
        if holder.kyc_level >= 1 {
            return Err(KycError::AlreadyVerified);
        }
        let (name, masked_name) = legal_name(name)?;
        let today = self.today();
        let id = IdNumber::parse_on(id_number, today).map_err(|_| KycError::IdNumberInvalid)?;
        id.require_adult(today).map_err(|_| KycError::Underage)?;
        let id_blind = blind_index(self.keys(), "id", id.expose());
        let restricted = {
            let id_blind = id_blind.clone();
            store
                .transact(move |r| {
                    Ok((
                        r.is_restricted("id", &id_blind)?,
                        r.identity_holder(&id_blind)?,
                    ))
                })
                .await?
        };
        if restricted.0 {
            return Err(KycError::AccountRestricted);
        }
        if restricted.1.is_some_and(|h| h != holder.id) {
            return Err(KycError::IdentityTaken);
        }
        match self.verifier.verify_name(&name, id.expose()).await {
            Ok(IdentityVerdict::Match) => {}
            Ok(IdentityVerdict::Mismatch) => return Err(KycError::IdentityMismatch),
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::VerifierUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        }
        let associated = format!("identity:{}", holder.id);
        let record = IdentityRecord {
            holder_id: holder.id.clone(),
            name_sealed: seal(self.keys(), name.as_bytes(), associated.as_bytes())
                .map_err(secrets)?,
            masked_name,
            id_sealed: seal(self.keys(), id.expose().as_bytes(), associated.as_bytes())
                .map_err(secrets)?,
            id_blind,
            birth_date: id.birth_date().to_string(),
            verified_ms: self.clock().now_ms(),
        };
        let birth_date = record.birth_date.clone();
        let holder_id = holder.id.clone();
        let stored = store
            .transact(move |r| {
                if r.identity(&holder_id)?.is_some() {
                    return Ok(Err(KycError::AlreadyVerified));
                }
                r.insert_identity(&record)?;
                r.set_kyc_level(&holder_id, 1)?;
                Ok(Ok(()))
            })
            .await;
        match stored {
            Ok(Ok(())) => Ok((1, birth_date)),
            Ok(Err(e)) => Err(e),
            // Two holders raced to verify one ID number and the other was first.
            Err(StoreError::Duplicate(_)) => Err(KycError::IdentityTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// The holder's verified identity, opened: (name, ID number).
    fn opened_identity(&self, identity: &IdentityRecord) -> Result<(String, String), KycError> {
        let associated = format!("identity:{}", identity.holder_id);
        let name =
            open(self.keys(), &identity.name_sealed, associated.as_bytes()).map_err(secrets)?;
        let id = open(self.keys(), &identity.id_sealed, associated.as_bytes()).map_err(secrets)?;
        Ok((
            String::from_utf8(name).map_err(secrets)?,
            String::from_utf8(id).map_err(secrets)?,
        ))
    }

    async fn identity_of(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<IdentityRecord, KycError> {
        let holder_id = holder_id.to_string();
        store
            .transact(move |r| r.identity(&holder_id))
            .await?
            .ok_or(KycError::KycRequired)
    }

    /// Starts binding a card in the holder's own name: the bank checks it and texts a code to the
    /// reserved phone.
    pub async fn bind_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        request: CardRequest,
    ) -> Result<CardRecord, KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        let number = CardNumber::parse(&request.card_number)
            .map_err(|_| KycError::CardInvalid("card_number"))?;
        let issuer = crate::domain::bin::lookup(number.bin6()).ok_or(KycError::CardUnsupported)?;
        let (expiry, cvv) = match issuer.card_type {
            CardType::Credit => (
                Some(expiry(request.expiry.as_deref(), self.today())?),
                Some(cvv(request.cvv.as_deref())?),
            ),
            // A debit card needs neither; whatever was sent is dropped, never forwarded or kept.
            CardType::Debit => (None, None),
        };
        let reserved = Phone::parse(&request.reserved_phone).map_err(|_| KycError::PhoneInvalid)?;
        let (name, id_number) = self.opened_identity(&identity)?;
        let same_id = IdNumber::parse_on(&request.id_number, self.today())
            .is_ok_and(|id| id.expose() == id_number);
        if request.holder_name.trim() != name || !same_id {
            return Err(KycError::CardHolderMismatch);
        }
        let number_blind = blind_index(self.keys(), "card", number.expose());
        {
            let (blind, holder_id) = (number_blind.clone(), holder.id.clone());
            let bound = store.transact(move |r| r.active_card(&blind)).await?;
            if let Some(card) = bound {
                return Err(if card.holder_id == holder_id {
                    KycError::CardAlreadyBound
                } else {
                    // Someone else's card cannot be in this holder's name.
                    KycError::CardHolderMismatch
                });
            }
        }
        let check = CardCheck {
            card_number: number.expose().to_string(),
            holder_name: name,
            id_number,
            reserved_phone: reserved.as_e164().to_string(),
            expiry,
            cvv,
        };
        let outcome = self.bank.check_card(&check).await;
        drop(check);
        let (bank_reference, sandbox_code) = match outcome {
            Ok(CardCheckOutcome::CodeSent {
                bank_reference,
                sandbox_code,
            }) => (bank_reference, sandbox_code),
            Ok(CardCheckOutcome::HolderMismatch) => return Err(KycError::CardHolderMismatch),
            Ok(CardCheckOutcome::Rejected) => return Err(KycError::BankRejected),
            Ok(CardCheckOutcome::Inactive) => return Err(KycError::CardInactive),
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::BankUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        };
        let now = self.clock().now_ms();
        let card = CardRecord {
            id: crate::opening::new_id(),
            holder_id: holder.id.clone(),
            number_sealed: seal(
                self.keys(),
                number.expose().as_bytes(),
                format!("card:{}", holder.id).as_bytes(),
            )
            .map_err(secrets)?,
            number_blind,
            bin: number.bin6().to_string(),
            last4: number.last4().to_string(),
            bank_name: issuer.issuer_zh.to_string(),
            card_type: match issuer.card_type {
                CardType::Debit => "debit",
                CardType::Credit => "credit",
            }
            .to_string(),
            reserved_phone: reserved.as_e164().to_string(),
            bank_reference,
            token_sealed: None,
            status: "pending_otp".into(),
            is_default: false,
            confirm_tries: 0,
            created_ms: now,
        };
        let keep = self.opening.policy.keep_codes_in_outbox;
        let stored = card.clone();
        store
            .transact(move |r| {
                r.insert_card(&stored)?;
                // The sandbox bank cannot text; its code goes out through our outbox instead.
                if let Some(code) = &sandbox_code {
                    let text = format!(
                        "【{}】您正在绑定尾号{}的银行卡，验证码 {code}。如非本人操作请忽略。",
                        stored.bank_name, stored.last4
                    );
                    r.queue_sms(
                        &stored.reserved_phone,
                        &text,
                        keep.then_some(code.as_str()),
                        now,
                    )?;
                }
                Ok(())
            })
            .await?;
        Ok(card)
    }

    /// Finishes binding with the bank's code: the first bound card in the holder's own name
    /// makes them L2 and is the default.
    pub async fn confirm_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
        code: &str,
    ) -> Result<CardRecord, KycError> {
        let (holder_id, id) = (holder.id.clone(), card_id.to_string());
        let card = store
            .transact(move |r| r.card(&holder_id, &id))
            .await?
            .filter(|c| c.status == "pending_otp")
            .ok_or(KycError::NotFound)?;
        let outcome = self
            .bank
            .confirm_card(&card.bank_reference, code.trim())
            .await;
        let token = match outcome {
            Ok(CardConfirmOutcome::Bound { card_token }) => Some(card_token),
            Ok(CardConfirmOutcome::WrongCode) => None,
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::BankUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        };
        let token_sealed = token
            .map(|t| {
                seal(
                    self.keys(),
                    t.as_bytes(),
                    format!("card-token:{}", card.id).as_bytes(),
                )
            })
            .transpose()
            .map_err(secrets)?;
        let holder_id = holder.id.clone();
        let card_id = card.id.clone();
        store
            .transact(move |r| {
                let Some(mut card) = r
                    .card(&holder_id, &card_id)?
                    .filter(|c| c.status == "pending_otp")
                else {
                    return Ok(Err(KycError::NotFound));
                };
                let Some(sealed) = &token_sealed else {
                    card.confirm_tries += 1;
                    let left = CARD_CODE_TRIES_MAX - card.confirm_tries;
                    if left <= 0 {
                        card.status = "failed".into();
                    }
                    r.update_card(&card)?;
                    return Ok(Err(KycError::OtpInvalid {
                        attempts_left: u32::try_from(left.max(0)).ok(),
                    }));
                };
                if r.active_card(&card.number_blind)?.is_some() {
                    return Ok(Err(KycError::CardAlreadyBound));
                }
                let first = !r.cards_of(&holder_id)?.iter().any(|c| c.status == "active");
                card.status = "active".into();
                card.token_sealed = Some(sealed.clone());
                card.is_default = first;
                r.update_card(&card)?;
                if let Some(h) = r.holder(&holder_id)?
                    && h.kyc_level < 2
                {
                    r.set_kyc_level(&holder_id, 2)?;
                }
                Ok(Ok(card))
            })
            .await?
    }

    /// The holder's cards, bound or being bound, oldest first.
    pub async fn cards(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<Vec<CardRecord>, KycError> {
        let holder_id = holder_id.to_string();
        Ok(store.transact(move |r| r.cards_of(&holder_id)).await?)
    }

    /// Makes a bound card the default.
    pub async fn set_default_card(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        card_id: &str,
    ) -> Result<CardRecord, KycError> {
        let (holder_id, card_id) = (holder_id.to_string(), card_id.to_string());
        store
            .transact(move |r| {
                let cards = r.cards_of(&holder_id)?;
                if !cards
                    .iter()
                    .any(|c| c.id == card_id && c.status == "active")
                {
                    return Ok(Err(KycError::NotFound));
                }
                let mut chosen = None;
                for mut card in cards.into_iter().filter(|c| c.status == "active") {
                    let is_default = card.id == card_id;
                    if card.is_default != is_default {
                        card.is_default = is_default;
                        r.update_card(&card)?;
                    }
                    if is_default {
                        chosen = Some(card);
                    }
                }
                Ok(chosen.ok_or(KycError::NotFound))
            })
            .await?
    }

    /// Unbinds a card after the payment password; the next bound card becomes the default.
    pub async fn unbind_card(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        card_id: &str,
        pin: &str,
    ) -> Result<(), KycError> {
        {
            let (h, c) = (holder_id.to_string(), card_id.to_string());
            let card = store.transact(move |r| r.card(&h, &c)).await?;
            if card.is_none_or(|c| c.status != "active") {
                return Err(KycError::NotFound);
            }
        }
        self.check_pin(store, holder_id, pin).await?;
        let (holder_id, card_id) = (holder_id.to_string(), card_id.to_string());
        store
            .transact_money(move |r| {
                let Some(mut card) = r
                    .card(&holder_id, &card_id)?
                    .filter(|c| c.status == "active")
                else {
                    return Ok(Err(KycError::NotFound));
                };
                let waiting = r.waiting_on_card(&card.id)?;
                if !waiting.is_empty() {
                    return Ok(Err(KycError::CardInUse(waiting_text(&waiting))));
                }
                let was_default = card.is_default;
                card.status = "unbound".into();
                card.is_default = false;
                card.token_sealed = None;
                r.update_card(&card)?;
                if was_default
                    && let Some(mut next) = r
                        .cards_of(&holder_id)?
                        .into_iter()
                        .find(|c| c.status == "active")
                {
                    next.is_default = true;
                    r.update_card(&next)?;
                }
                Ok(Ok(()))
            })
            .await?
    }

    /// Sets the payment password (six digits, not guessable from the holder's own data). Changing
    /// it needs the old one, which counts toward the lock like any payment.
    pub async fn set_pin(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        pin: &str,
        old_pin: Option<&str>,
    ) -> Result<(), KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        let new = Pin::parse(pin).map_err(|_| KycError::PinInvalid)?;
        let (_, id_number) = self.opened_identity(&identity)?;
        let id = IdNumber::parse_on(&id_number, self.today()).ok();
        let phone = Phone::parse(&holder.phone).ok();
        new.check_strength(&PinContext {
            birth_date: None,
            id_number: id.as_ref(),
            phone: phone.as_ref(),
        })
        .map_err(|e| match e {
            PinError::Weak(w) => KycError::PinWeak(w.as_str()),
            _ => KycError::PinInvalid,
        })?;
        let has_pin = {
            let holder_id = holder.id.clone();
            store.transact(move |r| r.pin(&holder_id)).await?.is_some()
        };
        if has_pin {
            let old = old_pin.ok_or(KycError::PinIncorrect {
                attempts_left: u32::try_from(self.pin_tries_max).unwrap_or(0),
            })?;
            self.check_pin(store, &holder.id, old).await?;
        }
        let record = PinRecord {
            holder_id: holder.id.clone(),
            digest: pin_digest(self.keys(), &holder.id, new.expose()),
            failures: 0,
            locked_until_ms: None,
            set_ms: self.clock().now_ms(),
        };
        store.transact(move |r| r.put_pin(&record)).await?;
        Ok(())
    }

    /// Checks the payment password: a wrong one counts toward the lock, the last allowed one locks
    /// payments for [`Kyc::pin_lock_ms`]; a right one clears the count.
    pub async fn check_pin(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        pin: &str,
    ) -> Result<(), KycError> {
        let holder_id = holder_id.to_string();
        let keys = self.opening.keys.clone();
        let now = self.clock().now_ms();
        let (tries_max, lock_ms) = (self.pin_tries_max, self.pin_lock_ms);
        let pin = pin.to_string();
        // The common case — the right PIN, no wrong tries to clear — needs no write, so it reads
        // without taking the write lock that every payment's commit needs.
        let clean = {
            let (holder_id, keys, pin) = (holder_id.clone(), keys.clone(), pin.clone());
            store
                .transact_read(move |r| {
                    Ok(r.pin(&holder_id)?.is_some_and(|record| {
                        record.failures == 0
                            && record.locked_until_ms.is_none()
                            && pin_matches(&keys, &holder_id, &pin, &record.digest)
                    }))
                })
                .await?
        };
        if clean {
            return Ok(());
        }
        store
            .transact(move |r| {
                let Some(mut record) = r.pin(&holder_id)? else {
                    return Ok(Err(KycError::PinNotSet));
                };
                if let Some(until) = record.locked_until_ms {
                    if now < until {
                        return Ok(Err(KycError::PinLocked {
                            retry_after_s: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
                        }));
                    }
                    record.locked_until_ms = None;
                    record.failures = 0;
                }
                if pin_matches(&keys, &holder_id, &pin, &record.digest) {
                    if record.failures != 0 || record.locked_until_ms.is_some() {
                        record.failures = 0;
                        r.put_pin(&record)?;
                    }
                    return Ok(Ok(()));
                }
                record.failures += 1;
                let left = tries_max - record.failures;
                let error = if left <= 0 {
                    record.locked_until_ms = Some(now + lock_ms);
                    KycError::PinLocked {
                        retry_after_s: u64::try_from(lock_ms / 1000).unwrap_or(0),
                    }
                } else {
                    KycError::PinIncorrect {
                        attempts_left: u32::try_from(left).unwrap_or(0),
                    }
                };
                r.put_pin(&record)?;
                Ok(Err(error))
            })
            .await?
    }

    /// Resets the payment password by SMS code, ID number and a bound card's number; unlocks payments.
    pub async fn reset_pin(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        code: &str,
        id_number: &str,
        card_number: &str,
        pin: &str,
    ) -> Result<(), KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        // A malformed number is a wrong answer like any other: it is counted in the transaction.
        let id_blind = IdNumber::parse_on(id_number, self.today())
            .ok()
            .map(|id| blind_index(self.keys(), "id", id.expose()));
        let card_blind = CardNumber::parse(card_number)
            .ok()
            .map(|c| blind_index(self.keys(), "card", c.expose()));
        let new = Pin::parse(pin).map_err(|_| KycError::PinInvalid)?;
        let phone = Phone::parse(&holder.phone).map_err(|_| KycError::PhoneInvalid)?;
        let (_, opened_id) = self.opened_identity(&identity)?;
        let id = IdNumber::parse_on(&opened_id, self.today()).ok();
        new.check_strength(&PinContext {
            birth_date: None,
            id_number: id.as_ref(),
            phone: Some(&phone),
        })
        .map_err(|e| match e {
            PinError::Weak(w) => KycError::PinWeak(w.as_str()),
            _ => KycError::PinInvalid,
        })?;
        let code_digest = self
            .opening
            .code_digest(&phone, Purpose::ResetPin, code.trim());
        let digest = pin_digest(self.keys(), &holder.id, new.expose());
        let now = self.clock().now_ms();
        let holder_id = holder.id.clone();
        let opening = self.opening.clone();
        store
            .transact(move |r| {
                let e164 = phone.as_e164();
                if let Err(e) = opening.recovery_allowed(r, e164, now)? {
                    return Ok(Err(KycError::Recovery(e)));
                }
                match opening.check_code(r, e164, Purpose::ResetPin, &code_digest, now)? {
                    Err(crate::opening::OpeningError::OtpExpired) => {
                        return Ok(Err(KycError::OtpExpired));
                    }
                    Err(crate::opening::OpeningError::OtpInvalid { attempts_left }) => {
                        return Ok(Err(KycError::OtpInvalid { attempts_left }));
                    }
                    Err(_) => {
                        return Ok(Err(KycError::OtpInvalid {
                            attempts_left: None,
                        }));
                    }
                    Ok(()) => {}
                }
                let card_ok = match &card_blind {
                    Some(blind) => r
                        .active_card(blind)?
                        .is_some_and(|c| c.holder_id == holder_id),
                    None => false,
                };
                let id_ok = match &id_blind {
                    Some(blind) => r.identity_holder(blind)?.as_deref() == Some(holder_id.as_str()),
                    None => false,
                };
                if !id_ok || !card_ok {
                    let refusal = opening.wrong_identity_answer(r, e164, Purpose::ResetPin, now)?;
                    return Ok(Err(KycError::Recovery(refusal)));
                }
                r.delete_otp(e164, Purpose::ResetPin.as_str())?;
                r.put_pin(&PinRecord {
                    holder_id: holder_id.clone(),
                    digest: digest.clone(),
                    failures: 0,
                    locked_until_ms: None,
                    set_ms: now,
                })?;
                Ok(Ok(()))
            })
            .await?
    }

    /// Stores the holder's ID photo (JPEG or PNG, decoded for real, at most 5 MiB, at least
    /// 300×300), sealed.
    pub async fn upload_id_photo(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), KycError> {
        self.identity_of(store, &holder.id).await?;
        let photo =
            Photo::parse(bytes, content_type).map_err(|e| KycError::PhotoInvalid(e.reason()))?;
        let (holder_id, kind, sealed, content_type, now) =
            self.photo_row(&holder.id, "id", &photo)?;
        store
            .transact(move |r| r.put_photo(&holder_id, &kind, &sealed, &content_type, now))
            .await?;
        Ok(())
    }

    /// The sealed row for a photo: (holder id, kind, sealed bytes, real content type, time).
    fn photo_row(
        &self,
        holder_id: &str,
        kind: &'static str,
        photo: &Photo,
    ) -> Result<(String, String, Vec<u8>, String, i64), KycError> {
        let sealed = seal(
            self.keys(),
            photo.bytes(),
            format!("photo:{kind}:{holder_id}").as_bytes(),
        )
        .map_err(secrets)?;
        let content_type = photo.info().format.content_type();
        // Owned strings: a borrowed one captured by the transaction's closure trips rustc's
        // "Send is not general enough" limitation in the handlers' futures.
        Ok((
            holder_id.to_string(),
            kind.to_string(),
            sealed,
            content_type.to_string(),
            self.clock().now_ms(),
        ))
    }

    /// The face check: the selfie must be the verified ID's owner. With a bound card it raises
    /// the holder to L3; returns the level after.
    pub async fn face_check(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<i64, KycError> {
        let identity = self.identity_of(store, &holder.id).await?;
        let photo =
            Photo::parse(bytes, content_type).map_err(|e| KycError::PhotoInvalid(e.reason()))?;
        let (_, id_number) = self.opened_identity(&identity)?;
        match self.verifier.verify_face(&id_number, photo.bytes()).await {
            Ok(FaceVerdict::Match) => {}
            Ok(FaceVerdict::Mismatch) => return Err(KycError::FaceMismatch),
            Err(ConnectorError::Unavailable(_)) => return Err(KycError::VerifierUnavailable),
            Err(e) => return Err(KycError::Connector(e.to_string())),
        }
        let (holder_id, kind, sealed, content_type, now) =
            self.photo_row(&holder.id, "face", &photo)?;
        Ok(store
            .transact(move |r| {
                r.put_photo(&holder_id, &kind, &sealed, &content_type, now)?;
                let level = r.holder(&holder_id)?.map_or(0, |h| h.kyc_level);
                if level == 2 {
                    r.set_kyc_level(&holder_id, 3)?;
                    return Ok(3);
                }
                Ok(level)
            })
            .await?)
    }

    /// The masked real name of a holder, once verified.
    pub async fn masked_name(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
    ) -> Result<Option<String>, KycError> {
        let holder_id = holder_id.to_string();
        Ok(store
            .transact(move |r: &mut dyn Records| r.identity(&holder_id))
            .await?
            .map(|i| i.masked_name))
    }
}

/// A credit card's expiry, `MM/YY`, not before this month.
fn expiry(input: Option<&str>, today: time::Date) -> Result<String, KycError> {
    let bad = KycError::CardInvalid("expiry");
    let text = input
        .map(str::trim)
        .ok_or(KycError::CardInvalid("expiry"))?;
    let (mm, yy) = text
        .split_once('/')
        .ok_or(KycError::CardInvalid("expiry"))?;
    let (Ok(month), Ok(year)) = (mm.parse::<u8>(), yy.parse::<i32>()) else {
        return Err(bad);
    };
    if mm.len() != 2 || yy.len() != 2 || !(1..=12).contains(&month) {
        return Err(bad);
    }
    let this_month = (today.year(), u8::from(today.month()));
    if (2000 + year, month) < this_month {
        return Err(bad);
    }
    Ok(format!("{mm}/{yy}"))
}

/// A credit card's CVV: exactly three digits.
fn cvv(input: Option<&str>) -> Result<String, KycError> {
    match input.map(str::trim) {
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()) => Ok(c.to_string()),
        _ => Err(KycError::CardInvalid("cvv")),
    }
}

/// What waits on a card, for the holder: "a withdrawal of ¥30.00 and a settlement of ¥12.00".
fn waiting_text(waiting: &[crate::money::records::MovementRecord]) -> String {
    let items: Vec<String> = waiting
        .iter()
        .map(|m| {
            let what = match m.kind.as_str() {
                "withdrawal" => "a withdrawal",
                "settlement" => "a settlement",
                "topup" => "a top-up",
                _ => "a payment",
            };
            format!("{what} of {}", crate::money::yuan(m.amount))
        })
        .collect();
    items.join(" and ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_of_any_script_pass_and_are_masked_to_their_last_character() {
        for (name, masked) in [
            ("张三", "*三"),
            ("欧阳娜娜", "*娜"),
            ("买买提·艾力", "*力"),
            ("  Anne-Marie O'Neil ", "*l"),
        ] {
            assert_eq!(legal_name(name).unwrap().1, masked, "{name}");
        }
        assert_eq!(legal_name(" 李四 ").unwrap().0, "李四");
    }

    #[test]
    fn names_with_digits_symbols_emoji_or_control_characters_are_refused() {
        for bad in [
            "",
            "   ",
            "张三1",
            "张三😀",
            "'; DROP TABLE holders; --",
            "a\u{0}b",
            "张\n三",
            &"名".repeat(51),
            "-",
            "...",
            "' ·",
        ] {
            assert!(
                matches!(legal_name(bad), Err(KycError::NameInvalid)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_credit_card_expiry_is_mm_slash_yy_and_not_in_the_past() {
        let today = time::Date::from_calendar_date(2026, time::Month::November, 22).unwrap();
        assert_eq!(expiry(Some("11/26"), today).unwrap(), "11/26");
        assert_eq!(expiry(Some(" 01/30 "), today).unwrap(), "01/30");
        for bad in [
            None,
            Some("10/26"),
            Some("13/30"),
            Some("00/30"),
            Some("1/30"),
            Some("01/2030"),
            Some("0130"),
            Some("ab/cd"),
        ] {
            assert!(
                matches!(expiry(bad, today), Err(KycError::CardInvalid("expiry"))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_cvv_is_exactly_three_digits() {
        assert_eq!(cvv(Some("007")).unwrap(), "007");
        for bad in [None, Some("12"), Some("1234"), Some("12a"), Some("")] {
            assert!(
                matches!(cvv(bad), Err(KycError::CardInvalid("cvv"))),
                "{bad:?}"
            );
        }
    }
}
