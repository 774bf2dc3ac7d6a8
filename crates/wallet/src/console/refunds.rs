//! A refund on a merchant's behalf, made by a staff member who manages money. It goes through
//! the merchant's own refund rules (never more than the payment less what was refunded), so the
//! console cannot refund what the merchant could not. Up to the operator's threshold it runs at
//! once, with its audit line in the refund's transaction; above it, it becomes a four-eyes
//! command that a different staff member approves.

use super::audit::{self, AuditLine, DONE};
use super::commands::{Command, refund_reason};
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::money::merchant::RefundDone;
use crate::money::{IdempotencyKey, Money, MoneyError, Render};
use crate::records::CommandRecord;
use crate::storage::RecordStore;
use qianbao_ledger::PositiveAmount;

/// What a refund on behalf came to.
#[derive(Clone, Debug)]
pub enum OnBehalf {
    /// At most the threshold: to run at once, with the reason checked.
    Now {
        /// The amount.
        refund: PositiveAmount,
        /// The reason, trimmed.
        reason: String,
    },
    /// Above the threshold: a pending command for a second staff member.
    Pending(CommandRecord),
}

impl Console {
    /// Decides how a refund of `amount` minor units of merchant payment `payment_id` on the
    /// merchant's behalf goes, for `reason` (shown to the payer). Needs `money.manage`. Above the
    /// operator's threshold it is proposed here as a four-eyes command; up to it the caller runs
    /// [`Console::refund_now`] under the request's `Idempotency-Key`, so a retry refunds once.
    pub async fn refund_on_behalf(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        payment_id: &str,
        amount: i64,
        reason: &str,
    ) -> Result<OnBehalf, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Money),
            "payment.refund",
        )
        .await?;
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(ConsoleError::Invalid(
                "a refund needs a reason of 1 to 200 characters (the payer sees it)",
            ));
        }
        let command = Command::Refund {
            payment_id: payment_id.to_string(),
            amount,
        };
        if amount > self.policy.refund_four_eyes_from_minor {
            return Ok(OnBehalf::Pending(
                self.propose(store, staff, command, &reason).await?,
            ));
        }
        let refund = PositiveAmount::new(amount)
            .ok_or(ConsoleError::Invalid("a refund is a positive amount"))?;
        Ok(OnBehalf::Now { refund, reason })
    }

    /// Runs a refund on behalf that [`Console::refund_on_behalf`] let through at once: the
    /// merchant's own refund rules, under `key` (one refund however often the request is
    /// retried), with its audit line in the refund's transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn refund_now(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
        payment_id: &str,
        refund: PositiveAmount,
        reason: &str,
        key: &IdempotencyKey,
        render: Render<RefundDone>,
    ) -> Result<RefundDone, MoneyError> {
        let (payment_id, actor, reason, now) = (
            payment_id.to_string(),
            staff.actor(),
            reason.to_string(),
            self.ctx.now_ms(),
        );
        let memo = refund_reason(&reason);
        let payload = serde_json::to_string(&Command::Refund {
            payment_id: payment_id.clone(),
            amount: refund.amount().minor(),
        })
        .map_err(|e| MoneyError::Internal(e.to_string()))?;
        let m = money.clone();
        money
            .call(store, key, render, now, move |r| {
                let done = m.refund_in(r, None, &payment_id, refund, &memo, None, now)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "payment.refund".into(),
                        entity: format!("payment:{payment_id}"),
                        before: payload.clone(),
                        after: format!("{{\"refund_id\":\"{}\"}}", done.refund_id),
                        reason: reason.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                Ok(done)
            })
            .await
    }
}
