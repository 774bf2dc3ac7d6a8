//! The audit log as rows: appended with the next sequence number (the primary key, so two racing
//! appends cannot both take it), searched newest first by actor, action or entity.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{AuditQuery, AuditRecord, AuditRecords};

const AUDIT_COLUMNS: &str =
    "seq, at_ms, actor, action, entity, before, after, reason, outcome, hash";

fn audit_from(row: &Row) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        seq: row.int(0)?,
        at_ms: row.int(1)?,
        actor: row.text(2)?,
        action: row.text(3)?,
        entity: row.text(4)?,
        before: row.text(5)?,
        after: row.text(6)?,
        reason: row.text(7)?,
        outcome: row.text(8)?,
        hash: row.text(9)?,
    })
}

impl AuditRecords for SqlRecords<'_> {
    fn last_audit(&mut self) -> Result<Option<(i64, String)>, StoreError> {
        self.0
            .query_opt(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                &[],
            )?
            .map(|row| Ok((row.int(0)?, row.text(1)?)))
            .transpose()
    }

    fn append_audit(&mut self, a: &AuditRecord) -> Result<(), StoreError> {
        // Not `write`: a duplicate sequence number must fail here, where the store retries the
        // transaction, not at a later statement.
        self.0.execute(
            &format!(
                "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ),
            &[
                a.seq.into(),
                a.at_ms.into(),
                a.actor.as_str().into(),
                a.action.as_str().into(),
                a.entity.as_str().into(),
                a.before.as_str().into(),
                a.after.as_str().into(),
                a.reason.as_str().into(),
                a.outcome.as_str().into(),
                a.hash.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn search_audit(&mut self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let mut clauses = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        let mut add = |clause: &str, value: Value| {
            params.push(value);
            clauses.push(format!("{clause} ${}", params.len()));
        };
        if let Some(actor) = &q.actor {
            add("actor =", actor.as_str().into());
        }
        if let Some(action) = &q.action {
            add("action =", action.as_str().into());
        }
        if let Some(entity) = &q.entity {
            add("entity =", entity.as_str().into());
        }
        if let Some(since) = q.since_ms {
            add("at_ms >=", since.into());
        }
        if let Some(before) = q.before_seq {
            add("seq <", before.into());
        }
        params.push(q.limit.clamp(1, 1_000).into());
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        self.0
            .query(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log {filter} ORDER BY seq DESC LIMIT ${}",
                    params.len()
                ),
                &params,
            )?
            .iter()
            .map(audit_from)
            .collect()
    }

    fn audit_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                &[after_seq.into(), limit.into()],
            )?
            .iter()
            .map(audit_from)
            .collect()
    }
}
