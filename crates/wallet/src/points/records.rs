//! The rows of points: lots (what expires when), the history a holder sees, and what each
//! payment earned (so its refund takes back its share).

use crate::StoreError;

crate::named! {
    /// What happened to a holder's points.
    pub enum PointsEvent {
        /// Earned on a payment.
        Earned = "earned",
        /// Redeemed as a discount.
        Redeemed = "redeemed",
        /// Given back by a refund of a payment they paid part of.
        Returned = "returned",
        /// Taken back by a refund of the payment that earned them.
        TakenBack = "taken_back",
        /// Lapsed unused.
        Expired = "expired",
    }
}

/// A batch of points earned (or given back) together, expiring together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsLot {
    /// Its id.
    pub id: String,
    /// Whose.
    pub holder_id: String,
    /// The shop whose yuan back it: they go back to it if the points expire.
    pub merchant_id: String,
    /// Points in the lot.
    pub points: i64,
    /// Points not yet redeemed, taken back or expired.
    pub remaining: i64,
    /// When what remains expires (ms).
    pub expires_ms: i64,
    /// When (ms).
    pub created_ms: i64,
}

/// One line of a holder's points history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsHistoryRecord {
    /// Its id.
    pub id: String,
    /// Whose.
    pub holder_id: String,
    /// What happened.
    pub kind: PointsEvent,
    /// Points, signed: earned and returned are positive.
    pub points: i64,
    /// The payment it was about.
    pub payment_id: Option<String>,
    /// What the holder reads (the shop's name).
    pub memo: String,
    /// When (ms).
    pub created_ms: i64,
}

/// Points a payment earned from one campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsEarnedRecord {
    /// The payment.
    pub payment_id: String,
    /// The points campaign.
    pub campaign_id: String,
    /// Who earned them.
    pub holder_id: String,
    /// How many.
    pub points: i64,
    /// How many refunds took back so far.
    pub taken_back: i64,
    /// When (ms).
    pub created_ms: i64,
}

/// Points' rows.
pub trait PointsRecords {
    /// Stores a lot.
    fn insert_points_lot(&mut self, lot: &PointsLot) -> Result<(), StoreError>;
    /// The holder's lots with points left, soonest to expire first.
    fn points_lots_of(&mut self, holder_id: &str) -> Result<Vec<PointsLot>, StoreError>;
    /// Saves what is left of a lot.
    fn set_lot_remaining(&mut self, id: &str, remaining: i64) -> Result<(), StoreError>;
    /// Lots with points left that expired by `now_ms`, at most `limit`.
    fn expired_points_lots(
        &mut self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<PointsLot>, StoreError>;
    /// Writes a history line.
    fn insert_points_history(&mut self, line: &PointsHistoryRecord) -> Result<(), StoreError>;
    /// The holder's history, newest first.
    fn points_history_of(
        &mut self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<PointsHistoryRecord>, StoreError>;
    /// Stores what a payment earned.
    fn insert_points_earned(&mut self, earned: &PointsEarnedRecord) -> Result<(), StoreError>;
    /// What a payment earned, per campaign.
    fn points_earned_for(
        &mut self,
        payment_id: &str,
    ) -> Result<Vec<PointsEarnedRecord>, StoreError>;
    /// Saves what refunds took back of a payment's points from one campaign.
    fn set_points_taken_back(
        &mut self,
        payment_id: &str,
        campaign_id: &str,
        taken_back: i64,
    ) -> Result<(), StoreError>;
    /// Points left in all lots, summed (what holders' points accounts must hold).
    fn points_lots_total(&mut self) -> Result<i64, StoreError>;
}
