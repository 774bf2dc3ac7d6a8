//! The part of `qianbao verify` that checks red packets against the ledger: the red-packet escrow
//! account holds exactly what the open packets have not paid out. A claim that moved money without
//! its row (or a row without its money), or a return that ran twice, breaks it.

use crate::AccountOwner;
use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;
use qianbao_ledger::{AccountKind, Amount, Currency};

/// Adds a problem to `report` when the escrow and the open packets disagree.
pub async fn verify_red_packets(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let (escrow, owed) = store
        .transact_read(|r| {
            let escrow = r
                .accounts_of(&AccountOwner::Operator)?
                .into_iter()
                .find(|a| a.kind == AccountKind::RedPacketEscrow && a.currency == Currency::CNY)
                .map_or(Amount::ZERO, |a| a.balance);
            Ok((escrow, r.red_packets_unclaimed_total()?))
        })
        .await?;
    if escrow != owed {
        report.problem(format!(
            "red-packet escrow holds {} fen but open packets owe {} fen",
            escrow.minor(),
            owed.minor()
        ));
    }
    Ok(())
}
