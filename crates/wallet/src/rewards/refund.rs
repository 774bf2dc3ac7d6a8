//! Refunding a payment a coupon paid part of: the payer gets back in proportion to what they
//! paid, cumulatively rounded so that the whole refund returns exactly what they paid; the
//! coupon's part goes back to the campaign's funds while it runs — and once the payment is
//! refunded whole, the coupon itself goes back to the holder — or stays with the shop once the
//! campaign has ended. No party gains or loses a fen (property-tested below).

use super::launch::campaign_funds;
use super::records::{CampaignStatus, CouponRecord};
use crate::money::MoneyError;
use crate::money::records::MoneyTx;
use qianbao_ledger::{Account, Amount, Currency};

/// The payer's share of refunding `refunded` of a price `price` they paid `paid` of: rounded
/// down, so refunding in parts never returns more than refunding at once.
pub fn payer_share(refunded: Amount, paid: Amount, price: Amount) -> Amount {
    let part =
        i128::from(refunded.minor()) * i128::from(paid.minor()) / i128::from(price.minor()).max(1);
    Amount::from_minor(i64::try_from(part).unwrap_or(i64::MAX))
}

/// Where a refund's coupon part `part` goes, inside the refund's transaction: to the campaign's
/// funds (with the campaign's spent and reserved amounts shrunk by it, and the coupon put back
/// when `whole`) while the campaign runs — answered as the account and amount to credit — or
/// `None` when it has ended, the shop keeping the part.
pub(crate) fn coupon_back(
    r: &mut dyn MoneyTx,
    coupon: &CouponRecord,
    part: Amount,
    whole: bool,
    now: i64,
) -> Result<Option<(Account, Amount)>, MoneyError> {
    let Some(mut campaign) = r.campaign(&coupon.campaign_id)? else {
        return Ok(None);
    };
    if campaign.status != CampaignStatus::Active || now >= campaign.ends_ms {
        return Ok(None);
    }
    campaign.spent -= part;
    campaign.reserved -= part;
    if whole {
        r.return_coupon(&coupon.id)?;
        campaign.reserved += coupon.value;
    }
    r.update_campaign(&campaign)?;
    Ok(Some((
        campaign_funds(r, &campaign.merchant_id, Currency::CNY)?,
        part,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(v: i64) -> Amount {
        Amount::from_minor(v)
    }

    proptest! {
        /// However a discounted payment is refunded — at once or in any parts — the payer gets
        /// back exactly what they paid once all is refunded, never more at any point, and every
        /// part splits between payer and coupon to the fen.
        #[test]
        fn refunds_in_parts_return_exactly_what_the_payer_paid(
            price in 2i64..5_000_000,
            discount_pct in 1i64..99,
            cuts in proptest::collection::vec(1i64..1_000_000, 0..8),
        ) {
            let discount = (price * discount_pct / 100).clamp(1, price - 1);
            let paid = price - discount;
            let mut refunded = 0i64;
            let (mut to_payer, mut to_coupon) = (0i64, 0i64);
            let mut parts: Vec<i64> = cuts.into_iter().map(|c| c % price + 1).collect();
            parts.push(price);
            for part in parts {
                let part = part.min(price - refunded);
                if part == 0 {
                    continue;
                }
                let back = (payer_share(fen(refunded + part), fen(paid), fen(price))
                    - payer_share(fen(refunded), fen(paid), fen(price))).minor();
                prop_assert!(back >= 0 && back <= part);
                to_payer += back;
                to_coupon += part - back;
                refunded += part;
                prop_assert!(to_payer <= paid);
                prop_assert!(to_coupon <= discount);
            }
            prop_assert_eq!(refunded, price);
            prop_assert_eq!(to_payer, paid);
            prop_assert_eq!(to_coupon, discount);
        }
    }
}
