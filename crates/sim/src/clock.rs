//! The simulated wall clock, injected through the wallet's `Clock` port. Only the simulation moves
//! it: by a little at every step, and in jumps across timers, days and months.

use qianbao_wallet::Clock;
use std::sync::atomic::{AtomicI64, Ordering};

/// Where every simulation's clock starts: 2030-01-01T00:00:00Z. A fixed instant keeps runs
/// replayable; it lies ahead of the real time because `verify`'s hold-age check still reads the
/// system clock (see docs/simulation.md), and a simulated past would make every pending hold
/// look years old.
pub const EPOCH_MS: i64 = 1_893_456_000_000;

/// A clock the simulation sets.
#[derive(Debug)]
pub struct SimClock(AtomicI64);

impl SimClock {
    /// A clock at `now_ms`.
    pub fn at(now_ms: i64) -> SimClock {
        SimClock(AtomicI64::new(now_ms))
    }

    /// Moves the clock `ms` on (never back: time in the wallet only goes forwards).
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms.max(0), Ordering::SeqCst);
    }
}

impl Clock for SimClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
