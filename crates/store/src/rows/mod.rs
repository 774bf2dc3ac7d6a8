//! The wallet's records as rows: one file per role trait, each implemented once for both
//! backends over the portable [`Tx`] (`$N` placeholders, `Value`/`Row`), so SQLite and PostgreSQL
//! run the same statements.

pub(crate) mod audit;
// Bill payment: look-ups, payments, saved billers.
pub(crate) mod bills;
// Monthly budgets (消费预算).
pub(crate) mod budgets;
pub(crate) mod cards;
pub(crate) mod case_locks;
pub(crate) mod codes;
pub(crate) mod commands;
pub(crate) mod holders;
pub(crate) mod idempotency;
pub(crate) mod identity;
pub(crate) mod kyc_reviews;
pub(crate) mod ledger;
mod locked_digests;
pub(crate) mod merchant_payments;
pub(crate) mod merchants;
pub(crate) mod movements;
pub(crate) mod notifications;
pub(crate) mod orders;
pub(crate) mod payment_codes;
pub(crate) mod pending_charges;
pub(crate) mod pins;
pub(crate) mod policy_versions;
// The journal log's proofs and checkpoints.
pub(crate) mod liabilities;
pub(crate) mod proofs;
pub(crate) mod refund_passwords;
pub(crate) mod risk;
pub(crate) mod security_events;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod sms;
pub(crate) mod staff;
pub(crate) mod tills;
pub(crate) mod timers;
pub(crate) mod totp;
pub(crate) mod webhooks;

// Closing wallets (注销).
pub(crate) mod closing;
// Reconciliation and the funding invariant.
pub(crate) mod funding;
// Currencies: rates and quotes.
pub(crate) mod fx;
pub(crate) mod recon;
// Red packets and their claims.
pub(crate) mod red_packets;
// Campaigns and coupons.
pub(crate) mod points;
pub(crate) mod rewards;
// Gift and membership cards.
pub(crate) mod gift_cards;
// Transit ride codes: tokens, fare tables, taps and rides.
pub(crate) mod transit;

use crate::portable::{Tx, Value};
use holders::{holder_from, holder_read};
use qianbao_wallet::StoreError;
use qianbao_wallet::records::HolderRecord;

/// [`Records`] over one open transaction.
pub struct SqlRecords<'a>(pub &'a mut dyn Tx);

impl SqlRecords<'_> {
    /// Inserts one row: `columns` is the comma-separated list, `values` one per column, in order.
    /// The row may be sent with the next statement (see [`Tx::write`]).
    pub(crate) fn insert(
        &mut self,
        table: &str,
        columns: &str,
        values: &[Value],
    ) -> Result<(), StoreError> {
        debug_assert_eq!(
            columns.split(',').count(),
            values.len(),
            "{table}: columns and values differ"
        );
        let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
        self.0.write(
            &format!(
                "INSERT INTO {table} ({columns}) VALUES ({})",
                placeholders.join(", ")
            ),
            values,
        )
    }

    /// The holder whose `column` (a unique one: id, phone, wallet id) is `value`.
    pub(crate) fn holder_where(
        &mut self,
        column: &str,
        value: &str,
    ) -> Result<Option<HolderRecord>, StoreError> {
        let (sql, values) = holder_read(column, value);
        self.0
            .query_opt(&sql, &values)?
            .as_ref()
            .map(holder_from)
            .transpose()
    }
}
