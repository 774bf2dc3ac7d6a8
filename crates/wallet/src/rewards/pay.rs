//! Paying a shop with a coupon: the payer's limits, balance and risk are judged on what they
//! pay; the shop takes its whole price, the coupon's part from its own campaign funds, and pays
//! its fee on the whole price — all in the payment's one entry. The coupon is spent and the
//! campaign's reservation shrinks to what it actually took.

use super::launch::campaign_funds;
use super::records::{CampaignRecord, CampaignStatus, CouponRecord, CouponStatus};
use crate::money::merchant::MerchantPayment;
use crate::money::records::{Channel, MoneyTx};
use crate::money::risk::Asker;
use crate::money::{Done, Money, MoneyError, new_movement_id, wallet_account};
use crate::records::HolderRecord;
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

impl Money {
    /// Pays `merchant_id` a price of `price` from the payer's wallet with coupon `coupon_id`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pay_merchant_with_coupon(
        &self,
        r: &mut dyn MoneyTx,
        payer: Option<&HolderRecord>,
        payer_id: &str,
        merchant_id: &str,
        price: PositiveAmount,
        coupon_id: &str,
        order_id: Option<&str>,
        channel: Channel,
        description: &str,
        asker: &Asker,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let (coupon, mut campaign, discount) =
            applicable(r, payer_id, coupon_id, merchant_id, price.amount(), now)?;
        let pays = PositiveAmount::new((price.amount() - discount).minor())
            .ok_or(MoneyError::AmountInvalid)?;
        let id = new_movement_id();
        let mut checked = self.merchant_checks(
            r,
            payer,
            payer_id,
            merchant_id,
            pays,
            channel,
            true,
            asker,
            &id,
            now,
        )?;
        // The shop's fee is on its whole price, as without the coupon.
        checked.fee = self.fees.merchant(price);
        if !r.use_coupon(&coupon.id, &id, discount, now)? {
            return Err(MoneyError::CouponUsed);
        }
        // The claim reserved the coupon's most; it took `discount`.
        campaign.reserved -= coupon.value - discount;
        campaign.spent += discount;
        r.update_campaign(&campaign)?;
        let from = wallet_account(r, &checked.payer.wallet_id, Currency::CNY)?;
        let funds = campaign_funds(r, merchant_id, Currency::CNY)?;
        let memo = format!("{description} · 券 -{}", crate::money::yuan(discount));
        self.merchant_paid(
            r,
            &checked,
            &MerchantPayment {
                id: &id,
                amount: pays.amount(),
                from: &from,
                order_id,
                channel,
                description: &memo,
                card_id: None,
                fx: None,
                coupon: Some((&funds, discount)),
            },
            now,
        )
    }
}
