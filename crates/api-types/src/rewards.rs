//! Rewards on the wire: merchants' campaigns and the coupons holders claim.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A campaign's rule: a coupon's or cashback's `{amount_off, min_spend}` or
/// `{percent_off, max_off, min_spend}` (fen), or a points campaign's `{points_per_yuan}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponRuleBody {
    /// A fixed amount off (满减); or give `percent_off` and `max_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub amount_off: Option<i64>,
    /// A percentage off, 1–99 (折扣).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 99)]
    pub percent_off: Option<i64>,
    /// The most a percentage takes off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub max_off: Option<i64>,
    /// Points (积分) earned per whole yuan paid, 1–100, for a `points` campaign: one point is
    /// worth one fen when redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub points_per_yuan: Option<i64>,
    /// The least a payment must be for the coupon to apply (above `amount_off`); a points
    /// campaign's is one yuan and may be left out.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub min_spend: i64,
}

/// `POST /v1/merchant/campaigns`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignRequestBody {
    /// `coupon` (claimed, then used at payment), `cashback` (paid back on every payment that
    /// qualifies) or `points` (points earned per yuan paid, redeemable at any shop).
    #[schema(pattern = r"^(coupon|cashback|points)$")]
    pub kind: String,
    /// What it may give in all, in fen: set aside from the shop's takings at once.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub budget: i64,
    /// When claims open (RFC 3339).
    pub starts_at: String,
    /// When it ends (RFC 3339): coupons lapse and the budget's rest goes back to the shop.
    pub ends_at: String,
    /// The coupons' rule.
    pub rule: CouponRuleBody,
    /// Coupons one holder may claim in all (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub per_holder: Option<i64>,
    /// Coupons one holder may claim in one China day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub per_day: Option<i64>,
    /// Only holders who never paid the shop (新客专享).
    #[serde(default)]
    pub new_holders_only: bool,
    /// Points (积分) a coupon costs to claim (积分兑换券); left out or 0, coupons are free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub points_price: Option<i64>,
}

/// A campaign launched.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignLaunched {
    /// Its id: holders claim with it.
    pub campaign_id: String,
}

/// A campaign as shown.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignView {
    /// Its id.
    pub campaign_id: String,
    /// The shop that runs it.
    pub merchant_id: String,
    /// The shop's name.
    pub merchant_name: String,
    /// `coupon` or `cashback`.
    pub kind: String,
    /// The coupons' rule.
    pub rule: CouponRuleBody,
    /// The budget, in fen.
    pub budget: i64,
    /// What coupons took off so far, in fen.
    pub spent: i64,
    /// How many more coupons the budget can back.
    pub coupons_left: i64,
    /// `active` or `ended`.
    pub status: String,
    /// When claims open (RFC 3339).
    pub starts_at: String,
    /// When it ends (RFC 3339).
    pub ends_at: String,
    /// Coupons one holder may claim in all.
    pub per_holder: u32,
    /// Coupons one holder may claim in a day, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<u32>,
    /// Only for the shop's new customers.
    pub new_holders_only: bool,
    /// Points a coupon costs to claim (0: free).
    pub points_price: i64,
}

/// `GET /v1/merchant/campaigns`: the shop's campaigns, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignList {
    /// The campaigns.
    pub items: Vec<CampaignView>,
}

/// A coupon claimed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CouponClaimed {
    /// The coupon's id.
    pub coupon_id: String,
}

/// One coupon in the holder's wallet.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CouponView {
    /// Its id.
    pub coupon_id: String,
    /// Its campaign.
    pub campaign_id: String,
    /// The shop it is for.
    pub merchant_id: String,
    /// The shop's name.
    pub merchant_name: String,
    /// The rule.
    pub rule: CouponRuleBody,
    /// The most it takes off, in fen.
    pub value: i64,
    /// `claimed`, `used` or `expired`.
    pub status: String,
    /// When it was claimed (RFC 3339).
    pub claimed_at: String,
    /// When it stops being usable (RFC 3339): its campaign's end.
    pub expires_at: String,
}

/// `GET /v1/me/coupons`: newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CouponList {
    /// The coupons.
    pub items: Vec<CouponView>,
}

/// Points expiring at one time.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PointsExpiring {
    /// How many.
    pub points: i64,
    /// When they lapse (RFC 3339).
    pub expires_at: String,
}

/// One line of a holder's points history.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PointsLine {
    /// `earned`, `redeemed`, `returned` (by a refund), `taken_back` (by a refund) or `expired`.
    pub kind: String,
    /// Signed: earned and returned are positive.
    pub points: i64,
    /// The payment it was about.
    pub payment_id: Option<String>,
    /// The shop's name, when there is one.
    pub memo: String,
    /// When (RFC 3339).
    pub at: String,
}

/// `GET /v1/me/points`: the holder's points (积分), one fen each when redeemed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PointsReply {
    /// Points to spend.
    pub balance: i64,
    /// What lapses when, soonest first.
    pub expiring: Vec<PointsExpiring>,
    /// What happened, newest first (the last 100).
    pub history: Vec<PointsLine>,
}
