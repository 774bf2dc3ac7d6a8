//! Holders: one person, one phone, one wallet, with their login counters and status.

use crate::StoreError;

crate::named! {
    /// Where a holder's wallet stands.
    pub enum HolderStatus {
        /// In use.
        Active = "active",
        /// Frozen by the holder: no money leaves it.
        Frozen = "frozen",
        /// Restricted by the operator.
        Restricted = "restricted",
        /// Closed.
        Closed = "closed",
    }
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
    pub status: HolderStatus,
    /// The real-name level, 0–3.
    pub kyc_level: i64,
    /// Wrong login passwords since the last success or recovery.
    pub login_failures: i64,
    /// Whether login is locked until recovery.
    pub login_locked: bool,
    /// When the holder signed up (ms).
    pub created_ms: i64,
}

/// Holders, found by id, phone or wallet id, and their status and counters.
pub trait HolderRecords {
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
    /// Sets the holder's real-name level.
    fn set_kyc_level(&mut self, holder_id: &str, level: i64) -> Result<(), StoreError>;
    /// Sets the holder's status (`active`, `frozen`, …).
    fn set_status(&mut self, holder_id: &str, status: HolderStatus) -> Result<(), StoreError>;
    /// Replaces the login password and unlocks login.
    fn set_password_hash(&mut self, holder_id: &str, hash: &str) -> Result<(), StoreError>;
    /// The holder whose wallet has this id.
    fn holder_by_wallet(&mut self, wallet_id: &str) -> Result<Option<HolderRecord>, StoreError>;
}
