//! A merchant launching a campaign: its budget moves from the merchant's takings to its campaign
//! funds in one entry — set aside, so coupons can never promise money the merchant spent — and a
//! durable timer is set to end it.

use super::records::{CampaignKind, CampaignRecord, CampaignStatus};
use super::rule::CouponRule;
use crate::AccountOwner;
use crate::money::merchant::merchant_account;
use crate::money::records::{MerchantRecord, TimerKind, TimerRecord};
use crate::money::{IdempotencyKey, Money, MoneyError, Render, Step, apply, entry_id, leg, legs};
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction, PositiveAmount};

/// The longest a campaign may run.
const LONGEST_MS: i64 = 366 * 86_400_000;

/// What a merchant asks for.
#[derive(Clone, Debug)]
pub struct CampaignRequest {
    /// What it gives (only coupons for now).
    pub kind: CampaignKind,
    /// Its budget.
    pub budget: PositiveAmount,
    /// When claims open (ms).
    pub starts_ms: i64,
    /// When it ends (ms).
    pub ends_ms: i64,
    /// Its coupons' rule.
    pub rule: CouponRule,
    /// Coupons per holder in all (default 1).
    pub per_holder: u32,
    /// Coupons per holder per day, if limited.
    pub per_day: Option<u32>,
    /// Only for holders who never paid the merchant.
    pub new_holders_only: bool,
    /// Points a coupon costs to claim (0: free).
    pub points_price: i64,
}

/// A campaign launched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launched {
    /// Its id.
    pub campaign_id: String,
}

/// A merchant's campaign funds account in `currency`.
pub(crate) fn campaign_funds(
    r: &mut dyn crate::money::records::MoneyTx,
    merchant_id: &str,
    currency: Currency,
) -> Result<qianbao_ledger::Account, crate::StoreError> {
    r.account(
        &AccountOwner::Wallet(merchant_id.to_string()),
        AccountKind::CampaignFunds,
        currency,
    )
}

impl Money {
    /// Checks a campaign request on its own: a points rule for a points campaign and a coupon
    /// rule for the others, checked, whose coupon (or cashback, or one yuan's points) the budget
    /// can back at least once, a window that ends in the future, after it starts, within a year.
    pub fn check_campaign(&self, request: &CampaignRequest) -> Result<(), MoneyError> {
        let points_rule = matches!(request.rule, CouponRule::PointsPerYuan { .. });
        if points_rule != (request.kind == CampaignKind::Points) {
            return Err(MoneyError::InvalidField("rule"));
        }
        request
            .rule
            .checked()
            .map_err(|e| MoneyError::InvalidField(e.0))?;
        if request.rule.value() > request.budget.amount() {
            return Err(MoneyError::InvalidField("budget"));
        }
        if request.ends_ms <= request.starts_ms
            || request.ends_ms <= self.now_ms()
            || request.ends_ms - request.starts_ms > LONGEST_MS
        {
            return Err(MoneyError::InvalidField("ends_at"));
        }
        // Only coupons are claimed, so only they can cost points.
        if !(0..=1_000_000).contains(&request.points_price)
            || (request.points_price > 0 && request.kind != CampaignKind::Coupon)
        {
            return Err(MoneyError::InvalidField("points_price"));
        }
        if request.per_holder == 0 || request.per_day == Some(0) {
            return Err(MoneyError::InvalidField("per_holder"));
        }
        Ok(())
    }

    /// Launches `merchant`'s campaign: refused when its available takings cannot set the whole
    /// budget aside (`insufficient_balance`).
    pub async fn launch_campaign(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        request: CampaignRequest,
        key: &IdempotencyKey,
        render: Render<Launched>,
    ) -> Result<Launched, MoneyError> {
        let ids = self.ctx.ids.clone();
        self.check_campaign(&request)?;
        let (merchant_id, now) = (merchant.id.clone(), self.now_ms());
        self.call(store, key, render, now, move |r| {
            let merchant = r
                .merchant(&merchant_id)?
                .filter(|m| m.status == "active")
                .ok_or(MoneyError::MerchantUnavailable)?;
            let budget = request.budget.amount();
            let takings = merchant_account(r, &merchant.id, Currency::CNY)?;
            if takings.available() < budget {
                return Err(MoneyError::InsufficientBalance);
            }
            let funds = campaign_funds(r, &merchant.id, Currency::CNY)?;
            let id = ids.movement_id();
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&id, Step::Move),
                    postings: legs([leg(&takings, -budget), leg(&funds, budget)]),
                },
            )?;
            r.insert_campaign(&CampaignRecord {
                id: id.clone(),
                merchant_id: merchant.id.clone(),
                kind: request.kind,
                rule: request.rule,
                budget,
                reserved: Amount::ZERO,
                spent: Amount::ZERO,
                per_holder: request.per_holder,
                per_day: request.per_day,
                new_holders_only: request.new_holders_only,
                points_price: request.points_price,
                status: CampaignStatus::Active,
                starts_ms: request.starts_ms,
                ends_ms: request.ends_ms,
                created_ms: now,
            })?;
            r.insert_timer(&TimerRecord {
                id: ids.movement_id(),
                kind: TimerKind::CampaignEnd,
                subject: id.clone(),
                due_ms: request.ends_ms,
                attempts: 0,
                created_ms: now,
            })?;
            Ok(Launched { campaign_id: id })
        })
        .await
    }
}
