//! `risk replay`: a candidate rule set run over the stored history, each payment judged on its
//! features as they were at its own time — velocity, history and resets are read again from the
//! database as of that moment (every read stops at the payment's own time), so nothing later is
//! seen. What the call itself was (amount, payee, hour, the second factor) and the block list and
//! snoozes as they stood then come from the stored trace.

use super::records::{DecisionRecord, FeatureQuery, MoneyTx, RiskLabel};
use super::risk::Trace;
use super::{Money, MoneyError, rejudge};
use crate::risk::{RuleSet, Verdict};
use crate::storage::RecordStore;
use std::collections::{BTreeMap, BTreeSet};

/// One payment whose outcome the candidate would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    /// The decision.
    pub decision_id: String,
    /// The movement it made, if any.
    pub movement_id: Option<String>,
    /// Whose money.
    pub subject: String,
    /// The amount (fen).
    pub amount: i64,
    /// What happened.
    pub old: Verdict,
    /// What the candidate would do.
    pub new: Verdict,
    /// The candidate's rules that fired and counted.
    pub rules: Vec<String>,
}

/// What a replay found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Decisions judged again.
    pub judged: u64,
    /// Decisions whose trace could not be read (skipped).
    pub skipped: u64,
    /// Outcome counts as they were.
    pub old: BTreeMap<&'static str, u64>,
    /// Outcome counts under the candidate.
    pub new: BTreeMap<&'static str, u64>,
    /// How many payments would change outcome.
    pub changed: u64,
    /// How many different payers those are.
    pub holders_affected: u64,
    /// The first changed payments (up to the sample size asked for).
    pub sample: Vec<Changed>,
    /// How the payments reviewers labelled fare, as they were judged and under the candidate.
    pub labels: LabelScore,
}

/// A rule set's precision on the payments reviewers labelled: of those it would stop (hold,
/// step up or block), how many were worth stopping (confirmed fraud or a valuable alert).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LabelScore {
    /// Labelled payments judged.
    pub labelled: u64,
    /// Of those, how many the rules in force stopped.
    pub stopped_then: u64,
    /// Of those, how many were worth stopping.
    pub right_then: u64,
    /// Of the labelled, how many the candidate would stop.
    pub stopped_now: u64,
    /// Of those, how many were worth stopping.
    pub right_now: u64,
}

impl LabelScore {
    /// Counts one labelled payment under the old and the candidate's verdict.
    fn count(&mut self, label: RiskLabel, old: Verdict, new: Verdict) {
        let worth = u64::from(label.was_worth_holding());
        self.labelled += 1;
        if old != Verdict::Allow {
            self.stopped_then += 1;
            self.right_then += worth;
        }
        if new != Verdict::Allow {
            self.stopped_now += 1;
            self.right_now += worth;
        }
    }

    /// Precision in thousandths, `right / stopped` (none when nothing was stopped).
    pub fn permille(right: u64, stopped: u64) -> Option<u64> {
        (stopped > 0).then(|| right * 1000 / stopped)
    }
}

/// How many decisions are read per page.
const PAGE: i64 = 500;

impl Money {
    /// Replays `candidate` over every decision made since `since_ms`, calling `progress` with
    /// (done, total) after each page.
    pub async fn replay_rules(
        &self,
        store: &impl RecordStore,
        candidate: &RuleSet,
        since_ms: i64,
        sample_max: usize,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ReplayReport, MoneyError> {
        let total = store
            .transact_read(move |r| r.risk_decisions_count(since_ms))
            .await?;
        let mut report = ReplayReport::default();
        let mut subjects = BTreeSet::new();
        let mut after: Option<String> = None;
        loop {
            let cursor = after.clone();
            let candidate = candidate.clone();
            type Judged = (
                DecisionRecord,
                Option<crate::risk::Decision>,
                Option<RiskLabel>,
            );
            let page: Vec<Judged> = store
                .transact_read(move |r| {
                    let rows = r.risk_decisions_page(since_ms, cursor.as_deref(), PAGE)?;
                    rows.into_iter()
                        .map(|d| {
                            let judged = judge_as_then(r, &candidate, &d)?;
                            let label = match &d.movement_id {
                                Some(m) => r.risk_label(m)?,
                                None => None,
                            };
                            Ok((d, judged, label))
                        })
                        .collect()
                })
                .await?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some(last.0.id.clone());
            for (record, judged, label) in page {
                let Some(new) = judged else {
                    report.skipped += 1;
                    continue;
                };
                report.judged += 1;
                if let Some(label) = label {
                    report.labels.count(label, record.verdict, new.verdict);
                }
                *report.old.entry(record.verdict.as_str()).or_default() += 1;
                *report.new.entry(new.verdict.as_str()).or_default() += 1;
                if new.verdict != record.verdict {
                    report.changed += 1;
                    subjects.insert(record.subject.clone());
                    if report.sample.len() < sample_max {
                        report.sample.push(Changed {
                            decision_id: record.id.clone(),
                            movement_id: record.movement_id.clone(),
                            subject: record.subject.clone(),
                            amount: record.amount,
                            old: record.verdict,
                            new: new.verdict,
                            rules: new
                                .fired
                                .iter()
                                .filter(|f| f.enforced() && f.outcome == new.verdict)
                                .map(|f| f.rule.clone())
                                .collect(),
                        });
                    }
                }
            }
            progress(report.judged + report.skipped, total);
        }
        report.holders_affected = subjects.len() as u64;
        Ok(report)
    }
}

/// Judges one stored decision's call under `candidate`, reading what the candidate needs as of the
/// call's own time. `None` when its trace cannot be read.
fn judge_as_then(
    r: &mut dyn MoneyTx,
    candidate: &RuleSet,
    d: &DecisionRecord,
) -> Result<Option<crate::risk::Decision>, crate::StoreError> {
    let Some(trace) = Trace::parse(&d.trace) else {
        return Ok(None);
    };
    let mut features = trace.features.clone();
    let needs = candidate.needs(d.call, d.amount);
    let holder_id = d
        .subject
        .strip_prefix("holder:")
        .or_else(|| d.subject.strip_prefix("topup:"));
    let got = r.risk_features(&FeatureQuery {
        subject: &d.subject,
        holder_id,
        payee: d.payee.as_deref(),
        device_id: d.device_id.as_deref(),
        session_id: trace.session_id.as_deref(),
        // Just before the payment, so it does not count itself; payments made in the same
        // millisecond do not see each other here.
        now_ms: d.created_ms - 1,
        needs: &needs,
        // The block list as it stood then is the one the trace kept.
        probes: &[],
    })?;
    let now = d.created_ms;
    features.windows = got.windows;
    features.history = got.history;
    features.first_to_payee = got.first_to_payee;
    features.since_reset_s = got.last_reset_ms.map(|at| (now - at) / 1000);
    features.wrong_pins = got.wrong_pins;
    if got.session_created_ms.is_some() {
        features.session_age_s = got.session_created_ms.map(|at| (now - at) / 1000);
        features.device_age_s = got
            .session_created_ms
            .map(|at| (now - got.device_first_seen_ms.unwrap_or(at)) / 1000);
    }
    Ok(Some(rejudge(
        candidate,
        d,
        &features,
        &trace.snoozed,
        trace.session_id.as_deref(),
    )))
}
