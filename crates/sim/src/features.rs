//! The workload of the later features: red packets (sent, claimed by others, returned by their
//! timer once a clock jump passes their day), conversions between currencies at rates the seed
//! sets, bill payments at the sandbox billers with their failure modes, and PIN resets whose SMS
//! code is then sent again. Each applies only what the server acknowledged to the model.

use crate::actions::Touched;
use crate::client::{Call, Reply};
use crate::model::{Packet, Pending, PendingKind, TimerCheck};
use crate::world::World;
use axum::http::Method;
use serde_json::json;

/// A China day is UTC+8.
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;
/// A day, in ms.
const DAY_MS: i64 = 24 * 3_600_000;
/// How long a red packet waits for claims (the policy's default).
const PACKET_TTL_MS: i64 = DAY_MS;
/// The most a one-to-one packet may hold (¥200).
const ONE_TO_ONE_MAX: i64 = 20_000;
/// How often, in percent, a group packet is split at random. The split draws from the server's
/// `Randomness` port, seeded in the simulation, so its shares replay; the model takes each share
/// from the claim's answer.
const RANDOM_SPLIT_PERCENT: u64 = 40;
/// The foreign currencies holders convert into, each with its mid rate in CNY around which the
/// seed moves it (four decimals, as `qianbao admin fx set` takes them).
const RATES: [(&str, i64); 3] = [("USD", 71_234), ("HKD", 9_123), ("EUR", 77_456)];
/// The sandbox billers' test accounts (docs/sandbox.md), with what each does; others are
/// ordinary bills.
const BILL_ACCOUNTS: [&str; 8] = [
    "00000000", // not found
    "11111111", // already paid
    "22222222", // the biller does not answer
    "33333333", // the amount changes between look-up and payment
    "44444444", // paid, but the confirmation is lost once: pending, then reconciled
    "55555555", // refused after the money left: it comes back
    "66666666", // a large bill (¥1,288)
    "",         // an ordinary account, made from the seed
];

impl World {
    /// The China day (days since 1970 in UTC+8) the clock is in.
    pub fn china_day(&self) -> i64 {
        use qianbao_wallet::Clock;
        (self.clock.now_ms() + CHINA_OFFSET_MS).div_euclid(DAY_MS)
    }

    /// Adds `amount` acknowledged spending from `h`'s balance to the day it was sent on, and
    /// checks the day against the limit (`limit_never_exceeded`). A call whose sends spanned
    /// midnight is left out: which day the server counted it on is not the model's to know, and
    /// leaving it out can only make the check weaker, never wrong.
    pub fn spent(&mut self, h: usize, day: i64, amount: i64) {
        if amount <= 0 || day != self.china_day() {
            return;
        }
        let total = {
            let by_day = &mut self.model.holders[h].spent_by_day;
            let total = by_day.entry(day).or_insert(0);
            *total += amount;
            *total
        };
        let (per_payment, per_day) = crate::policy::LEVEL2_LIMITS;
        if amount > per_payment {
            self.violation(
                "limit_never_exceeded",
                format!("h{h} was acknowledged one payment of {amount}, above {per_payment}"),
            );
        }
        if total > per_day {
            self.violation(
                "limit_never_exceeded",
                format!(
                    "h{h}'s acknowledged spending on one day adds up to {total}, above {per_day}"
                ),
            );
        }
    }

    /// Applies a 202 `held_for_review`: risk control holds the payer's money (`amount` and the
    /// answer's fee) until the hold is decided; the payee is `to` (`None`: a withdrawal or a
    /// shop). Anything else in a 202 is `known_status`'s.
    pub(crate) fn held(
        &mut self,
        h: usize,
        to: Option<usize>,
        reply: &Reply,
        amount: i64,
        memo: &str,
    ) {
        let status = reply.text("status");
        if status != "held_for_review" {
            self.violation(
                "known_status",
                format!("a money call answered 202 with status {status:?}"),
            );
            return;
        }
        let id = ["id", "payment_id"]
            .iter()
            .map(|f| reply.text(f))
            .find(|id| !id.is_empty())
            .unwrap_or_default();
        let fee = reply.int("fee");
        self.acknowledged(h, &id, "payment held for review");
        let holder = &mut self.model.holders[h];
        holder.available -= amount + fee;
        holder.held += amount + fee;
        self.model.pending.push(Pending {
            holder: h,
            id,
            kind: PendingKind::Held(to),
            amount,
            fee,
            memo: memo.to_string(),
        });
    }

    /// Remembers a timer that fired (or was called off) to check it moved money exactly once.
    pub fn timer_done(&mut self, holder: usize, kind: &'static str, memo: &str, expected: usize) {
        if memo.is_empty() {
            return;
        }
        self.model.timers.push(TimerCheck {
            holder,
            kind,
            memo: memo.to_string(),
            expected,
        });
    }

    /// A holder sends a red packet: to one other holder, or to the group in even or random
    /// shares.
    pub(crate) fn send_packet(&mut self) -> Result<Touched, String> {
        let Some(from) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let available = self.model.holders[from].available;
        let one_to_one = self.rng.chance(30);
        let (amount, shares, to) = if one_to_one {
            let mut to = self.rng.below(self.model.holders.len() - 1);
            if to >= from {
                to += 1;
            }
            let amount = self.spend_amount(available.min(ONE_TO_ONE_MAX));
            (amount, 1, Some(to))
        } else {
            let amount = self.spend_amount(available.min(100_000));
            let shares = u32::try_from(self.rng.between(1, 6)).unwrap_or(1);
            (amount, shares, None)
        };
        let split = if self.rng.chance(RANDOM_SPLIT_PERCENT) {
            "random"
        } else {
            "even"
        };
        let key = self.new_key();
        let memo = format!("rp{}", self.keys());
        let mut body = json!({
            "amount": amount, "shares": shares, "split": split, "memo": memo,
            "pin": self.model.holders[from].pin,
        });
        if let Some(to) = to {
            body["to_phone"] = json!(self.model.holders[to].phone);
        }
        let call = self
            .as_holder(from, Method::POST, "/v1/red-packets")
            .json(body)
            .key(&key);
        let day = self.china_day();
        let reply = self.money_call(call, "id")?;
        self.note(format!(
            "red packet h{from}{} {amount} in {shares} {split}: {}",
            to.map(|t| format!("->h{t}")).unwrap_or_default(),
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("id");
            self.model.holders[from].available -= amount;
            self.spent(from, day, amount);
            self.movements += 1;
            use qianbao_wallet::Clock;
            self.model.packets.push(Packet {
                id,
                sender: from,
                to,
                amount,
                shares,
                memo,
                // The clock at the answer: a resend after a crash may have sent it later
                // than the first try, never earlier, so a claim is never tried too late by
                // the model's reckoning (see `claim_packet`).
                expires_ms: self.clock.now_ms() + PACKET_TTL_MS,
                claims: Vec::new(),
                returned: false,
            });
        }
        Ok(vec![from])
    }

    /// Someone claims a share of an open packet: its recipient, or any holder but its sender.
    pub(crate) fn claim_packet(&mut self) -> Result<Touched, String> {
        let open: Vec<usize> = (0..self.model.packets.len())
            .filter(|&p| !self.model.packets[p].finished())
            .collect();
        if open.is_empty() {
            return Ok(vec![]);
        }
        let p = open[self.rng.below(open.len())];
        let packet = self.model.packets[p].clone();
        let claimant = match packet.to {
            Some(to) => to,
            None => {
                let mut h = self.rng.below(self.model.holders.len() - 1);
                if h >= packet.sender {
                    h += 1;
                }
                h
            }
        };
        let call = self.as_holder(
            claimant,
            Method::POST,
            format!("/v1/red-packets/{}/claim", packet.id),
        );
        // A claim takes no Idempotency-Key: a client that lost the answer claims again, and
        // learns its share from the packet's page when told it already claimed.
        let mut reply = self.call(call.clone());
        let lost = reply.status == 0 || self.rng.chance(5);
        if lost {
            self.note(format!(
                "claim reply lost ({}); claims again",
                reply.summary()
            ));
            reply = self.call(call);
        }
        self.note(format!("claim p{p} by h{claimant}: {}", reply.summary()));
        use qianbao_wallet::Clock;
        let now = self.clock.now_ms();
        let already = packet.claims.iter().any(|c| c.0 == claimant);
        let amount = match (reply.status, reply.code()) {
            (201, _) => Some(reply.int("amount")),
            (409, "already_claimed") if lost && !already => {
                let page = self.call(self.as_holder(
                    claimant,
                    Method::GET,
                    format!("/v1/red-packets/{}", packet.id),
                ));
                page.body["my_amount"].as_i64()
            }
            _ => None,
        };
        if let Some(amount) = amount {
            if already {
                self.violation(
                    "red_packet_claimed_once",
                    format!("h{claimant} was given a second share of p{p}"),
                );
            }
            if now >= packet.expires_ms + 600_000 {
                self.violation(
                    "red_packet_claimed_once",
                    format!("h{claimant} claimed p{p} after it expired"),
                );
            }
            self.model.holders[claimant].available += amount;
            self.model.packets[p].claims.push((claimant, amount));
            self.movements += 1;
            let packet = &self.model.packets[p];
            let (claimed, count) = (packet.claimed(), packet.claims.len());
            if amount < 1
                || claimed > packet.amount
                || count > usize::try_from(packet.shares).unwrap_or(0)
                || (packet.finished() && claimed != packet.amount)
            {
                self.violation(
                    "red_packet_claimed_once",
                    format!(
                        "p{p} of {} in {} shares: {count} claims took {claimed}",
                        packet.amount, packet.shares
                    ),
                );
            }
        }
        Ok(vec![claimant, packet.sender])
    }

    /// After the background work: every packet past its day that the server shows expired has
    /// what nobody claimed back with its sender, once.
    pub(crate) fn packets_expired(&mut self) {
        use qianbao_wallet::Clock;
        let now = self.clock.now_ms();
        for p in 0..self.model.packets.len() {
            let packet = self.model.packets[p].clone();
            if packet.finished() || now < packet.expires_ms {
                continue;
            }
            let page = self.call(self.as_holder(
                packet.sender,
                Method::GET,
                format!("/v1/red-packets/{}", packet.id),
            ));
            let status = page.text("status");
            if status != "expired" {
                continue;
            }
            let left = packet.amount - packet.claimed();
            self.note(format!("p{p} expired: {left} back to h{}", packet.sender));
            self.model.holders[packet.sender].available += left;
            self.model.packets[p].returned = true;
            if page.int("claimed_amount") != packet.claimed() {
                self.violation(
                    "red_packet_claimed_once",
                    format!(
                        "p{p}'s page shows {} claimed, the acknowledged claims {}",
                        page.int("claimed_amount"),
                        packet.claimed()
                    ),
                );
            }
            self.timer_done(
                packet.sender,
                "red_packet",
                &packet.memo,
                usize::from(left > 0),
            );
        }
    }

    /// Sets today's mid rates from the seed, as an operator's `qianbao admin fx set` does.
    fn set_rates(&mut self) -> Result<(), String> {
        let mut rates = Vec::new();
        for (currency, mid) in RATES {
            let wobble = self.rng.between(-300, 300);
            let rate = mid + wobble;
            rates.push((
                format!("{currency}/CNY"),
                format!("{}.{:04}", rate / 10_000, rate % 10_000),
            ));
        }
        use qianbao_wallet::Clock;
        let now = self.clock.now_ms();
        self.node()?.set_rates(&rates, now)
    }

    /// A holder converts between yuan and a foreign currency at a quote: sets the rates, asks a
    /// quote, and converts at it (now and then too late, or at a quote used already).
    pub(crate) fn convert(&mut self) -> Result<Touched, String> {
        let h = self.rng.below(self.model.holders.len());
        self.set_rates()?;
        let (currency, _) = RATES[self.rng.below(RATES.len())];
        let holding = self.model.holders[h]
            .foreign
            .get(currency)
            .copied()
            .unwrap_or(0);
        let (sell, buy, sell_amount) = if holding > 0 && self.rng.chance(40) {
            (currency, "CNY", self.spend_amount(holding))
        } else {
            let available = self.model.holders[h].available;
            if available <= 0 {
                return Ok(vec![]);
            }
            ("CNY", currency, self.spend_amount(available.min(100_000)))
        };
        let key = self.new_key();
        let quote = self.call(
            self.as_holder(h, Method::POST, "/v1/fx/quotes")
                .json(
                    json!({"sell_currency": sell, "buy_currency": buy, "sell_amount": sell_amount}),
                )
                .key(&key),
        );
        if quote.status != 201 {
            self.note(format!(
                "quote h{h} {sell_amount} {sell}->{buy}: {}",
                quote.summary()
            ));
            return Ok(vec![]);
        }
        let (paid, got) = (quote.int("sell_amount"), quote.int("buy_amount"));
        if self.rng.chance(5) {
            // The holder dawdles past the quote's 30 s.
            self.clock.advance_ms(31_000);
        }
        let body = json!({"quote_id": quote.text("quote_id"), "pin": self.model.holders[h].pin});
        let key = self.new_key();
        let call = self
            .as_holder(h, Method::POST, "/v1/fx/conversions")
            .json(body.clone())
            .key(&key);
        let reply = self.money_call(call, "id")?;
        self.note(format!(
            "convert h{h} {paid} {sell} -> {got} {buy}: {} {}",
            reply.summary(),
            reply.text("status")
        ));
        if reply.status == 201 {
            self.acknowledged(h, &reply.text("id"), "conversion");
            self.add(h, sell, -paid);
            self.add(h, buy, got);
            // Another key at the same quote: a quote is used once.
            if self.rng.chance(15) {
                let key = self.new_key();
                let again = self.call(
                    self.as_holder(h, Method::POST, "/v1/fx/conversions")
                        .json(body)
                        .key(&key),
                );
                self.note(format!("convert at a used quote: {}", again.summary()));
                if again.ok() {
                    self.violation(
                        "code_used_once",
                        format!("h{h}'s quote was converted at a second time"),
                    );
                    self.add(h, sell, -paid);
                    self.add(h, buy, got);
                }
            }
        }
        Ok(vec![h])
    }

    /// Adds `amount` to `h`'s model balance in `currency`.
    fn add(&mut self, h: usize, currency: &str, amount: i64) {
        let holder = &mut self.model.holders[h];
        if currency == "CNY" {
            holder.available += amount;
        } else {
            *holder.foreign.entry(currency.to_string()).or_insert(0) += amount;
        }
    }

    /// A holder looks a bill up at a sandbox biller and pays it.
    pub(crate) fn pay_bill(&mut self) -> Result<Touched, String> {
        let Some(h) = self.funded_holder() else {
            return Ok(vec![]);
        };
        let pick = BILL_ACCOUNTS[self.rng.below(BILL_ACCOUNTS.len())];
        let account = if pick.is_empty() {
            format!("620{:08}", self.rng.between(0, 99_999_999))
        } else {
            pick.to_string()
        };
        let lookup = self.call(self.as_holder(
            h,
            Method::GET,
            format!("/v1/bills/lookup?biller=lz-water&account={account}"),
        ));
        if lookup.status != 200 {
            self.note(format!("bill h{h} {account}: {}", lookup.summary()));
            return Ok(vec![]);
        }
        let amount = lookup.int("amount");
        let key = self.new_key();
        let call = self
            .as_holder(
                h,
                Method::POST,
                format!("/v1/bills/{}/pay", lookup.text("bill_id")),
            )
            .json(json!({"pin": self.model.holders[h].pin}))
            .key(&key);
        let day = self.china_day();
        let reply = self.money_call(call, "id")?;
        let status = reply.text("status");
        self.note(format!(
            "pay bill h{h} {account} {amount}: {} {status}",
            reply.summary()
        ));
        if reply.status == 201 {
            let id = reply.text("id");
            let paid = reply.int("amount");
            self.acknowledged(h, &id, "bill payment");
            match status.as_str() {
                "succeeded" => {
                    self.model.holders[h].available -= paid;
                    self.spent(h, day, paid);
                }
                "pending" => {
                    self.model.holders[h].available -= paid;
                    self.model.pending.push(Pending {
                        holder: h,
                        id,
                        kind: PendingKind::Bill,
                        amount: paid,
                        fee: 0,
                        memo: String::new(),
                    });
                }
                "failed" => {}
                other => self.violation(
                    "known_status",
                    format!("a bill payment answered 201 with status {other:?}"),
                ),
            }
        }
        Ok(vec![h])
    }

    /// A holder resets their payment password with an SMS code, then the same code is sent
    /// again: a code is used once (`code_used_once`).
    pub(crate) fn reset_pin(&mut self) -> Result<Touched, String> {
        let h = self.rng.below(self.model.holders.len());
        // Past the resend wait of any code this phone was sent a moment ago.
        self.clock.advance_ms(61_000);
        let holder = self.model.holders[h].clone();
        let reply = self.call(
            Call::new(Method::POST, "/v1/otp", holder.peer)
                .json(json!({"phone": holder.phone, "purpose": "reset_pin"})),
        );
        if reply.status != 202 {
            self.note(format!("reset-pin code h{h}: {}", reply.summary()));
            return Ok(vec![]);
        }
        let otp = self.latest_code(&holder.phone, holder.peer);
        let pin = crate::actions::PINS[self.rng.below(crate::actions::PINS.len())].to_string();
        let body = json!({
            "otp": otp, "id_number": crate::people::id_number(h),
            "card_number": holder.card_number, "pin": pin,
        });
        let call = self
            .as_holder(h, Method::POST, "/v1/me/pin/reset")
            .json(body);
        let reply = self.call(call.clone());
        self.note(format!("reset pin h{h}: {}", reply.summary()));
        if reply.status != 204 {
            return Ok(vec![]);
        }
        self.model.holders[h].pin = pin;
        let again = self.call(call);
        self.note(format!(
            "reset pin again with the used code: {}",
            again.summary()
        ));
        if again.ok() {
            self.violation(
                "code_used_once",
                format!("h{h}'s reset_pin SMS code was accepted a second time"),
            );
        }
        Ok(vec![h])
    }
}
