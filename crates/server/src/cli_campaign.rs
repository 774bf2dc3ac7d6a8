//! `qianbao admin campaign …`: a merchant's campaigns listed, one launched on its behalf (its
//! budget set aside from the merchant's takings by the merchant API's own launch), and a running
//! one ended early. The launch and the end are written to the audit log as done by `cli`, as the
//! console's are by the staff member.

use crate::routes::money::statement::yuan_text;
use crate::routes::rewards::campaign_request;
use crate::timestamp::rfc3339;
use clap::Subcommand;
use qianbao_api_types::rewards::{CampaignRequestBody, CouponRuleBody};
use qianbao_ledger::Amount;
use qianbao_store::Storage;
use qianbao_wallet::console::{Console, ConsoleError, ConsolePolicy};
use qianbao_wallet::money::{IdempotencyKey, Money, MoneyError, Render};
use qianbao_wallet::rewards::{CampaignRecord, CouponRule, Launched};
use std::sync::Arc;

/// What to do with campaigns.
#[derive(Debug, Subcommand)]
pub enum CampaignAction {
    /// Lists a merchant's campaigns, newest first (one line each, tab-separated: id, merchant,
    /// kind, rule, budget, reserved, spent, status, starts, ends).
    List {
        /// Only this merchant's (every merchant's when left out).
        #[arg(long)]
        merchant: Option<String>,
    },
    /// Launches a campaign for a merchant: the budget moves from its takings to its campaign
    /// funds at once. The rule is `--amount-off` with `--min-spend`, or `--percent-off` with
    /// `--max-off` (and `--min-spend`).
    Launch(Box<LaunchArgs>),
    /// Ends a running campaign now: unused coupons lapse and what its budget kept goes back to
    /// the merchant's takings.
    End {
        /// The campaign.
        id: String,
        /// Why (kept in the audit log; required).
        #[arg(long)]
        reason: String,
    },
}

/// `campaign launch`: the merchant API's fields as flags, amounts in yuan.
#[derive(Debug, clap::Args)]
pub struct LaunchArgs {
    /// The merchant that funds and runs it.
    #[arg(long)]
    pub merchant: String,
    /// `coupon`, `cashback` or `points`.
    #[arg(long, default_value = "coupon")]
    pub kind: String,
    /// The budget in yuan (`100.00`).
    #[arg(long)]
    pub budget: String,
    /// When claims open (RFC 3339).
    #[arg(long)]
    pub starts_at: String,
    /// When it ends (RFC 3339).
    #[arg(long)]
    pub ends_at: String,
    /// Yuan off a spend of at least `--min-spend`.
    #[arg(long, conflicts_with_all = ["percent_off", "max_off"])]
    pub amount_off: Option<String>,
    /// Percent off (1–99), never more than `--max-off`.
    #[arg(long, requires = "max_off")]
    pub percent_off: Option<i64>,
    /// The most a percent-off coupon takes off, in yuan.
    #[arg(long, requires = "percent_off")]
    pub max_off: Option<String>,
    /// The least a payment must be, in yuan (a points campaign's is one yuan).
    #[arg(long, default_value = "0")]
    pub min_spend: String,
    /// For a points campaign: points earned per whole yuan paid (1–100).
    #[arg(long, conflicts_with_all = ["amount_off", "percent_off", "max_off"])]
    pub points_per_yuan: Option<i64>,
    /// Points a coupon costs to claim (积分兑换; coupons only).
    #[arg(long)]
    pub points_price: Option<i64>,
    /// Coupons one holder may claim in all (1–100, default 1).
    #[arg(long)]
    pub per_holder: Option<i64>,
    /// Coupons one holder may claim in one China day (1–100).
    #[arg(long)]
    pub per_day: Option<i64>,
    /// Only holders who never paid the merchant.
    #[arg(long)]
    pub new_holders_only: bool,
    /// Why (kept in the audit log).
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// Yuan as typed (`100`, `5.5`, `30.00`) → fen, by string arithmetic; `flag` names the input.
fn fen(text: &str, flag: &str) -> Result<i64, String> {
    let bad = || format!("{flag} {text:?}: give yuan like 100.00");
    let (whole, part) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || whole.len() > 13 || part.len() > 2 || !(part.is_empty() || digits(part)) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let part: i64 = format!("{part:0<2}").parse().map_err(|_| bad())?;
    Ok(whole * 100 + part)
}

/// A money refusal as one line: its code, and what it means where the code alone is terse.
fn refused(e: &MoneyError) -> String {
    match e {
        MoneyError::InsufficientBalance => {
            "insufficient_balance: the merchant's takings cannot set the whole budget aside".into()
        }
        MoneyError::InvalidField(field) => format!("invalid_request: check {field}"),
        MoneyError::AmountInvalid => "amount_invalid: the budget is out of range".into(),
        other => other.to_string(),
    }
}

/// A console refusal as one line.
fn console_refused(e: ConsoleError) -> String {
    match e {
        ConsoleError::Money(m) => refused(&m),
        ConsoleError::NotFound => "not_found: no such merchant or campaign".into(),
        other => other.to_string(),
    }
}

/// A rule as one short text: `5.00 off from 30.00`, `15% off up to 20.00 from 1.00`.
fn rule_text(rule: &CouponRule) -> String {
    match *rule {
        CouponRule::AmountOff {
            amount_off,
            min_spend,
        } => format!(
            "{} off from {}",
            yuan_text(amount_off),
            yuan_text(min_spend)
        ),
        CouponRule::PercentOff {
            percent_off,
            max_off,
            min_spend,
        } => format!(
            "{percent_off}% off up to {} from {}",
            yuan_text(max_off),
            yuan_text(min_spend)
        ),
        CouponRule::PointsPerYuan { points_per_yuan } => {
            format!("{points_per_yuan} points a yuan")
        }
    }
}

/// One campaign as one tab-separated line.
fn line(c: &CampaignRecord) -> String {
    [
        c.id.clone(),
        c.merchant_id.clone(),
        c.kind.as_str().to_string(),
        rule_text(&c.rule),
        yuan_text(c.budget),
        yuan_text(c.reserved),
        yuan_text(c.spent),
        c.status.as_str().to_string(),
        rfc3339(c.starts_ms),
        rfc3339(c.ends_ms),
    ]
    .join("\t")
}

/// The body the merchant API would get for these flags: the launch then reads it as that API
/// does, so the command line refuses what a merchant's own launch refuses.
fn body_of(a: &LaunchArgs) -> Result<CampaignRequestBody, String> {
    if a.amount_off.is_none() && a.percent_off.is_none() && a.points_per_yuan.is_none() {
        return Err("give --amount-off, --percent-off with --max-off, or --points-per-yuan".into());
    }
    Ok(CampaignRequestBody {
        kind: a.kind.clone(),
        budget: fen(&a.budget, "--budget")?,
        starts_at: a.starts_at.clone(),
        ends_at: a.ends_at.clone(),
        rule: CouponRuleBody {
            amount_off: a
                .amount_off
                .as_deref()
                .map(|x| fen(x, "--amount-off"))
                .transpose()?,
            percent_off: a.percent_off,
            max_off: a
                .max_off
                .as_deref()
                .map(|m| fen(m, "--max-off"))
                .transpose()?,
            points_per_yuan: a.points_per_yuan,
            min_spend: fen(&a.min_spend, "--min-spend")?,
        },
        per_holder: a.per_holder,
        per_day: a.per_day,
        new_holders_only: a.new_holders_only,
        points_price: a.points_price,
    })
}

fn launched_json(done: Launched) -> String {
    serde_json::json!({ "campaign_id": done.campaign_id }).to_string()
}

/// Runs one campaign task over `storage` with the operator's `money` and keys.
pub async fn admin(
    storage: &Storage,
    money: &Money,
    action: CampaignAction,
) -> Result<String, String> {
    let console = Console {
        // The money calls' own keys and clock: one copy of the master key.
        ctx: money.ctx.clone(),
        policy: ConsolePolicy::default(),
        // Campaign tasks change no policy.
        policy_rules: Arc::new(qianbao_wallet::console::policy::NoPolicyRules),
    };
    match action {
        CampaignAction::List { merchant } => {
            let campaigns = console
                .merchant_campaigns(storage, None, merchant.as_deref())
                .await
                .map_err(console_refused)?;
            let mut out = format!(
                "{} campaign{}{}",
                campaigns.len(),
                if campaigns.len() == 1 { "" } else { "s" },
                merchant.map_or(String::new(), |m| format!(" of {m}"))
            );
            for (c, _) in &campaigns {
                out.push('\n');
                out.push_str(&line(c));
            }
            Ok(out)
        }
        CampaignAction::Launch(args) => {
            let LaunchArgs {
                ref merchant,
                ref reason,
                ..
            } = *args;
            let body = body_of(&args)?;
            let request =
                campaign_request(&body, money.policy.amount_max_minor).map_err(|e| refused(&e))?;
            let (merchant, reason) = console
                .launch_campaign_for(storage, None, merchant, reason)
                .await
                .map_err(console_refused)?;
            // A command is never retried as the same request: each run is its own launch.
            let key = IdempotencyKey {
                caller: "cli".into(),
                key: money.ctx.ids.movement_id(),
                digest: String::new(),
            };
            let render = Render {
                status: 201,
                body: launched_json,
                held: |_| false,
            };
            let budget = request.budget.amount();
            let launched = console
                .launch_campaign_now(
                    storage, money, None, &merchant, request, &reason, &key, render,
                )
                .await
                .map_err(|e| refused(&e))?;
            Ok(format!(
                "launched campaign {} for {}: budget {} set aside from its takings",
                launched.campaign_id,
                merchant.id,
                yuan_text(budget)
            ))
        }
        CampaignAction::End { id, reason } => {
            let ended = console
                .end_campaign_early(storage, money, None, &id, &reason)
                .await
                .map_err(console_refused)?;
            Ok(format!(
                "ended campaign {}: {} went back to {}'s takings",
                ended.campaign.id,
                yuan_text(ended.returned.max(Amount::ZERO)),
                ended.campaign.merchant_id
            ))
        }
    }
}
