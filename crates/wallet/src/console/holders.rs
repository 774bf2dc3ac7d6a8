//! Holder 360: finding a holder by phone, wallet id or ID number (through the blind index, so the
//! number itself is never searched or shown), and everything about them on one page. Each search
//! and each view is written to the audit log before anything is read: looking at someone's
//! personal data is itself a staff action.

use super::audit::{self, AuditLine, DONE};
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::StoreError;
use crate::domain::{IdNumber, Phone};
use crate::money::records::{
    DecisionRecord, MoneyTx, MovementFilter, MovementRecord, NotificationRecord,
};
use crate::ports::AccountOwner;
use crate::records::{
    CardRecord, CommandRecord, CommandStatus, HolderRecord, HolderStatus, KycReviewRecord,
    SessionRecord,
};
use crate::storage::RecordStore;
use qianbao_ledger::Account;
use qianbao_secrets::field::blind_index;

/// What a staff member searches holders by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HolderQuery {
    /// A phone number, in any form [`Phone::parse`] takes.
    Phone(String),
    /// A wallet id.
    Wallet(String),
    /// A resident ID number, matched through its keyed digest.
    IdNumber(String),
}

impl HolderQuery {
    /// How the audit log records the search: the kind, and the value only where it is not an ID
    /// number (the log must not become a second copy of the numbers).
    fn audited(&self) -> String {
        match self {
            HolderQuery::Phone(p) => format!("phone:{p}"),
            HolderQuery::Wallet(w) => format!("wallet:{w}"),
            HolderQuery::IdNumber(_) => "id_number:(digest)".into(),
        }
    }
}

/// One holder as a search lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolderFound {
    /// The holder.
    pub holder: HolderRecord,
    /// The masked real name, if verified.
    pub masked_name: Option<String>,
}

/// Everything the console shows of one holder.
#[derive(Clone, Debug)]
pub struct HolderProfile {
    /// The holder.
    pub holder: HolderRecord,
    /// The masked real name, if verified.
    pub masked_name: Option<String>,
    /// Bound cards (shown masked by the caller).
    pub cards: Vec<CardRecord>,
    /// The wallet's accounts: balances and what is held.
    pub accounts: Vec<Account>,
    /// The newest records.
    pub movements: Vec<MovementRecord>,
    /// Live sessions and their devices.
    pub sessions: Vec<SessionRecord>,
    /// The newest alerts sent.
    pub notifications: Vec<NotificationRecord>,
    /// Four-eyes commands waiting on this holder.
    pub pending_commands: Vec<CommandRecord>,
    /// The holder's real-name check waiting in the KYC review queue, if one is.
    pub pending_kyc_review: Option<KycReviewRecord>,
    /// What risk control decided on the holder's newest calls: what moved and what it refused.
    pub risk_decisions: Vec<DecisionRecord>,
}

/// How many records and alerts the profile shows.
const PROFILE_ROWS: i64 = 20;

impl Console {
    /// Finds holders; needs `holders.view`, and is audited.
    pub async fn find_holders(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        query: HolderQuery,
    ) -> Result<Vec<HolderFound>, ConsoleError> {
        let wanted = Permission::view(Group::Holders);
        self.require(store, staff, wanted, "holder.search").await?;
        let blind = match &query {
            HolderQuery::IdNumber(text) => Some(blind_index(
                &self.ctx.keys,
                "id",
                IdNumber::parse_on(
                    text.trim(),
                    crate::domain::ChinaDay::of_ms(self.ctx.now_ms()).date(),
                )
                .map_err(|_| ConsoleError::Invalid("id_number is not a valid ID number"))?
                .expose(),
            )),
            _ => None,
        };
        let phone = match &query {
            HolderQuery::Phone(text) => Some(
                Phone::parse(text)
                    .map_err(|_| ConsoleError::PhoneInvalid)?
                    .as_e164()
                    .to_string(),
            ),
            _ => None,
        };
        let line = AuditLine {
            actor: staff.actor(),
            action: "holder.search".into(),
            entity: query.audited(),
            outcome: DONE,
            ..AuditLine::default()
        };
        let now = self.ctx.now_ms();
        Ok(store
            .transact(move |r| {
                audit::append(r, line.clone(), now)?;
                let holder = match (&query, &phone, &blind) {
                    (_, Some(phone), _) => r.holder_by_phone(phone)?,
                    (HolderQuery::Wallet(w), _, _) => r.holder_by_wallet(w.trim())?,
                    (_, _, Some(blind)) => match r.identity_holder(blind)? {
                        Some(id) => r.holder(&id)?,
                        None => None,
                    },
                    _ => None,
                };
                holder
                    .map(|holder| {
                        let masked_name = r.identity(&holder.id)?.map(|i| i.masked_name);
                        Ok::<_, StoreError>(HolderFound {
                            holder,
                            masked_name,
                        })
                    })
                    .transpose()
            })
            .await?
            .into_iter()
            .collect())
    }

    /// One holder's profile; needs `holders.view`, and the view is audited before it is read.
    pub async fn holder_profile(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
    ) -> Result<HolderProfile, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::view(Group::Holders),
            "holder.view",
        )
        .await?;
        let line = AuditLine {
            actor: staff.actor(),
            action: "holder.view".into(),
            entity: format!("holder:{holder_id}"),
            outcome: DONE,
            ..AuditLine::default()
        };
        let now = self.ctx.now_ms();
        let id = holder_id.to_string();
        let exists = store
            .transact(move |r| {
                if r.holder(&id)?.is_none() {
                    return Ok(false);
                }
                audit::append(r, line.clone(), now)?;
                Ok(true)
            })
            .await?;
        if !exists {
            return Err(ConsoleError::NotFound);
        }
        let id = holder_id.to_string();
        store
            .transact_read(move |r| profile(r, &id, now))
            .await?
            .ok_or(ConsoleError::NotFound)
    }
}

fn profile(r: &mut dyn MoneyTx, id: &str, now: i64) -> Result<Option<HolderProfile>, StoreError> {
    let Some(holder) = r.holder(id)? else {
        return Ok(None);
    };
    let masked_name = r.identity(id)?.map(|i| i.masked_name);
    let cards = r.cards_of(id)?;
    let accounts = r.accounts_of(&AccountOwner::Wallet(holder.wallet_id.clone()))?;
    let movements = r.movements(
        id,
        &MovementFilter {
            limit: PROFILE_ROWS,
            ..MovementFilter::default()
        },
    )?;
    let sessions = r.sessions_of(id)?;
    let notifications = r.notifications(id, None, None, PROFILE_ROWS)?;
    // A read cannot mark the expired ones; they are left out.
    let mut pending_commands = r.commands(
        Some(CommandStatus::Pending),
        Some(&format!("holder:{id}")),
        PROFILE_ROWS,
    )?;
    pending_commands.retain(|c| c.expires_ms > now);
    let pending_kyc_review = r.pending_kyc_review(id)?;
    let mut risk_decisions = r.risk_decisions_of(&format!("holder:{id}"), PROFILE_ROWS)?;
    risk_decisions.truncate(usize::try_from(PROFILE_ROWS).unwrap_or(20));
    Ok(Some(HolderProfile {
        holder,
        masked_name,
        cards,
        accounts,
        movements,
        sessions,
        notifications,
        pending_commands,
        pending_kyc_review,
        risk_decisions,
    }))
}

impl Console {
    /// Freezes a holder's wallet at once (no money leaves it); needs `holders.manage`. Undoing it
    /// is a four-eyes command (`unfreeze`).
    pub async fn freeze_holder(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        holder_id: &str,
        reason: &str,
    ) -> Result<HolderRecord, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Holders),
            "holder.freeze",
        )
        .await?;
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(ConsoleError::Invalid("freezing a wallet needs a reason"));
        }
        let (id, actor, now) = (holder_id.to_string(), staff.actor(), self.ctx.now_ms());
        store
            .transact(move |r| {
                let Some(mut holder) = r.holder(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if holder.status != HolderStatus::Active {
                    return Ok(Err(ConsoleError::Invalid(
                        "only an active wallet can be frozen",
                    )));
                }
                r.set_status(&id, HolderStatus::Frozen)?;
                crate::security_notices::notify(
                    r,
                    &id,
                    &crate::security_notices::SecurityNotice::Frozen { by_staff: true },
                    now,
                )?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "holder.freeze".into(),
                        entity: format!("holder:{id}"),
                        before: format!("{{\"status\":\"{}\"}}", holder.status),
                        after: "{\"status\":\"frozen\"}".into(),
                        reason: reason.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                holder.status = HolderStatus::Frozen;
                Ok(Ok(holder))
            })
            .await?
    }
}
