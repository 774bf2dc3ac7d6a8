//! The invariants, each with the name a violation reports (docs/simulation.md lists them). Cheap
//! ones run after every step on the holders it touched; the full ones after every crash, every
//! few steps, and at the end.

use crate::client::Call;
use crate::world::World;
use axum::http::Method;
use serde_json::Value;

/// Ten years in seconds: webhook signatures are checked for what they sign, not for their age,
/// since the simulated clock runs far from the real one.
const SIGNATURE_AGE_ANY_S: i64 = 10 * 365 * 24 * 3600;

impl World {
    /// `balance_matches_model` and `no_negative_balance` for the holders in `touched`: what the
    /// server shows (available and held, in CNY) is what the acknowledged replies add up to.
    pub fn check_balances(&mut self, touched: &[usize]) {
        let mut seen = touched.to_vec();
        seen.sort_unstable();
        seen.dedup();
        for h in seen {
            let holder = &self.model.holders[h];
            let call = Call::new(Method::GET, "/v1/me/balance", holder.peer).bearer(&holder.token);
            let (want_available, want_held) = (holder.available, holder.held);
            let want_foreign = holder.foreign.clone();
            let reply = self.call(call);
            let all = reply.body["balances"].as_array().cloned();
            let Some(all) = all.filter(|_| reply.ok()) else {
                self.violation(
                    "balance_readable",
                    format!("h{h}: GET /v1/me/balance answered {}", reply.summary()),
                );
                continue;
            };
            let of = |currency: &str| {
                all.iter().find(|b| b["currency"] == currency).map(|b| {
                    (
                        b["available"].as_i64().unwrap_or(i64::MIN),
                        b["held"].as_i64().unwrap_or(i64::MIN),
                    )
                })
            };
            let (available, held) = of("CNY").unwrap_or((0, 0));
            self.note(format!("h{h} balance {available} held {held}"));
            if available < 0 || held < 0 {
                self.violation(
                    "no_negative_balance",
                    format!("h{h}: available {available}, held {held}"),
                );
            }
            if (available, held) != (want_available, want_held) {
                self.violation(
                    "balance_matches_model",
                    format!(
                        "h{h}: the server shows available {available} held {held}, the \
                         acknowledged movements add up to available {want_available} held \
                         {want_held}"
                    ),
                );
            }
            // Every other currency the server shows, or the model expects.
            let mut currencies: Vec<String> = all
                .iter()
                .filter_map(|b| b["currency"].as_str().map(str::to_string))
                .filter(|c| c != "CNY")
                .collect();
            currencies.extend(want_foreign.keys().cloned());
            currencies.sort_unstable();
            currencies.dedup();
            for currency in currencies {
                let (available, held) = of(&currency).unwrap_or((0, 0));
                let want = want_foreign.get(&currency).copied().unwrap_or(0);
                if available != 0 || want != 0 {
                    self.note(format!("h{h} balance {available} {currency}"));
                }
                if available < 0 || held < 0 {
                    self.violation(
                        "no_negative_balance",
                        format!("h{h}: available {available} {currency}, held {held}"),
                    );
                }
                if (available, held) != (want, 0) {
                    self.violation(
                        "balance_matches_model",
                        format!(
                            "h{h}: the server shows {available} {currency} held {held}, the \
                             acknowledged conversions add up to {want}"
                        ),
                    );
                }
            }
        }
    }

    /// `timer_fires_once`: every timer that ran (a delayed transfer reaching its payee, a red
    /// packet's return) left exactly one record of its money on the receiving side, found by
    /// the memo unique to it — after any crash and clock jump — and one called off left none.
    pub fn check_timers(&mut self) {
        let timers = self.model.timers.clone();
        // One listing per holder and kind serves all their timers.
        let mut listed: std::collections::BTreeMap<(usize, &str), Result<Vec<Value>, String>> =
            std::collections::BTreeMap::new();
        for (k, t) in timers.iter().enumerate() {
            let key = (t.holder, t.kind);
            if let std::collections::btree_map::Entry::Vacant(slot) = listed.entry(key) {
                slot.insert(self.incoming_records(t.holder, t.kind));
            }
            let found = listed[&key].as_ref().map(|items| {
                items
                    .iter()
                    .filter(|m| {
                        m["memo"] == t.memo.as_str()
                            && m["status"] != "failed"
                            && m["status"] != "cancelled"
                    })
                    .count()
            });
            if found.as_ref().ok() != Some(&t.expected) {
                self.violation(
                    "timer_fires_once",
                    format!(
                        "timer #{k} ({} to h{}) should have left {} record(s), found {found:?}",
                        t.kind, t.holder, t.expected,
                    ),
                );
            }
        }
    }

    /// Every incoming record of `kind` of holder `h`, every page of them (a busy holder's
    /// timer's record may lie past the first hundred).
    fn incoming_records(&mut self, h: usize, kind: &str) -> Result<Vec<Value>, String> {
        let mut records = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let holder = &self.model.holders[h];
            let after = cursor
                .as_deref()
                .map_or(String::new(), |c| format!("&cursor={c}"));
            let call = Call::new(
                Method::GET,
                format!("/v1/me/transactions?type={kind}&limit=100{after}"),
                holder.peer,
            )
            .bearer(&holder.token);
            let reply = self.call(call);
            let Some(items) = reply.body["items"].as_array() else {
                return Err(reply.summary());
            };
            records.extend(items.iter().filter(|m| m["direction"] == "in").cloned());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return Ok(records),
            }
        }
    }

    /// `ledger_verifies` and `money_conserved`: what `qianbao verify` checks — the journal
    /// replayed, the hash chain, every balance and hold recomputed, the wallet's own checks — and
    /// that every currency sums to zero.
    pub fn check_ledger(&mut self) -> Result<(), String> {
        let report = self.node()?.verify()?;
        self.note(format!(
            "verify: {} journal lines, {} accounts, {} problems",
            report.journal_lines, report.accounts, report.problem_count
        ));
        if !report.is_clean() {
            self.violation("ledger_verifies", report.problems.join("; "));
        }
        for (currency, total) in &report.totals {
            if *total != 0 {
                self.violation(
                    "money_conserved",
                    format!("{currency} sums to {total}, not zero"),
                );
            }
        }
        Ok(())
    }

    /// `acknowledged_survives` and `refunds_match_model`: every movement the server answered 2xx
    /// is there (after any crash), and every payment shows exactly the refunds acknowledged.
    pub fn check_acknowledged(&mut self) {
        let acked = self.model.acked.clone();
        for (k, a) in acked.iter().enumerate() {
            let holder = &self.model.holders[a.holder];
            let call = Call::new(
                Method::GET,
                format!("/v1/me/transactions/{}", a.id),
                holder.peer,
            )
            .bearer(&holder.token);
            let reply = self.call(call);
            if reply.status != 200 || reply.text("id") != a.id {
                self.violation(
                    "acknowledged_survives",
                    format!(
                        "the {} acknowledged to h{} (movement #{k}) is not found: {}",
                        a.what,
                        a.holder,
                        reply.summary()
                    ),
                );
            }
        }
        let payments = self.model.payments.clone();
        for (p, payment) in payments.iter().enumerate() {
            let merchant = &self.model.merchants[payment.merchant];
            let peer = self.model.holders[merchant.owner].peer;
            let call = Call::new(
                Method::GET,
                format!("/v1/merchant/payments/{}", payment.id),
                peer,
            )
            .bearer(&merchant.api_key);
            let reply = self.call(call);
            let refunded = reply.int("refunded");
            if reply.status != 200 || refunded != payment.refunded {
                self.violation(
                    "refunds_match_model",
                    format!(
                        "payment p{p} of {}: the shop sees {} refunded ({}), the acknowledged \
                         refunds add up to {}",
                        payment.amount,
                        refunded,
                        reply.summary(),
                        payment.refunded
                    ),
                );
            }
            if refunded > payment.amount {
                self.violation(
                    "refund_within_payment",
                    format!(
                        "payment p{p} of {} shows {refunded} refunded",
                        payment.amount
                    ),
                );
            }
        }
    }

    /// `webhook_signed` and `webhook_delivered`: every delivery carries a signature that checks
    /// with its shop's secret, and every payment to a shop with a webhook was delivered (taken
    /// by the receiver) at least once.
    pub fn check_webhooks(&mut self) {
        let deliveries = self.receiver.deliveries();
        let secret_for = |url: &str| {
            self.model
                .merchants
                .iter()
                .enumerate()
                .find(|(m, _)| url == format!("https://shop-{m}.sim.example/hooks"))
                .and_then(|(_, merchant)| merchant.webhook_secret.clone())
        };
        let mut broken = Vec::new();
        for d in &deliveries {
            let signed = secret_for(&d.url).is_some_and(|secret| {
                let t = d
                    .signature
                    .split(',')
                    .find_map(|part| part.strip_prefix("t="))
                    .and_then(|t| t.parse::<i64>().ok())
                    .unwrap_or(0);
                qianbao_secrets::signature::verify(
                    secret.as_bytes(),
                    &d.signature,
                    d.body.as_bytes(),
                    t,
                    SIGNATURE_AGE_ANY_S,
                )
                .is_ok()
            });
            if !signed {
                broken.push(format!(
                    "a delivery to {} is not signed with its secret",
                    d.url
                ));
            }
        }
        for detail in broken {
            self.violation("webhook_signed", detail);
        }
        let payments = self.model.payments.clone();
        for (p, payment) in payments.iter().enumerate() {
            if self.model.merchants[payment.merchant]
                .webhook_secret
                .is_none()
            {
                continue;
            }
            let delivered = deliveries
                .iter()
                .any(|d| d.taken && d.event == "payment.succeeded" && d.body.contains(&payment.id));
            if !delivered {
                self.violation(
                    "webhook_delivered",
                    format!("payment p{p} to m{} was never delivered", payment.merchant),
                );
            }
        }
        let taken = deliveries.iter().filter(|d| d.taken).count();
        self.faults += u64::try_from(deliveries.len() - taken).unwrap_or(0);
        self.note(format!(
            "webhooks: {} deliveries, {taken} taken",
            deliveries.len()
        ));
    }
}
