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

// Rates and percentiles of latencies are statistics for people, not money: floats are fine here.
#![allow(clippy::float_arithmetic)]

use qianbao_wallet::domain::{card_number, id_number};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
}

/// The payment password every bench holder sets.
const PIN: &str = "258147";
/// Top-up per holder: ¥10,000.
const TOPUP_MINOR: i64 = 1_000_000;
/// Holders opened at once.
const OPENING_PARALLEL: usize = 16;

/// A small, fast PRNG (SplitMix64): the bench needs spread, not secrecy.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        Rng(uuid::Uuid::new_v4().as_u128() as u64)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A resident ID number (GB 11643 check character) for holder `i`: unique birth date and
/// sequence per holder, adult.
fn id_number(i: usize) -> String {
    let day = i / 800;
    let (year, month, dom) = (1960 + day / 336, 1 + (day / 28) % 12, 1 + day % 28);
    id_number::with_check_char(&format!(
        "110101{year:04}{month:02}{dom:02}{:03}",
        100 + i % 800
    ))
}

/// A Luhn-valid ICBC debit card number (sandbox BIN 622202), random behind the BIN, with digits
/// 7–10 never one of the sandbox's failure codes.
fn card_number(rng: &mut Rng) -> String {
    let mut body = String::from("6222029");
    while body.len() < 18 {
        body.push(char::from(b'1' + u8::try_from(rng.below(9)).unwrap_or(0)));
    }
    card_number::with_luhn_digit(&body)
}

/// One holder the bench opened.
#[derive(Clone, Debug)]
struct BenchHolder {
    token: String,
    wallet_id: String,
}

/// The client's view of one call.
async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    key: Option<String>,
    body: Option<Value>,
) -> Result<(u16, Value), String> {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

fn expect(step: &str, got: (u16, Value), status: u16) -> Result<Value, String> {
    if got.0 == status {
        Ok(got.1)
    } else {
        Err(format!("{step}: {} {}", got.0, got.1))
    }
}

/// The newest code the sandbox texted to `phone`.
async fn sandbox_code(client: &reqwest::Client, base: &str, phone: &str) -> Result<String, String> {
    let (_, body) = send(
        client,
        reqwest::Method::GET,
        format!("{base}/v1/sandbox/sms?phone={}", phone.replace('+', "%2B")),
        None,
        None,
        None,
    )
    .await?;
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find_map(|i| i["code"].as_str()))
        .map(str::to_string)
        .ok_or_else(|| {
            format!("no sandbox code for {phone} (is the server running with --sandbox?)")
        })
}

/// Opens holder `i` to L2 with a PIN and tops them up.
async fn open_holder(
    client: &reqwest::Client,
    base: &str,
    i: usize,
) -> Result<BenchHolder, String> {
    let mut rng = Rng::seeded();
    let phone = format!("+86139{:08}", rng.below(100_000_000));
    let post = reqwest::Method::POST;
    expect(
        "otp",
        send(
            client,
            post.clone(),
            format!("{base}/v1/otp"),
            None,
            None,
            Some(json!({"phone": phone, "purpose": "signup"})),
        )
        .await?,
        202,
    )?;
    let code = sandbox_code(client, base, &phone).await?;
    let signed = expect(
        "signup",
        send(
            client,
            post.clone(),
            format!("{base}/v1/signup"),
            None,
            None,
            Some(json!({"phone": phone, "otp": code, "password": "Bench-Horse-Battery-9", "device_name": "bench"})),
        )
        .await?,
        201,
    )?;
    let token = signed["token"].as_str().unwrap_or_default().to_string();
    let wallet_id = signed["wallet_id"].as_str().unwrap_or_default().to_string();
    let id = id_number(i);
    expect(
        "identity",
        send(
            client,
            post.clone(),
            format!("{base}/v1/me/identity"),
            Some(&token),
            None,
            Some(json!({"name": "张三", "id_number": id})),
        )
        .await?,
        200,
    )?;
    let card = expect(
        "card",
        send(
            client,
            post.clone(),
            format!("{base}/v1/me/cards"),
            Some(&token),
            None,
            Some(json!({"card_number": card_number(&mut rng), "holder_name": "张三", "id_number": id, "reserved_phone": phone})),
        )
        .await?,
        202,
    )?;
    let card_id = card["card_id"].as_str().unwrap_or_default().to_string();
    let code = sandbox_code(client, base, &phone).await?;
    expect(
        "card confirm",
        send(
            client,
            post.clone(),
            format!("{base}/v1/me/cards/{card_id}/confirm"),
            Some(&token),
            None,
            Some(json!({"otp": code})),
        )
        .await?,
        200,
    )?;
    expect(
        "pin",
        send(
            client,
            reqwest::Method::PUT,
            format!("{base}/v1/me/pin"),
            Some(&token),
            None,
            Some(json!({"pin": PIN})),
        )
        .await?,
        204,
    )
    .or_else(|e| {
        if e.starts_with("pin: 204") {
            Ok(Value::Null)
        } else {
            Err(e)
        }
    })?;
    expect(
        "top-up",
        send(
            client,
            post,
            format!("{base}/v1/me/topups"),
            Some(&token),
            Some(uuid::Uuid::new_v4().to_string()),
            Some(json!({"card_id": card_id, "amount": TOPUP_MINOR, "pin": PIN})),
        )
        .await?,
        201,
    )?;
    Ok(BenchHolder { token, wallet_id })
}

/// Latencies in microseconds, merged from every worker.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
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
        .pool_max_idle_per_host(plan.concurrency.max(OPENING_PARALLEL))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    // Opening: OPENING_PARALLEL at a time, with a progress line.
    let opened = Arc::new(AtomicU64::new(0));
    let mut holders = Vec::with_capacity(plan.holders);
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..OPENING_PARALLEL.min(plan.holders) {
        let (client, base, next, opened) =
            (client.clone(), base.clone(), next.clone(), opened.clone());
        let total = plan.holders as u64;
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= total {
                    return Ok::<_, String>(mine);
                }
                mine.push(open_holder(&client, &base, usize::try_from(i).unwrap_or(0)).await?);
                let done = opened.fetch_add(1, Ordering::SeqCst) + 1;
                eprint!("\ropening holders {done}/{total}");
            }
        }));
    }
    for task in tasks {
        holders.extend(task.await.map_err(|e| e.to_string())??);
    }
    eprintln!(" — {:.1} s", started.elapsed().as_secs_f64());
    // The merchant: opened by holder 0, who therefore never pays it.
    let merchant = expect(
        "merchant",
        send(
            &client,
            reqwest::Method::POST,
            format!("{base}/v1/merchants"),
            Some(&holders[0].token),
            None,
            Some(json!({"name": "压测商户", "category": "bench"})),
        )
        .await?,
        201,
    )?;
    let static_qr = merchant["static_qr_payload"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let holders = Arc::new(holders);
    let ops = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let error_codes: Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>> =
        Arc::default();
    let deadline = Instant::now() + plan.duration;
    let mut workers = Vec::new();
    for _ in 0..plan.concurrency {
        let (client, base, holders, ops, errors) = (
            client.clone(),
            base.clone(),
            holders.clone(),
            ops.clone(),
            errors.clone(),
        );
        let (mix, static_qr) = (plan.mix.clone(), static_qr.clone());
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
    let total = ops.load(Ordering::Relaxed);
    Ok(json!({
        "mix": plan.mix,
        "ops": total,
        "ops_per_s": (total as f64 / took).round(),
        "p50_ms": percentile(&latencies, 0.50),
        "p99_ms": percentile(&latencies, 0.99),
        "p999_ms": percentile(&latencies, 0.999),
        "errors": errors.load(Ordering::Relaxed),
        "error_codes": error_codes.lock().map(|c| json!(*c)).unwrap_or(Value::Null),
        "concurrency": plan.concurrency,
        "holders": plan.holders,
        "seconds": (took * 10.0).round() / 10.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_id_numbers_are_distinct_and_carry_a_valid_check_character() {
        let ids: std::collections::HashSet<String> = (0..5_000).map(id_number).collect();
        assert_eq!(ids.len(), 5_000);
        for id in ids.iter().take(200) {
            assert!(qianbao_wallet::domain::IdNumber::parse(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn bench_cards_pass_luhn_and_avoid_the_failure_digits() {
        let mut rng = Rng(7);
        for _ in 0..200 {
            let card = card_number(&mut rng);
            assert!(
                qianbao_wallet::domain::CardNumber::parse(&card).is_ok(),
                "{card}"
            );
            assert!(!card[6..10].starts_with('0'), "{card}");
        }
    }
}
