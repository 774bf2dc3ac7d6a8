//! The part of `qianbao verify` that checks campaigns against the ledger: the campaign-funds
//! accounts hold exactly what active campaigns' budgets still keep (budget less what used coupons
//! took). A launch, use or end that moved money without its row, or ran twice, breaks it.

use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;
use qianbao_ledger::{AccountKind, Amount, Currency};

/// Adds a problem to `report` when campaign funds and active campaigns disagree.
pub async fn verify_rewards(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let (funds, kept) = store
        .transact_read(|r| {
            let funds = r
                .account_totals()?
                .into_iter()
                .filter(|t| t.kind == AccountKind::CampaignFunds && t.currency == Currency::CNY)
                .fold(Amount::ZERO, |sum, t| sum + t.balance);
            Ok((funds, r.campaigns_kept_total()?))
        })
        .await?;
    if funds != kept {
        report.problem(format!(
            "campaign funds hold {} fen but active campaigns keep {} fen",
            funds.minor(),
            kept.minor()
        ));
    }
    Ok(())
}
