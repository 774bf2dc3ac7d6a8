//! Paying a looked-up bill: the holder's PIN is checked by the caller first (auto-pay has none:
//! the holder agreed to it when switching it on); the biller is asked again, so a bill whose
//! amount changed is refused before any money moves; then one money transaction takes the money
//! into bills payable and records the intent, the biller is told outside it, and a second
//! transaction applies its answer and stores the reply with the key — as a top-up does with the
//! bank, so a crash between the two leaves the reconcile timer, never a lost payment.

use super::account::BillAccount;
use super::lookup::unavailable;
use super::port::{BillOrder, LookedUp};
use super::records::{BillLookupRecord, BillPaymentRecord, BillPaymentStatus};
use super::settle::reconcile_timer_id;
use crate::money::limits;
use crate::money::moves::{SPENDING, Side};
use crate::money::records::{
    Channel, Direction, IdempotencyRecord, IdempotencyState, MovementKind, MovementStatus,
    TimerKind, TimerRecord,
};
use crate::money::risk::{Ask, Asker, Origin, Payee, Subject};
use crate::money::{
    Done, IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply, claim, entry_id,
    finish, leg, legs, operator_account, wallet_account,
};
use crate::records::HolderRecord;
use crate::risk::CallKind;
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction, PositiveAmount};

/// How soon the reconcile timer first asks the biller about a payment it did not confirm.
pub(crate) const RECONCILE_FIRST_MS: i64 = 30_000;

/// What the first transaction decided: the movement the biller is told of, and this attempt.
struct Intent {
    movement_id: String,
    attempt: String,
}

impl Money {
    /// Pays the holder's look-up `bill_id` from their wallet. The PIN was checked by the caller
    /// (or, for auto-pay, the holder's standing consent stands in for it). Refused with
    /// `bill_not_found` (not theirs, unknown, expired), `bill_already_paid`,
    /// `bill_amount_changed`, `biller_unavailable`, or a payment's own refusals (balance,
    /// limits, risk). The reply says `succeeded`, `pending` (the biller's answer is awaited) or
    /// `failed` (the biller refused after the money left; it is back in the wallet).
    #[allow(clippy::too_many_arguments)]
    pub async fn pay_bill(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        bill_id: &str,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
        autopay: bool,
    ) -> Result<Done, MoneyError> {
        let now = self.now_ms();
        let (holder_id, wanted) = (holder.id.clone(), bill_id.to_string());
        let (lookup, already) = store
            .transact_read(move |r| {
                let Some(lookup) = r.bill_lookup(&wanted)? else {
                    return Ok((None, None));
                };
                let open = r.open_bill_payment(&lookup.biller_id, &lookup.reference)?;
                Ok((Some(lookup), open))
            })
            .await?;
        // Another holder's look-up is not found, like any id of someone else's.
        let lookup = lookup
            .filter(|l| l.holder_id == holder_id)
            .ok_or(MoneyError::BillNotFound)?;
        if already.is_none() {
            // Only when we have not paid it ourselves: our own payment would make the biller
            // say "paid", and a retry of it (same key) must reach the key's own answer.
            if now >= lookup.expires_ms {
                return Err(MoneyError::BillNotFound);
            }
            self.still_due(&lookup).await?;
        }
        let amount = PositiveAmount::new(lookup.amount.minor()).ok_or(MoneyError::AmountInvalid)?;
        let intent = self
            .bill_intent(store, &lookup, amount, origin, key, autopay, now)
            .await?;
        let order = BillOrder {
            payment_id: intent.movement_id.clone(),
            biller_id: lookup.biller_id.clone(),
            reference: lookup.reference.clone(),
            amount,
        };
        let answer = self.billers.pay(&order).await;
        // Second transaction: the biller's answer, and the reply kept with the key.
        let (key, money, now) = (key.clone(), self.clone(), self.now_ms());
        self.run(store, move |r| {
            let row = r.idempotency(&key.caller, &key.key)?;
            if row.as_ref().is_none_or(|row| {
                row.attempt != intent.attempt || row.state != IdempotencyState::Running
            }) {
                // Another attempt took over, or finished: it owns the answer.
                return Err(MoneyError::IdempotencyInProgress);
            }
            let done = money.settle_bill(r, &intent.movement_id, &answer, now)?;
            let timer = reconcile_timer_id(&intent.movement_id);
            if done.status == MovementStatus::Pending {
                r.reschedule_timer(&timer, now + RECONCILE_FIRST_MS, 0)?;
            } else {
                r.delete_timer(&timer)?;
            }
            finish(
                r,
                &key,
                &intent.movement_id,
                &render.reply(done.clone()),
                now,
            )?;
            Ok(done)
        })
        .await
    }

    /// Asks the biller whether the looked-up bill is still due as it was.
    async fn still_due(&self, lookup: &BillLookupRecord) -> Result<(), MoneyError> {
        let account = BillAccount::parse(&lookup.account)
            .ok_or_else(|| MoneyError::Internal("a stored bill account does not parse".into()))?;
        match self.billers.look_up(&lookup.biller_id, &account).await {
            Ok(LookedUp::Due(bill))
                if bill.reference == lookup.reference
                    && Amount::from(bill.amount) == lookup.amount =>
            {
                Ok(())
            }
            // Another amount, or another bill under the account (a new period): what the holder
            // saw is no longer what would be paid.
            Ok(LookedUp::Due(_)) => Err(MoneyError::BillAmountChanged),
            Ok(LookedUp::AlreadyPaid) => Err(MoneyError::BillAlreadyPaid),
            Ok(LookedUp::NotFound) => Err(MoneyError::BillNotFound),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// The first transaction: the key claimed, the payment's checks, the money into bills
    /// payable, the pending movement and payment, the reconcile timer, the key left running.
    #[allow(clippy::too_many_arguments)]
    async fn bill_intent(
        &self,
        store: &impl RecordStore,
        lookup: &BillLookupRecord,
        amount: PositiveAmount,
        origin: &Origin,
        key: &IdempotencyKey,
        autopay: bool,
        now: i64,
    ) -> Result<Intent, MoneyError> {
        let ids = self.ctx.ids.clone();
        let asker = Asker::new(origin, key, CallKind::Pay);
        let stale = self.policy.idempotency_stale_ms;
        let (money, lookup, key_in) = (self.clone(), lookup.clone(), key.clone());
        let intent = self.run(store, move |r| {
            let key = &key_in;
            if let Some(row) = claim(r, key, now, stale)? {
                // A crashed or timed-out attempt: take it over with the same payment, whose id
                // the biller may already know (it dedupes by it).
                let attempt = ids.movement_id();
                r.put_idempotency(&row.taken_over(&attempt, now))?;
                return Ok(Intent {
                    movement_id: row.resource_id,
                    attempt,
                });
            }
            let holder = active_holder(r, &lookup.holder_id)?;
            // Money transactions run one at a time, so of two payments of one bill racing under
            // different keys the second finds the first here (the unique index is the backstop).
            if r.open_bill_payment(&lookup.biller_id, &lookup.reference)?
                .is_some()
            {
                return Err(MoneyError::BillAlreadyPaid);
            }
            let wallet = wallet_account(r, &holder.wallet_id, Currency::CNY)?;
            let spent = r.spent_since(&holder.id, limits::day_start_ms(now), SPENDING)?;
            limits::check_spending(&money.levels.at(holder.kyc_level), spent, amount)
                .map_err(MoneyError::LimitExceeded)?;
            if wallet.available() < amount.amount() {
                return Err(MoneyError::InsufficientBalance);
            }
            let id = ids.movement_id();
            let payee = format!("biller:{}", lookup.biller_id);
            // A bill cannot wait for a reviewer: as at a shop, a hold is a block here.
            money.screen(
                r,
                &asker,
                &Ask {
                    subject: Subject::Holder(&holder),
                    payee: Payee::Merchant(&payee),
                    amount: amount.amount(),
                    movement_id: &id,
                },
                now,
            )?;
            let payable = operator_account(r, AccountKind::BillPayable, Currency::CNY)?;
            apply(
                r,
                &Instruction::Transfer {
                    id: entry_id(&id, Step::Move),
                    postings: legs([
                        leg(&wallet, -amount.amount()),
                        leg(&payable, amount.amount()),
                    ]),
                },
            )?;
            let account = BillAccount::parse(&lookup.account)
                .map(|a| a.masked())
                .unwrap_or_default();
            let shown = format!("{} {account}", lookup.biller_name);
            r.insert_movement(
                &Side {
                    id: &id,
                    owner_id: &holder.id,
                    kind: MovementKind::Bill,
                    direction: Direction::Out,
                    channel: Channel::Bill,
                    amount: amount.amount(),
                    fee: Amount::ZERO,
                    currency: Currency::CNY,
                    counterparty: &shown,
                    peer_id: None,
                    status: MovementStatus::Pending,
                    memo: &lookup.period,
                    entry: Some(entry_id(&id, Step::Move)),
                    card_id: None,
                }
                .record(now),
            )?;
            r.insert_bill_payment(&BillPaymentRecord {
                movement_id: id.clone(),
                holder_id: holder.id.clone(),
                lookup_id: lookup.id.clone(),
                biller_id: lookup.biller_id.clone(),
                biller_name: lookup.biller_name.clone(),
                account: lookup.account.clone(),
                reference: lookup.reference.clone(),
                amount: amount.amount(),
                period: lookup.period.clone(),
                status: BillPaymentStatus::Pending,
                receipt: None,
                autopay,
                created_ms: now,
                updated_ms: now,
            })?;
            // Set now, so a crash before the biller's answer is recorded still gets reconciled.
            r.insert_timer(&TimerRecord {
                id: reconcile_timer_id(&id),
                kind: TimerKind::BillReconcile,
                subject: id.clone(),
                due_ms: now + stale,
                attempts: 0,
                created_ms: now,
            })?;
            let attempt = ids.movement_id();
            r.put_idempotency(&IdempotencyRecord {
                caller: key.caller.clone(),
                key: key.key.clone(),
                request_digest: key.digest.clone(),
                state: IdempotencyState::Running,
                attempt: attempt.clone(),
                resource_id: id.clone(),
                status: None,
                body: None,
                created_ms: now,
                updated_ms: now,
            })?;
            Ok(Intent {
                movement_id: id,
                attempt,
            })
        });
        self.keep_risk_refusal(store, key, intent.await).await
    }
}
