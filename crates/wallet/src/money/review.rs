//! Payments held for review (风控审核): risk control reserved the payer's money with a ledger hold
//! instead of moving it; a reviewer releases it (the hold is posted, or a withdrawal goes on to the
//! bank) or rejects it (the hold is voided), and the holder is told either way. A hold nobody
//! decided on within the policy's time is rejected by its timer.

use super::records::{
    Direction, MoneyTx, MovementKind, MovementRecord, MovementStatus, RiskLabel, RiskLabelRecord,
    TimerKind, TimerRecord,
};
use super::{Alert, Money, MoneyError, Step, apply, entry_id, yuan};
use crate::records::{HolderRecord, HolderStatus};
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, Currency, Instruction, Posting};

/// A holder-to-holder payment risk control holds.
pub(crate) struct HeldPayment<'a> {
    pub(crate) id: &'a str,
    pub(crate) payer: &'a HolderRecord,
    pub(crate) payee_id: &'a str,
    pub(crate) payee_name: &'a str,
    pub(crate) postings: Vec<Posting>,
    pub(crate) amount: Amount,
    pub(crate) currency: Currency,
    pub(crate) memo: &'a str,
    pub(crate) channel: super::records::Channel,
}

/// A held payment as the review queue lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldForReview {
    /// The payer's movement.
    pub movement: MovementRecord,
    /// The reason code the holder was given.
    pub reason: Option<String>,
    /// The decision's trace (rules, what they saw, thresholds) as JSON, for staff.
    pub trace: Option<String>,
    /// When the hold is rejected by itself (ms).
    pub expires_ms: i64,
}

/// What a reviewer decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    /// Let it through.
    Release,
    /// Give the money back to the payer.
    Reject,
}

/// Who decided a held payment, what it turned out to be and why: kept with the decision, in its
/// transaction — the label for `risk replay`, the line for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewNote {
    /// `staff:<id>`, or `cli` for the operator's command line.
    pub actor: String,
    /// What the payment was, if the reviewer said.
    pub label: Option<RiskLabel>,
    /// Why, in the reviewer's words.
    pub reason: String,
}

impl ReviewNote {
    /// Writes the label and the audit line of a decided hold.
    fn record(
        &self,
        r: &mut dyn MoneyTx,
        movement_id: &str,
        review: Review,
        status: MovementStatus,
        now: i64,
    ) -> Result<(), MoneyError> {
        if let Some(label) = self.label {
            r.put_risk_label(&RiskLabelRecord {
                movement_id: movement_id.to_string(),
                label,
                actor: self.actor.clone(),
                at_ms: now,
            })?;
        }
        let verb = match review {
            Review::Release => "release",
            Review::Reject => "reject",
        };
        crate::console::audit::append(
            r,
            crate::console::audit::AuditLine {
                actor: self.actor.clone(),
                action: format!("risk.{verb}"),
                entity: format!("movement:{movement_id}"),
                before: "{\"status\":\"held_for_review\"}".into(),
                after: serde_json::json!({
                    "status": status.as_str(),
                    "label": self.label.map(RiskLabel::as_str),
                })
                .to_string(),
                reason: self.reason.clone(),
                outcome: crate::console::audit::DONE,
            },
            now,
        )?;
        Ok(())
    }
}

/// Why a review could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// No such movement is or was held.
    #[error("no held payment {0}")]
    NotFound(String),
    /// It was decided already (released, rejected, or expired).
    #[error("payment {id} is {status} already: nothing was changed")]
    Decided {
        /// The movement.
        id: String,
        /// Where it stands.
        status: MovementStatus,
    },
    /// The payer's wallet is frozen or restricted: no money may leave it now.
    #[error("the payer's wallet is {0}: release it once it is active again")]
    PayerInactive(HolderStatus),
    /// Storage or the ledger failed; nothing was changed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

fn hold_timer_id(movement_id: &str) -> String {
    format!("risk-hold-{movement_id}")
}

impl Money {
    /// Reserves a holder-to-holder payment for review: the money is held on the payer's side, the
    /// payer is told, and a timer rejects it if nobody decides in time.
    pub(crate) fn hold_for_review(
        &self,
        r: &mut dyn MoneyTx,
        held: HeldPayment<'_>,
        now: i64,
    ) -> Result<super::Done, MoneyError> {
        let entry = entry_id(held.id, Step::Move);
        apply(
            r,
            &Instruction::Hold {
                id: entry,
                postings: held.postings,
            },
        )?;
        r.insert_movement(
            &super::moves::Side {
                id: held.id,
                owner_id: &held.payer.id,
                kind: MovementKind::Transfer,
                direction: Direction::Out,
                channel: held.channel,
                amount: held.amount,
                fee: Amount::ZERO,
                currency: held.currency,
                counterparty: held.payee_name,
                peer_id: Some(held.payee_id),
                status: MovementStatus::HeldForReview,
                memo: held.memo,
                entry: Some(entry),
                card_id: None,
            }
            .record(now),
        )?;
        self.expire_hold_later(r, held.id, now)?;
        self.alert(
            r,
            Alert {
                holder: held.payer,
                kind: "payment_held",
                title: "付款审核中".into(),
                body: format!(
                    "向{} 的 {} 已暂停审核，资金冻结在你的钱包中，客服将在 24 小时内处理",
                    held.payee_name,
                    yuan(held.amount)
                ),
                title_en: "Payment under review".into(),
                body_en: format!(
                    "{} to {} is paused for review: the money is held in your wallet and we will \
                     review it within 24 hours",
                    yuan(held.amount),
                    held.payee_name
                ),
                movement_id: held.id,
                amount: Amount::ZERO,
            },
        )?;
        Ok(super::Done {
            id: held.id.to_string(),
            status: MovementStatus::HeldForReview,
            amount: held.amount,
            fee: Amount::ZERO,
            currency: held.currency,
            payee: Some(held.payee_name.to_string()),
            discount: Amount::ZERO,
            beside: Default::default(),
        })
    }

    /// Sets the timer that rejects a held movement nobody decided on.
    pub(crate) fn expire_hold_later(
        &self,
        r: &mut dyn MoneyTx,
        movement_id: &str,
        now: i64,
    ) -> Result<(), MoneyError> {
        r.insert_timer(&TimerRecord {
            id: hold_timer_id(movement_id),
            kind: TimerKind::RiskHoldExpiry,
            subject: movement_id.to_string(),
            due_ms: now + self.policy.risk_hold_review_ms,
            attempts: 0,
            created_ms: now,
        })?;
        Ok(())
    }

    /// Keeps the rule set in force under its hash (once), so its decisions can be judged again.
    pub async fn remember_rule_set(&self, store: &impl RecordStore) -> Result<(), MoneyError> {
        let (rules, now) = (self.policy.risk.clone(), self.now_ms());
        self.run(store, move |r| {
            r.remember_rule_set(rules.hash(), &rules.canonical(), now)?;
            Ok(())
        })
        .await
    }

    /// The payments held for review now, oldest first, with why.
    pub async fn review_queue(
        &self,
        store: &impl RecordStore,
    ) -> Result<Vec<HeldForReview>, MoneyError> {
        let review_ms = self.policy.risk_hold_review_ms;
        Ok(store
            .transact_read(move |r| {
                let mut out = Vec::new();
                for m in r.movements_with_status(MovementStatus::HeldForReview)? {
                    let decision = r.risk_decision_of(&m.id)?;
                    out.push(HeldForReview {
                        expires_ms: m.created_ms + review_ms,
                        reason: decision.as_ref().and_then(|d| d.reason.clone()),
                        trace: decision.map(|d| d.trace),
                        movement: m,
                    });
                }
                Ok(out)
            })
            .await?)
    }

    /// Applies a reviewer's decision on the held movement `movement_id`, with `note`'s label and
    /// audit line in the same transaction. Deciding twice, or on a hold that expired, is refused
    /// and changes nothing.
    pub async fn review(
        &self,
        store: &impl RecordStore,
        movement_id: &str,
        review: Review,
        note: ReviewNote,
    ) -> Result<MovementStatus, ReviewError> {
        let (money, id, now) = (self.clone(), movement_id.to_string(), self.now_ms());
        // A refusal is found before anything is written: it is returned as a value, and the
        // empty transaction commits.
        self.run(store, move |r| {
            let Some(m) = r.movement(&id)?.filter(|m| m.direction == Direction::Out) else {
                return Ok(Err(ReviewError::NotFound(id.clone())));
            };
            if r.risk_decision_of(&m.id)?.is_none() {
                return Ok(Err(ReviewError::NotFound(id.clone())));
            }
            if m.status != MovementStatus::HeldForReview {
                return Ok(Err(ReviewError::Decided {
                    id: m.id.clone(),
                    status: m.status,
                }));
            }
            let payer = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
            if review == Review::Release && payer.status != HolderStatus::Active {
                return Ok(Err(ReviewError::PayerInactive(payer.status)));
            }
            r.delete_timer(&hold_timer_id(&m.id))?;
            let status = match review {
                Review::Release => money.release_held(r, &m, &payer, now)?,
                Review::Reject => money.reject_held(r, &m, &payer, now, false)?,
            };
            note.record(r, &m.id, review, status, now)?;
            Ok(Ok(status))
        })
        .await?
    }

    /// A released hold: a transfer arrives now; a withdrawal goes on to the bank.
    fn release_held(
        &self,
        r: &mut dyn MoneyTx,
        m: &MovementRecord,
        payer: &HolderRecord,
        now: i64,
    ) -> Result<MovementStatus, MoneyError> {
        let ids = self.ctx.ids.clone();
        if m.kind == MovementKind::Withdrawal {
            r.set_movement_status(&m.id, MovementStatus::Pending, now)?;
            r.insert_timer(&TimerRecord {
                id: ids.movement_id(),
                kind: TimerKind::WithdrawalPayout,
                subject: m.id.clone(),
                due_ms: now,
                attempts: 0,
                created_ms: now,
            })?;
            self.alert(
                r,
                Alert {
                    holder: payer,
                    kind: "payment_released",
                    title: "提现审核通过".into(),
                    body: format!(
                        "{} 的提现已通过审核，正在转到{}",
                        yuan(m.amount),
                        m.counterparty
                    ),
                    title_en: "Withdrawal released".into(),
                    body_en: format!(
                        "The withdrawal of {} passed review and is on its way to {}",
                        yuan(m.amount),
                        m.counterparty
                    ),
                    movement_id: &m.id,
                    amount: Amount::ZERO,
                },
            )?;
            return Ok(MovementStatus::Pending);
        }
        let arrived = self.arrive(r, m, payer, now)?;
        if arrived {
            self.alert(
                r,
                Alert {
                    holder: payer,
                    kind: "payment_released",
                    title: "付款审核通过".into(),
                    body: format!(
                        "向{} 的 {} 已通过审核并到账",
                        m.counterparty,
                        yuan(m.amount)
                    ),
                    title_en: "Payment released".into(),
                    body_en: format!(
                        "{} to {} passed review and has arrived",
                        yuan(m.amount),
                        m.counterparty
                    ),
                    movement_id: &m.id,
                    amount: Amount::ZERO,
                },
            )?;
            Ok(MovementStatus::Succeeded)
        } else {
            Ok(MovementStatus::Failed)
        }
    }

    /// A rejected (or expired) hold: voided, the money back in the payer's balance.
    pub(crate) fn reject_held(
        &self,
        r: &mut dyn MoneyTx,
        m: &MovementRecord,
        payer: &HolderRecord,
        now: i64,
        expired: bool,
    ) -> Result<MovementStatus, MoneyError> {
        apply(
            r,
            &Instruction::Void {
                id: entry_id(&m.id, Step::Void),
                hold: entry_id(&m.id, Step::Move),
            },
        )?;
        r.set_movement_status(&m.id, MovementStatus::Rejected, now)?;
        let what = if m.kind == MovementKind::Withdrawal {
            ("提现", "withdrawal")
        } else {
            ("付款", "payment")
        };
        let why = if expired {
            ("审核超时", "review timed out")
        } else {
            ("未通过安全审核", "did not pass the security review")
        };
        self.alert(
            r,
            Alert {
                holder: payer,
                kind: "payment_rejected",
                title: format!("{}已取消", what.0),
                body: format!(
                    "{} {} {}，资金已退回余额。如有疑问请联系客服。",
                    m.counterparty,
                    yuan(m.amount + m.fee),
                    why.0
                ),
                title_en: format!("The {} was cancelled", what.1),
                body_en: format!(
                    "The {} of {} to {} {}; the money is back in your balance. Contact support \
                     with any question.",
                    what.1,
                    yuan(m.amount + m.fee),
                    m.counterparty,
                    why.1
                ),
                movement_id: &m.id,
                amount: Amount::ZERO,
            },
        )?;
        Ok(MovementStatus::Rejected)
    }

    /// The hold-expiry timer: a payment still held is rejected; anything decided is left alone.
    pub(crate) async fn expire_hold(
        &self,
        store: &impl RecordStore,
        timer: &TimerRecord,
    ) -> Result<bool, MoneyError> {
        let (money, timer_id, subject, now) = (
            self.clone(),
            timer.id.clone(),
            timer.subject.clone(),
            self.now_ms(),
        );
        self.run(store, move |r| {
            r.delete_timer(&timer_id)?;
            let Some(m) = r.movement(&subject)? else {
                return Ok(true);
            };
            if m.status != MovementStatus::HeldForReview {
                return Ok(true);
            }
            let payer = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
            money.reject_held(r, &m, &payer, now, true)?;
            Ok(true)
        })
        .await
    }
}
