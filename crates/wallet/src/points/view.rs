//! What a holder sees of their points: the balance, what expires when, and the history.

use super::holder_points;
use super::records::{PointsHistoryRecord, PointsRecords};
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;

/// How many history lines the view shows.
const HISTORY_MAX: i64 = 100;

/// A holder's points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsView {
    /// Points to spend.
    pub balance: i64,
    /// What expires when, soonest first: `(points, expires_ms)`.
    pub expiring: Vec<(i64, i64)>,
    /// What happened, newest first.
    pub history: Vec<PointsHistoryRecord>,
}

impl Money {
    /// The holder's points, read in one transaction so the balance and the lots agree.
    pub async fn points_of(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<PointsView, MoneyError> {
        let holder = holder.clone();
        Ok(store
            .transact_read(move |r| {
                let balance = holder_points(r, &holder.wallet_id)?.balance.minor();
                let expiring = PointsRecords::points_lots_of(r, &holder.id)?
                    .into_iter()
                    .map(|l| (l.remaining, l.expires_ms))
                    .collect();
                let history = r.points_history_of(&holder.id, HISTORY_MAX)?;
                Ok(PointsView {
                    balance,
                    expiring,
                    history,
                })
            })
            .await?)
    }
}
