//! Merchants: opening one, its API key, orders, paying it (static code, order, payment code),
//! refunds, settlement to the owner's bank card, and the webhook events it is sent.

use super::call::Outcome;
use super::fees::fee_back;
use super::limits::{self, Limit};
use super::money_text;
use super::moves::{SPENDING, Side};
use super::records::{
    Channel, Direction, MerchantPaymentRecord, MerchantRecord, MoneyTx, MovementKind,
    MovementStatus, OrderRecord, OrderStatus, PaymentCodeRecord, ReadAhead, RefundRecord,
    TimerKind, TimerRecord,
};
use super::risk::{Ask, Asker, Origin, Payee, Subject};
use super::waiting::{Charge, ChargeOutcome, ChargeRules};
use super::{
    Alert, Beside, Done, IdempotencyKey, Money, MoneyError, Render, Step, active_holder, apply,
    entry_id, leg, legs, operator_account, wallet_account, yuan,
};
use crate::domain::display_text;
use crate::fx::FxQuoteRecord;
use crate::gift_cards::pay::card_parts;
use crate::points::refund::take_back_points;
use crate::records::{CardStatus, HolderRecord, HolderStatus};
use crate::rewards::parts::{GivenBack, PaidPart, PartSource, PaymentPartRecord, give_back};
use crate::rewards::refund::payer_share;
use crate::risk::CallKind;
use crate::storage::RecordStore;
use crate::{AccountOwner, StoreError};
use qianbao_ledger::{Account, AccountKind, Amount, Currency, Instruction, PositiveAmount};
use qianbao_secrets::field::{blind_index, seal};
use qianbao_secrets::token::{new_api_key, new_numeric_code, token_digest};

/// A new merchant and its key, shown once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedMerchant {
    /// Its id.
    pub merchant_id: String,
    /// The API key; only its digest is kept.
    pub api_key: String,
    /// The text of its static QR code.
    pub static_qr_payload: String,
}

/// A payment code to show: 18 digits and when it dies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownCode {
    /// The digits.
    pub code: String,
    /// When it stops working (ms).
    pub expires_ms: i64,
}

/// A refund as made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundDone {
    /// Its id.
    pub refund_id: String,
    /// Always `succeeded`: refunds come from the merchant's balance at once.
    pub status: MovementStatus,
    /// What went back to the payer.
    pub amount: Amount,
}

/// Checks a merchant's name: 1–50 characters that show what they say (payers read it before
/// paying, so it must not be able to pose as another).
fn merchant_name(name: &str) -> Result<String, MoneyError> {
    display_text(name, 50, true).map_err(|_| MoneyError::InvalidField("name"))
}

/// Checks a category: 1–32 of `[a-z_]`.
fn category(text: &str) -> Result<String, MoneyError> {
    let ok = !text.is_empty()
        && text.len() <= 32
        && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    ok.then(|| text.to_string())
        .ok_or(MoneyError::InvalidField("category"))
}

/// The merchant's own account in `currency`.
pub(crate) fn merchant_account(
    r: &mut dyn MoneyTx,
    merchant_id: &str,
    currency: Currency,
) -> Result<Account, StoreError> {
    r.account(
        &AccountOwner::Wallet(merchant_id.to_string()),
        AccountKind::Merchant,
        currency,
    )
}

/// The digest a payment code is kept as.
fn code_digest(money: &Money, code: &str) -> String {
    blind_index(&money.ctx.keys, "payment-code", code)
}

impl Money {
    /// Opens a merchant for a holder at L1 or above, with its refund password when one is given
    /// (six digits, not an easy one; the till asks for it before a refund).
    pub async fn open_merchant(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        name: &str,
        category_text: &str,
        refund_password: Option<&str>,
    ) -> Result<OpenedMerchant, MoneyError> {
        let ids = self.ctx.ids.clone();
        if holder.kyc_level < 1 {
            return Err(MoneyError::KycRequired);
        }
        let name = merchant_name(name)?;
        let category = category(category_text)?;
        let refund_password = refund_password
            .map(super::refund_password::parse_refund_password)
            .transpose()?;
        let (api_key, digest) =
            new_api_key(self.ctx.random()).map_err(|e| MoneyError::Internal(e.to_string()))?;
        let id = ids.movement_id();
        let record = MerchantRecord {
            id: id.clone(),
            holder_id: holder.id.clone(),
            name,
            category,
            key_digest: digest,
            status: "active".into(),
            webhook_url: None,
            webhook_secret_sealed: None,
            created_ms: self.now_ms(),
        };
        let holder_id = holder.id.clone();
        let password = refund_password.map(|p| self.refund_password_record(&id, &p));
        let static_qr_payload = self.static_code(&record)?;
        self.run(store, move |r| {
            active_holder(r, &holder_id)?;
            r.insert_merchant(&record)?;
            if let Some(password) = &password {
                r.put_refund_password(password)?;
            }
            merchant_account(r, &record.id, Currency::CNY)?;
            Ok(())
        })
        .await?;
        Ok(OpenedMerchant {
            static_qr_payload,
            merchant_id: id,
            api_key,
        })
    }

    /// A new API key for a holder's merchant; the old one stops working at once.
    pub async fn rotate_key(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        merchant_id: &str,
    ) -> Result<String, MoneyError> {
        let (api_key, digest) =
            new_api_key(self.ctx.random()).map_err(|e| MoneyError::Internal(e.to_string()))?;
        let (holder_id, merchant_id) = (holder.id.clone(), merchant_id.to_string());
        self.run(store, move |r| {
            let mut m = r
                .merchant(&merchant_id)?
                .filter(|m| m.holder_id == holder_id)
                .ok_or(MoneyError::NotFound)?;
            m.key_digest = digest.clone();
            r.update_merchant(&m)?;
            Ok(())
        })
        .await?;
        Ok(api_key)
    }

    /// The merchant an API key belongs to.
    pub async fn merchant_for_key(
        &self,
        store: &impl RecordStore,
        api_key: &str,
    ) -> Result<Option<MerchantRecord>, MoneyError> {
        let digest = token_digest(api_key);
        Ok(store
            .transact_read(move |r| r.merchant_by_key(&digest))
            .await?
            .filter(|m| m.status == "active"))
    }

    /// Sets where the merchant's events go; returns the new signing secret (shown once).
    pub async fn set_webhook(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        url: &str,
    ) -> Result<String, MoneyError> {
        let url = webhook_url(url, self.policy.webhook_private_hosts)
            .ok_or(MoneyError::InvalidField("url"))?;
        let secret = qianbao_secrets::signature::new_webhook_secret(self.ctx.random())
            .map_err(|e| MoneyError::Internal(e.to_string()))?;
        let sealed = seal(
            &self.ctx.keys,
            self.ctx.random(),
            secret.as_bytes(),
            format!("webhook:{}", merchant.id).as_bytes(),
        )
        .map_err(|e| MoneyError::Internal(e.to_string()))?;
        let merchant_id = merchant.id.clone();
        self.run(store, move |r| {
            let mut m = r.merchant(&merchant_id)?.ok_or(MoneyError::NotFound)?;
            m.webhook_url = Some(url.clone());
            m.webhook_secret_sealed = Some(sealed.clone());
            r.update_merchant(&m)?;
            Ok(())
        })
        .await?;
        Ok(secret)
    }

    /// A new order of `amount` that waits `expires_in_ms` (the policy's default when absent).
    pub async fn create_order(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        amount: PositiveAmount,
        currency: Currency,
        description: &str,
        expires_in_ms: Option<i64>,
    ) -> Result<OrderRecord, MoneyError> {
        let ids = self.ctx.ids.clone();
        let ttl = expires_in_ms.unwrap_or(self.policy.order_ttl_ms);
        if ttl <= 0 || ttl > self.policy.order_ttl_max_ms {
            return Err(MoneyError::InvalidField("expires_in"));
        }
        let description = display_text(description, 200, false)
            .map_err(|_| MoneyError::InvalidField("description"))?;
        let now = self.now_ms();
        let order = OrderRecord {
            id: ids.movement_id(),
            merchant_id: merchant.id.clone(),
            amount: amount.amount(),
            currency,
            description: description.to_string(),
            status: OrderStatus::Open,
            expires_ms: now + ttl,
            payment_id: None,
            created_ms: now,
        };
        let row = order.clone();
        self.run(store, move |r| {
            r.insert_order(&row)?;
            Ok(())
        })
        .await?;
        Ok(order)
    }

    /// One of the merchant's orders, with `expired` shown once its time has passed unpaid.
    pub async fn order(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        order_id: &str,
    ) -> Result<OrderRecord, MoneyError> {
        let (merchant_id, order_id) = (merchant.id.clone(), order_id.to_string());
        let now = self.now_ms();
        let mut order = store
            .transact_read(move |r| r.order(&order_id))
            .await?
            .filter(|o| o.merchant_id == merchant_id)
            .ok_or(MoneyError::NotFound)?;
        if order.status == OrderStatus::Open && now >= order.expires_ms {
            order.status = OrderStatus::Expired;
        }
        Ok(order)
    }

    /// A fresh payment code for the holder: one use, 60 s. Refused while the wallet is frozen or
    /// payments are locked.
    pub async fn payment_code(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
    ) -> Result<ShownCode, MoneyError> {
        // 18 digits starting 28, like the codes Chinese POS terminals recognise as wallet codes.
        let code = format!(
            "28{}",
            new_numeric_code(self.ctx.random(), 16)
                .map_err(|e| MoneyError::Internal(e.to_string()))?
        );
        let now = self.now_ms();
        let record = PaymentCodeRecord {
            digest: code_digest(self, &code),
            holder_id: holder.id.clone(),
            expires_ms: now + self.policy.payment_code_ttl_ms,
            used_ms: None,
            created_ms: now,
        };
        let expires_ms = record.expires_ms;
        self.run(store, move |r| {
            active_holder(r, &record.holder_id)?;
            if let Some(pin) = r.pin(&record.holder_id)?
                && let Some(until) = pin.locked_until_ms
                && until > now
            {
                return Err(MoneyError::Pin(crate::kyc::KycError::PinLocked {
                    retry_after_s: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
                }));
            }
            // One live code per holder: a new one retires the others, so a glimpse of an older
            // code stops working and codes cannot pile up.
            r.retire_payment_codes(&record.holder_id)?;
            r.insert_payment_code(&record)?;
            Ok(())
        })
        .await?;
        Ok(ShownCode { code, expires_ms })
    }

    /// The holder a payment code belongs to, without using it (to check a PIN sent with a
    /// charge). It tells whether a code is live, so it counts toward the merchant's wrong-code
    /// limit exactly as a charge does.
    pub async fn payment_code_holder(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        code: &str,
    ) -> Result<String, MoneyError> {
        self.payment_codes_allowed(store, &merchant.id).await?;
        // Trimmed as `charge` trims it, so a code pasted with spaces finds the same holder.
        let digest = code_digest(self, code.trim());
        let found = store
            .transact_read(move |r| r.payment_code(&digest))
            .await?
            .map(|c| c.holder_id)
            .ok_or(MoneyError::PaymentCodeInvalid);
        self.count_wrong_code(store, &merchant.id, found).await
    }

    /// Charges a holder's payment code for the merchant. Without the PIN (`pin_checked` false)
    /// only up to the password-free limits (above them `pin_required`); the code is used up only
    /// by a charge that succeeds.
    #[allow(clippy::too_many_arguments)]
    pub async fn charge(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        code: &str,
        amount: PositiveAmount,
        description: &str,
        pin_checked: bool,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let charge = Charge {
            code,
            amount,
            description,
            pin_checked,
            wait: false,
        };
        self.charge_code(
            store,
            merchant,
            &charge,
            key,
            render,
            |outcome| match outcome {
                ChargeOutcome::Paid(done) => Ok(done),
                ChargeOutcome::Awaiting(_) => Err(MoneyError::PinRequired),
            },
        )
        .await
    }

    /// As [`Money::charge`], except that without the PIN a charge above the password-free
    /// limits is not refused but waits for the payer to confirm it on their phone
    /// ([`ChargeOutcome::Awaiting`]); the code is used up by it.
    #[allow(clippy::too_many_arguments)]
    pub async fn charge_or_wait(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        code: &str,
        amount: PositiveAmount,
        description: &str,
        pin_checked: bool,
        key: &IdempotencyKey,
        render: Render<ChargeOutcome>,
    ) -> Result<ChargeOutcome, MoneyError> {
        let charge = Charge {
            code,
            amount,
            description,
            pin_checked,
            wait: true,
        };
        self.charge_code(store, merchant, &charge, key, render, Ok)
            .await
    }

    /// [`Money::charge`] and [`Money::charge_or_wait`]: the code's shape is checked before any
    /// storage is asked, then the merchant's wrong-code limit, then the charge's rules.
    async fn charge_code<T: Outcome>(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        charge: &Charge<'_>,
        key: &IdempotencyKey,
        render: Render<T>,
        outcome: fn(ChargeOutcome) -> Result<T, MoneyError>,
    ) -> Result<T, MoneyError> {
        // A code that is not 18 digits names no one: refused before any storage is asked, and
        // not counted, since no guess of that shape can ever find a live code.
        let digits = charge.code.trim();
        if digits.len() != 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::PaymentCodeInvalid);
        }
        self.payment_codes_allowed(store, &merchant.id).await?;
        let digest = code_digest(self, digits);
        let asker = Asker::new(&Origin::merchant(), key, CallKind::Charge);
        let merchant_id = merchant.id.clone();
        let description = charge.description.to_string();
        let (amount, pin_checked, wait) = (charge.amount, charge.pin_checked, charge.wait);
        let money = self.clone();
        let now = self.now_ms();
        let result = self
            .call(store, key, render, now, move |r| {
                let rules = ChargeRules {
                    digest: &digest,
                    merchant_id: &merchant_id,
                    amount,
                    description: &description,
                    pin_checked,
                    wait,
                };
                outcome(money.charge_rules(r, &rules, &asker, now)?)
            })
            .await;
        self.count_wrong_code(store, &merchant.id, result).await
    }

    /// A charge's rules inside its money transaction.
    fn charge_rules(
        &self,
        r: &mut dyn MoneyTx,
        c: &ChargeRules<'_>,
        asker: &Asker,
        now: i64,
    ) -> Result<ChargeOutcome, MoneyError> {
        let code = r
            .payment_code(c.digest)?
            .ok_or(MoneyError::PaymentCodeInvalid)?;
        if code.used_ms.is_some() {
            return Err(MoneyError::PaymentCodeInvalid);
        }
        if now >= code.expires_ms {
            return Err(MoneyError::PaymentCodeExpired);
        }
        let channel = if c.pin_checked {
            Channel::PaymentCode
        } else {
            // A code shown before payments locked must not keep paying without the PIN.
            if let Some(pin) = r.pin(&code.holder_id)?
                && let Some(until) = pin.locked_until_ms
                && until > now
            {
                return Err(MoneyError::Pin(crate::kyc::KycError::PinLocked {
                    retry_after_s: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
                }));
            }
            let policy = &self.policy;
            let used = r.spent_since(
                &code.holder_id,
                limits::day_start_ms(now),
                &[Channel::PaymentCodeFree],
            )?;
            let free = c.amount.amount() <= policy.password_free_payment_minor
                && limits::check_daily(
                    Limit::PasswordFreeDaily,
                    policy.password_free_daily_minor,
                    used,
                    c.amount,
                )
                .is_ok();
            if !free {
                if !c.wait {
                    return Err(MoneyError::PinRequired);
                }
                let waiting = self.wait_for_payer(r, &code.holder_id, c, now)?;
                r.use_payment_code(c.digest, now)?;
                return Ok(ChargeOutcome::Awaiting(waiting));
            }
            Channel::PaymentCodeFree
        };
        let done = self.pay_merchant(
            r,
            None,
            &code.holder_id,
            c.merchant_id,
            c.amount,
            None,
            channel,
            c.description,
            asker,
            now,
        )?;
        r.use_payment_code(c.digest, now)?;
        Ok(ChargeOutcome::Paid(done))
    }

    /// Pays a merchant from a holder's wallet inside a money transaction: the merchant gets the
    /// amount less its fee, the operator the fee. `known_payer` is the payer as the caller knew
    /// them before the transaction, given when the store reads ahead: the risk stage's reads are
    /// then named with the call's first ones.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pay_merchant(
        &self,
        r: &mut dyn MoneyTx,
        known_payer: Option<&HolderRecord>,
        payer_id: &str,
        merchant_id: &str,
        positive: PositiveAmount,
        order_id: Option<&str>,
        channel: Channel,
        description: &str,
        asker: &Asker,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        self.pay_merchant_as(
            r,
            &ids.movement_id(),
            known_payer,
            payer_id,
            merchant_id,
            positive,
            order_id,
            channel,
            description,
            asker,
            now,
        )
    }

    /// [`Money::pay_merchant`] under a payment id made beforehand: a charge that waited for its
    /// payer is paid under the id the till has been polling.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pay_merchant_as(
        &self,
        r: &mut dyn MoneyTx,
        id: &str,
        known_payer: Option<&HolderRecord>,
        payer_id: &str,
        merchant_id: &str,
        positive: PositiveAmount,
        order_id: Option<&str>,
        channel: Channel,
        description: &str,
        asker: &Asker,
        now: i64,
    ) -> Result<Done, MoneyError> {
        // The payer's cards of the shop pay first; the wallet pays the rest.
        let cards = card_parts(r, payer_id, merchant_id, positive.amount(), now)?;
        let (checked, pays) = self.checks_beside(
            r,
            known_payer,
            payer_id,
            merchant_id,
            positive,
            cards.iter().fold(Amount::ZERO, |sum, c| sum + c.amount),
            channel,
            asker,
            id,
            now,
        )?;
        let from = wallet_account(r, &checked.payer.wallet_id, Currency::CNY)?;
        self.merchant_paid(
            r,
            &checked,
            &MerchantPayment {
                id,
                amount: pays,
                from: &from,
                order_id,
                channel,
                description,
                card_id: None,
                fx: None,
                coupon: None,
                beside: cards,
            },
            now,
        )
    }

    /// Pays `order`, priced in another currency, from the payer's yuan through `quote` (checked
    /// by the caller: theirs, for this order and amount, unused, unexpired): the payer's limits,
    /// balance and risk are judged on the yuan they pay; the shop takes the order's amount in its
    /// currency, less its fee in that currency; the quote is spent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pay_merchant_through(
        &self,
        r: &mut dyn MoneyTx,
        known_payer: Option<&HolderRecord>,
        payer_id: &str,
        order: &super::records::OrderRecord,
        quote: &FxQuoteRecord,
        asker: &Asker,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let id = ids.movement_id();
        let pays = PositiveAmount::new(quote.sell.minor()).ok_or(MoneyError::AmountInvalid)?;
        let checked = self.merchant_checks(
            r,
            known_payer,
            payer_id,
            &order.merchant_id,
            pays,
            Channel::Order,
            true,
            asker,
            &id,
            now,
        )?;
        if !r.use_fx_quote(&quote.id, &id, now)? {
            return Err(MoneyError::QuoteUsed);
        }
        let from = wallet_account(r, &checked.payer.wallet_id, Currency::CNY)?;
        self.merchant_paid(
            r,
            &checked,
            &MerchantPayment {
                id: &id,
                amount: quote.sell,
                from: &from,
                order_id: Some(&order.id),
                channel: Channel::Order,
                description: &order.description,
                card_id: None,
                fx: Some(quote),
                coupon: None,
                beside: Vec::new(),
            },
            now,
        )
    }

    /// [`Money::merchant_checks`] for a payment of `price` that `beside` of is paid from beside
    /// the wallet (a coupon, points, cards): judged on what the wallet pays — or, when nothing
    /// is left to it, on the price without asking the balance. Answers the checks and what the
    /// wallet pays.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn checks_beside(
        &self,
        r: &mut dyn MoneyTx,
        known_payer: Option<&HolderRecord>,
        payer_id: &str,
        merchant_id: &str,
        price: PositiveAmount,
        beside: Amount,
        channel: Channel,
        asker: &Asker,
        id: &str,
        now: i64,
    ) -> Result<(MerchantChecked, Amount), MoneyError> {
        let pays = price.amount() - beside;
        let (judged, from_balance) = match PositiveAmount::new(pays.minor()) {
            Some(wallet) => (wallet, true),
            None => (price, false),
        };
        let mut checked = self.merchant_checks(
            r,
            known_payer,
            payer_id,
            merchant_id,
            judged,
            channel,
            from_balance,
            asker,
            id,
            now,
        )?;
        // The shop's fee is on its whole price, whoever pays it.
        checked.fee = self.fees.merchant(price);
        Ok((checked, pays))
    }

    /// Every rule a payment to a merchant passes before any money moves, inside the caller's
    /// money transaction: the payer active, the shop open and not the payer's own, the spending
    /// limits, the balance when `from_balance` (refused as such before risk control asks), and
    /// risk control, screened under the payment's movement `id`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn merchant_checks(
        &self,
        r: &mut dyn MoneyTx,
        known_payer: Option<&HolderRecord>,
        payer_id: &str,
        merchant_id: &str,
        positive: PositiveAmount,
        channel: Channel,
        from_balance: bool,
        asker: &Asker,
        id: &str,
        now: i64,
    ) -> Result<MerchantChecked, MoneyError> {
        let amount = positive.amount();
        let day = limits::day_start_ms(now);
        let currency = Currency::CNY;
        let (shop, operator) = (
            AccountOwner::Wallet(merchant_id.to_string()),
            AccountOwner::Operator,
        );
        let plan = known_payer.and_then(|payer| {
            self.feature_plan(
                asker,
                &Ask {
                    subject: Subject::Holder(payer),
                    payee: Payee::Merchant(merchant_id),
                    amount,
                    movement_id: "",
                },
                now,
            )
        });
        let features = plan.as_ref().map(|p| p.query());
        let mut ahead = vec![
            ReadAhead::Holder(payer_id),
            ReadAhead::Merchant(merchant_id),
            ReadAhead::SpentSince {
                owner_id: payer_id,
                since_ms: day,
                channels: SPENDING,
            },
            ReadAhead::Account {
                owner: &shop,
                kind: AccountKind::Merchant,
                currency,
            },
            ReadAhead::Account {
                owner: &operator,
                kind: AccountKind::FeeIncome,
                currency,
            },
        ];
        if channel == Channel::StaticQr {
            ahead.push(ReadAhead::SpentSince {
                owner_id: payer_id,
                since_ms: day,
                channels: &[Channel::StaticQr],
            });
        }
        if let Some(features) = &features {
            ahead.push(ReadAhead::RiskFeatures(features));
        }
        r.read_ahead(&ahead)?;
        let payer = active_holder(r, payer_id)?;
        let merchant = r
            .merchant(merchant_id)?
            .filter(|m| m.status == "active")
            .ok_or(MoneyError::MerchantUnavailable)?;
        if merchant.holder_id == payer.id {
            return Err(MoneyError::InvalidPayee("yourself"));
        }
        let spent = r.spent_since(&payer.id, day, SPENDING)?;
        limits::check_spending(&self.levels.at(payer.kyc_level), spent, positive)
            .map_err(MoneyError::LimitExceeded)?;
        if channel == Channel::StaticQr {
            let used = r.spent_since(&payer.id, day, &[Channel::StaticQr])?;
            limits::check_daily(
                Limit::StaticQrDaily,
                self.policy.static_qr_daily_minor,
                used,
                positive,
            )
            .map_err(MoneyError::LimitExceeded)?;
        }
        let fee = self.fees.merchant(positive);
        if from_balance && wallet_account(r, &payer.wallet_id, currency)?.available() < amount {
            return Err(MoneyError::InsufficientBalance);
        }
        // A hold cannot wait at a shop's counter: `screen` turns one into a block here.
        self.screen(
            r,
            asker,
            &Ask {
                subject: Subject::Holder(&payer),
                payee: Payee::Merchant(&merchant.id),
                amount,
                movement_id: id,
            },
            now,
        )?;
        Ok(MerchantChecked {
            payer,
            merchant,
            fee,
        })
    }

    /// Moves a checked payment's money to the merchant and writes what it leaves: the payer's
    /// record (a card payment's pending one is marked succeeded), the merchant's payment, the
    /// order paid, the payer's alert and the merchant's webhook event.
    pub(crate) fn merchant_paid(
        &self,
        r: &mut dyn MoneyTx,
        checked: &MerchantChecked,
        paid: &MerchantPayment<'_>,
        now: i64,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let (payer, merchant) = (&checked.payer, &checked.merchant);
        let (id, amount, channel, order_id) = (paid.id, paid.amount, paid.channel, paid.order_id);
        let currency = Currency::CNY;
        // What the shop takes, in what, and its fee: the payer's yuan, or through a quote the
        // order's amount in its own currency (the fee then in that currency too).
        let discount = paid.coupon.map_or(Amount::ZERO, |(_, d)| d);
        let beside_total = paid
            .beside
            .iter()
            .fold(Amount::ZERO, |sum, p| sum + p.amount);
        let (takes, taken_in, fee) = match paid.fx {
            None => (amount + discount + beside_total, currency, checked.fee),
            Some(q) => {
                let takes = PositiveAmount::new(q.buy.minor()).ok_or(MoneyError::AmountInvalid)?;
                (q.buy, q.buy_currency, self.fees.merchant(takes))
            }
        };
        let to = merchant_account(r, &merchant.id, taken_in)?;
        let income = operator_account(r, AccountKind::FeeIncome, taken_in)?;
        // The payer's record is in yuan; through a quote it also says the shop's price.
        // Borrowed in the common case: a yuan payment copies nothing for it.
        let payer_memo: std::borrow::Cow<'_, str> = match paid.fx {
            None => paid.description.into(),
            Some(_) => format!(
                "{} · {}",
                paid.description,
                crate::fx::major(takes, taken_in)
            )
            .into(),
        };
        let mut postings = match paid.fx {
            None => vec![leg(paid.from, -amount)],
            // The conversion inside the payment: the yuan go to the FX position and income, the
            // order's currency comes out of the FX position in it.
            Some(q) => {
                crate::fx::legs::exchange(r, paid.from, taken_in, amount, q.fee, takes)?.to_vec()
            }
        };
        if let Some((funds, discount)) = paid.coupon {
            postings.push(leg(funds, -discount));
        }
        for part in &paid.beside {
            postings.push(leg(&part.account, -part.amount));
            postings.extend(part.beside.iter().map(|(a, m)| leg(a, *m)));
        }
        postings.extend([leg(&to, takes - fee), leg(&income, fee)]);
        apply(
            r,
            &Instruction::Transfer {
                id: entry_id(id, Step::Move),
                postings: legs(postings),
            },
        )?;
        if paid.card_id.is_some() {
            r.set_movement_status(id, MovementStatus::Succeeded, now)?;
        } else {
            r.insert_movement(
                &Side {
                    id,
                    owner_id: &payer.id,
                    kind: MovementKind::Payment,
                    direction: Direction::Out,
                    channel,
                    amount,
                    fee: Amount::ZERO,
                    currency,
                    counterparty: &merchant.name,
                    peer_id: Some(&merchant.id),
                    status: MovementStatus::Succeeded,
                    memo: &payer_memo,
                    entry: Some(entry_id(id, Step::Move)),
                    card_id: None,
                }
                .record(now),
            )?;
        }
        // Cashback on a yuan payment, before the shop's row is written: "new customers only"
        // must see the customer as they were.
        if paid.fx.is_none() {
            self.earn_cashback(r, payer, merchant, takes, id, now)?;
            self.earn_points(r, payer, merchant, takes, id, now)?;
        }
        let mut beside = Beside::default();
        for part in &paid.beside {
            r.insert_payment_part(&PaymentPartRecord {
                payment_id: id.to_string(),
                source: part.source,
                source_id: part.source_id.clone(),
                amount: part.amount,
                returned: Amount::ZERO,
            })?;
            match part.source {
                PartSource::GiftCard => beside.gift_card += part.amount,
                PartSource::Points => beside.points += part.amount.minor(),
            }
        }
        r.insert_merchant_payment(&MerchantPaymentRecord {
            id: id.to_string(),
            merchant_id: merchant.id.clone(),
            holder_id: payer.id.clone(),
            amount: takes,
            fee,
            currency: taken_in,
            refunded: Amount::ZERO,
            fee_refunded: Amount::ZERO,
            order_id: order_id.map(str::to_string),
            channel,
            description: paid.description.to_string(),
            created_ms: now,
        })?;
        if let Some(order_id) = order_id {
            r.pay_order(order_id, id)?;
        }
        self.alert(
            r,
            Alert {
                holder: payer,
                kind: "payment",
                title: "付款成功".into(),
                body: format!("向{} 付款 {}", merchant.name, yuan(amount)),
                title_en: "Payment made".into(),
                body_en: format!("Paid {} to {}", yuan(amount), merchant.name),
                movement_id: id,
                amount,
            },
        )?;
        event(
            r,
            &ids,
            merchant,
            "payment.succeeded",
            &serde_like_json(
                &[
                    ("payment_id", id),
                    ("order_id", order_id.unwrap_or("")),
                    ("channel", channel.as_str()),
                    ("currency", taken_in.as_str()),
                ],
                &[("amount", takes.minor()), ("fee", fee.minor())],
            ),
            now,
        )?;
        Ok(Done {
            id: id.to_string(),
            status: MovementStatus::Succeeded,
            amount,
            fee: Amount::ZERO,
            currency,
            payee: Some(merchant.name.clone()),
            // Points' worth comes off the price like a coupon's.
            discount: discount + Amount::from_minor(beside.points),
            beside,
        })
    }

    /// Refunds (part of) one of the merchant's payments from the merchant's balance, never more
    /// than was paid; the fee goes back in proportion.
    #[allow(clippy::too_many_arguments)]
    pub async fn refund(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        payment_id: &str,
        refund: PositiveAmount,
        reason: &str,
        key: &IdempotencyKey,
        render: Render<RefundDone>,
    ) -> Result<RefundDone, MoneyError> {
        let reason =
            display_text(reason, 200, false).map_err(|_| MoneyError::InvalidField("reason"))?;
        let (key, merchant_id, payment_id) =
            (key.clone(), merchant.id.clone(), payment_id.to_string());
        let asker = Asker::new(&Origin::merchant(), &key, CallKind::Refund);
        let money = self.clone();
        let now = self.now_ms();
        self.call(store, &key, render, now, move |r| {
            money.refund_in(
                r,
                Some(&merchant_id),
                &payment_id,
                refund,
                &reason,
                Some(&asker),
                now,
            )
        })
        .await
    }

    /// A refund's rules inside the caller's money transaction: `refund` of `payment_id` back to
    /// its payer from the merchant's balance, never more than was paid less what was refunded;
    /// the fee goes back in proportion. `merchant_id`, when given, must be the payment's
    /// merchant (a merchant refunds only its own payments); `asker`, when given, is screened by
    /// risk control (a staff member's refund on the merchant's behalf is four-eyes instead).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn refund_in(
        &self,
        r: &mut dyn MoneyTx,
        merchant_id: Option<&str>,
        payment_id: &str,
        refund: PositiveAmount,
        reason: &str,
        asker: Option<&Asker>,
        now: i64,
    ) -> Result<RefundDone, MoneyError> {
        let ids = self.ctx.ids.clone();
        let money = self;
        let payment = r
            .merchant_payment(payment_id)?
            .filter(|p| merchant_id.is_none_or(|m| p.merchant_id == m))
            .ok_or(MoneyError::NotFound)?;
        let merchant = r
            .merchant(&payment.merchant_id)?
            .ok_or(MoneyError::NotFound)?;
        // A refund is money leaving the owner's shop: frozen means none leaves.
        active_holder(r, &merchant.holder_id)?;
        let reason = reason.to_string();
        let amount = refund.amount();
        let refunded_before = payment.refunded;
        // sim_bugs: forgetting the earlier partial refunds lets them add up past the payment.
        #[cfg(feature = "sim-bugs")]
        let refunded_before =
            if crate::sim_bugs::is_on(crate::sim_bugs::Bug::RefundIgnoresEarlierRefunds) {
                Amount::ZERO
            } else {
                refunded_before
            };
        if amount > payment.amount - refunded_before {
            return Err(MoneyError::RefundExceedsPayment);
        }
        let back = fee_back(
            payment.fee,
            payment.amount,
            payment.refunded,
            payment.fee_refunded,
            refund,
        );
        let currency = payment.currency;
        let payer = r.holder(&payment.holder_id)?.ok_or(MoneyError::NotFound)?;
        // Read in this transaction: a wallet closed since the payment takes no money in.
        if payer.status == HolderStatus::Closed {
            return Err(MoneyError::InvalidPayee("closed"));
        }
        let from = merchant_account(r, &merchant.id, currency)?;
        let income = operator_account(r, AccountKind::FeeIncome, currency)?;
        // A payment made through a quote (an order priced in another currency, paid in yuan)
        // goes back in yuan, in proportion to what the payer paid: all of it once all is refunded.
        let paid = r.movement(&payment.id)?;
        let back_in = match &paid {
            Some(m) if m.currency != currency => m.currency,
            _ => currency,
        };
        let to = wallet_account(r, &payer.wallet_id, back_in)?;
        // A payment a coupon paid part of goes back in proportion to what the payer paid: all of
        // it, and not a fen more, once all is refunded (`rewards::refund`).
        let coupon = r.coupon_for_payment(&payment.id)?;
        let parts = r.payment_parts(&payment.id)?;
        let returned = match &paid {
            Some(m) if back_in != currency || coupon.is_some() || !parts.is_empty() => {
                let share = |refunded| payer_share(refunded, m.amount, payment.amount);
                share(payment.refunded + amount) - share(payment.refunded)
            }
            _ => amount,
        };
        let id = ids.movement_id();
        if let Some(asker) = asker {
            money.screen(
                r,
                asker,
                &Ask {
                    subject: Subject::Merchant(&merchant.id),
                    payee: Payee::Holder(&payer),
                    amount: if back_in == Currency::CNY {
                        returned
                    } else {
                        amount
                    },
                    movement_id: &id,
                },
                now,
            )?;
        }
        // What is not the payer's wallet share goes back to the parts paid beside the wallet
        // (points, gift cards), each up to what it paid, and the rest to the coupon's campaign
        // while it runs (and the coupon itself once the payment is refunded whole), else it is
        // kept by the shop.
        let given = if back_in == currency {
            give_back(r, &ids, &payer, &merchant.id, parts, amount - returned, now)?
        } else {
            GivenBack::default()
        };
        let coupon_rest = if back_in == currency {
            amount - returned - given.taken
        } else {
            Amount::ZERO
        };
        let coupon_part = match &coupon {
            Some(coupon) if back_in == currency => crate::rewards::refund::coupon_back(
                r,
                coupon,
                coupon_rest,
                payment.refunded + amount == payment.amount,
                now,
            )?,
            _ => None,
        };
        let kept = match &coupon_part {
            None => coupon_rest,
            Some(_) => Amount::ZERO,
        };
        // Points the payment earned go back in proportion, as far as the payer still has them.
        let points_taken = if back_in == currency {
            take_back_points(
                r,
                &ids,
                &payer,
                &merchant.id,
                &payment.id,
                payment.amount,
                payment.refunded,
                amount,
                now,
            )?
        } else {
            Vec::new()
        };
        // Cashback paid on the payment goes back in proportion: from the refund first, then the
        // balance, never below zero.
        let taken = if back_in == currency {
            Some(money.take_back_cashback(
                r,
                &payment.id,
                &merchant.id,
                payment.amount,
                payment.refunded,
                amount,
                returned,
                to.available(),
                now,
            )?)
        } else {
            None
        };
        let mut postings = vec![leg(&from, -(amount - back - kept)), leg(&income, -back)];
        if let Some((funds, part)) = &coupon_part {
            postings.push(leg(funds, *part));
        }
        if let Some(taken) = &taken {
            postings.extend(taken.to.iter().map(|(account, part)| leg(account, *part)));
        }
        postings.extend(given.legs.iter().map(|(account, part)| leg(account, *part)));
        postings.extend(
            points_taken
                .iter()
                .map(|(account, part)| leg(account, *part)),
        );
        if back_in == currency {
            let clawed = taken
                .as_ref()
                .map_or(Amount::ZERO, |t| t.from_refund + t.from_balance);
            postings.push(leg(&to, returned - clawed + given.to_wallet));
        } else {
            // Through the FX positions, at the rate the payer paid at.
            postings.extend([
                leg(
                    &operator_account(r, AccountKind::FxPosition, currency)?,
                    amount,
                ),
                leg(
                    &operator_account(r, AccountKind::FxPosition, back_in)?,
                    -returned,
                ),
                leg(&to, returned),
            ]);
        }
        apply(
            r,
            &Instruction::Transfer {
                id: entry_id(&id, Step::Move),
                postings: legs(postings),
            },
        )?;
        r.set_refunded(
            &payment.id,
            payment.refunded + amount,
            payment.fee_refunded + back,
        )?;
        r.insert_refund(&RefundRecord {
            id: id.clone(),
            merchant_id: merchant.id.clone(),
            payment_id: payment.id.clone(),
            amount,
            fee_back: back,
            reason: reason.clone(),
            created_ms: now,
        })?;
        r.insert_movement(
            &Side {
                id: &id,
                owner_id: &payer.id,
                kind: MovementKind::Refund,
                direction: Direction::In,
                channel: Channel::Merchant,
                amount: returned,
                fee: Amount::ZERO,
                currency: back_in,
                counterparty: &merchant.name,
                peer_id: Some(&merchant.id),
                status: MovementStatus::Succeeded,
                memo: &reason,
                entry: Some(entry_id(&id, Step::Move)),
                card_id: None,
            }
            .record(now),
        )?;
        money.alert(
            r,
            Alert {
                holder: &payer,
                kind: "refund",
                title: "退款到账".into(),
                body: format!("{} 退款 {}", merchant.name, money_text(returned, back_in)),
                title_en: "Refund received".into(),
                body_en: format!(
                    "{} refunded {}",
                    merchant.name,
                    money_text(returned, back_in)
                ),
                movement_id: &id,
                amount: returned,
            },
        )?;
        event(
            r,
            &ids,
            &merchant,
            "refund.succeeded",
            &serde_like_json(
                &[("refund_id", &id), ("payment_id", &payment.id)],
                &[("amount", amount.minor())],
            ),
            now,
        )?;
        let done = RefundDone {
            refund_id: id.clone(),
            status: MovementStatus::Succeeded,
            amount,
        };
        Ok(done)
    }

    /// The merchant's payments, newest first.
    pub async fn merchant_payments(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        before_id: Option<String>,
        limit: i64,
    ) -> Result<Vec<MerchantPaymentRecord>, MoneyError> {
        let merchant_id = merchant.id.clone();
        Ok(store
            .transact_read(move |r| r.merchant_payments(&merchant_id, before_id.as_deref(), limit))
            .await?)
    }

    /// The merchant's balance: what it may settle.
    pub async fn merchant_balance(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
    ) -> Result<Vec<Account>, MoneyError> {
        let owner = AccountOwner::Wallet(merchant.id.clone());
        Ok(store
            .transact_read(move |r| r.accounts_of(&owner))
            .await?
            .into_iter()
            .filter(|a| a.kind == AccountKind::Merchant)
            .collect())
    }

    /// Settles `amount` (the whole balance when absent) of the merchant's takings to its owner's
    /// default card: held at once, paid out by the bank through the same timer as withdrawals.
    pub async fn settle(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        amount: Option<PositiveAmount>,
        takings_in: Currency,
        key: &IdempotencyKey,
        render: Render<Done>,
    ) -> Result<Done, MoneyError> {
        let ids = self.ctx.ids.clone();
        let merchant_id = merchant.id.clone();
        let now = self.now_ms();
        let delay = self.policy.withdrawal_delay_ms;
        // Takings in another currency are converted to yuan first, at the rate in force.
        let rates = if takings_in == Currency::CNY {
            Vec::new()
        } else {
            crate::fx::rates_in_force(store).await?
        };
        let asker = Asker::new(&Origin::merchant(), key, CallKind::Settlement);
        let money = self.clone();
        self.call(store, key, render, now, move |r| {
            let merchant = r.merchant(&merchant_id)?.ok_or(MoneyError::NotFound)?;
            let owner = active_holder(r, &merchant.holder_id)?;
            let card = r
                .cards_of(&owner.id)?
                .into_iter()
                .filter(|c| c.status == CardStatus::Active)
                .max_by_key(|c| c.is_default)
                .ok_or(MoneyError::KycRequired)?;
            let currency = Currency::CNY;
            let (from, amount) = if takings_in == currency {
                let from = merchant_account(r, &merchant.id, currency)?;
                let amount = match amount {
                    Some(asked) => asked.amount(),
                    None => from.available(),
                };
                (from, amount)
            } else {
                money.takings_to_yuan(r, &merchant, takings_in, amount, &rates, now)?
            };
            if !amount.is_positive() {
                return Err(MoneyError::InsufficientBalance);
            }
            let clearing = operator_account(r, AccountKind::BankClearing, currency)?;
            let id = ids.movement_id();
            money.screen(
                r,
                &asker,
                &Ask {
                    subject: Subject::Merchant(&merchant.id),
                    payee: Payee::Card {
                        id: &card.id,
                        bin: &card.bin,
                    },
                    amount,
                    movement_id: &id,
                },
                now,
            )?;
            apply(
                r,
                &Instruction::Hold {
                    id: entry_id(&id, Step::Move),
                    postings: legs([leg(&from, -amount), leg(&clearing, amount)]),
                },
            )?;
            let shown = format!("{} ****{}", card.bank_name, card.last4);
            r.insert_movement(
                &Side {
                    id: &id,
                    owner_id: &merchant.id,
                    kind: MovementKind::Settlement,
                    direction: Direction::Out,
                    channel: Channel::Card,
                    amount,
                    fee: Amount::ZERO,
                    currency,
                    counterparty: &shown,
                    peer_id: Some(&owner.id),
                    status: MovementStatus::Pending,
                    memo: "",
                    entry: Some(entry_id(&id, Step::Move)),
                    card_id: Some(&card.id),
                }
                .record(now),
            )?;
            r.insert_timer(&TimerRecord {
                id: ids.movement_id(),
                kind: TimerKind::WithdrawalPayout,
                subject: id.clone(),
                due_ms: now + delay,
                attempts: 0,
                created_ms: now,
            })?;
            let done = Done {
                id: id.clone(),
                status: MovementStatus::Pending,
                amount,
                fee: Amount::ZERO,
                currency,
                payee: Some(shown),
                discount: Amount::ZERO,
                beside: Default::default(),
            };
            Ok(done)
        })
        .await
    }
}

impl Money {
    /// Converts `amount` (all when absent) of the shop's takings in `currency` to yuan in its
    /// yuan account, at the mid rate in `rates` less the policy's spread (one entry, recorded as
    /// a conversion): the yuan account as it stands after, and the yuan got.
    fn takings_to_yuan(
        &self,
        r: &mut dyn MoneyTx,
        shop: &MerchantRecord,
        currency: Currency,
        amount: Option<PositiveAmount>,
        rates: &[crate::fx::MidRate],
        now: i64,
    ) -> Result<(Account, Amount), MoneyError> {
        let ids = self.ctx.ids.clone();
        let yuan = Currency::CNY;
        let from = merchant_account(r, &shop.id, currency)?;
        let sell = match amount {
            Some(asked) => asked,
            None => PositiveAmount::new(from.available().minor())
                .ok_or(MoneyError::InsufficientBalance)?,
        };
        if from.available() < sell.amount() {
            return Err(MoneyError::InsufficientBalance);
        }
        let ask = crate::fx::QuoteAsk {
            sell: currency,
            buy: yuan,
            fixed: crate::fx::Fixed::Sell(sell),
        };
        let spread = self.policy.fx.spread_for(currency, yuan);
        let (rate, priced) = self.price_over(rates, ask, spread, now)?;
        let to = merchant_account(r, &shop.id, yuan)?;
        let (sold, fee, got) = (priced.sell.amount(), priced.fee, priced.buy.amount());
        let id = ids.movement_id();
        let mut postings = crate::fx::legs::exchange(r, &from, yuan, sold, fee, got)?.to_vec();
        postings.push(leg(&to, got));
        apply(
            r,
            &Instruction::Transfer {
                id: entry_id(&id, Step::Move),
                postings: legs(postings),
            },
        )?;
        crate::fx::convert::record_conversion(
            r,
            &ids,
            &shop.id,
            &id,
            (currency, sold, fee),
            (yuan, got),
            rate,
            now,
        )?;
        Ok((merchant_account(r, &shop.id, yuan)?, got))
    }
}

/// A merchant's webhook URL in the form it is stored and delivered to, or `None` when it is not
/// one we take.
///
/// Parsed once, with the WHATWG parser the webhook connector's HTTP client uses, and stored as
/// that parser normalised it: what is checked here is exactly what delivery reads. Checking the
/// host with another parser is how `http://2130706433/`, `http://0x7f.0.0.1/`, `http://127.1/`
/// or `http://0/` once passed for public hosts and reached this machine (issue 14).
///
/// Unless `private_hosts` (the sandbox, where receivers run beside the server), a URL is refused
/// when its host is an address outside the public internet
/// ([`is_internal`](crate::domain::network_address::is_internal)), a name reserved for this
/// machine or private networks (`localhost`, `*.localhost`, `*.internal`, `*.local`,
/// `*.home.arpa`), or when it carries user information, which hides the host from a quick read.
/// Other names are not resolved here — the wallet does no I/O, and what a name resolves to can
/// change after this check — so the connector judges the address again on every connection.
fn webhook_url(text: &str, private_hosts: bool) -> Option<String> {
    // Far below what the connector delivers to (2048 bytes); bounded before and after
    // normalisation, which can lengthen a URL (percent-encoding, punycode).
    const URL_BYTES_MAX: usize = 500;
    let text = text.trim();
    // The parser would silently drop tabs and newlines inside a URL; a merchant who sent them
    // did not mean the URL that would result.
    if text.len() > URL_BYTES_MAX || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.as_str().len() > URL_BYTES_MAX {
        return None;
    }
    let host = url.host()?;
    if !private_hosts {
        if !url.username().is_empty() || url.password().is_some() {
            return None;
        }
        let internal = match host {
            url::Host::Domain(name) => {
                // The parser keeps a final dot (`localhost.`), which resolves the same.
                let name = name.strip_suffix('.').unwrap_or(name);
                name == "localhost"
                    || [".localhost", ".internal", ".local", ".home.arpa"]
                        .iter()
                        .any(|suffix| name.ends_with(suffix))
            }
            url::Host::Ipv4(ip) => crate::domain::network_address::is_internal(ip.into()),
            url::Host::Ipv6(ip) => crate::domain::network_address::is_internal(ip.into()),
        };
        if internal {
            return None;
        }
    }
    Some(url.into())
}

/// Queues a webhook event when the merchant has a webhook.
pub(crate) fn event(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    merchant: &MerchantRecord,
    name: &str,
    data: &str,
    now: i64,
) -> Result<(), StoreError> {
    if merchant.webhook_url.is_none() {
        return Ok(());
    }
    let body = format!(
        "{{\"id\":\"{}\",\"type\":\"{name}\",\"created_ms\":{now},\"data\":{data}}}",
        ids.movement_id()
    );
    r.queue_webhook(&merchant.id, name, &body, now)
}

/// A flat JSON object of string and integer fields. The strings are ids and names the platform
/// made, escaped all the same.
pub(crate) fn serde_like_json(texts: &[(&str, &str)], numbers: &[(&str, i64)]) -> String {
    let mut fields: Vec<String> = texts
        .iter()
        .map(|(k, v)| format!("\"{k}\":\"{}\"", escape(v)))
        .collect();
    fields.extend(numbers.iter().map(|(k, v)| format!("\"{k}\":{v}")));
    format!("{{{}}}", fields.join(","))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// A payment to a merchant that passed [`Money::merchant_checks`].
pub(crate) struct MerchantChecked {
    /// The payer, active when checked.
    pub(crate) payer: HolderRecord,
    /// The shop, open when checked.
    pub(crate) merchant: MerchantRecord,
    /// The merchant's fee on it.
    pub(crate) fee: Amount,
}

/// Where a checked merchant payment's money comes from, and what it is for.
pub(crate) struct MerchantPayment<'a> {
    /// The payer's movement id, which is the payment's id.
    pub(crate) id: &'a str,
    /// What the payer pays.
    pub(crate) amount: Amount,
    /// The account the money leaves: the payer's wallet, or bank clearing for a card payment.
    pub(crate) from: &'a Account,
    /// The order it pays.
    pub(crate) order_id: Option<&'a str>,
    /// How it was paid.
    pub(crate) channel: Channel,
    /// The order's or till's description.
    pub(crate) description: &'a str,
    /// The payer's card, for a card payment whose pending record already stands.
    pub(crate) card_id: Option<&'a str>,
    /// The quote an order priced in another currency is paid through: the payer pays `amount`
    /// in yuan, the shop takes the quote's buy amount in the order's currency.
    pub(crate) fx: Option<&'a FxQuoteRecord>,
    /// A coupon's part: the shop's campaign funds pay `discount` of the price beside the
    /// payer's `amount` (the shop takes `amount + discount`).
    pub(crate) coupon: Option<(&'a Account, Amount)>,
    /// The parts paid beside the wallet (points, gift cards): the shop takes them too.
    pub(crate) beside: Vec<PaidPart>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_names_and_categories_are_checked() {
        assert!(merchant_name("兰州牛肉面").is_ok());
        assert!(merchant_name("").is_err());
        assert!(merchant_name("a\u{0}b").is_err());
        assert!(merchant_name(&"长".repeat(51)).is_err());
        assert!(category("restaurant").is_ok());
        assert!(category("Restaurant").is_err());
        assert!(category("").is_err());
    }

    /// Every spelling of 127.0.0.1 the outside attack of issue 14 got past the old check.
    /// With the address each one names: `0` is 0.0.0.0, which connects to this machine too.
    const LOOPBACK_SPELLINGS: [(&str, &str); 8] = [
        ("http://2130706433:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://0x7f000001:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://0x7f.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://0177.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://127.1:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://127.0.0.1.:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://127.0.0.%31:8080/hook", "http://127.0.0.1:8080/hook"),
        ("http://0:8080/hook", "http://0.0.0.0:8080/hook"),
    ];

    #[test]
    fn every_spelling_of_a_loopback_address_is_refused() {
        for (spelled, _) in LOOPBACK_SPELLINGS {
            assert_eq!(webhook_url(spelled, false), None, "{spelled}");
        }
    }

    #[test]
    fn every_spelling_of_a_loopback_address_is_stored_as_the_address_it_names() {
        for (spelled, normal) in LOOPBACK_SPELLINGS {
            assert_eq!(
                webhook_url(spelled, true).as_deref(),
                Some(normal),
                "{spelled}"
            );
        }
    }

    #[test]
    fn ipv6_forms_of_internal_addresses_are_refused() {
        for url in [
            "http://[::1]:9000/",
            "http://[0:0:0:0:0:0:0:1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:7f00:1::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
        ] {
            assert_eq!(webhook_url(url, false), None, "{url}");
        }
    }

    #[test]
    fn webhook_urls_into_private_networks_or_reserved_names_are_refused() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://LOCALHOST./hook",
            "http://shop.localhost/hook",
            "http://metadata.google.internal/",
            "http://printer.local/",
            "http://router.home.arpa/",
            "http://10.1.2.3/",
            "https://192.168.0.1/x",
            "http://172.16.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://user@example.com/",
            "http://user:pass@example.com/",
            "http://:pass@example.com/",
        ] {
            assert_eq!(webhook_url(url, false), None, "{url}");
        }
    }

    #[test]
    fn webhook_urls_that_are_not_http_or_not_urls_are_refused_whatever_the_policy() {
        let long = format!("https://shop.example.com/{}", "a".repeat(480));
        // Each `é` becomes `%C3%A9`: under the limit as sent, over it once normalised.
        let grows = format!("https://shop.example.com/{}", "é".repeat(200));
        for url in [
            "ftp://shop.example.com/",
            "javascript:alert(1)",
            "not a url",
            "http://",
            "http://shop.example.com/a b",
            "http://shop.\texample.com/",
            "http://shop.example.com/a\nb",
            "http://[::1/",
            "http://999999999999/",
            long.as_str(),
            grows.as_str(),
        ] {
            for private_hosts in [false, true] {
                assert_eq!(webhook_url(url, private_hosts), None, "{url}");
            }
        }
    }

    #[test]
    fn public_webhook_urls_are_stored_as_the_parser_normalises_them() {
        for (sent, stored) in [
            (
                "https://shop.example.com/hooks?x=1",
                "https://shop.example.com/hooks?x=1",
            ),
            (
                "  HTTP://Shop.Example.COM:80/h  ",
                "http://shop.example.com/h",
            ),
            ("http://8.8.8.8:8443/h", "http://8.8.8.8:8443/h"),
            ("http://134744072/h", "http://8.8.8.8/h"),
            ("http://[2606:4700::1111]/h", "http://[2606:4700::1111]/h"),
            ("http://@shop.example.com/", "http://shop.example.com/"),
            ("https://例え.jp/h", "https://xn--r8jz45g.jp/h"),
        ] {
            assert_eq!(webhook_url(sent, false).as_deref(), Some(stored), "{sent}");
        }
    }

    #[test]
    fn private_webhook_urls_are_taken_when_the_policy_allows_them() {
        for (sent, stored) in [
            ("http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"),
            ("http://localhost:8080/hook", "http://localhost:8080/hook"),
            ("http://[::1]:8080/hook", "http://[::1]:8080/hook"),
            ("http://u:p@10.0.0.8/hook", "http://u:p@10.0.0.8/hook"),
        ] {
            assert_eq!(webhook_url(sent, true).as_deref(), Some(stored), "{sent}");
        }
    }

    #[test]
    fn event_fields_are_escaped() {
        assert_eq!(
            serde_like_json(&[("a", "x\"y\\\n")], &[("n", 5)]),
            "{\"a\":\"x\\\"y\\\\\\u000a\",\"n\":5}"
        );
    }
}
