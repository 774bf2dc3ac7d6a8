//! The portable [`Tx`] over a rusqlite transaction: `$N` placeholders bound by their number,
//! values converted both ways.

use super::error::store_error;
use crate::portable::{Row, Tx, Value};
use qianbao_wallet::StoreError;

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput;
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(v) => ToSqlOutput::from(*v),
            Value::Text(v) => ToSqlOutput::from(v.as_str()),
            Value::Bytes(v) => ToSqlOutput::from(v.as_slice()),
        })
    }
}

/// A [`Tx`] over a SQLite transaction, with the store's clock for rows' timestamps.
pub(super) struct SqliteTx<'a>(
    pub(super) &'a rusqlite::Transaction<'a>,
    pub(super) &'a dyn qianbao_wallet::Clock,
);

impl Tx for SqliteTx<'_> {
    fn now_ms(&self) -> i64 {
        self.1.now_ms()
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.0.prepare_cached(sql).map_err(store_error)?;
        bind(&mut statement, params)?;
        let columns = statement.column_count();
        let mut rows = statement.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(store_error)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                use rusqlite::types::ValueRef;
                values.push(match row.get_ref(i).map_err(store_error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Text(v) => Value::Text(
                        String::from_utf8(v.to_vec())
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    ),
                    ValueRef::Blob(v) => Value::Bytes(v.to_vec()),
                    ValueRef::Real(_) => {
                        return Err(StoreError::Corrupt(
                            "a REAL column: money and times are integers".into(),
                        ));
                    }
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut statement = self.0.prepare_cached(sql).map_err(store_error)?;
        bind(&mut statement, params)?;
        let changed = statement.raw_execute().map_err(store_error)?;
        Ok(changed as u64)
    }
}

/// Binds `params` to `statement`, whose placeholders are written `$N` as on PostgreSQL. SQLite
/// takes `$N` as a *named* parameter (numbered in order of first appearance, not by N), so each
/// is bound by the number in its name. The SQL text is never rewritten: rewriting it to `?N` on
/// every statement was 2 % of the money writer's time, and a copy to hash for the statement cache.
fn bind(statement: &mut rusqlite::CachedStatement<'_>, params: &[Value]) -> Result<(), StoreError> {
    let mut highest = 0;
    for index in 1..=statement.parameter_count() {
        let number = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|digits| digits.parse::<usize>().ok())
            .ok_or_else(|| {
                StoreError::Unavailable(format!("parameter {index} is not written $N"))
            })?;
        let value = number
            .checked_sub(1)
            .and_then(|i| params.get(i))
            .ok_or_else(|| StoreError::Unavailable(format!("no value for ${number}")))?;
        statement
            .raw_bind_parameter(index, value)
            .map_err(store_error)?;
        highest = highest.max(number);
    }
    // As rusqlite's own binding does: a value no placeholder takes is a mistake in the caller.
    if highest != params.len() {
        return Err(StoreError::Unavailable(format!(
            "a statement whose highest placeholder is ${highest} was given {} values",
            params.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn with_tx<T>(f: impl FnOnce(&mut SqliteTx<'_>) -> T) -> T {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        f(&mut SqliteTx(&tx, &qianbao_wallet::SystemClock))
    }

    /// SQLite numbers `$N` parameters in order of first appearance; each must still take the
    /// N-th value, as on PostgreSQL, or a statement naming `$2` before `$1` swaps its values.
    #[test]
    fn placeholders_take_the_value_of_their_number_in_any_order() {
        let row = with_tx(|tx| {
            tx.query(
                "SELECT $3, $1, $2, $1 || $3",
                &["a".into(), Value::Int(2), "c".into()],
            )
            .unwrap()
        });
        assert_eq!(
            row[0].0,
            vec![
                Value::Text("c".into()),
                Value::Text("a".into()),
                Value::Int(2),
                Value::Text("ac".into())
            ]
        );
    }

    /// A value no placeholder takes, or a placeholder with no value, is the caller's mistake and
    /// is refused rather than run with a NULL.
    #[test]
    fn values_and_placeholders_must_match() {
        with_tx(|tx| {
            assert!(
                tx.query("SELECT $1", &[Value::Int(1), Value::Int(2)])
                    .is_err()
            );
            assert!(tx.query("SELECT $1, $2", &[Value::Int(1)]).is_err());
            assert!(
                tx.query("SELECT $2", &[Value::Int(1), Value::Int(2)])
                    .is_ok()
            );
        });
    }
}
