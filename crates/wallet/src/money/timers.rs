//! The work the durable timers make due: a withdrawal's or settlement's payout at the bank, a
//! top-up or card payment whose answer the bank did not give in time, and a delayed transfer's arrival. Every
//! node may run them; each step checks the movement's status inside its money transaction and
//! the bank dedupes by the movement's id, so two nodes doing the same timer move money once.

use super::records::{
    BankConfirmation, MoneyTx, MovementKind, MovementRecord, MovementStatus, TimerKind, TimerRecord,
};
use super::{Alert, Money, MoneyError, Step, apply, entry_id, yuan};
use crate::domain::{BankKind, BankReference};
use crate::records::{CardStatus, HolderRecord, HolderStatus};
use crate::storage::RecordStore;
use crate::{BankMovement, BankOutcome};
use qianbao_ledger::{Amount, Instruction, PositiveAmount};

/// The longest wait between two tries of one timer.
const BACKOFF_MAX_MS: i64 = 5 * 60_000;

/// How many timers one pass takes on.
const PASS_SIZE_MAX: i64 = 100;

/// How a payout ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PayoutEnd {
    /// The bank paid it, under this reference of its own.
    Paid(BankReference),
    /// The bank refused it for good.
    Returned,
    /// Its card was unbound while it waited: no bank can be asked.
    CardGone,
}

/// How soon a delayed transfer held back by a frozen payer is looked at again.
const HELD_WHILE_FROZEN_MS: i64 = 60_000;

impl Money {
    /// Runs every timer due now; returns how many were finished, and the failures (the wallet
    /// crate logs nothing; its caller does), each of which is tried again on a later pass.
    pub async fn run_due_timers(
        &self,
        store: &impl RecordStore,
    ) -> Result<(usize, Vec<(TimerRecord, MoneyError)>), MoneyError> {
        let now = self.now_ms();
        let due = store
            .transact_read(move |r| r.due_timers(now, PASS_SIZE_MAX))
            .await?;
        let (mut finished, mut failed) = (0, Vec::new());
        for timer in due {
            match self.run_timer(store, &timer).await {
                Ok(true) => finished += 1,
                Ok(false) => {}
                Err(e) => {
                    self.retry_later(store, &timer).await?;
                    failed.push((timer, e));
                }
            }
        }
        Ok((finished, failed))
    }

    async fn run_timer(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        match timer.kind {
            // A waiting charge's lapse has no movement: nothing moved while it waited.
            TimerKind::ChargeLapse => return self.lapse_charge(store, timer).await,
            // A red packet's return is about the packet, not one movement.
            TimerKind::RedPacketExpiry => return self.expire_red_packet(store, timer).await,
            // Auto-pay's subject is a saved biller, not a movement.
            TimerKind::BillAutopay => return self.autopay_bill(store, timer).await,
            // A campaign's end is about the campaign and its coupons.
            TimerKind::CampaignEnd => return self.end_campaign(store, timer).await,
            // A card's expiry is about the card, which no movement names.
            TimerKind::GiftCardExpiry => return self.expire_gift_card(store, timer).await,
            _ => {}
        }
        let subject = timer.subject.clone();
        let movement = store.transact_read(move |r| r.movement(&subject)).await?;
        let Some(movement) = movement else {
            self.drop_timer(store, &timer.id).await?;
            return Ok(true);
        };
        match timer.kind.as_str() {
            "transfer_release" => self.release(store, timer, &movement).await,
            "risk_hold_expiry" => self.expire_hold(store, timer).await,
            "bill_reconcile" => self.reconcile_bill(store, timer, &movement).await,
            "withdrawal_payout" | "topup_reconcile" => {
                if movement.status != MovementStatus::Pending {
                    self.drop_timer(store, &timer.id).await?;
                    return Ok(true);
                }
                let card_holder = movement
                    .peer_id
                    .clone()
                    .filter(|_| movement.kind == MovementKind::Settlement)
                    .unwrap_or_else(|| movement.owner_id.clone());
                let card_id = movement.card_id.clone().unwrap_or_default();
                let card = store
                    .transact_read(move |r| r.card(&card_holder, &card_id))
                    .await?
                    .filter(|c| c.status == CardStatus::Active && c.token_sealed.is_some());
                let Some(card) = card else {
                    // The card was unbound (before unbinding a card with money on its way was
                    // refused): no bank can be asked about it ever again, so waiting would hold
                    // the money for ever. The movement fails and its hold is released.
                    self.card_gone(store, timer, &movement).await?;
                    return Ok(true);
                };
                let card = self.open_card(card)?;
                let kind = match (timer.kind, movement.kind) {
                    (TimerKind::TopupReconcile, _) => BankKind::Topup,
                    (_, MovementKind::Settlement) => BankKind::Settlement,
                    _ => BankKind::Withdrawal,
                };
                let order = BankMovement {
                    reference: movement.id.clone(),
                    kind,
                    card_token: card.token.clone(),
                    card_number: card.number.clone(),
                    amount_minor: if timer.kind == TimerKind::TopupReconcile {
                        (movement.amount + movement.fee).minor()
                    } else {
                        movement.amount.minor()
                    },
                    currency: movement.currency.as_str().to_owned(),
                };
                let card_payment = movement.kind == MovementKind::Payment;
                let answer = if timer.kind == TimerKind::TopupReconcile && card_payment {
                    // A card payment's payer has given up (its retry window is over): the bank
                    // is asked what it took under the payment's reference, never asked to take
                    // it now — a debit sent from here charged the card for a payment its payer
                    // had been told failed, and put the money in the balance as a top-up nobody
                    // asked for (found by the simulation: a retry after a crash refused for its
                    // spent step-up code, then the reconciler's debit).
                    match self.kyc.bank.movement_status(&order.reference).await {
                        Ok(Some(outcome)) => Ok(outcome),
                        Ok(None) => Ok(BankOutcome::Rejected),
                        Err(e) => Err(e),
                    }
                } else if timer.kind == TimerKind::TopupReconcile {
                    self.kyc.bank.debit(&order).await
                } else {
                    self.kyc.bank.credit(&order).await
                };
                // Only a final answer settles a movement. No answer, or one we could not read,
                // may hide money the bank already moved: ask again later with the same reference
                // (the bank dedupes), never void on a guess.
                if answer.is_err() {
                    self.retry_later(store, timer).await?;
                    return Ok(false);
                }
                if timer.kind == TimerKind::TopupReconcile {
                    let (money, id, timer_id) =
                        (self.clone(), movement.id.clone(), timer.id.clone());
                    let now = self.now_ms();
                    self.run(store, move |r| {
                        if card_payment {
                            money.reconcile_card_payment(r, &id, &answer, now)?;
                        } else {
                            money.settle_top_up(r, &id, &answer, now)?;
                        }
                        r.delete_timer(&timer_id)?;
                        Ok(())
                    })
                    .await?;
                } else {
                    let end = match answer {
                        Ok(BankOutcome::Done { bank_reference }) => PayoutEnd::Paid(bank_reference),
                        _ => PayoutEnd::Returned,
                    };
                    self.finish_payout(store, timer, &movement, end).await?;
                }
                Ok(true)
            }
            _ => {
                self.drop_timer(store, &timer.id).await?;
                Ok(true)
            }
        }
    }

    /// A timer's card is gone: a payout fails and its hold is voided; a top-up that never got the
    /// bank's answer fails as refused (nothing was credited, so nothing is taken back).
    async fn card_gone(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
        movement: &MovementRecord,
    ) -> Result<(), MoneyError> {
        if timer.kind == TimerKind::TopupReconcile {
            let (money, id, timer_id) = (self.clone(), movement.id.clone(), timer.id.clone());
            let now = self.now_ms();
            let card_payment = movement.kind == MovementKind::Payment;
            self.run(store, move |r| {
                if card_payment {
                    money.reconcile_card_payment(r, &id, &Ok(BankOutcome::Rejected), now)?;
                } else {
                    money.settle_top_up(r, &id, &Ok(BankOutcome::Rejected), now)?;
                }
                r.delete_timer(&timer_id)?;
                Ok(())
            })
            .await
        } else {
            self.finish_payout(store, timer, movement, PayoutEnd::CardGone)
                .await
        }
    }

    /// Posts or voids a payout's hold on how it ended.
    async fn finish_payout(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
        movement: &MovementRecord,
        end: PayoutEnd,
    ) -> Result<(), MoneyError> {
        let ids = self.ctx.ids.clone();
        let (money, m, timer_id) = (self.clone(), movement.clone(), timer.id.clone());
        let now = self.now_ms();
        self.run(store, move |r| {
            let current = r.movement(&m.id)?.ok_or(MoneyError::NotFound)?;
            if current.status != MovementStatus::Pending {
                r.delete_timer(&timer_id)?;
                return Ok(());
            }
            let paid = matches!(end, PayoutEnd::Paid(_));
            let instruction = if paid {
                Instruction::Post {
                    id: entry_id(&m.id, Step::Post),
                    hold: entry_id(&m.id, Step::Move),
                }
            } else {
                Instruction::Void {
                    id: entry_id(&m.id, Step::Void),
                    hold: entry_id(&m.id, Step::Move),
                }
            };
            // sim_bugs: a refused payout marked failed with its hold left pending keeps the
            // holder's money reserved for ever.
            #[cfg(feature = "sim-bugs")]
            let keep_hold =
                !paid && crate::sim_bugs::is_on(crate::sim_bugs::Bug::RefusedPayoutKeepsHold);
            #[cfg(not(feature = "sim-bugs"))]
            let keep_hold = false;
            if !keep_hold {
                apply(r, &instruction)?;
            }
            r.set_movement_status(&m.id, if paid {
                    MovementStatus::Succeeded
                } else {
                    MovementStatus::Failed
                }, now)?;
            r.delete_timer(&timer_id)?;
            if let PayoutEnd::Paid(bank_reference) = &end {
                // What the bank paid to the card, under its reference: what its statement will
                // show (a batch's reference for a batched settlement).
                r.confirm_at_bank(&BankConfirmation {
                    movement_id: m.id.clone(),
                    bank_reference: bank_reference.clone(),
                    kind: if m.kind == MovementKind::Settlement {
                        BankKind::Settlement
                    } else {
                        BankKind::Withdrawal
                    },
                    amount: m.amount,
                    currency: m.currency,
                    confirmed_ms: now,
                })?;
            }
            if m.kind == MovementKind::Withdrawal
                && let Some(holder) = r.holder(&m.owner_id)?
            {
                // A closing's sweep kept its card bound, with its token, only for this payout.
                if holder.status == HolderStatus::Closed
                    && let Some(card_id) = &m.card_id
                    && let Some(mut card) = r.card(&holder.id, card_id)?
                    && card.status != CardStatus::Unbound
                {
                    card.status = CardStatus::Unbound;
                    card.is_default = false;
                    card.token_sealed = None;
                    r.update_card(&card)?;
                }
                let (title, body, title_en, body_en) = if paid {
                    (
                        "提现到账",
                        format!("{} 已到账{}", yuan(m.amount), m.counterparty),
                        "Withdrawal arrived",
                        format!("{} arrived at {}", yuan(m.amount), m.counterparty),
                    )
                } else if end == PayoutEnd::CardGone {
                    (
                        "提现失败",
                        format!(
                            "{}已解绑，{} 提现未能付出，已退回余额",
                            m.counterparty,
                            yuan(m.amount)
                        ),
                        "Withdrawal failed",
                        format!(
                            "{} was unbound, so {} could not be paid out; it is back in the balance",
                            m.counterparty,
                            yuan(m.amount)
                        ),
                    )
                } else {
                    (
                        "提现失败",
                        format!(
                            "{} 提现到{}被银行退回，已退回余额",
                            yuan(m.amount),
                            m.counterparty
                        ),
                        "Withdrawal failed",
                        format!(
                            "The bank returned {} sent to {}; it is back in the balance",
                            yuan(m.amount),
                            m.counterparty
                        ),
                    )
                };
                money.alert(
                    r,
                    Alert {
                        holder: &holder,
                        kind: "withdrawal",
                        title: title.into(),
                        body,
                        title_en: title_en.into(),
                        body_en,
                        movement_id: &m.id,
                        amount: m.amount,
                    },
                )?;
            }
            if m.kind == MovementKind::Settlement
                && let Some(merchant) = r.merchant(&m.owner_id)?
            {
                let name = if paid {
                    "settlement.succeeded"
                } else {
                    "settlement.failed"
                };
                let data = format!("{{\"settlement_id\":\"{}\",\"amount\":{}}}", m.id, m.amount);
                super::merchant::event(r, &ids, &merchant, name, &data, now)?;
            }
            Ok(())
        })
        .await
    }

    /// A delayed transfer arrives: its hold is posted and the payee sees it. While the payer's
    /// wallet is frozen (or restricted) no money leaves it: the transfer stays scheduled, and
    /// cancellable, and is looked at again every [`HELD_WHILE_FROZEN_MS`].
    async fn release(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
        movement: &MovementRecord,
    ) -> Result<bool, MoneyError> {
        let (money, m, timer_id) = (self.clone(), movement.clone(), timer.id.clone());
        let attempts = timer.attempts;
        let now = self.now_ms();
        self.run(store, move |r| {
            let current = r.movement(&m.id)?.ok_or(MoneyError::NotFound)?;
            if current.status != MovementStatus::Scheduled {
                r.delete_timer(&timer_id)?;
                return Ok(false);
            }
            let payer = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
            if payer.status != HolderStatus::Active {
                r.reschedule_timer(&timer_id, now + HELD_WHILE_FROZEN_MS, attempts)?;
                return Ok(false);
            }
            r.delete_timer(&timer_id)?;
            money.arrive(r, &current, &payer, now)
        })
        .await
    }

    /// A held transfer arrives (a delayed one at its time, or one a reviewer released): the hold
    /// is posted and the payee sees it — unless the payee can no longer take it, when the hold is
    /// voided and the payer told. Whether it arrived.
    pub(crate) fn arrive(
        &self,
        r: &mut dyn MoneyTx,
        m: &MovementRecord,
        payer: &HolderRecord,
        now: i64,
    ) -> Result<bool, MoneyError> {
        let money = self;
        let payee_id = m.peer_id.clone().unwrap_or_default();
        let payee = r.holder(&payee_id)?.ok_or(MoneyError::NotFound)?;
        let currency = m.currency;
        // The payee's cap is checked again on arrival: other money may have reached them
        // since, and a wallet that cannot take it now gives it back to the payer.
        let payee_wallet = super::wallet_account(r, &payee.wallet_id, currency)?;
        let fits = matches!(
            payee.status,
            HolderStatus::Active | HolderStatus::Restricted
        ) && PositiveAmount::new(m.amount.minor()).is_some_and(|amount| {
            super::limits::check_receiving(
                &money.levels.at(payee.kyc_level),
                payee_wallet.balance,
                amount,
            )
            .is_ok()
        });
        if !fits {
            apply(
                r,
                &Instruction::Void {
                    id: entry_id(&m.id, Step::Void),
                    hold: entry_id(&m.id, Step::Move),
                },
            )?;
            r.set_movement_status(&m.id, MovementStatus::Failed, now)?;
            money.alert(
                r,
                Alert {
                    holder: payer,
                    kind: "transfer_returned",
                    title: "延时转账未到账".into(),
                    body: format!(
                        "向{} 的 {} 无法到账（对方钱包暂不能收款），已退回余额",
                        m.counterparty,
                        yuan(m.amount)
                    ),
                    title_en: "Scheduled transfer returned".into(),
                    body_en: format!(
                        "{} to {} could not arrive (their wallet cannot receive now); it is back in the balance",
                        yuan(m.amount),
                        m.counterparty
                    ),
                    movement_id: &m.id,
                    amount: Amount::ZERO,
                },
            )?;
            return Ok(true);
        }
        apply(
            r,
            &Instruction::Post {
                id: entry_id(&m.id, Step::Post),
                hold: entry_id(&m.id, Step::Move),
            },
        )?;
        r.set_movement_status(&m.id, MovementStatus::Succeeded, now)?;
        money.credit_payee(r, &m.id, &payee, payer, m.amount, currency, &m.memo, now)?;
        Ok(true)
    }

    async fn retry_later(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<(), MoneyError> {
        let attempts = timer.attempts + 1;
        let wait = (1_000i64 << attempts.clamp(0, 16)).min(BACKOFF_MAX_MS);
        let (id, due) = (timer.id.clone(), self.now_ms() + wait);
        self.run(store, move |r| {
            r.reschedule_timer(&id, due, attempts)?;
            Ok(())
        })
        .await
    }

    async fn drop_timer(&self, store: &impl RecordStore, id: &str) -> Result<(), MoneyError> {
        let id = id.to_string();
        self.run(store, move |r| {
            r.delete_timer(&id)?;
            Ok(())
        })
        .await
    }
}
