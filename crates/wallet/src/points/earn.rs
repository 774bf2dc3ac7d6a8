//! Earning points: a shop's running points campaigns give points per whole yuan of a payment, in
//! the payment's own transaction, never more than the campaign's budget has left. The campaign's
//! yuan move to the points reserve, one fen a point, as the points are issued to the payer.

use super::records::{PointsEarnedRecord, PointsEvent, PointsHistoryRecord, PointsLot};
use super::{LIFETIME_MS, holder_points, issued, pts, reserve, worth};
use crate::money::records::{MerchantRecord, MoneyTx};
use crate::money::{Money, MoneyError, Step, apply, entry_id, leg, legs};
use crate::records::HolderRecord;
use crate::rewards::CampaignKind;
use crate::rewards::launch::campaign_funds;
use qianbao_ledger::{Amount, Currency, Instruction};

impl Money {
    /// Gives the points `merchant`'s running points campaigns earn on payment `payment_id` of
    /// `price` by `payer`.
    pub(crate) fn earn_points(
        &self,
        r: &mut dyn MoneyTx,
        payer: &HolderRecord,
        merchant: &MerchantRecord,
        price: Amount,
        payment_id: &str,
        now: i64,
    ) -> Result<(), MoneyError> {
        let ids = self.ctx.ids.clone();
        let running = r.running_campaigns(&merchant.id, CampaignKind::Points, now)?;
        for mut campaign in running {
            // The last payment gets what the budget has left.
            let points = campaign
                .rule
                .points_earned(price)
                .min(campaign.unpromised().minor());
            if points <= 0 {
                continue;
            }
            let funds = campaign_funds(r, &merchant.id, Currency::CNY)?;
            let (reserve, issued, mine) =
                (reserve(r)?, issued(r)?, holder_points(r, &payer.wallet_id)?);
            let id = ids.movement_id();
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&id, Step::Move),
                    postings: legs([
                        leg(&funds, -worth(points)),
                        leg(&reserve, worth(points)),
                        leg(&issued, -pts(points)),
                        leg(&mine, pts(points)),
                    ]),
                },
            )?;
            campaign.reserved += worth(points);
            campaign.spent += worth(points);
            r.update_campaign(&campaign)?;
            r.insert_points_earned(&PointsEarnedRecord {
                payment_id: payment_id.to_string(),
                campaign_id: campaign.id.clone(),
                holder_id: payer.id.clone(),
                points,
                taken_back: 0,
                created_ms: now,
            })?;
            r.insert_points_lot(&PointsLot {
                id: id.clone(),
                holder_id: payer.id.clone(),
                merchant_id: merchant.id.clone(),
                points,
                remaining: points,
                expires_ms: now + LIFETIME_MS,
                created_ms: now,
            })?;
            r.insert_points_history(&PointsHistoryRecord {
                id,
                holder_id: payer.id.clone(),
                kind: PointsEvent::Earned,
                points,
                payment_id: Some(payment_id.to_string()),
                memo: merchant.name.clone(),
                created_ms: now,
            })?;
        }
        Ok(())
    }
}
