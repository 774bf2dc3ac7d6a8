//! What every use case shares: the keys behind digests, tokens and sealed fields, the clock, and
//! the randomness every token, code and id is drawn from. One value, cloned into each use case
//! (a few `Arc`s), instead of reaching one use case's keys through another
//! (`money.kyc.opening.keys`).

use crate::ids::Ids;
use crate::{Clock, Randomness};
use qianbao_secrets::KeyRing;
use std::sync::Arc;

/// The keys, the clock and the randomness.
#[derive(Clone)]
pub struct Context {
    /// The keys for code digests, tokens, blind indexes and sealed fields.
    pub keys: Arc<KeyRing>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Where tokens, codes, salts, nonces and keys come from.
    pub random: Arc<dyn Randomness>,
    /// New ids, from the clock and the randomness.
    pub ids: Ids,
}

impl Context {
    /// The context of `keys`, `clock` and `random`.
    pub fn new(keys: Arc<KeyRing>, clock: Arc<dyn Clock>, random: Arc<dyn Randomness>) -> Context {
        Context {
            ids: Ids::new(clock.clone(), random.clone()),
            keys,
            clock,
            random,
        }
    }

    /// Milliseconds since the Unix epoch, by the clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The randomness, as the secrets' functions take it.
    pub fn random(&self) -> &dyn Randomness {
        self.random.as_ref()
    }
}
