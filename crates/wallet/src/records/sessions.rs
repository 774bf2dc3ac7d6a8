//! Logged-in devices and the devices a holder has confirmed.

use crate::StoreError;

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

/// Sessions per device, found by their token's digest.
pub trait SessionRecords {
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
}
