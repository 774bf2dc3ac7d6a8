//! What a staff member does to a holder's account at once, without a second person: restrict it
//! (it still signs in and receives money, but pays and withdraws nothing), lift the restriction,
//! end every session, and clear the login lock that wrong passwords set. Each needs
//! `holders.manage` and a reason, and commits with its audit line.

use super::audit::{self, AuditLine, DONE};
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::records::{HolderRecord, HolderStatus, Records};
use crate::storage::RecordStore;

/// The longest reason kept with an action.
const REASON_CHARS_MAX: usize = 500;

/// What ending a holder's sessions did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionsEnded {
    /// The holder, as they stand now.
    pub holder: HolderRecord,
    /// How many live sessions were ended.
    pub ended: i64,
}

/// One action on a holder: the state it changes, written as the audit line's before and after.
enum Action {
    Restrict,
    Unrestrict,
    EndSessions,
    ResetLoginLock,
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Restrict => "holder.restrict",
            Action::Unrestrict => "holder.unrestrict",
            Action::EndSessions => "holder.sessions_end",
            Action::ResetLoginLock => "holder.login_lock_reset",
        }
    }

    /// Applies the action to `holder` (read in this transaction): the before and after texts and
    /// the sessions ended, or why it cannot be done.
    fn apply(
        &self,
        r: &mut dyn Records,
        holder: &mut HolderRecord,
        now: i64,
    ) -> Result<Result<(String, String, i64), ConsoleError>, crate::StoreError> {
        let status = |s: HolderStatus| format!("{{\"status\":\"{s}\"}}");
        Ok(Ok(match self {
            Action::Restrict | Action::Unrestrict => {
                let (from, to) = match self {
                    Action::Restrict => (HolderStatus::Active, HolderStatus::Restricted),
                    _ => (HolderStatus::Restricted, HolderStatus::Active),
                };
                if holder.status != from {
                    return Ok(Err(ConsoleError::Invalid(match self {
                        Action::Restrict => "only an active wallet can be restricted",
                        _ => "the wallet is not restricted",
                    })));
                }
                r.set_status(&holder.id, to)?;
                holder.status = to;
                (status(from), status(to), 0)
            }
            Action::EndSessions => {
                let mut ended = 0;
                for session in r.sessions_of(&holder.id)? {
                    if r.end_session(&holder.id, &session.id, now)? {
                        ended += 1;
                    }
                }
                (
                    format!("{{\"sessions\":{ended}}}"),
                    "{\"sessions\":0}".into(),
                    ended,
                )
            }
            Action::ResetLoginLock => {
                let before = format!(
                    "{{\"login_locked\":{},\"login_failures\":{}}}",
                    holder.login_locked, holder.login_failures
                );
                r.set_login_failures(&holder.id, 0, false)?;
                holder.login_locked = false;
                holder.login_failures = 0;
                (
                    before,
                    "{\"login_locked\":false,\"login_failures\":0}".into(),
                    0,
                )
            }
        }))
    }
}

impl Console {
    /// Restricts an active wallet: it signs in and receives money, but pays and withdraws
    /// nothing (`account_restricted`) until the restriction is lifted. Needs `holders.manage`.
    pub async fn restrict_holder(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
        reason: &str,
    ) -> Result<HolderRecord, ConsoleError> {
        self.act_on_holder(store, staff, holder_id, reason, Action::Restrict)
            .await
            .map(|done| done.holder)
    }

    /// Lifts a restriction: the wallet is active again. Needs `holders.manage`.
    pub async fn unrestrict_holder(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
        reason: &str,
    ) -> Result<HolderRecord, ConsoleError> {
        self.act_on_holder(store, staff, holder_id, reason, Action::Unrestrict)
            .await
            .map(|done| done.holder)
    }

    /// Ends every live session of the holder: each device's token stops working at once.
    /// Needs `holders.manage`.
    pub async fn end_holder_sessions(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
        reason: &str,
    ) -> Result<SessionsEnded, ConsoleError> {
        self.act_on_holder(store, staff, holder_id, reason, Action::EndSessions)
            .await
    }

    /// Clears the holder's wrong-password count and the login lock it set. Needs
    /// `holders.manage`.
    pub async fn reset_holder_login_lock(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
        reason: &str,
    ) -> Result<HolderRecord, ConsoleError> {
        self.act_on_holder(store, staff, holder_id, reason, Action::ResetLoginLock)
            .await
            .map(|done| done.holder)
    }

    /// The shape all four share: the permission (a refusal audited), a reason, the holder read
    /// and changed, and the audit line, in one transaction.
    async fn act_on_holder(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
        reason: &str,
        action: Action,
    ) -> Result<SessionsEnded, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Holders),
            action.name(),
        )
        .await?;
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > REASON_CHARS_MAX {
            return Err(ConsoleError::Invalid(
                "this action needs a reason of 1 to 500 characters",
            ));
        }
        let (id, actor, now) = (holder_id.to_string(), staff.actor(), self.ctx.now_ms());
        store
            .transact(move |r| {
                let Some(mut holder) = r.holder(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if holder.status == HolderStatus::Closed {
                    return Ok(Err(ConsoleError::Invalid("the wallet is closed")));
                }
                let (before, after, ended) = match action.apply(r, &mut holder, now)? {
                    Ok(done) => done,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: action.name().into(),
                        entity: format!("holder:{id}"),
                        before,
                        after,
                        reason: reason.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                Ok(Ok(SessionsEnded { holder, ended }))
            })
            .await?
    }
}
