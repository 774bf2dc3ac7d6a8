//! The rows of campaigns and coupons.

use super::rule::CouponRule;
use crate::StoreError;
use qianbao_ledger::Amount;

crate::named! {
    /// What a campaign gives.
    pub enum CampaignKind {
        /// Coupons holders claim and use at the merchant.
        Coupon = "coupon",
        /// Money back after a payment.
        Cashback = "cashback",
        /// Points per yuan spent.
        Points = "points",
    }
}

crate::named! {
    /// Where a campaign stands.
    pub enum CampaignStatus {
        /// Its budget is set aside; coupons may be claimed between its start and end.
        Active = "active",
        /// Ended: unused coupons lapsed, what its budget kept went back to the merchant.
        Ended = "ended",
    }
}

crate::named! {
    /// Where a coupon stands.
    pub enum CouponStatus {
        /// In the holder's wallet, not yet used.
        Claimed = "claimed",
        /// Used on a payment.
        Used = "used",
        /// Its campaign ended before it was used.
        Expired = "expired",
    }
}

/// A campaign as launched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRecord {
    /// Its id.
    pub id: String,
    /// The merchant that runs and funds it.
    pub merchant_id: String,
    /// What it gives.
    pub kind: CampaignKind,
    /// Its coupons' rule.
    pub rule: CouponRule,
    /// What it may give in all, set aside from the merchant's takings.
    pub budget: Amount,
    /// What claimed coupons may still take plus what used ones took: never above the budget.
    pub reserved: Amount,
    /// What used coupons took.
    pub spent: Amount,
    /// Coupons one holder may claim in all.
    pub per_holder: u32,
    /// Coupons one holder may claim in one China day, if limited.
    pub per_day: Option<u32>,
    /// Only holders who never paid this merchant may claim (新客专享).
    pub new_holders_only: bool,
    /// Points a claim costs (积分兑换), zero when coupons are free.
    pub points_price: i64,
    /// Where it stands.
    pub status: CampaignStatus,
    /// When claims open (ms).
    pub starts_ms: i64,
    /// When it ends (ms): coupons lapse and the budget's rest goes back.
    pub ends_ms: i64,
    /// When it was launched (ms).
    pub created_ms: i64,
}

impl CampaignRecord {
    /// What the budget can still promise to new claims.
    pub fn unpromised(&self) -> Amount {
        self.budget - self.reserved
    }

    /// How many more coupons its budget can back.
    pub fn coupons_left(&self) -> i64 {
        let value = self.rule.value().minor().max(1);
        self.unpromised().minor().max(0) / value
    }
}

/// A coupon in a holder's wallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponRecord {
    /// Its id.
    pub id: String,
    /// Its campaign.
    pub campaign_id: String,
    /// Whose it is.
    pub holder_id: String,
    /// The most it takes off (reserved from the budget when claimed).
    pub value: Amount,
    /// Where it stands.
    pub status: CouponStatus,
    /// The payment it was used on.
    pub payment_id: Option<String>,
    /// What it took off.
    pub discount: Option<Amount>,
    /// When it was claimed (ms).
    pub claimed_ms: i64,
    /// The China day it was claimed on (ms at its start).
    pub claimed_day_ms: i64,
    /// When it was used (ms).
    pub used_ms: Option<i64>,
}

/// Cashback paid on one payment by one campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CashbackRecord {
    /// Its id (the holder's cashback movement's).
    pub id: String,
    /// The campaign that paid it.
    pub campaign_id: String,
    /// Who got it.
    pub holder_id: String,
    /// The payment it was paid on.
    pub payment_id: String,
    /// What was given.
    pub amount: Amount,
    /// What refunds took back so far.
    pub taken_back: Amount,
    /// When (ms).
    pub created_ms: i64,
}

/// Campaigns and coupons.
pub trait RewardRecords {
    /// Stores a campaign just launched.
    fn insert_campaign(&mut self, campaign: &CampaignRecord) -> Result<(), StoreError>;
    /// A campaign by id.
    fn campaign(&mut self, id: &str) -> Result<Option<CampaignRecord>, StoreError>;
    /// Saves a campaign's reserved and spent amounts and status.
    fn update_campaign(&mut self, campaign: &CampaignRecord) -> Result<(), StoreError>;
    /// A merchant's campaigns, newest first.
    fn campaigns_of(
        &mut self,
        merchant_id: &str,
        limit: i64,
    ) -> Result<Vec<CampaignRecord>, StoreError>;
    /// Every merchant's campaigns, newest first, each with its merchant's name.
    fn all_campaigns(&mut self, limit: i64) -> Result<Vec<(CampaignRecord, String)>, StoreError>;
    /// Stores a coupon just claimed.
    fn insert_coupon(&mut self, coupon: &CouponRecord) -> Result<(), StoreError>;
    /// How many coupons of `campaign_id` the holder claimed, in all and since `day_ms`.
    fn coupons_claimed(
        &mut self,
        campaign_id: &str,
        holder_id: &str,
        day_ms: i64,
    ) -> Result<(i64, i64), StoreError>;
    /// The holder's coupons, newest first.
    fn coupons_of(&mut self, holder_id: &str, limit: i64) -> Result<Vec<CouponRecord>, StoreError>;
    /// A coupon by id.
    fn coupon(&mut self, id: &str) -> Result<Option<CouponRecord>, StoreError>;
    /// Marks a claimed coupon used on `payment_id` for `discount`; `false` (nothing changed)
    /// when it was not `claimed`, so of two payments racing for one coupon one gets it.
    fn use_coupon(
        &mut self,
        id: &str,
        payment_id: &str,
        discount: Amount,
        at_ms: i64,
    ) -> Result<bool, StoreError>;
    /// The coupon used on a payment, if one was.
    fn coupon_for_payment(&mut self, payment_id: &str) -> Result<Option<CouponRecord>, StoreError>;
    /// Puts a used coupon back in its holder's wallet (its payment was refunded whole).
    fn return_coupon(&mut self, id: &str) -> Result<(), StoreError>;
    /// Marks a campaign's unused coupons expired; answers how many.
    fn expire_coupons(&mut self, campaign_id: &str) -> Result<u64, StoreError>;
    /// Whether the holder ever paid the merchant.
    fn paid_merchant_before(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
    ) -> Result<bool, StoreError>;
    /// The merchant's active campaigns of `kind` running at `now_ms`.
    fn running_campaigns(
        &mut self,
        merchant_id: &str,
        kind: CampaignKind,
        now_ms: i64,
    ) -> Result<Vec<CampaignRecord>, StoreError>;
    /// Stores cashback just paid.
    fn insert_cashback(&mut self, cashback: &CashbackRecord) -> Result<(), StoreError>;
    /// The cashback paid on a payment.
    fn cashbacks_for_payment(
        &mut self,
        payment_id: &str,
    ) -> Result<Vec<CashbackRecord>, StoreError>;
    /// How many cashbacks of `campaign_id` the holder got, in all and since `day_ms`.
    fn cashbacks_got(
        &mut self,
        campaign_id: &str,
        holder_id: &str,
        day_ms: i64,
    ) -> Result<(i64, i64), StoreError>;
    /// Saves what refunds took back of a cashback.
    fn set_cashback_taken_back(&mut self, id: &str, taken_back: Amount) -> Result<(), StoreError>;
    /// What active campaigns' budgets still keep, summed (what campaign funds must hold).
    fn campaigns_kept_total(&mut self) -> Result<Amount, StoreError>;
}
