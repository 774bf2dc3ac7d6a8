//! Judging one call: every rule that applies looks at the features; the most severe enforced
//! verdict wins. Pure, so a stored decision can be judged again and a candidate rule set replayed.

use super::decision::{Decision, Fired, Verdict};
use super::features::{Features, Scope};
use super::reasons::reason_of;
use super::rules::{Mode, Rule, RuleKind, RuleSet};

/// What one rule saw, against what it allows, when it fires.
struct Hit {
    saw: i64,
    threshold: i64,
    measure: &'static str,
}

fn hit(saw: i64, threshold: i64, measure: &'static str) -> Option<Hit> {
    Some(Hit {
        saw,
        threshold,
        measure,
    })
}

/// Whether `rule` fires on `f`, and on what.
fn fires(rule: &Rule, f: &Features) -> Option<Hit> {
    let amount = f.amount;
    match &rule.kind {
        RuleKind::AmountAtLeast { min_amount } => {
            (amount >= *min_amount).then(|| hit(amount, *min_amount, "amount (fen)"))?
        }
        RuleKind::Velocity {
            scope,
            window_s,
            max_count,
            max_amount,
        } => {
            let w = f.window(*scope, *window_s)?;
            let count = w.count.saturating_add(1);
            let total = w.amount.saturating_add(amount);
            if let Some(max) = max_count.filter(|max| count > *max) {
                return hit(count, max, "payments in the window, this one included");
            }
            if let Some(max) = max_amount.filter(|max| total > *max) {
                return hit(total, max, "fen in the window, this payment included");
            }
            None
        }
        RuleKind::AboveHistory {
            factor,
            min_payments,
            ..
        } => {
            let h = f.history?;
            let bar = h.largest.saturating_mul(*factor);
            (h.count >= *min_payments && amount > bar).then(|| {
                hit(
                    amount,
                    bar,
                    "amount against the largest earlier payment × factor",
                )
            })?
        }
        RuleKind::NewDevice { device_age_s, .. } => {
            let age = f.device_age_s?;
            (age < *device_age_s).then(|| hit(age, *device_age_s, "device age (s)"))?
        }
        RuleKind::YoungSession { session_age_s, .. } => {
            let age = f.session_age_s?;
            (age < *session_age_s).then(|| hit(age, *session_age_s, "session age (s)"))?
        }
        RuleKind::NewPayee { .. } => (f.first_to_payee?).then(|| {
            hit(
                amount,
                rule.kind.min_amount(),
                "amount to a payee never paid before (fen)",
            )
        })?,
        RuleKind::AfterReset { window_s, .. } => {
            let since = f.since_reset_s?;
            (since < *window_s).then(|| {
                hit(
                    since,
                    *window_s,
                    "seconds since a reset or new-device login",
                )
            })?
        }
        RuleKind::WrongPins {
            window_s, count, ..
        } => {
            let wrong = f.wrong_pins_in(*window_s)?;
            (wrong >= *count)
                .then(|| hit(wrong, *count, "wrong payment passwords in the window"))?
        }
        RuleKind::NightTime {
            from_hour, to_hour, ..
        } => {
            let h = i64::from(f.hour);
            let night = if from_hour < to_hour {
                (*from_hour..*to_hour).contains(&h)
            } else {
                h >= *from_hour || h < *to_hour
            };
            night.then(|| hit(h, *from_hour, "hour of day (China)"))?
        }
        RuleKind::BlockList {} => (!f.blocked.is_empty())
            .then(|| hit(f.blocked.len() as i64, 1, "block-list entries touched"))?,
        RuleKind::YoungPayee {
            payee_age_s,
            above_amount,
        } => {
            let age = f.payee_age_s?;
            (age < *payee_age_s && amount > *above_amount)
                .then(|| hit(age, *payee_age_s, "payee wallet age (s)"))?
        }
        RuleKind::FanIn {
            window_s,
            payers,
            payee_age_s,
            ..
        } => {
            let age = f.payee_age_s?;
            let w = f.window(Scope::Payee, *window_s)?;
            // The others, and this payer.
            let distinct = w.payers.saturating_add(1);
            (age < *payee_age_s && distinct >= *payers).then(|| {
                hit(
                    distinct,
                    *payers,
                    "different payers to a young wallet in the window",
                )
            })?
        }
    }
}

/// Judges `features` under `rules`. `snoozed` lists the rule ids exempted for this holder now.
pub fn judge(rules: &RuleSet, features: &Features, snoozed: &[String]) -> Decision {
    let call = features.call;
    let mut fired = Vec::new();
    for rule in rules.rules() {
        if !call.is_some_and(|c| rule.applies(c, features.amount)) {
            continue;
        }
        if let Some(h) = fires(rule, features) {
            fired.push(Fired {
                rule: rule.id.clone(),
                version: rule.version,
                kind: rule.kind.name().to_string(),
                outcome: rule.outcome,
                saw: h.saw,
                threshold: h.threshold,
                measure: h.measure.to_string(),
                shadow: rule.mode == Mode::Shadow,
                snoozed: snoozed.contains(&rule.id),
            });
        }
    }
    let counted =
        |f: &&Fired| f.enforced() && !(f.outcome == Verdict::StepUp && features.second_factor);
    let verdict = fired
        .iter()
        .filter(counted)
        .map(|f| f.outcome)
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Allow);
    let reason = fired
        .iter()
        .filter(counted)
        .find(|f| f.outcome == verdict)
        .map(|f| reason_of(&f.kind).to_string());
    Decision {
        rule_set: rules.hash().to_string(),
        verdict,
        reason,
        fired,
        features: features.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::defaults;
    use crate::risk::features::{CallKind, Window};

    fn transfer(amount: i64) -> Features {
        Features {
            call: Some(CallKind::Transfer),
            amount,
            hour: 12,
            device_age_s: Some(10 * 86_400),
            payee_age_s: Some(100 * 86_400),
            first_to_payee: Some(false),
            history: Some(crate::risk::features::History {
                count: 50,
                largest: 1_000_000,
            }),
            since_reset_s: None,
            windows: vec![
                Window {
                    scope: Scope::Holder,
                    window_s: 3600,
                    count: 0,
                    amount: 0,
                    payers: 0,
                },
                Window {
                    scope: Scope::Holder,
                    window_s: 86_400,
                    count: 0,
                    amount: 0,
                    payers: 0,
                },
                Window {
                    scope: Scope::Payee,
                    window_s: 3600,
                    count: 0,
                    amount: 0,
                    payers: 0,
                },
            ],
            ..Features::default()
        }
    }

    #[test]
    fn a_plain_payment_is_allowed() {
        let d = judge(&defaults::rule_set(), &transfer(10_000), &[]);
        assert_eq!(d.verdict, Verdict::Allow);
        assert!(d.fired.is_empty() && d.reason.is_none());
    }

    #[test]
    fn five_thousand_yuan_needs_a_second_factor_and_takes_one() {
        let set = defaults::rule_set();
        let d = judge(&set, &transfer(500_000), &[]);
        assert_eq!(
            (d.verdict, d.reason.as_deref()),
            (Verdict::StepUp, Some("large_payment"))
        );
        let d = judge(&set, &transfer(499_999), &[]);
        assert_eq!(d.verdict, Verdict::Allow);
        let mut proven = transfer(500_000);
        proven.second_factor = true;
        let d = judge(&set, &proven, &[]);
        assert_eq!(d.verdict, Verdict::Allow, "{d:?}");
        assert_eq!(d.fired.len(), 1, "the rule still fired and is in the trace");
    }

    #[test]
    fn more_than_a_thousand_to_a_day_old_wallet_is_held() {
        let set = defaults::rule_set();
        let mut f = transfer(100_001);
        f.payee_age_s = Some(3_600);
        assert_eq!(judge(&set, &f, &[]).verdict, Verdict::Hold);
        f.amount = 100_000;
        assert_eq!(judge(&set, &f, &[]).verdict, Verdict::Allow);
    }

    #[test]
    fn block_beats_everything_and_shadow_or_snooze_do_not_count() {
        let set = defaults::rule_set();
        let mut f = transfer(600_000);
        f.blocked = vec!["payer_wallet".into()];
        let d = judge(&set, &f, &[]);
        assert_eq!(
            (d.verdict, d.reason.as_deref()),
            (Verdict::Block, Some("blocked"))
        );
        let d = judge(&set, &f, &["block_list".into(), "large_payment".into()]);
        assert_eq!(d.verdict, Verdict::Allow);
        assert_eq!(d.fired.iter().filter(|f| f.snoozed).count(), 2);
    }

    #[test]
    fn velocity_counts_this_payment_too() {
        let set = defaults::rule_set();
        let mut f = transfer(100);
        f.windows[0].count = 119;
        assert_eq!(judge(&set, &f, &[]).verdict, Verdict::Allow);
        f.windows[0].count = 120;
        let d = judge(&set, &f, &[]);
        assert_eq!(d.verdict, Verdict::StepUp);
        assert_eq!((d.fired[0].saw, d.fired[0].threshold), (121, 120));
    }

    #[test]
    fn night_windows_may_wrap_midnight() {
        let rules = RuleSet::parse(r#"{"rules":[{"id":"n","kind":"night_time","outcome":"block","params":{"from_hour":23,"to_hour":5,"min_amount":0}}]}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        for (hour, night) in [
            (23, true),
            (0, true),
            (4, true),
            (5, false),
            (12, false),
            (22, false),
        ] {
            let mut f = transfer(1);
            f.hour = hour;
            assert_eq!(
                judge(&rules, &f, &[]).verdict == Verdict::Block,
                night,
                "{hour}"
            );
        }
    }

    proptest::proptest! {
        /// Whatever the call, the verdict is the most severe of the enforced rules that fired
        /// (a step-up satisfied by a second factor aside); shadow rules and snoozes are traced
        /// and never change it; and a second factor never makes a verdict more severe.
        #[test]
        fn the_verdict_is_the_most_severe_enforced_rule(
            amount in 1i64..20_000_000,
            count in 0i64..300,
            spent in 0i64..10_000_000,
            payee_age in 0i64..1_000_000,
            hour in 0u8..24,
            wrong in 0i64..6,
            blocked in proptest::bool::ANY,
            second in proptest::bool::ANY,
        ) {
            let set = defaults::rule_set();
            let mut f = transfer(amount);
            f.windows[0].count = count;
            f.windows[1].amount = spent;
            f.payee_age_s = Some(payee_age);
            f.hour = hour;
            f.wrong_pins = vec![(3600, wrong)];
            f.blocked = if blocked { vec!["payer_wallet".into()] } else { vec![] };
            f.second_factor = second;
            let d = judge(&set, &f, &[]);
            let expected = d
                .fired
                .iter()
                .filter(|x| !(x.outcome == Verdict::StepUp && second))
                .map(|x| x.outcome)
                .max_by_key(|v| v.severity())
                .unwrap_or(Verdict::Allow);
            proptest::prop_assert_eq!(d.verdict, expected);
            proptest::prop_assert_eq!(d.reason.is_some(), d.verdict != Verdict::Allow);

            let shadowed = RuleSet::new(
                set.rules()
                    .iter()
                    .cloned()
                    .map(|mut r| {
                        r.mode = Mode::Shadow;
                        r
                    })
                    .collect(),
            );
            let s = judge(&shadowed, &f, &[]);
            proptest::prop_assert_eq!(s.verdict, Verdict::Allow);
            let ids = |d: &Decision| d.fired.iter().map(|x| x.rule.clone()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(ids(&s), ids(&d));
            let all: Vec<String> = set.rules().iter().map(|r| r.id.clone()).collect();
            proptest::prop_assert_eq!(judge(&set, &f, &all).verdict, Verdict::Allow);

            let mut without = f.clone();
            without.second_factor = false;
            let harsher = judge(&set, &without, &[]).verdict.severity();
            proptest::prop_assert!(d.verdict.severity() <= harsher);
        }
    }
}
