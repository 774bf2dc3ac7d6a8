//! When the daily snapshot is due: at a configured time of day, China time, once per day. The
//! day's snapshot has the day in its id (`ls-2026-12-07`), so nodes racing to take it store it
//! once: the second insert of the id is refused.

use super::take::{SnapshotTaken, take_snapshot};
use crate::domain::ChinaDay;
use crate::proofs::ProofError;
use crate::storage::RecordStore;

/// How long a snapshot may stay half-written before the day's next look takes it again (its
/// node died while writing it): far longer than writing a million leaves takes.
const ABANDONED_AFTER_MS: i64 = 15 * 60_000;

/// The daily snapshot's time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotSchedule {
    /// Minutes after midnight, China time, `0..1440`.
    pub minute_of_day: u32,
}

impl SnapshotSchedule {
    /// Reads `HH:MM` (24-hour clock).
    pub fn parse(text: &str) -> Option<SnapshotSchedule> {
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(SnapshotSchedule {
            minute_of_day: h * 60 + m,
        })
    }
}

/// The id of the day's snapshot when, at `now_ms`, its time has come; `None` before it.
pub fn due_snapshot_id(now_ms: i64, schedule: SnapshotSchedule) -> Option<String> {
    let day = ChinaDay::of_ms(now_ms);
    let due_ms = day.start_ms() + i64::from(schedule.minute_of_day) * 60_000;
    (now_ms >= due_ms).then(|| format!("ls-{}", day.date()))
}

/// Takes the day's snapshot if its time has come and nobody has: `Ok(None)` when not due, done
/// already, or being written by another node. A snapshot left half-written for long is dropped
/// and taken again.
pub async fn take_due_snapshot(
    store: &impl RecordStore,
    random: &dyn crate::Randomness,
    now_ms: i64,
    schedule: SnapshotSchedule,
) -> Result<Option<SnapshotTaken>, ProofError> {
    let Some(id) = due_snapshot_id(now_ms, schedule) else {
        return Ok(None);
    };
    let look = id.clone();
    let found = store
        .transact_read(move |r| r.liability_snapshot(&look))
        .await?;
    match found {
        Some(s) if s.status == super::SnapshotStatus::Published => return Ok(None),
        Some(s) if now_ms - s.taken_ms < ABANDONED_AFTER_MS => return Ok(None),
        Some(_) => {
            let drop = id.clone();
            store
                .transact_money(move |r| r.delete_liability_snapshot(&drop))
                .await?;
        }
        None => {}
    }
    take_snapshot(store, random, id, now_ms).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_days_snapshot_is_due_from_its_time_in_china() {
        let at = SnapshotSchedule::parse("03:30").unwrap_or(SnapshotSchedule { minute_of_day: 0 });
        assert_eq!(at.minute_of_day, 210);
        // 2026-12-06T19:29:59Z is 03:29:59 on the 7th in China: not yet.
        let before = 1_796_585_399_000;
        assert_eq!(due_snapshot_id(before, at), None);
        assert_eq!(
            due_snapshot_id(before + 1_000, at).as_deref(),
            Some("ls-2026-12-07")
        );
        for bad in ["3:30", "24:00", "03:60", "0330", "ab:cd", ""] {
            assert_eq!(SnapshotSchedule::parse(bad), None, "{bad}");
        }
    }
}
