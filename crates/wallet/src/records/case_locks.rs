//! Who is working a review case: a reviewer locks a case before deciding it, so two reviewers
//! never take the same one; a lock lapses, so a case is not stranded by someone who left.

use crate::StoreError;

/// One lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLockRecord {
    /// The queue (`risk`, …).
    pub queue: String,
    /// The case's id within it.
    pub case_id: String,
    /// The reviewer holding it.
    pub staff_id: String,
    /// When it lapses (ms).
    pub until_ms: i64,
}

/// The case locks.
pub trait CaseLockRecords {
    /// The live locks of `queue` (those lapsing after `now_ms`).
    fn case_locks(&mut self, queue: &str, now_ms: i64) -> Result<Vec<CaseLockRecord>, StoreError>;
    /// Takes or renews a lock: true if the case was free, lapsed or already the reviewer's.
    fn lock_case(&mut self, lock: &CaseLockRecord, now_ms: i64) -> Result<bool, StoreError>;
    /// Lets a case go.
    fn unlock_case(&mut self, queue: &str, case_id: &str) -> Result<(), StoreError>;
}
