//! Paying a shop with a coupon, points, or both: the payer's limits, balance and risk are judged on what they
//! pay; the shop takes its whole price, the coupon's part from its own campaign funds, and pays
//! its fee on the whole price — all in the payment's one entry. The coupon is spent and the
//! campaign's reservation shrinks to what it actually took.

use super::launch::campaign_funds;
use super::records::{CampaignRecord, CampaignStatus, CouponRecord, CouponStatus};
use crate::gift_cards::pay::card_parts;
use crate::money::merchant::MerchantPayment;
use crate::money::records::{Channel, MoneyTx};
use crate::money::risk::Asker;
use crate::money::{Done, Money, MoneyError, active_holder, wallet_account};
use crate::points::redeem::points_part;
use crate::records::HolderRecord;
use crate::rewards::parts::PaidPart;
use qianbao_ledger::{Amount, Currency, PositiveAmount};

/// A coupon of `holder_id`'s as it applies to a price of `price` at `merchant_id` now: the
/// coupon, its campaign, and what it takes off — or why it does not apply, each with its code.
pub(crate) fn applicable(
    r: &mut dyn MoneyTx,
    holder_id: &str,
    coupon_id: &str,
    merchant_id: &str,
    price: Amount,
    now: i64,
) -> Result<(CouponRecord, CampaignRecord, Amount), MoneyError> {
    let coupon = r
        .coupon(coupon_id)?
        .filter(|c| c.holder_id == holder_id)
        .ok_or(MoneyError::NotFound)?;
    let campaign = r
        .campaign(&coupon.campaign_id)?
        .ok_or(MoneyError::NotFound)?;
    match coupon.status {
        CouponStatus::Claimed => {}
        CouponStatus::Used => return Err(MoneyError::CouponUsed),
        CouponStatus::Expired => return Err(MoneyError::CouponExpired),
    }
    if campaign.status != CampaignStatus::Active || now >= campaign.ends_ms {
        return Err(MoneyError::CouponExpired);
    }
    if campaign.merchant_id != merchant_id {
        return Err(MoneyError::CouponNotApplicable);
    }
    let discount = campaign
        .rule
        .discount(price)
        .ok_or(MoneyError::CouponMinSpend)?;
    Ok((coupon, campaign, discount))
}

/// What a payer asks to pay a shop with beside their wallet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UseRewards {
    /// One of their coupons for the shop.
    pub coupon_id: Option<String>,
    /// Points to redeem, one fen each.
    pub points: Option<i64>,
}

impl UseRewards {
    /// Whether anything is asked for.
    pub fn any(&self) -> bool {
        self.coupon_id.is_some() || self.points.is_some()
    }
}

impl Money {
    /// Pays `merchant_id` a price of `price` with the payer's coupon and/or points, then their
    /// cards of the shop, then their wallet for the rest. Points may pay at most what the coupon
    /// leaves.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pay_merchant_with_rewards(
        &self,
        r: &mut dyn MoneyTx,
        payer: Option<&HolderRecord>,
        payer_id: &str,
        merchant_id: &str,
        price: PositiveAmount,
        rewards: &UseRewards,
        order_id: Option<&str>,
        channel: Channel,
        description: &str,
        asker: &Asker,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let coupon = match &rewards.coupon_id {
            Some(coupon_id) => Some(applicable(
                r,
                payer_id,
                coupon_id,
                merchant_id,
                price.amount(),
                now,
            )?),
            None => None,
        };
        let discount = coupon.as_ref().map_or(Amount::ZERO, |c| c.2);
        let id = ids.movement_id();
        let mut beside = Vec::new();
        let mut memo = description.to_string();
        if let Some((..)) = &coupon {
            memo = format!("{memo} · 券 -{}", crate::money::yuan(discount));
        }
        if let Some(points) = rewards.points {
            if points <= 0 || crate::points::worth(points) > price.amount() - discount {
                return Err(MoneyError::InvalidField("points"));
            }
            let holder = active_holder(r, payer_id)?;
            let shop = r
                .merchant(merchant_id)?
                .ok_or(MoneyError::MerchantUnavailable)?;
            beside.push(points_part(r, &ids, &holder, points, &id, &shop.name, now)?);
            memo = format!("{memo} · 积分 -{points}");
        }
        let before_cards = price.amount()
            - discount
            - beside
                .iter()
                .fold(Amount::ZERO, |s, p: &PaidPart| s + p.amount);
        if before_cards.is_positive() {
            beside.extend(card_parts(r, payer_id, merchant_id, before_cards, now)?);
        }
        let (checked, pays) = self.checks_beside(
            r,
            payer,
            payer_id,
            merchant_id,
            price,
            discount + beside.iter().fold(Amount::ZERO, |s, p| s + p.amount),
            channel,
            asker,
            &id,
            now,
        )?;
        let funds = match coupon {
            Some((coupon, mut campaign, discount)) => {
                if !r.use_coupon(&coupon.id, &id, discount, now)? {
                    return Err(MoneyError::CouponUsed);
                }
                // The claim reserved the coupon's most; it took `discount`.
                campaign.reserved -= coupon.value - discount;
                campaign.spent += discount;
                r.update_campaign(&campaign)?;
                Some(campaign_funds(r, merchant_id, Currency::CNY)?)
            }
            None => None,
        };
        let from = wallet_account(r, &checked.payer.wallet_id, Currency::CNY)?;
        self.merchant_paid(
            r,
            &checked,
            &MerchantPayment {
                id: &id,
                amount: pays,
                from: &from,
                order_id,
                channel,
                description: &memo,
                card_id: None,
                fx: None,
                coupon: funds.as_ref().map(|f| (f, discount)),
                beside,
            },
            now,
        )
    }
}
