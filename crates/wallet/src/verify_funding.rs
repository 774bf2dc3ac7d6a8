//! The part of `qianbao verify` that checks the funding invariant
//! ([`recon::funding`](crate::recon::funding)): per currency, the operator's funding account holds
//! what holders and merchants may spend, what is in flight and the operator's own — no more, no
//! less. A break is one line of the report naming the currency and every sum.

use crate::StoreError;
use crate::recon::daily::positions;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;

/// Adds a problem to `report` for each currency whose funding account is off.
pub async fn verify_funding(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    for p in positions(store).await? {
        if !p.holds() {
            report.problem(format!("funding invariant broken: {p}"));
        }
    }
    Ok(())
}
