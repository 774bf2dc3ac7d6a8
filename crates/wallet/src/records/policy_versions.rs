//! Versions of the operator's policy: each approved console `policy_change` is kept whole (who
//! asked, who approved, the keys it changed, the document in force afterwards) and never edited.
//! The newest one is laid over the policy file when the server starts.

use crate::StoreError;

/// One version of the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersionRecord {
    /// 1, 2, 3 …: one more than the newest before it.
    pub version: i64,
    /// The four-eyes command whose approval made it.
    pub command_id: String,
    /// The staff member who proposed it.
    pub maker: String,
    /// The staff member who approved it.
    pub checker: String,
    /// The keys that changed, as JSON text in the policy file's shape.
    pub changes: String,
    /// The whole policy in force from this version on, as JSON text in the file's shape.
    pub document: String,
    /// When it was approved (ms).
    pub created_ms: i64,
}

/// The policy's versions.
pub trait PolicyVersionRecords {
    /// Appends a version; `Duplicate` when its number or command is taken already.
    fn insert_policy_version(&mut self, version: &PolicyVersionRecord) -> Result<(), StoreError>;
    /// The newest version, if any was ever approved.
    fn latest_policy_version(&mut self) -> Result<Option<PolicyVersionRecord>, StoreError>;
    /// Versions, newest first, at most `limit`.
    fn policy_versions(&mut self, limit: i64) -> Result<Vec<PolicyVersionRecord>, StoreError>;
}
