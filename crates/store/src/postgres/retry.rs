//! How many times, and how far apart, a serialisable transaction is tried again.

use std::time::Duration;

/// How many times a serialisable transaction is tried before its failure is returned.
pub(super) const SERIALIZABLE_TRIES_MAX: u32 = 30;

/// Waits a random time (from `random`), doubling up to 64 ms with `tries`, so transactions that
/// collided spread out instead of colliding again in step.
pub(super) fn backoff(random: &dyn qianbao_wallet::Randomness, tries: u32) {
    let ceiling_us = 1_000u64 << tries.min(6);
    let mut bytes = [0u8; 8];
    // Without randomness the wait is the ceiling: still a wait, only not spread.
    let jitter = match random.fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => ceiling_us - 1,
    };
    std::thread::sleep(Duration::from_micros(jitter % ceiling_us));
}
