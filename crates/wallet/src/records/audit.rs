//! The audit log of staff actions and personal-data views: appended only, each line chained to
//! the one before by a SHA-256 link like the journal's, so an edited, dropped or reordered line
//! is found by `qianbao verify`.

use crate::StoreError;

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// When (ms).
    pub at_ms: i64,
    /// Who: `staff:<id>`, or `cli` for the operator's command line.
    pub actor: String,
    /// What, as a stable name (`staff.add`, `holder.view`, `permission_denied`, …).
    pub action: String,
    /// What it was about (`holder:<id>`, `staff:<id>`, a path), or empty.
    pub entity: String,
    /// The state before, as JSON text, or empty.
    pub before: String,
    /// The state after, as JSON text, or empty.
    pub after: String,
    /// Why, as the staff member gave it, or empty.
    pub reason: String,
    /// `done`, `denied` or `refused`.
    pub outcome: String,
    /// Hex SHA-256 link over the previous line's link and this line's canonical text.
    pub hash: String,
}

/// What an audit search matches: every given part must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// The actor, exactly.
    pub actor: Option<String>,
    /// The action, exactly.
    pub action: Option<String>,
    /// The entity, exactly.
    pub entity: Option<String>,
    /// From this time on (ms).
    pub since_ms: Option<i64>,
    /// Only lines before this sequence number (the next page).
    pub before_seq: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// The audit log.
pub trait AuditRecords {
    /// The last line's sequence number and link, if any line exists.
    fn last_audit(&mut self) -> Result<Option<(i64, String)>, StoreError>;
    /// Appends a line; `Duplicate` if its sequence number is taken (a racing append).
    fn append_audit(&mut self, line: &AuditRecord) -> Result<(), StoreError>;
    /// The lines matching `query`, newest first.
    fn search_audit(&mut self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
    /// Up to `limit` lines after `after_seq`, oldest first (for checking the chain).
    fn audit_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError>;
}
