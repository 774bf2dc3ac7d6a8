//! The part of `qianbao verify` that checks gift and membership cards against the ledger: every
//! gift-card account belongs to a card, an expired card holds nothing (its rest went to the
//! shop), and no card holds more than it was loaded with (payments take from it, refunds give
//! back at most what it paid). A card row or balance bent by hand breaks one of these.

use crate::StoreError;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;

/// Problems reported at most; more of them say the same thing.
const PROBLEMS_MAX: i64 = 100;

/// Adds a problem to `report` for each card account that disagrees with its card.
pub async fn verify_gift_cards(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let problems = store
        .transact_read(|r| r.gift_card_account_problems(PROBLEMS_MAX))
        .await?;
    for p in problems {
        report.problem(match (&p.status, p.value) {
            (None, _) => format!(
                "gift-card account {} holds {} fen but no card owns it",
                p.owner, p.balance
            ),
            (Some(status), Some(value)) if p.balance > value => format!(
                "gift card {} ({status}) holds {} fen, more than the {value} fen it was loaded with",
                p.owner, p.balance
            ),
            (Some(status), _) => format!(
                "gift card {} is {status} but still holds {} fen (it should have gone to the shop)",
                p.owner, p.balance
            ),
        });
    }
    Ok(())
}
