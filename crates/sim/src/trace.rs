//! The trace: one line per thing that happened, hashed as it goes. Only what the seed decides goes
//! in — actions, amounts, statuses, problem codes, balances — never the server's ids, tokens or
//! codes, which come from the operating system's randomness (docs/simulation.md says why).

use sha2::{Digest, Sha256};

/// The running trace of one simulation.
pub struct Trace {
    hasher: Sha256,
    lines: u64,
    /// Every line, when the caller asked to see them (`--trace`).
    kept: Option<Vec<String>>,
}

impl Trace {
    /// An empty trace that keeps its lines when `keep`.
    pub fn new(keep: bool) -> Trace {
        Trace {
            hasher: Sha256::new(),
            lines: 0,
            kept: keep.then(Vec::new),
        }
    }

    /// Adds one line.
    pub fn line(&mut self, text: String) {
        self.hasher.update(text.as_bytes());
        self.hasher.update(b"\n");
        self.lines += 1;
        if let Some(kept) = &mut self.kept {
            kept.push(text);
        }
    }

    /// The lines kept, if any.
    pub fn kept(&self) -> &[String] {
        self.kept.as_deref().unwrap_or(&[])
    }

    /// How many lines were added.
    pub fn len(&self) -> u64 {
        self.lines
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// The SHA-256 of every line so far, in hex.
    pub fn hash(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}
