//! The journal log's proof rows: its size and stored subtree hashes, a journal line as its leaf,
//! account salts, and the signed checkpoints. Read inside the caller's one snapshot, so a proof's
//! size, nodes and leaf agree.

use super::SqlRecords;
use super::ledger::entry_key;
use crate::log;
use crate::portable::Row;
use qianbao_ledger::{AccountId, EntryId, Instruction};
use qianbao_proofs::hash::Hash;
use qianbao_wallet::StoreError;
use qianbao_wallet::proofs::{CheckpointRecord, LoggedLine, ProofRecords};

const CHECKPOINT_COLUMNS: &str = "size, root, note, created_ms";

fn hash_from(row: &Row, i: usize, what: &str) -> Result<Hash, StoreError> {
    row.bytes(i)?
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}

fn checkpoint_from(row: &Row) -> Result<CheckpointRecord, StoreError> {
    Ok(CheckpointRecord {
        size: row.int(0)?,
        root: hash_from(row, 1, "a checkpoint's root")?,
        note: row.text(2)?,
        created_ms: row.int(3)?,
    })
}

fn index(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("log index {n} is out of range")))
}

impl SqlRecords<'_> {
    fn log_key(&mut self) -> Result<Vec<u8>, StoreError> {
        self.0
            .query_one("SELECT log_key FROM journal_head WHERE id = 1", &[])?
            .bytes(0)
    }
}

impl ProofRecords for SqlRecords<'_> {
    fn log_size(&mut self) -> Result<i64, StoreError> {
        self.0
            .query_one("SELECT log_size FROM journal_head WHERE id = 1", &[])?
            .int(0)
    }

    fn log_node(&mut self, level: u32, idx: u64) -> Result<Option<Hash>, StoreError> {
        self.0
            .query_opt(
                "SELECT hash FROM log_nodes WHERE level = $1 AND idx = $2",
                &[i64::from(level).into(), index(idx)?.into()],
            )?
            .map(|row| hash_from(&row, 0, "a log node"))
            .transpose()
    }

    fn log_nodes_at(&mut self, at: &[(u32, u64)]) -> Result<Vec<(u32, u64, Hash)>, StoreError> {
        let mut found = Vec::with_capacity(at.len());
        // A row-value list per statement, well under either backend's limit on parameters.
        for chunk in at.chunks(1_000) {
            let pairs: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let mut values = Vec::with_capacity(2 * chunk.len());
            for (level, idx) in chunk {
                values.push(i64::from(*level).into());
                values.push(index(*idx)?.into());
            }
            let rows = self.0.query(
                &format!(
                    "SELECT level, idx, hash FROM log_nodes WHERE (level, idx) IN ({})",
                    pairs.join(", ")
                ),
                &values,
            )?;
            for row in &rows {
                let level = u32::try_from(row.int(0)?).map_err(|_| {
                    StoreError::Corrupt("a log node's level is out of range".into())
                })?;
                found.push((
                    level,
                    row.int(1)?.unsigned_abs(),
                    hash_from(row, 2, "a log node")?,
                ));
            }
        }
        Ok(found)
    }

    fn logged_line(&mut self, entry: EntryId) -> Result<Option<LoggedLine>, StoreError> {
        // Only a line the log has reached is a leaf: lines written before the log existed are
        // logged by the next write. Its leaf index counts the snapshot leaves logged before it.
        let Some(row) = self.0.query_opt(
            "SELECT j.seq, j.text, h.log_key,
                    (SELECT COUNT(*) FROM log_snapshot_leaves o WHERE o.after_line < j.seq)
             FROM journal j, journal_head h
             WHERE h.id = 1 AND j.entry_id = $1 AND j.seq <= h.log_lines",
            &[entry_key(entry)],
        )?
        else {
            return Ok(None);
        };
        let (seq, text, key) = (row.int(0)?, row.text(1)?, row.bytes(2)?);
        let leaf_index = seq - 1 + row.int(3)?;
        let instruction =
            Instruction::decode(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(LoggedLine {
            seq,
            leaf_index,
            leaf: log::leaf_bytes(&key, seq, &instruction),
            text,
        }))
    }

    fn account_salt(&mut self, account: AccountId) -> Result<Hash, StoreError> {
        Ok(log::account_salt(&self.log_key()?, account))
    }

    fn insert_checkpoint(&mut self, c: &CheckpointRecord) -> Result<(), StoreError> {
        self.0.write(
            &format!(
                "INSERT INTO checkpoints ({CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (size) DO NOTHING"
            ),
            &[
                c.size.into(),
                c.root.to_vec().into(),
                c.note.as_str().into(),
                c.created_ms.into(),
            ],
        )
    }

    fn latest_checkpoint(&mut self) -> Result<Option<CheckpointRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY size DESC LIMIT 1"),
                &[],
            )?
            .as_ref()
            .map(checkpoint_from)
            .transpose()
    }

    fn checkpoint_at(&mut self, size: i64) -> Result<Option<CheckpointRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE size = $1"),
                &[size.into()],
            )?
            .as_ref()
            .map(checkpoint_from)
            .transpose()
    }

    fn set_checkpoint_note(&mut self, size: i64, note: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE checkpoints SET note = $2 WHERE size = $1",
            &[size.into(), note.into()],
        )
    }
}
