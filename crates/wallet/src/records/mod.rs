//! The rows the wallet's holder-side rules read and write, one role trait per kind of row, and
//! [`Records`], all of them in one transaction. The rules (in [`crate::opening`], [`crate::kyc`],
//! [`crate::security`]) run inside one serialisable transaction (see [`crate::storage`]), so a
//! check and the write it allows can never be split by another request.
//!
//! Each role is small on purpose: a use case names the roles it needs, a test double implements
//! only those, and a store implements each once for both backends.

pub mod audit;
pub mod cards;
pub mod case_locks;
pub mod codes;
pub mod commands;
pub mod holders;
pub mod identity;
pub mod kyc_reviews;
pub mod pins;
pub mod policy_versions;
pub mod refund_passwords;
pub mod security_events;
pub mod sessions;
pub mod sms;
pub mod staff;
pub mod tills;
pub mod totp;

// Closing wallets (注销).
pub mod closing;

pub use audit::{AuditQuery, AuditRecord, AuditRecords};
pub use cards::{CardRecord, CardRecords, CardStatus};
pub use case_locks::{CaseLockRecord, CaseLockRecords};
pub use codes::{CodeRecords, OtpRecord, SendWindow};
pub use commands::{CommandRecord, CommandRecords, CommandStatus};
pub use holders::{HolderRecord, HolderRecords, HolderStatus};
pub use identity::{IdentityRecord, IdentityRecords};
pub use kyc_reviews::{KycReasonCode, KycReviewRecord, KycReviewRecords, KycReviewStatus};
pub use pins::{PinRecord, PinRecords};
pub use policy_versions::{PolicyVersionRecord, PolicyVersionRecords};
pub use refund_passwords::{RefundPasswordRecord, RefundPasswordRecords};
pub use security_events::SecurityEventRecords;
pub use sessions::{SessionRecord, SessionRecords};
pub use sms::{OutboxSms, SmsOutbox};
pub use staff::{CustomRoleRecord, StaffRecord, StaffRecords, StaffSessionRecord, StaffStatus};
pub use tills::{TillRecords, TillSessionRecord};
pub use totp::{TotpRecord, TotpRecords};

pub use closing::{ClosingRecord, ClosingRecords, ClosingRequestRecord, ClosingRequestStatus};

/// Every holder-side role in one transaction: what the opening, identity, card, PIN and
/// security rules run over.
pub trait Records:
    CodeRecords
    + SmsOutbox
    + HolderRecords
    + SessionRecords
    + IdentityRecords
    + CardRecords
    + PinRecords
    + SecurityEventRecords
    + TillRecords
    + RefundPasswordRecords
    + TotpRecords
    + ClosingRecords
    + StaffRecords
    + AuditRecords
    + CommandRecords
    + CaseLockRecords
    + PolicyVersionRecords
    + KycReviewRecords
    // Security notices (frozen, PIN changed, new device…) go to the inbox with their change.
    + crate::money::records::NotificationRecords
    // Currencies: rates and quotes.
    + crate::fx::FxRecords
{
}

impl<T> Records for T where
    T: CodeRecords
        + SmsOutbox
        + HolderRecords
        + SessionRecords
        + IdentityRecords
        + CardRecords
        + PinRecords
        + SecurityEventRecords
        + TillRecords
        + RefundPasswordRecords
        + TotpRecords
        + ClosingRecords
        + StaffRecords
        + AuditRecords
        + CommandRecords
        + CaseLockRecords
        + PolicyVersionRecords
        + KycReviewRecords
        + crate::money::records::NotificationRecords
        + crate::fx::FxRecords
        + ?Sized
{
}
