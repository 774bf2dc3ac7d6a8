//! The master key and the purpose-separated sub-keys derived from it.
//!
//! One 32-byte master secret (from `QIANBAO_MASTER_KEY` or a 0600 key file) yields an
//! independent key per purpose through HKDF-SHA256, so a PIN digest key can never be
//! mistaken for — or leak into — the field-encryption key.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use hmac::Mac;
use zeroize::{Zeroize, Zeroizing};

use crate::{Randomness, SecretError, mac, random};

/// Length of the master key and of every derived sub-key, in bytes.
pub const KEY_LEN: usize = 32;

/// Name of the key file inside the data directory.
pub const KEY_FILE_NAME: &str = "master.key";

/// HKDF salt: a fixed domain label, so these sub-keys differ from any other use of the same secret.
const HKDF_SALT: &[u8] = b"qianbao/keyring/v1";

/// Longest key file we will read: 64 hex characters plus a line ending, with room to spare
/// so an oversized file is reported as malformed rather than read into memory whole.
const KEY_FILE_READ_LIMIT: u64 = 128;

/// What a derived sub-key is for; each purpose gets its own independent key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Keyed digest of payment PINs.
    Pin,
    /// HMAC blind indexes for looking up encrypted card and ID numbers.
    BlindIndex,
    /// AES-256-GCM encryption of card numbers, ID numbers and ID photos.
    FieldEncryption,
    /// Reserved for keyed token constructions.
    Token,
    /// Reserved for protecting webhook secrets.
    Webhook,
    /// The Ed25519 seed that signs ride codes (乘车码); every node of a deployment derives the same.
    RideSigning,
    /// The Ed25519 seed that signs the journal log's checkpoints; every node derives the same.
    CheckpointSigning,
}

impl Purpose {
    /// Every purpose, in a fixed order (the order of the cached sub-keys).
    pub const ALL: [Purpose; 7] = [
        Purpose::Pin,
        Purpose::BlindIndex,
        Purpose::FieldEncryption,
        Purpose::Token,
        Purpose::Webhook,
        Purpose::RideSigning,
        Purpose::CheckpointSigning,
    ];

    /// The HKDF `info` label for this purpose; changing one changes that key, so never do.
    pub const fn label(self) -> &'static str {
        match self {
            Purpose::Pin => "pin",
            Purpose::BlindIndex => "blind-index",
            Purpose::FieldEncryption => "field-encryption",
            Purpose::Token => "token",
            Purpose::Webhook => "webhook",
            Purpose::RideSigning => "ride-signing",
            Purpose::CheckpointSigning => "checkpoint-signing",
        }
    }

    /// Position of this purpose in [`Purpose::ALL`].
    const fn index(self) -> usize {
        match self {
            Purpose::Pin => 0,
            Purpose::BlindIndex => 1,
            Purpose::FieldEncryption => 2,
            Purpose::Token => 3,
            Purpose::Webhook => 4,
            Purpose::RideSigning => 5,
            Purpose::CheckpointSigning => 6,
        }
    }
}

/// The master key plus its derived sub-keys; all of it is wiped from memory on drop.
///
/// Deliberately not `Clone`: share one instance behind an `Arc` so only one copy exists.
pub struct KeyRing {
    /// The master secret; kept so later purposes can be derived without reloading.
    master: [u8; KEY_LEN],
    /// Sub-keys for [`Purpose::ALL`], derived once at construction.
    sub_keys: [[u8; KEY_LEN]; Purpose::ALL.len()],
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material, not even a fingerprint: logs outlive keys.
        f.write_str("KeyRing(***)")
    }
}

impl Drop for KeyRing {
    fn drop(&mut self) {
        // Wipe with volatile writes the optimiser cannot remove, so freed memory holds no keys.
        self.master.zeroize();
        self.sub_keys.zeroize();
    }
}

impl KeyRing {
    /// Builds a key ring from raw master-key bytes.
    pub fn from_bytes(mut master: [u8; KEY_LEN]) -> Self {
        let ring = Self::derive(&master);
        // `master` is our own by-value copy; wipe it rather than leave it on the stack.
        master.zeroize();
        ring
    }

    /// Makes a key ring with a fresh random master key (tests, and first-run key files).
    pub fn generate(random: &dyn Randomness) -> Result<Self, SecretError> {
        let master = Zeroizing::new(random::bytes::<KEY_LEN>(random)?);
        Ok(Self::derive(&master))
    }

    /// Parses a master key written as 64 hex characters (the `QIANBAO_MASTER_KEY` form).
    ///
    /// Surrounding whitespace is ignored because environment files often add a newline.
    pub fn from_hex(text: &str) -> Result<Self, SecretError> {
        let master = decode_master(text.trim_ascii()).map_err(SecretError::InvalidMasterKey)?;
        Ok(Self::derive(&master))
    }

    /// Copies the master key in and derives every purpose's sub-key with HKDF-SHA256.
    ///
    /// HKDF (RFC 5869) with a 32-byte output is exactly one HMAC block:
    /// `PRK = HMAC(salt, master)`, `key = HMAC(PRK, label ‖ 0x01)`. We compute that directly
    /// with the infallible HMAC helper rather than through `hkdf::expand`, whose `Result`
    /// (for outputs over 8160 bytes) would need an `expect` or a silent fallback here.
    /// A test pins the output to the `hkdf` crate's.
    fn derive(master: &[u8; KEY_LEN]) -> Self {
        let mut ring = KeyRing {
            master: *master,
            sub_keys: [[0u8; KEY_LEN]; Purpose::ALL.len()],
        };
        let prk: Zeroizing<[u8; KEY_LEN]> = Zeroizing::new(
            mac::keyed(HKDF_SALT)
                .chain_update(ring.master)
                .finalize()
                .into_bytes()
                .into(),
        );
        for purpose in Purpose::ALL {
            let okm = mac::keyed(prk.as_slice())
                .chain_update(purpose.label().as_bytes())
                .chain_update([1u8])
                .finalize()
                .into_bytes();
            ring.sub_keys[purpose.index()].copy_from_slice(&okm);
        }
        ring
    }

    /// Reads the key file at `path`, or creates it with a new random key if it does not exist.
    ///
    /// A new file is created mode 0600 and synced, together with its directory, before use,
    /// so a crash cannot leave data encrypted under a key that was never persisted. An existing
    /// file is refused if group or others have any access, or if it is not exactly 64 hex
    /// characters and an optional line ending. The directory must already exist.
    /// A new key comes from `random` (the OS in production).
    pub fn load_or_create(path: &Path, random: &dyn Randomness) -> Result<Self, SecretError> {
        match File::open(path) {
            Ok(file) => Self::read_key_file(path, file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match Self::create_key_file(path, random) {
                    Ok(ring) => Ok(ring),
                    // Another process won the race to create it: use theirs.
                    Err(SecretError::KeyFileIo { source, .. })
                        if source.kind() == io::ErrorKind::AlreadyExists =>
                    {
                        let file = File::open(path).map_err(|e| io_error(path, e))?;
                        Self::read_key_file(path, file)
                    }
                    Err(other) => Err(other),
                }
            }
            Err(e) => Err(io_error(path, e)),
        }
    }

    /// Uses `env_value` (the `QIANBAO_MASTER_KEY` value) if set, else `dir/master.key`.
    ///
    /// An empty or whitespace-only value counts as unset, as shells often export empty variables.
    pub fn from_env_or_file(
        env_value: Option<&str>,
        dir: &Path,
        random: &dyn Randomness,
    ) -> Result<Self, SecretError> {
        match env_value.map(str::trim_ascii) {
            Some(text) if !text.is_empty() => Self::from_hex(text),
            _ => Self::load_or_create(&dir.join(KEY_FILE_NAME), random),
        }
    }

    /// The sub-key for `purpose`; borrow it briefly and never copy it into long-lived memory.
    pub fn sub_key(&self, purpose: Purpose) -> &[u8; KEY_LEN] {
        &self.sub_keys[purpose.index()]
    }

    /// Checks and parses an already-open key file.
    fn read_key_file(path: &Path, file: File) -> Result<Self, SecretError> {
        // Inspect the file we opened, not the path again, so it cannot be swapped in between.
        let meta = file.metadata().map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            return Err(malformed(path, "not a regular file"));
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SecretError::KeyFilePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        let mut text = Zeroizing::new(Vec::with_capacity(KEY_LEN * 2 + 2));
        file.take(KEY_FILE_READ_LIMIT)
            .read_to_end(&mut text)
            .map_err(|e| io_error(path, e))?;
        let body = text
            .strip_suffix(b"\n")
            .map(|rest| rest.strip_suffix(b"\r").unwrap_or(rest))
            .unwrap_or(&text);
        let body = std::str::from_utf8(body).map_err(|_| malformed(path, "not ASCII text"))?;
        let master = decode_master(body).map_err(|reason| malformed(path, reason))?;
        Ok(Self::derive(&master))
    }

    /// Creates a new key file holding a fresh random key; fails if the file already exists.
    fn create_key_file(path: &Path, random: &dyn Randomness) -> Result<Self, SecretError> {
        let master = Zeroizing::new(random::bytes::<KEY_LEN>(random)?);
        let mut line = Zeroizing::new(hex::encode(master.as_slice()));
        line.push('\n');

        // create_new: never overwrite a key that data may already be encrypted under.
        // mode 0600 is applied at creation, so the key is never briefly world-readable.
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        let written = file
            .write_all(line.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            // Leave no half-written key behind: the next start would refuse it as malformed.
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(io_error(path, e));
        }
        drop(file);
        sync_parent_dir(path)?;
        Ok(Self::derive(&master))
    }
}

/// Decodes exactly 64 hex characters into a master key.
fn decode_master(text: &str) -> Result<Zeroizing<[u8; KEY_LEN]>, &'static str> {
    if text.len() != KEY_LEN * 2 {
        return Err("expected exactly 64 hex characters");
    }
    let mut master = Zeroizing::new([0u8; KEY_LEN]);
    hex::decode_to_slice(text, &mut *master).map_err(|_| "not hexadecimal")?;
    Ok(master)
}

/// fsyncs the directory holding `path`, so the new directory entry survives a crash.
fn sync_parent_dir(path: &Path) -> Result<(), SecretError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, e))
}

/// Wraps an I/O error with the path it concerns.
fn io_error(path: &Path, source: io::Error) -> SecretError {
    SecretError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    }
}

/// A malformed-key-file error for `path`.
fn malformed(path: &Path, reason: &'static str) -> SecretError {
    SecretError::KeyFileMalformed {
        path: PathBuf::from(path),
        reason,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::test_support::TempDir;
    use hkdf::Hkdf;
    use sha2::Sha256;
    use std::collections::HashSet;
    use std::fs;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sub_keys_are_distinct_nonzero_and_deterministic() {
        let a = KeyRing::from_hex(HEX).unwrap();
        let b = KeyRing::from_hex(HEX).unwrap();
        let mut seen = HashSet::new();
        for p in Purpose::ALL {
            assert_ne!(a.sub_key(p), &[0u8; KEY_LEN], "{p:?}");
            assert_ne!(a.sub_key(p), &a.master, "{p:?} must not be the master key");
            assert_eq!(a.sub_key(p), b.sub_key(p));
            assert!(
                seen.insert(*a.sub_key(p)),
                "{p:?} duplicates another sub-key"
            );
        }
        let other = KeyRing::generate(&crate::OsRandomness).unwrap();
        for p in Purpose::ALL {
            assert_ne!(a.sub_key(p), other.sub_key(p));
        }
    }

    #[test]
    fn sub_key_is_hkdf_sha256_of_the_label() {
        // Pin the derivation so a refactor cannot silently change every stored digest.
        let ring = KeyRing::from_hex(HEX).unwrap();
        let hk = Hkdf::<Sha256>::new(Some(b"qianbao/keyring/v1"), &hex::decode(HEX).unwrap());
        let mut okm = [0u8; 32];
        hk.expand(b"blind-index", &mut okm).unwrap();
        assert_eq!(ring.sub_key(Purpose::BlindIndex), &okm);
        // And a literal, computed with Python's hmac module, for the "pin" label.
        assert_eq!(
            hex::encode(ring.sub_key(Purpose::Pin)),
            "c3d6dffaebbaf2c916c7ac02940bcf6e963e997d11eb1bf680f37fe29bd7ec7a"
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let ring = KeyRing::from_hex(HEX).unwrap();
        assert_eq!(format!("{ring:?}"), "KeyRing(***)");
        assert_eq!(format!("{ring:#?}"), "KeyRing(***)");
    }

    #[test]
    fn from_hex_accepts_both_cases_and_surrounding_whitespace() {
        let lower = KeyRing::from_hex(HEX).unwrap();
        let upper = KeyRing::from_hex(&format!("  {}\n", HEX.to_uppercase())).unwrap();
        assert_eq!(lower.sub_key(Purpose::Pin), upper.sub_key(Purpose::Pin));
    }

    #[test]
    fn from_hex_rejects_bad_input_without_echoing_it() {
        for bad in [
            "",
            "00",
            &HEX[..63],
            &format!("{HEX}00"),
            &format!("{}zz", &HEX[..62]),
        ] {
            let err = KeyRing::from_hex(bad).unwrap_err();
            assert!(matches!(err, SecretError::InvalidMasterKey(_)), "{bad:?}");
        }
        let secretish = format!("{}zz", &HEX[..62]);
        let message = KeyRing::from_hex(&secretish).unwrap_err().to_string();
        assert!(!message.contains(&HEX[..62]), "{message}");
    }

    #[test]
    fn load_or_create_creates_a_0600_file_then_reloads_the_same_key() {
        let dir = TempDir::new();
        let path = dir.path().join("master.key");
        let created = KeyRing::load_or_create(&path, &crate::OsRandomness).unwrap();

        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 65);
        assert!(text.ends_with('\n'));
        assert!(text[..64].bytes().all(|b| b.is_ascii_hexdigit()));

        let loaded = KeyRing::load_or_create(&path, &crate::OsRandomness).unwrap();
        assert_eq!(
            created.sub_key(Purpose::FieldEncryption),
            loaded.sub_key(Purpose::FieldEncryption)
        );
        let from_text = KeyRing::from_hex(&text).unwrap();
        assert_eq!(
            created.sub_key(Purpose::Pin),
            from_text.sub_key(Purpose::Pin)
        );
    }

    #[test]
    fn load_or_create_refuses_group_or_world_access() {
        let dir = TempDir::new();
        let path = dir.path().join("master.key");
        fs::write(&path, format!("{HEX}\n")).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = KeyRing::load_or_create(&path, &crate::OsRandomness).unwrap_err();
            match &err {
                SecretError::KeyFilePermissions { mode: m, .. } => assert_eq!(*m, mode),
                other => panic!("mode {mode:o}: unexpected {other:?}"),
            }
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        for mode in [0o600, 0o400] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let ring = KeyRing::load_or_create(&path, &crate::OsRandomness).unwrap();
            let expected = KeyRing::from_hex(HEX).unwrap();
            assert_eq!(
                ring.sub_key(Purpose::Token),
                expected.sub_key(Purpose::Token)
            );
        }
    }

    #[test]
    fn load_or_create_refuses_malformed_files() {
        let dir = TempDir::new();
        let cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"\n".to_vec(),
            HEX[..63].into(),
            format!("{HEX}00\n").into(),
            format!("{}zz\n", &HEX[..62]).into(),
            format!("{HEX}\n\n").into(),
            format!(" {HEX}\n").into(),
            vec![0xff; 65],
            "0".repeat(10_000).into(),
        ];
        for (i, contents) in cases.iter().enumerate() {
            let path = dir.path().join(format!("bad-{i}.key"));
            fs::write(&path, contents).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            let err = KeyRing::load_or_create(&path, &crate::OsRandomness).unwrap_err();
            assert!(
                matches!(err, SecretError::KeyFileMalformed { .. }),
                "case {i}: {err:?}"
            );
            // The file must be left alone: an operator may need what is in it.
            assert_eq!(fs::read(&path).unwrap(), *contents);
        }
    }

    #[test]
    fn load_or_create_accepts_crlf_and_no_newline() {
        let dir = TempDir::new();
        let expected = KeyRing::from_hex(HEX).unwrap();
        for (i, contents) in [format!("{HEX}\r\n"), HEX.to_string()].iter().enumerate() {
            let path = dir.path().join(format!("ok-{i}.key"));
            fs::write(&path, contents).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            let ring = KeyRing::load_or_create(&path, &crate::OsRandomness).unwrap();
            assert_eq!(ring.sub_key(Purpose::Pin), expected.sub_key(Purpose::Pin));
        }
    }

    #[test]
    fn load_or_create_refuses_a_directory_and_a_missing_parent() {
        let dir = TempDir::new();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(matches!(
            KeyRing::load_or_create(&sub, &crate::OsRandomness).unwrap_err(),
            SecretError::KeyFileMalformed { .. }
        ));
        let missing = dir.path().join("nope").join("master.key");
        assert!(matches!(
            KeyRing::load_or_create(&missing, &crate::OsRandomness).unwrap_err(),
            SecretError::KeyFileIo { .. }
        ));
    }

    #[test]
    fn from_env_or_file_prefers_the_environment() {
        let dir = TempDir::new();
        let from_env =
            KeyRing::from_env_or_file(Some(HEX), dir.path(), &crate::OsRandomness).unwrap();
        assert_eq!(
            from_env.sub_key(Purpose::Pin),
            KeyRing::from_hex(HEX).unwrap().sub_key(Purpose::Pin)
        );
        assert!(
            !dir.path().join(KEY_FILE_NAME).exists(),
            "no key file when the env var is set"
        );
        assert!(
            KeyRing::from_env_or_file(Some("not hex"), dir.path(), &crate::OsRandomness).is_err()
        );
    }

    #[test]
    fn from_env_or_file_falls_back_to_the_key_file() {
        let dir = TempDir::new();
        let first = KeyRing::from_env_or_file(None, dir.path(), &crate::OsRandomness).unwrap();
        assert!(dir.path().join(KEY_FILE_NAME).exists());
        let second =
            KeyRing::from_env_or_file(Some("  "), dir.path(), &crate::OsRandomness).unwrap();
        assert_eq!(first.sub_key(Purpose::Pin), second.sub_key(Purpose::Pin));
    }
}
