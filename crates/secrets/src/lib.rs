//! Secrets by construction for qianbao: how passwords, PINs, tokens, card and ID numbers and
//! webhook signatures are protected (DESIGN.md §4).
//!
//! - [`password`]: Argon2id login-password hashes in PHC form.
//! - [`KeyRing`]: the master key (`QIANBAO_MASTER_KEY` or a 0600 key file) and its
//!   purpose-separated sub-keys.
//! - [`pin`]: keyed HMAC digests of payment PINs, so a stolen database alone cannot brute-force them.
//! - [`token`]: session tokens, API keys and numeric codes from the [`Randomness`] port (the OS
//!   RNG in production), stored only as digests.
//! - [`field`]: AES-256-GCM sealing of card numbers, ID numbers and photos, plus blind indexes.
//! - [`signature`]: `Qianbao-Signature` webhook headers.
//! - [`ride_signing`]: the Ed25519 key that signs ride codes, derived from the key ring.
//! - [`random`]: the [`Randomness`] port every random draw goes through: the OS in production,
//!   a seeded stream in the simulation.
//! - [`checkpoint_signing`]: the Ed25519 key that signs the journal log's checkpoints, likewise.

pub mod checkpoint_signing;
mod error;
pub mod field;
mod keyring;
mod mac;
pub mod password;
pub mod pin;
pub mod random;
pub mod ride_signing;
pub mod signature;
pub mod token;

pub use error::{SecretError, SignatureError};
pub use keyring::{KEY_FILE_NAME, KEY_LEN, KeyRing, Purpose};
pub use random::{OsRandomness, Randomness, SeededRandomness};

#[cfg(test)]
pub(crate) mod test_support;
