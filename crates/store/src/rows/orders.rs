//! Orders as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::Currency;
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{OrderRecord, OrderRecords, OrderStatus};

pub(crate) const ORDER_COLUMNS: &str =
    "id, merchant_id, amount, currency, description, status, expires_ms, payment_id, created_ms";

pub(crate) fn order_from(row: &Row) -> Result<OrderRecord, StoreError> {
    Ok(OrderRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        amount: row.amount(2)?,
        currency: row.named(3, Currency::parse)?,
        description: row.text(4)?,
        status: row.named(5, OrderStatus::parse)?,
        expires_ms: row.int(6)?,
        payment_id: row.opt_text(7)?,
        created_ms: row.int(8)?,
    })
}

impl OrderRecords for SqlRecords<'_> {
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

    fn open_orders_of(
        &mut self,
        merchant_id: &str,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        // `orders_open_by_merchant` (0014) holds only open orders, so paid ones cost nothing here.
        self.0
            .query(
                &format!(
                    "SELECT {ORDER_COLUMNS} FROM orders
                     WHERE merchant_id = $1 AND status = 'open' AND expires_ms > $2
                     ORDER BY expires_ms, id LIMIT $3"
                ),
                &[
                    merchant_id.into(),
                    now_ms.into(),
                    limit.clamp(1, 1_000).into(),
                ],
            )?
            .iter()
            .map(order_from)
            .collect()
    }
}
