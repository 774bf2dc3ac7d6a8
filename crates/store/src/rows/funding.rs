//! The funding invariant's rows: balances summed by kind and currency, the daily checks and
//! their alerts.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::{AccountKind, Currency};
use qianbao_wallet::StoreError;
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::money::records::{
    FundingAlertRecord, FundingCheckRecord, FundingRecords, KindTotal,
};

const ALERT_COLUMNS: &str = "id, day_ms, currency, difference, detail, created_ms";

fn alert_from(row: &Row) -> Result<FundingAlertRecord, StoreError> {
    Ok(FundingAlertRecord {
        id: row.text(0)?,
        day: ChinaDay::of_ms(row.int(1)?),
        currency: row.named(2, Currency::parse)?,
        difference: row.amount(3)?,
        detail: row.text(4)?,
        created_ms: row.int(5)?,
    })
}

impl FundingRecords for SqlRecords<'_> {
    fn account_totals(&mut self) -> Result<Vec<KindTotal>, StoreError> {
        // One pass over the accounts, summed in the database; PostgreSQL sums BIGINT as
        // NUMERIC, cast back (a sum past i64 fails the read rather than wrapping).
        self.0
            .query(
                "SELECT kind, currency, CAST(coalesce(sum(balance), 0) AS BIGINT),
                        CAST(coalesce(sum(held), 0) AS BIGINT)
                 FROM accounts GROUP BY kind, currency ORDER BY kind, currency",
                &[],
            )?
            .iter()
            .map(|row| {
                Ok(KindTotal {
                    kind: row.named(0, AccountKind::parse)?,
                    currency: row.named(1, Currency::parse)?,
                    balance: row.amount(2)?,
                    held: row.amount(3)?,
                })
            })
            .collect()
    }

    fn funding_check(&mut self, day: ChinaDay) -> Result<Option<FundingCheckRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT day_ms, breaks, checked_ms FROM funding_checks WHERE day_ms = $1",
                &[day.start_ms().into()],
            )?
            .map(|row| {
                Ok(FundingCheckRecord {
                    day: ChinaDay::of_ms(row.int(0)?),
                    breaks: row.int(1)?,
                    checked_ms: row.int(2)?,
                })
            })
            .transpose()
    }

    fn insert_funding_check(&mut self, c: &FundingCheckRecord) -> Result<(), StoreError> {
        self.insert(
            "funding_checks",
            "day_ms, breaks, checked_ms",
            &[
                c.day.start_ms().into(),
                c.breaks.into(),
                c.checked_ms.into(),
            ],
        )
    }

    fn insert_funding_alert(&mut self, a: &FundingAlertRecord) -> Result<(), StoreError> {
        self.insert(
            "funding_alerts",
            ALERT_COLUMNS,
            &[
                a.id.as_str().into(),
                a.day.start_ms().into(),
                a.currency.as_str().into(),
                a.difference.into(),
                a.detail.as_str().into(),
                a.created_ms.into(),
            ],
        )
    }

    fn funding_alerts(&mut self, limit: i64) -> Result<Vec<FundingAlertRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM funding_alerts ORDER BY created_ms DESC, id DESC
                     LIMIT $1"
                ),
                &[limit.max(1).into()],
            )?
            .iter()
            .map(alert_from)
            .collect()
    }
}
