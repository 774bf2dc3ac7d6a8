//! Liability snapshots' rows: the balances read at one instant, the snapshot's head, tiles and
//! nodes, and its leaf appended to the journal's Merkle log.

use super::SqlRecords;
use super::ledger::{insert_log_nodes, insert_many};
use crate::log::LogHead;
use crate::portable::{Row, Value};
use qianbao_ledger::{AccountId, AccountKind, Currency};
use qianbao_proofs::hash::Hash;
use qianbao_wallet::StoreError;
use qianbao_wallet::proofs::liabilities::{
    LedgerAccount, LiabilityRecords, OwnerBalance, SnapshotRecord, SnapshotStatus, StoredTile,
    UpperNode,
};

const SNAPSHOT_COLUMNS: &str =
    "id, taken_ms, journal_seq, leaves, salt_key, root_hash, root_sums, status, leaf_index";

fn hash_at(row: &Row, i: usize) -> Result<Hash, StoreError> {
    row.bytes(i)?
        .try_into()
        .map_err(|_| StoreError::Corrupt("a stored snapshot hash is not 32 bytes".into()))
}

fn snapshot_from(row: &Row) -> Result<SnapshotRecord, StoreError> {
    Ok(SnapshotRecord {
        id: row.text(0)?,
        taken_ms: row.int(1)?,
        journal_seq: row.int(2)?,
        leaves: row.int(3)?,
        salt_key: row.bytes(4)?,
        root_hash: hash_at(row, 5)?,
        root_sums: row.bytes(6)?,
        status: row.named(7, SnapshotStatus::parse)?,
        leaf_index: row.opt_int(8)?,
    })
}

fn in_list(kinds: &[AccountKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
    names.join(", ")
}

impl LiabilityRecords for SqlRecords<'_> {
    fn liability_balances(
        &mut self,
        kinds: &[AccountKind],
    ) -> Result<(i64, Vec<OwnerBalance>), StoreError> {
        let seq = self
            .0
            .query_one("SELECT seq FROM journal_head WHERE id = 1", &[])?
            .int(0)?;
        let rows = self.0.query(
            &format!(
                "SELECT owner, currency, balance FROM accounts
                 WHERE kind IN ({}) AND owner <> 'operator' ORDER BY owner",
                in_list(kinds)
            ),
            &[],
        )?;
        let balances = rows
            .iter()
            .map(|r| {
                Ok(OwnerBalance {
                    owner: r.text(0)?,
                    currency: r.text(1)?,
                    balance: r.int(2)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((seq, balances))
    }

    fn insert_liability_snapshot(&mut self, s: &SnapshotRecord) -> Result<bool, StoreError> {
        let inserted = self.0.execute(
            &format!(
                "INSERT INTO liability_snapshots ({SNAPSHOT_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING"
            ),
            &[
                s.id.as_str().into(),
                s.taken_ms.into(),
                s.journal_seq.into(),
                s.leaves.into(),
                s.salt_key.clone().into(),
                s.root_hash.to_vec().into(),
                s.root_sums.clone().into(),
                s.status.as_str().into(),
                s.leaf_index.into(),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn insert_liability_tiles(
        &mut self,
        id: &str,
        tiles: &[(i64, Hash, Vec<u8>)],
    ) -> Result<(), StoreError> {
        insert_many(
            self.0,
            "INSERT INTO liability_tiles (snapshot_id, tile, first_commitment, leaves)",
            tiles
                .iter()
                .map(|(tile, first, leaves)| {
                    vec![
                        id.into(),
                        (*tile).into(),
                        first.to_vec().into(),
                        leaves.clone().into(),
                    ]
                })
                .collect(),
        )
    }

    fn insert_liability_nodes(&mut self, id: &str, nodes: &[UpperNode]) -> Result<(), StoreError> {
        insert_many(
            self.0,
            "INSERT INTO liability_nodes (snapshot_id, level, idx, hash, sums)",
            nodes
                .iter()
                .map(|(level, idx, hash, sums)| {
                    vec![
                        id.into(),
                        (*level).into(),
                        (*idx).into(),
                        hash.to_vec().into(),
                        sums.clone().into(),
                    ]
                })
                .collect(),
        )
    }

    fn log_liability_snapshot(&mut self, id: &str, leaf: &[u8]) -> Result<i64, StoreError> {
        let head = self.0.query_one(
            "SELECT seq, log_size, log_lines, log_frontier, log_key FROM journal_head WHERE id = 1",
            &[],
        )?;
        let seq = head.int(0)?;
        let mut log =
            LogHead::from_row(head.int(1)?, head.int(2)?, &head.bytes(3)?, head.bytes(4)?)?;
        // Lines from before the log existed are logged first, as every write does.
        super::ledger::log_lines(self.0, &mut log, seq, &[])?;
        let index = log.size;
        insert_log_nodes(self.0, log.append_other(leaf))?;
        self.0.write(
            "INSERT INTO log_snapshot_leaves (leaf_index, after_line, snapshot_id, leaf)
             VALUES ($1, $2, $3, $4)",
            &[
                index.into(),
                log.lines.into(),
                id.into(),
                leaf.to_vec().into(),
            ],
        )?;
        self.0.write(
            "UPDATE journal_head SET log_size = $1, log_lines = $2, log_frontier = $3 WHERE id = 1",
            &[
                log.size.into(),
                log.lines.into(),
                Value::Bytes(log.frontier_bytes()),
            ],
        )?;
        let published = self.0.execute(
            "UPDATE liability_snapshots SET status = 'published', leaf_index = $2
             WHERE id = $1 AND status = 'building'",
            &[id.into(), index.into()],
        )?;
        if published != 1 {
            return Err(StoreError::Corrupt(format!(
                "liability snapshot {id} is not being built"
            )));
        }
        Ok(index)
    }

    fn delete_liability_snapshot(&mut self, id: &str) -> Result<(), StoreError> {
        for table in ["liability_tiles", "liability_nodes"] {
            self.0.write(
                &format!("DELETE FROM {table} WHERE snapshot_id = $1"),
                &[id.into()],
            )?;
        }
        self.0.write(
            "DELETE FROM liability_snapshots WHERE id = $1 AND status = 'building'",
            &[id.into()],
        )
    }

    fn liability_snapshot(&mut self, id: &str) -> Result<Option<SnapshotRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {SNAPSHOT_COLUMNS} FROM liability_snapshots WHERE id = $1"),
                &[id.into()],
            )?
            .as_ref()
            .map(snapshot_from)
            .transpose()
    }

    fn latest_liability_snapshot(&mut self) -> Result<Option<SnapshotRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {SNAPSHOT_COLUMNS} FROM liability_snapshots
                     WHERE status = 'published' ORDER BY leaf_index DESC LIMIT 1"
                ),
                &[],
            )?
            .as_ref()
            .map(snapshot_from)
            .transpose()
    }

    fn published_liability_snapshots(&mut self) -> Result<Vec<SnapshotRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {SNAPSHOT_COLUMNS} FROM liability_snapshots
                     WHERE status = 'published' ORDER BY leaf_index"
                ),
                &[],
            )?
            .iter()
            .map(snapshot_from)
            .collect()
    }

    fn liability_tile_for(
        &mut self,
        id: &str,
        commitment: &Hash,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        self.0
            .query_opt(
                "SELECT tile, leaves FROM liability_tiles
                 WHERE snapshot_id = $1 AND first_commitment <= $2
                 ORDER BY first_commitment DESC LIMIT 1",
                &[id.into(), commitment.to_vec().into()],
            )?
            .map(|r| Ok((r.int(0)?, r.bytes(1)?)))
            .transpose()
    }

    fn liability_tiles(&mut self, id: &str) -> Result<Vec<StoredTile>, StoreError> {
        self.0
            .query(
                "SELECT tile, first_commitment, leaves FROM liability_tiles
                 WHERE snapshot_id = $1 ORDER BY tile",
                &[id.into()],
            )?
            .iter()
            .map(|r| Ok((r.int(0)?, r.bytes(1)?, r.bytes(2)?)))
            .collect()
    }

    fn liability_node(
        &mut self,
        id: &str,
        level: i64,
        index: i64,
    ) -> Result<Option<(Hash, Vec<u8>)>, StoreError> {
        self.0
            .query_opt(
                "SELECT hash, sums FROM liability_nodes
                 WHERE snapshot_id = $1 AND level = $2 AND idx = $3",
                &[id.into(), level.into(), index.into()],
            )?
            .map(|r| Ok((hash_at(&r, 0)?, r.bytes(1)?)))
            .transpose()
    }

    fn liability_nodes(&mut self, id: &str) -> Result<Vec<UpperNode>, StoreError> {
        self.0
            .query(
                "SELECT level, idx, hash, sums FROM liability_nodes WHERE snapshot_id = $1",
                &[id.into()],
            )?
            .iter()
            .map(|r| Ok((r.int(0)?, r.int(1)?, hash_at(r, 2)?, r.bytes(3)?)))
            .collect()
    }

    fn snapshot_log_leaf(&mut self, id: &str) -> Result<Option<(i64, i64, Vec<u8>)>, StoreError> {
        self.0
            .query_opt(
                "SELECT leaf_index, after_line, leaf FROM log_snapshot_leaves WHERE snapshot_id = $1",
                &[id.into()],
            )?
            .map(|r| Ok((r.int(0)?, r.int(1)?, r.bytes(2)?)))
            .transpose()
    }

    fn accounts_with_owners(&mut self) -> Result<Vec<LedgerAccount>, StoreError> {
        self.0
            .query(
                "SELECT id, kind, currency, owner FROM accounts ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| {
                let kind = r.text(1)?;
                let currency = r.text(2)?;
                Ok(LedgerAccount {
                    id: AccountId(r.int(0)?),
                    kind: AccountKind::parse(&kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("account kind {kind:?} does not read"))
                    })?,
                    currency: Currency::parse(&currency).ok_or_else(|| {
                        StoreError::Corrupt(format!("currency {currency:?} does not read"))
                    })?,
                    owner: r.text(3)?,
                })
            })
            .collect()
    }

    fn journal_texts(&mut self, seq: i64) -> Result<Vec<String>, StoreError> {
        self.0
            .query(
                "SELECT text FROM journal WHERE seq <= $1 ORDER BY seq",
                &[seq.into()],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect()
    }
}
