//! `qianbao admin risk …` and `qianbao risk replay`: the operator's hands on risk control from the
//! command line until the console exists — the review queue, releasing and rejecting held
//! payments, the block list, snoozes, and replaying a candidate rule set over the history.

use crate::policy::Policy;
use clap::{Args, Subcommand};
use qianbao_store::Storage;
use qianbao_wallet::money::Money;
use qianbao_wallet::money::records::{BlockRecord, RiskLabel, SnoozeRecord};
use qianbao_wallet::money::replay::LabelScore;
use qianbao_wallet::money::review::{HeldForReview, Review, ReviewNote};
use qianbao_wallet::risk::RuleSet;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// What to do with risk control.
#[derive(Debug, Subcommand)]
pub enum RiskAction {
    /// Lists the payments held for review, oldest first.
    Queue {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Releases a held payment: a transfer is posted, a withdrawal goes on to the bank.
    Release {
        /// The held payment's id.
        id: String,
        /// What it turned out to be, for `risk replay`'s precision.
        #[command(flatten)]
        note: ReviewArgs,
    },
    /// Rejects a held payment: the hold is voided and the money is back with the payer.
    Reject {
        /// The held payment's id.
        id: String,
        /// What it turned out to be, for `risk replay`'s precision.
        #[command(flatten)]
        note: ReviewArgs,
    },
    /// Puts a phone, wallet, merchant, card BIN or device on the block list: every call that moves
    /// its money out or pays it answers 403 `risk_blocked`.
    Block {
        /// What to block.
        #[command(flatten)]
        target: BlockTarget,
        /// Why (kept with the entry).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Takes an entry off the block list.
    Unblock {
        /// What to unblock.
        #[command(flatten)]
        target: BlockTarget,
    },
    /// Lists the block list.
    Blocks,
    /// Exempts one holder from one rule until a time, with a reason; it ends by itself.
    Snooze {
        /// The holder's wallet id.
        #[arg(long)]
        wallet: String,
        /// The rule's id.
        #[arg(long)]
        rule: String,
        /// Until: RFC 3339 or a duration from now (30m, 2h, 7d).
        #[arg(long)]
        until: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// One block-list entry.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct BlockTarget {
    /// A phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// A wallet id.
    #[arg(long)]
    pub wallet: Option<String>,
    /// A merchant id.
    #[arg(long)]
    pub merchant: Option<String>,
    /// A card BIN (the first six digits).
    #[arg(long)]
    pub card_bin: Option<String>,
    /// A device id.
    #[arg(long)]
    pub device: Option<String>,
}

impl BlockTarget {
    /// The entry as stored: its kind and normalised value.
    fn entry(&self) -> Result<(&'static str, String), String> {
        if let Some(phone) = &self.phone {
            let phone = qianbao_wallet::domain::Phone::parse(phone)
                .map_err(|e| format!("not a phone number: {e}"))?;
            return Ok(("phone", phone.as_e164().to_string()));
        }
        if let Some(bin) = &self.card_bin {
            if bin.len() != 6 || !bin.bytes().all(|b| b.is_ascii_digit()) {
                return Err("--card-bin is the card number's first six digits".into());
            }
            return Ok(("card_bin", bin.clone()));
        }
        let (kind, value) = match (&self.wallet, &self.merchant, &self.device) {
            (Some(w), _, _) => ("wallet", w),
            (_, Some(m), _) => ("merchant", m),
            (_, _, Some(d)) => ("device", d),
            _ => return Err("give --phone, --wallet, --merchant, --card-bin or --device".into()),
        };
        let value = value.trim();
        if value.is_empty() || value.len() > 128 {
            return Err(format!("--{kind} must be 1 to 128 characters"));
        }
        Ok((kind, value.to_string()))
    }
}

/// `qianbao risk …`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The task.
    #[command(subcommand)]
    pub task: RiskTask,
    /// Storage.
    #[command(flatten)]
    pub storage: crate::cli::StorageArgs,
}

/// Risk tasks that only read.
#[derive(Debug, Subcommand)]
pub enum RiskTask {
    /// Re-runs a candidate rule set over the stored history, each payment on its features as they
    /// were at its own time, and reports which payments would change outcome.
    Replay {
        /// The candidate rule set (`{"rules": [...]}`).
        #[arg(long)]
        rules: PathBuf,
        /// How far back: a duration (30d, 12h) or RFC 3339.
        #[arg(long, default_value = "30d")]
        since: String,
        /// How many changed payments to list in the summary.
        #[arg(long, default_value_t = 20)]
        sample: usize,
    },
}

fn held_json(h: &HeldForReview) -> serde_json::Value {
    let m = &h.movement;
    json!({
        "id": m.id,
        "holder_id": m.owner_id,
        "kind": m.kind.as_str(),
        "amount": m.amount.minor(),
        "fee": m.fee.minor(),
        "currency": m.currency.as_str(),
        "payee": m.counterparty,
        "created_at": crate::timestamp::rfc3339(m.created_ms),
        "expires_at": crate::timestamp::rfc3339(h.expires_ms),
        "reason": h.reason,
        "trace": h.trace.as_deref().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()),
    })
}

/// A reviewer's label and reason for a held payment.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// confirmed_fraud, false_positive or valuable_alert.
    #[arg(long)]
    label: Option<String>,
    /// Why (kept in the audit log).
    #[arg(long, default_value = "")]
    reason: String,
}

impl ReviewArgs {
    /// The note the decision is kept with, as the operator's command line's.
    fn note(self) -> Result<ReviewNote, String> {
        let label = match self.label.as_deref() {
            None => None,
            Some(text) => Some(RiskLabel::parse(text).ok_or_else(|| {
                format!("--label {text:?}: give confirmed_fraud, false_positive or valuable_alert")
            })?),
        };
        Ok(ReviewNote {
            actor: "cli".into(),
            label,
            reason: self.reason,
        })
    }
}

/// Runs `admin risk ACTION` against `storage` with `money`'s policy.
pub(crate) async fn admin(
    storage: &Storage,
    money: &Money,
    action: RiskAction,
    now: i64,
) -> Result<String, String> {
    match action {
        RiskAction::Queue { json } => {
            let queue = money
                .review_queue(storage)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                return Ok(queue
                    .iter()
                    .map(|h| held_json(h).to_string())
                    .collect::<Vec<_>>()
                    .join("\n"));
            }
            let mut out = format!("{} held for review", queue.len());
            for h in &queue {
                let m = &h.movement;
                out.push_str(&format!(
                    "\n{}\t{}\t{}\t→ {}\t{}\tuntil {}",
                    m.id,
                    m.kind.as_str(),
                    qianbao_wallet::money::yuan(m.amount),
                    m.counterparty,
                    h.reason.as_deref().unwrap_or("-"),
                    crate::timestamp::rfc3339(h.expires_ms)
                ));
            }
            Ok(out)
        }
        RiskAction::Release { id, note } => money
            .review(storage, &id, Review::Release, note.note()?)
            .await
            .map(|status| format!("released {id}: now {status}"))
            .map_err(|e| e.to_string()),
        RiskAction::Reject { id, note } => money
            .review(storage, &id, Review::Reject, note.note()?)
            .await
            .map(|status| format!("rejected {id}: now {status}; the money is back with the payer"))
            .map_err(|e| e.to_string()),
        RiskAction::Block { target, note } => {
            let (kind, value) = target.entry()?;
            let added = money
                .block(
                    storage,
                    &BlockRecord {
                        kind: kind.into(),
                        value: value.clone(),
                        note,
                        created_ms: now,
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok(if added {
                format!("blocked {kind} {value}")
            } else {
                format!("{kind} {value} was already blocked")
            })
        }
        RiskAction::Unblock { target } => {
            let (kind, value) = target.entry()?;
            if money
                .unblock(storage, kind, &value)
                .await
                .map_err(|e| e.to_string())?
            {
                Ok(format!("unblocked {kind} {value}"))
            } else {
                Err(format!("{kind} {value} is not on the block list"))
            }
        }
        RiskAction::Blocks => {
            let list = money.blocks(storage).await.map_err(|e| e.to_string())?;
            let mut out = format!("{} blocked", list.len());
            for b in list {
                out.push_str(&format!(
                    "\n{}\t{}\t{}\t{}",
                    b.kind,
                    b.value,
                    crate::timestamp::rfc3339(b.created_ms),
                    b.note
                ));
            }
            Ok(out)
        }
        RiskAction::Snooze {
            wallet,
            rule,
            until,
            reason,
        } => {
            let until_ms = crate::cli::until_ms(&until, now)?;
            if !money.policy.risk.rules().iter().any(|r| r.id == rule) {
                return Err(format!("no rule {rule:?} in the rule set in force"));
            }
            if reason.trim().is_empty() {
                return Err("--reason is required: say why".into());
            }
            let holder_id = money
                .holder_of_wallet(storage, &wallet)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no wallet {wallet}"))?;
            money
                .snooze(
                    storage,
                    &SnoozeRecord {
                        holder_id,
                        rule_id: rule.clone(),
                        until_ms,
                        reason,
                        created_ms: now,
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "wallet {wallet} is exempt from {rule} until {}",
                crate::timestamp::rfc3339(until_ms)
            ))
        }
    }
}

/// Runs `risk replay`: a progress bar on stderr for long runs, one JSON line on stdout at the end.
pub(crate) async fn replay(
    storage: &Storage,
    money: &Money,
    rules: &std::path::Path,
    since: &str,
    sample: usize,
    now: i64,
) -> Result<String, String> {
    let text = std::fs::read_to_string(rules)
        .map_err(|e| format!("cannot read {}: {e}", rules.display()))?;
    let candidate = RuleSet::parse(&text)
        .map_err(|e| format!("{} is not a valid rule set: {e}", rules.display()))?;
    let since_ms = since_ms(since, now)?;
    let clock = qianbao_wallet::SystemClock;
    let started = qianbao_wallet::Clock::monotonic(&clock);
    let report = money
        .replay_rules(storage, &candidate, since_ms, sample, |done, total| {
            if total >= 2_000 {
                let width = 30u64;
                let filled = (done * width).checked_div(total).unwrap_or(width);
                let bar: String = (0..width)
                    .map(|i| if i < filled { '#' } else { '.' })
                    .collect();
                eprint!("\rreplaying [{bar}] {done}/{total}");
                let _ = std::io::stderr().flush();
            }
        })
        .await
        .map_err(|e| e.to_string())?;
    if report.judged + report.skipped >= 2_000 {
        eprintln!();
    }
    Ok(json!({
        "rule_set": candidate.hash(),
        "since": crate::timestamp::rfc3339(since_ms),
        "judged": report.judged,
        "skipped": report.skipped,
        "changed": report.changed,
        "holders_affected": report.holders_affected,
        "outcomes_old": report.old,
        "outcomes_new": report.new,
        // Precision against the reviewers' labels: of the labelled payments each rule set would
        // stop, the share worth stopping, in thousandths.
        "labels": {
            "labelled": report.labels.labelled,
            "stopped_then": report.labels.stopped_then,
            "right_then": report.labels.right_then,
            "precision_then_permille": LabelScore::permille(report.labels.right_then, report.labels.stopped_then),
            "stopped_now": report.labels.stopped_now,
            "right_now": report.labels.right_now,
            "precision_now_permille": LabelScore::permille(report.labels.right_now, report.labels.stopped_now),
        },
        "took_ms": qianbao_wallet::Clock::monotonic(&clock).saturating_sub(started).as_millis() as u64,
        "sample": report.sample.iter().map(|c| json!({
            "decision_id": c.decision_id,
            "movement_id": c.movement_id,
            "subject": c.subject,
            "amount": c.amount,
            "old": c.old.as_str(),
            "new": c.new.as_str(),
            "rules": c.rules,
        })).collect::<Vec<_>>(),
    })
    .to_string())
}

/// `--since`: a duration back from now (`30d`, `12h`, `90m`) or RFC 3339.
fn since_ms(text: &str, now: i64) -> Result<i64, String> {
    if let Some(days) = text.strip_suffix('d') {
        let n: i64 = days
            .parse()
            .map_err(|_| format!("--since {text:?}: give 30d, 12h or RFC 3339"))?;
        return Ok(now - n.max(0) * 86_400_000);
    }
    let ahead = crate::cli::until_ms(text, now)?;
    // A duration is read as "that long ago"; an RFC 3339 instant as itself.
    Ok(if text.ends_with(['s', 'm', 'h']) {
        now - (ahead - now)
    } else {
        ahead
    })
}

/// The policy for an operator task: the file given, or the defaults.
pub(crate) fn policy(path: Option<&std::path::Path>) -> Result<Policy, String> {
    match path {
        Some(p) => Policy::load(p, false),
        None => Ok(Policy::defaults(false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_days_hours_and_instants() {
        let now = 10 * 86_400_000;
        assert_eq!(since_ms("3d", now), Ok(7 * 86_400_000));
        assert_eq!(since_ms("2h", now), Ok(now - 2 * 3_600_000));
        assert_eq!(since_ms("1970-01-02T00:00:00Z", now), Ok(86_400_000));
        assert!(since_ms("yesterday", now).is_err());
    }
}
