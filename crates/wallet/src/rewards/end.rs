//! A campaign's end: its durable timer lapses the coupons nobody used and gives what the budget
//! kept back to the merchant, once — the campaign's status changes in the same money transaction
//! as the entry.

use super::launch::campaign_funds;
use super::records::CampaignStatus;
use crate::money::merchant::merchant_account;
use crate::money::records::TimerRecord;
use crate::money::{Money, MoneyError, Step, apply, entry_id, leg, legs};
use crate::storage::RecordStore;
use qianbao_ledger::{Currency, Instruction};

impl Money {
    /// Ends the timer's campaign; answers whether the timer is done (not if it came early).
    pub(crate) async fn end_campaign(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        let (timer_id, id, now) = (timer.id.clone(), timer.subject.clone(), self.now_ms());
        self.run(store, move |r| {
            let Some(mut campaign) = r.campaign(&id)? else {
                r.delete_timer(&timer_id)?;
                return Ok(true);
            };
            if campaign.status == CampaignStatus::Active && now < campaign.ends_ms {
                // A clock that went back: due again at the campaign's own end.
                r.reschedule_timer(&timer_id, campaign.ends_ms, 0)?;
                return Ok(false);
            }
            r.delete_timer(&timer_id)?;
            if campaign.status != CampaignStatus::Active {
                return Ok(true);
            }
            r.expire_coupons(&campaign.id)?;
            let kept = campaign.budget - campaign.spent;
            // What unused coupons reserved is free again; only what used ones took stays spent.
            campaign.reserved = campaign.spent;
            campaign.status = CampaignStatus::Ended;
            r.update_campaign(&campaign)?;
            if kept.is_positive() {
                let funds = campaign_funds(r, &campaign.merchant_id, Currency::CNY)?;
                let takings = merchant_account(r, &campaign.merchant_id, Currency::CNY)?;
                apply(
                    r,
                    &Instruction::Transfer {
                        id: entry_id(&campaign.id, Step::Void),
                        postings: legs([leg(&funds, -kept), leg(&takings, kept)]),
                    },
                )?;
            }
            Ok(true)
        })
        .await
    }
}
