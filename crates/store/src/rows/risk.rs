//! Risk control's rows. The features of one call are read in one batch of statements (one round
//! trip on PostgreSQL), each a range scan of a covering index over the decisions that moved money.

use super::SqlRecords;
use crate::portable::{Row, Value};
use qianbao_wallet::StoreError;
use qianbao_wallet::money::records::{
    BlockRecord, DecisionRecord, FeatureQuery, Gathered, RiskLabel, RiskLabelRecord, RiskRecords,
    SnoozeRecord,
};
use qianbao_wallet::records::security_events::{
    NEW_DEVICE_LOGIN, PASSWORD_RESET, PIN_RESET, WRONG_PIN,
};
use qianbao_wallet::risk::features::History;
use qianbao_wallet::risk::{CallKind, Scope, Verdict, Window};

const DECISION_COLUMNS: &str = "id, subject, device_id, payee, call, amount_minor, verdict, reason, \
                                rule_set, trace, movement_id, caller, idem_key, counted, created_ms";

fn decision_from(row: &Row) -> Result<DecisionRecord, StoreError> {
    Ok(DecisionRecord {
        id: row.text(0)?,
        subject: row.text(1)?,
        device_id: row.opt_text(2)?,
        payee: row.opt_text(3)?,
        call: row.named(4, CallKind::parse)?,
        amount: row.int(5)?,
        verdict: row.named(6, Verdict::parse)?,
        reason: row.opt_text(7)?,
        rule_set: row.text(8)?,
        trace: row.text(9)?,
        movement_id: row.opt_text(10)?,
        caller: row.text(11)?,
        idem_key: row.text(12)?,
        counted: row.int(13)? != 0,
        created_ms: row.int(14)?,
    })
}

/// The scopes' columns in `risk_decisions`.
fn column(scope: Scope) -> &'static str {
    match scope {
        Scope::Holder => "subject",
        Scope::Device => "device_id",
        Scope::Payee => "payee",
    }
}

/// The scopes a reset or new-device login is recorded under.
const RESETS: [&str; 3] = [PASSWORD_RESET, PIN_RESET, NEW_DEVICE_LOGIN];

/// The latest running totals of `subject`'s row at `now`, then those just before each window:
/// a window's count and amount are the differences (row 0 is now, row `i` is window `i`'s start;
/// a missing row is zero). Rows are ordered by time and, within one millisecond, by their total.
fn running_totals(subject: &str, now: i64, windows: &[i64]) -> (String, Vec<Value>) {
    let latest =
        "SELECT run_count, run_amount FROM risk_decisions WHERE subject = $1 AND counted = 1";
    let order = "ORDER BY created_ms DESC, run_count DESC LIMIT 1";
    let mut params: Vec<Value> = vec![subject.into(), now.into()];
    let mut parts = vec![format!(
        "SELECT CAST(0 AS BIGINT), run_count, run_amount FROM ({latest} AND created_ms <= $2 {order}) t0"
    )];
    for (i, w) in windows.iter().enumerate() {
        params.push((now - w * 1000).into());
        let p = params.len();
        parts.push(format!(
            "SELECT CAST({} AS BIGINT), run_count, run_amount FROM ({latest} AND created_ms < ${p} {order}) t{}",
            i + 1,
            i + 1
        ));
    }
    (parts.join(" UNION ALL "), params)
}

/// One statement of the batch and how its rows fill [`Gathered`].
enum Read {
    Totals(Vec<i64>),
    Windows(Scope, Vec<i64>),
    History,
    FirstToPayee,
    SinceReset,
    WrongPins(i64),
    Listed,
    Session,
}

/// The statements the features of `q` are read with, and how each one's rows fill
/// [`Gathered`]: the same for a read ahead and for the risk stage's own read, so one answers the
/// other.
fn feature_statements(q: &FeatureQuery<'_>) -> (Vec<(String, Vec<Value>)>, Vec<Read>) {
    let now = q.now_ms;
    let needs = q.needs;
    let mut statements: Vec<(String, Vec<Value>)> = Vec::new();
    let mut reads = Vec::new();
    for scope in Scope::ALL {
        let windows: Vec<i64> = needs
            .windows
            .iter()
            .filter(|(s, _)| s == scope)
            .map(|(_, w)| *w)
            .collect();
        if *scope == Scope::Holder {
            if !windows.is_empty() {
                statements.push(running_totals(q.subject, now, &windows));
                reads.push(Read::Totals(windows));
            }
            continue;
        }
        let key = match scope {
            Scope::Holder => Some(q.subject),
            Scope::Device => q.device_id,
            Scope::Payee => q.payee,
        };
        let (Some(key), Some(widest)) = (key, windows.iter().max()) else {
            continue;
        };
        let mut params: Vec<Value> = vec![key.into(), (now - widest * 1000).into(), now.into()];
        if *scope == Scope::Payee {
            // $4 is the caller: the payers counted are the others, so the caller is counted
            // once whether or not they paid before.
            params.push(q.subject.into());
        }
        let mut columns = Vec::new();
        for w in &windows {
            params.push((now - w * 1000).into());
            let p = params.len();
            // Different payers matter to the payee's window only; counting them sorts.
            let payers = if *scope == Scope::Payee {
                format!(
                    "count(DISTINCT CASE WHEN created_ms >= ${p} AND subject <> $4 THEN subject END)"
                )
            } else {
                "CAST(0 AS BIGINT)".to_string()
            };
            columns.push(format!(
                "CAST(coalesce(sum(CASE WHEN created_ms >= ${p} THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(coalesce(sum(CASE WHEN created_ms >= ${p} THEN amount_minor ELSE 0 END), 0) AS BIGINT), \
                 {payers}"
            ));
        }
        statements.push((
            format!(
                "SELECT {} FROM risk_decisions WHERE {} = $1 AND counted = 1 \
                 AND created_ms >= $2 AND created_ms <= $3",
                columns.join(", "),
                column(*scope)
            ),
            params,
        ));
        reads.push(Read::Windows(*scope, windows));
    }
    if let Some(lookback) = needs.history_s {
        statements.push((
            "SELECT count(*), coalesce(max(amount_minor), 0) FROM risk_decisions \
             WHERE subject = $1 AND counted = 1 AND created_ms >= $2 AND created_ms <= $3 \
             AND call IN ('transfer', 'pay', 'withdrawal', 'charge')"
                .into(),
            vec![q.subject.into(), (now - lookback * 1000).into(), now.into()],
        ));
        reads.push(Read::History);
    }
    if needs.first_to_payee
        && let Some(payee) = q.payee
    {
        statements.push((
            "SELECT 1 FROM risk_decisions WHERE subject = $1 AND counted = 1 \
             AND created_ms <= $2 AND payee = $3 LIMIT 1"
                .into(),
            vec![q.subject.into(), now.into(), payee.into()],
        ));
        reads.push(Read::FirstToPayee);
    }
    if let (Some(window), Some(holder)) = (needs.since_reset_s, q.holder_id) {
        statements.push((
            "SELECT max(at_ms) FROM security_events WHERE scope IN ($4, $5, $6) \
             AND subject = $1 AND at_ms >= $2 AND at_ms <= $3"
                .into(),
            vec![
                holder.into(),
                (now - window * 1000).into(),
                now.into(),
                RESETS[0].into(),
                RESETS[1].into(),
                RESETS[2].into(),
            ],
        ));
        reads.push(Read::SinceReset);
    }
    if let Some(holder) = q.holder_id {
        for w in &needs.wrong_pin_windows {
            statements.push((
                "SELECT count(*) FROM security_events WHERE scope = $4 \
                 AND subject = $1 AND at_ms >= $2 AND at_ms <= $3"
                    .into(),
                vec![
                    holder.into(),
                    (now - w * 1000).into(),
                    now.into(),
                    WRONG_PIN.into(),
                ],
            ));
            reads.push(Read::WrongPins(*w));
        }
    }
    // The block list and the holder's snoozes, in one statement.
    let mut parts = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if !q.probes.is_empty() {
        let mut ors = Vec::new();
        for probe in q.probes {
            params.push(probe.kind.into());
            params.push(probe.value.as_str().into());
            ors.push(format!(
                "(kind = ${} AND value = ${})",
                params.len() - 1,
                params.len()
            ));
        }
        parts.push(format!(
            "SELECT 'b', kind, value FROM risk_blocks WHERE {}",
            ors.join(" OR ")
        ));
    }
    if let Some(holder) = q.holder_id {
        params.push(holder.into());
        params.push(now.into());
        parts.push(format!(
            "SELECT 's', rule_id, '' FROM risk_snoozes WHERE holder_id = ${} AND until_ms > ${}",
            params.len() - 1,
            params.len()
        ));
    }
    if !parts.is_empty() {
        statements.push((parts.join(" UNION ALL "), params));
        reads.push(Read::Listed);
    }
    if needs.session
        && let Some(session) = q.session_id
    {
        statements.push((
            "SELECT s.created_ms, d.first_seen_ms FROM sessions s LEFT JOIN devices d \
             ON d.holder_id = s.holder_id AND d.device_id = s.device_id WHERE s.id = $1"
                .into(),
            vec![session.into()],
        ));
        reads.push(Read::Session);
    }
    (statements, reads)
}

/// The statements of [`feature_statements`], for a read ahead.
pub(crate) fn feature_reads(q: &FeatureQuery<'_>) -> Vec<(String, Vec<Value>)> {
    feature_statements(q).0
}

impl RiskRecords for SqlRecords<'_> {
    fn risk_features(&mut self, q: &FeatureQuery<'_>) -> Result<Gathered, StoreError> {
        let (statements, reads) = feature_statements(q);
        let batch: Vec<(&str, &[Value])> = statements
            .iter()
            .map(|(sql, params)| (sql.as_str(), params.as_slice()))
            .collect();
        let results = self.0.query_all(&batch)?;
        let mut got = Gathered::default();
        for (read, rows) in reads.into_iter().zip(results) {
            let first = rows.first();
            match read {
                Read::Totals(windows) => {
                    let mut at = vec![(0, 0); windows.len() + 1];
                    for row in &rows {
                        if let Some(slot) = usize::try_from(row.int(0)?)
                            .ok()
                            .and_then(|i| at.get_mut(i))
                        {
                            *slot = (row.int(1)?, row.int(2)?);
                        }
                    }
                    for (i, window_s) in windows.into_iter().enumerate() {
                        got.windows.push(Window {
                            scope: Scope::Holder,
                            window_s,
                            count: at[0].0 - at[i + 1].0,
                            amount: at[0].1 - at[i + 1].1,
                            payers: 0,
                        });
                    }
                }
                Read::Windows(scope, windows) => {
                    for (i, window_s) in windows.into_iter().enumerate() {
                        let (count, amount, payers) = match first {
                            Some(row) => {
                                (row.int(3 * i)?, row.int(3 * i + 1)?, row.int(3 * i + 2)?)
                            }
                            None => (0, 0, 0),
                        };
                        got.windows.push(Window {
                            scope,
                            window_s,
                            count,
                            amount,
                            payers,
                        });
                    }
                }
                Read::History => {
                    if let Some(row) = first {
                        got.history = Some(History {
                            count: row.int(0)?,
                            largest: row.int(1)?,
                        });
                    }
                }
                Read::FirstToPayee => got.first_to_payee = Some(rows.is_empty()),
                Read::SinceReset => {
                    got.last_reset_ms = first.map(|r| r.opt_int(0)).transpose()?.flatten()
                }
                Read::WrongPins(w) => {
                    got.wrong_pins
                        .push((w, first.map(|r| r.int(0)).transpose()?.unwrap_or(0)));
                }
                Read::Listed => {
                    for row in &rows {
                        let (what, a, b) = (row.text(0)?, row.text(1)?, row.text(2)?);
                        if what == "s" {
                            got.snoozed.push(a);
                        } else {
                            // One entry may match several probes (a phone on both sides).
                            for p in q.probes.iter().filter(|p| p.kind == a && p.value == b) {
                                if !got.blocked.iter().any(|l| l == p.label) {
                                    got.blocked.push(p.label.to_string());
                                }
                            }
                        }
                    }
                    got.blocked.sort();
                    got.snoozed.sort();
                }
                Read::Session => {
                    if let Some(row) = first {
                        got.session_created_ms = Some(row.int(0)?);
                        got.device_first_seen_ms = row.opt_int(1)?;
                    }
                }
            }
        }
        Ok(got)
    }

    fn insert_risk_decision(&mut self, d: &DecisionRecord) -> Result<(), StoreError> {
        // The running totals go on from the subject's latest counted row, in the same statement.
        let last = |column: &str| {
            format!(
                "coalesce((SELECT {column} FROM risk_decisions WHERE subject = $2 AND counted = 1 \
                 ORDER BY created_ms DESC, run_count DESC LIMIT 1), 0)"
            )
        };
        let placeholders: Vec<String> = (1..=15).map(|i| format!("${i}")).collect();
        let (more, by) = if d.counted { (1i64, d.amount) } else { (0, 0) };
        self.0.write(
            &format!(
                "INSERT INTO risk_decisions ({DECISION_COLUMNS}, run_count, run_amount) \
                 VALUES ({}, {} + $16, {} + $17)",
                placeholders.join(", "),
                last("run_count"),
                last("run_amount")
            ),
            &[
                d.id.as_str().into(),
                d.subject.as_str().into(),
                d.device_id.as_deref().into(),
                d.payee.as_deref().into(),
                d.call.as_str().into(),
                d.amount.into(),
                d.verdict.as_str().into(),
                d.reason.as_deref().into(),
                d.rule_set.as_str().into(),
                d.trace.as_str().into(),
                d.movement_id.as_deref().into(),
                d.caller.as_str().into(),
                d.idem_key.as_str().into(),
                i64::from(d.counted).into(),
                d.created_ms.into(),
                more.into(),
                by.into(),
            ],
        )
    }

    fn risk_decision_of(
        &mut self,
        movement_id: &str,
    ) -> Result<Option<DecisionRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {DECISION_COLUMNS} FROM risk_decisions WHERE movement_id = $1"),
                &[movement_id.into()],
            )?
            .map(|row| decision_from(&row))
            .transpose()
    }

    fn risk_decisions_page(
        &mut self,
        since_ms: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DecisionRecord>, StoreError> {
        // In id order, along the primary key: each decision is judged on its own, so the order
        // does not matter, and no index on time is kept up by every payment for this.
        self.0
            .query(
                &format!(
                    "SELECT {DECISION_COLUMNS} FROM risk_decisions \
                     WHERE id > $1 AND created_ms >= $2 ORDER BY id LIMIT $3"
                ),
                &[after.unwrap_or("").into(), since_ms.into(), limit.into()],
            )?
            .iter()
            .map(decision_from)
            .collect()
    }

    fn risk_decisions_of(
        &mut self,
        subject: &str,
        limit: i64,
    ) -> Result<Vec<DecisionRecord>, StoreError> {
        // Two reads, each along its own partial index (counted and refused), merged here.
        let mut found = Vec::new();
        for counted in [1_i64, 0] {
            let rows = self.0.query(
                &format!(
                    "SELECT {DECISION_COLUMNS} FROM risk_decisions \
                     WHERE subject = $1 AND counted = $2 ORDER BY created_ms DESC LIMIT $3"
                ),
                &[subject.into(), counted.into(), limit.into()],
            )?;
            for row in &rows {
                found.push(decision_from(row)?);
            }
        }
        found.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(b.id.cmp(&a.id)));
        Ok(found)
    }

    fn risk_decisions_count(&mut self, since_ms: i64) -> Result<u64, StoreError> {
        let n = self
            .0
            .query_one(
                "SELECT count(*) FROM risk_decisions WHERE created_ms >= $1",
                &[since_ms.into()],
            )?
            .int(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn remember_rule_set(
        &mut self,
        hash: &str,
        document: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO risk_rule_sets (hash, document, first_used_ms) VALUES ($1, $2, $3)
             ON CONFLICT (hash) DO NOTHING",
            &[hash.into(), document.into(), now_ms.into()],
        )
    }

    fn rule_set_document(&mut self, hash: &str) -> Result<Option<String>, StoreError> {
        self.0
            .query_opt(
                "SELECT document FROM risk_rule_sets WHERE hash = $1",
                &[hash.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn add_risk_block(&mut self, b: &BlockRecord) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "INSERT INTO risk_blocks (kind, value, note, created_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (kind, value) DO NOTHING",
            &[
                b.kind.as_str().into(),
                b.value.as_str().into(),
                b.note.as_str().into(),
                b.created_ms.into(),
            ],
        )? > 0)
    }

    fn remove_risk_block(&mut self, kind: &str, value: &str) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "DELETE FROM risk_blocks WHERE kind = $1 AND value = $2",
            &[kind.into(), value.into()],
        )? > 0)
    }

    fn risk_blocks(&mut self) -> Result<Vec<BlockRecord>, StoreError> {
        self.0
            .query(
                "SELECT kind, value, note, created_ms FROM risk_blocks ORDER BY created_ms, kind, value",
                &[],
            )?
            .iter()
            .map(|row| {
                Ok(BlockRecord {
                    kind: row.text(0)?,
                    value: row.text(1)?,
                    note: row.text(2)?,
                    created_ms: row.int(3)?,
                })
            })
            .collect()
    }

    fn put_snooze(&mut self, s: &SnoozeRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO risk_snoozes (holder_id, rule_id, until_ms, reason, created_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (holder_id, rule_id)
             DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason,
                           created_ms = excluded.created_ms",
            &[
                s.holder_id.as_str().into(),
                s.rule_id.as_str().into(),
                s.until_ms.into(),
                s.reason.as_str().into(),
                s.created_ms.into(),
            ],
        )
    }

    fn step_up_challenge(&mut self, caller: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.0
            .query_opt(
                "SELECT request_digest FROM step_up_challenges WHERE caller = $1 AND idem_key = $2",
                &[caller.into(), key.into()],
            )?
            .map(|row| row.text(0))
            .transpose()
    }

    fn put_risk_label(&mut self, l: &RiskLabelRecord) -> Result<(), StoreError> {
        self.0.write(
            "INSERT INTO risk_labels (movement_id, label, actor, at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (movement_id) DO UPDATE SET label = excluded.label,
                 actor = excluded.actor, at_ms = excluded.at_ms",
            &[
                l.movement_id.as_str().into(),
                l.label.as_str().into(),
                l.actor.as_str().into(),
                l.at_ms.into(),
            ],
        )
    }

    fn risk_label(&mut self, movement_id: &str) -> Result<Option<RiskLabel>, StoreError> {
        self.0
            .query_opt(
                "SELECT label FROM risk_labels WHERE movement_id = $1",
                &[movement_id.into()],
            )?
            .map(|row| row.named(0, RiskLabel::parse))
            .transpose()
    }

    fn put_step_up_challenge(
        &mut self,
        caller: &str,
        key: &str,
        digest: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        // The first request asked under a key is the one the second factor is for.
        self.0.write(
            "INSERT INTO step_up_challenges (caller, idem_key, request_digest, created_ms)
             VALUES ($1, $2, $3, $4) ON CONFLICT (caller, idem_key) DO NOTHING",
            &[caller.into(), key.into(), digest.into(), now_ms.into()],
        )
    }
}
