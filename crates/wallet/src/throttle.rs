//! Limits on how often something guessable may be tried: payee lookups, wrong payment codes,
//! wrong identity answers during recovery. Each is at most `max` events of one scope and subject
//! inside a sliding window, counted from rows in the database inside the caller's transaction,
//! so two nodes, or two requests racing on one node, see one count.

use crate::StoreError;
use crate::records::Records;

/// One limit: at most `max` events of `scope` per subject within `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// What is counted; also the `scope` column of the events.
    pub scope: &'static str,
    /// The most events a subject may have in one window; `None` switches the limit off (the events
    /// are still recorded when a waiting period reads them).
    pub max: Option<i64>,
    /// The window's length in ms.
    pub window_ms: i64,
}

impl Throttle {
    /// Whether `subject` may do it once more now: `Err(retry_after_s)` while the window is full.
    /// Records nothing.
    pub fn check(
        &self,
        r: &mut dyn Records,
        subject: &str,
        now_ms: i64,
    ) -> Result<Result<(), u64>, StoreError> {
        let Some(max) = self.max else {
            return Ok(Ok(()));
        };
        let window = r.security_events(self.scope, subject, now_ms - self.window_ms)?;
        if window.count < max {
            return Ok(Ok(()));
        }
        // The window frees a place when its oldest event leaves it.
        let frees_at = window.oldest_ms.unwrap_or(now_ms) + self.window_ms;
        Ok(Err(seconds_until(now_ms, frees_at)))
    }

    /// Counts one event for `subject`.
    pub fn record(
        &self,
        r: &mut dyn Records,
        subject: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        r.record_security_event(self.scope, subject, now_ms, now_ms - self.window_ms)
    }

    /// [`Throttle::check`], and when it allows, [`Throttle::record`]: for limits on every try.
    pub fn take(
        &self,
        r: &mut dyn Records,
        subject: &str,
        now_ms: i64,
    ) -> Result<Result<(), u64>, StoreError> {
        let allowed = self.check(r, subject, now_ms)?;
        if allowed.is_ok() {
            self.record(r, subject, now_ms)?;
        }
        Ok(allowed)
    }
}

/// Whole seconds from `now_ms` to `at_ms`, rounded up and at least one: "retry in 0 s" would be
/// a lie while the limit still holds.
pub fn seconds_until(now_ms: i64, at_ms: i64) -> u64 {
    u64::try_from((at_ms - now_ms + 999) / 1000)
        .unwrap_or(0)
        .max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(seconds_until(0, 1), 1);
        assert_eq!(seconds_until(0, 1000), 1);
        assert_eq!(seconds_until(0, 1001), 2);
        assert_eq!(seconds_until(5000, 1000), 1);
    }
}
