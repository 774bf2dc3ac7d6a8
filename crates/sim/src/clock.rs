//! The simulated wall clock, injected through the wallet's `Clock` port. Only the simulation moves
//! it: by a little at every step, and in jumps across timers, days and months.
//!
//! It is also where a crash inside a request happens: armed with `n`, the clock's `n`-th read
//! panics with [`SimulatedCrash`], unwinding the request (or background pass) at that point, and
//! the simulation then drops the whole server. See [`SimClock::arm_crash`] for why a clock read
//! is the crash point.

use qianbao_wallet::Clock;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// Where every simulation's clock starts: 2030-01-01T00:00:00Z. A fixed instant keeps runs
/// replayable; every part of the server, `verify`'s hold-age check among them, reads this clock.
pub const EPOCH_MS: i64 = 1_893_456_000_000;

/// The panic payload of a crash inside a request: told apart from a real panic by its type.
#[derive(Debug)]
pub struct SimulatedCrash;

/// A clock the simulation sets.
#[derive(Debug)]
pub struct SimClock {
    now_ms: AtomicI64,
    /// Reads left before the planned crash; 0 when none is planned.
    crash_in: AtomicI64,
    /// Whether the planned crash happened.
    crashed: AtomicBool,
}

impl SimClock {
    /// A clock at `now_ms`.
    pub fn at(now_ms: i64) -> SimClock {
        SimClock {
            now_ms: AtomicI64::new(now_ms),
            crash_in: AtomicI64::new(0),
            crashed: AtomicBool::new(false),
        }
    }

    /// Moves the clock `ms` on (never back: time in the wallet only goes forwards).
    pub fn advance_ms(&self, ms: i64) {
        self.now_ms.fetch_add(ms.max(0), Ordering::SeqCst);
    }

    /// Plans a crash at the server's `n`-th read of the clock from now (`n` ≥ 1).
    ///
    /// Why a clock read and not the n-th suspension of the request future: the server's awaits
    /// are mostly on the store, whose work runs on other threads (the writer threads,
    /// `spawn_blocking`), and whether an await finds its answer ready or suspends depends on
    /// those threads' timing — measured, two runs of one seed suspend a request 0–5 times
    /// differently, so a crash at "the n-th suspension" lands at different places. The clock is
    /// read on the request's own path, in program order, the same number of times every run:
    /// the n-th read is the same point of the code, and every commit before it has answered
    /// (the request waited for it) while nothing after it has begun. Unwinding from there rolls
    /// back what is open, as a crash loses it, and the simulation drops the server before
    /// anything else runs — a crash between two await points, the same every run.
    pub fn arm_crash(&self, n: i64) {
        self.crashed.store(false, Ordering::SeqCst);
        self.crash_in.store(n.max(0), Ordering::SeqCst);
    }

    /// Forgets a planned crash that did not happen, and answers whether it did.
    pub fn disarm(&self) -> bool {
        self.crash_in.store(0, Ordering::SeqCst);
        self.crashed.swap(false, Ordering::SeqCst)
    }
}

impl Clock for SimClock {
    fn now_ms(&self) -> i64 {
        let left = self.crash_in.load(Ordering::SeqCst);
        if left > 0 && self.crash_in.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.crashed.store(true, Ordering::SeqCst);
            std::panic::panic_any(SimulatedCrash);
        }
        self.now_ms.load(Ordering::SeqCst)
    }
}

/// Keeps the planned crashes' panics off stderr (every other panic still prints): installed once
/// per process.
pub fn quiet_simulated_crashes() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let earlier = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<SimulatedCrash>().is_none() {
                earlier(info);
            }
        }));
    });
}
