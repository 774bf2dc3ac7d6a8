//! Review queues with Skim, Lock and Next: every reviewer sees the whole queue and who holds each
//! case (skim), takes a case before deciding it (lock) or takes the oldest free one (next), so
//! two reviewers never decide the same case. A lock lapses after a while, so a case is not
//! stranded by someone who left. The risk queue is the payments held for review; deciding one
//! releases (posts) or rejects (voids) its hold, with a label `risk replay` measures precision
//! against, and the decision, the label and the audit line commit together.

use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::money::records::MovementStatus;
use crate::money::records::RiskLabel;
use crate::money::review::{HeldForReview, Review, ReviewError, ReviewNote};
use crate::money::{Money, MoneyError};
use crate::records::CaseLockRecord;
use crate::storage::RecordStore;

/// The risk queue's name in the case locks.
pub const RISK_QUEUE: &str = "risk";

/// How long a reviewer's lock on a case lasts (ms): renewed each time they take it again.
pub const LOCK_MS: i64 = 15 * 60_000;

/// A held payment as the console's queue shows it: the case, and who is working it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskCase {
    /// The held payment with why it was held.
    pub held: HeldForReview,
    /// The staff member working it, if anyone is.
    pub locked_by: Option<String>,
}

/// A reviewer's decision on a held payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDecision {
    /// Release or reject.
    pub review: Review,
    /// What the payment turned out to be, if the reviewer says.
    pub label: Option<RiskLabel>,
    /// Why.
    pub reason: String,
}

impl Console {
    /// The payments held for review, oldest first, with who is working each (skim); needs
    /// `risk.view`.
    pub async fn risk_queue(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
    ) -> Result<Vec<RiskCase>, ConsoleError> {
        self.require(store, staff, Permission::view(Group::Risk), "queue.risk")
            .await?;
        let held = money.review_queue(store).await.map_err(money_error)?;
        let now = self.ctx.now_ms();
        let locks = store
            .transact(move |r| r.case_locks(RISK_QUEUE, now))
            .await?;
        Ok(held
            .into_iter()
            .map(|held| RiskCase {
                locked_by: locks
                    .iter()
                    .find(|l| l.case_id == held.movement.id)
                    .map(|l| l.staff_id.clone()),
                held,
            })
            .collect())
    }

    /// Takes one case of the risk queue (lock); refused with `case_locked` while another
    /// reviewer holds it. Needs `risk.manage`.
    pub async fn take_risk_case(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
        movement_id: &str,
    ) -> Result<RiskCase, ConsoleError> {
        let queue = self
            .cases_to_take(store, money, staff, "queue.risk.take")
            .await?;
        let case = queue
            .into_iter()
            .find(|c| c.held.movement.id == movement_id)
            .ok_or(ConsoleError::NotFound)?;
        self.lock(store, staff, case)
            .await?
            .ok_or(ConsoleError::CaseLocked)
    }

    /// Takes the oldest case nobody else holds (next); `None` when every case is taken or the
    /// queue is empty. Needs `risk.manage`.
    pub async fn next_risk_case(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
    ) -> Result<Option<RiskCase>, ConsoleError> {
        let queue = self
            .cases_to_take(store, money, staff, "queue.risk.next")
            .await?;
        for case in queue {
            if case
                .locked_by
                .as_ref()
                .is_some_and(|by| *by != staff.record.id)
            {
                continue;
            }
            // Another reviewer may have taken it since the skim: then try the next one.
            if let Some(taken) = self.lock(store, staff, case).await? {
                return Ok(Some(taken));
            }
        }
        Ok(None)
    }

    /// Releases or rejects a held payment the reviewer holds (taking it first if it is free),
    /// with a label and a reason; the lock is let go afterwards. Needs `risk.manage`.
    pub async fn decide_risk_case(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
        movement_id: &str,
        decision: CaseDecision,
    ) -> Result<MovementStatus, ConsoleError> {
        self.take_risk_case(store, money, staff, movement_id)
            .await?;
        let note = ReviewNote {
            actor: staff.actor(),
            label: decision.label,
            reason: decision.reason.trim().to_string(),
        };
        let status = money
            .review(store, movement_id, decision.review, note)
            .await
            .map_err(|e| match e {
                ReviewError::NotFound(_) => ConsoleError::NotFound,
                ReviewError::Decided { status, .. } => ConsoleError::CaseDecided(status.as_str()),
                ReviewError::PayerInactive(_) => {
                    ConsoleError::Invalid("the payer's wallet is not active: release it later")
                }
                ReviewError::Money(m) => money_error(m),
            })?;
        let id = movement_id.to_string();
        store
            .transact(move |r| r.unlock_case(RISK_QUEUE, &id))
            .await?;
        Ok(status)
    }

    /// The queue, for a reviewer about to take a case: refused without `risk.manage` (audited
    /// as `what`), before anything is read.
    async fn cases_to_take(
        &self,
        store: &impl RecordStore,
        money: &Money,
        staff: &Staff,
        what: &str,
    ) -> Result<Vec<RiskCase>, ConsoleError> {
        self.require(store, staff, Permission::manage(Group::Risk), what)
            .await?;
        self.risk_queue(store, money, staff).await
    }

    /// Locks `case` for `staff`: the case as taken, or `None` when another reviewer holds it.
    async fn lock(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        case: RiskCase,
    ) -> Result<Option<RiskCase>, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Risk),
            "queue.risk.take",
        )
        .await?;
        let now = self.ctx.now_ms();
        let lock = CaseLockRecord {
            queue: RISK_QUEUE.into(),
            case_id: case.held.movement.id.clone(),
            staff_id: staff.record.id.clone(),
            until_ms: now + LOCK_MS,
        };
        let taken = store.transact(move |r| r.lock_case(&lock, now)).await?;
        Ok(taken.then(|| RiskCase {
            locked_by: Some(staff.record.id.clone()),
            ..case
        }))
    }
}

fn money_error(e: MoneyError) -> ConsoleError {
    match e {
        MoneyError::Store(s) => ConsoleError::Store(s),
        other => ConsoleError::Internal(other.to_string()),
    }
}
