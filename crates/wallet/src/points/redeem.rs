//! Redeeming points as a discount at payment: one point for one fen, from the points reserve to
//! the shop beside the payer's own money, in the payment's one entry. The soonest-expiring points
//! go first.

use super::records::{PointsEvent, PointsHistoryRecord};
use super::{holder_points, issued, pts, reserve, worth};
use crate::money::MoneyError;
use crate::money::records::MoneyTx;
use crate::records::HolderRecord;
use crate::rewards::parts::{PaidPart, PartSource};

/// Takes `points` out of the holder's lots, soonest to expire first; refused when the lots hold
/// fewer (a ledger that says otherwise is a bug the caller reports).
pub(crate) fn consume_lots(
    r: &mut dyn MoneyTx,
    holder_id: &str,
    points: i64,
) -> Result<(), MoneyError> {
    let mut left = points;
    for lot in r.points_lots_of(holder_id)? {
        if left == 0 {
            break;
        }
        let take = left.min(lot.remaining);
        r.set_lot_remaining(&lot.id, lot.remaining - take)?;
        left -= take;
    }
    if left > 0 {
        return Err(MoneyError::Internal(format!(
            "points lots of {holder_id} hold {left} points fewer than the ledger"
        )));
    }
    Ok(())
}

/// The part `points` of the payer's points pay of payment `payment_id` at `shop` (its name for the
/// history): refused with `insufficient_points` when they have fewer.
pub(crate) fn points_part(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    payer: &HolderRecord,
    points: i64,
    payment_id: &str,
    shop: &str,
    now: i64,
) -> Result<PaidPart, MoneyError> {
    let mine = holder_points(r, &payer.wallet_id)?;
    if mine.available() < pts(points) {
        return Err(MoneyError::InsufficientPoints);
    }
    consume_lots(r, &payer.id, points)?;
    r.insert_points_history(&PointsHistoryRecord {
        id: ids.movement_id(),
        holder_id: payer.id.clone(),
        kind: PointsEvent::Redeemed,
        points: -points,
        payment_id: Some(payment_id.to_string()),
        memo: shop.to_string(),
        created_ms: now,
    })?;
    let issued = issued(r)?;
    Ok(PaidPart {
        source: PartSource::Points,
        source_id: payer.id.clone(),
        account: reserve(r)?,
        amount: worth(points),
        beside: vec![(mine, -pts(points)), (issued, pts(points))],
    })
}
