//! The funding invariant, checked once a day: whichever node comes first after midnight in
//! China reads every balance summed by kind, and records the check — with one alert per currency
//! whose funding account is off — in one transaction, so a day is checked once across nodes and
//! a crash leaves either the whole check or none.

use super::funding::{self, FundingPosition};
use crate::StoreError;
use crate::domain::ChinaDay;
use crate::money::records::{FundingAlertRecord, FundingCheckRecord};
use crate::storage::RecordStore;
use qianbao_ledger::Amount;

/// The most alerts one listing returns.
pub const ALERTS_LISTED_MAX: i64 = 1_000;

/// A day's check, when this call made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyCheck {
    /// The day in China it was made for.
    pub day: ChinaDay,
    /// Every currency's position.
    pub positions: Vec<FundingPosition>,
    /// The alerts it recorded.
    pub alerts: Vec<FundingAlertRecord>,
}

/// Every currency's funding position now.
pub async fn positions(store: &impl RecordStore) -> Result<Vec<FundingPosition>, StoreError> {
    let totals = store.transact_read(|r| r.account_totals()).await?;
    Ok(funding::positions(&totals))
}

/// Checks the invariant for the day of `now_ms`, unless that day was checked already (here or
/// on another node): `None` then.
pub async fn check_once(
    store: &impl RecordStore,
    ids: &crate::ids::Ids,
    now_ms: i64,
) -> Result<Option<DailyCheck>, StoreError> {
    let day = ChinaDay::of_ms(now_ms);
    if store
        .transact_read(move |r| r.funding_check(day))
        .await?
        .is_some()
    {
        return Ok(None);
    }
    // Read apart from the write: summing every account is the slow part, and a read snapshot is
    // as consistent as the money writer's own view.
    let positions = positions(store).await?;
    let alerts: Vec<FundingAlertRecord> = positions
        .iter()
        .filter(|p| !p.holds())
        .map(|p| FundingAlertRecord {
            id: ids.movement_id(),
            day,
            currency: p.currency,
            // Saturated only past ¥92 trillion of difference, where the detail still tells.
            difference: Amount::from_minor(i64::try_from(p.difference()).unwrap_or(
                if p.difference() < 0 {
                    i64::MIN
                } else {
                    i64::MAX
                },
            )),
            detail: p.to_string(),
            created_ms: now_ms,
        })
        .collect();
    let kept = alerts.clone();
    let made = store
        .transact_money(move |r| {
            if r.funding_check(day)?.is_some() {
                return Ok(false);
            }
            r.insert_funding_check(&FundingCheckRecord {
                day,
                breaks: kept.len() as i64,
                checked_ms: now_ms,
            })?;
            for alert in &kept {
                r.insert_funding_alert(alert)?;
            }
            Ok(true)
        })
        .await?;
    Ok(made.then_some(DailyCheck {
        day,
        positions,
        alerts,
    }))
}

/// The newest alerts, at most `limit` (capped at [`ALERTS_LISTED_MAX`]).
pub async fn alerts(
    store: &impl RecordStore,
    limit: i64,
) -> Result<Vec<FundingAlertRecord>, StoreError> {
    let limit = limit.clamp(1, ALERTS_LISTED_MAX);
    store.transact_read(move |r| r.funding_alerts(limit)).await
}
