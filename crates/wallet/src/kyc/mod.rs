//! Real-name verification, bank cards, the payment password and the TOTP second factor: the steps
//! that take a holder from L0 to L2 with a PIN. Outside calls (verifier, bank) happen outside
//! transactions; every check and the write it allows happen inside one.

pub mod cards;
pub mod identity;
pub mod pin;
pub mod totp;

use crate::context::Context;
use crate::opening::Opening;
use crate::records::IdentityRecord;
use crate::storage::RecordStore;
use crate::{Bank, Clock, IdentityVerifier, StoreError};
pub use cards::CardRequest;
pub use identity::IdentityOutcome;
use qianbao_secrets::KeyRing;
use qianbao_secrets::field::open;
use std::sync::Arc;
pub use totp::{TotpEnrolment, TotpGuard};

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
    /// The holder's earlier real-name check waits for a member of staff; it must be decided
    /// before another.
    #[error("kyc_review_pending")]
    ReviewPending,
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
    /// A TOTP second factor is on already: turn it off before enrolling another.
    #[error("totp_already_enabled")]
    TotpAlreadyEnabled,
    /// No confirmed TOTP second factor (none enrolled, or not confirmed with a first code).
    #[error("totp_not_enabled")]
    TotpNotEnabled,
    /// The TOTP code is wrong, already used or too old.
    #[error("totp_invalid")]
    TotpInvalid {
        /// Tries left before the second factor locks.
        attempts_left: u32,
    },
    /// The TOTP second factor is locked by wrong codes.
    #[error("totp_locked")]
    TotpLocked {
        /// Seconds until the lock ends.
        retry_after_s: u64,
    },
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
    /// A recovery answer was refused, and this field was the wrong one (`id_number` or
    /// `card_number`): the holder proved who they are by the SMS code, so naming it tells a thief
    /// nothing the code did not already open.
    #[error("{0} ({1})")]
    RecoveryAt(crate::opening::OpeningError, &'static str),
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
            KycError::ReviewPending => "kyc_review_pending",
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
            KycError::TotpAlreadyEnabled => "totp_already_enabled",
            KycError::TotpNotEnabled => "totp_not_enabled",
            KycError::TotpInvalid { .. } => "totp_invalid",
            KycError::TotpLocked { .. } => "totp_locked",
            KycError::PhotoInvalid(_) => "photo_invalid",
            KycError::FaceMismatch => "face_mismatch",
            KycError::NotFound => "not_found",
            KycError::Connector(_) | KycError::Secrets(_) => "internal",
            KycError::Store(_) => "storage_unavailable",
            KycError::CardInUse(_) => "card_in_use",
            KycError::Recovery(e) | KycError::RecoveryAt(e, _) => e.code(),
        }
    }
}

fn secrets(e: impl std::fmt::Display) -> KycError {
    KycError::Secrets(e.to_string())
}

/// What the verification, card and PIN use cases need besides storage.
#[derive(Clone)]
pub struct Kyc {
    /// The keys and the clock every use case shares.
    pub ctx: Context,
    /// The SMS codes a PIN reset is confirmed with.
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

impl Kyc {
    fn keys(&self) -> &KeyRing {
        &self.ctx.keys
    }

    fn clock(&self) -> &dyn Clock {
        self.ctx.clock.as_ref()
    }

    /// Today's date in China (UTC+8): ages and expiries turn over at Beijing midnight.
    fn today(&self) -> time::Date {
        crate::domain::ChinaDay::of_ms(self.clock().now_ms()).date()
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
}
