//! Currencies' rows: mid rates (in force and their history) and quotes.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::Currency;
use qianbao_wallet::StoreError;
use qianbao_wallet::fx::{FxQuoteRecord, FxRecords, MidRate, Pair, QuotePurpose, Rate};

const QUOTE_COLUMNS: &str = "id, holder_id, purpose, subject, sell_currency, buy_currency, \
     sell_amount, buy_amount, fee, rate, created_ms, expires_ms, used_by";

fn rate_text(row: &Row, i: usize) -> Result<Rate, StoreError> {
    let text = row.text(i)?;
    Rate::parse(&text).map_err(|e| StoreError::Corrupt(format!("fx rate {text:?}: {e}")))
}

fn quote_from(row: &Row) -> Result<FxQuoteRecord, StoreError> {
    Ok(FxQuoteRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        purpose: row.named(2, QuotePurpose::parse)?,
        subject: row.opt_text(3)?,
        sell_currency: row.named(4, Currency::parse)?,
        buy_currency: row.named(5, Currency::parse)?,
        sell: row.amount(6)?,
        buy: row.amount(7)?,
        fee: row.amount(8)?,
        rate: rate_text(row, 9)?,
        created_ms: row.int(10)?,
        expires_ms: row.int(11)?,
        used_by: row.opt_text(12)?,
    })
}

impl FxRecords for SqlRecords<'_> {
    fn mid_rates(&mut self) -> Result<Vec<MidRate>, StoreError> {
        self.0
            .query(
                "SELECT base, quote, rate, source, set_ms FROM fx_rates ORDER BY base, quote",
                &[],
            )?
            .iter()
            .map(|row| {
                let (base, quote) = (row.text(0)?, row.text(1)?);
                let pair = Pair::parse(&format!("{base}/{quote}"))
                    .map_err(|e| StoreError::Corrupt(format!("fx pair {base}/{quote}: {e}")))?;
                Ok(MidRate {
                    pair,
                    rate: rate_text(row, 2)?,
                    source: row.text(3)?,
                    set_ms: row.int(4)?,
                })
            })
            .collect()
    }

    fn put_mid_rate(&mut self, m: &MidRate) -> Result<(), StoreError> {
        let values = [
            m.pair.base.as_str().into(),
            m.pair.quote.as_str().into(),
            m.rate.to_string().into(),
            m.source.as_str().into(),
            m.set_ms.into(),
        ];
        self.0.write(
            "INSERT INTO fx_rates (base, quote, rate, source, set_ms) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (base, quote) DO UPDATE SET rate = excluded.rate,
                 source = excluded.source, set_ms = excluded.set_ms",
            &values,
        )?;
        self.0.write(
            "INSERT INTO fx_rate_history (base, quote, rate, source, set_ms)
             VALUES ($1, $2, $3, $4, $5)",
            &values,
        )
    }

    fn insert_fx_quote(&mut self, q: &FxQuoteRecord) -> Result<(), StoreError> {
        self.insert(
            "fx_quotes",
            QUOTE_COLUMNS,
            &[
                q.id.as_str().into(),
                q.holder_id.as_str().into(),
                q.purpose.as_str().into(),
                q.subject.as_deref().into(),
                q.sell_currency.as_str().into(),
                q.buy_currency.as_str().into(),
                q.sell.into(),
                q.buy.into(),
                q.fee.into(),
                q.rate.to_string().into(),
                q.created_ms.into(),
                q.expires_ms.into(),
                q.used_by.as_deref().into(),
            ],
        )
    }

    fn fx_quote(&mut self, id: &str) -> Result<Option<FxQuoteRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {QUOTE_COLUMNS} FROM fx_quotes WHERE id = $1"),
                &[id.into()],
            )?
            .map(|row| quote_from(&row))
            .transpose()
    }

    fn use_fx_quote(
        &mut self,
        id: &str,
        movement_id: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = self.0.execute(
            "UPDATE fx_quotes SET used_by = $2, used_ms = $3 WHERE id = $1 AND used_by IS NULL",
            &[id.into(), movement_id.into(), at_ms.into()],
        )?;
        Ok(changed == 1)
    }

    fn main_currency(&mut self, holder_id: &str) -> Result<Option<Currency>, StoreError> {
        self.0
            .query_opt(
                "SELECT currency FROM main_currencies WHERE holder_id = $1",
                &[holder_id.into()],
            )?
            .map(|row| row.named(0, Currency::parse))
            .transpose()
    }

    fn set_main_currency(
        &mut self,
        holder_id: &str,
        currency: Currency,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO main_currencies (holder_id, currency, set_ms) VALUES ($1, $2, $3)
             ON CONFLICT (holder_id) DO UPDATE SET currency = excluded.currency,
                 set_ms = excluded.set_ms",
            &[holder_id.into(), currency.as_str().into(), at_ms.into()],
        )
    }
}
