//! The part of `qianbao verify` that checks red packets against the ledger: the red-packet escrow
//! account holds exactly what the open packets have not paid out. A claim that moved money without
//! its row (or a row without its money), or a return that ran twice, breaks it.

use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;
use crate::verify_funding::kind_holds_what_records_owe;
use qianbao_ledger::AccountKind;

/// Adds a problem to `report` when the escrow and the open packets disagree.
pub async fn verify_red_packets(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    kind_holds_what_records_owe(
        store,
        report,
        AccountKind::RedPacketEscrow,
        |r| r.red_packets_unclaimed_total(),
        |held, owed| {
            format!(
                "red-packet escrow holds {} fen but open packets owe {} fen",
                held.minor(),
                owed.minor()
            )
        },
    )
    .await
}
