//! Merchant payments and refunds as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::{Amount, Currency};
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{
    Channel, MerchantPaymentRecord, MerchantPaymentRecords, RefundRecord,
};

pub(crate) const PAYMENT_COLUMNS: &str = "id, merchant_id, holder_id, amount, fee, currency, refunded, \
                               fee_refunded, order_id, channel, description, created_ms";

pub(crate) fn payment_from(row: &Row) -> Result<MerchantPaymentRecord, StoreError> {
    Ok(MerchantPaymentRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        holder_id: row.text(2)?,
        amount: row.amount(3)?,
        fee: row.amount(4)?,
        currency: row.named(5, Currency::parse)?,
        refunded: row.amount(6)?,
        fee_refunded: row.amount(7)?,
        order_id: row.opt_text(8)?,
        channel: row.named(9, Channel::parse)?,
        description: row.text(10)?,
        created_ms: row.int(11)?,
    })
}

impl MerchantPaymentRecords for SqlRecords<'_> {
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
        refunded: Amount,
        fee_refunded: Amount,
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
}
