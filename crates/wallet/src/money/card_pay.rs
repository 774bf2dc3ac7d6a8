//! Paying a merchant straight from a bound card (或直接使用绑定的银行卡进行支付) instead of the
//! balance.
//!
//! **Why the money goes from bank clearing to the merchant, not through the wallet.** The bank's
//! debit of the card lands in bank clearing, as a top-up's does; the payment then moves it from
//! there to the merchant (less the merchant's fee) in one ledger entry. Passing it through the
//! payer's wallet would tie a card payment to the balance's own rules (the balance cap of the
//! payer's level could refuse a payment the card can make, and a failure between the two steps
//! would leave money "topped up" that was meant for a shop). The balance is never touched.
//!
//! **Fees.** The payer pays none, credit card or not: the credit-card fee of a top-up pays for
//! money parked in a wallet, while here the merchant's fee applies as for any payment and covers
//! the card's cost. A change would go through the fee schedule.
//!
//! **The flow** is a top-up's: a first transaction checks every rule of a merchant payment (the
//! payer, the shop, the limits, risk control) and writes the payment `pending` with its card, a
//! reconcile timer and the key's running row; the bank is asked outside any transaction with the
//! payment's id as its reference (so asking again never takes money twice); a second transaction
//! applies the answer. A refusal fails the payment and moves nothing; no answer leaves it pending
//! and the key free for the payer's retry (same key: the bank is asked again with the same
//! reference). A payer who never retries is settled by the reconciler after
//! [`CARD_RETRY_WINDOW_MS`]: by then the till has given up, so money the bank did take goes to
//! the payer's balance as a top-up, never to the shop late.

use super::moves::{OpenCard, Side, reconcile_timer_id};
use super::payload::Payload;
use super::records::{
    BankConfirmation, Channel, Direction, IdempotencyRecord, IdempotencyState, MoneyTx,
    MovementKind, MovementRecord, MovementStatus, OrderStatus, TimerKind, TimerRecord,
};
use super::risk::{Asker, Origin};
use super::{
    Alert, Done, IdempotencyKey, Money, MoneyError, Render, Step, apply, claim, entry_id, finish,
    leg, legs, operator_account, wallet_account, yuan,
};
use crate::domain::BankKind;
use crate::records::HolderRecord;
use crate::risk::CallKind;
use crate::storage::RecordStore;
use crate::{BankMovement, BankOutcome, ConnectorError};
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction, PositiveAmount};

/// How long a card payment the bank did not answer waits for the payer's retry before the
/// reconciler settles it.
pub const CARD_RETRY_WINDOW_MS: i64 = 5 * 60_000;

/// What a card payment pays, read from its code.
#[derive(Clone)]
struct Target {
    merchant_id: String,
    amount: PositiveAmount,
    channel: Channel,
    description: String,
}

/// How the bank's answer left a card payment.
enum Settled {
    /// As it stands: paid, still pending, or ended before.
    AsIs(Done),
    /// Refused by the bank: nothing moved.
    Refused(BankOutcome),
    /// The bank took the money but the order was paid meanwhile: the money is in the balance.
    ToBalance,
}

/// What the first transaction left for the bank.
enum Intent {
    /// Ask the bank for the payment `movement_id` of `amount`, as attempt `attempt`.
    Ask {
        movement_id: String,
        attempt: String,
        amount: Amount,
    },
    /// An earlier attempt finished it.
    Settled(Done),
}

impl Money {
    /// Pays a merchant's static code or order from the holder's bound card `card_id` (see the
    /// module's notes): the bank debits the card and the merchant is paid, once, or nothing
    /// moves. A holder's receive code is not paid from a card (`invalid_field` `card_id`).
    #[allow(clippy::too_many_arguments)]
    pub async fn pay_by_card(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        payload: &str,
        amount: Option<PositiveAmount>,
        card_id: &str,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let asker = Asker::new(origin, key, CallKind::Pay);
        let (payload, stated) = super::moves::read_code(payload)?;
        let card = self.active_card(store, &holder.id, card_id).await?;
        let order_id = match &payload {
            Payload::Order { order_id } => Some(order_id.clone()),
            _ => None,
        };
        let now = self.now_ms();
        let stale = self.policy.idempotency_stale_ms;
        let max = self.policy.amount_max_minor;
        let intent = {
            let (key, payer_id, card_id, money) = (
                key.clone(),
                holder.id.clone(),
                card_id.to_string(),
                self.clone(),
            );
            let asked = key.clone();
            let intent = self.run(store, move |r| {
                let running = claim(r, &key, now, stale)?;
                if let Some(row) = running {
                    return money.take_over(r, &key, &row, render, now);
                }
                let target = target(r, &payload, stated, amount, max, now)?;
                let id = ids.movement_id();
                let checked = money.merchant_checks(
                    r,
                    None,
                    &payer_id,
                    &target.merchant_id,
                    target.amount,
                    target.channel,
                    false,
                    &asker,
                    &id,
                    now,
                )?;
                let amount = target.amount.amount();
                r.insert_movement(
                    &Side {
                        id: &id,
                        owner_id: &payer_id,
                        kind: MovementKind::Payment,
                        direction: Direction::Out,
                        channel: target.channel,
                        amount,
                        fee: Amount::ZERO,
                        currency: Currency::CNY,
                        counterparty: &checked.merchant.name,
                        peer_id: Some(&checked.merchant.id),
                        status: MovementStatus::Pending,
                        memo: &target.description,
                        entry: Some(entry_id(&id, Step::Move)),
                        card_id: Some(&card_id),
                    }
                    .record(now),
                )?;
                // Set now, so a crash before the bank's answer is recorded still gets settled.
                r.insert_timer(&TimerRecord {
                    id: reconcile_timer_id(&id),
                    kind: TimerKind::TopupReconcile,
                    subject: id.clone(),
                    due_ms: now + CARD_RETRY_WINDOW_MS,
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
                Ok(Intent::Ask {
                    movement_id: id,
                    attempt,
                    amount,
                })
            });
            self.keep_risk_refusal(store, &asked, intent.await).await?
        };
        let (movement_id, attempt, amount) = match intent {
            Intent::Settled(done) => return Ok(done),
            Intent::Ask {
                movement_id,
                attempt,
                amount,
            } => (movement_id, attempt, amount),
        };
        let answer = self
            .kyc
            .bank
            .debit(&debit(&movement_id, &card, amount))
            .await;
        let key = key.clone();
        let now = self.now_ms();
        let money = self.clone();
        let settled = self
            .run(store, move |r| {
                let row = r
                    .idempotency(&key.caller, &key.key)?
                    .filter(|row| row.attempt == attempt && row.state == IdempotencyState::Running)
                    // Another attempt took over, or finished: it owns the answer.
                    .ok_or(MoneyError::IdempotencyInProgress)?;
                let settled = money.settle_card_payment(
                    r,
                    &movement_id,
                    order_id.as_deref(),
                    &answer,
                    now,
                )?;
                let timer = reconcile_timer_id(&movement_id);
                match &settled {
                    Settled::AsIs(done) if done.status == MovementStatus::Pending => {
                        r.reschedule_timer(&timer, now + CARD_RETRY_WINDOW_MS, 0)?;
                        // No answer is no refusal: the key is left free at once, so the payer's
                        // retry asks the bank again (with the same reference) without waiting.
                        r.put_idempotency(&IdempotencyRecord {
                            updated_ms: now - stale,
                            ..row
                        })?;
                    }
                    Settled::AsIs(done) if done.status == MovementStatus::Succeeded => {
                        r.delete_timer(&timer)?;
                        finish(r, &key, &movement_id, &render.reply(done.clone()), now)?;
                    }
                    // A refusal's reply is kept by the caller's error path, like any refusal's.
                    _ => r.delete_timer(&timer)?,
                }
                Ok(settled)
            })
            .await?;
        match settled {
            Settled::Refused(BankOutcome::InsufficientFunds) => {
                Err(MoneyError::BankInsufficientFunds)
            }
            Settled::Refused(_) => Err(MoneyError::BankRejected),
            Settled::ToBalance => Err(MoneyError::OrderPaid),
            Settled::AsIs(done) => match done.status {
                MovementStatus::Succeeded => Ok(done),
                MovementStatus::Pending => Err(MoneyError::BankUnavailable),
                _ => Err(MoneyError::BankRejected),
            },
        }
    }

    /// A retry that takes over its key's running row: a payment still pending is asked of the
    /// bank again; one settled since is answered as it stands.
    fn take_over(
        &self,
        r: &mut dyn MoneyTx,
        key: &IdempotencyKey,
        row: &IdempotencyRecord,
        render: Render<Done>,
        now: i64,
    ) -> Result<Intent, MoneyError> {
        let ids = self.ctx.ids.clone();
        let m = r
            .movement(&row.resource_id)?
            .ok_or(MoneyError::IdempotencyInProgress)?;
        match m.status {
            MovementStatus::Pending => {
                let attempt = ids.movement_id();
                r.put_idempotency(&row.taken_over(&attempt, now))?;
                Ok(Intent::Ask {
                    movement_id: m.id,
                    attempt,
                    amount: m.amount,
                })
            }
            MovementStatus::Succeeded => {
                let done = done_of(&m);
                finish(r, key, &m.id, &render.reply(done.clone()), now)?;
                Ok(Intent::Settled(done))
            }
            // Settled by the reconciler as not paid.
            _ => Err(MoneyError::BankRejected),
        }
    }

    /// Applies the bank's answer on a pending card payment inside a money transaction: on `Done`
    /// the merchant is paid from bank clearing; a refusal fails the payment; no answer leaves it
    /// pending. Rules were checked when the payment was written: the bank
    /// has taken the money now, so only an order paid meanwhile by another payment stops it, and
    /// then the money goes to the payer's balance.
    fn settle_card_payment(
        &self,
        r: &mut dyn MoneyTx,
        movement_id: &str,
        order_id: Option<&str>,
        answer: &Result<BankOutcome, ConnectorError>,
        now: i64,
    ) -> Result<Settled, MoneyError> {
        let m = r.movement(movement_id)?.ok_or(MoneyError::NotFound)?;
        if m.status != MovementStatus::Pending {
            return Ok(Settled::AsIs(done_of(&m)));
        }
        match answer {
            Ok(BankOutcome::Done { bank_reference }) => {
                confirm(r, &m, bank_reference, now)?;
                let taken = match order_id {
                    Some(id) => r.order(id)?.is_some_and(|o| {
                        o.status == OrderStatus::Paid && o.payment_id.as_deref() != Some(&m.id)
                    }),
                    None => false,
                };
                if taken {
                    self.to_balance(r, &m, now)?;
                    return Ok(Settled::ToBalance);
                }
                let payer = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
                let merchant_id = m.peer_id.clone().unwrap_or_default();
                let merchant = r
                    .merchant(&merchant_id)?
                    .ok_or(MoneyError::MerchantUnavailable)?;
                let positive =
                    PositiveAmount::new(m.amount.minor()).ok_or(MoneyError::AmountInvalid)?;
                let checked = super::merchant::MerchantChecked {
                    payer,
                    merchant,
                    fee: self.fees.merchant(positive),
                };
                let clearing = operator_account(r, AccountKind::BankClearing, m.currency)?;
                let done = self.merchant_paid(
                    r,
                    &checked,
                    &super::merchant::MerchantPayment {
                        id: &m.id,
                        amount: m.amount,
                        from: &clearing,
                        order_id,
                        channel: m.channel,
                        description: &m.memo,
                        card_id: m.card_id.as_deref(),
                        fx: None,
                        coupon: None,
                        beside: Vec::new(),
                    },
                    now,
                )?;
                Ok(Settled::AsIs(done))
            }
            Ok(refusal) => {
                r.set_movement_status(&m.id, MovementStatus::Failed, now)?;
                Ok(Settled::Refused(refusal.clone()))
            }
            Err(ConnectorError::Unavailable(_)) => Ok(Settled::AsIs(done_of(&m))),
            Err(ConnectorError::Protocol(e)) => Err(MoneyError::Internal(e.clone())),
        }
    }

    /// The reconciler's end of a card payment the payer never retried: what the bank took goes
    /// to the payer's balance (the till has given up on it), a refusal fails it.
    pub(crate) fn reconcile_card_payment(
        &self,
        r: &mut dyn MoneyTx,
        movement_id: &str,
        answer: &Result<BankOutcome, ConnectorError>,
        now: i64,
    ) -> Result<(), MoneyError> {
        let Some(m) = r.movement(movement_id)? else {
            return Ok(());
        };
        if m.status != MovementStatus::Pending {
            return Ok(());
        }
        match answer {
            Ok(BankOutcome::Done { bank_reference }) => {
                confirm(r, &m, bank_reference, now)?;
                self.to_balance(r, &m, now)
            }
            Ok(_) => Ok(r.set_movement_status(&m.id, MovementStatus::Failed, now)?),
            Err(ConnectorError::Unavailable(e) | ConnectorError::Protocol(e)) => {
                Err(MoneyError::Internal(e.clone()))
            }
        }
    }

    /// Money the bank took for a card payment that cannot be made goes to the payer's balance:
    /// the payment fails and a top-up from the same card stands in its place, under its entry.
    fn to_balance(
        &self,
        r: &mut dyn MoneyTx,
        m: &MovementRecord,
        now: i64,
    ) -> Result<(), MoneyError> {
        let ids = self.ctx.ids.clone();
        let holder = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
        let wallet = wallet_account(r, &holder.wallet_id, m.currency)?;
        let clearing = operator_account(r, AccountKind::BankClearing, m.currency)?;
        apply(
            r,
            &Instruction::Transfer {
                id: entry_id(&m.id, Step::Move),
                postings: legs([leg(&clearing, -m.amount), leg(&wallet, m.amount)]),
            },
        )?;
        r.set_movement_status(&m.id, MovementStatus::Failed, now)?;
        let card = match m.card_id.as_deref() {
            Some(card_id) => r
                .card(&holder.id, card_id)?
                .map(|c| format!("{} ****{}", c.bank_name, c.last4))
                .unwrap_or_default(),
            None => String::new(),
        };
        let id = ids.movement_id();
        r.insert_movement(
            &Side {
                id: &id,
                owner_id: &holder.id,
                kind: MovementKind::Topup,
                direction: Direction::In,
                channel: Channel::Card,
                amount: m.amount,
                fee: Amount::ZERO,
                currency: m.currency,
                counterparty: &card,
                peer_id: None,
                status: MovementStatus::Succeeded,
                memo: "",
                entry: Some(entry_id(&m.id, Step::Move)),
                card_id: m.card_id.as_deref(),
            }
            .record(now),
        )?;
        self.alert(
            r,
            Alert {
                holder: &holder,
                kind: "topup",
                title: "付款未完成".into(),
                body: format!(
                    "向{} 的付款未完成，已从{}扣款的 {} 转入钱包余额",
                    m.counterparty,
                    card,
                    yuan(m.amount)
                ),
                title_en: "Payment not made".into(),
                body_en: format!(
                    "The payment to {} was not made; the {} taken from {} is in your balance",
                    m.counterparty,
                    yuan(m.amount),
                    card
                ),
                movement_id: &id,
                amount: m.amount,
            },
        )?;
        Ok(())
    }
}

/// What a card payment pays, with the same checks `POST /v1/pay` makes of the code.
fn target(
    r: &mut dyn MoneyTx,
    payload: &Payload,
    stated: Option<(Currency, i64)>,
    amount: Option<PositiveAmount>,
    max: Amount,
    now: i64,
) -> Result<Target, MoneyError> {
    match payload {
        Payload::Merchant { merchant_id } => Ok(Target {
            merchant_id: merchant_id.clone(),
            amount: amount.ok_or(MoneyError::AmountInvalid)?,
            channel: Channel::StaticQr,
            description: String::new(),
        }),
        Payload::Order { order_id } => {
            let order = r
                .order(order_id)?
                .ok_or(MoneyError::PayloadInvalid("unknown_code"))?;
            if !super::moves::states(stated, &order) {
                return Err(MoneyError::PayloadInvalid("amount_mismatch"));
            }
            if order.status == OrderStatus::Paid {
                return Err(MoneyError::OrderPaid);
            }
            if now >= order.expires_ms {
                return Err(MoneyError::OrderExpired);
            }
            // Cards are yuan cards: an order priced in another currency is paid from the balance
            // through a quote.
            if order.currency != qianbao_ledger::Currency::CNY {
                return Err(MoneyError::CurrencyUnsupported);
            }
            Ok(Target {
                merchant_id: order.merchant_id,
                amount: super::amount(order.amount.minor(), max)?,
                channel: Channel::Order,
                description: order.description,
            })
        }
        // A card pays shops only: money from a card to another holder is a cash advance.
        Payload::Receive { .. } => Err(MoneyError::InvalidField("card_id")),
    }
}

/// The bank's debit of `card` for the card payment `movement_id`, under its id.
fn debit(movement_id: &str, card: &OpenCard, amount: Amount) -> BankMovement {
    BankMovement {
        reference: movement_id.to_string(),
        // A debit of the card, as a top-up's: the bank's statement line is matched alike.
        kind: BankKind::Topup,
        card_token: card.token.clone(),
        card_number: card.number.clone(),
        amount_minor: amount.minor(),
        currency: Currency::CNY.as_str().to_string(),
    }
}

/// What the bank took from the card, under its reference: what its statement will show.
fn confirm(
    r: &mut dyn MoneyTx,
    m: &MovementRecord,
    bank_reference: &crate::domain::BankReference,
    now: i64,
) -> Result<(), MoneyError> {
    r.confirm_at_bank(&BankConfirmation {
        movement_id: m.id.clone(),
        bank_reference: bank_reference.clone(),
        kind: BankKind::Topup,
        amount: m.amount,
        currency: m.currency,
        confirmed_ms: now,
    })?;
    Ok(())
}

/// A payment's record as a money call's outcome.
fn done_of(m: &MovementRecord) -> Done {
    Done {
        id: m.id.clone(),
        status: m.status,
        amount: m.amount,
        fee: Amount::ZERO,
        currency: m.currency,
        payee: Some(m.counterparty.clone()),
        discount: Amount::ZERO,
        beside: Default::default(),
    }
}
