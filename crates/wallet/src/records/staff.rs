//! Staff: the operator's people who sign in to the console, their sessions, and custom roles.

use crate::StoreError;

crate::named! {
    /// Where a staff account stands.
    pub enum StaffStatus {
        /// Added; the set-up link has not been used to set a password and a TOTP yet.
        PendingSetup = "pending_setup",
        /// Signs in with a password and a TOTP code.
        Active = "active",
    }
}

/// One member of staff.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffRecord {
    /// The id.
    pub id: String,
    /// The phone, E.164; one account per phone.
    pub phone: String,
    /// The name colleagues know them by.
    pub name: String,
    /// A built-in role's name or a custom role's.
    pub role: String,
    /// Set up or not.
    pub status: StaffStatus,
    /// Argon2id PHC string, once set up.
    pub password_hash: Option<String>,
    /// The TOTP secret, sealed (bound to `staff-totp:<id>`), once set up.
    pub totp_sealed: Option<Vec<u8>>,
    /// The last TOTP step accepted (−1: none): each code works once.
    pub totp_last_step: i64,
    /// Wrong passwords or codes since the last sign-in.
    pub login_failures: i64,
    /// Locked after too many wrong tries, until another admin unlocks it.
    pub locked: bool,
    /// SHA-256 of the one-time set-up token, while set-up is open.
    pub setup_digest: Option<String>,
    /// When the set-up link stops working (ms).
    pub setup_expires_ms: i64,
    /// When the account was added (ms).
    pub created_ms: i64,
}

impl std::fmt::Debug for StaffRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No hash, secret or set-up digest in a log line.
        f.debug_struct("StaffRecord")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .field("locked", &self.locked)
            .finish_non_exhaustive()
    }
}

/// A signed-in console session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSessionRecord {
    /// The session's id.
    pub id: String,
    /// SHA-256 of the bearer token.
    pub token_digest: String,
    /// Whose.
    pub staff_id: String,
    /// When it began (ms).
    pub created_ms: i64,
    /// When it was last used (ms); it ends after the idle time.
    pub last_seen_ms: i64,
}

/// A role an admin defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomRoleRecord {
    /// The name.
    pub name: String,
    /// The permissions, `group.access` joined by commas.
    pub permissions: String,
    /// When it was defined or last changed (ms).
    pub updated_ms: i64,
}

/// Staff accounts, their sessions and the custom roles.
pub trait StaffRecords {
    /// The staff member with this id.
    fn staff(&mut self, id: &str) -> Result<Option<StaffRecord>, StoreError>;
    /// The staff member with this phone.
    fn staff_by_phone(&mut self, phone: &str) -> Result<Option<StaffRecord>, StoreError>;
    /// The staff member whose open set-up token has this digest.
    fn staff_by_setup(&mut self, digest: &str) -> Result<Option<StaffRecord>, StoreError>;
    /// Every staff member, oldest first.
    fn all_staff(&mut self) -> Result<Vec<StaffRecord>, StoreError>;
    /// Adds a staff member; `Duplicate` when the phone has an account.
    fn insert_staff(&mut self, staff: &StaffRecord) -> Result<(), StoreError>;
    /// Saves a staff member's changed fields (all but id, phone and created).
    fn update_staff(&mut self, staff: &StaffRecord) -> Result<(), StoreError>;
    /// Adds a session.
    fn insert_staff_session(&mut self, session: &StaffSessionRecord) -> Result<(), StoreError>;
    /// The session whose token has this digest.
    fn staff_session(&mut self, digest: &str) -> Result<Option<StaffSessionRecord>, StoreError>;
    /// Notes that a session was used.
    fn touch_staff_session(&mut self, id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Ends one session.
    fn end_staff_session(&mut self, id: &str) -> Result<(), StoreError>;
    /// The custom role of this name.
    fn custom_role(&mut self, name: &str) -> Result<Option<CustomRoleRecord>, StoreError>;
    /// Every custom role, by name.
    fn custom_roles(&mut self) -> Result<Vec<CustomRoleRecord>, StoreError>;
    /// Defines or redefines a custom role.
    fn put_custom_role(&mut self, role: &CustomRoleRecord) -> Result<(), StoreError>;
}
