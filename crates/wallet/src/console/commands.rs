//! Four eyes (maker-checker) at the command layer. A sensitive action is stored as a pending
//! command with its exact payload and a reason; it runs only when a *different* staff member who
//! holds the checker permission (managing the action's group) approves it, and then it is the
//! stored payload that runs — the checker approves what they see, not what a client sends later.
//! Nobody approves their own command, admins included; one command may wait per action and
//! entity; an undecided one expires. The approval, what it runs and its audit line commit in one
//! money transaction.

use super::audit::{self, AuditLine, DONE, REFUSED};
use super::closing_queue::{run_close_account, waiting_for};
use super::policy::run_policy_change;
use super::staff::{Staff, role_permissions};
use super::{Console, ConsoleError, Group, Permission};
use crate::StoreError;
use crate::domain::display_text;
use crate::money::adjustment::{post_adjustment, post_merchant_adjustment};
use crate::money::records::{CaseStatus, MoneyTx};
use crate::money::{Alert, Money, MoneyError, yuan};
use crate::records::{CommandRecord, CommandStatus, HolderStatus};
use crate::storage::RecordStore;
use qianbao_ledger::{Amount, Currency, PositiveAmount};
use serde::{Deserialize, Serialize};

/// The largest adjustment one command may make (¥1,000,000), in minor units: a typo of a few
/// zeros should not need a second correction.
pub const ADJUSTMENT_MAX: i64 = 100_000_000;

/// A sensitive action and its exact payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Unfreeze a frozen holder.
    Unfreeze {
        /// The holder.
        holder_id: String,
    },
    /// Credit (positive) or debit (negative) a holder's wallet or a merchant's balance against
    /// the operator's adjustments account; with `case_id`, the reconciliation case it resolves.
    Adjustment {
        /// The holder (exactly one of `holder_id` and `merchant_id`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder_id: Option<String>,
        /// The merchant (exactly one of `holder_id` and `merchant_id`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        merchant_id: Option<String>,
        /// Minor units, signed, never zero.
        amount: i64,
        /// ISO 4217.
        currency: String,
        /// The open reconciliation case the adjustment resolves, in the same transaction.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_id: Option<String>,
    },
    /// Refund part or all of a merchant payment on the merchant's behalf, above the amount a
    /// staff member may refund alone.
    Refund {
        /// The merchant payment.
        payment_id: String,
        /// Minor units, positive.
        amount: i64,
    },
    /// Give a staff member another role.
    RoleChange {
        /// The staff member.
        staff_id: String,
        /// A built-in or custom role.
        role: String,
    },
    /// Close a holder's wallet with its whole balance swept to their card, for their waiting
    /// closing request.
    CloseAccount {
        /// The holder.
        holder_id: String,
        /// The holder's active debit card the balance goes to (the request's).
        card_id: String,
    },
    /// Change the operator's policy (limits, fees, risk rules): only the keys that change, in
    /// the policy file's shape.
    PolicyChange {
        /// A partial policy document.
        policy: serde_json::Value,
    },
}

impl Command {
    /// The action's stable name.
    pub fn action(&self) -> &'static str {
        match self {
            Command::Unfreeze { .. } => "unfreeze",
            Command::Adjustment { .. } => "adjustment",
            Command::RoleChange { .. } => "role_change",
            Command::Refund { .. } => "refund",
            Command::PolicyChange { .. } => "policy_change",
            Command::CloseAccount { .. } => "close_account",
        }
    }

    /// What it acts on.
    pub fn entity(&self) -> String {
        match self {
            Command::Unfreeze { holder_id }
            | Command::CloseAccount { holder_id, .. }
            | Command::Adjustment {
                holder_id: Some(holder_id),
                ..
            } => {
                format!("holder:{holder_id}")
            }
            Command::Adjustment { merchant_id, .. } => {
                format!("merchant:{}", merchant_id.as_deref().unwrap_or_default())
            }
            Command::RoleChange { staff_id, .. } => format!("staff:{staff_id}"),
            Command::Refund { payment_id, .. } => format!("payment:{payment_id}"),
            // One policy: one change may wait at a time.
            Command::PolicyChange { .. } => "policy".into(),
        }
    }

    /// The group whose manage permission both maker and checker need.
    pub fn group(&self) -> Group {
        match self {
            Command::Unfreeze { .. } | Command::CloseAccount { .. } => Group::Holders,
            Command::Adjustment { .. } | Command::Refund { .. } => Group::Money,
            Command::RoleChange { .. } => Group::Staff,
            Command::PolicyChange { .. } => Group::Policy,
        }
    }

    /// The payload's own checks, before anything is read.
    fn check(&self) -> Result<(), ConsoleError> {
        if let Command::Refund { amount, .. } = self
            && !(1..=ADJUSTMENT_MAX).contains(amount)
        {
            return Err(ConsoleError::Invalid(
                "a refund is a positive amount of at most 100,000,000 minor units",
            ));
        }
        if let Command::PolicyChange { policy } = self
            && policy.as_object().is_none_or(|keys| keys.is_empty())
        {
            return Err(ConsoleError::Invalid(
                "policy is an object with the keys that change, in the policy file's shape",
            ));
        }
        if let Command::Adjustment {
            holder_id,
            merchant_id,
            amount,
            currency,
            ..
        } = self
        {
            if holder_id.is_some() == merchant_id.is_some() {
                return Err(ConsoleError::Invalid(
                    "an adjustment names exactly one of holder_id and merchant_id",
                ));
            }
            if *amount == 0 || amount.unsigned_abs() > ADJUSTMENT_MAX.unsigned_abs() {
                return Err(ConsoleError::Invalid(
                    "an adjustment is a nonzero amount of at most 100,000,000 minor units either way",
                ));
            }
            if Currency::parse(currency) != Some(Currency::CNY) {
                return Err(ConsoleError::Invalid("adjustments are in CNY"));
            }
        }
        Ok(())
    }
}

/// The most commands one listing answers.
const LIST_MAX: i64 = 200;

impl Console {
    /// Stores `command` as pending, made by `staff` for `reason`. Needs the manage permission of
    /// the command's group; refused while another is pending for the same action and entity.
    pub async fn propose(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        command: Command,
        reason: &str,
    ) -> Result<CommandRecord, ConsoleError> {
        let ids = self.ctx.ids.clone();
        self.require(
            store,
            staff,
            Permission::manage(command.group()),
            "command.propose",
        )
        .await?;
        command.check()?;
        if let Command::PolicyChange { policy } = &command {
            self.check_policy_change(policy)?;
        }
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(ConsoleError::Invalid(
                "a command needs a reason of 1 to 500 characters",
            ));
        }
        if let Some(refusal) = money_refusal(store, &command, &reason).await? {
            return Err(refusal);
        }
        let now = self.ctx.now_ms();
        let record = CommandRecord {
            id: ids.record_id(),
            action: command.action().into(),
            entity: command.entity(),
            payload: serde_json::to_string(&command)
                .map_err(|e| ConsoleError::Internal(e.to_string()))?,
            reason,
            maker: staff.record.id.clone(),
            status: CommandStatus::Pending,
            checker: None,
            outcome: String::new(),
            created_ms: now,
            expires_ms: now + self.policy.command_ttl_ms,
            decided_ms: None,
        };
        let (actor, maker) = (staff.actor(), staff.record.id.clone());
        store
            .transact(move |r| {
                r.expire_commands(now)?;
                let known = match &command {
                    Command::Unfreeze { holder_id }
                    | Command::Adjustment {
                        holder_id: Some(holder_id),
                        ..
                    } => r.holder(holder_id)?.is_some(),
                    // Read by `money_refusal`, which needs the money records.
                    Command::Adjustment { .. } | Command::Refund { .. } => true,
                    Command::RoleChange { staff_id, role } => {
                        if *staff_id == maker {
                            return Ok(Err(ConsoleError::NotOnSelf));
                        }
                        if role_permissions(r, role)?.is_none() {
                            return Ok(Err(ConsoleError::RoleInvalid(role.clone())));
                        }
                        r.staff(staff_id)?.is_some()
                    }
                    Command::PolicyChange { .. } => true,
                    Command::CloseAccount { holder_id, card_id } => {
                        if r.holder(holder_id)?.is_none() {
                            return Ok(Err(ConsoleError::NotFound));
                        }
                        if !waiting_for(r, holder_id, card_id)? {
                            return Ok(Err(ConsoleError::Invalid(
                                "close_account needs a waiting closing request of the holder's \
                                 for this card",
                            )));
                        }
                        true
                    }
                };
                if !known {
                    return Ok(Err(ConsoleError::NotFound));
                }
                let waiting =
                    r.commands(Some(CommandStatus::Pending), Some(&record.entity), LIST_MAX)?;
                if waiting.iter().any(|c| c.action == record.action) {
                    return Ok(Err(ConsoleError::CommandPending));
                }
                r.insert_command(&record)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: format!("command.propose.{}", record.action),
                        entity: record.entity.clone(),
                        after: record.payload.clone(),
                        reason: record.reason.clone(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )?;
                Ok(Ok(record.clone()))
            })
            .await
            // Two proposals racing past the check: the one-pending index refuses the second.
            .map_err(|e| match e {
                StoreError::Duplicate(_) => ConsoleError::CommandPending,
                other => other.into(),
            })?
    }

    /// Approves a pending command and runs its stored payload, all in one transaction. The
    /// checker must not be its maker and must manage the command's group. A payload the rules
    /// refuse when it runs (an adjustment the balance cannot bear, a holder no longer frozen)
    /// leaves the command `failed` and changes nothing else.
    pub async fn approve(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
        id: &str,
    ) -> Result<CommandRecord, ConsoleError> {
        let command = self
            .command_to_decide(store, staff, id, "command.approve")
            .await?;
        let (id, checker, actor, now) = (
            id.to_string(),
            staff.record.id.clone(),
            staff.actor(),
            self.ctx.now_ms(),
        );
        let money = money.clone();
        // A policy change laid over the policy in force now, checked again (a restart may have
        // brought another file since it was proposed). Worked out here, not in the transaction:
        // with the rules' `Arc<dyn …>` captured there, rustc cannot prove this future `Send`.
        // Only one policy change is ever pending, so nothing else changes the policy meanwhile.
        let merged = match &command {
            Command::PolicyChange { policy } => Some(self.policy_rules.merged(policy)),
            _ => None,
        };
        store
            .transact_money(move |r| {
                let Some(mut record) = r.command(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if let Some(refusal) = undecidable(r, &mut record, &checker, &actor, now)? {
                    return Ok(Err(refusal));
                }
                let ran = match (&command, &merged) {
                    (Command::PolicyChange { policy }, Some(merged)) => {
                        run_policy_change(r, merged.clone(), policy, &record, &checker, now)?
                    }
                    (close @ Command::CloseAccount { .. }, _) => {
                        run_close_account(r, &money, close, &record, &checker, now)?
                    }
                    (other, _) => run(r, &money, other, &record, now)?,
                };
                let (status, outcome) = match ran {
                    Ok(done) => (CommandStatus::Done, done),
                    Err(why) => (CommandStatus::Failed, why),
                };
                decide(&mut record, status, &checker, outcome, now);
                r.decide_command(&record)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: format!("command.approve.{}", record.action),
                        entity: record.entity.clone(),
                        before: record.payload.clone(),
                        after: record.outcome.clone(),
                        reason: record.reason.clone(),
                        outcome: if record.status == CommandStatus::Done {
                            DONE
                        } else {
                            REFUSED
                        },
                    },
                    now,
                )?;
                Ok(Ok(record))
            })
            .await?
    }

    /// Rejects a pending command (its maker may withdraw it too); nothing runs.
    pub async fn reject(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        id: &str,
        reason: &str,
    ) -> Result<CommandRecord, ConsoleError> {
        // Only its group's checker may reject it: the payload says which group.
        self.command_to_decide(store, staff, id, "command.reject")
            .await?;
        let (id, checker, actor, now) = (
            id.to_string(),
            staff.record.id.clone(),
            staff.actor(),
            self.ctx.now_ms(),
        );
        let reason = reason.trim().to_string();
        store
            .transact(move |r| {
                let Some(mut record) = r.command(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if record.status != CommandStatus::Pending {
                    return Ok(Err(ConsoleError::CommandDecided(record.status.as_str())));
                }
                decide(
                    &mut record,
                    CommandStatus::Rejected,
                    &checker,
                    reason.clone(),
                    now,
                );
                r.decide_command(&record)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: format!("command.reject.{}", record.action),
                        entity: record.entity.clone(),
                        before: record.payload.clone(),
                        reason: reason.clone(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )?;
                Ok(Ok(record))
            })
            .await?
    }

    /// Commands in `status` (any if `None`) about `entity` (any if `None`), newest first,
    /// limited to the groups `staff` may view.
    pub async fn commands(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        status: Option<CommandStatus>,
        entity: Option<String>,
    ) -> Result<Vec<CommandRecord>, ConsoleError> {
        let now = self.ctx.now_ms();
        let all = store
            .transact(move |r| {
                r.expire_commands(now)?;
                r.commands(status, entity.as_deref(), LIST_MAX)
            })
            .await?;
        Ok(all
            .into_iter()
            .filter(|c| {
                parse(c).is_some_and(|cmd| staff.permissions.allows(Permission::view(cmd.group())))
            })
            .collect())
    }

    /// The stored command's payload, read back for a checker, who must manage its group (the
    /// refusal audited as `what`).
    async fn command_to_decide(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        id: &str,
        what: &str,
    ) -> Result<Command, ConsoleError> {
        let id = id.to_string();
        let record = store
            .transact(move |r| r.command(&id))
            .await?
            .ok_or(ConsoleError::NotFound)?;
        let command = parse(&record).ok_or(ConsoleError::NotFound)?;
        self.require(store, staff, Permission::manage(command.group()), what)
            .await?;
        Ok(command)
    }
}

/// Marks `record` decided by `checker` at `now`, with what came of it.
fn decide(
    record: &mut CommandRecord,
    status: CommandStatus,
    checker: &str,
    outcome: String,
    now: i64,
) {
    record.status = status;
    record.checker = Some(checker.to_string());
    record.outcome = outcome;
    record.decided_ms = Some(now);
}

/// A stored command's payload.
pub fn parse(record: &CommandRecord) -> Option<Command> {
    serde_json::from_str(&record.payload).ok()
}

/// Why `record` cannot be approved by `checker` now, if it cannot: decided already, expired
/// (marked so, and the mark committed with the refusal), or the checker's own.
fn undecidable(
    r: &mut dyn MoneyTx,
    record: &mut CommandRecord,
    checker: &str,
    actor: &str,
    now: i64,
) -> Result<Option<ConsoleError>, StoreError> {
    if record.status != CommandStatus::Pending {
        return Ok(Some(ConsoleError::CommandDecided(record.status.as_str())));
    }
    if now >= record.expires_ms {
        r.expire_commands(now)?;
        return Ok(Some(ConsoleError::CommandExpired));
    }
    if record.maker == checker {
        audit::append(
            r,
            AuditLine {
                actor: actor.to_string(),
                action: format!("command.approve.{}", record.action),
                entity: record.entity.clone(),
                reason: "a maker may not approve their own command".into(),
                outcome: REFUSED,
                ..AuditLine::default()
            },
            now,
        )?;
        return Ok(Some(ConsoleError::OwnCommand));
    }
    Ok(None)
}

/// Runs a command's payload: what it did, or why the rules refused it (nothing changed then).
fn run(
    r: &mut dyn MoneyTx,
    money: &Money,
    command: &Command,
    record: &CommandRecord,
    now: i64,
) -> Result<Result<String, String>, StoreError> {
    Ok(match command {
        Command::Unfreeze { holder_id } => match r.holder(holder_id)? {
            Some(h) if h.status == HolderStatus::Frozen => {
                r.set_status(holder_id, HolderStatus::Active)?;
                crate::security_notices::notify(
                    r,
                    holder_id,
                    &crate::security_notices::SecurityNotice::Unfrozen,
                    now,
                )?;
                Ok("unfrozen".into())
            }
            Some(h) => Err(format!("the wallet is {}, not frozen", h.status)),
            None => Err("no such holder".into()),
        },
        Command::Adjustment {
            holder_id,
            merchant_id,
            amount,
            currency,
            case_id,
        } => {
            // The case is read before anything posts: one resolved since the proposal fails the
            // command whole.
            if let Some(case_id) = case_id {
                match r.recon_case(case_id)? {
                    Some(case) if case.status == CaseStatus::Open => {}
                    Some(case) => {
                        return Ok(Err(format!("case {case_id} is {} already", case.status)));
                    }
                    None => return Ok(Err(format!("no reconciliation case {case_id}"))),
                }
            }
            let currency = Currency::parse(currency).unwrap_or(Currency::CNY);
            let amount = Amount::from_minor(*amount);
            let (posted, holder) = match (holder_id, merchant_id) {
                (Some(holder_id), _) => {
                    let Some(holder) = r.holder(holder_id)? else {
                        return Ok(Err("no such holder".into()));
                    };
                    if holder.status == HolderStatus::Closed {
                        return Ok(Err("the wallet is closed".into()));
                    }
                    let posted = post_adjustment(
                        r,
                        &record.id,
                        &holder,
                        amount,
                        currency,
                        &record.reason,
                        now,
                    );
                    (posted, Some(holder))
                }
                (None, Some(merchant_id)) => {
                    if r.merchant(merchant_id)?.is_none() {
                        return Ok(Err("no such merchant".into()));
                    }
                    let posted =
                        post_merchant_adjustment(r, &record.id, merchant_id, amount, currency);
                    (posted, None)
                }
                (None, None) => return Ok(Err("no holder or merchant named".into())),
            };
            match posted {
                Ok(()) => {
                    if let Some(holder) = &holder {
                        adjustment_alert(r, money, holder, amount, &record.id)?;
                    }
                    if let Some(case_id) = case_id {
                        let note = display_text(&record.reason, 500, true)
                            .unwrap_or_else(|_| "resolved by a four-eyes adjustment".into());
                        r.resolve_recon_case(
                            case_id,
                            CaseStatus::Adjusted,
                            &note,
                            Some(&record.id),
                            now,
                        )?;
                    }
                    Ok(format!("adjusted by {} {currency}", amount.minor()))
                }
                Err(MoneyError::InsufficientBalance) => {
                    Err("refused by the ledger: the balance cannot bear it".into())
                }
                Err(MoneyError::Store(e)) => return Err(e),
                Err(other) => Err(other.to_string()),
            }
        }
        Command::Refund { payment_id, amount } => {
            let Some(refund) = PositiveAmount::new(*amount) else {
                return Ok(Err("a refund is a positive amount".into()));
            };
            let reason = refund_reason(&record.reason);
            // No risk screening: a second staff member's approval is this refund's control.
            match money.refund_in(r, None, payment_id, refund, &reason, None, now) {
                Ok(done) => Ok(format!("refunded {amount} as {}", done.refund_id)),
                Err(MoneyError::Store(e)) => return Err(e),
                Err(other) => Err(format!("refused: {} ({other})", other.code())),
            }
        }
        Command::RoleChange { staff_id, role } => {
            if role_permissions(r, role)?.is_none() {
                return Ok(Err(format!("{role} is no role any more")));
            }
            match r.staff(staff_id)? {
                Some(mut s) => {
                    s.role = role.clone();
                    r.update_staff(&s)?;
                    Ok(format!("role is now {role}"))
                }
                None => Err("no such staff member".into()),
            }
        }
        // The approval runs these through `run_close_account` and `run_policy_change` instead.
        Command::CloseAccount { .. } => Err("a closing is run by run_close_account".into()),
        Command::PolicyChange { .. } => Err("a policy change is run by run_policy_change".into()),
    })
}

/// What the payer's records show as a staff refund's reason: the command's reason, as a
/// merchant's refund reason may be (200 visible characters), or a plain note when it cannot be.
pub(crate) fn refund_reason(reason: &str) -> String {
    display_text(reason, 200, false).unwrap_or_else(|_| "退款 (refund by the operator)".into())
}

/// Tells the holder of an adjustment to their wallet, in their inbox (and by SMS when large),
/// inside the adjustment's transaction.
fn adjustment_alert(
    r: &mut dyn MoneyTx,
    money: &Money,
    holder: &crate::records::HolderRecord,
    amount: Amount,
    movement_id: &str,
) -> Result<(), StoreError> {
    let (title, title_en, size) = if amount.is_positive() {
        ("账户调整入账", "Adjustment credited", amount)
    } else {
        ("账户调整扣款", "Adjustment debited", -amount)
    };
    money.alert(
        r,
        Alert {
            holder,
            kind: "adjustment",
            title: title.into(),
            body: format!("运营方调账 {}", yuan(size)),
            title_en: title_en.into(),
            body_en: format!("The operator adjusted your wallet by {}", yuan(size)),
            movement_id,
            amount: size,
        },
    )
}

/// Why a money command cannot be proposed, read before the proposal's transaction (the money
/// records are read there): an unknown merchant, payment or case; a case resolved already; a
/// refund beyond what the payment has left.
async fn money_refusal(
    store: &impl RecordStore,
    command: &Command,
    reason: &str,
) -> Result<Option<ConsoleError>, ConsoleError> {
    let command = command.clone();
    let reason_ok = display_text(reason, 200, false).is_ok();
    Ok(store
        .transact_read(move |r| {
            Ok(match &command {
                Command::Adjustment {
                    merchant_id,
                    case_id,
                    ..
                } => {
                    if let Some(m) = merchant_id
                        && r.merchant(m)?.is_none()
                    {
                        return Ok(Some(ConsoleError::NotFound));
                    }
                    match case_id {
                        Some(c) => match r.recon_case(c)? {
                            None => Some(ConsoleError::NotFound),
                            Some(case) if case.status != CaseStatus::Open => {
                                Some(ConsoleError::Recon(crate::recon::ReconError::NotOpen {
                                    id: case.id,
                                    status: case.status,
                                }))
                            }
                            Some(_) => None,
                        },
                        None => None,
                    }
                }
                Command::Refund { payment_id, amount } => match r.merchant_payment(payment_id)? {
                    None => Some(ConsoleError::NotFound),
                    Some(p) if *amount > (p.amount - p.refunded).minor() => {
                        Some(ConsoleError::Money(MoneyError::RefundExceedsPayment))
                    }
                    Some(_) if !reason_ok => Some(ConsoleError::Invalid(
                        "a refund's reason is shown to the payer: at most 200 visible characters",
                    )),
                    Some(_) => None,
                },
                _ => None,
            })
        })
        .await?)
}
