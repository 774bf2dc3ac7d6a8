//! The portable [`Tx`] over a rusqlite transaction: `$N` placeholders rewritten for SQLite,
//! values converted both ways.

use super::error::store_error;
use crate::portable::{Row, Tx, Value, sqlite_placeholders};
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

/// A [`Tx`] over a SQLite transaction.
pub(super) struct SqliteTx<'a>(pub(super) &'a rusqlite::Transaction<'a>);

impl Tx for SqliteTx<'_> {
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self
            .0
            .prepare_cached(&sqlite_placeholders(sql))
            .map_err(store_error)?;
        let columns = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(store_error)?;
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
        let changed = self
            .0
            .prepare_cached(&sqlite_placeholders(sql))
            .and_then(|mut s| s.execute(rusqlite::params_from_iter(params.iter())))
            .map_err(store_error)?;
        Ok(changed as u64)
    }
}
