//! Converting the portable `Value` and `Row` to and from PostgreSQL's types.

use crate::portable::{Row, Value};
use qianbao_wallet::StoreError;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(v) => v.as_str().to_sql(ty, out),
            Value::Bytes(v) => v.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        // Checked per value in `to_sql`, where the kind of value is known.
        <i64 as ToSql>::accepts(ty)
            || <i32 as ToSql>::accepts(ty)
            || <bool as ToSql>::accepts(ty)
            || <&str as ToSql>::accepts(ty)
            || <&[u8] as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

pub(super) fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

pub(super) fn rows_from(rows: &[tokio_postgres::Row]) -> Result<Vec<Row>, StoreError> {
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|i| value_at(row, i))
                .collect::<Result<_, _>>()
                .map(Row)
        })
        .collect()
}

fn value_at(row: &tokio_postgres::Row, i: usize) -> Result<Value, StoreError> {
    let column = &row.columns()[i];
    let bad = |e: tokio_postgres::Error| StoreError::Corrupt(e.to_string());
    Ok(match *column.type_() {
        Type::INT8 => row.try_get::<_, Option<i64>>(i).map_err(bad)?.into(),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)
            .map_err(bad)?
            .map(i64::from)
            .into(),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)
            .map_err(bad)?
            .map(i64::from)
            .into(),
        Type::BOOL => row.try_get::<_, Option<bool>>(i).map_err(bad)?.into(),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            row.try_get::<_, Option<String>>(i).map_err(bad)?.into()
        }
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i).map_err(bad)?.into(),
        ref other => {
            return Err(StoreError::Corrupt(format!(
                "column {} has type {other}, which records do not use",
                column.name()
            )));
        }
    })
}
