//! `qianbao admin recon …`: reconciliation from the command line — the bank's statement of a
//! day, importing one, the cases its breaks opened, accepting one, and the funding invariant
//! with its daily alerts.
//!
//! Exit codes: 0 done (an import with no break); 1 an import that found a break, or a funding
//! check that found one; 2 refused (a bad statement line, with its number, on stderr) or failed.

use crate::cli::StorageArgs;
use clap::{Args, Subcommand};
use qianbao_store::Storage;
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::money::records::{CaseRecord, CaseStatus, FundingAlertRecord};
use qianbao_wallet::recon::statement::{STATEMENT_BYTES_MAX, day_text, parse_day};
use qianbao_wallet::recon::{ReconError, cases, daily, import};
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// What to do with reconciliation.
#[derive(Debug, Subcommand)]
pub enum ReconAction {
    /// Prints the bank's statement of a day (CSV, docs/reconciliation.md): the production bank's
    /// with --bank-url, else the sandbox bank's from the books the sandbox server kept.
    Statement {
        /// The day in China, YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// The bank.
        #[command(flatten)]
        bank: BankArgs,
    },
    /// Matches a statement file against the movements the bank confirmed, keeps a case per
    /// break, and prints one JSON summary line; exit 1 when there is a break. The same file
    /// imported again answers its first summary and counts nothing twice.
    Import {
        /// The statement file (`-` for standard input).
        file: PathBuf,
        /// A day the statement covers besides its lines' own (needed when it has no line).
        #[arg(long)]
        day: Option<String>,
    },
    /// Lists reconciliation cases, oldest first.
    Cases {
        /// open, accepted, adjusted or all.
        #[arg(long, default_value = "open")]
        status: String,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Accepts an open case with a note: the difference is understood and needs no entry.
    Accept {
        /// The case's id.
        case: String,
        /// Why it is accepted.
        #[arg(long)]
        note: String,
    },
    /// Checks the funding invariant now and prints each currency's position; records today's
    /// check (and an alert per broken currency) if the daily worker has not yet. Exit 1 when
    /// broken.
    Check,
    /// Lists the daily check's alerts, newest first.
    Alerts {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
}

/// The production bank to ask for a statement.
#[derive(Debug, Args)]
pub struct BankArgs {
    /// The bank connector's base URL; without it, the sandbox bank.
    #[arg(long, env = "QIANBAO_BANK_URL")]
    pub bank_url: Option<String>,
    /// The bank connector's API key.
    #[arg(
        long,
        env = "QIANBAO_BANK_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub bank_api_key: String,
}

/// What a task printed, and the code it exits with.
struct Done {
    out: String,
    code: ExitCode,
}

impl Done {
    /// `out` and a newline, exit 0.
    fn line(out: String) -> Done {
        Done {
            out: out + "\n",
            code: ExitCode::SUCCESS,
        }
    }
}

/// Runs `admin recon ACTION`, printing its output (or its refusal on stderr) and answering the
/// exit code.
pub(crate) async fn run(
    storage: &StorageArgs,
    action: ReconAction,
    policy: Option<&Path>,
) -> ExitCode {
    match act(storage, action, policy).await {
        Ok(done) => {
            print!("{}", done.out);
            done.code
        }
        Err(message) => {
            eprintln!("qianbao admin recon: {message}");
            ExitCode::from(2)
        }
    }
}

async fn act(
    args: &StorageArgs,
    action: ReconAction,
    policy: Option<&Path>,
) -> Result<Done, String> {
    let policy = crate::cli_risk::policy(policy)?;
    let (storage, keys, now) = crate::cli::operator_storage(args).await?;
    match action {
        ReconAction::Statement { day, bank } => {
            let day = day_arg(&day)?;
            if bank.bank_url.is_none() {
                eprintln!("qianbao admin recon: no --bank-url: the sandbox bank's statement");
            }
            let configured = bank
                .bank_url
                .map(|base_url| qianbao_connectors::HttpBankConfig {
                    base_url,
                    api_key: bank.bank_api_key.into(),
                    timeout: Duration::from_secs(30),
                    retries: 2,
                    backoff: Duration::from_millis(200),
                });
            let bank = crate::connectors::statement_bank(&keys, Arc::new(storage), configured)
                .map_err(|e| e.to_string())?;
            let statement = bank.statement(day).await.map_err(|e| e.to_string())?;
            Ok(Done {
                out: statement.to_csv(),
                code: ExitCode::SUCCESS,
            })
        }
        ReconAction::Import { file, day } => {
            let day = day.as_deref().map(day_arg).transpose()?;
            let bytes = read_statement(&file)?;
            let imported =
                import::import_statement(&storage, &ids(), &bytes, day, &policy.recon, now)
                    .await
                    .map_err(|e| match e {
                        ReconError::Statement(e) => {
                            format!("{}: refused, nothing imported: {e}", file.display())
                        }
                        other => other.to_string(),
                    })?;
            let i = &imported.import;
            let c = &i.counts;
            let summary = json!({
                "matched": c.matched,
                "missing_here": c.missing_here,
                "missing_at_bank": c.missing_at_bank,
                "amount_differs": c.amount_differs,
                "date_outside_tolerance": c.date_outside_tolerance,
                "matched_movements": c.matched_movements,
                "lines": i.lines,
                "import_id": i.id,
                "replayed": imported.replayed,
            });
            Ok(Done {
                out: format!("{summary}\n"),
                code: if c.breaks() == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                },
            })
        }
        ReconAction::Cases { status, json } => {
            let status = match status.as_str() {
                "all" => None,
                name => Some(CaseStatus::parse(name).ok_or_else(|| {
                    format!("--status {name:?}: give open, accepted, adjusted or all")
                })?),
            };
            let list = cases::cases(&storage, status, cases::CASES_LISTED_MAX)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Done::line(if json {
                list.iter()
                    .map(|c| case_json(c).to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                cases_text(&list)
            }))
        }
        ReconAction::Accept { case, note } => {
            let accepted = cases::accept(&storage, &case, &note, now)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Done::line(format!(
                "accepted {} ({} {}): {}",
                accepted.id,
                accepted.kind,
                accepted.bank_reference,
                accepted.note.unwrap_or_default()
            )))
        }
        ReconAction::Check => check(&storage, now).await,
        ReconAction::Alerts { json } => {
            let list = daily::alerts(&storage, daily::ALERTS_LISTED_MAX)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Done::line(if json {
                list.iter()
                    .map(|a| alert_json(a).to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                alerts_text(&list)
            }))
        }
    }
}

/// Ids for an operator's command: the system clock's time and the OS's randomness.
fn ids() -> qianbao_wallet::ids::Ids {
    qianbao_wallet::ids::Ids::new(
        Arc::new(qianbao_wallet::SystemClock),
        Arc::new(qianbao_wallet::OsRandomness),
    )
}

/// The funding check, now: every position, and today's check recorded if it was not yet.
async fn check(storage: &Storage, now: i64) -> Result<Done, String> {
    let positions = daily::positions(storage).await.map_err(|e| e.to_string())?;
    let recorded = daily::check_once(storage, &ids(), now)
        .await
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    for p in &positions {
        out.push_str(&format!(
            "{}{p}\n",
            if p.holds() { "holds   " } else { "BROKEN  " }
        ));
    }
    if positions.is_empty() {
        out.push_str("no accounts yet: nothing to check\n");
    }
    if let Some(made) = recorded {
        out.push_str(&format!(
            "recorded the check of {} with {} alert(s)\n",
            day_text(made.day),
            made.alerts.len()
        ));
    }
    Ok(Done {
        out,
        code: if positions.iter().all(|p| p.holds()) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    })
}

/// `--day` as a day in China.
fn day_arg(text: &str) -> Result<ChinaDay, String> {
    parse_day(text).ok_or_else(|| format!("--day {text:?}: give a day as YYYY-MM-DD"))
}

/// The statement file's bytes, refusing one too large before reading it.
fn read_statement(file: &Path) -> Result<Vec<u8>, String> {
    let cap = u64::try_from(STATEMENT_BYTES_MAX).unwrap_or(u64::MAX);
    let too_large = || {
        format!(
            "{}: refused, nothing imported: the file is larger than {STATEMENT_BYTES_MAX} bytes",
            file.display()
        )
    };
    let mut bytes = Vec::new();
    // One byte past the cap is read, so a larger file is told from one exactly at it.
    let read = if file.as_os_str() == "-" {
        std::io::stdin().take(cap + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if bytes.len() > STATEMENT_BYTES_MAX {
        return Err(too_large());
    }
    Ok(bytes)
}

fn case_json(c: &CaseRecord) -> serde_json::Value {
    json!({
        "id": c.id,
        "import_id": c.import_id,
        "kind": c.kind.as_str(),
        "status": c.status.as_str(),
        "bank_ref": c.bank_reference.as_str(),
        "our_refs": c.our_references,
        "bank_amount": c.bank_amount.map(|a| a.minor()),
        "our_amount": c.our_amount.map(|a| a.minor()),
        "currency": c.currency.as_str(),
        "day": day_text(c.day),
        "detail": c.detail,
        "note": c.note,
        "adjustment_id": c.adjustment_id,
        "created_at": crate::timestamp::rfc3339(c.created_ms),
        "resolved_at": c.resolved_ms.map(crate::timestamp::rfc3339),
    })
}

fn cases_text(list: &[CaseRecord]) -> String {
    let mut out = format!("{} case(s)", list.len());
    for c in list {
        out.push_str(&format!(
            "\n{}\t{}\t{}\t{}\t{}\t{}",
            c.id,
            c.status,
            c.kind,
            day_text(c.day),
            c.bank_reference,
            c.detail
        ));
    }
    out
}

fn alert_json(a: &FundingAlertRecord) -> serde_json::Value {
    json!({
        "id": a.id,
        "day": day_text(a.day),
        "currency": a.currency.as_str(),
        "difference": a.difference.minor(),
        "detail": a.detail,
        "created_at": crate::timestamp::rfc3339(a.created_ms),
    })
}

fn alerts_text(list: &[FundingAlertRecord]) -> String {
    let mut out = format!("{} alert(s)", list.len());
    for a in list {
        out.push_str(&format!(
            "\n{}\t{}\t{}\t{}",
            day_text(a.day),
            a.currency,
            a.difference,
            a.detail
        ));
    }
    out
}
