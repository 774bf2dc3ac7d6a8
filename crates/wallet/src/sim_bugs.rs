//! Known bug classes, re-introduced on demand so the deterministic simulation (`crates/sim`) can
//! prove that it catches them. Compiled only with the test-only `sim-bugs` feature, and each bug
//! stays off until a test turns it on: a build with the feature but no bug set behaves as one
//! without it. The code each bug changes is marked `sim_bugs` where it lives.

use std::sync::atomic::{AtomicU8, Ordering};

/// One re-introduced bug class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// A refund is checked against the payment's whole amount, not what earlier partial refunds
    /// left: partial refunds then add up past what was paid (`money/merchant.rs`).
    RefundIgnoresEarlierRefunds = 1,
    /// A finished `Idempotency-Key` is taken as a new request instead of replayed: a client's
    /// retry moves the money a second time (`money/idempotency.rs`).
    ReplayPostsAgain = 2,
    /// A payout the bank refused is marked failed, but its hold is never voided: the money stays
    /// reserved for ever (`money/timers.rs`, the payout timer).
    RefusedPayoutKeepsHold = 3,
}

impl Bug {
    /// Every bug, for a command line to list.
    pub const ALL: [Bug; 3] = [
        Bug::RefundIgnoresEarlierRefunds,
        Bug::ReplayPostsAgain,
        Bug::RefusedPayoutKeepsHold,
    ];

    /// Its name on a command line.
    pub fn name(self) -> &'static str {
        match self {
            Bug::RefundIgnoresEarlierRefunds => "refund-ignores-earlier-refunds",
            Bug::ReplayPostsAgain => "replay-posts-again",
            Bug::RefusedPayoutKeepsHold => "refused-payout-keeps-hold",
        }
    }

    /// The bug named `name`.
    pub fn parse(name: &str) -> Option<Bug> {
        Bug::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// The bug on now (0: none). Process-wide, because the code it changes has no handle to a test's
/// settings; the simulation runs one seed per process, or one at a time in a test.
static ON: AtomicU8 = AtomicU8::new(0);

/// Turns `bug` on, or every bug off with `None`.
pub fn set(bug: Option<Bug>) {
    ON.store(bug.map_or(0, |b| b as u8), Ordering::SeqCst);
}

/// Whether `bug` is on.
pub fn is_on(bug: Bug) -> bool {
    ON.load(Ordering::SeqCst) == bug as u8
}
