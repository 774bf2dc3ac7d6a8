//! Login passwords: Argon2id (m = 19 MiB, t = 2, p = 1) with a random 16-byte salt, stored as a
//! PHC string so the parameters travel with each hash and can be raised later.
//!
//! Argon2's 19 MiB of working memory is kept and reused (`with_memory`) rather than allocated
//! and freed on every call: glibc raises its mmap threshold to the size of the largest mmapped
//! block freed, so freeing one 19 MiB block made every later allocation below 19 MiB come from
//! per-thread arenas that keep freed memory — hundreds of MiB of resident memory under load.

use std::sync::Mutex;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use zeroize::Zeroize;

use crate::{Randomness, SecretError, random};

/// Argon2 memory cost in KiB: 19 MiB, the OWASP minimum for Argon2id.
pub const M_COST_KIB: u32 = 19 * 1024;
/// Argon2 passes over memory.
pub const T_COST: u32 = 2;
/// Argon2 lanes; 1 keeps a login from occupying more than one core.
pub const P_COST: u32 = 1;
/// Salt length in bytes (the PHC format's recommendation).
pub const SALT_LEN: usize = 16;

/// The hasher with this crate's parameters.
fn hasher() -> Result<Argon2<'static>, SecretError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .map_err(|e| SecretError::PasswordHash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Argon2 working memory of this crate's size, kept for the next call: one buffer per call that
/// ran at once, so callers bound it by bounding how many hash at once.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `argon2` over `pwd` and `salt` into `out`, in reused memory when the parameters are this
/// crate's (a stored hash with other parameters gets memory of its own, as argon2 allocates it).
/// The memory is wiped after use, as argon2's `zeroize` feature does with its own.
fn hash_into(
    argon2: &Argon2<'_>,
    pwd: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let ours = hasher().map(|h| h.params().block_count()).unwrap_or(0);
    if argon2.params().block_count() != ours {
        return argon2.hash_password_into(pwd, salt, out);
    }
    with_memory(ours, |blocks| {
        argon2.hash_password_into_with_memory(pwd, salt, out, blocks)
    })
}

/// Lends `work` a buffer of `block_count` blocks from [`MEMORY`] (made on first need), wipes it
/// afterwards and puts it back.
fn with_memory<T>(block_count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut blocks = MEMORY
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .filter(|b| b.len() == block_count)
        .unwrap_or_else(|| vec![Block::new(); block_count]);
    let out = work(&mut blocks);
    for block in &mut blocks {
        block.zeroize();
    }
    if let Ok(mut pool) = MEMORY.lock() {
        pool.push(blocks);
    }
    out
}

/// Hashes a login password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
pub fn hash_password(random: &dyn Randomness, password: &str) -> Result<String, SecretError> {
    let err = |e: &dyn std::fmt::Display| SecretError::PasswordHash(e.to_string());
    // Our own salt from the port so an RNG failure is an error, not argon2's panic path.
    let salt = random::bytes::<SALT_LEN>(random)?;
    let argon2 = hasher()?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hash_into(&argon2, password.as_bytes(), &salt, &mut out).map_err(|e| err(&e))?;
    // The same fields argon2's `hash_password_with_salt` puts in the PHC string.
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| err(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| err(&e))?),
        hash: Some(Output::new(&out).map_err(|e| err(&e))?),
    };
    out.zeroize();
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `phc`; a malformed `phc` simply does not match.
///
/// The parameters come from the stored string, so hashes made before a parameter change still
/// verify; the outputs are compared in constant time (`Output`'s equality).
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    // Refuse other algorithms (argon2i/argon2d) so a forged row cannot downgrade the check.
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    // As argon2's `verify_password`: the stored salt, version and parameters (output length too).
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let argon2 = Argon2::new(Algorithm::Argon2id, version, params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    let matches = hash_into(&argon2, password.as_bytes(), salt, out).is_ok()
        && Output::new(out).is_ok_and(|computed| computed == *expected);
    buffer.zeroize();
    matches
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

    #[test]
    fn reused_memory_agrees_with_argon2s_own_hashing() {
        // Ours verifies with argon2's own verifier, twice (the second time in reused memory).
        for _ in 0..2 {
            let ours = hash_password(&crate::OsRandomness, "pässword 1").unwrap();
            let parsed = PasswordHash::new(&ours).unwrap();
            assert!(
                hasher()
                    .unwrap()
                    .verify_password("pässword 1".as_bytes(), &parsed)
                    .is_ok()
            );
        }
        // Argon2's own hash (this crate's parameters, and cheaper ones) verifies with ours.
        let salt = [9u8; SALT_LEN];
        let theirs = hasher()
            .unwrap()
            .hash_password_with_salt(b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("pw", &theirs));
        assert!(!verify_password("pv", &theirs));
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(Params::MIN_M_COST, 1, 1, Some(16)).unwrap(),
        )
        .hash_password_with_salt(b"pw", &salt)
        .unwrap()
        .to_string();
        assert!(verify_password("pw", &cheap), "{cheap}");
        assert!(!verify_password("pv", &cheap));
    }

    #[test]
    fn hash_verifies_rejects_wrong_and_salts() {
        let a = hash_password(&crate::OsRandomness, "correct horse battery staple").unwrap();
        let b = hash_password(&crate::OsRandomness, "correct horse battery staple").unwrap();
        assert!(verify_password("correct horse battery staple", &a));
        assert!(!verify_password("correct horse battery stapler", &a));
        assert!(!verify_password("", &a));
        assert_ne!(a, b, "two hashes of one password must differ by salt");

        // $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
        let fields: Vec<&str> = a.split('$').collect();
        assert_eq!(fields.len(), 6, "{a}");
        assert_eq!(fields[1], "argon2id");
        assert_eq!(fields[2], "v=19");
        assert_eq!(fields[3], "m=19456,t=2,p=1");
        // 16 bytes in unpadded base64 is 22 characters; the 32-byte hash is 43.
        assert_eq!(fields[4].len(), 22);
        assert_eq!(fields[5].len(), 43);
    }

    #[test]
    fn garbage_and_other_algorithms_do_not_verify() {
        for phc in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$2b$12$abcdefghijklmnopqrstuuOm3iP3zP6Xr0k5s9bGZc1pVZx0yq5a",
        ] {
            assert!(!verify_password("x", phc), "{phc:?}");
        }
        // A valid Argon2i hash (cheap params) of "x" must still be refused.
        let salt = [7u8; SALT_LEN];
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(Params::MIN_M_COST, 1, 1, None).unwrap(),
        )
        .hash_password_with_salt(b"x", &salt)
        .unwrap()
        .to_string();
        assert!(argon2i.starts_with("$argon2i$"), "{argon2i}");
        assert!(!verify_password("x", &argon2i));
    }
}
