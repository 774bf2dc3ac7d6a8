//! Events a limit or a waiting period counts (see `crate::throttle`).

use super::codes::SendWindow;
use crate::StoreError;

/// A login password reset (starts the unfreeze wait; risk control's `after_reset` rule).
pub const PASSWORD_RESET: &str = "password_reset";
/// A wrong payment password (risk control's `wrong_pins` rule counts them; subject: holder id).
pub const WRONG_PIN: &str = "wrong_pin";
/// A payment password reset (risk control's `after_reset` rule; subject: holder id).
pub const PIN_RESET: &str = "pin_reset";
/// A login from a device the holder never used (risk control's `after_reset` rule).
pub const NEW_DEVICE_LOGIN: &str = "new_device_login";
/// How long risk control's events are kept: the longest look-back they serve.
pub const RISK_EVENTS_KEPT_MS: i64 = 30 * 86_400_000;

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
