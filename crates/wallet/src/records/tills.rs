//! The till's sessions: a merchant's browser signed in once with the API key.

use crate::StoreError;

/// A till's session as stored. Only the token's digest is kept, never the token or the API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TillSessionRecord {
    /// The session's id (not a credential).
    pub id: String,
    /// SHA-256 of the token in the till's cookie.
    pub token_digest: String,
    /// The merchant the till is signed in as.
    pub merchant_id: String,
    /// The merchant's key digest when the till signed in: a rotated key no longer matches it.
    pub key_digest: String,
    /// When the till signed in (ms).
    pub created_ms: i64,
    /// When it was last used (ms), at most a minute stale.
    pub last_used_ms: i64,
}

/// Till sessions, found by their token's digest.
pub trait TillRecords {
    /// Adds a till session.
    fn insert_till_session(&mut self, session: &TillSessionRecord) -> Result<(), StoreError>;
    /// The till session whose token has this digest, unless it has ended.
    fn till_session_by_token(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<TillSessionRecord>, StoreError>;
    /// Notes that a till session was used.
    fn touch_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Ends a till session; false when it had ended already or never was.
    fn end_till_session(&mut self, session_id: &str, at_ms: i64) -> Result<bool, StoreError>;
}
