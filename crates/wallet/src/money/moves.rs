//! A holder's own money calls: top-up from a card, withdrawal to a card, transfer to another
//! holder (now or delayed), paying a scanned code, and the cancelling of a delayed transfer.

use super::fees::FeeSchedule;
use super::limits;
use super::money_text;
use super::payload::Payload;
use super::records::{
    BankConfirmation, Channel, Direction, IdempotencyState, MoneyTx, MovementKind, MovementRecord,
    MovementStatus, OrderStatus, ReadAhead, TimerKind, TimerRecord,
};
use super::review::HeldPayment;
use super::risk::{Ask, Asker, Origin, Payee as PaidTo, Subject};
use super::{
    Alert, Done, IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply, claim,
    entry_id, finish, leg, legs, operator_account, shown_name, wallet_account, yuan,
};
use crate::domain::{BankKind, CardType, Phone};
use crate::fx::QuotePurpose;
use crate::records::{CardRecord, CardStatus, HolderRecord, HolderStatus};
use crate::risk::{CallKind, Verdict};
use crate::storage::RecordStore;
use crate::{AccountOwner, BankMovement, BankOutcome, ConnectorError};
use qianbao_ledger::{AccountKind, Amount, Currency, Instruction, PositiveAmount};
use qianbao_secrets::field::open;

/// The channels whose payments count toward a holder's per-day limit.
pub const SPENDING: &[Channel] = &[
    Channel::Transfer,
    Channel::ReceiveCode,
    Channel::StaticQr,
    Channel::Order,
    Channel::PaymentCode,
    Channel::PaymentCodeFree,
    Channel::RedPacket,
    Channel::Bill,
    Channel::Transit,
    Channel::GiftCard,
];

/// Where a transfer goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayeeRef {
    /// The payee's phone.
    Phone(Phone),
    /// The payee's wallet id.
    Wallet(String),
}

/// How long a delayed transfer (延时到账) waits before it arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Two hours.
    TwoHours,
    /// A day.
    OneDay,
}

impl Delay {
    /// Reads `2h` or `24h`.
    pub fn parse(text: &str) -> Option<Delay> {
        match text {
            "2h" => Some(Delay::TwoHours),
            "24h" => Some(Delay::OneDay),
            _ => None,
        }
    }

    fn ms(self) -> i64 {
        match self {
            Delay::TwoHours => 2 * 3_600_000,
            Delay::OneDay => 24 * 3_600_000,
        }
    }
}

/// A transfer as the payer asked for it.
#[derive(Clone, Debug)]
pub struct TransferRequest {
    /// To whom.
    pub to: PayeeRef,
    /// How much.
    pub amount: PositiveAmount,
    /// Which currency.
    pub currency: Currency,
    /// The payer's note.
    pub memo: String,
    /// Arrive later, cancellable until then.
    pub delay: Option<Delay>,
    /// For a payee who does not hold `currency`: the quote (from `POST /v1/fx/quotes` with
    /// their wallet id) that delivers it in their main currency.
    pub quote_id: Option<String>,
}

/// A payee as the payer sees them before confirming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payee {
    /// Their wallet id.
    pub wallet_id: String,
    /// Their masked real name (`*三`), or masked phone before verification.
    pub masked_name: String,
    /// The currency money arrives in when they do not hold the one sent.
    pub main_currency: Currency,
}

/// What a scanned code will pay, as the payer sees it before typing the payment password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scanned {
    /// `receive` (a holder's receive code), `merchant` (a shop's static code) or `order`.
    pub kind: &'static str,
    /// The payee as shown: a holder's masked name, or the shop's name.
    pub payee_name: String,
    /// The amount fixed by the code; `None` when the payer types it.
    pub amount: Option<Amount>,
    /// Which currency.
    pub currency: Currency,
    /// An order's description.
    pub description: String,
    /// When an order stops taking payment (ms).
    pub expires_ms: Option<i64>,
    /// The order's id, for an order: a payer quoted for a foreign-priced one quotes for it.
    pub order_id: Option<String>,
    /// The shop paid, for a shop's static code or order: the app offers the holder's coupons
    /// for that shop; `None` for a holder's receive code.
    pub merchant_id: Option<String>,
}

/// What one movement writes for its owner.
pub(crate) struct Side<'a> {
    pub(crate) id: &'a str,
    pub(crate) owner_id: &'a str,
    pub(crate) kind: MovementKind,
    pub(crate) direction: Direction,
    pub(crate) channel: Channel,
    pub(crate) amount: Amount,
    pub(crate) fee: Amount,
    pub(crate) currency: Currency,
    pub(crate) counterparty: &'a str,
    pub(crate) peer_id: Option<&'a str>,
    pub(crate) status: MovementStatus,
    pub(crate) memo: &'a str,
    pub(crate) entry: Option<qianbao_ledger::EntryId>,
    pub(crate) card_id: Option<&'a str>,
}

impl Side<'_> {
    pub(crate) fn record(&self, now_ms: i64) -> MovementRecord {
        MovementRecord {
            id: self.id.to_string(),
            owner_id: self.owner_id.to_string(),
            kind: self.kind,
            direction: self.direction,
            channel: self.channel,
            amount: self.amount,
            fee: self.fee,
            currency: self.currency,
            counterparty: self.counterparty.to_string(),
            peer_id: self.peer_id.map(str::to_string),
            status: self.status,
            memo: self.memo.to_string(),
            entry_id: self.entry.map(|e| e.to_string()),
            card_id: self.card_id.map(str::to_string),
            created_ms: now_ms,
            updated_ms: now_ms,
        }
    }
}

/// A bound card with its number opened, for the bank.
pub(crate) struct OpenCard {
    pub(crate) record: CardRecord,
    pub(crate) number: String,
    pub(crate) token: String,
}

impl OpenCard {
    pub(crate) fn shown(&self) -> String {
        format!("{} ****{}", self.record.bank_name, self.record.last4)
    }
}

impl Money {
    /// Opens a bound card of `holder_id`'s for a bank call.
    pub(crate) fn open_card(&self, card: CardRecord) -> Result<OpenCard, MoneyError> {
        let keys = &self.ctx.keys;
        let number = open(
            keys,
            &card.number_sealed,
            format!("card:{}", card.holder_id).as_bytes(),
        )
        .map_err(|e| MoneyError::Internal(e.to_string()))?;
        let token = card
            .token_sealed
            .as_deref()
            .ok_or(MoneyError::NotFound)
            .and_then(|sealed| {
                open(keys, sealed, format!("card-token:{}", card.id).as_bytes())
                    .map_err(|e| MoneyError::Internal(e.to_string()))
            })?;
        Ok(OpenCard {
            record: card,
            number: String::from_utf8(number).map_err(|e| MoneyError::Internal(e.to_string()))?,
            token: String::from_utf8(token).map_err(|e| MoneyError::Internal(e.to_string()))?,
        })
    }

    /// The holder's active card `card_id`.
    pub(crate) async fn active_card(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        card_id: &str,
    ) -> Result<OpenCard, MoneyError> {
        let (holder_id, card_id) = (holder_id.to_string(), card_id.to_string());
        let card = store
            .transact_read(move |r| r.card(&holder_id, &card_id))
            .await?
            .filter(|c| c.status == CardStatus::Active)
            .ok_or(MoneyError::NotFound)?;
        self.open_card(card)
    }

    /// Checks the payment password (its counter and lock live with the PIN record).
    pub async fn check_pin(
        &self,
        store: &impl RecordStore,
        holder_id: &str,
        pin: &str,
    ) -> Result<(), MoneyError> {
        self.kyc
            .check_pin(store, holder_id, pin)
            .await
            .map_err(MoneyError::from)
    }

    /// Who `to` is, as the payer may see them before confirming. A read: it takes no lock.
    pub async fn payee(
        &self,
        store: &impl RecordStore,
        caller_id: &str,
        client_ip: &str,
        to: &PayeeRef,
    ) -> Result<Payee, MoneyError> {
        self.count_payee_lookup(store, caller_id, client_ip).await?;
        let to = to.clone();
        store
            .transact_read(move |r| {
                let found = match &to {
                    PayeeRef::Phone(phone) => r.holder_by_phone(phone.as_e164())?,
                    PayeeRef::Wallet(id) => r.holder_by_wallet(id)?,
                };
                // A closed wallet takes no money: it is not shown as a payee to confirm.
                found
                    .filter(|holder| holder.status != HolderStatus::Closed)
                    .map(|holder| {
                        Ok(Payee {
                            masked_name: shown_name(r, &holder)?,
                            main_currency: r.main_currency(&holder.id)?.unwrap_or(Currency::CNY),
                            wallet_id: holder.wallet_id,
                        })
                    })
                    .transpose()
            })
            .await?
            .ok_or(MoneyError::NotFound)
    }

    /// What paying `payload` would pay, and to whom, refused for the same reasons paying it would
    /// be before the payer's own checks: an unknown code is `payload_invalid`, a closed shop
    /// `merchant_unavailable`, an order `order_paid` or `order_expired`. A read: it takes no lock.
    pub async fn scanned(
        &self,
        store: &impl RecordStore,
        payload: &str,
    ) -> Result<Scanned, MoneyError> {
        let (payload, stated) = read_code(payload)?;
        let now = self.now_ms();
        store
            .transact_read(move |r| {
                let shop = |r: &mut dyn super::records::MoneyTx, id: &str| {
                    Ok(r.merchant(id)?
                        .filter(|m| m.status == "active")
                        .map(|m| m.name))
                };
                Ok(match &payload {
                    Payload::Receive {
                        wallet_id,
                        amount_minor,
                    } => match r.holder_by_wallet(wallet_id)? {
                        Some(holder) if holder.status == HolderStatus::Closed => {
                            Err(MoneyError::InvalidPayee("closed"))
                        }
                        Some(holder) => Ok(Scanned {
                            kind: "receive",
                            payee_name: shown_name(r, &holder)?,
                            amount: amount_minor.map(Amount::from_minor),
                            currency: Currency::CNY,
                            description: String::new(),
                            expires_ms: None,
                            order_id: None,
                            merchant_id: None,
                        }),
                        None => Err(MoneyError::PayloadInvalid("unknown_payee")),
                    },
                    Payload::Merchant { merchant_id } => match shop(r, merchant_id)? {
                        Some(name) => Ok(Scanned {
                            kind: "merchant",
                            payee_name: name,
                            amount: None,
                            currency: Currency::CNY,
                            description: String::new(),
                            expires_ms: None,
                            order_id: None,
                            merchant_id: Some(merchant_id.clone()),
                        }),
                        None => Err(MoneyError::MerchantUnavailable),
                    },
                    Payload::Order { order_id } => match r.order(order_id)? {
                        None => Err(MoneyError::PayloadInvalid("unknown_code")),
                        Some(order) if !states(stated, &order) => {
                            Err(MoneyError::PayloadInvalid("amount_mismatch"))
                        }
                        Some(order) if order.status == OrderStatus::Paid => {
                            Err(MoneyError::OrderPaid)
                        }
                        Some(order) if now >= order.expires_ms => Err(MoneyError::OrderExpired),
                        Some(order) => match shop(r, &order.merchant_id)? {
                            Some(name) => Ok(Scanned {
                                kind: "order",
                                payee_name: name,
                                amount: Some(order.amount),
                                currency: order.currency,
                                description: order.description,
                                expires_ms: Some(order.expires_ms),
                                order_id: Some(order.id),
                                merchant_id: Some(order.merchant_id),
                            }),
                            None => Err(MoneyError::MerchantUnavailable),
                        },
                    },
                })
            })
            .await?
    }

    /// Tops up the wallet from a bound card. The bank is asked outside any transaction, with the
    /// movement's id as its reference, so a retry (even after a crash) never takes money twice;
    /// an answer the bank did not give in time leaves the top-up pending for the reconciler.
    #[allow(clippy::too_many_arguments)]
    pub async fn top_up(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
        amount: PositiveAmount,
        currency: Currency,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let asker = Asker::new(origin, key, CallKind::Topup);
        if currency != Currency::CNY {
            return Err(MoneyError::CurrencyUnsupported);
        }
        let card = self.active_card(store, &holder.id, card_id).await?;
        let fee = self
            .fees
            .topup(amount, card.record.card_type == CardType::Credit);
        let now = self.now_ms();
        let stale = self.policy.idempotency_stale_ms;
        // First transaction: the intent, durable before the bank hears of it.
        let (movement_id, attempt) = {
            let (key, holder_id, card_id, shown) = (
                key.clone(),
                holder.id.clone(),
                card_id.to_string(),
                card.shown(),
            );
            let levels = self.levels.clone();
            let (money, bin) = (self.clone(), card.record.bin.clone());
            let asked = asker.key.clone();
            let intent = self.run(store, move |r| {
                let holder = active_holder(r, &holder_id)?;
                let running = claim(r, &key, now, stale)?;
                if let Some(row) = running {
                    // A crashed or timed-out attempt: take it over with the same movement, whose
                    // id the bank already knows.
                    let attempt = ids.movement_id();
                    r.put_idempotency(&row.taken_over(&attempt, now))?;
                    return Ok((row.resource_id, attempt));
                }
                let account = wallet_account(r, &holder.wallet_id, currency)?;
                limits::check_receiving(&levels.at(holder.kyc_level), account.balance, amount)
                    .map_err(MoneyError::LimitExceeded)?;
                let id = ids.movement_id();
                let attempt = ids.movement_id();
                money.screen(
                    r,
                    &asker,
                    &Ask {
                        subject: Subject::Holder(&holder),
                        payee: PaidTo::Card {
                            id: &card_id,
                            bin: &bin,
                        },
                        amount: amount.amount(),
                        movement_id: &id,
                    },
                    now,
                )?;
                r.insert_movement(
                    &Side {
                        id: &id,
                        owner_id: &holder.id,
                        kind: MovementKind::Topup,
                        direction: Direction::In,
                        channel: Channel::Card,
                        amount: amount.amount(),
                        fee,
                        currency,
                        counterparty: &shown,
                        peer_id: None,
                        status: MovementStatus::Pending,
                        memo: "",
                        entry: Some(entry_id(&id, Step::Move)),
                        card_id: Some(&card_id),
                    }
                    .record(now),
                )?;
                // Set now, so a crash before the bank's answer is recorded still gets reconciled.
                r.insert_timer(&TimerRecord {
                    id: reconcile_timer_id(&id),
                    kind: TimerKind::TopupReconcile,
                    subject: id.clone(),
                    due_ms: now + stale,
                    attempts: 0,
                    created_ms: now,
                })?;
                r.put_idempotency(&super::records::IdempotencyRecord {
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
                Ok((id, attempt))
            });
            self.keep_risk_refusal(store, &asked, intent.await).await?
        };
        let movement = BankMovement {
            reference: movement_id.clone(),
            kind: BankKind::Topup,
            card_token: card.token.clone(),
            card_number: card.number.clone(),
            amount_minor: (amount.amount() + fee).minor(),
            currency: currency.as_str().to_string(),
        };
        let answer = self.kyc.bank.debit(&movement).await;
        // Second transaction: the bank's answer, the money, the records and the reply.
        let key = key.clone();
        let now = self.now_ms();
        let money = self.clone();
        let done = self
            .run(store, move |r| {
                let row = r.idempotency(&key.caller, &key.key)?;
                if row.as_ref().is_none_or(|row| {
                    row.attempt != attempt || row.state != IdempotencyState::Running
                }) {
                    // Another attempt took over, or finished: it owns the answer.
                    return Err(MoneyError::IdempotencyInProgress);
                }
                let (done, refusal) = money.settle_top_up(r, &movement_id, &answer, now)?;
                let timer = reconcile_timer_id(&movement_id);
                if done.status == MovementStatus::Pending {
                    r.reschedule_timer(&timer, now + RECONCILE_FIRST_MS, 0)?;
                } else {
                    r.delete_timer(&timer)?;
                }
                // A refusal's reply is kept by the caller's error path, like any refusal's.
                if done.status != MovementStatus::Failed {
                    finish(r, &key, &movement_id, &render.reply(done.clone()), now)?;
                }
                Ok((done, refusal))
            })
            .await?;
        match (&done.1, done.0.status.as_str()) {
            (Some(BankOutcome::InsufficientFunds), _) => Err(MoneyError::BankInsufficientFunds),
            (Some(_), _) | (None, "failed") => Err(MoneyError::BankRejected),
            (None, _) => Ok(done.0),
        }
    }

    /// Applies the bank's answer on a pending top-up: credits the wallet on `Done`, marks it
    /// failed on a refusal (returned beside the top-up, for the caller to answer with once this
    /// transaction has committed), leaves it pending on no answer. Runs inside a money
    /// transaction; a top-up settled before is returned as it stands.
    pub(crate) fn settle_top_up(
        &self,
        r: &mut dyn MoneyTx,
        movement_id: &str,
        answer: &Result<BankOutcome, ConnectorError>,
        now: i64,
    ) -> Result<(Done, Option<BankOutcome>), MoneyError> {
        let m = r.movement(movement_id)?.ok_or(MoneyError::NotFound)?;
        let currency = m.currency;
        let mut done = Done {
            id: m.id.clone(),
            status: m.status,
            amount: m.amount,
            fee: m.fee,
            currency: m.currency,
            payee: None,
            discount: Amount::ZERO,
            beside: Default::default(),
        };
        if m.status != MovementStatus::Pending {
            return Ok((done, None));
        }
        let holder = r.holder(&m.owner_id)?.ok_or(MoneyError::NotFound)?;
        match answer {
            Ok(BankOutcome::Done { bank_reference }) => {
                let wallet = wallet_account(r, &holder.wallet_id, currency)?;
                let clearing = operator_account(r, AccountKind::BankClearing, currency)?;
                let fees = operator_account(r, AccountKind::FeeIncome, currency)?;
                apply(
                    r,
                    &Instruction::Transfer {
                        id: entry_id(&m.id, Step::Move),
                        postings: legs([
                            leg(&clearing, -(m.amount + m.fee)),
                            leg(&wallet, m.amount),
                            leg(&fees, m.fee),
                        ]),
                    },
                )?;
                r.set_movement_status(&m.id, MovementStatus::Succeeded, now)?;
                crate::transit::fare_payment::pay_owed_fares(r, &holder, now)?;
                // What the bank took from the card, under its reference: what its statement
                // will show.
                r.confirm_at_bank(&BankConfirmation {
                    movement_id: m.id.clone(),
                    bank_reference: bank_reference.clone(),
                    kind: BankKind::Topup,
                    amount: m.amount + m.fee,
                    currency,
                    confirmed_ms: now,
                })?;
                self.alert(
                    r,
                    Alert {
                        holder: &holder,
                        kind: "topup",
                        title: "充值成功".into(),
                        body: format!("{} 已从{}充值到钱包", yuan(m.amount), m.counterparty),
                        title_en: "Top-up done".into(),
                        body_en: format!("{} topped up from {}", yuan(m.amount), m.counterparty),
                        movement_id: &m.id,
                        amount: m.amount,
                    },
                )?;
                done.status = MovementStatus::Succeeded;
                Ok((done, None))
            }
            Ok(refusal) => {
                r.set_movement_status(&m.id, MovementStatus::Failed, now)?;
                self.alert(
                    r,
                    Alert {
                        holder: &holder,
                        kind: "topup_failed",
                        title: "充值失败".into(),
                        body: format!("{} 未能从{}充值，余额未变", yuan(m.amount), m.counterparty),
                        title_en: "Top-up failed".into(),
                        body_en: format!(
                            "{} could not be topped up from {}; the balance is unchanged",
                            yuan(m.amount),
                            m.counterparty
                        ),
                        movement_id: &m.id,
                        amount: Amount::ZERO,
                    },
                )?;
                done.status = MovementStatus::Failed;
                Ok((done, Some(refusal.clone())))
            }
            Err(ConnectorError::Unavailable(_)) => Ok((done, None)),
            Err(ConnectorError::Protocol(e)) => Err(MoneyError::Internal(e.clone())),
        }
    }

    /// Withdraws to a bound card: the amount and fee are held at once and a timer sends the
    /// payout to the bank; the bank's confirmation posts the hold, its refusal voids it.
    #[allow(clippy::too_many_arguments)]
    pub async fn withdraw(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        card_id: &str,
        amount: PositiveAmount,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        if holder.kyc_level < 2 {
            return Err(MoneyError::KycRequired);
        }
        let card = self.active_card(store, &holder.id, card_id).await?;
        let asker = Asker::new(origin, key, CallKind::Withdrawal);
        let bin = card.record.bin.clone();
        let (key, holder_id, card_id, shown) = (
            key.clone(),
            holder.id.clone(),
            card_id.to_string(),
            card.shown(),
        );
        let now = self.now_ms();
        let delay = self.policy.withdrawal_delay_ms;
        let fees: FeeSchedule = self.fees;
        let money = self.clone();
        self.call(store, &key, render, now, move |r| {
            let holder = active_holder(r, &holder_id)?;
            let fee = fees.withdrawal(amount, r.withdrawn_total(&holder.id)?);
            let amount = amount.amount();
            let currency = Currency::CNY;
            let wallet = wallet_account(r, &holder.wallet_id, currency)?;
            let clearing = operator_account(r, AccountKind::BankClearing, currency)?;
            let income = operator_account(r, AccountKind::FeeIncome, currency)?;
            if wallet.available() < amount + fee {
                return Err(MoneyError::InsufficientBalance);
            }
            let id = ids.movement_id();
            let verdict = money.screen(
                r,
                &asker,
                &Ask {
                    subject: Subject::Holder(&holder),
                    payee: PaidTo::Card {
                        id: &card_id,
                        bin: &bin,
                    },
                    amount,
                    movement_id: &id,
                },
                now,
            )?;
            let held = verdict == Verdict::Hold;
            apply(
                r,
                &Instruction::Hold {
                    id: entry_id(&id, Step::Move),
                    postings: legs([
                        leg(&wallet, -(amount + fee)),
                        leg(&clearing, amount),
                        leg(&income, fee),
                    ]),
                },
            )?;
            r.insert_movement(
                &Side {
                    id: &id,
                    owner_id: &holder.id,
                    kind: MovementKind::Withdrawal,
                    direction: Direction::Out,
                    channel: Channel::Card,
                    amount,
                    fee,
                    currency,
                    counterparty: &shown,
                    peer_id: None,
                    status: if held {
                        MovementStatus::HeldForReview
                    } else {
                        MovementStatus::Pending
                    },
                    memo: "",
                    entry: Some(entry_id(&id, Step::Move)),
                    card_id: Some(&card_id),
                }
                .record(now),
            )?;
            if held {
                // The payout waits for a reviewer; the holder hears why.
                money.expire_hold_later(r, &id, now)?;
                money.alert(
                    r,
                    Alert {
                        holder: &holder,
                        kind: "payment_held",
                        title: "提现审核中".into(),
                        body: format!(
                            "{} 的提现已暂停审核，资金冻结在你的钱包中，客服将在 24 小时内处理",
                            yuan(amount)
                        ),
                        title_en: "Withdrawal under review".into(),
                        body_en: format!(
                            "The withdrawal of {} is paused for review; the money is held in \
                             your wallet and we will review it within 24 hours.",
                            yuan(amount)
                        ),
                        movement_id: &id,
                        amount: Amount::ZERO,
                    },
                )?;
                return Ok(Done {
                    id: id.clone(),
                    status: MovementStatus::HeldForReview,
                    amount,
                    fee,
                    currency,
                    payee: None,
                    discount: Amount::ZERO,
                    beside: Default::default(),
                });
            }
            r.insert_timer(&TimerRecord {
                id: ids.movement_id(),
                kind: TimerKind::WithdrawalPayout,
                subject: id.clone(),
                due_ms: now + delay,
                attempts: 0,
                created_ms: now,
            })?;
            money.alert(
                r,
                Alert {
                    holder: &holder,
                    kind: "withdrawal",
                    title: "提现申请已受理".into(),
                    body: format!("{} 正在提现到{}，手续费 {}", yuan(amount), shown, yuan(fee)),
                    title_en: "Withdrawal accepted".into(),
                    body_en: format!(
                        "{} on its way to {}, fee {}",
                        yuan(amount),
                        shown,
                        yuan(fee)
                    ),
                    movement_id: &id,
                    amount,
                },
            )?;
            let done = Done {
                id: id.clone(),
                status: MovementStatus::Pending,
                amount,
                fee,
                currency,
                payee: None,
                discount: Amount::ZERO,
                beside: Default::default(),
            };
            Ok(done)
        })
        .await
    }

    /// Transfers to another holder by phone or wallet id: at once, or held until the delay ends.
    pub async fn transfer(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        request: TransferRequest,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let asker = Asker::new(origin, key, CallKind::Transfer);
        let payer_id = holder.id.clone();
        let money = self.clone();
        let now = self.now_ms();
        // The payee as it stands now, looked up outside the money transaction (where it costs the
        // serial writer nothing) so the risk stage's reads can go with the call's first ones. In
        // the transaction the payee is read again; had it changed, the stage reads afresh.
        let payee_now = if store.reads_ahead() && !self.policy.risk.rules().is_empty() {
            let to = request.to.clone();
            store
                .transact_read(move |r| Ok(find_payee(r, &to).ok()))
                .await
                .ok()
                .flatten()
        } else {
            None
        };
        let reads = {
            let (key, payer_id, to, currency) = (
                key.clone(),
                holder.id.clone(),
                request.to.clone(),
                request.currency,
            );
            let payer_wallet = AccountOwner::Wallet(holder.wallet_id.clone());
            let (money, asker, payer) = (self.clone(), asker.clone(), holder.clone());
            let amount = request.amount.amount();
            move |r: &mut dyn MoneyTx| {
                let plan = payee_now.as_ref().and_then(|payee| {
                    money.feature_plan(
                        &asker,
                        &Ask {
                            subject: Subject::Holder(&payer),
                            payee: PaidTo::Holder(payee),
                            amount,
                            movement_id: "",
                        },
                        now,
                    )
                });
                let features = plan.as_ref().map(|p| p.query());
                // Everything known before the first read is asked for at once; the rest follows.
                let payee_phone = match &to {
                    PayeeRef::Phone(phone) => Some(phone),
                    PayeeRef::Wallet(_) => None,
                };
                let payee_wallet = match &to {
                    PayeeRef::Wallet(id) => Some(AccountOwner::Wallet(id.clone())),
                    PayeeRef::Phone(_) => None,
                };
                let mut ahead = vec![
                    ReadAhead::Idempotency {
                        caller: &key.caller,
                        key: &key.key,
                    },
                    ReadAhead::Holder(&payer_id),
                    ReadAhead::SpentSince {
                        owner_id: &payer_id,
                        since_ms: limits::day_start_ms(now),
                        channels: SPENDING,
                    },
                    ReadAhead::Account {
                        owner: &payer_wallet,
                        kind: AccountKind::Wallet,
                        currency,
                    },
                    ReadAhead::Identity(&payer_id),
                ];
                match (&to, &payee_wallet, &payee_phone) {
                    (PayeeRef::Wallet(wallet_id), Some(owner), _) => ahead.extend([
                        ReadAhead::HolderByWallet(wallet_id),
                        ReadAhead::Account {
                            owner,
                            kind: AccountKind::Wallet,
                            currency,
                        },
                    ]),
                    (PayeeRef::Phone(_), _, Some(phone)) => {
                        ahead.push(ReadAhead::HolderByPhone(phone.as_e164()));
                    }
                    _ => {}
                }
                if let Some(features) = &features {
                    ahead.push(ReadAhead::RiskFeatures(features));
                }
                r.read_ahead(&ahead)
            }
        };
        self.call_after_reads(store, key, render, now, reads, move |r| {
            let payee = find_payee(r, &request.to)?;
            let done = money.pay_holder(
                r,
                &payer_id,
                &payee,
                request.amount,
                request.currency,
                &request.memo,
                Channel::Transfer,
                request.delay,
                request.quote_id.as_deref(),
                &asker,
                now,
            )?;
            Ok(done)
        })
        .await
    }

    /// Moves money from one holder to another inside a money transaction, checking both sides'
    /// status and limits. A delay holds the money and sets a timer instead. Money in a currency
    /// the payee does not hold arrives in their main currency through the payer's `quote_id`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pay_holder(
        &self,
        r: &mut dyn MoneyTx,
        payer_id: &str,
        payee: &HolderRecord,
        positive: PositiveAmount,
        currency: Currency,
        memo: &str,
        channel: Channel,
        delay: Option<Delay>,
        quote_id: Option<&str>,
        asker: &Asker,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let amount = positive.amount();
        let payer = active_holder(r, payer_id)?;
        if payee.id == payer.id {
            return Err(MoneyError::InvalidPayee("yourself"));
        }
        super::payee_may_receive(payee)?;
        // Limits count yuan: money in another currency at its value at the rate in force.
        let in_yuan = self.yuan_value(r, currency, positive, now)?;
        let spent = r.spent_since(&payer.id, limits::day_start_ms(now), SPENDING)?;
        limits::check_spending(&self.levels.at(payer.kyc_level), spent, in_yuan)
            .map_err(MoneyError::LimitExceeded)?;
        let from = wallet_account(r, &payer.wallet_id, currency)?;
        let arrival = self.arrival(r, &payer, payee, positive, currency, quote_id, now)?;
        let to = arrival.account;
        if to.currency == Currency::CNY {
            let arriving =
                PositiveAmount::new(arrival.amount.minor()).ok_or(MoneyError::AmountInvalid)?;
            limits::check_receiving(&self.levels.at(payee.kyc_level), to.balance, arriving)
                .map_err(MoneyError::LimitExceeded)?;
        }
        // A payment the balance cannot cover is refused as such, before risk control asks
        // for anything.
        if from.available() < amount {
            return Err(MoneyError::InsufficientBalance);
        }
        let id = ids.movement_id();
        let verdict = self.screen(
            r,
            asker,
            &Ask {
                subject: Subject::Holder(&payer),
                payee: PaidTo::Holder(payee),
                amount: in_yuan.amount(),
                movement_id: &id,
            },
            now,
        )?;
        let postings = match &arrival.quote {
            None => legs([leg(&from, -amount), leg(&to, amount)]),
            Some(q) => {
                if !r.use_fx_quote(&q.id, &id, now)? {
                    return Err(MoneyError::QuoteUsed);
                }
                let mut postings =
                    crate::fx::legs::exchange(r, &from, to.currency, amount, q.fee, q.buy)?
                        .to_vec();
                postings.push(leg(&to, q.buy));
                legs(postings)
            }
        };
        if currency != Currency::CNY {
            r.count_spending(&payer.id, now, channel, in_yuan.amount())?;
        }
        let payee_name = shown_name(r, payee)?;
        if verdict == Verdict::Hold {
            return self.hold_for_review(
                r,
                HeldPayment {
                    id: &id,
                    payer: &payer,
                    payee_id: &payee.id,
                    payee_name: &payee_name,
                    postings,
                    amount,
                    currency,
                    memo,
                    channel,
                },
                now,
            );
        }
        let status = if delay.is_some() {
            MovementStatus::Scheduled
        } else {
            MovementStatus::Succeeded
        };
        let entry = entry_id(&id, Step::Move);
        match delay {
            None => apply(
                r,
                &Instruction::Transfer {
                    id: entry,
                    postings,
                },
            )?,
            Some(delay) => {
                apply(
                    r,
                    &Instruction::Hold {
                        id: entry,
                        postings,
                    },
                )?;
                r.insert_timer(&TimerRecord {
                    id: ids.movement_id(),
                    kind: TimerKind::TransferRelease,
                    subject: id.clone(),
                    due_ms: now + delay.ms(),
                    attempts: 0,
                    created_ms: now,
                })?;
            }
        }
        r.insert_movement(
            &Side {
                id: &id,
                owner_id: &payer.id,
                kind: MovementKind::Transfer,
                direction: Direction::Out,
                channel,
                amount,
                fee: Amount::ZERO,
                currency,
                counterparty: &payee_name,
                peer_id: Some(&payee.id),
                status,
                memo,
                entry: Some(entry),
                card_id: None,
            }
            .record(now),
        )?;
        self.alert(
            r,
            Alert {
                holder: &payer,
                kind: "transfer_out",
                title: if delay.is_some() {
                    "转账已预约".into()
                } else {
                    "转账成功".into()
                },
                body: format!("向{} 转出 {}", payee_name, money_text(amount, currency)),
                title_en: if delay.is_some() {
                    "Transfer scheduled".into()
                } else {
                    "Transfer sent".into()
                },
                body_en: format!("Sent {} to {}", money_text(amount, currency), payee_name),
                movement_id: &id,
                amount,
            },
        )?;
        if delay.is_none() {
            self.credit_payee(
                r,
                &id,
                payee,
                &payer,
                arrival.amount,
                to.currency,
                memo,
                now,
            )?;
        }
        Ok(Done {
            id,
            status,
            amount,
            fee: Amount::ZERO,
            currency,
            payee: Some(payee_name),
            discount: Amount::ZERO,
            beside: Default::default(),
        })
    }

    /// The payee's record and alert of an arrived transfer.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn credit_payee(
        &self,
        r: &mut dyn MoneyTx,
        payer_movement_id: &str,
        payee: &HolderRecord,
        payer: &HolderRecord,
        amount: Amount,
        currency: Currency,
        memo: &str,
        now: i64,
    ) -> Result<(), MoneyError> {
        let ids = self.ctx.ids.clone();
        let payer_name = shown_name(r, payer)?;
        let id = ids.movement_id();
        r.insert_movement(
            &Side {
                id: &id,
                owner_id: &payee.id,
                kind: MovementKind::Transfer,
                direction: Direction::In,
                channel: Channel::Transfer,
                amount,
                fee: Amount::ZERO,
                currency,
                counterparty: &payer_name,
                peer_id: Some(&payer.id),
                status: MovementStatus::Succeeded,
                memo,
                entry: Some(entry_id(payer_movement_id, Step::Move)),
                card_id: None,
            }
            .record(now),
        )?;
        self.alert(
            r,
            Alert {
                holder: payee,
                kind: "transfer_in",
                title: "收到转账".into(),
                body: format!("{} 向你转入 {}", payer_name, money_text(amount, currency)),
                title_en: "Money received".into(),
                body_en: format!("{} sent you {}", payer_name, money_text(amount, currency)),
                movement_id: &id,
                amount,
            },
        )?;
        Ok(())
    }

    /// Cancels a delayed transfer of the holder's before it arrives: the hold is voided.
    pub async fn cancel_transfer(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        movement_id: &str,
    ) -> Result<Done, MoneyError> {
        let (holder_id, movement_id) = (holder.id.clone(), movement_id.to_string());
        let now = self.now_ms();
        self.run(store, move |r| {
            let m = r
                .movement(&movement_id)?
                .filter(|m| {
                    m.owner_id == holder_id
                        && m.kind == MovementKind::Transfer
                        && m.direction == Direction::Out
                })
                .ok_or(MoneyError::NotFound)?;
            if m.status != MovementStatus::Scheduled {
                return Err(MoneyError::NotCancellable);
            }
            apply(
                r,
                &Instruction::Void {
                    id: entry_id(&m.id, Step::Void),
                    hold: entry_id(&m.id, Step::Move),
                },
            )?;
            r.set_movement_status(&m.id, MovementStatus::Cancelled, now)?;
            Ok(Done {
                id: m.id,
                status: MovementStatus::Cancelled,
                amount: m.amount,
                fee: Amount::ZERO,
                currency: m.currency,
                payee: Some(m.counterparty),
                discount: Amount::ZERO,
                beside: Default::default(),
            })
        })
        .await
    }

    /// Pays a scanned code: a holder's receive code, a merchant's static code (the payer types
    /// the amount) or a merchant's order.
    #[allow(clippy::too_many_arguments)]
    pub async fn pay(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        payload: &str,
        amount: Option<PositiveAmount>,
        quote_id: Option<String>,
        rewards: crate::rewards::UseRewards,
        origin: &Origin,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let asker = Asker::new(origin, key, CallKind::Pay);
        let (payload, stated) = read_code(payload)?;
        let key = key.clone();
        let payer_id = holder.id.clone();
        let money = self.clone();
        let now = self.now_ms();
        let max = self.policy.amount_max_minor;
        // The payer as the session knew them, for naming the risk stage's reads ahead.
        let known_payer =
            (store.reads_ahead() && !self.policy.risk.rules().is_empty()).then(|| holder.clone());
        self.call(store, &key, render, now, move |r| {
            let done = match &payload {
                Payload::Receive {
                    wallet_id,
                    amount_minor,
                } => {
                    // Coupons and points are for shops: a holder's receive code takes none.
                    if rewards.any() {
                        return Err(MoneyError::CouponNotApplicable);
                    }
                    // A code that fixes the amount wins over what the payer typed.
                    let amount = match amount_minor {
                        Some(fixed) => super::amount(*fixed, max)?,
                        None => amount.ok_or(MoneyError::AmountInvalid)?,
                    };
                    let payee = r
                        .holder_by_wallet(wallet_id)?
                        .ok_or(MoneyError::PayloadInvalid("unknown_code"))?;
                    money.pay_holder(
                        r,
                        &payer_id,
                        &payee,
                        amount,
                        Currency::CNY,
                        "",
                        Channel::ReceiveCode,
                        None,
                        None,
                        &asker,
                        now,
                    )?
                }
                Payload::Merchant { merchant_id } => {
                    let amount = amount.ok_or(MoneyError::AmountInvalid)?;
                    if rewards.any() {
                        return money.pay_merchant_with_rewards(
                            r,
                            known_payer.as_ref(),
                            &payer_id,
                            merchant_id,
                            amount,
                            &rewards,
                            None,
                            Channel::StaticQr,
                            "",
                            &asker,
                            now,
                        );
                    }
                    money.pay_merchant(
                        r,
                        known_payer.as_ref(),
                        &payer_id,
                        merchant_id,
                        amount,
                        None,
                        Channel::StaticQr,
                        "",
                        &asker,
                        now,
                    )?
                }
                Payload::Order { order_id } => {
                    let order = r
                        .order(order_id)?
                        .ok_or(MoneyError::PayloadInvalid("unknown_code"))?;
                    if !states(stated, &order) {
                        return Err(MoneyError::PayloadInvalid("amount_mismatch"));
                    }
                    if order.status == OrderStatus::Paid {
                        return Err(MoneyError::OrderPaid);
                    }
                    if now >= order.expires_ms {
                        return Err(MoneyError::OrderExpired);
                    }
                    if order.currency != Currency::CNY && rewards.any() {
                        return Err(MoneyError::CouponNotApplicable);
                    }
                    if rewards.any() {
                        return money.pay_merchant_with_rewards(
                            r,
                            known_payer.as_ref(),
                            &payer_id,
                            &order.merchant_id,
                            super::amount(order.amount.minor(), max)?,
                            &rewards,
                            Some(&order.id),
                            Channel::Order,
                            &order.description,
                            &asker,
                            now,
                        );
                    }
                    if order.currency != Currency::CNY {
                        // Priced in another currency: paid from yuan through the quote the
                        // payer saw on the preview, for this order and its amount only.
                        let quote = quote_id
                            .as_deref()
                            .and_then(|id| r.fx_quote(id).transpose())
                            .transpose()?
                            .filter(|q| {
                                q.holder_id == payer_id
                                    && q.purpose == QuotePurpose::Order
                                    && q.subject.as_deref() == Some(order.id.as_str())
                                    && q.sell_currency == Currency::CNY
                                    && q.buy_currency == order.currency
                                    && q.buy == order.amount
                            })
                            .ok_or(MoneyError::InvalidField("quote_id"))?;
                        crate::fx::quotes::usable(&quote, now)?;
                        return money.pay_merchant_through(
                            r,
                            known_payer.as_ref(),
                            &payer_id,
                            &order,
                            &quote,
                            &asker,
                            now,
                        );
                    }
                    money.pay_merchant(
                        r,
                        known_payer.as_ref(),
                        &payer_id,
                        &order.merchant_id,
                        super::amount(order.amount.minor(), max)?,
                        Some(&order.id),
                        Channel::Order,
                        &order.description,
                        &asker,
                        now,
                    )?
                }
            };
            Ok(done)
        })
        .await
    }
}

/// Where a transfer's money arrives: the payee's account it goes to, how much, and the quote
/// that converts it when the payee does not hold the payer's currency.
pub(crate) struct Arrival {
    pub(crate) account: qianbao_ledger::Account,
    pub(crate) amount: Amount,
    pub(crate) quote: Option<crate::fx::FxQuoteRecord>,
}

impl Money {
    /// What `amount` of `currency` is worth in yuan at the rate in force (mid, rounded up, so a
    /// limit is never passed by rounding): the unit every limit counts in.
    pub(crate) fn yuan_value(
        &self,
        r: &mut dyn MoneyTx,
        currency: Currency,
        amount: PositiveAmount,
        now: i64,
    ) -> Result<PositiveAmount, MoneyError> {
        if currency == Currency::CNY {
            return Ok(amount);
        }
        let ask = crate::fx::QuoteAsk {
            sell: currency,
            buy: Currency::CNY,
            fixed: crate::fx::Fixed::Sell(amount),
        };
        let (_, priced) = self.price_over(&r.mid_rates()?, ask, 0, now)?;
        Ok(priced.buy)
    }

    /// Where `amount` of `currency` from `payer` arrives for `payee`: in that currency when it is
    /// yuan, their main currency or one they already hold; otherwise in their main currency, only
    /// through a quote of the payer's for exactly this (`quote_required` without one).
    #[allow(clippy::too_many_arguments)]
    fn arrival(
        &self,
        r: &mut dyn MoneyTx,
        payer: &HolderRecord,
        payee: &HolderRecord,
        amount: PositiveAmount,
        currency: Currency,
        quote_id: Option<&str>,
        now: i64,
    ) -> Result<Arrival, MoneyError> {
        // Yuan arrive as yuan: the common case reads nothing more (it is on the serial writer).
        if currency == Currency::CNY {
            return Ok(Arrival {
                account: wallet_account(r, &payee.wallet_id, currency)?,
                amount: amount.amount(),
                quote: None,
            });
        }
        let main = r.main_currency(&payee.id)?.unwrap_or(Currency::CNY);
        let owner = AccountOwner::Wallet(payee.wallet_id.clone());
        let holds = currency == main
            || r.accounts_of(&owner)?
                .iter()
                .any(|a| a.kind == AccountKind::Wallet && a.currency == currency);
        if holds {
            return Ok(Arrival {
                account: wallet_account(r, &payee.wallet_id, currency)?,
                amount: amount.amount(),
                quote: None,
            });
        }
        let quote = match quote_id {
            Some(id) => r.fx_quote(id)?,
            None => None,
        }
        .filter(|q| {
            q.holder_id == payer.id
                && q.purpose == QuotePurpose::Transfer
                && q.subject.as_deref() == Some(payee.wallet_id.as_str())
                && q.sell_currency == currency
                && q.sell == amount.amount()
                && q.buy_currency == main
        })
        .ok_or(MoneyError::QuoteRequired(main))?;
        crate::fx::quotes::usable(&quote, now)?;
        Ok(Arrival {
            account: wallet_account(r, &payee.wallet_id, main)?,
            amount: quote.buy,
            quote: Some(quote),
        })
    }
}

/// Reads a scanned text: the code, and the amount an EMVCo code states (`None` for our older
/// `qianbao://` texts, which state none).
pub(crate) fn read_code(text: &str) -> Result<(Payload, Option<(Currency, i64)>), MoneyError> {
    Payload::parse_stated(text).map_err(|e| MoneyError::PayloadInvalid(e.reason))
}

/// Whether what a code states agrees with the order it names: a printed code whose amount or
/// currency differs from the order's is not paid at either price.
pub(crate) fn states(stated: Option<(Currency, i64)>, order: &super::records::OrderRecord) -> bool {
    stated
        .is_none_or(|(currency, minor)| currency == order.currency && minor == order.amount.minor())
}

/// How soon a top-up whose answer the bank did not give is asked about again.
const RECONCILE_FIRST_MS: i64 = 3_000;

/// The holder a transfer goes to. A phone whose wallet was closed (and not opened again) finds
/// that closed wallet, which the transfer then refuses as `invalid_payee`, as it would by wallet id.
pub(crate) fn find_payee(r: &mut dyn MoneyTx, to: &PayeeRef) -> Result<HolderRecord, MoneyError> {
    let found = match to {
        PayeeRef::Phone(phone) => match r.holder_by_phone(phone.as_e164())? {
            Some(holder) => Some(holder),
            None => match r.latest_closing(phone.as_e164())? {
                Some(closing) => r.holder(&closing.holder_id)?,
                None => None,
            },
        },
        PayeeRef::Wallet(id) => r.holder_by_wallet(id)?,
    };
    found.ok_or(MoneyError::NotFound)
}

/// The timer that reconciles a top-up if its attempt never hears from the bank.
pub(crate) fn reconcile_timer_id(movement_id: &str) -> String {
    format!("reconcile-{movement_id}")
}
