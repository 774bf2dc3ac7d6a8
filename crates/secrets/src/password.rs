//! Login passwords: Argon2id (m = 19 MiB, t = 2, p = 1) with a random 16-byte salt, stored as a
//! PHC string so the parameters travel with each hash and can be raised later.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::{SecretError, random};

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

/// Hashes a login password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    // Our own salt from `getrandom` so an RNG failure is an error, not argon2's panic path.
    let salt = random::bytes::<SALT_LEN>()?;
    let hash = hasher()?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| SecretError::PasswordHash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `phc`; a malformed `phc` simply does not match.
///
/// The parameters come from the stored string, so hashes made before a parameter change still
/// verify; argon2 compares the outputs in constant time.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    // Refuse other algorithms (argon2i/argon2d) so a forged row cannot downgrade the check.
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    match hasher() {
        Ok(argon2) => argon2.verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_rejects_wrong_and_salts() {
        let a = hash_password("correct horse battery staple").unwrap();
        let b = hash_password("correct horse battery staple").unwrap();
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
