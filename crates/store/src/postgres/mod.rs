//! The PostgreSQL store: the `PostgresStore` handle, starting this node's writers, record
//! transactions on pooled connections, and its `LedgerStore` calls.
//!
//! The PostgreSQL backend: a writer task per node commits money instructions in batches (one
//! transaction, a constant number of round trips whatever the batch size), a money writer thread
//! per node group-commits whole money calls (each in a savepoint of one transaction), and pooled
//! connections serve everything else. Several nodes may share one database: every batch first
//! locks the journal head, so batches apply one after another and read the balances the last one
//! wrote.

mod conn;
mod error;
mod ledger_writer;
mod migrations;
mod money_writer;
mod records;
mod retry;
mod sql_text;
mod statistics;
mod tx;
mod values;
mod verify;

use crate::QUEUE_DEPTH_MAX;
use crate::batch::{self, Request};
use crate::money_batch::Job;
use crate::portable::{Mode, Work};
use async_trait::async_trait;
use conn::{CONNECT_TIMEOUT, RecordConn, connect};
use error::pg_error;
use ledger_writer::write_batches;
use migrations::prepare;
use money_writer::write_money;
use qianbao_ledger::{Account, AccountId, AccountKind, Applied, Currency, Instruction, Rejection};
use qianbao_wallet::{AccountOwner, LedgerStore, StoreError, VerifyReport};
use records::transact_on;
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc};
use tokio_postgres::{Client, Config};

/// The PostgreSQL store.
pub struct PostgresStore {
    queue: mpsc::Sender<Request>,
    config: Config,
    shared: Mutex<Option<Arc<Client>>>,
    /// Connections for record transactions, which need a client of their own while they run.
    records: Arc<std::sync::Mutex<Vec<RecordConn>>>,
    /// A permit per record connection: past [`RECORD_CONNECTIONS_MAX`] transactions wait for one
    /// to come back instead of connecting (a PostgreSQL connection is a process to start).
    record_permits: Arc<tokio::sync::Semaphore>,
    /// This node's money writer, which group-commits whole money calls.
    money: mpsc::Sender<Box<dyn Job>>,
    /// The clock and randomness it reads.
    seams: crate::Seams,
}

/// Record transactions running at once, each on its own connection, all kept open between uses.
/// Under load, more would only start and end PostgreSQL processes: with 64 requests in flight
/// and at most 8 connections kept, most record transactions connected afresh, and the machine
/// spent more time starting backends than answering.
const RECORD_CONNECTIONS_MAX: usize = 16;

impl PostgresStore {
    /// Connects to `url`, refuses a database that is not ours or is newer, applies migrations and
    /// starts this node's writer; over the system clock and the OS's randomness.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::open_with(url, crate::Seams::default()).await
    }

    /// Opens the store as [`PostgresStore::open`] does, reading the time and randomness from
    /// `seams`.
    pub async fn open_with(url: &str, seams: crate::Seams) -> Result<PostgresStore, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("bad database URL: {e}")))?;
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("qianbao");
        let mut client = connect(&config).await?;
        prepare(&mut client, seams.clock.now_ms(), seams.random.as_ref()).await?;
        let writer = connect(&config).await?;
        let (queue, requests) = mpsc::channel(QUEUE_DEPTH_MAX);
        tokio::spawn(write_batches(
            config.clone(),
            writer,
            requests,
            seams.clock.clone(),
        ));
        tokio::spawn(statistics::keep_risk_statistics(config.clone()));
        let (money, money_jobs) = mpsc::channel(QUEUE_DEPTH_MAX);
        let (money_config, money_seams) = (config.clone(), seams.clone());
        std::thread::Builder::new()
            .name("qianbao-pg-money".into())
            .spawn(move || write_money(&money_config, money_jobs, &money_seams))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(PostgresStore {
            queue,
            config,
            shared: Mutex::new(Some(Arc::new(client))),
            records: Arc::new(std::sync::Mutex::new(Vec::new())),
            record_permits: Arc::new(tokio::sync::Semaphore::new(RECORD_CONNECTIONS_MAX)),
            money,
            seams,
        })
    }

    /// Runs `work` in a SERIALIZABLE transaction on a blocking thread, again from the start when
    /// PostgreSQL reports a serialisation failure or deadlock, up to
    /// [`SERIALIZABLE_TRIES_MAX`](retry::SERIALIZABLE_TRIES_MAX). A money call goes to the node's
    /// money writer, which runs it in a batch (see [`write_money`](money_writer::write_money)).
    pub(crate) async fn transact<T: Send + 'static>(
        &self,
        mode: Mode,
        work: Work<T>,
    ) -> Result<T, StoreError> {
        if mode == Mode::Money {
            return crate::money_batch::submit(&self.money, work).await;
        }
        let config = self.config.clone();
        let records = self.records.clone();
        let seams = self.seams.clone();
        let handle = tokio::runtime::Handle::current();
        let permit = self
            .record_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closing".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = records.lock().ok().and_then(|mut idle| idle.pop());
            let mut conn = match idle.filter(|c| !c.client.is_closed()) {
                Some(conn) => conn,
                None => RecordConn {
                    client: handle.block_on(connect(&config))?,
                    statements: std::collections::HashMap::new(),
                },
            };
            let result = transact_on(&handle, &mut conn, mode, &work, &seams);
            if !conn.client.is_closed()
                && let Ok(mut idle) = records.lock()
                && idle.len() < RECORD_CONNECTIONS_MAX
            {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }

    /// The shared client, reconnecting if the last one was lost.
    async fn client(&self) -> Result<Arc<Client>, StoreError> {
        let mut shared = self.shared.lock().await;
        if let Some(client) = shared.as_ref()
            && !client.is_closed()
        {
            return Ok(client.clone());
        }
        *shared = None;
        let client = Arc::new(connect(&self.config).await?);
        *shared = Some(client.clone());
        Ok(client)
    }
}

#[async_trait]
impl LedgerStore for PostgresStore {
    async fn open_account(
        &self,
        owner: &AccountOwner,
        kind: AccountKind,
        currency: Currency,
    ) -> Result<AccountId, StoreError> {
        let client = self.client().await?;
        let owner = owner.to_string();
        client
            .execute(
                "INSERT INTO accounts (owner, kind, currency, created_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (owner, kind, currency) DO NOTHING",
                &[
                    &owner,
                    &kind.as_str(),
                    &currency.as_str(),
                    &self.seams.clock.now_ms(),
                ],
            )
            .await
            .map_err(pg_error)?;
        let row = client
            .query_one(
                "SELECT id FROM accounts WHERE owner = $1 AND kind = $2 AND currency = $3",
                &[&owner, &kind.as_str(), &currency.as_str()],
            )
            .await
            .map_err(pg_error)?;
        Ok(AccountId(row.get(0)))
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT kind, currency, balance, held FROM accounts WHERE id = $1",
                &[&id.0],
            )
            .await
            .map_err(pg_error)?
            .map(|row| {
                batch::account_from_row(id.0, row.get(0), row.get(1), row.get(2), row.get(3))
            })
            .transpose()
    }

    async fn apply(
        &self,
        instruction: Instruction,
    ) -> Result<Result<Applied, Rejection>, StoreError> {
        batch::submit(&self.queue, instruction).await
    }

    async fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.verify_at(self.seams.clock.now_ms()).await
    }

    async fn verify_at(&self, now_ms: i64) -> Result<VerifyReport, StoreError> {
        verify::verify(&self.config, now_ms).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .query_one("SELECT 1 FROM journal_head", &[])
            .await
            .map_err(pg_error)?;
        Ok(())
    }
}
