//! The part of `qianbao verify` that judges every stored risk decision again: its rule set is
//! read back by hash, the rules are run on the features the decision kept, and the verdict and
//! the rules that fired must come out the same. A decision that does not is either tampered with
//! or made by code that judged differently from what the rule set says — both worth knowing.

use crate::StoreError;
use crate::money::Trace;
use crate::money::rejudge;
use crate::risk::RuleSet;
use crate::storage::RecordStore;
use crate::verify::VerifyReport;
use std::collections::BTreeMap;

/// How many decisions are read per page.
const PAGE: i64 = 1_000;

/// Judges every stored decision again; adds what differs to `report`.
pub async fn verify_decisions(
    store: &impl RecordStore,
    report: &mut VerifyReport,
) -> Result<(), StoreError> {
    let mut rule_sets: BTreeMap<String, Option<RuleSet>> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after.clone();
        let page = store
            .transact_read(move |r| r.risk_decisions_page(i64::MIN, cursor.as_deref(), PAGE))
            .await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = Some(last.id.clone());
        for d in page {
            report.risk_decisions += 1;
            if !rule_sets.contains_key(&d.rule_set) {
                let hash = d.rule_set.clone();
                let doc = store
                    .transact_read(move |r| r.rule_set_document(&hash))
                    .await?;
                let parsed = doc.and_then(|text| RuleSet::parse(&text).ok());
                rule_sets.insert(d.rule_set.clone(), parsed);
            }
            let Some(Some(rules)) = rule_sets.get(&d.rule_set) else {
                report.problem(format!(
                    "risk decision {}: its rule set {} is not stored or does not parse",
                    d.id, d.rule_set
                ));
                continue;
            };
            if rules.hash() != d.rule_set {
                report.problem(format!(
                    "risk decision {}: the stored rule set does not hash to {}",
                    d.id, d.rule_set
                ));
                continue;
            }
            let Some(trace) = Trace::parse(&d.trace) else {
                report.problem(format!("risk decision {}: its trace does not parse", d.id));
                continue;
            };
            let again = rejudge(
                rules,
                &d,
                &trace.features,
                &trace.snoozed,
                trace.session_id.as_deref(),
            );
            let fired = |f: &[crate::risk::Fired]| {
                f.iter()
                    .map(|f| (f.rule.clone(), f.enforced()))
                    .collect::<Vec<_>>()
            };
            if again.verdict != d.verdict || fired(&again.fired) != fired(&trace.fired) {
                report.problem(format!(
                    "risk decision {}: stored {} but its features give {}",
                    d.id, d.verdict, again.verdict
                ));
            }
        }
    }
}
