//! Campaigns run for a merchant from the console or the command line. A launch goes through the
//! merchant's own [`Money::launch_campaign`], so its budget leaves the merchant's takings under
//! exactly the rules of a launch by the merchant's API key; ending one early does what the
//! campaign's end timer does (`rewards/end.rs`), only sooner. Both need `money.manage`: they move
//! a merchant's money, like a refund on its behalf.

use super::audit::{self, AuditLine, DONE};
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::money::merchant::merchant_account;
use crate::money::records::MerchantRecord;
use crate::money::{IdempotencyKey, Money, MoneyError, Render, Step, apply, entry_id, leg, legs};
use crate::rewards::launch::campaign_funds;
use crate::rewards::{CampaignRecord, CampaignRequest, CampaignStatus, Launched};
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, Currency, Instruction};

/// The longest reason kept with a campaign action.
const REASON_CHARS_MAX: usize = 500;

/// The most campaigns one listing shows: the merchant API's own cap.
const CAMPAIGNS_LISTED_MAX: i64 = 100;

/// A campaign ended early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignEnded {
    /// The campaign as it stands now (`ended`).
    pub campaign: CampaignRecord,
    /// What went back from its funds to the merchant's takings.
    pub returned: Amount,
}

/// Who acts: a staff member, or the operator at the command line (`None`), named as the audit
/// log names them.
fn actor(by: Option<&Staff>) -> String {
    by.map_or_else(|| "cli".to_string(), Staff::actor)
}

/// A reason trimmed, of at most [`REASON_CHARS_MAX`] characters, and of at least one when
/// `needed`.
fn reason_of(reason: &str, needed: bool) -> Result<String, ConsoleError> {
    let reason = reason.trim().to_string();
    if (needed && reason.is_empty()) || reason.chars().count() > REASON_CHARS_MAX {
        return Err(ConsoleError::Invalid(if needed {
            "this action needs a reason of 1 to 500 characters"
        } else {
            "a reason is at most 500 characters"
        }));
    }
    Ok(reason)
}

impl Console {
    /// A merchant's campaigns — or with no merchant, every merchant's — newest first (at most
    /// 100), each with its merchant's name; `by` (`None` for the command line) needs
    /// `merchants.view`. An unknown merchant is `NotFound`.
    pub async fn merchant_campaigns(
        &self,
        store: &impl RecordStore,
        by: Option<&Staff>,
        merchant_id: Option<&str>,
    ) -> Result<Vec<(CampaignRecord, String)>, ConsoleError> {
        if let Some(by) = by {
            let wanted = Permission::view(Group::Merchants);
            self.require(store, by, wanted, "campaign.list").await?;
        }
        let id = merchant_id.map(str::to_string);
        store
            .transact_read(move |r| {
                let Some(id) = &id else {
                    return Ok(Some(r.all_campaigns(CAMPAIGNS_LISTED_MAX)?));
                };
                let Some(merchant) = r.merchant(id)? else {
                    return Ok(None);
                };
                let campaigns = r.campaigns_of(id, CAMPAIGNS_LISTED_MAX)?;
                Ok(Some(
                    campaigns
                        .into_iter()
                        .map(|c| (c, merchant.name.clone()))
                        .collect(),
                ))
            })
            .await?
            .ok_or(ConsoleError::NotFound)
    }

    /// Checks a launch on `merchant_id`'s behalf before it runs: `by` (`None` for the command
    /// line) needs `money.manage`, the reason may be empty, and the merchant must exist. Answers
    /// the merchant and the trimmed reason for [`Console::launch_campaign_now`].
    pub async fn launch_campaign_for(
        &self,
        store: &impl RecordStore,
        by: Option<&Staff>,
        merchant_id: &str,
        reason: &str,
    ) -> Result<(MerchantRecord, String), ConsoleError> {
        if let Some(by) = by {
            let wanted = Permission::manage(Group::Money);
            self.require(store, by, wanted, "campaign.launch").await?;
        }
        let reason = reason_of(reason, false)?;
        let id = merchant_id.to_string();
        let merchant = store
            .transact_read(move |r| r.merchant(&id))
            .await?
            .ok_or(ConsoleError::NotFound)?;
        Ok((merchant, reason))
    }

    /// Launches the campaign [`Console::launch_campaign_for`] let through, under `key`, then
    /// writes its audit line. The launch is the merchant's own money call and commits on its
    /// own, so the line follows in a second transaction: a retry of the same key replays the
    /// stored reply without running this again, so the line is written once.
    #[allow(clippy::too_many_arguments)]
    pub async fn launch_campaign_now(
        &self,
        store: &impl RecordStore,
        money: &Money,
        by: Option<&Staff>,
        merchant: &MerchantRecord,
        request: CampaignRequest,
        reason: &str,
        key: &IdempotencyKey,
        render: Render<Launched>,
    ) -> Result<Launched, MoneyError> {
        let before = serde_json::json!({
            "merchant_id": merchant.id,
            "kind": request.kind.as_str(),
            "budget": request.budget.amount().minor(),
            "starts_ms": request.starts_ms,
            "ends_ms": request.ends_ms,
            "rule": request.rule.to_text(),
            "per_holder": request.per_holder,
            "per_day": request.per_day,
            "new_holders_only": request.new_holders_only,
        })
        .to_string();
        let launched = money
            .launch_campaign(store, merchant, request, key, render)
            .await?;
        let line = AuditLine {
            actor: actor(by),
            action: "campaign.launch".into(),
            entity: format!("campaign:{}", launched.campaign_id),
            before,
            after: serde_json::json!({"status": "active"}).to_string(),
            reason: reason.to_string(),
            outcome: DONE,
        };
        let now = self.ctx.now_ms();
        store
            .transact(move |r| audit::append(r, line.clone(), now))
            .await?;
        Ok(launched)
    }

    /// Ends a running campaign now, as its end timer would at its end: unused coupons lapse and
    /// what the budget kept (budget less what was spent) goes back to the merchant's takings, in
    /// one money transaction with the audit line. `by` (`None` for the command line) needs
    /// `money.manage`, and a reason. An ended campaign is `campaign_not_active`; the timer,
    /// when it comes, finds the campaign ended and does nothing.
    pub async fn end_campaign_early(
        &self,
        store: &impl RecordStore,
        money: &Money,
        by: Option<&Staff>,
        campaign_id: &str,
        reason: &str,
    ) -> Result<CampaignEnded, ConsoleError> {
        if let Some(by) = by {
            let wanted = Permission::manage(Group::Money);
            self.require(store, by, wanted, "campaign.end").await?;
        }
        let reason = reason_of(reason, true)?;
        let (id, actor, now) = (campaign_id.to_string(), actor(by), self.ctx.now_ms());
        let ended = money
            .run(store, move |r| {
                let mut campaign = r.campaign(&id)?.ok_or(MoneyError::NotFound)?;
                if campaign.status != CampaignStatus::Active {
                    return Err(MoneyError::CampaignNotActive);
                }
                let before = serde_json::json!({
                    "status": campaign.status.as_str(),
                    "budget": campaign.budget.minor(),
                    "reserved": campaign.reserved.minor(),
                    "spent": campaign.spent.minor(),
                })
                .to_string();
                // The same steps, in the same order, as the end timer's (`rewards/end.rs`).
                r.expire_coupons(&campaign.id)?;
                let kept = campaign.budget - campaign.spent;
                campaign.reserved = campaign.spent;
                campaign.status = CampaignStatus::Ended;
                r.update_campaign(&campaign)?;
                if kept.is_positive() {
                    let funds = campaign_funds(r, &campaign.merchant_id, Currency::CNY)?;
                    let takings = merchant_account(r, &campaign.merchant_id, Currency::CNY)?;
                    // The timer's own entry id: the budget's rest can go back once, whoever
                    // ends the campaign.
                    apply(
                        r,
                        &Instruction::Transfer {
                            id: entry_id(&campaign.id, Step::Void),
                            postings: legs([leg(&funds, -kept), leg(&takings, kept)]),
                        },
                    )?;
                }
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "campaign.end".into(),
                        entity: format!("campaign:{}", campaign.id),
                        before,
                        after: serde_json::json!({
                            "status": campaign.status.as_str(),
                            "returned": kept.minor(),
                        })
                        .to_string(),
                        reason: reason.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                Ok(CampaignEnded {
                    campaign,
                    returned: kept.max(Amount::ZERO),
                })
            })
            .await?;
        Ok(ended)
    }
}
