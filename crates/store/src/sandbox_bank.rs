//! The sandbox bank's books in the database ([`SandboxBankBooks`]): what it moved, kept by the
//! sandbox connector itself so that its statements are the same on every node and after a
//! restart. Its rows are the bank's, not the wallet's: no rule of ours reads them.

use crate::portable::{Row, Storage, Value};
use async_trait::async_trait;
use qianbao_ledger::Currency;
use qianbao_wallet::domain::{BankKind, BankReference};
use qianbao_wallet::{BankBooking, SandboxBankBooks, StoreError};

const BOOKING_COLUMNS: &str = "reference, bank_ref, kind, amount, currency, booked_ms";

/// The most bookings one day's statement reads: a sandbox's day is far smaller.
const BOOKINGS_PER_READ_MAX: i64 = 1_000_000;

fn booking_from(row: &Row) -> Result<BankBooking, StoreError> {
    Ok(BankBooking {
        reference: row.text(0)?,
        bank_reference: row.named(1, BankReference::parse)?,
        kind: row.named(2, BankKind::parse)?,
        amount: row.amount(3)?,
        currency: row.named(4, Currency::parse)?,
        booked_ms: row.int(5)?,
    })
}

#[async_trait]
impl SandboxBankBooks for Storage {
    async fn book(&self, booking: &BankBooking) -> Result<BankBooking, StoreError> {
        let values: Vec<Value> = vec![
            booking.reference.as_str().into(),
            booking.bank_reference.as_str().into(),
            booking.kind.as_str().into(),
            booking.amount.into(),
            booking.currency.as_str().into(),
            booking.booked_ms.into(),
        ];
        self.transact(move |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO sandbox_bank_bookings ({BOOKING_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (reference) DO NOTHING"
                ),
                &values,
            )?;
            let row = tx.query_one(
                &format!(
                    "SELECT {BOOKING_COLUMNS} FROM sandbox_bank_bookings WHERE reference = $1"
                ),
                &values[..1],
            )?;
            booking_from(&row)
        })
        .await
    }

    async fn booked_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<BankBooking>, StoreError> {
        self.transact_in(crate::Mode::Read, move |tx| {
            tx.query(
                &format!(
                    "SELECT {BOOKING_COLUMNS} FROM sandbox_bank_bookings
                     WHERE booked_ms >= $1 AND booked_ms < $2
                     ORDER BY booked_ms, reference LIMIT $3"
                ),
                &[from_ms.into(), to_ms.into(), BOOKINGS_PER_READ_MAX.into()],
            )?
            .iter()
            .map(booking_from)
            .collect()
        })
        .await
    }
}
