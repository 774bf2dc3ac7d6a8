//! Campaigns' and coupons' rows.

use super::SqlRecords;
use super::movements::sum_of;
use crate::portable::Row;
use qianbao_ledger::Amount;
use qianbao_wallet::StoreError;
use qianbao_wallet::rewards::{
    CampaignKind, CampaignRecord, CampaignStatus, CashbackRecord, CouponRecord, CouponRule,
    CouponStatus, RewardRecords,
};

const CAMPAIGN_COLUMNS: &str = "id, merchant_id, kind, rule, budget, reserved, spent, per_holder, \
     per_day, new_holders_only, status, starts_ms, ends_ms, created_ms, points_price";

const CASHBACK_COLUMNS: &str =
    "id, campaign_id, holder_id, payment_id, amount, taken_back, created_ms";

const COUPON_COLUMNS: &str = "id, campaign_id, holder_id, value, status, payment_id, discount, \
     claimed_ms, claimed_day_ms, used_ms";

fn count(row: &Row, i: usize) -> Result<u32, StoreError> {
    u32::try_from(row.int(i)?).map_err(|_| StoreError::Corrupt(format!("campaign limit {i}")))
}

fn campaign_from(row: &Row) -> Result<CampaignRecord, StoreError> {
    let rule = row.text(3)?;
    Ok(CampaignRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        kind: row.named(2, CampaignKind::parse)?,
        rule: CouponRule::parse(&rule)
            .ok_or_else(|| StoreError::Corrupt(format!("coupon rule {rule:?}")))?,
        budget: row.amount(4)?,
        reserved: row.amount(5)?,
        spent: row.amount(6)?,
        per_holder: count(row, 7)?,
        per_day: row
            .opt_int(8)?
            .map(u32::try_from)
            .transpose()
            .map_err(|_| StoreError::Corrupt("campaign per_day".into()))?,
        new_holders_only: row.int(9)? == 1,
        status: row.named(10, CampaignStatus::parse)?,
        starts_ms: row.int(11)?,
        ends_ms: row.int(12)?,
        created_ms: row.int(13)?,
        points_price: row.int(14)?,
    })
}

fn coupon_from(row: &Row) -> Result<CouponRecord, StoreError> {
    Ok(CouponRecord {
        id: row.text(0)?,
        campaign_id: row.text(1)?,
        holder_id: row.text(2)?,
        value: row.amount(3)?,
        status: row.named(4, CouponStatus::parse)?,
        payment_id: row.opt_text(5)?,
        discount: row.opt_int(6)?.map(Amount::from_minor),
        claimed_ms: row.int(7)?,
        claimed_day_ms: row.int(8)?,
        used_ms: row.opt_int(9)?,
    })
}

impl RewardRecords for SqlRecords<'_> {
    fn insert_campaign(&mut self, c: &CampaignRecord) -> Result<(), StoreError> {
        self.insert(
            "campaigns",
            CAMPAIGN_COLUMNS,
            &[
                c.id.as_str().into(),
                c.merchant_id.as_str().into(),
                c.kind.as_str().into(),
                c.rule.to_text().into(),
                c.budget.into(),
                c.reserved.into(),
                c.spent.into(),
                i64::from(c.per_holder).into(),
                c.per_day.map(i64::from).into(),
                i64::from(c.new_holders_only).into(),
                c.status.as_str().into(),
                c.starts_ms.into(),
                c.ends_ms.into(),
                c.created_ms.into(),
                c.points_price.into(),
            ],
        )
    }

    fn campaign(&mut self, id: &str) -> Result<Option<CampaignRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| campaign_from(&row))
            .transpose()
    }

    fn update_campaign(&mut self, c: &CampaignRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE campaigns SET reserved = $2, spent = $3, status = $4 WHERE id = $1",
            &[
                c.id.as_str().into(),
                c.reserved.into(),
                c.spent.into(),
                c.status.as_str().into(),
            ],
        )
    }

    fn campaigns_of(
        &mut self,
        merchant_id: &str,
        limit: i64,
    ) -> Result<Vec<CampaignRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE merchant_id = $1
                     ORDER BY created_ms DESC, id DESC LIMIT $2"
                ),
                &[merchant_id.into(), limit.into()],
            )?
            .iter()
            .map(campaign_from)
            .collect()
    }

    fn all_campaigns(&mut self, limit: i64) -> Result<Vec<(CampaignRecord, String)>, StoreError> {
        let columns: Vec<String> = CAMPAIGN_COLUMNS
            .split(',')
            .map(|c| format!("c.{}", c.trim()))
            .collect();
        self.0
            .query(
                &format!(
                    "SELECT {}, m.name FROM campaigns c JOIN merchants m ON m.id = c.merchant_id
                     ORDER BY c.created_ms DESC, c.id DESC LIMIT $1",
                    columns.join(", ")
                ),
                &[limit.into()],
            )?
            .iter()
            .map(|row| Ok((campaign_from(row)?, row.text(15)?)))
            .collect()
    }

    fn insert_coupon(&mut self, c: &CouponRecord) -> Result<(), StoreError> {
        self.insert(
            "coupons",
            COUPON_COLUMNS,
            &[
                c.id.as_str().into(),
                c.campaign_id.as_str().into(),
                c.holder_id.as_str().into(),
                c.value.into(),
                c.status.as_str().into(),
                c.payment_id.as_deref().into(),
                c.discount.map(|d| d.minor()).into(),
                c.claimed_ms.into(),
                c.claimed_day_ms.into(),
                c.used_ms.into(),
            ],
        )
    }

    fn coupons_claimed(
        &mut self,
        campaign_id: &str,
        holder_id: &str,
        day_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        let row = self.0.query_one(
            "SELECT CAST(count(*) AS BIGINT),
                    CAST(coalesce(sum(CASE WHEN claimed_day_ms >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM coupons WHERE campaign_id = $1 AND holder_id = $2",
            &[campaign_id.into(), holder_id.into(), day_ms.into()],
        )?;
        Ok((row.int(0)?, row.int(1)?))
    }

    fn coupons_of(&mut self, holder_id: &str, limit: i64) -> Result<Vec<CouponRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {COUPON_COLUMNS} FROM coupons WHERE holder_id = $1
                     ORDER BY claimed_ms DESC, id DESC LIMIT $2"
                ),
                &[holder_id.into(), limit.into()],
            )?
            .iter()
            .map(coupon_from)
            .collect()
    }

    fn coupon(&mut self, id: &str) -> Result<Option<CouponRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {COUPON_COLUMNS} FROM coupons WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| coupon_from(&row))
            .transpose()
    }

    fn use_coupon(
        &mut self,
        id: &str,
        payment_id: &str,
        discount: Amount,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = self.0.execute(
            "UPDATE coupons SET status = 'used', payment_id = $2, discount = $3, used_ms = $4
             WHERE id = $1 AND status = 'claimed'",
            &[id.into(), payment_id.into(), discount.into(), at_ms.into()],
        )?;
        Ok(changed == 1)
    }

    fn coupon_for_payment(&mut self, payment_id: &str) -> Result<Option<CouponRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {COUPON_COLUMNS} FROM coupons WHERE payment_id = $1"),
                &[payment_id.into()],
            )?
            .map(|row| coupon_from(&row))
            .transpose()
    }

    fn return_coupon(&mut self, id: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE coupons SET status = 'claimed', payment_id = NULL, discount = NULL,
                 used_ms = NULL WHERE id = $1",
            &[id.into()],
        )
    }

    fn expire_coupons(&mut self, campaign_id: &str) -> Result<u64, StoreError> {
        self.0.execute(
            "UPDATE coupons SET status = 'expired' WHERE campaign_id = $1 AND status = 'claimed'",
            &[campaign_id.into()],
        )
    }

    fn paid_merchant_before(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT 1 FROM merchant_payments WHERE holder_id = $1 AND merchant_id = $2 LIMIT 1",
                &[holder_id.into(), merchant_id.into()],
            )?
            .is_some())
    }

    fn running_campaigns(
        &mut self,
        merchant_id: &str,
        kind: CampaignKind,
        now_ms: i64,
    ) -> Result<Vec<CampaignRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CAMPAIGN_COLUMNS} FROM campaigns
                     WHERE merchant_id = $1 AND kind = $2 AND status = 'active'
                       AND starts_ms <= $3 AND ends_ms > $3
                     ORDER BY created_ms, id"
                ),
                &[merchant_id.into(), kind.as_str().into(), now_ms.into()],
            )?
            .iter()
            .map(campaign_from)
            .collect()
    }

    fn insert_cashback(&mut self, c: &CashbackRecord) -> Result<(), StoreError> {
        self.insert(
            "cashbacks",
            CASHBACK_COLUMNS,
            &[
                c.id.as_str().into(),
                c.campaign_id.as_str().into(),
                c.holder_id.as_str().into(),
                c.payment_id.as_str().into(),
                c.amount.into(),
                c.taken_back.into(),
                c.created_ms.into(),
            ],
        )
    }

    fn cashbacks_for_payment(
        &mut self,
        payment_id: &str,
    ) -> Result<Vec<CashbackRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CASHBACK_COLUMNS} FROM cashbacks WHERE payment_id = $1
                     ORDER BY created_ms, id"
                ),
                &[payment_id.into()],
            )?
            .iter()
            .map(|row| {
                Ok(CashbackRecord {
                    id: row.text(0)?,
                    campaign_id: row.text(1)?,
                    holder_id: row.text(2)?,
                    payment_id: row.text(3)?,
                    amount: row.amount(4)?,
                    taken_back: row.amount(5)?,
                    created_ms: row.int(6)?,
                })
            })
            .collect()
    }

    fn cashbacks_got(
        &mut self,
        campaign_id: &str,
        holder_id: &str,
        day_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        let row = self.0.query_one(
            "SELECT CAST(count(*) AS BIGINT),
                    CAST(coalesce(sum(CASE WHEN created_ms >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM cashbacks WHERE campaign_id = $1 AND holder_id = $2",
            &[campaign_id.into(), holder_id.into(), day_ms.into()],
        )?;
        Ok((row.int(0)?, row.int(1)?))
    }

    fn set_cashback_taken_back(&mut self, id: &str, taken_back: Amount) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE cashbacks SET taken_back = $2 WHERE id = $1",
            &[id.into(), taken_back.into()],
        )
    }

    fn campaigns_kept_total(&mut self) -> Result<Amount, StoreError> {
        let row = self.0.query_one(
            "SELECT CAST(coalesce(sum(budget - spent), 0) AS BIGINT) FROM campaigns
             WHERE status = 'active'",
            &[],
        )?;
        sum_of(&row)
    }
}
