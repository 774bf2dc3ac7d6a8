//! A holder claiming a coupon: its most is reserved from the campaign's budget in the claim's
//! money transaction. Money transactions exclude each other, so of any number of racing claims
//! exactly as many succeed as the budget can back, and the last coupon is given once.

use super::records::{CampaignKind, CampaignRecord, CampaignStatus, CouponRecord, CouponStatus};
use crate::money::limits::day_start_ms;
use crate::money::merchant::merchant_account;
use crate::money::records::MoneyTx;
use crate::money::{Money, MoneyError, Step, apply, entry_id, leg, legs, receiving_holder};
use crate::points::redeem::consume_lots;
use crate::points::{PointsEvent, PointsHistoryRecord, holder_points, issued, pts, reserve, worth};
use crate::records::HolderRecord;
use crate::storage::RecordStore;
use qianbao_ledger::{Currency, Instruction};

/// Why `campaign` gives no coupon to a holder who claimed `claimed` of it (`today` today) at
/// `now_ms`, if it does not: not running, the holder's limits, then the budget.
pub(crate) fn refusal(
    campaign: &CampaignRecord,
    claimed: (i64, i64),
    paid_before: bool,
    now_ms: i64,
) -> Option<MoneyError> {
    let (all, today) = claimed;
    if campaign.status != CampaignStatus::Active
        || now_ms < campaign.starts_ms
        || now_ms >= campaign.ends_ms
    {
        return Some(MoneyError::CampaignNotActive);
    }
    if campaign.new_holders_only && paid_before {
        return Some(MoneyError::NotEligible);
    }
    if all >= i64::from(campaign.per_holder)
        || campaign.per_day.is_some_and(|n| today >= i64::from(n))
    {
        return Some(MoneyError::CouponLimitReached);
    }
    if campaign.unpromised() < campaign.rule.value() {
        return Some(MoneyError::CampaignExhausted);
    }
    None
}

impl Money {
    /// Claims a coupon of campaign `id` for `holder`; answers the coupon's id.
    pub async fn claim_coupon(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        id: &str,
    ) -> Result<String, MoneyError> {
        let ids = self.ctx.ids.clone();
        let (holder_id, id, now) = (holder.id.clone(), id.to_string(), self.now_ms());
        self.run(store, move |r| claim_in(r, &ids, &holder_id, &id, now))
            .await
    }
}

fn claim_in(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    holder_id: &str,
    id: &str,
    now: i64,
) -> Result<String, MoneyError> {
    let holder = receiving_holder(r, holder_id)?;
    let mut campaign = r
        .campaign(id)?
        .filter(|c| c.kind == CampaignKind::Coupon)
        .ok_or(MoneyError::NotFound)?;
    let day = day_start_ms(now);
    let claimed = r.coupons_claimed(&campaign.id, &holder.id, day)?;
    let paid_before =
        campaign.new_holders_only && r.paid_merchant_before(&holder.id, &campaign.merchant_id)?;
    if let Some(refused) = refusal(&campaign, claimed, paid_before, now) {
        return Err(refused);
    }
    let value = campaign.rule.value();
    campaign.reserved += value;
    r.update_campaign(&campaign)?;
    let coupon_id = ids.movement_id();
    if campaign.points_price > 0 {
        pay_points_for_coupon(r, ids, &holder, &campaign, &coupon_id, now)?;
    }
    r.insert_coupon(&CouponRecord {
        id: coupon_id.clone(),
        campaign_id: campaign.id.clone(),
        holder_id: holder.id.clone(),
        value,
        status: CouponStatus::Claimed,
        payment_id: None,
        discount: None,
        claimed_ms: now,
        claimed_day_ms: day,
        used_ms: None,
    })?;
    Ok(coupon_id)
}

/// Pays a coupon's points price: the points leave the holder's account (soonest-expiring
/// first) and their yuan leave the reserve for the shop's takings — the shop sold its coupon for
/// them.
fn pay_points_for_coupon(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    holder: &HolderRecord,
    campaign: &CampaignRecord,
    coupon_id: &str,
    now: i64,
) -> Result<(), MoneyError> {
    let price = campaign.points_price;
    let mine = holder_points(r, &holder.wallet_id)?;
    if mine.available() < pts(price) {
        return Err(MoneyError::InsufficientPoints);
    }
    consume_lots(r, &holder.id, price)?;
    r.insert_points_history(&PointsHistoryRecord {
        id: ids.movement_id(),
        holder_id: holder.id.clone(),
        kind: PointsEvent::Redeemed,
        points: -price,
        payment_id: None,
        memo: format!("兑换优惠券 {coupon_id}"),
        created_ms: now,
    })?;
    let postings = legs([
        leg(&mine, -pts(price)),
        leg(&issued(r)?, pts(price)),
        leg(&reserve(r)?, -worth(price)),
        leg(
            &merchant_account(r, &campaign.merchant_id, Currency::CNY)?,
            worth(price),
        ),
    ]);
    apply(
        r,
        &Instruction::Transfer {
            id: entry_id(coupon_id, Step::Move),
            postings,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewards::rule::CouponRule;
    use qianbao_ledger::Amount;

    fn campaign(budget: i64, reserved: i64) -> CampaignRecord {
        CampaignRecord {
            id: "c".into(),
            merchant_id: "m".into(),
            kind: CampaignKind::Coupon,
            rule: CouponRule::AmountOff {
                amount_off: Amount::from_minor(500),
                min_spend: Amount::from_minor(3_000),
            },
            budget: Amount::from_minor(budget),
            reserved: Amount::from_minor(reserved),
            spent: Amount::ZERO,
            per_holder: 1,
            per_day: None,
            new_holders_only: false,
            points_price: 0,
            status: CampaignStatus::Active,
            starts_ms: 100,
            ends_ms: 200,
            created_ms: 0,
        }
    }

    fn code(e: Option<MoneyError>) -> Option<&'static str> {
        e.map(|e| e.code())
    }

    #[test]
    fn a_coupon_is_given_only_while_the_budget_backs_it_whole() {
        assert_eq!(
            code(refusal(&campaign(1_000, 500), (0, 0), false, 150)),
            None
        );
        assert_eq!(
            code(refusal(&campaign(1_000, 600), (0, 0), false, 150)),
            Some("campaign_exhausted")
        );
        assert_eq!(campaign(1_000, 0).coupons_left(), 2);
    }

    #[test]
    fn a_campaign_gives_nothing_outside_its_window_or_past_a_holders_limits() {
        let c = campaign(10_000, 0);
        assert_eq!(
            code(refusal(&c, (0, 0), false, 99)),
            Some("campaign_not_active")
        );
        assert_eq!(
            code(refusal(&c, (0, 0), false, 200)),
            Some("campaign_not_active")
        );
        assert_eq!(
            code(refusal(&c, (1, 0), false, 150)),
            Some("coupon_limit_reached")
        );
        let mut daily = c.clone();
        daily.per_holder = 5;
        daily.per_day = Some(1);
        assert_eq!(
            code(refusal(&daily, (1, 1), false, 150)),
            Some("coupon_limit_reached")
        );
        assert_eq!(code(refusal(&daily, (1, 0), false, 150)), None);
        let mut new_only = c;
        new_only.new_holders_only = true;
        assert_eq!(
            code(refusal(&new_only, (0, 0), true, 150)),
            Some("not_eligible")
        );
    }
}
