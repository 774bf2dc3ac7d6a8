//! Where randomness comes from: the [`Randomness`] port, the operating system's generator behind
//! it in production ([`OsRandomness`]), and a seeded stream for the deterministic simulation
//! ([`SeededRandomness`]).
//!
//! Every token, code, salt, nonce, key and id the wallet makes draws from a `Randomness` its
//! caller passes in, never from a global: the simulation runs several seeds at once in one
//! process, and each must replay byte for byte.

use crate::SecretError;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// A source of random bytes. Production uses [`OsRandomness`]; anything that must replay (the
/// simulation) uses [`SeededRandomness`].
pub trait Randomness: Send + Sync {
    /// Fills `buf` with random bytes; the rare failure of the source is an error, not a panic.
    fn fill(&self, buf: &mut [u8]) -> Result<(), SecretError>;
}

/// The operating system's random number generator (`getrandom`): what secrets need in production.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&self, buf: &mut [u8]) -> Result<(), SecretError> {
        getrandom::fill(buf).map_err(|e| SecretError::Random(e.to_string()))
    }
}

/// A deterministic stream from a `u64` seed: SHA-256 in counter mode, `SHA-256(key ‖ counter)`
/// with `key = SHA-256(label ‖ seed)`. The same seed gives the same bytes in the same order of
/// draws; nothing about it is secret, so it is for the simulation and tests only.
///
/// Each draw takes whole 32-byte blocks (the rest of the last one is dropped), so a draw's bytes
/// depend only on how many blocks the draws before it took.
#[derive(Debug)]
pub struct SeededRandomness {
    key: [u8; 32],
    next_block: AtomicU64,
}

impl SeededRandomness {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> SeededRandomness {
        let key = Sha256::new()
            .chain_update(b"qianbao seeded randomness v1")
            .chain_update(seed.to_le_bytes())
            .finalize()
            .into();
        SeededRandomness {
            key,
            next_block: AtomicU64::new(0),
        }
    }
}

impl Randomness for SeededRandomness {
    fn fill(&self, buf: &mut [u8]) -> Result<(), SecretError> {
        let blocks = u64::try_from(buf.len().div_ceil(32))
            .map_err(|_| SecretError::Random("draw too large".to_owned()))?;
        // Reserving the blocks in one step keeps concurrent draws from sharing bytes.
        let first = self.next_block.fetch_add(blocks, Ordering::SeqCst);
        for (counter, chunk) in (first..).zip(buf.chunks_mut(32)) {
            let block = Sha256::new()
                .chain_update(self.key)
                .chain_update(counter.to_le_bytes())
                .finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}

/// Returns `N` bytes from `random`.
pub(crate) fn bytes<const N: usize>(random: &dyn Randomness) -> Result<[u8; N], SecretError> {
    let mut out = [0u8; N];
    random.fill(&mut out)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn draw(random: &dyn Randomness, n: usize) -> Vec<u8> {
        let mut out = vec![0u8; n];
        random.fill(&mut out).unwrap();
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let (a, b) = (SeededRandomness::new(7), SeededRandomness::new(7));
        for n in [1, 16, 32, 33, 100] {
            assert_eq!(draw(&a, n), draw(&b, n));
        }
    }

    #[test]
    fn different_seeds_and_successive_draws_differ() {
        let (a, b) = (SeededRandomness::new(7), SeededRandomness::new(8));
        let first = draw(&a, 32);
        assert_ne!(first, draw(&b, 32));
        assert_ne!(first, draw(&a, 32));
    }

    #[test]
    fn the_os_gives_fresh_bytes() {
        assert_ne!(draw(&OsRandomness, 32), draw(&OsRandomness, 32));
    }
}
