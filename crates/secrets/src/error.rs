//! The crate's error types: [`SecretError`] for everything, [`SignatureError`] for webhook checks.

use std::path::PathBuf;

/// Everything that can go wrong in this crate; messages never contain secret material.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),

    /// Argon2 could not hash the password (e.g. it exceeds the algorithm's length limit).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),

    /// A master key given as text was not 64 hex characters (the key itself is never echoed).
    #[error("invalid master key: {0}")]
    InvalidMasterKey(&'static str),

    /// Reading, creating or syncing the key file failed.
    #[error("key file {path}: {source}")]
    KeyFileIo {
        /// The key file (or its directory) involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The key file is readable or writable by group or others.
    #[error(
        "key file {path} has mode {mode:04o}; it must not be accessible to group or others \
         (run `chmod 600 {path}`)"
    )]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },

    /// The key file does not hold exactly 64 hex characters and an optional newline.
    #[error("key file {path} is malformed: {reason}")]
    KeyFileMalformed {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it (never its contents).
        reason: &'static str,
    },

    /// AES-GCM refused to encrypt (the plaintext or associated data exceeds its limits).
    #[error("field encryption failed")]
    Encrypt,

    /// A sealed field failed to open: wrong key, wrong associated data, or tampered or truncated bytes.
    #[error("field decryption failed: wrong key, wrong associated data, or corrupted ciphertext")]
    Decrypt,

    /// A sealed field carries a format version this build does not know.
    #[error("sealed field has unsupported version {0}")]
    UnsupportedVersion(u8),

    /// A numeric code was requested with a digit count outside the supported range.
    #[error("numeric codes must have between 1 and {max} digits, not {requested}")]
    InvalidCodeLength {
        /// The digit count asked for.
        requested: usize,
        /// The largest supported digit count.
        max: usize,
    },

    /// A webhook signature did not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

/// Why a webhook signature header was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is empty, too long, or not a comma-separated list of `key=value` parts.
    #[error("signature header is malformed")]
    Malformed,
    /// The header has no `t=` part.
    #[error("signature header has no timestamp (t=)")]
    MissingTimestamp,
    /// The header has no `v1=` part.
    #[error("signature header has no v1 signature")]
    MissingSignature,
    /// The header has more than one `t=` part.
    #[error("signature header has more than one timestamp")]
    DuplicateTimestamp,
    /// A part's key is neither `t` nor `v1`.
    #[error("signature header has an unknown part")]
    UnknownPart,
    /// The timestamp is not a plain non-negative decimal integer that fits in an i64.
    #[error("signature timestamp is not a valid unix time")]
    InvalidTimestamp,
    /// A `v1=` value is not hexadecimal.
    #[error("signature is not hexadecimal")]
    InvalidHex,
    /// A `v1=` value is not 64 hex characters (32 bytes).
    #[error("signature has the wrong length")]
    InvalidLength,
    /// The signature does not match the body and timestamp under this secret.
    #[error("signature does not match")]
    Mismatch,
    /// The signature is genuine but its timestamp is too far from now (a possible replay).
    #[error("signature timestamp is outside the allowed tolerance")]
    OutsideTolerance,
}
