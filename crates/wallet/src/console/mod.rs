//! The operator's console: staff who sign in with a password and a mandatory TOTP, roles that
//! say what each may do, and the audit log every staff action and personal-data view is written
//! to. The permission check and its audit line happen here, in the use case, so no client — the
//! console page, a script, a forged request — can skip them.

pub mod audit;
// Campaigns launched and ended for a merchant.
pub mod campaigns;
pub mod closing_queue;
pub mod commands;
// Exchange rates set from the console.
pub mod fx_rates;
pub mod holder_actions;
pub mod holders;
pub mod kyc_queue;
pub mod permissions;
pub mod policy;
pub mod queues;
pub mod recon;
pub mod refunds;
pub mod staff;

use crate::StoreError;
use crate::context::Context;
use crate::money::MoneyError;
use crate::recon::{ReconError, ReconPolicy};
pub use permissions::{Access, BuiltInRole, Group, Permission, PermissionSet};

/// The operator's numbers for the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsolePolicy {
    /// A session ends after this long unused (ms).
    pub idle_ms: i64,
    /// A set-up link works this long (ms).
    pub setup_ms: i64,
    /// Wrong passwords or codes in a row that lock an account until another admin unlocks it.
    pub login_failures_max: i64,
    /// A four-eyes command expires undecided after this long (ms).
    pub command_ttl_ms: i64,
    /// A refund on a merchant's behalf above this many minor units is a four-eyes command; up
    /// to it, it runs at once.
    pub refund_four_eyes_from_minor: i64,
    /// Reconciliation's numbers, for statements imported from the console.
    pub recon: ReconPolicy,
}

impl Default for ConsolePolicy {
    fn default() -> Self {
        ConsolePolicy {
            idle_ms: 15 * 60_000,
            setup_ms: 24 * 3_600_000,
            login_failures_max: 5,
            command_ttl_ms: 24 * 3_600_000,
            refund_four_eyes_from_minor: 50_000,
            recon: ReconPolicy::default(),
        }
    }
}

/// The console's use cases.
#[derive(Clone)]
pub struct Console {
    /// The keys and the clock.
    pub ctx: Context,
    /// The operator's numbers.
    pub policy: ConsolePolicy,
    /// The operator's policy of limits, fees and risk rules, which `policy_change` commands
    /// change.
    pub policy_rules: std::sync::Arc<dyn policy::PolicyRules>,
}

/// Why a console call was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No staff session, or it ended.
    #[error("unauthorized")]
    Unauthorized,
    /// The staff member's role does not grant this.
    #[error("permission_denied: {0}")]
    PermissionDenied(Permission),
    /// Phone, password or code wrong. No count of tries left: that would tell a guesser which
    /// phones have staff accounts.
    #[error("invalid_credentials")]
    InvalidCredentials,
    /// Locked by wrong tries until another admin unlocks it.
    #[error("login_locked")]
    LoginLocked,
    /// The set-up link is unknown, used or expired.
    #[error("setup_invalid")]
    SetupInvalid,
    /// The TOTP code is wrong or already used.
    #[error("totp_invalid")]
    TotpInvalid,
    /// The password does not meet the rules.
    #[error("password_weak: {0}")]
    PasswordWeak(&'static str),
    /// The phone number is not a valid one.
    #[error("phone_invalid")]
    PhoneInvalid,
    /// The phone already has a staff account.
    #[error("phone_taken")]
    PhoneTaken,
    /// No such role.
    #[error("role_invalid: {0}")]
    RoleInvalid(String),
    /// A field is malformed.
    #[error("validation_failed: {0}")]
    Invalid(&'static str),
    /// A policy change the policy file's rules refuse, with what is wrong.
    #[error("validation_failed: {0}")]
    PolicyInvalid(String),
    /// The action would be done by the one it is done to (unlocking oneself).
    #[error("not_allowed_on_self")]
    NotOnSelf,
    /// Nothing with that id.
    #[error("not_found")]
    NotFound,
    /// A command for the same action and entity is already waiting for a checker.
    #[error("command_pending")]
    CommandPending,
    /// The maker of a command may not approve it, whatever their role.
    #[error("own_command")]
    OwnCommand,
    /// The command was decided already.
    #[error("command_decided: {0}")]
    CommandDecided(&'static str),
    /// Nobody decided the command in time.
    #[error("command_expired")]
    CommandExpired,
    /// Another reviewer holds this case.
    #[error("case_locked")]
    CaseLocked,
    /// The case was decided already (or expired).
    #[error("case_decided: {0}")]
    CaseDecided(&'static str),
    /// A money rule refused the call (a refund beyond the payment, a balance that cannot bear
    /// it); its own code and status.
    #[error(transparent)]
    Money(MoneyError),
    /// Reconciliation refused the call (a bad statement line, a case resolved already).
    #[error(transparent)]
    Recon(ReconError),
    /// Another wallet is verified with the ID number a KYC case would approve.
    #[error("identity_taken")]
    IdentityTaken,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS gave no randomness or the hasher failed.
    #[error("secrets: {0}")]
    Secrets(String),
    /// A step the console relies on failed for a reason that is no caller's (a money call's
    /// unexpected error, a payload that would not encode).
    #[error("internal: {0}")]
    Internal(String),
}

impl ConsoleError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            ConsoleError::Unauthorized => "unauthorized",
            ConsoleError::PermissionDenied(_) => "permission_denied",
            ConsoleError::InvalidCredentials => "invalid_credentials",
            ConsoleError::LoginLocked => "login_locked",
            ConsoleError::SetupInvalid => "setup_invalid",
            ConsoleError::TotpInvalid => "totp_invalid",
            ConsoleError::PasswordWeak(_) => "password_weak",
            ConsoleError::PhoneInvalid => "phone_invalid",
            ConsoleError::PhoneTaken => "phone_taken",
            ConsoleError::RoleInvalid(_) => "role_invalid",
            ConsoleError::Invalid(_) | ConsoleError::PolicyInvalid(_) => "validation_failed",
            ConsoleError::NotOnSelf => "not_allowed_on_self",
            ConsoleError::NotFound => "not_found",
            ConsoleError::CommandPending => "command_pending",
            ConsoleError::OwnCommand => "own_command",
            ConsoleError::CommandDecided(_) => "command_decided",
            ConsoleError::CommandExpired => "command_expired",
            ConsoleError::CaseLocked => "case_locked",
            ConsoleError::CaseDecided(_) => "case_decided",
            ConsoleError::Money(e) => e.code(),
            ConsoleError::Recon(e) => recon_code(e),
            ConsoleError::IdentityTaken => "identity_taken",
            ConsoleError::Store(_) => "storage_unavailable",
            ConsoleError::Secrets(_) | ConsoleError::Internal(_) => "internal",
        }
    }
}

impl From<MoneyError> for ConsoleError {
    fn from(e: MoneyError) -> Self {
        match e {
            MoneyError::Store(e) => ConsoleError::Store(e),
            other => ConsoleError::Money(other),
        }
    }
}

impl From<ReconError> for ConsoleError {
    fn from(e: ReconError) -> Self {
        match e {
            ReconError::Store(e) => ConsoleError::Store(e),
            ReconError::NoSuchCase(_) => ConsoleError::NotFound,
            other => ConsoleError::Recon(other),
        }
    }
}

/// The API's code of a reconciliation refusal.
fn recon_code(e: &ReconError) -> &'static str {
    match e {
        ReconError::Statement(_) | ReconError::NoDay => "statement_invalid",
        ReconError::TooMany(_) => "statement_too_large",
        ReconError::NoSuchCase(_) => "not_found",
        ReconError::NotOpen { .. } => "case_decided",
        ReconError::NoteInvalid => "validation_failed",
        ReconError::Store(_) => "storage_unavailable",
    }
}

fn secrets(e: impl std::fmt::Display) -> ConsoleError {
    ConsoleError::Secrets(e.to_string())
}
