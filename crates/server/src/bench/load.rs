//! The load: `concurrency` workers sending money calls for `duration` — transfers between random
//! holders, payments to the one merchant, or half each — each call authenticated, with the PIN
//! and its own `Idempotency-Key`, and a progress line on stderr every second.

use super::http::send;
use super::opening::{BenchHolder, PIN};
use super::rng::Rng;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the workers saw.
pub(super) struct Load {
    /// Calls answered, or failed to connect.
    pub(super) ops: u64,
    /// Calls not answered 201.
    pub(super) errors: u64,
    /// Those calls by status and problem code (`422 limit_exceeded`), or `connection`; `None` if
    /// a worker panicked while counting.
    pub(super) error_codes: Option<BTreeMap<String, u64>>,
    /// Every call's latency in microseconds, sorted.
    pub(super) latencies: Vec<u32>,
    /// Seconds from the workers' start to the last one's end.
    pub(super) took_s: f64,
}

/// Sends money calls of `mix` (`p2p`, `merchant` or `mixed`) between `holders`, or to the
/// merchant's `static_qr`, from `concurrency` workers until `duration` has passed.
pub(super) async fn run(
    client: &reqwest::Client,
    base: &str,
    holders: Vec<BenchHolder>,
    static_qr: &str,
    mix: &str,
    concurrency: usize,
    duration: Duration,
) -> Result<Load, String> {
    let holders = Arc::new(holders);
    let ops = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let error_codes: Arc<std::sync::Mutex<BTreeMap<String, u64>>> = Arc::default();
    let deadline = Instant::now() + duration;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, base, holders, ops, errors) = (
            client.clone(),
            base.to_string(),
            holders.clone(),
            ops.clone(),
            errors.clone(),
        );
        let (mix, static_qr) = (mix.to_string(), static_qr.to_string());
        let codes_seen = error_codes.clone();
        workers.push(tokio::spawn(async move {
            let mut rng = Rng::seeded();
            let mut latencies: Vec<u32> = Vec::with_capacity(1 << 14);
            let n = holders.len() as u64;
            while Instant::now() < deadline {
                let to_merchant = match mix.as_str() {
                    "merchant" => true,
                    "p2p" => false,
                    _ => rng.below(2) == 0,
                };
                let amount = 1 + rng.below(100);
                let (payer, body, path) = if to_merchant {
                    let payer = 1 + rng.below(n - 1);
                    (
                        payer,
                        json!({"payload": static_qr, "amount": amount, "pin": PIN}),
                        "/v1/pay",
                    )
                } else {
                    let payer = rng.below(n);
                    let payee = (payer + 1 + rng.below(n - 1)) % n;
                    let to = &holders[usize::try_from(payee).unwrap_or(0)].wallet_id;
                    (
                        payer,
                        json!({"to_wallet_id": to, "amount": amount, "pin": PIN}),
                        "/v1/transfers",
                    )
                };
                let token = &holders[usize::try_from(payer).unwrap_or(0)].token;
                let sent = Instant::now();
                let result = send(
                    &client,
                    reqwest::Method::POST,
                    format!("{base}{path}"),
                    Some(token),
                    Some(uuid::Uuid::new_v4().to_string()),
                    Some(body),
                )
                .await;
                latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                ops.fetch_add(1, Ordering::Relaxed);
                let code = match &result {
                    Ok((201, _)) => None,
                    Ok((status, body)) => {
                        Some(format!("{status} {}", body["code"].as_str().unwrap_or("?")))
                    }
                    Err(_) => Some("connection".to_string()),
                };
                if let Some(code) = code {
                    errors.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut codes) = codes_seen.lock() {
                        *codes.entry(code).or_default() += 1;
                    }
                }
            }
            latencies
        }));
    }
    let load_started = Instant::now();
    let progress = {
        let ops = ops.clone();
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = ops.load(Ordering::Relaxed);
                eprintln!(
                    "{:>5.1} s  {now:>9} ops  {:>7} ops/s",
                    load_started.elapsed().as_secs_f64(),
                    now - last
                );
                last = now;
            }
        })
    };
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())?);
    }
    progress.abort();
    let took = load_started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Ok(Load {
        ops: ops.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        error_codes: error_codes.lock().map(|c| c.clone()).ok(),
        latencies,
        took_s: took,
    })
}
