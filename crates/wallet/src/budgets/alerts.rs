//! The budget alerts: a background pass (`server/src/workers.rs`, every second) looks for holders
//! with budgets whose records moved since they were last checked, sums their month's spending and
//! sends an inbox alert (and an SMS if they asked) for each threshold newly reached.
//!
//! Why a pass rather than a hook in every money call: the pass reads the month's records outside
//! the serial money writer, so payments pay nothing for budgets; alerts arrive within a couple of
//! seconds. Why once: each alert is written with a row keyed by holder, month, line and threshold
//! in the same transaction, and a second writer of that key writes nothing (two passes, or two
//! nodes, racing over the same spending send one alert).

use super::progress::due;
use super::records::{BudgetAlertKey, BudgetSettings};
use super::report::month_spending;
use super::{BudgetLine, BudgetMonth, BudgetReport, MonthSpending, Threshold};
use crate::StoreError;
use crate::domain::yuan::yuan;
use crate::money::records::{MoneyTx, NotificationRecord};
use crate::money::{Money, MoneyError};
use crate::storage::RecordStore;

/// The most holders one pass checks; the rest wait for the next pass.
pub const CHECK_BATCH: i64 = 200;

/// How far back of now a check reaches again next time. A record is stamped when its money
/// transaction runs and may commit a moment later; a pass that moved its mark to "now" could step
/// over a record committed just after it read. Ten seconds is far longer than any batch takes.
pub const CHECK_LAG_MS: i64 = 10_000;

/// The inbox kind of a budget alert.
pub const ALERT_KIND: &str = "budget";

/// The alert texts (title, body, title in English, body in English) of one line reaching one
/// threshold.
pub fn alert_text(
    month: BudgetMonth,
    line: &super::LineReport,
    threshold: Threshold,
) -> (String, String, String, String) {
    let (name_zh, name_en) = match line.line {
        BudgetLine::Total => (
            "本月总预算".to_string(),
            "This month's total budget".to_string(),
        ),
        BudgetLine::Category(c) => (
            format!("本月{}预算", c.zh()),
            format!("This month's {} budget", c.en()),
        ),
    };
    let pct = threshold.percent();
    let (title, title_en) = match threshold {
        Threshold::Warning => (
            format!("{name_zh}已用{pct}%"),
            format!("{name_en}: {pct}% used"),
        ),
        Threshold::Reached => (format!("{name_zh}已用完"), format!("{name_en} is used up")),
    };
    let body = format!(
        "{}预算{}，已花{}（{}%）",
        month.label(),
        yuan(line.budget),
        yuan(line.spent),
        line.percent
    );
    let body_en = format!(
        "{}: budget {}, spent {} ({}%)",
        month.label(),
        yuan(line.budget),
        yuan(line.spent),
        line.percent
    );
    (title, body, title_en, body_en)
}

/// The alerts a report calls for that were not sent yet.
pub fn due_alerts(
    report: &BudgetReport,
    sent: &[(BudgetLine, Threshold)],
) -> Vec<(super::LineReport, Threshold)> {
    let mut out = Vec::new();
    for line in report.lines() {
        let already: Vec<Threshold> = sent
            .iter()
            .filter(|(l, _)| *l == line.line)
            .map(|(_, t)| *t)
            .collect();
        for t in due(line.spent, line.budget, &already) {
            out.push((line.clone(), t));
        }
    }
    out
}

/// What one holder's check found: the settings judged and the alerts due per month.
type Found = Option<(
    BudgetSettings,
    Vec<(BudgetMonth, Vec<(super::LineReport, Threshold)>)>,
)>;

impl Money {
    /// One pass: checks up to [`CHECK_BATCH`] holders whose records moved since their last check.
    /// Returns how many alerts were sent.
    pub async fn check_budgets(&self, store: &impl RecordStore) -> Result<usize, MoneyError> {
        let watch = store
            .transact_read(|r| r.budgets_to_check(CHECK_BATCH))
            .await?;
        let mut sent = 0;
        for w in watch {
            sent += self.check_holder_budgets(store, w.holder_id).await?;
        }
        Ok(sent)
    }

    /// Checks one holder: the current month, and the month before too if its last check was
    /// before this month began (spending at the month's very end, checked after midnight).
    async fn check_holder_budgets(
        &self,
        store: &impl RecordStore,
        holder_id: String,
    ) -> Result<usize, MoneyError> {
        let now = self.now_ms();
        let month = BudgetMonth::of_ms(now);
        let id = holder_id.clone();
        let found: Found = store
            .transact_read(move |r| {
                let Some(settings) = r.budget_settings(&id)? else {
                    return Ok(None);
                };
                let mut months = vec![month];
                if settings.checked_ms < month.start_ms() {
                    months.insert(0, month.previous());
                }
                let mut due = Vec::new();
                for m in months {
                    let spending = month_spending(r, &id, m)?;
                    let report =
                        BudgetReport::new(&settings.plan, m, spending, MonthSpending::default());
                    let sent = r.budget_alerts_sent(&id, m)?;
                    due.push((m, due_alerts(&report, &sent)));
                }
                Ok(Some((settings, due)))
            })
            .await?;
        let Some((settings, due)) = found else {
            return Ok(0);
        };
        let checked_ms = now.saturating_sub(CHECK_LAG_MS);
        let texts: Vec<(BudgetAlertKey, (String, String, String, String))> = due
            .into_iter()
            .flat_map(|(m, lines)| {
                let holder_id = holder_id.clone();
                lines.into_iter().map(move |(line, t)| {
                    (
                        BudgetAlertKey {
                            holder_id: holder_id.clone(),
                            month: m,
                            line: line.line,
                            threshold: t,
                        },
                        alert_text(m, &line, t),
                    )
                })
            })
            .collect();
        let sms = settings.plan.sms;
        let version = settings.version;
        Ok(store
            .transact_money(move |r| {
                let mut sent = 0;
                for (key, text) in &texts {
                    if send_alert(r, key, text, sms, now)? {
                        sent += 1;
                    }
                }
                r.mark_budgets_checked(&holder_id, version, checked_ms)?;
                Ok(sent)
            })
            .await?)
    }
}

/// Writes one alert unless its key was written before: the key, the inbox line, and the SMS if
/// the holder asked. All in the caller's transaction.
fn send_alert(
    r: &mut dyn MoneyTx,
    key: &BudgetAlertKey,
    (title, body, title_en, body_en): &(String, String, String, String),
    sms: bool,
    now_ms: i64,
) -> Result<bool, StoreError> {
    if !r.record_budget_alert(key, now_ms)? {
        return Ok(false);
    }
    r.insert_notification(&NotificationRecord {
        id: 0,
        holder_id: key.holder_id.clone(),
        kind: ALERT_KIND.to_string(),
        title: title.clone(),
        body: body.clone(),
        title_en: title_en.clone(),
        body_en: body_en.clone(),
        movement_id: None,
        created_ms: now_ms,
    })?;
    if sms && let Some(holder) = r.holder(&key.holder_id)? {
        r.queue_sms(
            &holder.phone,
            &format!("【钱包】{title}：{body}。"),
            None,
            now_ms,
        )?;
    }
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::budgets::{BudgetCategory, BudgetPlan};
    use qianbao_ledger::Amount;

    #[test]
    fn a_report_calls_only_for_the_alerts_not_yet_sent() {
        let plan = BudgetPlan::new(Some(10_000), &[("restaurant".into(), 1_000)], false).unwrap();
        let spending = MonthSpending {
            total: Amount::from_minor(8_000),
            by_category: vec![(BudgetCategory::Restaurant, Amount::from_minor(1_200))],
        };
        let month = BudgetMonth::parse("2026-12").unwrap();
        let report = BudgetReport::new(&plan, month, spending, MonthSpending::default());
        let all = due_alerts(&report, &[]);
        assert_eq!(
            all.len(),
            3,
            "80 % of the total, 80 % and 100 % of restaurants"
        );
        let rest = due_alerts(
            &report,
            &[(
                BudgetLine::Category(BudgetCategory::Restaurant),
                Threshold::Warning,
            )],
        );
        assert_eq!(rest.len(), 2);
        let (title, body, title_en, _) = alert_text(month, &all[2].0, all[2].1);
        assert_eq!(title, "本月餐厅预算已用完");
        assert_eq!(body, "2026-12预算¥10.00，已花¥12.00（120%）");
        assert_eq!(title_en, "This month's restaurant budget is used up");
    }
}
