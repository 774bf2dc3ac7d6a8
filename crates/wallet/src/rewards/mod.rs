//! Rewards (`docs/rewards.md`): merchants' campaigns with a budget set aside in the ledger, and
//! the coupons holders claim against it and the cashback it pays. [`rule`] is pure (what a coupon is worth and takes
//! off); [`launch`], claiming, paying, [`cashback`], [`refund`] and the end timer are the money
//! calls; [`records`] the rows.

pub mod breakdown;
pub mod cashback;
mod claim;
mod end;
pub mod launch;
pub mod parts;
mod pay;
pub mod records;
pub mod refund;
pub mod rule;
pub mod view;

pub use breakdown::PriceBreakdown;
pub use launch::{CampaignRequest, Launched};
pub use pay::UseRewards;
pub use records::{
    CampaignKind, CampaignRecord, CampaignStatus, CashbackRecord, CouponRecord, CouponStatus,
    RewardRecords,
};
pub use rule::CouponRule;
pub use view::HeldCoupon;
