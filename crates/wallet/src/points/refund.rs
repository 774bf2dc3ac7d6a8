//! Points and refunds. A refund of a payment points paid part of gives those points back (a new
//! lot, a year to live) and their yuan back to the reserve. A refund of a payment that earned
//! points takes them back in proportion, cumulatively rounded down so a whole refund takes back
//! exactly what was earned — but never more than the holder still has: points already spent stay
//! spent, and the campaign bears them, as with cashback.

use super::records::{PointsEvent, PointsHistoryRecord, PointsLot};
use super::redeem::consume_lots;
use super::{LIFETIME_MS, holder_points, issued, pts, reserve, worth};
use crate::money::MoneyError;
use crate::money::merchant::merchant_account;
use crate::money::records::MoneyTx;
use crate::records::HolderRecord;
use crate::rewards::CampaignStatus;
use crate::rewards::launch::campaign_funds;
use crate::rewards::refund::payer_share;
use qianbao_ledger::{Account, Amount, Currency};

/// The legs that give `share` (yuan, one fen a point) back to the payer's points, for the refund
/// of payment `payment_id` by `merchant_id`.
pub(crate) fn points_back(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    payer: &HolderRecord,
    merchant_id: &str,
    payment_id: &str,
    share: Amount,
    now: i64,
) -> Result<Vec<(Account, Amount)>, MoneyError> {
    let points = share.minor();
    let id = ids.movement_id();
    r.insert_points_lot(&PointsLot {
        id: id.clone(),
        holder_id: payer.id.clone(),
        merchant_id: merchant_id.to_string(),
        points,
        remaining: points,
        expires_ms: now + LIFETIME_MS,
        created_ms: now,
    })?;
    r.insert_points_history(&PointsHistoryRecord {
        id,
        holder_id: payer.id.clone(),
        kind: PointsEvent::Returned,
        points,
        payment_id: Some(payment_id.to_string()),
        memo: String::new(),
        created_ms: now,
    })?;
    Ok(vec![
        (reserve(r)?, worth(points)),
        (issued(r)?, -pts(points)),
        (holder_points(r, &payer.wallet_id)?, pts(points)),
    ])
}

/// What refunding up to `refunded` of a price `price` takes back of `earned` points, of which
/// `taken_back` were taken already: in proportion, cumulatively rounded down.
pub fn points_due(earned: i64, taken_back: i64, refunded: Amount, price: Amount) -> i64 {
    payer_share(refunded, pts(earned), price).minor() - taken_back
}

/// The legs that take back, for refunding `refunded_now` of payment `payment_id` (price `price`,
/// `refunded_before` refunded already), the points it earned: the points out of the payer's
/// account, their yuan from the reserve to the campaign's funds while it runs, else to the shop.
#[allow(clippy::too_many_arguments)]
pub(crate) fn take_back_points(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    payer: &HolderRecord,
    merchant_id: &str,
    payment_id: &str,
    price: Amount,
    refunded_before: Amount,
    refunded_now: Amount,
    now: i64,
) -> Result<Vec<(Account, Amount)>, MoneyError> {
    let earned = r.points_earned_for(payment_id)?;
    if earned.is_empty() {
        return Ok(Vec::new());
    }
    let mine = holder_points(r, &payer.wallet_id)?;
    let mut have = mine.available().minor();
    let mut out = Vec::new();
    for e in earned {
        let due = points_due(
            e.points,
            e.taken_back,
            refunded_before + refunded_now,
            price,
        );
        let take = due.min(have).max(0);
        // What the holder spent already stays spent; counted as taken so no later refund asks.
        r.set_points_taken_back(payment_id, &e.campaign_id, e.taken_back + due)?;
        if take == 0 {
            continue;
        }
        have -= take;
        consume_lots(r, &payer.id, take)?;
        r.insert_points_history(&PointsHistoryRecord {
            id: ids.movement_id(),
            holder_id: payer.id.clone(),
            kind: PointsEvent::TakenBack,
            points: -take,
            payment_id: Some(payment_id.to_string()),
            memo: String::new(),
            created_ms: now,
        })?;
        let to = match r.campaign(&e.campaign_id)? {
            Some(mut c) if c.status == CampaignStatus::Active && now < c.ends_ms => {
                c.spent -= worth(take);
                c.reserved -= worth(take);
                r.update_campaign(&c)?;
                campaign_funds(r, merchant_id, Currency::CNY)?
            }
            _ => merchant_account(r, merchant_id, Currency::CNY)?,
        };
        out.extend([
            (holder_points(r, &payer.wallet_id)?, -pts(take)),
            (issued(r)?, pts(take)),
            (reserve(r)?, -worth(take)),
            (to, worth(take)),
        ]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// However a payment that earned points is refunded, each refund takes back a share that
        /// is never negative, the shares never add up to more than was earned, and a whole refund
        /// takes back exactly what was earned — so neither the holder nor the shop gains a point.
        #[test]
        fn refunds_take_back_earned_points_exactly_once_in_all(
            price in 1i64..5_000_000,
            per_yuan in 1i64..100,
            cuts in proptest::collection::vec(1i64..1_000_000, 0..8),
        ) {
            let earned = price / 100 * per_yuan;
            let (mut refunded, mut taken) = (0i64, 0i64);
            let mut refunds: Vec<i64> = cuts.into_iter().map(|c| c % price + 1).collect();
            refunds.push(price);
            for part in refunds {
                let part = part.min(price - refunded);
                if part == 0 {
                    continue;
                }
                refunded += part;
                let due = points_due(
                    earned,
                    taken,
                    Amount::from_minor(refunded),
                    Amount::from_minor(price),
                );
                prop_assert!(due >= 0);
                taken += due;
                prop_assert!(taken <= earned);
            }
            prop_assert_eq!(taken, earned);
        }
    }
}
