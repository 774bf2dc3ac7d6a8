//! The ledger inside a money transaction: accounts read (ahead, when asked) and entries applied through a fresh `Book`, the same one the group-commit writer uses.

use super::SqlRecords;
use super::{holders::*, idempotency::*, identity::*, merchants::*, movements::*};
use crate::batch;
use crate::log::LogHead;
use crate::portable::{Row, Tx, Value};
use qianbao_ledger::{Account, AccountKind, Applied, Book, Currency, Instruction, Rejection};
use qianbao_wallet::money::records::{LedgerRecords, ReadAhead};
use qianbao_wallet::{AccountOwner, StoreError};

pub(crate) fn entry_key(id: qianbao_ledger::EntryId) -> Value {
    Value::Bytes(id.0.to_be_bytes().to_vec())
}

pub(crate) fn account_row(row: &Row, id: i64) -> Result<Account, StoreError> {
    batch::account_from_row(id, &row.text(0)?, &row.text(1)?, row.int(2)?, row.int(3)?)
}

/// Applies one instruction inside `tx`: loads what it touches, runs it through the ledger core,
/// writes what changed and moves the chain head. A rejection writes nothing.
pub(crate) fn apply_in(
    tx: &mut dyn Tx,
    instruction: &Instruction,
) -> Result<Result<Applied, Rejection>, StoreError> {
    const HEAD: &str = "SELECT seq, link, log_size, log_frontier, log_key, log_lines FROM journal_head WHERE id = 1";
    const HOLD: &str = "SELECT text, state FROM holds WHERE id = $1";
    const ACCOUNT: &str = "SELECT kind, currency, balance, held FROM accounts WHERE id = $1";
    const ENTRY: &str = "SELECT text FROM journal WHERE entry_id = $1";
    let instructions = std::slice::from_ref(instruction);
    let mut book = Book::new();
    // Everything known up front is read together: the head, the holds, the accounts the postings
    // name and any earlier entry with this id. A hold's own accounts are known once it is read.
    let holds = batch::hold_ids(instructions);
    let accounts = batch::account_ids(instructions, &book);
    let entries = batch::entry_ids(instructions);
    let mut reads: Vec<(&str, Vec<Value>)> = vec![(HEAD, Vec::new())];
    reads.extend(holds.iter().map(|id| (HOLD, vec![entry_key(*id)])));
    reads.extend(accounts.iter().map(|id| (ACCOUNT, vec![Value::Int(id.0)])));
    reads.extend(entries.iter().map(|id| (ENTRY, vec![entry_key(*id)])));
    let reads: Vec<(&str, &[Value])> = reads.iter().map(|(s, v)| (*s, v.as_slice())).collect();
    let mut found = tx.query_all(&reads)?.into_iter();
    let mut next = || {
        found
            .next()
            .ok_or_else(|| StoreError::Corrupt("a read gave no answer".into()))
    };
    let (head, mut log) = match next()?.first() {
        Some(row) => (
            (row.int(0)?, batch::link_from_row(&row.bytes(1)?)?),
            LogHead::from_row(row.int(2)?, row.int(5)?, &row.bytes(3)?, row.bytes(4)?)?,
        ),
        None => return Err(StoreError::Corrupt("the journal has no head".into())),
    };
    for _ in &holds {
        if let Some(row) = next()?.first() {
            book.insert_hold(batch::hold_from_row(&row.text(0)?, &row.text(1)?)?);
        }
    }
    for id in &accounts {
        if let Some(row) = next()?.first() {
            book.insert_account(account_row(row, id.0)?);
        }
    }
    for _ in &entries {
        if let Some(row) = next()?.first() {
            book.insert_applied(batch::instruction_from_row(&row.text(0)?)?);
        }
    }
    // A hold's release or capture may name accounts its instruction did not: rare, read one by one.
    for id in batch::account_ids(instructions, &book) {
        if !accounts.contains(&id)
            && let Some(row) = tx.query_opt(ACCOUNT, &[Value::Int(id.0)])?
        {
            book.insert_account(account_row(&row, id.0)?);
        }
    }
    let (mut results, writes) = batch::run(&mut book, instructions, head);
    let result = results
        .pop()
        .ok_or_else(|| StoreError::Corrupt("the ledger gave no result".into()))?;
    if !matches!(result, Ok(Applied::New)) {
        return Ok(result);
    }
    for a in &writes.accounts {
        tx.write(
            "UPDATE accounts SET balance = $2, held = $3 WHERE id = $1",
            &[
                a.id.0.into(),
                a.balance.minor().into(),
                a.held.minor().into(),
            ],
        )?;
    }
    let created_ms = tx.now_ms();
    for line in &writes.lines {
        tx.write(
            "INSERT INTO journal (seq, entry_id, text, link, created_ms) VALUES ($1, $2, $3, $4, $5)",
            &[
                line.seq.into(),
                entry_key(line.entry_id),
                line.text.as_str().into(),
                Value::Bytes(line.link.to_vec()),
                created_ms.into(),
            ],
        )?;
    }
    for (id, text, state) in &writes.holds {
        tx.write(
            "INSERT INTO holds (id, text, state) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            &[entry_key(*id), text.as_str().into(), state.as_str().into()],
        )?;
    }
    log_lines(tx, &mut log, head.0, &writes.lines)?;
    tx.write(
        "UPDATE journal_head SET seq = $1, link = $2, log_size = $3, log_frontier = $4,
                                log_lines = $5 WHERE id = 1",
        &[
            writes.head.0.into(),
            Value::Bytes(writes.head.1.to_vec()),
            log.size.into(),
            Value::Bytes(log.frontier_bytes()),
            log.lines.into(),
        ],
    )?;
    Ok(result)
}

/// Appends `lines` (following journal line `seq_before`) to the Merkle log in the caller's
/// transaction, first logging any earlier lines the log has not got (those written before the
/// log existed), and stores the perfect subtrees each append completes.
pub(crate) fn log_lines(
    tx: &mut dyn Tx,
    log: &mut LogHead,
    seq_before: i64,
    lines: &[batch::Line],
) -> Result<(), StoreError> {
    let mut nodes = Vec::new();
    if log.lines < seq_before {
        let missing = tx.query(
            crate::log::UNLOGGED_LINES,
            &[log.lines.into(), seq_before.into()],
        )?;
        let missing: Vec<(i64, String)> = missing
            .iter()
            .map(|row| Ok((row.int(0)?, row.text(1)?)))
            .collect::<Result<_, StoreError>>()?;
        nodes.extend(log.append_lines(missing.iter().map(|(s, t)| (*s, t.as_str())))?);
    }
    nodes.extend(log.append_lines(lines.iter().map(|l| (l.seq, l.text.as_str())))?);
    insert_log_nodes(tx, nodes)
}

/// Stores perfect subtrees of the Merkle log the caller's appends completed.
pub(crate) fn insert_log_nodes(
    tx: &mut dyn Tx,
    nodes: Vec<crate::log::Node>,
) -> Result<(), StoreError> {
    // One statement for all of them: a call completes two subtrees on average, and one
    // statement is one round trip's worth of work for the backend instead of two.
    insert_many(
        tx,
        "INSERT INTO log_nodes (level, idx, hash)",
        nodes
            .into_iter()
            .map(|(level, index, hash)| {
                vec![level.into(), index.into(), Value::Bytes(hash.to_vec())]
            })
            .collect(),
    )
}

/// Inserts `rows` (each as many values as `insert` names columns) with one multi-row
/// `VALUES` statement; nothing for no rows. The caller keeps the count of values under the
/// backends' limit on parameters (32,766 on SQLite).
pub(crate) fn insert_many(
    tx: &mut dyn Tx,
    insert: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let groups: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let values: Vec<Value> = rows.into_iter().flatten().collect();
    tx.write(&format!("{insert} VALUES {}", groups.join(", ")), &values)
}

/// The read of an account by owner, kind and currency ([`account_key`]).
pub(crate) const ACCOUNT_READ: &str = "SELECT kind, currency, balance, held, id FROM accounts
                            WHERE owner = $1 AND kind = $2 AND currency = $3";

pub(crate) fn account_key(
    owner: &AccountOwner,
    kind: AccountKind,
    currency: Currency,
) -> Vec<Value> {
    vec![
        owner.to_string().into(),
        kind.as_str().into(),
        currency.as_str().into(),
    ]
}

impl LedgerRecords for SqlRecords<'_> {
    fn read_ahead(&mut self, reads: &[ReadAhead<'_>]) -> Result<(), StoreError> {
        let reads = reads
            .iter()
            .flat_map(|read| {
                vec![match *read {
                    ReadAhead::Idempotency { caller, key } => (
                        IDEMPOTENCY_READ.to_string(),
                        vec![caller.into(), key.into()],
                    ),
                    ReadAhead::Holder(id) => holder_read("id", id),
                    ReadAhead::HolderByPhone(phone) => holder_read("phone", phone),
                    ReadAhead::HolderByWallet(wallet_id) => holder_read("wallet_id", wallet_id),
                    ReadAhead::Identity(holder_id) => {
                        (IDENTITY_READ.to_string(), vec![holder_id.into()])
                    }
                    // Spending through no channel is not read at all.
                    ReadAhead::SpentSince { channels: [], .. } => return Vec::new(),
                    ReadAhead::RiskFeatures(q) => return super::risk::feature_reads(q),
                    ReadAhead::SpentSince {
                        owner_id,
                        since_ms,
                        channels,
                    } => spent_read(owner_id, since_ms, channels),
                    ReadAhead::Merchant(id) => (merchant_read(), vec![id.into()]),
                    ReadAhead::Account {
                        owner,
                        kind,
                        currency,
                    } => (ACCOUNT_READ.to_string(), account_key(owner, kind, currency)),
                }]
            })
            .collect();
        self.0.read_ahead(reads)
    }

    fn apply(
        &mut self,
        instruction: &Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError> {
        apply_in(self.0, instruction)
    }

    fn account(
        &mut self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<Account, StoreError> {
        let key = account_key(owner, kind, currency);
        if let Some(row) = self.0.query_opt(ACCOUNT_READ, &key)? {
            return account_row(&row, row.int(4)?);
        }
        self.0.write(
            "INSERT INTO accounts (owner, kind, currency, created_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner, kind, currency) DO NOTHING",
            &[
                key[0].clone(),
                key[1].clone(),
                key[2].clone(),
                self.0.now_ms().into(),
            ],
        )?;
        let row = self.0.query_one(ACCOUNT_READ, &key)?;
        account_row(&row, row.int(4)?)
    }

    fn accounts_of(&mut self, owner: &AccountOwner) -> Result<Vec<Account>, StoreError> {
        self.0
            .query(
                "SELECT kind, currency, balance, held, id FROM accounts WHERE owner = $1 ORDER BY id",
                &[owner.to_string().into()],
            )?
            .iter()
            .map(|row| account_row(row, row.int(4)?))
            .collect()
    }
}
