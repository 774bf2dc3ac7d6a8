//! Exchange rates from the console: staff with `policy.view` see the rates in force; with
//! `policy.manage` they set one, with a reason, audited with the rate it replaced.

use super::audit::{self, AuditLine, DONE};
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::fx::{MidRate, operator_rate};
use crate::storage::RecordStore;

/// The longest reason kept with a rate change.
const REASON_CHARS_MAX: usize = 500;

impl Console {
    /// The mid rates in force. Needs `policy.view`.
    pub async fn fx_rates(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Vec<MidRate>, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::view(Group::Policy),
            "fx.rates_view",
        )
        .await?;
        Ok(crate::fx::rates_in_force(store).await?)
    }

    /// Sets `pair`'s mid rate to `rate` now (source `console`), in one transaction with its audit
    /// line (before: the rate it replaced, if any). Needs `policy.manage` and a reason.
    pub async fn set_fx_rate(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        pair: &str,
        rate: &str,
        reason: &str,
    ) -> Result<MidRate, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Policy),
            "fx.rate_set",
        )
        .await?;
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > REASON_CHARS_MAX {
            return Err(ConsoleError::Invalid(
                "this action needs a reason of 1 to 500 characters",
            ));
        }
        let now = self.ctx.now_ms();
        let mid = operator_rate(pair, rate, "console", now).map_err(|_| {
            ConsoleError::Invalid(
                "give a pair such as USD/CNY and a rate above zero with at most 12 decimals",
            )
        })?;
        let (stored, actor) = (mid.clone(), staff.actor());
        store
            .transact(move |r| {
                let before = r
                    .mid_rates()?
                    .into_iter()
                    .find(|m| m.pair == stored.pair)
                    .map_or_else(
                        || "{}".to_string(),
                        |m| format!("{{\"rate\":\"{}\"}}", m.rate),
                    );
                r.put_mid_rate(&stored)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "fx.rate_set".into(),
                        entity: format!("fx:{}", stored.pair),
                        before,
                        after: format!("{{\"rate\":\"{}\"}}", stored.rate),
                        reason: reason.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                Ok(())
            })
            .await?;
        Ok(mid)
    }
}
