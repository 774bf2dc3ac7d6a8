//! The part of `qianbao verify` that follows the audit log's chain from its first line: a staff
//! action edited, dropped or reordered after the fact breaks it at that line.

use crate::StoreError;
use crate::console::audit::check_chain;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;

/// Follows the audit chain; adds a break to `report`.
pub async fn verify_audit(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    match store.transact_read(|r| check_chain(r)).await? {
        Ok(lines) => report.audit_lines = u64::try_from(lines).unwrap_or(0),
        Err(broken) => report.problem(format!("audit line {}: {}", broken.seq, broken.why)),
    }
    Ok(())
}
