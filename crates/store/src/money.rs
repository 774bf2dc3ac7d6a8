//! The wallet's money records, implemented once for both backends over the portable [`Tx`], and
//! the ledger applied inside such a transaction through the same core the group-commit writer uses.

use crate::batch;
use crate::portable::{Mode, Row, Storage, Tx, Value};
use crate::records::{IDENTITY_READ, SqlRecords, holder_read};
use qianbao_ledger::{Account, AccountKind, Applied, Book, Currency, Instruction, Rejection};
use qianbao_wallet::money::records::{
    IdempotencyRecord, MerchantPaymentRecord, MerchantRecord, MoneyRecords, MoneyTx,
    MovementFilter, MovementRecord, NotificationRecord, OrderRecord, PaymentCodeRecord, ReadAhead,
    RefundRecord, TimerRecord, WebhookRecord,
};
use qianbao_wallet::records::HolderRecord;
use qianbao_wallet::{AccountOwner, StoreError};

fn entry_key(id: qianbao_ledger::EntryId) -> Value {
    Value::Bytes(id.0.to_be_bytes().to_vec())
}

fn account_row(row: &Row, id: i64) -> Result<Account, StoreError> {
    batch::account_from_row(id, &row.text(0)?, &row.text(1)?, row.int(2)?, row.int(3)?)
}

/// Applies one instruction inside `tx`: loads what it touches, runs it through the ledger core,
/// writes what changed and moves the chain head. A rejection writes nothing.
pub(crate) fn apply_in(
    tx: &mut dyn Tx,
    instruction: &Instruction,
) -> Result<Result<Applied, Rejection>, StoreError> {
    const HEAD: &str = "SELECT seq, link FROM journal_head WHERE id = 1";
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
    let head = match next()?.first() {
        Some(row) => (row.int(0)?, batch::link_from_row(&row.bytes(1)?)?),
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
    let created_ms = crate::now_ms();
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
    tx.write(
        "UPDATE journal_head SET seq = $1, link = $2 WHERE id = 1",
        &[writes.head.0.into(), Value::Bytes(writes.head.1.to_vec())],
    )?;
    Ok(result)
}

const MOVEMENT_COLUMNS: &str = "id, owner_id, kind, direction, channel, amount, fee, currency, \
                                counterparty, peer_id, status, memo, entry_id, card_id, \
                                created_ms, updated_ms";

fn movement_from(row: &Row) -> Result<MovementRecord, StoreError> {
    Ok(MovementRecord {
        id: row.text(0)?,
        owner_id: row.text(1)?,
        kind: row.text(2)?,
        direction: row.text(3)?,
        channel: row.text(4)?,
        amount: row.int(5)?,
        fee: row.int(6)?,
        currency: row.text(7)?,
        counterparty: row.text(8)?,
        peer_id: row.opt_text(9)?,
        status: row.text(10)?,
        memo: row.text(11)?,
        entry_id: row.opt_text(12)?,
        card_id: row.opt_text(13)?,
        created_ms: row.int(14)?,
        updated_ms: row.int(15)?,
    })
}

const MERCHANT_COLUMNS: &str = "id, holder_id, name, category, key_digest, status, webhook_url, webhook_secret_sealed, created_ms";

fn merchant_from(row: &Row) -> Result<MerchantRecord, StoreError> {
    Ok(MerchantRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        name: row.text(2)?,
        category: row.text(3)?,
        key_digest: row.text(4)?,
        status: row.text(5)?,
        webhook_url: row.opt_text(6)?,
        webhook_secret_sealed: row.opt_bytes(7)?,
        created_ms: row.int(8)?,
    })
}

const ORDER_COLUMNS: &str =
    "id, merchant_id, amount, currency, description, status, expires_ms, payment_id, created_ms";

fn order_from(row: &Row) -> Result<OrderRecord, StoreError> {
    Ok(OrderRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        amount: row.int(2)?,
        currency: row.text(3)?,
        description: row.text(4)?,
        status: row.text(5)?,
        expires_ms: row.int(6)?,
        payment_id: row.opt_text(7)?,
        created_ms: row.int(8)?,
    })
}

const PAYMENT_COLUMNS: &str = "id, merchant_id, holder_id, amount, fee, currency, refunded, \
                               fee_refunded, order_id, channel, description, created_ms";

fn payment_from(row: &Row) -> Result<MerchantPaymentRecord, StoreError> {
    Ok(MerchantPaymentRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        holder_id: row.text(2)?,
        amount: row.int(3)?,
        fee: row.int(4)?,
        currency: row.text(5)?,
        refunded: row.int(6)?,
        fee_refunded: row.int(7)?,
        order_id: row.opt_text(8)?,
        channel: row.text(9)?,
        description: row.text(10)?,
        created_ms: row.int(11)?,
    })
}

const TIMER_COLUMNS: &str = "id, kind, subject, due_ms, attempts, created_ms";

fn timer_from(row: &Row) -> Result<TimerRecord, StoreError> {
    Ok(TimerRecord {
        id: row.text(0)?,
        kind: row.text(1)?,
        subject: row.text(2)?,
        due_ms: row.int(3)?,
        attempts: row.int(4)?,
        created_ms: row.int(5)?,
    })
}

fn notification_from(row: &Row) -> Result<NotificationRecord, StoreError> {
    Ok(NotificationRecord {
        id: row.int(0)?,
        holder_id: row.text(1)?,
        kind: row.text(2)?,
        title: row.text(3)?,
        body: row.text(4)?,
        movement_id: row.opt_text(5)?,
        created_ms: row.int(6)?,
        title_en: row.text(7)?,
        body_en: row.text(8)?,
    })
}

/// Whether a movement in `status` counts toward its owner's spending (it left, or will).
fn counts(status: &str) -> bool {
    matches!(status, "succeeded" | "pending" | "scheduled")
}

use qianbao_wallet::money::limits::day_start_ms as day_of;

impl SqlRecords<'_> {
    /// Adds `delta` to what left `owner_id` through `channel` on the day of `at_ms`.
    fn add_spending(
        &mut self,
        owner_id: &str,
        at_ms: i64,
        channel: &str,
        delta: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO daily_spending (owner_id, day_ms, channel, amount) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner_id, day_ms, channel)
             DO UPDATE SET amount = daily_spending.amount + excluded.amount",
            &[
                owner_id.into(),
                day_of(at_ms).into(),
                channel.into(),
                delta.into(),
            ],
        )?;
        Ok(())
    }
}

/// The read of an idempotency row by caller and key.
const IDEMPOTENCY_READ: &str =
    "SELECT caller, key, request_digest, state, attempt, resource_id, status, body,
            created_ms, updated_ms
     FROM idempotency WHERE caller = $1 AND key = $2";

/// The read of a merchant by id.
fn merchant_read() -> String {
    format!("SELECT {MERCHANT_COLUMNS} FROM merchants WHERE id = $1")
}

/// The read of an account by owner, kind and currency ([`account_key`]).
const ACCOUNT_READ: &str = "SELECT kind, currency, balance, held, id FROM accounts
                            WHERE owner = $1 AND kind = $2 AND currency = $3";

fn account_key(owner: &AccountOwner, kind: AccountKind, currency: Currency) -> Vec<Value> {
    vec![
        owner.to_string().into(),
        kind.as_str().into(),
        currency.as_str().into(),
    ]
}

/// The read of what left `owner_id` through `channels` since `since_ms`: one statement whatever
/// the number of channels (`channel IN ($3, $4, …)`), over the per-day counters rather than the
/// day's records.
fn spent_read(owner_id: &str, since_ms: i64, channels: &[&str]) -> (String, Vec<Value>) {
    let placeholders: Vec<String> = (3..3 + channels.len()).map(|i| format!("${i}")).collect();
    let mut values: Vec<Value> = vec![owner_id.into(), day_of(since_ms).into()];
    values.extend(channels.iter().map(|c| Value::from(*c)));
    (
        format!(
            "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM daily_spending
             WHERE owner_id = $1 AND day_ms >= $2 AND channel IN ({})",
            placeholders.join(", ")
        ),
        values,
    )
}

impl MoneyRecords for SqlRecords<'_> {
    fn read_ahead(&mut self, reads: &[ReadAhead<'_>]) -> Result<(), StoreError> {
        let reads = reads
            .iter()
            .filter_map(|read| {
                Some(match *read {
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
                    ReadAhead::SpentSince { channels: [], .. } => return None,
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
                })
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
                crate::now_ms().into(),
            ],
        )?;
        let row = self.0.query_one(ACCOUNT_READ, &key)?;
        account_row(&row, row.int(4)?)
    }

    fn holder_by_wallet(&mut self, wallet_id: &str) -> Result<Option<HolderRecord>, StoreError> {
        self.holder_where("wallet_id", wallet_id)
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

    fn idempotency(
        &mut self,
        caller: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.0
            .query_opt(IDEMPOTENCY_READ, &[caller.into(), key.into()])?
            .map(|row| {
                Ok(IdempotencyRecord {
                    caller: row.text(0)?,
                    key: row.text(1)?,
                    request_digest: row.text(2)?,
                    state: row.text(3)?,
                    attempt: row.text(4)?,
                    resource_id: row.text(5)?,
                    status: row.opt_int(6)?,
                    body: row.opt_text(7)?,
                    created_ms: row.int(8)?,
                    updated_ms: row.int(9)?,
                })
            })
            .transpose()
    }

    fn put_idempotency(&mut self, r: &IdempotencyRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO idempotency (caller, key, request_digest, state, attempt, resource_id,
                                      status, body, created_ms, updated_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (caller, key) DO UPDATE SET
                request_digest = excluded.request_digest, state = excluded.state,
                attempt = excluded.attempt, resource_id = excluded.resource_id,
                status = excluded.status, body = excluded.body, updated_ms = excluded.updated_ms",
            &[
                r.caller.as_str().into(),
                r.key.as_str().into(),
                r.request_digest.as_str().into(),
                r.state.as_str().into(),
                r.attempt.as_str().into(),
                r.resource_id.as_str().into(),
                r.status.into(),
                r.body.clone().into(),
                r.created_ms.into(),
                r.updated_ms.into(),
            ],
        )?;
        Ok(())
    }

    fn movement(&mut self, id: &str) -> Result<Option<MovementRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {MOVEMENT_COLUMNS} FROM movements WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| movement_from(&row))
            .transpose()
    }

    fn waiting_on_card(&mut self, card_id: &str) -> Result<Vec<MovementRecord>, StoreError> {
        // Through the timers, a short table of work still due, rather than every movement.
        let columns = MOVEMENT_COLUMNS
            .split(", ")
            .map(|c| format!("m.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        self.0
            .query(
                &format!(
                    "SELECT {columns} FROM timers t JOIN movements m ON m.id = t.subject
                     WHERE t.kind IN ('withdrawal_payout', 'topup_reconcile')
                       AND m.card_id = $1 AND m.status = 'pending'
                     ORDER BY m.id"
                ),
                &[card_id.into()],
            )?
            .iter()
            .map(movement_from)
            .collect()
    }

    fn insert_movement(&mut self, m: &MovementRecord) -> Result<(), StoreError> {
        if m.direction == "out" && counts(&m.status) {
            self.add_spending(&m.owner_id, m.created_ms, &m.channel, m.amount)?;
        }
        self.insert(
            "movements",
            MOVEMENT_COLUMNS,
            &[
                m.id.as_str().into(),
                m.owner_id.as_str().into(),
                m.kind.as_str().into(),
                m.direction.as_str().into(),
                m.channel.as_str().into(),
                m.amount.into(),
                m.fee.into(),
                m.currency.as_str().into(),
                m.counterparty.as_str().into(),
                m.peer_id.as_deref().into(),
                m.status.as_str().into(),
                m.memo.as_str().into(),
                m.entry_id.as_deref().into(),
                m.card_id.as_deref().into(),
                m.created_ms.into(),
                m.updated_ms.into(),
            ],
        )
    }

    fn set_movement_status(
        &mut self,
        id: &str,
        status: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        // Keep the day's spending true: a movement that stops (or starts) counting moves it.
        if let Some(m) = self.movement(id)?
            && m.direction == "out"
            && counts(&m.status) != counts(status)
        {
            let delta = if counts(status) { m.amount } else { -m.amount };
            self.add_spending(&m.owner_id, m.created_ms, &m.channel, delta)?;
        }
        self.0.write(
            "UPDATE movements SET status = $2, updated_ms = $3 WHERE id = $1",
            &[id.into(), status.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn movements(
        &mut self,
        owner_id: &str,
        f: &MovementFilter,
    ) -> Result<Vec<MovementRecord>, StoreError> {
        // Absent filters become bounds that let every row through, so one statement serves.
        let rows = self.0.query(
            &format!(
                "SELECT {MOVEMENT_COLUMNS} FROM movements
                 WHERE owner_id = $1 AND ($2 = '' OR kind = $2) AND created_ms >= $3
                   AND created_ms < $4 AND ($5 = '' OR id < $5)
                 ORDER BY id DESC LIMIT $6"
            ),
            &[
                owner_id.into(),
                f.kind.clone().unwrap_or_default().into(),
                f.from_ms.unwrap_or(i64::MIN).into(),
                f.to_ms.unwrap_or(i64::MAX).into(),
                f.before_id.clone().unwrap_or_default().into(),
                f.limit.clamp(1, 10_000).into(),
            ],
        )?;
        rows.iter().map(movement_from).collect()
    }

    fn spent_since(
        &mut self,
        owner_id: &str,
        since_ms: i64,
        channels: &[&str],
    ) -> Result<i64, StoreError> {
        if channels.is_empty() {
            return Ok(0);
        }
        let (sql, values) = spent_read(owner_id, since_ms, channels);
        let row = self.0.query_one(&sql, &values)?;
        sum_of(&row)
    }

    fn withdrawn_total(&mut self, owner_id: &str) -> Result<i64, StoreError> {
        let row = self.0.query_one(
            "SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM movements
             WHERE owner_id = $1 AND kind = 'withdrawal' AND status IN ('succeeded', 'pending')",
            &[owner_id.into()],
        )?;
        sum_of(&row)
    }

    fn merchant(&mut self, id: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.0
            .query_opt(&merchant_read(), &[id.into()])?
            .map(|row| merchant_from(&row))
            .transpose()
    }

    fn merchant_by_key(&mut self, key_digest: &str) -> Result<Option<MerchantRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {MERCHANT_COLUMNS} FROM merchants WHERE key_digest = $1"),
                &[key_digest.into()],
            )?
            .map(|row| merchant_from(&row))
            .transpose()
    }

    fn insert_merchant(&mut self, m: &MerchantRecord) -> Result<(), StoreError> {
        self.insert(
            "merchants",
            MERCHANT_COLUMNS,
            &[
                m.id.as_str().into(),
                m.holder_id.as_str().into(),
                m.name.as_str().into(),
                m.category.as_str().into(),
                m.key_digest.as_str().into(),
                m.status.as_str().into(),
                m.webhook_url.as_deref().into(),
                m.webhook_secret_sealed.clone().into(),
                m.created_ms.into(),
            ],
        )
    }

    fn update_merchant(&mut self, m: &MerchantRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE merchants SET key_digest = $2, status = $3, webhook_url = $4,
                    webhook_secret_sealed = $5 WHERE id = $1",
            &[
                m.id.as_str().into(),
                m.key_digest.as_str().into(),
                m.status.as_str().into(),
                m.webhook_url.as_deref().into(),
                m.webhook_secret_sealed.clone().into(),
            ],
        )?;
        Ok(())
    }

    fn merchants_of(&mut self, holder_id: &str) -> Result<Vec<MerchantRecord>, StoreError> {
        self.0
            .query(
                &format!("SELECT {MERCHANT_COLUMNS} FROM merchants WHERE holder_id = $1 ORDER BY created_ms"),
                &[holder_id.into()],
            )?
            .iter()
            .map(merchant_from)
            .collect()
    }

    fn order(&mut self, id: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| order_from(&row))
            .transpose()
    }

    fn insert_order(&mut self, o: &OrderRecord) -> Result<(), StoreError> {
        self.insert(
            "orders",
            ORDER_COLUMNS,
            &[
                o.id.as_str().into(),
                o.merchant_id.as_str().into(),
                o.amount.into(),
                o.currency.as_str().into(),
                o.description.as_str().into(),
                o.status.as_str().into(),
                o.expires_ms.into(),
                o.payment_id.as_deref().into(),
                o.created_ms.into(),
            ],
        )
    }

    fn pay_order(&mut self, id: &str, payment_id: &str) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE orders SET status = 'paid', payment_id = $2 WHERE id = $1",
            &[id.into(), payment_id.into()],
        )?;
        Ok(())
    }

    fn payment_code(&mut self, digest: &str) -> Result<Option<PaymentCodeRecord>, StoreError> {
        self.0
            .query_opt(
                "SELECT digest, holder_id, expires_ms, used_ms, created_ms FROM payment_codes WHERE digest = $1",
                &[digest.into()],
            )?
            .map(|row| {
                Ok(PaymentCodeRecord {
                    digest: row.text(0)?,
                    holder_id: row.text(1)?,
                    expires_ms: row.int(2)?,
                    used_ms: row.opt_int(3)?,
                    created_ms: row.int(4)?,
                })
            })
            .transpose()
    }

    fn insert_payment_code(&mut self, c: &PaymentCodeRecord) -> Result<(), StoreError> {
        self.insert(
            "payment_codes",
            "digest, holder_id, expires_ms, used_ms, created_ms",
            &[
                c.digest.as_str().into(),
                c.holder_id.as_str().into(),
                c.expires_ms.into(),
                c.used_ms.into(),
                c.created_ms.into(),
            ],
        )
    }

    fn use_payment_code(&mut self, digest: &str, at_ms: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE payment_codes SET used_ms = $2 WHERE digest = $1",
            &[digest.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn retire_payment_codes(&mut self, holder_id: &str) -> Result<(), StoreError> {
        self.0.write(
            "DELETE FROM payment_codes WHERE holder_id = $1 AND used_ms IS NULL",
            &[holder_id.into()],
        )?;
        Ok(())
    }

    fn merchant_payment(&mut self, id: &str) -> Result<Option<MerchantPaymentRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {PAYMENT_COLUMNS} FROM merchant_payments WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| payment_from(&row))
            .transpose()
    }

    fn insert_merchant_payment(&mut self, p: &MerchantPaymentRecord) -> Result<(), StoreError> {
        self.insert(
            "merchant_payments",
            PAYMENT_COLUMNS,
            &[
                p.id.as_str().into(),
                p.merchant_id.as_str().into(),
                p.holder_id.as_str().into(),
                p.amount.into(),
                p.fee.into(),
                p.currency.as_str().into(),
                p.refunded.into(),
                p.fee_refunded.into(),
                p.order_id.as_deref().into(),
                p.channel.as_str().into(),
                p.description.as_str().into(),
                p.created_ms.into(),
            ],
        )
    }

    fn set_refunded(
        &mut self,
        id: &str,
        refunded: i64,
        fee_refunded: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE merchant_payments SET refunded = $2, fee_refunded = $3 WHERE id = $1",
            &[id.into(), refunded.into(), fee_refunded.into()],
        )?;
        Ok(())
    }

    fn merchant_payments(
        &mut self,
        merchant_id: &str,
        before_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<MerchantPaymentRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {PAYMENT_COLUMNS} FROM merchant_payments
                     WHERE merchant_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3"
                ),
                &[
                    merchant_id.into(),
                    before_id.unwrap_or_default().into(),
                    limit.clamp(1, 10_000).into(),
                ],
            )?
            .iter()
            .map(payment_from)
            .collect()
    }

    fn insert_refund(&mut self, r: &RefundRecord) -> Result<(), StoreError> {
        self.insert(
            "merchant_refunds",
            "id, merchant_id, payment_id, amount, fee_back, reason, created_ms",
            &[
                r.id.as_str().into(),
                r.merchant_id.as_str().into(),
                r.payment_id.as_str().into(),
                r.amount.into(),
                r.fee_back.into(),
                r.reason.as_str().into(),
                r.created_ms.into(),
            ],
        )
    }

    fn insert_notification(&mut self, n: &NotificationRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO notifications
             (holder_id, kind, title, body, movement_id, created_ms, title_en, body_en)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                n.holder_id.as_str().into(),
                n.kind.as_str().into(),
                n.title.as_str().into(),
                n.body.as_str().into(),
                n.movement_id.as_deref().into(),
                n.created_ms.into(),
                n.title_en.as_str().into(),
                n.body_en.as_str().into(),
            ],
        )
    }

    fn notifications(
        &mut self,
        holder_id: &str,
        before_id: Option<i64>,
        after_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        self.0
            .query(
                "SELECT id, holder_id, kind, title, body, movement_id, created_ms, title_en, body_en
                 FROM notifications
                 WHERE holder_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
                &[
                    holder_id.into(),
                    before_id.unwrap_or(i64::MAX).into(),
                    after_id.unwrap_or(i64::MIN).into(),
                    limit.clamp(1, 1_000).into(),
                ],
            )?
            .iter()
            .map(notification_from)
            .collect()
    }

    fn insert_timer(&mut self, t: &TimerRecord) -> Result<(), StoreError> {
        self.insert(
            "timers",
            TIMER_COLUMNS,
            &[
                t.id.as_str().into(),
                t.kind.as_str().into(),
                t.subject.as_str().into(),
                t.due_ms.into(),
                t.attempts.into(),
                t.created_ms.into(),
            ],
        )
    }

    fn due_timers(&mut self, now_ms: i64, limit: i64) -> Result<Vec<TimerRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {TIMER_COLUMNS} FROM timers WHERE due_ms <= $1 ORDER BY due_ms LIMIT $2"
                ),
                &[now_ms.into(), limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(timer_from)
            .collect()
    }

    fn timer(&mut self, id: &str) -> Result<Option<TimerRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {TIMER_COLUMNS} FROM timers WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| timer_from(&row))
            .transpose()
    }

    fn delete_timer(&mut self, id: &str) -> Result<(), StoreError> {
        self.0
            .execute("DELETE FROM timers WHERE id = $1", &[id.into()])?;
        Ok(())
    }

    fn reschedule_timer(&mut self, id: &str, due_ms: i64, attempts: i64) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE timers SET due_ms = $2, attempts = $3 WHERE id = $1",
            &[id.into(), due_ms.into(), attempts.into()],
        )?;
        Ok(())
    }

    fn queue_webhook(
        &mut self,
        merchant_id: &str,
        event: &str,
        body: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO webhook_outbox (merchant_id, event, body, created_ms) VALUES ($1, $2, $3, $4)",
            &[merchant_id.into(), event.into(), body.into(), at_ms.into()],
        )?;
        Ok(())
    }

    fn pending_webhooks(
        &mut self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<WebhookRecord>, StoreError> {
        self.0
            .query(
                "SELECT id, merchant_id, event, body, attempts FROM webhook_outbox
                 WHERE status = 'pending' AND next_attempt_ms <= $1 ORDER BY id LIMIT $2",
                &[now_ms.into(), limit.clamp(1, 1_000).into()],
            )?
            .iter()
            .map(|row| {
                Ok(WebhookRecord {
                    id: row.int(0)?,
                    merchant_id: row.text(1)?,
                    event: row.text(2)?,
                    body: row.text(3)?,
                    attempts: row.int(4)?,
                })
            })
            .collect()
    }

    fn webhook_tried(
        &mut self,
        id: i64,
        delivered: bool,
        next_ms: i64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        if delivered {
            self.0.write(
                "UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1,
                        delivered_ms = $2 WHERE id = $1",
                &[id.into(), at_ms.into()],
            )?;
        } else {
            self.0.write(
                "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_ms = $2,
                        status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END
                 WHERE id = $1",
                &[id.into(), next_ms.into(), WEBHOOK_ATTEMPTS_MAX.into()],
            )?;
        }
        Ok(())
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        self.0
            .query_opt(
                "SELECT value FROM operator_settings WHERE key = $1",
                &[key.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn put_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        match value {
            Some(value) => self.0.execute(
                "INSERT INTO operator_settings (key, value, updated_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
                &[key.into(), value.into(), at_ms.into()],
            )?,
            None => self
                .0
                .execute("DELETE FROM operator_settings WHERE key = $1", &[key.into()])?,
        };
        Ok(())
    }
}

/// How many times a webhook event is offered before it is marked failed: with a wait doubling
/// from 1 s to at most 1 h, the first 12 tries span about 68 minutes and each later one an hour,
/// so 36 tries keep trying for about a day.
pub const WEBHOOK_ATTEMPTS_MAX: i64 = 36;

/// A `sum(...)` column, cast to BIGINT in SQL so both backends return an integer.
fn sum_of(row: &Row) -> Result<i64, StoreError> {
    row.int(0)
}

impl Storage {
    /// Runs money work over both record sets in a transaction of `mode`.
    pub(crate) async fn money<T: Send + 'static>(
        &self,
        mode: Mode,
        work: impl Fn(&mut dyn MoneyTx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> Result<T, StoreError> {
        self.transact_in(mode, move |tx| work(&mut SqlRecords(tx)))
            .await
    }
}
