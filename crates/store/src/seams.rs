//! The time and randomness storage reads, through the wallet's ports: row timestamps, the age
//! of a hold in `verify`, batch timings and retry jitter. The simulation gives its own.

use qianbao_wallet::{Clock, OsRandomness, Randomness, SystemClock};
use std::sync::Arc;

/// The clock and randomness a store is opened with.
#[derive(Clone)]
pub struct Seams {
    /// Row timestamps, the now `verify` judges holds against, and batch timings.
    pub clock: Arc<dyn Clock>,
    /// PostgreSQL's retry jitter.
    pub random: Arc<dyn Randomness>,
}

impl Seams {
    /// Over `clock`, with the OS's randomness.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Seams {
        Seams {
            clock,
            ..Seams::default()
        }
    }
}

impl Default for Seams {
    /// The production adapters: the system clock and the OS's randomness.
    fn default() -> Seams {
        Seams {
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandomness),
        }
    }
}
