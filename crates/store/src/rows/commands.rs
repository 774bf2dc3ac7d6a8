//! Four-eyes commands as rows; the partial unique index keeps one pending per action and entity.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::{CommandRecord, CommandRecords, CommandStatus};

const COMMAND_COLUMNS: &str = "id, action, entity, payload, reason, maker, status, checker, \
     outcome, created_ms, expires_ms, decided_ms";

fn command_from(row: &Row) -> Result<CommandRecord, StoreError> {
    Ok(CommandRecord {
        id: row.text(0)?,
        action: row.text(1)?,
        entity: row.text(2)?,
        payload: row.text(3)?,
        reason: row.text(4)?,
        maker: row.text(5)?,
        status: row.named(6, CommandStatus::parse)?,
        checker: row.opt_text(7)?,
        outcome: row.text(8)?,
        created_ms: row.int(9)?,
        expires_ms: row.int(10)?,
        decided_ms: row.opt_int(11)?,
    })
}

impl CommandRecords for SqlRecords<'_> {
    fn command(&mut self, id: &str) -> Result<Option<CommandRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {COMMAND_COLUMNS} FROM console_commands WHERE id = $1"),
                &[id.into()],
            )?
            .as_ref()
            .map(command_from)
            .transpose()
    }

    fn insert_command(&mut self, c: &CommandRecord) -> Result<(), StoreError> {
        // Not `write`: the one-pending index's `Duplicate` must come back from this statement.
        self.0.execute(
            &format!(
                "INSERT INTO console_commands ({COMMAND_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            ),
            &[
                c.id.as_str().into(),
                c.action.as_str().into(),
                c.entity.as_str().into(),
                c.payload.as_str().into(),
                c.reason.as_str().into(),
                c.maker.as_str().into(),
                c.status.as_str().into(),
                c.checker.as_deref().into(),
                c.outcome.as_str().into(),
                c.created_ms.into(),
                c.expires_ms.into(),
                c.decided_ms.into(),
            ],
        )?;
        Ok(())
    }

    fn decide_command(&mut self, c: &CommandRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE console_commands SET status = $2, checker = $3, outcome = $4, decided_ms = $5
             WHERE id = $1",
            &[
                c.id.as_str().into(),
                c.status.as_str().into(),
                c.checker.as_deref().into(),
                c.outcome.as_str().into(),
                c.decided_ms.into(),
            ],
        )
    }

    fn expire_commands(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        self.0.execute(
            "UPDATE console_commands SET status = 'expired', decided_ms = $1
             WHERE status = 'pending' AND expires_ms <= $1",
            &[now_ms.into()],
        )
    }

    fn commands(
        &mut self,
        status: Option<CommandStatus>,
        entity: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CommandRecord>, StoreError> {
        let mut clauses = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(status) = status {
            params.push(status.as_str().into());
            clauses.push(format!("status = ${}", params.len()));
        }
        if let Some(entity) = entity {
            params.push(entity.into());
            clauses.push(format!("entity = ${}", params.len()));
        }
        params.push(limit.clamp(1, 1_000).into());
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        self.0
            .query(
                &format!(
                    "SELECT {COMMAND_COLUMNS} FROM console_commands {filter}
                     ORDER BY created_ms DESC, id DESC LIMIT ${}",
                    params.len()
                ),
                &params,
            )?
            .iter()
            .map(command_from)
            .collect()
    }
}
