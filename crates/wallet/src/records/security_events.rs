//! Events a limit or a waiting period counts (see `crate::throttle`).

use super::codes::SendWindow;
use crate::StoreError;

/// Counted events per scope and subject.
pub trait SecurityEventRecords {
    /// The security events of `scope` about `subject` since `since_ms` (see [`crate::throttle`]).
    fn security_events(
        &mut self,
        scope: &str,
        subject: &str,
        since_ms: i64,
    ) -> Result<SendWindow, StoreError>;
    /// Records one security event, and forgets that subject's events of the scope older than
    /// `forget_before_ms`, which no window reaches any more.
    fn record_security_event(
        &mut self,
        scope: &str,
        subject: &str,
        at_ms: i64,
        forget_before_ms: i64,
    ) -> Result<(), StoreError>;
}
