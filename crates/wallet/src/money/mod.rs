//! Moving money: top-ups, withdrawals, transfers, receive codes, merchant payments both ways,
//! refunds, settlement, records and alerts.
//!
//! Every money call is plain code over [`MoneyTx`] run in one transaction that excludes every
//! other money transaction ([`RecordStore::transact_money`]): it checks the holder's status, the
//! limits and the idempotency row, applies the ledger entry, and writes the records, the inbox,
//! the SMS and webhook outboxes, the timers and the idempotency row with the reply — all or
//! nothing. A rule that refuses rolls the whole transaction back. Slow or outside work (the PIN's
//! own counter, bank calls) happens before or between such transactions, never inside one.

pub mod adjustment;
mod block_list;
mod call;

pub mod card_pay;

pub mod fees;

pub mod history;

pub mod limits;

pub mod maintenance;

pub mod merchant;

pub mod moves;

pub mod payload;

pub mod quote;

pub mod records;
// The people a holder sent money to lately.
pub mod recent_payees;

pub mod refund_password;
// The payer as a shop's receipt names them.
mod receipt;

pub mod replay;

pub mod review;
// The EMVCo QR texts shops show.
pub mod shop_codes;
// A closing's sweep of the whole balance to a card.
pub(crate) mod sweep;

mod throttles;

pub mod timers;

pub mod waiting;

pub mod webhooks;

mod entries;
mod error;
mod idempotency;
mod outcome;
mod policy;
pub(crate) mod risk;
mod use_cases;

pub use entries::{Step, entry_id};
pub(crate) use entries::{apply, leg, legs, operator_account, wallet_account};
pub use error::{MoneyError, RiskRefusal, SecondFactorRefusal};
pub use idempotency::{PinRead, Precheck};
pub(crate) use idempotency::{claim, finish, finish_claimed, open_at};
pub use outcome::{Beside, Done, IdempotencyKey, Render, Reply};
pub use policy::MoneyPolicy;
pub use risk::{Origin, SecondFactorProof, Trace, rejudge};
pub use use_cases::Money;

use crate::records::{HolderRecord, HolderStatus};

use crate::storage::RecordStore;

use crate::StoreError;

use qianbao_ledger::{Amount, Currency, PositiveAmount};

use records::{MoneyTx, NotificationRecord};

use std::sync::{Arc, Mutex};

impl Money {
    /// The time now (ms).
    pub fn now_ms(&self) -> i64 {
        self.ctx.now_ms()
    }

    /// Runs money rules in one exclusive transaction. A refusal rolls everything back; a storage
    /// failure is retried by the store where that is safe, else returned.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        store: &impl RecordStore,
        work: impl Fn(&mut dyn MoneyTx) -> Result<T, MoneyError> + Send + Sync + 'static,
    ) -> Result<T, MoneyError> {
        let refusal: Arc<Mutex<Option<MoneyError>>> = Arc::new(Mutex::new(None));
        let cell = refusal.clone();
        let result = store
            .transact_money(move |r| match work(r) {
                Ok(value) => Ok(value),
                Err(MoneyError::Store(e)) => Err(e),
                Err(other) => {
                    if let Ok(mut slot) = cell.lock() {
                        *slot = Some(other);
                    }
                    Err(StoreError::RolledBack)
                }
            })
            .await;
        match result {
            Ok(value) => Ok(value),
            Err(StoreError::RolledBack) => Err(refusal
                .lock()
                .ok()
                .and_then(|mut slot| slot.take())
                .unwrap_or_else(|| MoneyError::Internal("a refusal went missing".into()))),
            Err(e) => Err(MoneyError::Store(e)),
        }
    }

    /// Writes an alert (and its SMS, when large) inside the movement's transaction.
    pub(crate) fn alert(&self, r: &mut dyn MoneyTx, alert: Alert<'_>) -> Result<(), StoreError> {
        let now = self.now_ms();
        r.insert_notification(&NotificationRecord {
            id: 0,
            holder_id: alert.holder.id.clone(),
            kind: alert.kind.to_string(),
            title: alert.title.clone(),
            body: alert.body.clone(),
            title_en: alert.title_en,
            body_en: alert.body_en,
            movement_id: Some(alert.movement_id.to_string()),
            created_ms: now,
        })?;
        if alert.amount >= self.policy.alert_sms_minor {
            r.queue_sms(
                &alert.holder.phone,
                &format!(
                    "【钱包】{}：{}。如非本人操作，请立即冻结钱包。",
                    alert.title, alert.body
                ),
                None,
                now,
            )?;
        }
        Ok(())
    }

    /// Whether money calls are open: a maintenance window answers 503 `maintenance`.
    pub async fn check_open(&self, store: &impl RecordStore) -> Result<(), MoneyError> {
        open_at(maintenance::current(store).await?, self.now_ms())
    }
}

pub use crate::domain::yuan::yuan;

/// An amount as the inbox shows it: `¥1,000.00` in yuan, `100.00 USD` in another currency.
pub fn money_text(amount: Amount, currency: Currency) -> String {
    if currency == Currency::CNY {
        yuan(amount)
    } else {
        crate::fx::major(amount, currency)
    }
}

/// The holder as they stand now, refused unless money may leave their wallet.
pub(crate) fn active_holder(
    r: &mut dyn MoneyTx,
    holder_id: &str,
) -> Result<HolderRecord, MoneyError> {
    let holder = r.holder(holder_id)?.ok_or(MoneyError::NotFound)?;
    match holder.status {
        HolderStatus::Active => Ok(holder),
        HolderStatus::Frozen => Err(MoneyError::Frozen),
        HolderStatus::Restricted => Err(MoneyError::Restricted),
        HolderStatus::Closed => Err(MoneyError::NotFound),
    }
}

/// Refused unless money sent by someone else may reach `payee`: a restriction stops money leaving
/// a wallet, not reaching it.
pub(crate) fn payee_may_receive(payee: &HolderRecord) -> Result<(), MoneyError> {
    match payee.status {
        HolderStatus::Active | HolderStatus::Restricted => Ok(()),
        HolderStatus::Frozen => Err(MoneyError::InvalidPayee("frozen")),
        HolderStatus::Closed => Err(MoneyError::InvalidPayee("closed")),
    }
}

/// The holder as they stand now, refused unless they may take money in by their own call (a
/// claim): a frozen wallet is told so, a closed one is not found; a restricted one may.
pub(crate) fn receiving_holder(
    r: &mut dyn MoneyTx,
    holder_id: &str,
) -> Result<HolderRecord, MoneyError> {
    let holder = r.holder(holder_id)?.ok_or(MoneyError::NotFound)?;
    match holder.status {
        HolderStatus::Active | HolderStatus::Restricted => Ok(holder),
        HolderStatus::Frozen => Err(MoneyError::Frozen),
        HolderStatus::Closed => Err(MoneyError::NotFound),
    }
}

/// How a holder appears to others: the masked real name, or the masked phone before verification.
pub(crate) fn shown_name(r: &mut dyn MoneyTx, holder: &HolderRecord) -> Result<String, StoreError> {
    Ok(match r.identity(&holder.id)? {
        Some(identity) => identity.masked_name,
        None => crate::domain::Phone::parse(&holder.phone)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "****".into()),
    })
}

/// An alert in the holder's inbox, and by SMS too when the amount is large.
pub(crate) struct Alert<'a> {
    pub(crate) holder: &'a HolderRecord,
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) title_en: String,
    pub(crate) body_en: String,
    pub(crate) movement_id: &'a str,
    pub(crate) amount: Amount,
}

/// Checks an amount from the wire: whole, positive, at most `max`.
pub fn amount(value: i64, max: Amount) -> Result<PositiveAmount, MoneyError> {
    PositiveAmount::new(value)
        .filter(|a| a.minor() <= max.minor())
        .ok_or(MoneyError::AmountInvalid)
}

/// The currencies a bound card moves: yuan only (they are Chinese bank cards). What else a wallet
/// holds comes from conversions, transfers and refunds, checked against the operator's enabled
/// currencies instead (`Money::enabled_currency`).
pub const SUPPORTED_CURRENCIES: &[Currency] = &[Currency::CNY];

/// A top-up's currency from the wire, `CNY` when absent; a code that is not one of
/// [`SUPPORTED_CURRENCIES`] (`XYZ`, `USD`, `cny`) is `currency_unsupported`.
pub fn currency(code: Option<&str>) -> Result<Currency, MoneyError> {
    match code {
        None => Ok(Currency::CNY),
        Some(code) => Currency::parse(code)
            .filter(|c| SUPPORTED_CURRENCIES.contains(c))
            .ok_or(MoneyError::CurrencyUnsupported),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_of_a_movement_has_its_own_entry_id() {
        let ids = crate::ids::Ids::new(
            std::sync::Arc::new(crate::SystemClock),
            std::sync::Arc::new(crate::OsRandomness),
        );
        let id = ids.movement_id();
        let (m, p, v) = (
            entry_id(&id, Step::Move),
            entry_id(&id, Step::Post),
            entry_id(&id, Step::Void),
        );
        assert!(m != p && p != v && m != v);
        assert_eq!(
            m,
            entry_id(&id, Step::Move),
            "the same step gets the same id again"
        );
        let other = ids.movement_id();
        assert_ne!(entry_id(&other, Step::Move), m);
    }

    #[test]
    fn amounts_must_be_positive_and_bounded() {
        let ten = Amount::from_minor(10);
        assert!(amount(0, ten).is_err());
        assert!(amount(-1, ten).is_err());
        assert!(amount(11, ten).is_err());
        assert_eq!(amount(10, ten).ok().map(PositiveAmount::minor), Some(10));
    }

    #[test]
    fn only_supported_currencies_are_accepted() {
        assert_eq!(currency(None).ok(), Some(Currency::CNY));
        assert_eq!(currency(Some("CNY")).ok(), Some(Currency::CNY));
        for code in ["XYZ", "USD", "cny", "", "人民币"] {
            assert!(currency(Some(code)).is_err(), "{code:?}");
        }
    }
}
