//! The workload: what simulated holders and shops do, one action a step, chosen from the seed.
//! Each action speaks the public HTTP API as the apps do (docs/sandbox.md's steps), applies what
//! the server acknowledged to the model, and says which holders' balances to check.

use crate::client::{Call, Reply};
use crate::model::{Acked, Holder, Merchant, Payment, Pending, PendingKind};
use crate::people::{self, CardKind};
use crate::world::World;
use axum::http::Method;
use serde_json::json;
use std::net::SocketAddr;

/// Holders a run opens at most: enough for transfers in every direction, few enough that each
/// one's balance is exercised.
const HOLDERS_MAX: usize = 10;
/// Shops a run opens at most.
const MERCHANTS_MAX: usize = 3;
/// The payment passwords holders choose (none guessable from their particulars).
pub(crate) const PINS: [&str; 5] = ["258147", "369258", "147036", "806142", "520713"];
/// A shop's password-free limit on a payment-code charge (¥500).
const CHARGE_FREE_MAX: i64 = 50_000;
/// How often, in percent, a holder pays an order straight from their card.
const CARD_PAY_PERCENT: u64 = 25;
/// How often, in percent, a till charges a payment code it charged before.
const REUSE_CODE_PERCENT: u64 = 15;
/// How often, in percent, the bank misbehaves (or the server dies) under a top-up.
const BANK_FAULT_PERCENT: u64 = 20;
/// How often, in percent, it does under a pass of the background work.
const BANK_FAULT_IN_BACKGROUND_PERCENT: u64 = 15;

/// What a step did: holders whose balances the checks should look at.
pub type Touched = Vec<usize>;

/// Every action the workload has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    OpenWallet,
    OpenShop,
    TopUp,
    Transfer,
    PayReceiveCode,
    PayOrder,
    ChargeCode,
    Refund,
    Withdraw,
    CancelTransfer,
    SendPacket,
    ClaimPacket,
    Convert,
    PayBill,
    ResetPin,
    Tick,
    Crash,
}

impl World {
    /// Runs one step of the workload.
    pub fn act(&mut self) -> Result<Touched, String> {
        // Time passes between any two things people do.
        let pause = self.rng.between(200, 5_000);
        self.clock.advance_ms(pause);
        let holders = self.model.holders.len();
        let funded = self.model.holders.iter().any(|h| h.available > 0);
        let action = if holders < 2 {
            Action::OpenWallet
        } else {
            let weights = [
                (
                    Action::OpenWallet,
                    if holders < HOLDERS_MAX { 5 } else { 0 },
                ),
                (
                    Action::OpenShop,
                    if self.model.merchants.len() < MERCHANTS_MAX {
                        3
                    } else {
                        0
                    },
                ),
                (Action::TopUp, 14),
                (Action::Transfer, if funded { 12 } else { 0 }),
                (Action::PayReceiveCode, if funded { 5 } else { 0 }),
                (
                    Action::PayOrder,
                    if funded && !self.model.merchants.is_empty() {
                        10
                    } else {
                        0
                    },
                ),
                (
                    Action::ChargeCode,
                    if funded && !self.model.merchants.is_empty() {
                        6
                    } else {
                        0
                    },
                ),
                (
                    Action::Refund,
                    if self.model.payments.is_empty() { 0 } else { 9 },
                ),
                (Action::Withdraw, if funded { 6 } else { 0 }),
                (
                    Action::CancelTransfer,
                    if self.scheduled_transfers().is_empty() {
                        0
                    } else {
                        4
                    },
                ),
                (Action::SendPacket, if funded { 5 } else { 0 }),
                (
                    Action::ClaimPacket,
                    if self.model.packets.iter().any(|p| !p.finished()) {
                        8
                    } else {
                        0
                    },
                ),
                (Action::Convert, 5),
                (Action::PayBill, if funded { 5 } else { 0 }),
                (Action::ResetPin, 1),
                (Action::Tick, 8),
                (Action::Crash, 2),
            ];
            let pick = self
                .rng
                .weighted(&weights.iter().map(|w| w.1).collect::<Vec<_>>());
            weights[pick].0
        };
        match action {
            Action::OpenWallet => self.open_wallet(),
            Action::OpenShop => self.open_shop(),
            Action::TopUp => self.top_up(),
            Action::Transfer => self.transfer(),
            Action::PayReceiveCode => self.pay_receive_code(),
            Action::PayOrder => self.pay_order(),
            Action::ChargeCode => self.charge_code(),
            Action::Refund => self.refund(),
            Action::Withdraw => self.withdraw(),
            Action::CancelTransfer => self.cancel_transfer(),
            Action::SendPacket => self.send_packet(),
            Action::ClaimPacket => self.claim_packet(),
            Action::Convert => self.convert(),
            Action::PayBill => self.pay_bill(),
            Action::ResetPin => self.reset_pin(),
            Action::Tick => self.tick(),
            Action::Crash => {
                self.crash_and_restart()?;
                Ok((0..self.model.holders.len()).collect())
            }
        }
    }

    /// A holder's request.
    pub(crate) fn as_holder(&self, h: usize, method: Method, path: impl Into<String>) -> Call {
        let holder = &self.model.holders[h];
        Call::new(method, path, holder.peer).bearer(&holder.token)
    }

    /// A shop's request with its API key, from its owner's address.
    fn as_shop(&self, m: usize, method: Method, path: impl Into<String>) -> Call {
        let merchant = &self.model.merchants[m];
        let peer = self.model.holders[merchant.owner].peer;
        Call::new(method, path, peer).bearer(&merchant.api_key)
    }

    /// The newest code the sandbox's SMS view shows for `phone`.
    pub(crate) fn latest_code(&mut self, phone: &str, peer: SocketAddr) -> String {
        let path = format!("/v1/sandbox/sms?phone={}", phone.replace('+', "%2B"));
        let reply = self.call(Call::new(Method::GET, path, peer));
        reply.body["items"][0]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// A step of opening a wallet that must work; a refusal is a violation of `opening_works`.
    fn expect(&mut self, what: &str, reply: &Reply, status: u16) -> bool {
        if reply.status == status {
            return true;
        }
        self.violation(
            "opening_works",
            format!("{what}: expected {status}, got {}", reply.summary()),
        );
        false
    }

    /// Opens a wallet through the six steps the app takes: a code, sign-up, real name, a card
    /// bound with the bank's code, a payment password.
    fn open_wallet(&mut self) -> Result<Touched, String> {
        let n = self.model.holders.len();
        let phone = people::phone(n);
        let card = match self.rng.weighted(&[60, 10, 10, 20]) {
            1 => CardKind::Empty,
            2 => CardKind::SlowAnswers,
            3 => CardKind::RefusesPayouts,
            _ => CardKind::Good,
        };
        let card_number = people::card_number(card, &mut self.rng);
        let pin = PINS[self.rng.below(PINS.len())].to_string();
        let peer = SocketAddr::from(([10, 0, 0, u8::try_from(n + 1).unwrap_or(255)], 40_000));
        self.note(format!("open wallet h{n} card {}", card.name()));
        let reply = self.call(
            Call::new(Method::POST, "/v1/otp", peer)
                .json(json!({"phone": phone, "purpose": "signup"})),
        );
        if !self.expect("POST /v1/otp", &reply, 202) {
            return Ok(vec![]);
        }
        let otp = self.latest_code(&phone, peer);
        let reply = self.call(Call::new(Method::POST, "/v1/signup", peer).json(json!({
            "phone": phone, "otp": otp, "password": format!("Corr3ct-Horse-{n}"),
            "device_name": "sim",
        })));
        if !self.expect("POST /v1/signup", &reply, 201) {
            return Ok(vec![]);
        }
        let token = reply.text("token");
        let call = |method, path: &str| Call::new(method, path, peer).bearer(&token);
        let reply = self.call(
            call(Method::POST, "/v1/me/identity")
                .json(json!({"name": "张三", "id_number": people::id_number(n)})),
        );
        if !self.expect("POST /v1/me/identity", &reply, 200) {
            return Ok(vec![]);
        }
        let reply = self.call(call(Method::POST, "/v1/me/cards").json(json!({
            "card_number": card_number.clone(), "holder_name": "张三",
            "id_number": people::id_number(n), "reserved_phone": phone,
        })));
        if !self.expect("POST /v1/me/cards", &reply, 202) {
            return Ok(vec![]);
        }
        let card_id = reply.text("card_id");
        let otp = self.latest_code(&phone, peer);
        let reply = self.call(
            call(Method::POST, &format!("/v1/me/cards/{card_id}/confirm"))
                .json(json!({"otp": otp})),
        );
        if !self.expect("POST /v1/me/cards/{id}/confirm", &reply, 200) {
            return Ok(vec![]);
        }
        let reply = self.call(call(Method::PUT, "/v1/me/pin").json(json!({"pin": pin})));
        if !self.expect("PUT /v1/me/pin", &reply, 204) {
            return Ok(vec![]);
        }
        self.model.holders.push(Holder {
            phone,
            token,
            card_id,
            card_number,
            card,
            pin,
            peer,
            available: 0,
            held: 0,
            spent_code: None,
            foreign: Default::default(),
            spent_by_day: Default::default(),
        });
        Ok(vec![n])
    }

    /// A holder opens a shop, and most shops set a webhook.
    fn open_shop(&mut self) -> Result<Touched, String> {
        let owner = self.rng.below(self.model.holders.len());
        let m = self.model.merchants.len();
        let reply = self.call(
            self.as_holder(owner, Method::POST, "/v1/merchants")
                .json(json!({"name": format!("兰州牛肉面{m}"), "category": "restaurant"})),
        );
        self.note(format!("open shop m{m} by h{owner}: {}", reply.summary()));
        if reply.status != 201 {
            self.violation(
                "opening_works",
                format!("POST /v1/merchants: {}", reply.summary()),
            );
            return Ok(vec![]);
        }
        self.model.merchants.push(Merchant {
            owner,
            api_key: reply.text("api_key"),
            webhook_secret: None,
        });
        if self.rng.chance(70) {
            let url = format!("https://shop-{m}.sim.example/hooks");
            let reply = self.call(
                self.as_shop(m, Method::PUT, "/v1/merchant/webhook")
                    .json(json!({ "url": url })),
            );
            self.note(format!("m{m} sets a webhook: {}", reply.summary()));
            if reply.ok() {
                self.model.merchants[m].webhook_secret = Some(reply.text("secret"));
            }
        }
        Ok(vec![])
    }

    /// A holder with money, chosen from the seed; `None` when nobody has any.
    pub(crate) fn funded_holder(&mut self) -> Option<usize> {
        let funded: Vec<usize> = (0..self.model.holders.len())
            .filter(|&h| self.model.holders[h].available > 0)
            .collect();
        (!funded.is_empty()).then(|| funded[self.rng.below(funded.len())])
    }

    /// An amount to spend from `available`: mostly within it, sometimes more than there is.
    pub(crate) fn spend_amount(&mut self, available: i64) -> i64 {
        if self.rng.chance(8) {
            available + self.rng.between(1, 10_000)
        } else {
            self.rng.between(1, available.clamp(1, 200_000))
        }
    }

    /// Applies a money reply for `holder`: a 2xx is counted and remembered for the crash checks.
    pub(crate) fn acknowledged(&mut self, holder: usize, id: &str, what: &'static str) {
        self.movements += 1;
        self.model.acked.push(Acked {
            holder,
            id: id.to_string(),
            what,
        });
    }

    /// Counts a call made on a card the sandbox bank misbehaves for.
    fn count_card_fault(&mut self, h: usize) {
        if self.model.holders[h].card != CardKind::Good {
            self.faults += 1;
        }
    }

    /// A top-up from the holder's bound card.
    fn top_up(&mut self) -> Result<Touched, String> {
        let h = self.rng.below(self.model.holders.len());
        let amount = self.rng.between(100, 300_000);
        let holder = &self.model.holders[h];
        let body = json!({"card_id": holder.card_id, "amount": amount, "pin": holder.pin});
        let key = self.new_key();
        let call = self
            .as_holder(h, Method::POST, "/v1/me/topups")
            .json(body)
            .key(&key);
        self.count_card_fault(h);
        self.maybe_bank_fault(BANK_FAULT_PERCENT);
        let reply = self.money_call(call, "id")?;
        self.settle_bank_fault();
        let status = reply.text("status");
        self.note(format!(
            "top-up h{h} {amount} ({}): {} {status}",
            self.model.holders[h].card.name(),
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("id");
            self.acknowledged(h, &id, "top-up");
            let fee = reply.int("fee");
            match status.as_str() {
                "succeeded" => self.model.holders[h].available += amount - fee,
                "pending" => self.model.pending.push(Pending {
                    holder: h,
                    id,
                    kind: PendingKind::TopUp,
                    amount,
                    fee,
                    memo: String::new(),
                }),
                other => self.violation(
                    "known_status",
                    format!("a top-up answered 201 with status {other:?}"),
                ),
            }
        }
        Ok(vec![h])
    }

    /// A transfer by phone to another holder, now or (sometimes) delayed by two hours.
    fn transfer(&mut self) -> Result<Touched, String> {
        let Some(from) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let mut to = self.rng.below(self.model.holders.len() - 1);
        if to >= from {
            to += 1;
        }
        let amount = self.spend_amount(self.model.holders[from].available);
        let delayed = self.rng.chance(15);
        let key = self.new_key();
        // Unique, so the payee's record of a delayed transfer is found by it once the timer ran.
        let memo = format!("t{}", self.keys());
        let mut body = json!({
            "to_phone": self.model.holders[to].phone,
            "amount": amount,
            "pin": self.model.holders[from].pin,
            "memo": memo,
        });
        if delayed {
            body["delay"] = json!("2h");
        }
        let day = self.china_day();
        let call = self
            .as_holder(from, Method::POST, "/v1/transfers")
            .json(body)
            .key(&key);
        let reply = self.money_call(call, "id")?;
        let status = reply.text("status");
        self.note(format!(
            "transfer h{from}->h{to} {amount}{}: {} {status}",
            if delayed { " in 2h" } else { "" },
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("id");
            self.acknowledged(from, &id, "transfer");
            let fee = reply.int("fee");
            match status.as_str() {
                "succeeded" => {
                    self.model.holders[from].available -= amount + fee;
                    self.model.holders[to].available += amount;
                    self.spent(from, day, amount);
                }
                "scheduled" => {
                    self.model.holders[from].available -= amount + fee;
                    self.model.holders[from].held += amount + fee;
                    self.model.pending.push(Pending {
                        holder: from,
                        id,
                        kind: PendingKind::DelayedTransfer(to),
                        amount,
                        fee,
                        memo,
                    });
                }
                other => self.violation(
                    "known_status",
                    format!("a transfer answered 201 with status {other:?}"),
                ),
            }
        } else if reply.status == 202 {
            self.held(from, Some(to), &reply, amount, &memo);
        }
        Ok(vec![from, to])
    }

    /// A holder pays another holder's receive code.
    fn pay_receive_code(&mut self) -> Result<Touched, String> {
        let Some(from) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let mut to = self.rng.below(self.model.holders.len() - 1);
        if to >= from {
            to += 1;
        }
        let amount = self.spend_amount(self.model.holders[from].available);
        let code = self.call(self.as_holder(
            to,
            Method::GET,
            format!("/v1/me/receive-code?amount={amount}"),
        ));
        if !code.ok() {
            self.note(format!("receive code h{to} {amount}: {}", code.summary()));
            return Ok(vec![]);
        }
        let body = json!({"payload": code.text("payload"), "pin": self.model.holders[from].pin});
        let key = self.new_key();
        let day = self.china_day();
        let call = self
            .as_holder(from, Method::POST, "/v1/pay")
            .json(body)
            .key(&key);
        let reply = self.money_call(call, "payment_id")?;
        self.note(format!(
            "pay receive code h{from}->h{to} {amount}: {}",
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("payment_id");
            self.acknowledged(from, &id, "payment to a receive code");
            self.model.holders[from].available -= reply.int("paid");
            self.model.holders[to].available += amount;
            self.spent(from, day, amount);
        } else if reply.status == 202 {
            self.held(from, Some(to), &reply, amount, "");
        }
        Ok(vec![from, to])
    }

    /// A shop makes an order and a holder pays its code.
    fn pay_order(&mut self) -> Result<Touched, String> {
        let Some(payer) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let m = self.rng.below(self.model.merchants.len());
        let amount = self.spend_amount(self.model.holders[payer].available);
        let order = self.call(
            self.as_shop(m, Method::POST, "/v1/merchant/orders")
                .json(json!({"amount": amount, "description": "一碗面"})),
        );
        if order.status != 201 {
            self.note(format!("order m{m} {amount}: {}", order.summary()));
            return Ok(vec![]);
        }
        let mut body =
            json!({"payload": order.text("qr_payload"), "pin": self.model.holders[payer].pin});
        // Some pay straight from their card: the bank is asked inside the payment, and may fail
        // or take the server down with it.
        let by_card = self.rng.chance(CARD_PAY_PERCENT);
        if by_card {
            body["card_id"] = json!(self.model.holders[payer].card_id);
            self.count_card_fault(payer);
            self.maybe_bank_fault(BANK_FAULT_PERCENT);
        }
        let key = self.new_key();
        let call = self
            .as_holder(payer, Method::POST, "/v1/pay")
            .json(body)
            .key(&key);
        let day = self.china_day();
        let reply = self.money_call(call, "payment_id")?;
        self.settle_bank_fault();
        let method = reply.text("method");
        self.note(format!(
            "pay order h{payer}->m{m} {amount}{}: {} {method}",
            if by_card { " by card" } else { "" },
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("payment_id");
            // A card payment leaves the balance untouched: the money goes from the bank to the
            // shop in one entry.
            let from_balance = if method == "card" {
                0
            } else {
                reply.int("paid")
            };
            if by_card != (method == "card") {
                self.violation(
                    "known_status",
                    format!("a payment asked by_card={by_card} answered method {method:?}"),
                );
            }
            self.paid_shop(payer, m, &id, from_balance, amount);
            // A card payment is left out: whether it counts against the balance's daily limit
            // is the card's bank's business, so the model claims nothing of it.
            if method != "card" {
                self.spent(payer, day, amount);
            }
        } else if reply.status == 202 && !by_card {
            self.held(payer, None, &reply, amount, "");
        } else if reply.status == 202 {
            self.violation(
                "known_status",
                "a payment from a card was held for review: the model has no such hold".into(),
            );
        }
        Ok(vec![payer, self.model.merchants[m].owner])
    }

    /// The model's side of a payment to a shop.
    fn paid_shop(&mut self, payer: usize, m: usize, id: &str, paid: i64, amount: i64) {
        self.acknowledged(payer, id, "payment to a shop");
        self.model.holders[payer].available -= paid;
        self.model.payments.push(Payment {
            id: id.to_string(),
            merchant: m,
            payer,
            amount,
            refunded: 0,
        });
    }

    /// A shop charges a holder's payment code at the till, within the password-free limit.
    fn charge_code(&mut self) -> Result<Touched, String> {
        let Some(payer) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let m = self.rng.below(self.model.merchants.len());
        let available = self.model.holders[payer].available;
        let amount = self.spend_amount(available.min(CHARGE_FREE_MAX));
        // Now and then the till charges a code it charged before (a double scan): it must be
        // refused, whatever else holds.
        let spent = self.model.holders[payer].spent_code.clone();
        let (payment_code, reused) = match spent {
            Some(spent) if self.rng.chance(REUSE_CODE_PERCENT) => (spent, true),
            _ => {
                let code = self.call(self.as_holder(payer, Method::GET, "/v1/me/payment-code"));
                if !code.ok() {
                    self.note(format!("payment code h{payer}: {}", code.summary()));
                    return Ok(vec![]);
                }
                (code.text("code"), false)
            }
        };
        let body = json!({
            "payment_code": payment_code, "amount": amount, "await_payer": false,
        });
        let key = self.new_key();
        let call = self
            .as_shop(m, Method::POST, "/v1/merchant/charges")
            .json(body)
            .key(&key);
        let day = self.china_day();
        let reply = self.money_call(call, "payment_id")?;
        self.note(format!(
            "charge {} code m{m}<-h{payer} {amount}: {} {}",
            if reused { "a spent" } else { "a new" },
            reply.summary(),
            reply.text("status")
        ));
        if reply.status == 201 {
            if reused {
                self.violation(
                    "code_used_once",
                    format!("h{payer}'s payment code was charged a second time by m{m}"),
                );
            }
            let id = reply.text("payment_id");
            self.paid_shop(payer, m, &id, amount, amount);
            self.spent(payer, day, amount);
            self.model.holders[payer].spent_code = Some(payment_code);
        }
        Ok(vec![payer, self.model.merchants[m].owner])
    }

    /// A shop refunds one of its payments: all that is left, a part, or (a till's mistake) more
    /// than is left, which must be refused.
    fn refund(&mut self) -> Result<Touched, String> {
        let p = self.rng.below(self.model.payments.len());
        let payment = self.model.payments[p].clone();
        let left = payment.amount - payment.refunded;
        let amount = match self.rng.weighted(&[35, 45, 20]) {
            0 if left > 0 => left,
            1 if left > 1 => self.rng.between(1, left - 1),
            _ => left + self.rng.between(1, payment.amount),
        };
        let body = json!({"payment_id": payment.id, "amount": amount, "reason": "退一部分"});
        let key = self.new_key();
        let call = self
            .as_shop(payment.merchant, Method::POST, "/v1/merchant/refunds")
            .json(body)
            .key(&key);
        let reply = self.money_call(call, "refund_id")?;
        self.note(format!(
            "refund m{} p{p} {amount} of {} ({} left): {}",
            payment.merchant,
            payment.amount,
            left,
            reply.summary()
        ));
        if reply.status == 201 {
            if amount > left {
                self.violation(
                    "refund_within_payment",
                    format!(
                        "a refund of {amount} was acknowledged on a payment of {} with {} \
                         refunded already",
                        payment.amount, payment.refunded
                    ),
                );
            }
            self.movements += 1;
            self.model.payments[p].refunded += amount;
            self.model.holders[payment.payer].available += amount;
        } else if amount > left && reply.code() != "refund_exceeds_payment" {
            self.violation(
                "refund_within_payment",
                format!(
                    "a refund beyond the payment was answered {} {}, not refund_exceeds_payment",
                    reply.status,
                    reply.code()
                ),
            );
        }
        Ok(vec![
            payment.payer,
            self.model.merchants[payment.merchant].owner,
        ])
    }

    /// A withdrawal to the holder's card: held at once, paid out by the bank later.
    fn withdraw(&mut self) -> Result<Touched, String> {
        let Some(h) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let amount = self.spend_amount(self.model.holders[h].available);
        let holder = &self.model.holders[h];
        let body = json!({"card_id": holder.card_id, "amount": amount, "pin": holder.pin});
        let key = self.new_key();
        let call = self
            .as_holder(h, Method::POST, "/v1/me/withdrawals")
            .json(body)
            .key(&key);
        self.count_card_fault(h);
        let reply = self.money_call(call, "id")?;
        let status = reply.text("status");
        self.note(format!(
            "withdraw h{h} {amount} ({}): {} {status}",
            self.model.holders[h].card.name(),
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("id");
            self.acknowledged(h, &id, "withdrawal");
            let fee = reply.int("fee");
            let holder = &mut self.model.holders[h];
            holder.available -= amount + fee;
            match status.as_str() {
                "pending" => {
                    holder.held += amount + fee;
                    self.model.pending.push(Pending {
                        holder: h,
                        id,
                        kind: PendingKind::Withdrawal,
                        amount,
                        fee,
                        memo: String::new(),
                    });
                }
                "succeeded" => {}
                other => self.violation(
                    "known_status",
                    format!("a withdrawal answered 201 with status {other:?}"),
                ),
            }
        } else if reply.status == 202 {
            self.held(h, None, &reply, amount, "");
        }
        Ok(vec![h])
    }

    /// The pending delayed transfers, by their index in the model's pending list.
    fn scheduled_transfers(&self) -> Vec<usize> {
        (0..self.model.pending.len())
            .filter(|&i| matches!(self.model.pending[i].kind, PendingKind::DelayedTransfer(_)))
            .collect()
    }

    /// The payer cancels a delayed transfer before it runs: the held money comes back.
    fn cancel_transfer(&mut self) -> Result<Touched, String> {
        let scheduled = self.scheduled_transfers();
        let i = scheduled[self.rng.below(scheduled.len())];
        let p = self.model.pending[i].clone();
        let PendingKind::DelayedTransfer(to) = p.kind else {
            return Ok(vec![]);
        };
        let reply = self.call(self.as_holder(
            p.holder,
            Method::POST,
            format!("/v1/transfers/{}/cancel", p.id),
        ));
        let status = reply.text("status");
        self.note(format!(
            "cancel transfer h{}->h{to} {}: {} {status}",
            p.holder,
            p.amount,
            reply.summary()
        ));
        if reply.ok() {
            if status != "cancelled" {
                self.violation(
                    "known_status",
                    format!("a cancelled transfer answered status {status:?}"),
                );
            }
            self.model.pending.remove(i);
            let holder = &mut self.model.holders[p.holder];
            holder.held -= p.amount + p.fee;
            holder.available += p.amount + p.fee;
            self.timer_done(to, "transfer", &p.memo, 0);
        }
        Ok(vec![p.holder, to])
    }

    /// Time jumps — seconds, hours (past a delayed transfer), a day, a month — and the
    /// background work runs; then what finished is applied to the model.
    pub fn tick(&mut self) -> Result<Touched, String> {
        let jump_ms = match self.rng.weighted(&[40, 30, 20, 10]) {
            0 => self.rng.between(1_000, 10_000),
            1 => self.rng.between(3_600_000, 3 * 3_600_000),
            2 => self.rng.between(20 * 3_600_000, 28 * 3_600_000),
            _ => self.rng.between(28, 31) * 24 * 3_600_000,
        };
        self.clock.advance_ms(jump_ms);
        self.note(format!("tick +{jump_ms} ms"));
        self.background()?;
        Ok((0..self.model.holders.len()).collect())
    }

    /// Runs the background work twice (a timer's work may make more due at once), then asks
    /// for every pending movement's status and applies the finished ones to the model.
    pub fn background(&mut self) -> Result<(), String> {
        let (crashes, faults) = (self.crashes, self.faults);
        // The bank may fail, or the server die, under a payout or a reconciliation too.
        self.maybe_bank_fault(BANK_FAULT_IN_BACKGROUND_PERCENT);
        self.tick_node()?;
        self.settle_bank_fault();
        // A running server would try a refused payout again within minutes (the payout timer's
        // longest wait is 5): the clock moves that far before the next pass, so a month's jump
        // that met a bank fault does not leave a withdrawal's hold pending for verify's
        // hold-age check (which judges by this clock) to call stuck.
        self.clock.advance_ms(5 * 60_000);
        // Now and then a crash at an await point of a timer's or an outbox's work, then the
        // pass again on the restarted server.
        self.maybe_crash_in_background();
        let crashing = self.crash_planned();
        self.tick_node()?;
        if crashing {
            self.tick_node()?;
        }
        // A pass that met a fault or a crash put its timers back by up to their longest wait; a
        // running server would have tried again by then, so one more pass after it — else a
        // month's jump would leave a payout's hold pending a month, which verify rightly calls
        // stuck, for no fault of the wallet's.
        if (self.crashes, self.faults) != (crashes, faults) {
            self.clock.advance_ms(5 * 60_000);
            self.tick_node()?;
        }
        let pending = std::mem::take(&mut self.model.pending);
        for p in pending {
            let reply = self.call(self.as_holder(
                p.holder,
                Method::GET,
                format!("/v1/me/transactions/{}", p.id),
            ));
            let status = reply.text("status");
            let finished = match (p.kind, status.as_str()) {
                (_, "pending" | "scheduled" | "held_for_review") => false,
                (PendingKind::TopUp, "succeeded") => {
                    self.model.holders[p.holder].available += p.amount - p.fee;
                    true
                }
                (PendingKind::TopUp, "failed") => true,
                (PendingKind::Withdrawal, "succeeded") => {
                    self.model.holders[p.holder].held -= p.amount + p.fee;
                    true
                }
                (PendingKind::Withdrawal, "failed") => {
                    let holder = &mut self.model.holders[p.holder];
                    holder.held -= p.amount + p.fee;
                    holder.available += p.amount + p.fee;
                    true
                }
                (PendingKind::DelayedTransfer(to), "succeeded") => {
                    self.model.holders[p.holder].held -= p.amount + p.fee;
                    self.model.holders[to].available += p.amount;
                    self.timer_done(to, "transfer", &p.memo, 1);
                    true
                }
                (PendingKind::DelayedTransfer(to), "failed" | "cancelled") => {
                    let holder = &mut self.model.holders[p.holder];
                    holder.held -= p.amount + p.fee;
                    holder.available += p.amount + p.fee;
                    self.timer_done(to, "transfer", &p.memo, 0);
                    true
                }
                (PendingKind::Held(to), "succeeded") => {
                    self.model.holders[p.holder].held -= p.amount + p.fee;
                    if let Some(to) = to {
                        self.model.holders[to].available += p.amount;
                        self.timer_done(to, "transfer", &p.memo, 1);
                    }
                    true
                }
                (PendingKind::Held(to), "failed" | "rejected" | "cancelled" | "expired") => {
                    let holder = &mut self.model.holders[p.holder];
                    holder.held -= p.amount + p.fee;
                    holder.available += p.amount + p.fee;
                    if let Some(to) = to {
                        self.timer_done(to, "transfer", &p.memo, 0);
                    }
                    true
                }
                (PendingKind::Bill, "succeeded") => true,
                (PendingKind::Bill, "failed") => {
                    self.model.holders[p.holder].available += p.amount;
                    true
                }
                (kind, other) => {
                    self.violation(
                        "known_status",
                        format!(
                            "{kind:?} of h{} has status {other:?} ({})",
                            p.holder,
                            reply.summary()
                        ),
                    );
                    true
                }
            };
            if finished {
                self.note(format!(
                    "{:?} of h{} {}: {status}",
                    p.kind, p.holder, p.amount
                ));
            } else {
                self.model.pending.push(p);
            }
        }
        self.packets_expired();
        Ok(())
    }
}
