//! `qianbao bench`: a load generator that drives a sandbox server over HTTP the way real clients
//! do. It opens its holders through the sandbox (SMS codes read back from the sandbox's outbox,
//! real-name verification, a bound card, a payment password, a top-up), then sends authenticated
//! money calls — each with the PIN and its own `Idempotency-Key` — from `concurrency` workers for
//! `duration`, and prints live progress and, last, one JSON line of results.
//!
//! Mixes: `p2p` (transfers between random holders), `merchant` (every payment to one merchant's
//! static code: the hot-account case), `mixed` (half each). Amounts are 1–100 fen, so the default
//! limits bind only after many thousands of payments per holder; for long runs start the server
//! with a policy file that raises them (`docs/performance.md`).
//!
//! Built only with the `bench` feature (on by default), so a server built without it carries no
//! HTTP client of its own.

mod http;
mod load;
mod opening;
mod report;
mod rng;
mod saved;

use clap::Args;
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// What to run.
#[derive(Clone, Debug)]
pub struct BenchPlan {
    /// The server's base URL.
    pub url: String,
    /// How long to send money calls.
    pub duration: Duration,
    /// Workers sending at once.
    pub concurrency: usize,
    /// Holders to open.
    pub holders: usize,
    /// `p2p`, `merchant` or `mixed`.
    pub mix: String,
    /// Where the opened holders are kept for the next run.
    pub holders_file: PathBuf,
    /// Use the holders a previous run kept in `holders_file` (opening more when it has too few).
    pub reuse: bool,
}

/// The flags of `qianbao bench`, as README.md documents them.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The server, started with --sandbox.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// How long to send money calls: 30s, 2m.
    #[arg(long, default_value = "30s")]
    pub duration: String,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Holders to open (through the sandbox) before the run.
    #[arg(long, default_value_t = 1000)]
    pub holders: usize,
    /// p2p (transfers), merchant (every payment to one merchant) or mixed.
    #[arg(long, default_value = "p2p")]
    pub mix: String,
    /// Where the holders this run opens are kept (session tokens: readable by its owner only).
    #[arg(long, default_value = "qianbao-bench-holders.json")]
    pub holders_file: PathBuf,
    /// Use the holders a previous run against the same server kept in --holders-file, signing
    /// them in again where their sessions ended; the recommended way to measure again.
    #[arg(long)]
    pub reuse: bool,
}

/// Runs `qianbao bench` and returns the process exit code: 0 with the JSON line printed, 2 for an
/// unusable flag, 1 when the run failed.
pub async fn command(args: BenchArgs) -> ExitCode {
    let duration = match seconds(&args.duration) {
        Some(s) if s > 0 => Duration::from_secs(s),
        _ => {
            eprintln!("qianbao bench: --duration is like 30s or 2m");
            return ExitCode::from(2);
        }
    };
    let plan = BenchPlan {
        url: args.url,
        duration,
        concurrency: args.concurrency.max(1),
        holders: args.holders,
        mix: args.mix,
        holders_file: args.holders_file,
        reuse: args.reuse,
    };
    match run(plan).await {
        Ok(result) => {
            println!("{result}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qianbao bench: {e}");
            ExitCode::from(1)
        }
    }
}

/// The run's holders and the hot merchant's static code: the saved ones when reusing (signed in
/// again where needed, topped up with new ones to `plan.holders`), else new ones; kept in
/// `plan.holders_file` for the next run either way.
async fn holders(
    client: &reqwest::Client,
    base: &str,
    plan: &BenchPlan,
) -> Result<(Vec<opening::BenchHolder>, String), String> {
    let (mut holders, static_qr) = if plan.reuse {
        let saved = saved::load(&plan.holders_file, base)?;
        let mut holders = Vec::with_capacity(plan.holders);
        for holder in saved.holders.into_iter().take(plan.holders) {
            holders.push(saved::signed_in(client, base, holder).await?);
        }
        eprintln!(
            "reusing {} holders from {}",
            holders.len(),
            plan.holders_file.display()
        );
        (holders, Some(saved.static_qr))
    } else {
        (Vec::new(), None)
    };
    if holders.len() < plan.holders {
        holders.extend(opening::open_all(client, base, plan.holders - holders.len()).await?);
    }
    let static_qr = match static_qr {
        Some(code) => code,
        None => opening::open_merchant(client, base, &holders[0]).await?,
    };
    saved::store(
        &plan.holders_file,
        &saved::Saved {
            url: base.to_string(),
            static_qr: static_qr.clone(),
            holders: holders.clone(),
        },
    )?;
    Ok((holders, static_qr))
}

/// `90s`, `2m`, `1h` or a bare number of seconds.
fn seconds(text: &str) -> Option<u64> {
    let (number, unit) = match text.chars().last()? {
        's' => (&text[..text.len() - 1], 1),
        'm' => (&text[..text.len() - 1], 60),
        'h' => (&text[..text.len() - 1], 3600),
        _ => (text, 1),
    };
    number.parse::<u64>().ok()?.checked_mul(unit)
}

/// Runs the plan; the JSON line of results, or why it could not run.
pub async fn run(plan: BenchPlan) -> Result<Value, String> {
    if !matches!(plan.mix.as_str(), "p2p" | "merchant" | "mixed") {
        return Err("--mix is p2p, merchant or mixed".into());
    }
    if plan.holders < 2 {
        return Err("--holders must be at least 2".into());
    }
    let base = plan.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.concurrency.max(opening::OPENING_PARALLEL))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let (holders, static_qr) = holders(&client, &base, &plan).await?;
    let load = load::run(
        &client,
        &base,
        holders,
        &static_qr,
        &plan.mix,
        plan.concurrency,
        plan.duration,
    )
    .await?;
    Ok(report::line(
        &plan.mix,
        plan.concurrency,
        plan.holders,
        &load,
    ))
}
