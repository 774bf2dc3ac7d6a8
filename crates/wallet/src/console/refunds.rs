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
use crate::money::{Money, MoneyError};
use crate::records::CommandRecord;
use crate::storage::RecordStore;
use qianbao_ledger::PositiveAmount;

/// What a refund on behalf came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnBehalf {
    /// Refunded at once (at most the threshold).
    Refunded(RefundDone),
    /// Above the threshold: a pending command for a second staff member.
    Pending(CommandRecord),
}

impl Console {
    /// Refunds `amount` minor units of merchant payment `payment_id` to its payer on the
    /// merchant's behalf, for `reason` (shown to the payer). Needs `money.manage`.
    pub async fn refund_on_behalf(
        &self,
        store: &impl RecordStore,
        money: &Money,
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
        let (payment_id, actor, now) = (payment_id.to_string(), staff.actor(), self.ctx.now_ms());
        let memo = refund_reason(&reason);
        let payload =
            serde_json::to_string(&command).map_err(|e| ConsoleError::Internal(e.to_string()))?;
        let m = money.clone();
        // Through the money writer's own transaction, so a refusal rolls back whatever the rules
        // wrote, and the audit line commits with the refund.
        let done = money
            .run(store, move |r| {
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
            .map_err(|e| match e {
                MoneyError::NotFound => ConsoleError::NotFound,
                other => other.into(),
            })?;
        Ok(OnBehalf::Refunded(done))
    }
}
