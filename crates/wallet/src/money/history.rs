//! What a holder reads: balances, records (filtered, paged), one record, the month's summary by
//! category, and the inbox.

use super::records::{
    Direction, MovementFilter, MovementKind, MovementRecord, MovementStatus, NotificationRecord,
};
use super::{Money, MoneyError};
use crate::AccountOwner;
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{Account, AccountKind, Amount, Currency};

/// Totals of one month, in and out, per kind of movement.
///
/// Income and spending count only money exchanged with others; money moved between the holder's
/// own cards and wallet is neither, and is totalled on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthSummary {
    /// What came in from others.
    pub total_in: Amount,
    /// What went out to others, fees included.
    pub total_out: Amount,
    /// What came in from the holder's own cards (top-ups).
    pub own_card_in: Amount,
    /// What went out to the holder's own cards (withdrawals and settlements, fees included).
    pub own_card_out: Amount,
    /// `(kind, direction, total, count)`, largest first.
    pub categories: Vec<(MovementKind, Direction, Amount, i64)>,
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
                Currency::CNY,
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

    /// The holder's cards as records show them (`工商银行 ****1234`), unbound ones too: a record
    /// names the card it used for as long as it is kept.
    pub async fn card_labels(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<Vec<(String, String)>, MoneyError> {
        let holder_id = holder.id.clone();
        Ok(store
            .transact_read(move |r| r.cards_of(&holder_id))
            .await?
            .into_iter()
            .map(|c| (c.id, format!("{} ****{}", c.bank_name, c.last4)))
            .collect())
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

/// Whether a kind of movement only moves the holder's money between their own card and wallet
/// (or their shop's takings to their card, or between their own currencies): neither income nor
/// spending. A withdrawal's fee goes with it, as part of what leaving for the card cost.
pub fn own_card(kind: MovementKind) -> bool {
    match kind {
        MovementKind::Topup
        | MovementKind::Withdrawal
        | MovementKind::Settlement
        | MovementKind::Conversion => true,
        MovementKind::Transfer
        | MovementKind::Payment
        | MovementKind::Refund
        | MovementKind::Adjustment
        | MovementKind::RedPacket
        | MovementKind::Bill
        | MovementKind::Fare
        | MovementKind::Cashback
        | MovementKind::GiftCard => false,
    }
}

/// Whether the summary counts a record at all: failed and cancelled ones moved nothing, and the
/// summary is in yuan (money in other currencies, and conversions between the holder's own
/// currencies, neither income nor spending and in two currencies, are left out).
pub fn counted(m: &MovementRecord) -> bool {
    !matches!(m.status, MovementStatus::Failed | MovementStatus::Cancelled)
        && m.kind != MovementKind::Conversion
        && m.currency == Currency::CNY
}

/// What a record adds to the summary's spending (`total_out`), fee included; `None` when it is
/// not spending. The budgets count exactly this, so the two screens never disagree.
pub fn spent(m: &MovementRecord) -> Option<Amount> {
    (counted(m) && m.direction == Direction::Out && !own_card(m.kind)).then(|| m.amount + m.fee)
}

/// Sums records by kind and direction; failed and cancelled ones moved nothing.
pub fn summarise(rows: &[MovementRecord]) -> MonthSummary {
    let mut summary = MonthSummary::default();
    // Keyed by the names, so categories of equal totals keep the order they always had.
    type Total = (MovementKind, Direction, Amount, i64);
    let mut totals: std::collections::BTreeMap<(&str, &str), Total> =
        std::collections::BTreeMap::new();
    for m in rows.iter().filter(|m| counted(m)) {
        let moved = if m.direction == Direction::Out {
            m.amount + m.fee
        } else {
            m.amount
        };
        let slot = match (own_card(m.kind), m.direction) {
            (false, Direction::In) => &mut summary.total_in,
            (false, Direction::Out) => &mut summary.total_out,
            (true, Direction::In) => &mut summary.own_card_in,
            (true, Direction::Out) => &mut summary.own_card_out,
        };
        *slot += moved;
        let slot = totals
            .entry((m.kind.as_str(), m.direction.as_str()))
            .or_insert((m.kind, m.direction, Amount::ZERO, 0));
        slot.2 += moved;
        slot.3 += 1;
    }
    summary.categories = totals.into_values().collect();
    summary.categories.sort_by_key(|c| std::cmp::Reverse(c.2));
    summary
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::money::records::Channel;
    use qianbao_ledger::Currency;

    fn row(kind: &str, direction: &str, amount: i64, fee: i64, status: &str) -> MovementRecord {
        MovementRecord {
            id: String::new(),
            owner_id: String::new(),
            kind: MovementKind::parse(kind).unwrap(),
            direction: Direction::parse(direction).unwrap(),
            channel: Channel::Transfer,
            amount: Amount::from_minor(amount),
            fee: Amount::from_minor(fee),
            currency: Currency::CNY,
            counterparty: String::new(),
            peer_id: None,
            status: MovementStatus::parse(status).unwrap(),
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
        let a = Amount::from_minor;
        assert_eq!(s.total_in, a(0), "a top-up is not income");
        assert_eq!(s.total_out, a(1_800 + 300), "a withdrawal is not spending");
        assert_eq!(s.own_card_in, a(50_000));
        assert_eq!(s.own_card_out, a(10_010));
        assert_eq!(
            s.categories[0],
            (MovementKind::Topup, Direction::In, a(50_000), 1)
        );
        assert!(
            s.categories
                .contains(&(MovementKind::Payment, Direction::Out, a(2_100), 2))
        );
        assert!(!s.categories.iter().any(|c| c.0 == MovementKind::Transfer));
    }

    #[test]
    fn income_and_spending_are_what_was_exchanged_with_others() {
        // The month: ¥1,100.00 withdrawn (fee ¥0.10) and ¥642.55 spent.
        let s = summarise(&[
            row("topup", "in", 200_000, 0, "succeeded"),
            row("withdrawal", "out", 110_000, 10, "succeeded"),
            row("payment", "out", 42_555, 0, "succeeded"),
            row("transfer", "out", 21_700, 0, "succeeded"),
            row("refund", "in", 1_000, 0, "succeeded"),
            row("transfer", "in", 3_000, 0, "succeeded"),
        ]);
        let a = Amount::from_minor;
        assert_eq!(s.total_out, a(64_255));
        assert_eq!(s.total_in, a(4_000));
        assert_eq!((s.own_card_in, s.own_card_out), (a(200_000), a(110_010)));
    }
}
