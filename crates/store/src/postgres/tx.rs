//! The portable [`Tx`] over a tokio-postgres transaction, driven from synchronous code: writes
//! held back to ride with the next round trip, rows read ahead, statements prepared once per
//! connection.

use super::error::{must_retry, pg_error};
use super::sql_text::{mentions, table_written, writes};
use super::values::{params, rows_from};
use crate::portable::{Row, Tx, Value};
use qianbao_wallet::StoreError;
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// Statements kept prepared per connection; past this the cache starts over (the wallet runs far
/// fewer distinct statements, so this only bounds a bug).
const STATEMENTS_MAX: usize = 512;

/// What runs a connection's futures to completion from synchronous code.
#[derive(Clone, Copy)]
pub(super) enum Driver<'a> {
    /// A blocking thread of the server's runtime: the connection's task runs on its workers.
    Handle(&'a tokio::runtime::Handle),
    /// The money writer's own single-threaded runtime, which drives the writer's connection on
    /// the writer's thread: a statement is one round trip with no hand-off between threads.
    Local(&'a tokio::runtime::Runtime),
}

impl Driver<'_> {
    fn block_on<F: std::future::Future>(self, future: F) -> F::Output {
        match self {
            Driver::Handle(handle) => handle.block_on(future),
            Driver::Local(runtime) => runtime.block_on(future),
        }
    }
}

/// A [`Tx`] over a PostgreSQL transaction, driven from a blocking thread.
pub(super) struct PgTx<'a> {
    client: &'a Client,
    /// The store's clock, for rows' timestamps.
    clock: &'a dyn qianbao_wallet::Clock,
    driver: Driver<'a>,
    statements: &'a mut std::collections::HashMap<String, tokio_postgres::Statement>,
    /// Writes whose outcome nobody reads, not sent yet: they go out with the next statement (or
    /// the flush before the savepoint ends or the commit), all in one round trip.
    pub(super) pending: Vec<(tokio_postgres::Statement, Vec<Value>)>,
    /// Rows read ahead ([`Tx::read_ahead`]), each given out once to the same statement with the
    /// same parameters; dropped when their table is written.
    ahead: Vec<(String, Vec<Value>, Vec<Row>)>,
    /// Set when a statement failed in a way that calls for running the whole transaction again.
    pub(super) retry: bool,
}

impl<'a> PgTx<'a> {
    pub(super) fn new(
        client: &'a Client,
        driver: Driver<'a>,
        statements: &'a mut std::collections::HashMap<String, tokio_postgres::Statement>,
        clock: &'a dyn qianbao_wallet::Clock,
    ) -> PgTx<'a> {
        PgTx {
            client,
            clock,
            driver,
            statements,
            pending: Vec::new(),
            ahead: Vec::new(),
            retry: false,
        }
    }

    fn fail(&mut self, e: tokio_postgres::Error) -> StoreError {
        self.retry |= must_retry(&e);
        pg_error(e)
    }

    /// Sends the waiting writes and then `last`, pipelined: PostgreSQL runs them in order and one
    /// round trip carries them all. The first failure is the one returned — after it the
    /// transaction is aborted and every later statement only says so.
    pub(super) fn round_trip<T, F>(
        &mut self,
        last: impl FnOnce(&'a Client) -> F,
    ) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let pending = std::mem::take(&mut self.pending);
        let client = self.client;
        let (writes, last) = if pending.is_empty() {
            (Vec::new(), self.driver.block_on(last(client)))
        } else {
            let values: Vec<Vec<&(dyn ToSql + Sync)>> =
                pending.iter().map(|(_, v)| params(v)).collect();
            let writes = futures_util::future::join_all(
                pending
                    .iter()
                    .zip(&values)
                    .map(|((statement, _), values)| client.execute(statement, values)),
            );
            self.driver
                .block_on(futures_util::future::join(writes, last(client)))
        };
        for write in writes {
            if let Err(e) = write {
                return Err(self.fail(e));
            }
        }
        last.map_err(|e| self.fail(e))
    }

    /// Sends the writes still waiting; their failure, if one failed.
    pub(super) fn flush(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.round_trip(|_| std::future::ready(Ok(())))
    }

    /// The prepared statement for `sql`, prepared on first use on this connection.
    fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = match self.driver.block_on(self.client.prepare(sql)) {
            Ok(statement) => statement,
            Err(e) => return Err(self.fail(e)),
        };
        if self.statements.len() >= STATEMENTS_MAX {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

impl PgTx<'_> {
    /// Drops what was read ahead from the table `sql` writes (everything, when that is unclear).
    fn forget_ahead(&mut self, sql: &str) {
        match table_written(sql) {
            // A read that names the table anywhere (a subquery, a union) is dropped too.
            Some(table) => self.ahead.retain(|(read, _, _)| !mentions(read, table)),
            None => self.ahead.clear(),
        }
    }
}

impl PgTx<'_> {
    /// Sends `statements` together and answers each one's rows, in order.
    fn query_all_sent(
        &mut self,
        statements: &[(&str, &[Value])],
    ) -> Result<Vec<Vec<Row>>, StoreError> {
        let prepared = statements
            .iter()
            .map(|(sql, _)| self.statement(sql))
            .collect::<Result<Vec<_>, _>>()?;

        let values: Vec<Vec<&(dyn ToSql + Sync)>> =
            statements.iter().map(|(_, v)| params(v)).collect();
        let answers = self.round_trip(|client| async move {
            futures_util::future::join_all(
                prepared
                    .iter()
                    .zip(&values)
                    .map(|(statement, values)| client.query(statement, values)),
            )
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
        })?;
        answers.iter().map(|rows| rows_from(rows)).collect()
    }
}

impl Tx for PgTx<'_> {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>, StoreError> {
        if let Some(i) = self
            .ahead
            .iter()
            .position(|(s, v, _)| s == sql && v.as_slice() == values)
        {
            return Ok(self.ahead.swap_remove(i).2);
        }
        if writes(sql) {
            self.forget_ahead(sql);
        }
        let statement = self.statement(sql)?;
        let values = params(values);
        let rows = self.round_trip(|client| client.query(&statement, &values))?;
        rows_from(&rows)
    }

    fn query_all(&mut self, statements: &[(&str, &[Value])]) -> Result<Vec<Vec<Row>>, StoreError> {
        // What was read ahead is answered from there; only the rest goes to the server.
        let mut answered: Vec<Option<Vec<Row>>> = statements
            .iter()
            .map(|(sql, values)| {
                self.ahead
                    .iter()
                    .position(|(s, v, _)| s == sql && v.as_slice() == *values)
                    .map(|i| self.ahead.swap_remove(i).2)
            })
            .collect();
        let missing: Vec<(&str, &[Value])> = statements
            .iter()
            .zip(&answered)
            .filter(|(_, a)| a.is_none())
            .map(|(s, _)| *s)
            .collect();
        if missing.len() < statements.len() {
            let mut fetched = self.query_all_sent(&missing)?.into_iter();
            return Ok(answered
                .iter_mut()
                .map(|a| a.take().or_else(|| fetched.next()).unwrap_or_default())
                .collect());
        }
        self.query_all_sent(statements)
    }

    fn read_ahead(&mut self, reads: Vec<(String, Vec<Value>)>) -> Result<(), StoreError> {
        let reads: Vec<_> = reads.into_iter().filter(|(sql, _)| !writes(sql)).collect();
        let statements: Vec<(&str, &[Value])> = reads
            .iter()
            .map(|(sql, values)| (sql.as_str(), values.as_slice()))
            .collect();
        let rows = self.query_all(&statements)?;
        self.ahead = reads
            .into_iter()
            .zip(rows)
            .map(|((sql, values), rows)| (sql, values, rows))
            .collect();
        Ok(())
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
        self.forget_ahead(sql);
        let statement = self.statement(sql)?;
        let values = params(values);
        self.round_trip(|client| client.execute(&statement, &values))
    }

    fn write(&mut self, sql: &str, values: &[Value]) -> Result<(), StoreError> {
        self.forget_ahead(sql);
        let statement = self.statement(sql)?;
        self.pending.push((statement, values.to_vec()));
        Ok(())
    }
}
