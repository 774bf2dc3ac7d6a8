//! Thin wrappers over the operating system's random number generator.

use crate::SecretError;

/// Fills `buf` from the OS RNG, turning its rare failure into a [`SecretError`] instead of a panic.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), SecretError> {
    getrandom::fill(buf).map_err(|e| SecretError::Random(e.to_string()))
}

/// Returns `N` bytes from the OS RNG.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}
