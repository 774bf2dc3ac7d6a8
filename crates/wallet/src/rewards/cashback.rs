//! Cashback (返现): a shop's cashback campaign pays money back to the payer from its campaign
//! funds in the payment's own transaction — once the payment has succeeded, never more than the
//! budget has left — and a refund takes it back in proportion. The holder's balance never goes
//! negative for it: what is taken back comes out of the refund first, then what the balance has,
//! and the campaign bears the rest.

use super::launch::campaign_funds;
use super::records::{CampaignKind, CampaignStatus, CashbackRecord};
use super::refund::payer_share;
use crate::money::limits::{check_receiving, day_start_ms};
use crate::money::merchant::merchant_account;
use crate::money::moves::Side;
use crate::money::records::{
    Channel, Direction, MerchantRecord, MoneyTx, MovementKind, MovementStatus,
};
use crate::money::{Money, MoneyError, Step, apply, entry_id, leg, legs, wallet_account};
use crate::records::HolderRecord;
use qianbao_ledger::{Account, Amount, Currency, Instruction, PositiveAmount};

/// Where cashback taken back by a refund goes, and how much.
pub(crate) struct TakenBack {
    /// The campaign funds (while it runs) or the shop's takings (after it ended), and the amount.
    pub(crate) to: Vec<(Account, Amount)>,
    /// What comes out of the refund itself.
    pub(crate) from_refund: Amount,
    /// What comes out of the payer's balance beyond the refund.
    pub(crate) from_balance: Amount,
}

impl Money {
    /// Pays the cashback of `merchant`'s running campaigns on payment `payment_id` of `price` by
    /// `payer` (inside the payment's transaction, before its shop payment row is written, so
    /// "new customers only" sees the customer as they were).
    pub(crate) fn earn_cashback(
        &self,
        r: &mut dyn MoneyTx,
        payer: &HolderRecord,
        merchant: &MerchantRecord,
        price: Amount,
        payment_id: &str,
        now: i64,
    ) -> Result<(), MoneyError> {
        let ids = self.ctx.ids.clone();
        let running = r.running_campaigns(&merchant.id, CampaignKind::Cashback, now)?;
        if running.is_empty() {
            return Ok(());
        }
        // Asked only when a campaign is for new customers: a read a payment need not make.
        let paid_before = running.iter().any(|c| c.new_holders_only)
            && r.paid_merchant_before(&payer.id, &merchant.id)?;
        for mut campaign in running {
            let Some(back) = campaign.rule.discount(price) else {
                continue;
            };
            let (all, today) = r.cashbacks_got(&campaign.id, &payer.id, day_start_ms(now))?;
            let limited = all >= i64::from(campaign.per_holder)
                || campaign.per_day.is_some_and(|n| today >= i64::from(n));
            if limited || (campaign.new_holders_only && paid_before) {
                continue;
            }
            // Never more than the budget has left: the last payment gets what is left.
            let back = back.min(campaign.unpromised());
            let Some(positive) = PositiveAmount::new(back.minor()) else {
                continue;
            };
            let to = wallet_account(r, &payer.wallet_id, Currency::CNY)?;
            // Money back that would pass the payer's balance cap is not paid (nothing is owed).
            if check_receiving(&self.levels.at(payer.kyc_level), to.balance, positive).is_err() {
                continue;
            }
            let funds = campaign_funds(r, &merchant.id, Currency::CNY)?;
            let id = ids.movement_id();
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&id, Step::Move),
                    postings: legs([leg(&funds, -back), leg(&to, back)]),
                },
            )?;
            campaign.reserved += back;
            campaign.spent += back;
            r.update_campaign(&campaign)?;
            r.insert_cashback(&CashbackRecord {
                id: id.clone(),
                campaign_id: campaign.id.clone(),
                holder_id: payer.id.clone(),
                payment_id: payment_id.to_string(),
                amount: back,
                taken_back: Amount::ZERO,
                created_ms: now,
            })?;
            r.insert_movement(
                &Side {
                    id: &id,
                    owner_id: &payer.id,
                    kind: MovementKind::Cashback,
                    direction: Direction::In,
                    channel: Channel::Merchant,
                    amount: back,
                    fee: Amount::ZERO,
                    currency: Currency::CNY,
                    counterparty: &merchant.name,
                    peer_id: Some(&merchant.id),
                    status: MovementStatus::Succeeded,
                    memo: "返现",
                    entry: Some(entry_id(&id, Step::Move)),
                    card_id: None,
                }
                .record(now),
            )?;
        }
        Ok(())
    }

    /// What refunding `refunded_now` of payment `payment_id` (price `price`, `refunded_before`
    /// refunded already) takes back of its cashback: in proportion, cumulatively rounded down so
    /// that a whole refund takes back exactly what was given. `returned` is what the refund
    /// gives the payer and `available` what their balance has beside it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn take_back_cashback(
        &self,
        r: &mut dyn MoneyTx,
        payment_id: &str,
        merchant_id: &str,
        price: Amount,
        refunded_before: Amount,
        refunded_now: Amount,
        returned: Amount,
        available: Amount,
        now: i64,
    ) -> Result<TakenBack, MoneyError> {
        let mut out = TakenBack {
            to: Vec::new(),
            from_refund: Amount::ZERO,
            from_balance: Amount::ZERO,
        };
        let mut refund_left = returned;
        let mut balance_left = available.max(Amount::ZERO);
        for mut cashback in r.cashbacks_for_payment(payment_id)? {
            let due = payer_share(refunded_before + refunded_now, cashback.amount, price)
                - cashback.taken_back;
            let from_refund = due.min(refund_left);
            let from_balance = (due - from_refund).min(balance_left);
            let take = from_refund + from_balance;
            refund_left -= from_refund;
            balance_left -= from_balance;
            // What the holder could not give back stays theirs, and the budget bears it; it is
            // counted as taken so a later refund does not ask for it again.
            cashback.taken_back += due;
            r.set_cashback_taken_back(&cashback.id, cashback.taken_back)?;
            if !take.is_positive() {
                continue;
            }
            out.from_refund += from_refund;
            out.from_balance += from_balance;
            let campaign = r.campaign(&cashback.campaign_id)?;
            match campaign {
                Some(mut c) if c.status == CampaignStatus::Active && now < c.ends_ms => {
                    c.spent -= take;
                    c.reserved -= take;
                    r.update_campaign(&c)?;
                    out.to
                        .push((campaign_funds(r, merchant_id, Currency::CNY)?, take));
                }
                _ => out
                    .to
                    .push((merchant_account(r, merchant_id, Currency::CNY)?, take)),
            }
        }
        Ok(out)
    }
}
