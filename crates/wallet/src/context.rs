//! What every use case shares: the keys behind digests, tokens and sealed fields, and the clock.
//! One value, cloned into each use case (two `Arc`s), instead of reaching one use case's keys
//! through another (`money.kyc.opening.keys`).

use crate::Clock;
use qianbao_secrets::KeyRing;
use std::sync::Arc;

/// The keys and the clock.
#[derive(Clone)]
pub struct Context {
    /// The keys for code digests, tokens, blind indexes and sealed fields.
    pub keys: Arc<KeyRing>,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

impl Context {
    /// Milliseconds since the Unix epoch, by the clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
