//! Account ids as salted commitments, so a proof names no holder.
//!
//! A leaf carries `SHA-256("qianbao-account-v1\0" ‖ salt ‖ account id)` instead of the id. The
//! salt is 32 random bytes per account and snapshot, given only to that account's holder: with it
//! they recompute their own commitment; without it nobody can test guessed ids (phone numbers,
//! sequential ids) against a published leaf. The tag keeps these hashes apart from every other
//! SHA-256 in the system, and the NUL ends it so no id can extend it.

use sha2::{Digest, Sha256};

use crate::hash::Hash;

/// The domain tag, with its terminating NUL, that every commitment hashes first.
const TAG: &[u8] = b"qianbao-account-v1\0";

/// `SHA-256("qianbao-account-v1\0" ‖ salt ‖ account_id)`.
pub fn account_commitment(salt: &[u8; 32], account_id: &str) -> Hash {
    let mut h = Sha256::new();
    h.update(TAG);
    h.update(salt);
    h.update(account_id.as_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_is_the_tagged_sha256() {
        let mut input = b"qianbao-account-v1\0".to_vec();
        input.extend_from_slice(&[7; 32]);
        input.extend_from_slice(b"acc_01J");
        let want: Hash = Sha256::digest(&input).into();
        assert_eq!(account_commitment(&[7; 32], "acc_01J"), want);
    }

    #[test]
    fn another_salt_or_id_gives_another_commitment() {
        let c = account_commitment(&[7; 32], "acc_01J");
        assert_ne!(c, account_commitment(&[8; 32], "acc_01J"));
        assert_ne!(c, account_commitment(&[7; 32], "acc_01K"));
    }
}
