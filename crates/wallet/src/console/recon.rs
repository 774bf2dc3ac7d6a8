//! Reconciliation from the console: importing the bank's statement (the same parser and matcher
//! as `qianbao admin recon import`, idempotent by the file's digest), the cases its breaks open,
//! accepting one with a note, and the daily funding check's alerts. Importing and accepting need
//! `money.manage` and are audited; the lists need `money.view`.

use super::audit::{self, AuditLine, DONE};
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::domain::display_text;
use crate::money::records::{CaseRecord, CaseStatus, FundingAlertRecord};
use crate::recon::import::{Imported, import_statement};
use crate::recon::{ReconError, cases, daily};
use crate::storage::RecordStore;

/// The longest note kept with an accepted case (as `qianbao admin recon accept` keeps).
const NOTE_CHARS_MAX: usize = 500;

impl Console {
    /// Imports a statement file. A bad line refuses the whole file (nothing kept); the same file
    /// again answers its first import. Needs `money.manage`; the import is audited with its
    /// digest and counts.
    pub async fn import_statement(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        file: &[u8],
    ) -> Result<(Imported, Vec<CaseRecord>), ConsoleError> {
        let ids = self.ctx.ids.clone();
        self.require(
            store,
            staff,
            Permission::manage(Group::Money),
            "recon.import",
        )
        .await?;
        let now = self.ctx.now_ms();
        let imported = import_statement(store, &ids, file, None, &self.policy.recon, now).await?;
        let i = imported.import.clone();
        let (actor, replayed) = (staff.actor(), imported.replayed);
        let import_id = i.id.clone();
        let found = store
            .transact(move |r| {
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "recon.import".into(),
                        entity: format!("recon_import:{}", i.id),
                        after: serde_json::json!({
                            "digest": i.digest,
                            "lines": i.lines,
                            "breaks": i.counts.breaks(),
                            "replayed": replayed,
                        })
                        .to_string(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )
            })
            .await;
        found?;
        let cases = store
            .transact_read(move |r| {
                Ok(r.recon_cases(None, cases::CASES_LISTED_MAX)?
                    .into_iter()
                    .filter(|c| c.import_id == import_id)
                    .collect::<Vec<_>>())
            })
            .await?;
        Ok((imported, cases))
    }

    /// Cases in `status` (any when `None`), oldest first. Needs `money.view`.
    pub async fn recon_cases(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        status: Option<CaseStatus>,
    ) -> Result<Vec<CaseRecord>, ConsoleError> {
        self.require(store, staff, Permission::view(Group::Money), "recon.cases")
            .await?;
        Ok(cases::cases(store, status, cases::CASES_LISTED_MAX).await?)
    }

    /// Accepts the open case `id` with `note`: the difference is understood and needs no entry.
    /// Needs `money.manage`; the acceptance and its audit line commit together.
    pub async fn accept_case(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        id: &str,
        note: &str,
    ) -> Result<CaseRecord, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Money),
            "recon.accept",
        )
        .await?;
        let note = display_text(note, NOTE_CHARS_MAX, true)
            .map_err(|_| ConsoleError::Recon(ReconError::NoteInvalid))?;
        let (id, actor, now) = (id.to_string(), staff.actor(), self.ctx.now_ms());
        store
            .transact_money(move |r| {
                let Some(case) = r.recon_case(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if case.status != CaseStatus::Open {
                    return Ok(Err(ConsoleError::Recon(ReconError::NotOpen {
                        id: id.clone(),
                        status: case.status,
                    })));
                }
                r.resolve_recon_case(&id, CaseStatus::Accepted, &note, None, now)?;
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "recon.accept".into(),
                        entity: format!("recon_case:{id}"),
                        before: "{\"status\":\"open\"}".into(),
                        after: "{\"status\":\"accepted\"}".into(),
                        reason: note.clone(),
                        outcome: DONE,
                    },
                    now,
                )?;
                Ok(Ok(r.recon_case(&id)?.unwrap_or(case)))
            })
            .await?
    }

    /// The daily funding check's alerts, newest first. Needs `money.view`.
    pub async fn funding_alerts(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Vec<FundingAlertRecord>, ConsoleError> {
        self.require(store, staff, Permission::view(Group::Money), "recon.alerts")
            .await?;
        Ok(daily::alerts(store, daily::ALERTS_LISTED_MAX).await?)
    }
}
