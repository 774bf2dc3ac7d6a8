//! The checks of `qianbao verify` past the ledger's own replay, in one list that the command
//! and the simulation both run: every risk decision judged again, the funding invariant, the
//! red-packet escrow against the open packets, campaign funds and points against their records,
//! gift cards against their accounts, every liability snapshot against the journal, and the
//! audit log's chain.

use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;

/// Adds to `report` every problem the wallet's own checks find.
pub async fn verify_wallet(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    crate::verify_risk::verify_decisions(store, report).await?;
    crate::verify_funding::verify_funding(store, report).await?;
    crate::verify_red_packets::verify_red_packets(store, report).await?;
    crate::verify_rewards::verify_rewards(store, report).await?;
    crate::verify_gift_cards::verify_gift_cards(store, report).await?;
    crate::proofs::liabilities::verify_liabilities(store, report).await?;
    crate::verify_audit::verify_audit(store, report).await
}
