//! What a holder reads: balances, records (filtered, paged), one record, the month's summary by
//! category, and the inbox.

use super::records::{MovementFilter, MovementRecord, NotificationRecord};
use super::{Money, MoneyError};
use crate::AccountOwner;
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{Account, AccountKind};

/// Totals of one month, in and out, per kind of movement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthSummary {
    /// Everything that came in, in minor units.
    pub total_in: i64,
    /// Everything that went out, fees included.
    pub total_out: i64,
    /// `(kind, direction, total, count)`, largest first.
    pub categories: Vec<(String, String, i64, i64)>,
}

/// The most records one summary or export reads.
pub const EXPORT_ROWS_MAX: i64 = 10_000;

impl Money {
    /// The holder's wallet accounts, one per currency (CNY even before any money moved).
    pub async fn balances(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<Vec<Account>, MoneyError> {
        let owner = AccountOwner::Wallet(holder.wallet_id.clone());
        let mut accounts: Vec<Account> = store
            .transact_read(move |r| r.accounts_of(&owner))
            .await?
            .into_iter()
            .filter(|a| a.kind == AccountKind::Wallet)
            .collect();
        if accounts.is_empty() {
            accounts.push(Account::open(
                qianbao_ledger::AccountId(0),
                AccountKind::Wallet,
                qianbao_ledger::Currency::CNY,
            ));
        }
        Ok(accounts)
    }

    /// The holder's records, newest first.
    pub async fn records(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        filter: MovementFilter,
    ) -> Result<Vec<MovementRecord>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| r.movements(&holder_id, &filter))
            .await?)
    }

    /// One record of the holder's; another's is not found.
    pub async fn record(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
    ) -> Result<MovementRecord, MoneyError> {
        let (holder_id, id) = (holder.id.clone(), id.to_string());
        store
            .transact_read(move |r| r.movement(&id))
            .await?
            .filter(|m| m.owner_id == holder_id)
            .ok_or(MoneyError::NotFound)
    }

    /// Totals of the records made in `[from_ms, to_ms)`, failed and cancelled ones left out.
    pub async fn summary(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<MonthSummary, MoneyError> {
        let rows = self
            .records(
                store,
                holder,
                MovementFilter {
                    from_ms: Some(from_ms),
                    to_ms: Some(to_ms),
                    limit: EXPORT_ROWS_MAX,
                    ..MovementFilter::default()
                },
            )
            .await?;
        Ok(summarise(&rows))
    }

    /// The holder's inbox, newest first: before `before_id`, or only after `after_id`.
    pub async fn notifications(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        before_id: Option<i64>,
        after_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationRecord>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| r.notifications(&holder_id, before_id, after_id, limit))
            .await?)
    }
}

/// Sums records by kind and direction; failed and cancelled ones moved nothing.
pub fn summarise(rows: &[MovementRecord]) -> MonthSummary {
    let mut summary = MonthSummary::default();
    let mut totals: std::collections::BTreeMap<(String, String), (i64, i64)> =
        std::collections::BTreeMap::new();
    for m in rows
        .iter()
        .filter(|m| !matches!(m.status.as_str(), "failed" | "cancelled"))
    {
        let moved = if m.direction == "out" {
            m.amount + m.fee
        } else {
            m.amount
        };
        if m.direction == "out" {
            summary.total_out += moved;
        } else {
            summary.total_in += moved;
        }
        let slot = totals
            .entry((m.kind.clone(), m.direction.clone()))
            .or_default();
        slot.0 += moved;
        slot.1 += 1;
    }
    summary.categories = totals
        .into_iter()
        .map(|((kind, direction), (total, count))| (kind, direction, total, count))
        .collect();
    summary.categories.sort_by_key(|c| std::cmp::Reverse(c.2));
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, direction: &str, amount: i64, fee: i64, status: &str) -> MovementRecord {
        MovementRecord {
            id: String::new(),
            owner_id: String::new(),
            kind: kind.into(),
            direction: direction.into(),
            channel: String::new(),
            amount,
            fee,
            currency: "CNY".into(),
            counterparty: String::new(),
            peer_id: None,
            status: status.into(),
            memo: String::new(),
            entry_id: None,
            card_id: None,
            created_ms: 0,
            updated_ms: 0,
        }
    }

    #[test]
    fn the_summary_counts_what_moved_and_skips_what_failed() {
        let s = summarise(&[
            row("topup", "in", 50_000, 0, "succeeded"),
            row("payment", "out", 1_800, 0, "succeeded"),
            row("payment", "out", 300, 0, "succeeded"),
            row("withdrawal", "out", 10_000, 10, "pending"),
            row("transfer", "out", 999, 0, "failed"),
            row("transfer", "out", 5, 0, "cancelled"),
        ]);
        assert_eq!(s.total_in, 50_000);
        assert_eq!(s.total_out, 1_800 + 300 + 10_010);
        assert_eq!(s.categories[0], ("topup".into(), "in".into(), 50_000, 1));
        assert!(
            s.categories
                .contains(&("payment".into(), "out".into(), 2_100, 2))
        );
        assert!(!s.categories.iter().any(|c| c.0 == "transfer"));
    }
}
