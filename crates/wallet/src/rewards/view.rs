//! What holders and merchants read of campaigns: a campaign as a holder may claim it, a
//! merchant's own campaigns, and a holder's coupons with their campaign.

use super::records::{CampaignRecord, CouponRecord};
use crate::money::records::MerchantRecord;
use crate::money::{Money, MoneyError};
use crate::records::HolderRecord;
use crate::storage::RecordStore;

/// A coupon with the campaign it belongs to and the shop it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldCoupon {
    /// The coupon.
    pub coupon: CouponRecord,
    /// Its campaign.
    pub campaign: CampaignRecord,
    /// The shop's name, as payers see it.
    pub merchant_name: String,
}

impl Money {
    /// Campaign `id` with its shop's name, as any signed-in holder may see it to claim.
    pub async fn campaign(
        &self,
        store: &impl RecordStore,
        id: &str,
    ) -> Result<(CampaignRecord, String), MoneyError> {
        let id = id.to_string();
        store
            .transact_read(move |r| {
                let Some(campaign) = r.campaign(&id)? else {
                    return Ok(None);
                };
                let name = r
                    .merchant(&campaign.merchant_id)?
                    .map(|m| m.name)
                    .unwrap_or_default();
                Ok(Some((campaign, name)))
            })
            .await?
            .ok_or(MoneyError::NotFound)
    }

    /// The merchant's own campaigns, newest first (at most 100).
    pub async fn campaigns_of(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
    ) -> Result<Vec<CampaignRecord>, MoneyError> {
        let id = merchant.id.clone();
        Ok(store
            .transact_read(move |r| r.campaigns_of(&id, 100))
            .await?)
    }

    /// The holder's coupons, newest first (at most 100).
    pub async fn coupons_of(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<Vec<HeldCoupon>, MoneyError> {
        let id = holder.id.clone();
        Ok(store
            .transact_read(move |r| {
                let mut out = Vec::new();
                for coupon in r.coupons_of(&id, 100)? {
                    let Some(campaign) = r.campaign(&coupon.campaign_id)? else {
                        continue;
                    };
                    let merchant_name = r
                        .merchant(&campaign.merchant_id)?
                        .map(|m| m.name)
                        .unwrap_or_default();
                    out.push(HeldCoupon {
                        coupon,
                        campaign,
                        merchant_name,
                    });
                }
                Ok(out)
            })
            .await?)
    }
}
