//! How many times, and how far apart, a serialisable transaction is tried again.

use std::time::Duration;

/// How many times a serialisable transaction is tried before its failure is returned.
pub(super) const SERIALIZABLE_TRIES_MAX: u32 = 30;

/// Waits a random time, doubling up to 64 ms with `tries`, so transactions that collided spread
/// out instead of colliding again in step.
pub(super) fn backoff(tries: u32) {
    let ceiling_us = 1_000u64 << tries.min(6);
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    std::thread::sleep(Duration::from_micros(jitter % ceiling_us));
}
