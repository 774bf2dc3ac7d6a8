//! The funding invariant's rows: every account's balance summed by kind and currency, and the
//! daily check's results — one row per day it ran, one alert per currency it found broken.

use crate::StoreError;
use crate::domain::ChinaDay;
use qianbao_ledger::{AccountKind, Amount, Currency};

/// The balances of every account of one kind in one currency, summed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindTotal {
    /// The kind.
    pub kind: AccountKind,
    /// The currency.
    pub currency: Currency,
    /// The sum of their balances.
    pub balance: Amount,
    /// The sum of what pending holds reserve in them.
    pub held: Amount,
}

/// That the daily check ran for a day, and what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundingCheckRecord {
    /// The day in China it was run for.
    pub day: ChinaDay,
    /// Currencies found broken.
    pub breaks: i64,
    /// When it ran (ms).
    pub checked_ms: i64,
}

/// A currency whose funding account the daily check found off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundingAlertRecord {
    /// The alert's id.
    pub id: String,
    /// The day in China of the check that raised it.
    pub day: ChinaDay,
    /// The currency.
    pub currency: Currency,
    /// The funding account minus what it should hold: positive when it holds more.
    pub difference: Amount,
    /// The whole comparison in words.
    pub detail: String,
    /// When it was raised (ms).
    pub created_ms: i64,
}

/// The funding invariant's rows.
pub trait FundingRecords {
    /// Every account's balance and held amount, summed by kind and currency.
    fn account_totals(&mut self) -> Result<Vec<KindTotal>, StoreError>;
    /// The check run for `day`, if one was.
    fn funding_check(&mut self, day: ChinaDay) -> Result<Option<FundingCheckRecord>, StoreError>;
    /// Records that the check ran for its day.
    fn insert_funding_check(&mut self, check: &FundingCheckRecord) -> Result<(), StoreError>;
    /// Records an alert.
    fn insert_funding_alert(&mut self, alert: &FundingAlertRecord) -> Result<(), StoreError>;
    /// The newest alerts, at most `limit`.
    fn funding_alerts(&mut self, limit: i64) -> Result<Vec<FundingAlertRecord>, StoreError>;
}
