//! Movements as rows, and the per-day spending counters the limits read.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_ledger::{Amount, Currency};
use qianbao_wallet::StoreError;
use qianbao_wallet::money::limits::day_start_ms as day_of;
use qianbao_wallet::money::records::{
    Channel, Direction, MovementFilter, MovementKind, MovementRecord, MovementRecords,
    MovementStatus,
};

pub(crate) const MOVEMENT_COLUMNS: &str = "id, owner_id, kind, direction, channel, amount, fee, currency, \
                                counterparty, peer_id, status, memo, entry_id, card_id, \
                                created_ms, updated_ms";

pub(crate) fn movement_from(row: &Row) -> Result<MovementRecord, StoreError> {
    Ok(MovementRecord {
        id: row.text(0)?,
        owner_id: row.text(1)?,
        kind: row.named(2, MovementKind::parse)?,
        direction: row.named(3, Direction::parse)?,
        channel: row.named(4, Channel::parse)?,
        amount: row.amount(5)?,
        fee: row.amount(6)?,
        currency: row.named(7, Currency::parse)?,
        counterparty: row.text(8)?,
        peer_id: row.opt_text(9)?,
        status: row.named(10, MovementStatus::parse)?,
        memo: row.text(11)?,
        entry_id: row.opt_text(12)?,
        card_id: row.opt_text(13)?,
        created_ms: row.int(14)?,
        updated_ms: row.int(15)?,
    })
}

/// Whether a movement in `status` counts toward its owner's spending (it left, or will).
pub(crate) fn counts(status: MovementStatus) -> bool {
    status.counts()
}

impl SqlRecords<'_> {
    /// Adds `delta` to what left `owner_id` through `channel` on the day of `at_ms`.
    fn add_spending(
        &mut self,
        owner_id: &str,
        at_ms: i64,
        channel: Channel,
        delta: Amount,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO daily_spending (owner_id, day_ms, channel, amount) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner_id, day_ms, channel)
             DO UPDATE SET amount = daily_spending.amount + excluded.amount",
            &[
                owner_id.into(),
                day_of(at_ms).into(),
                channel.as_str().into(),
                delta.into(),
            ],
        )?;
        Ok(())
    }
}

/// The read of what left `owner_id` through `channels` since `since_ms`: one statement whatever
/// the number of channels (`channel IN ($3, $4, …)`), over the per-day counters rather than the
/// day's records.
pub(crate) fn spent_read(
    owner_id: &str,
    since_ms: i64,
    channels: &[Channel],
) -> (String, Vec<Value>) {
    let placeholders: Vec<String> = (3..3 + channels.len()).map(|i| format!("${i}")).collect();
    let mut values: Vec<Value> = vec![owner_id.into(), day_of(since_ms).into()];
    values.extend(channels.iter().map(|c| Value::from(c.as_str())));
    (
        format!(
            "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM daily_spending
             WHERE owner_id = $1 AND day_ms >= $2 AND channel IN ({})",
            placeholders.join(", ")
        ),
        values,
    )
}

/// A `sum(...)` column, cast to BIGINT in SQL so both backends return an integer.
pub(crate) fn sum_of(row: &Row) -> Result<Amount, StoreError> {
    row.amount(0)
}

impl MovementRecords for SqlRecords<'_> {
    fn movement(&mut self, id: &str) -> Result<Option<MovementRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {MOVEMENT_COLUMNS} FROM movements WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| movement_from(&row))
            .transpose()
    }

    fn movements_with_status(
        &mut self,
        status: MovementStatus,
    ) -> Result<Vec<MovementRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {MOVEMENT_COLUMNS} FROM movements WHERE status = $1 \
                     AND direction = 'out' ORDER BY created_ms, id"
                ),
                &[status.as_str().into()],
            )?
            .iter()
            .map(movement_from)
            .collect()
    }

    fn waiting_on_card(&mut self, card_id: &str) -> Result<Vec<MovementRecord>, StoreError> {
        // Through the timers, a short table of work still due, rather than every movement.
        let columns = MOVEMENT_COLUMNS
            .split(", ")
            .map(|c| format!("m.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        self.0
            .query(
                &format!(
                    "SELECT {columns} FROM timers t JOIN movements m ON m.id = t.subject
                     WHERE t.kind IN ('withdrawal_payout', 'topup_reconcile')
                       AND m.card_id = $1 AND m.status = 'pending'
                     ORDER BY m.id"
                ),
                &[card_id.into()],
            )?
            .iter()
            .map(movement_from)
            .collect()
    }

    fn insert_movement(&mut self, m: &MovementRecord) -> Result<(), StoreError> {
        // The day's counters count yuan; a movement in another currency is counted at its yuan
        // value by the call that makes it (`count_spending`).
        if m.direction == Direction::Out && counts(m.status) && m.currency == Currency::CNY {
            self.add_spending(&m.owner_id, m.created_ms, m.channel, m.amount)?;
        }
        self.insert(
            "movements",
            MOVEMENT_COLUMNS,
            &[
                m.id.as_str().into(),
                m.owner_id.as_str().into(),
                m.kind.as_str().into(),
                m.direction.as_str().into(),
                m.channel.as_str().into(),
                m.amount.into(),
                m.fee.into(),
                m.currency.as_str().into(),
                m.counterparty.as_str().into(),
                m.peer_id.as_deref().into(),
                m.status.as_str().into(),
                m.memo.as_str().into(),
                m.entry_id.as_deref().into(),
                m.card_id.as_deref().into(),
                m.created_ms.into(),
                m.updated_ms.into(),
            ],
        )
    }

    fn count_spending(
        &mut self,
        owner_id: &str,
        at_ms: i64,
        channel: Channel,
        yuan: Amount,
    ) -> Result<(), StoreError> {
        self.add_spending(owner_id, at_ms, channel, yuan)
    }

    fn set_movement_status(
        &mut self,
        id: &str,
        status: MovementStatus,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        // Keep the day's spending true: a movement that stops (or starts) counting moves it.
        if let Some(m) = self.movement(id)?
            && m.direction == Direction::Out
            && m.currency == Currency::CNY
            && counts(m.status) != counts(status)
        {
            let delta = if counts(status) { m.amount } else { -m.amount };
            self.add_spending(&m.owner_id, m.created_ms, m.channel, delta)?;
        }
        self.0.write(
            "UPDATE movements SET status = $2, updated_ms = $3 WHERE id = $1",
            &[id.into(), status.as_str().into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn movements(
        &mut self,
        owner_id: &str,
        f: &MovementFilter,
    ) -> Result<Vec<MovementRecord>, StoreError> {
        // The cursor is the last record of the page before; the next page starts below its
        // (time, id), so the read seeks `movements_by_owner_time` instead of scanning from the
        // newest record. A cursor that is none of this owner's records still bounds by id alone.
        let before = f.before_id.as_deref().unwrap_or_default();
        let cursor_ms = match before {
            "" => None,
            id => self
                .movement(id)?
                .filter(|m| m.owner_id == owner_id)
                .map(|m| m.created_ms),
        };
        // Absent filters become bounds that let every row through, so one statement serves.
        let rows = self.0.query(
            &format!(
                "SELECT {MOVEMENT_COLUMNS} FROM movements
                 WHERE owner_id = $1 AND ($2 = '' OR kind = $2) AND created_ms >= $3
                   AND created_ms < $4 AND ($5 = '' OR created_ms < $7 OR id < $5)
                 ORDER BY created_ms DESC, id DESC LIMIT $6"
            ),
            &[
                owner_id.into(),
                f.kind.map_or("", MovementKind::as_str).into(),
                f.from_ms.unwrap_or(i64::MIN).into(),
                // One upper bound on the time, so the index range starts at the cursor.
                f.to_ms
                    .unwrap_or(i64::MAX)
                    .min(cursor_ms.map_or(i64::MAX, |ms| ms.saturating_add(1)))
                    .into(),
                before.into(),
                f.limit.clamp(1, 10_000).into(),
                cursor_ms.unwrap_or(i64::MIN).into(),
            ],
        )?;
        rows.iter().map(movement_from).collect()
    }

    fn spent_since(
        &mut self,
        owner_id: &str,
        since_ms: i64,
        channels: &[Channel],
    ) -> Result<Amount, StoreError> {
        if channels.is_empty() {
            return Ok(Amount::ZERO);
        }
        let (sql, values) = spent_read(owner_id, since_ms, channels);
        let row = self.0.query_one(&sql, &values)?;
        sum_of(&row)
    }

    fn withdrawn_total(&mut self, owner_id: &str) -> Result<Amount, StoreError> {
        let row = self.0.query_one(
            "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM movements
             WHERE owner_id = $1 AND kind = 'withdrawal' AND status IN ('succeeded', 'pending')",
            &[owner_id.into()],
        )?;
        sum_of(&row)
    }

    fn unfinished_of(
        &mut self,
        owner_id: &str,
        limit: i64,
    ) -> Result<Vec<MovementRecord>, StoreError> {
        // The status list is written out as `movements_unfinished` (0014) has it, so both
        // backends read that partial index rather than every movement the owner ever made.
        self.0
            .query(
                &format!(
                    "SELECT {MOVEMENT_COLUMNS} FROM movements
                     WHERE owner_id = $1 AND status IN ('pending', 'scheduled', 'held_for_review')
                     ORDER BY created_ms, id LIMIT $2"
                ),
                &[owner_id.into(), limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(movement_from)
            .collect()
    }
}
