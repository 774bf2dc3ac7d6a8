//! Budgets' rows (消费预算): each holder's plan and its categories, and the alerts sent, whose
//! primary key keeps each alert to once per holder, month, line and threshold.

use super::SqlRecords;
use qianbao_ledger::PositiveAmount;
use qianbao_wallet::StoreError;
use qianbao_wallet::budgets::{
    BudgetAlertKey, BudgetCategory, BudgetLine, BudgetMonth, BudgetPlan, BudgetRecords,
    BudgetSettings, BudgetWatch, Threshold,
};

fn positive(minor: i64, what: &str) -> Result<PositiveAmount, StoreError> {
    PositiveAmount::new(minor).ok_or_else(|| StoreError::Corrupt(format!("budget {what} {minor}")))
}

impl BudgetRecords for SqlRecords<'_> {
    fn budget_settings(&mut self, holder_id: &str) -> Result<Option<BudgetSettings>, StoreError> {
        let Some(row) = self.0.query_opt(
            "SELECT month_total, sms, checked_ms, version, updated_ms FROM budgets
             WHERE holder_id = $1",
            &[holder_id.into()],
        )?
        else {
            return Ok(None);
        };
        let month_total = row
            .opt_int(0)?
            .map(|m| positive(m, "month_total"))
            .transpose()?;
        let mut categories = Vec::new();
        for line in self.0.query(
            "SELECT category, amount FROM budget_categories WHERE holder_id = $1",
            &[holder_id.into()],
        )? {
            let name = line.text(0)?;
            let category = BudgetCategory::parse(&name)
                .ok_or_else(|| StoreError::Corrupt(format!("budget category {name:?}")))?;
            categories.push((category, positive(line.int(1)?, "amount")?));
        }
        categories.sort_by_key(|(c, _)| c.rank());
        Ok(Some(BudgetSettings {
            holder_id: holder_id.to_string(),
            plan: BudgetPlan {
                month_total,
                categories,
                sms: row.int(1)? != 0,
            },
            checked_ms: row.int(2)?,
            version: row.int(3)?,
            updated_ms: row.int(4)?,
        }))
    }

    fn put_budgets(
        &mut self,
        holder_id: &str,
        plan: &BudgetPlan,
        checked_ms: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "DELETE FROM budget_categories WHERE holder_id = $1",
            &[holder_id.into()],
        )?;
        if plan.is_empty() {
            return self.0.write(
                "DELETE FROM budgets WHERE holder_id = $1",
                &[holder_id.into()],
            );
        }
        self.0.write(
            "INSERT INTO budgets (holder_id, month_total, sms, checked_ms, version, updated_ms)
             VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (holder_id) DO UPDATE SET month_total = excluded.month_total,
                 sms = excluded.sms, checked_ms = excluded.checked_ms,
                 version = budgets.version + 1, updated_ms = excluded.updated_ms",
            &[
                holder_id.into(),
                plan.month_total.map(|a| a.minor()).into(),
                i64::from(plan.sms).into(),
                checked_ms.into(),
                now_ms.into(),
            ],
        )?;
        for (category, amount) in &plan.categories {
            self.insert(
                "budget_categories",
                "holder_id, category, amount",
                &[
                    holder_id.into(),
                    category.as_str().into(),
                    amount.minor().into(),
                ],
            )?;
        }
        Ok(())
    }

    fn budgets_to_check(&mut self, limit: i64) -> Result<Vec<BudgetWatch>, StoreError> {
        // Each holder's newest record is found through movements_by_owner_time.
        self.0
            .query(
                "SELECT b.holder_id FROM budgets b
                 WHERE EXISTS (SELECT 1 FROM movements m
                               WHERE m.owner_id = b.holder_id AND m.created_ms >= b.checked_ms)
                 ORDER BY b.checked_ms, b.holder_id LIMIT $1",
                &[limit.into()],
            )?
            .iter()
            .map(|row| {
                Ok(BudgetWatch {
                    holder_id: row.text(0)?,
                })
            })
            .collect()
    }

    fn mark_budgets_checked(
        &mut self,
        holder_id: &str,
        version: i64,
        checked_ms: i64,
    ) -> Result<(), StoreError> {
        // Never backwards, and only over the plan that was judged.
        self.0.write(
            "UPDATE budgets SET checked_ms = $3
             WHERE holder_id = $1 AND version = $2 AND checked_ms < $3",
            &[holder_id.into(), version.into(), checked_ms.into()],
        )
    }

    fn budget_alerts_sent(
        &mut self,
        holder_id: &str,
        month: BudgetMonth,
    ) -> Result<Vec<(BudgetLine, Threshold)>, StoreError> {
        self.0
            .query(
                "SELECT line, threshold FROM budget_alerts WHERE holder_id = $1 AND month = $2",
                &[holder_id.into(), month.label().into()],
            )?
            .iter()
            .map(|row| {
                let line = row.text(0)?;
                let threshold = row.int(1)?.to_string();
                Ok((
                    BudgetLine::parse(&line)
                        .ok_or_else(|| StoreError::Corrupt(format!("budget line {line:?}")))?,
                    Threshold::parse(&threshold).ok_or_else(|| {
                        StoreError::Corrupt(format!("budget threshold {threshold}"))
                    })?,
                ))
            })
            .collect()
    }

    fn record_budget_alert(
        &mut self,
        key: &BudgetAlertKey,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let written = self.0.execute(
            "INSERT INTO budget_alerts (holder_id, month, line, threshold, sent_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (holder_id, month, line, threshold) DO NOTHING",
            &[
                key.holder_id.as_str().into(),
                key.month.label().into(),
                key.line.as_str().into(),
                key.threshold.percent().into(),
                now_ms.into(),
            ],
        )?;
        Ok(written == 1)
    }
}
