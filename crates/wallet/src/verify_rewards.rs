//! The part of `qianbao verify` that checks campaigns against the ledger: the campaign-funds
//! accounts hold exactly what active campaigns' budgets still keep (budget less what coupons and
//! cashback took). A launch, use or end that moved money without its row, or ran twice, breaks it.
//! And points: holders' points accounts hold exactly what their lots have left, and the points
//! reserve one fen for each of those points.

use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;
use crate::verify_funding::kind_holds_what_records_owe;
use qianbao_ledger::{AccountKind, Amount};

/// Adds a problem to `report` when campaign funds and active campaigns disagree.
pub async fn verify_rewards(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    kind_holds_what_records_owe(
        store,
        report,
        AccountKind::CampaignFunds,
        |r| r.campaigns_kept_total(),
        |held, kept| {
            format!(
                "campaign funds hold {} fen but active campaigns keep {} fen",
                held.minor(),
                kept.minor()
            )
        },
    )
    .await?;
    kind_holds_what_records_owe(
        store,
        report,
        AccountKind::Points,
        |r| Ok(Amount::from_minor(r.points_lots_total()?)),
        |held, left| {
            format!(
                "holders' points accounts hold {} points but their lots have {} left",
                held.minor(),
                left.minor()
            )
        },
    )
    .await?;
    kind_holds_what_records_owe(
        store,
        report,
        AccountKind::PointsReserve,
        |r| Ok(Amount::from_minor(r.points_lots_total()?)),
        |held, left| {
            format!(
                "the points reserve holds {} fen but {} points are outstanding (one fen each)",
                held.minor(),
                left.minor()
            )
        },
    )
    .await
}
