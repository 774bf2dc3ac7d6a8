//! Helpers shared by this crate's unit tests.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temp dirs made by parallel tests in one process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A fresh private directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// Creates the directory (mode 0700, as a data dir would be).
    #[allow(clippy::unwrap_used)]
    pub(crate) fn new() -> Self {
        use std::os::unix::fs::DirBuilderExt;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "qianbao-secrets-test-{}-{n}-{}",
            std::process::id(),
            hex::encode(crate::random::bytes::<4>(&crate::OsRandomness).unwrap())
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .unwrap();
        TempDir(path)
    }

    /// The directory's path.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover temp dir is harmless and must not mask the test's own result.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
