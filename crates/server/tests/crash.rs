//! The money issue's crash test, black-box through the real `qianbao` binary on SQLite and on
//! PostgreSQL: holders opened over HTTP send each other transfers and pay a merchant's orders from
//! many tasks at once while the server is killed with SIGKILL three times and restarted on the
//! same storage. Every call keeps its Idempotency-Key and body and is retried until it is answered.
//! Afterwards every acknowledged call exists exactly once and nothing unacknowledged left a trace,
//! every call replays its first answer, every balance is what the acknowledged calls make it,
//! money is conserved, and `qianbao verify` is clean after each crash and at the end — which
//! includes rebuilding the journal's Merkle log from the journal and checking every published
//! liability snapshot (the server takes the day's snapshot during the load), so the log stays
//! consistent with the journal across SIGKILL.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_qianbao");
const PASSWORD: &str = "Corr3ct-Horse-Battery";
const PIN: &str = "258147";
/// Holders that send money (the merchant's owner is one more, who only receives through it).
const HOLDERS: usize = 6;
/// What each holder tops up, in fen (¥10,000): far more than the load can spend.
const TOPUP: i64 = 1_000_000;
/// Concurrent tasks sending money calls.
const TASKS: usize = 16;
/// Money calls per task.
const CALLS_PER_TASK: usize = 30;
/// SIGKILLs during the load.
const KILLS: usize = 3;
/// The longest one call may go unanswered, restarts included, before the test calls it a hang.
const CALL_DEADLINE: Duration = Duration::from_secs(60);
/// The longest one backend's whole run may take before the test calls it a hang.
const RUN_DEADLINE: Duration = Duration::from_secs(240);

/// The two backends' runs take turns: each gets the machine's cores, so its timing stays bounded.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ---- small tools -------------------------------------------------------------------------------

/// A xorshift generator seeded from a random UUID (no `rand` dependency).
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        Rng(u64::try_from(uuid::Uuid::new_v4().as_u128() >> 64).unwrap() | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x % n
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A resident ID number (GB 11643) born 1990-03-07 with sequence `seq`, check digit included.
fn id_number(seq: usize) -> String {
    qianbao_wallet::domain::id_number::with_check_char(&format!("11010119900307{seq:03}"))
}

/// A Luhn-valid 19-digit ICBC debit card (622202…) whose behaviour digits (7–10) are never a
/// sandbox failure: every filled digit is 1–9.
fn card_number() -> String {
    let mut body = String::from("622202");
    let mut fill = uuid::Uuid::new_v4().as_u128();
    while body.len() < 18 {
        body.push(char::from(b'1' + u8::try_from(fill % 9).unwrap()));
        fill /= 9;
    }
    qianbao_wallet::domain::card_number::with_luhn_digit(&body)
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

/// The CNY balance (available + held) in a `{balances: [...]}` body, and its parts.
fn cny(body: &str) -> (i64, i64) {
    let v = parse(body);
    v["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .map_or((0, 0), |b| {
            (
                b["available"].as_i64().unwrap(),
                b["held"].as_i64().unwrap(),
            )
        })
}

// ---- the server process ------------------------------------------------------------------------

/// A PostgreSQL database made for one run, dropped with this.
struct TestDatabase {
    url: String,
    name: String,
    base: String,
}

impl TestDatabase {
    /// A fresh database; `None` (after a note) when PostgreSQL is unreachable and not required.
    async fn create() -> Option<TestDatabase> {
        let base = std::env::var("QIANBAO_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = match tokio_postgres::connect(&base, tokio_postgres::NoTls).await {
            Ok((client, conn)) => {
                tokio::spawn(conn);
                client
            }
            Err(e) => {
                assert!(
                    std::env::var_os("QIANBAO_REQUIRE_POSTGRES").is_none(),
                    "PostgreSQL is required but unreachable at {base}: {e}"
                );
                eprintln!("skipped: no PostgreSQL at {base}");
                return None;
            }
        };
        let name = format!("qb_crash_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        Some(TestDatabase { url, name, base })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([&self.base, "-q", "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

/// `qianbao serve --sandbox` on one storage, started again after each kill on a new port.
struct Server {
    dir: PathBuf,
    database: Option<String>,
    child: Option<Child>,
    starts: usize,
    /// Where the running server listens; the load reads it before every attempt.
    base: Arc<RwLock<String>>,
}

impl Server {
    fn new(database: Option<String>) -> Server {
        let dir =
            std::env::temp_dir().join(format!("qianbao-crash-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Server {
            dir,
            database,
            child: None,
            starts: 0,
            base: Arc::new(RwLock::new(String::new())),
        }
    }

    /// `--data-dir` (the SQLite file, and the master key with `--database` too) and the URL.
    fn storage_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_string(), self.dir.display().to_string()];
        if let Some(url) = &self.database {
            args.extend(["--database".to_string(), url.clone()]);
        }
        args
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join(format!("server-{}.log", self.starts))
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let start = log.len().saturating_sub(2_000);
        let start = (start..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(0);
        log[start..].to_string()
    }

    /// Starts the server on a free port and waits until `/readyz` answers 200.
    async fn start(&mut self, client: &reqwest::Client) {
        for _ in 0..3 {
            self.starts += 1;
            let port = free_port();
            let log = std::fs::File::create(self.log_path()).unwrap();
            let child = Command::new(BIN)
                .args([
                    "serve",
                    "--sandbox",
                    "--listen",
                    &format!("127.0.0.1:{port}"),
                    // Due from midnight, so the day's liability snapshot is taken (and may be
                    // killed half-written) during the load whatever the hour.
                    "--liability-snapshot-at",
                    "00:00",
                ])
                .args(self.storage_args())
                .stdout(Stdio::from(log.try_clone().unwrap()))
                .stderr(Stdio::from(log))
                .spawn()
                .unwrap();
            self.child = Some(child);
            let base = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                    self.child = None;
                    let tail = self.log_tail();
                    // Another process took the free port in between: try another.
                    if tail.contains("cannot listen on") {
                        break;
                    }
                    panic!("qianbao serve exited at start ({status}): {tail}");
                }
                let ready = client
                    .get(format!("{base}/readyz"))
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                if ready {
                    *self.base.write().unwrap() = base;
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "qianbao serve not ready within 30 s after start {}: {}",
                    self.starts,
                    self.log_tail()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        panic!("no free port could be bound in three tries");
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// SIGTERM, and the exit code once it has stopped.
    async fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "qianbao serve did not stop within 30 s of SIGTERM: {}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `qianbao verify` on the storage while no server runs; panics unless it exits 0, clean.
    async fn verify(&self, when: &str) -> String {
        let out = tokio::process::Command::new(BIN)
            .arg("verify")
            .args(self.storage_args())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.code() == Some(0) && stdout.contains("clean"),
            "qianbao verify {when} exited {:?}:\n{stdout}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "the failed run's data and logs are kept in {}",
                self.dir.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

// ---- HTTP --------------------------------------------------------------------------------------

/// How a call ended after all its attempts.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    body: String,
    /// Some attempt was sent and the connection died before its answer (a kill hit it).
    cut: bool,
    /// Some attempt found no server listening.
    refused: bool,
    /// The answer came marked `idempotent-replayed`: an earlier attempt had committed.
    replayed: bool,
}

#[derive(Clone)]
struct Http {
    client: reqwest::Client,
    base: Arc<RwLock<String>>,
}

impl Http {
    async fn attempt(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<(u16, String, bool), reqwest::Error> {
        let url = format!("{}{path}", self.base.read().unwrap().clone());
        let mut request = match method {
            "GET" => self.client.get(url),
            "PUT" => self.client.put(url),
            _ => self.client.post(url),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let replayed = response.headers().contains_key("idempotent-replayed");
        Ok((status, response.text().await?, replayed))
    }

    /// One request while the server is known to be up.
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (u16, String) {
        let (status, text, _) = self
            .attempt(method, path, token, body.as_ref(), key)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        (status, text)
    }

    /// Sends the call until it is answered, through kills and restarts: the same key and body
    /// every time. A 5xx or `idempotency_in_progress` is not an answer to keep, so it is retried.
    async fn answered(&self, path: &str, token: &str, body: &Value, key: Option<&str>) -> Answer {
        let deadline = Instant::now() + CALL_DEADLINE;
        let (mut cut, mut refused) = (false, false);
        let mut last = String::new();
        while Instant::now() < deadline {
            match self
                .attempt("POST", path, Some(token), Some(body), key)
                .await
            {
                Ok((status, text, replayed))
                    if status < 500 && !text.contains("idempotency_in_progress") =>
                {
                    return Answer {
                        status,
                        body: text,
                        cut,
                        refused,
                        replayed,
                    };
                }
                Ok((status, text, _)) => last = format!("{status} {text}"),
                Err(e) if e.is_connect() => {
                    refused = true;
                    last = e.to_string();
                }
                Err(e) => {
                    cut = true;
                    last = format!("{e:?}");
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "POST {path} (key {key:?}) got no answer within {CALL_DEADLINE:?}, restarts \
             included: the server hangs? last: {last}"
        );
    }

    /// The newest sandbox SMS code sent to `phone`.
    async fn sms_code(&self, phone: &str) -> String {
        let path = format!("/v1/sandbox/sms?phone={}", phone.replace('+', "%2B"));
        let (status, body) = self.send("GET", &path, None, None, None).await;
        assert_eq!(status, 200, "{body}");
        parse(&body)["items"][0]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code in the newest SMS to {phone}: {body}"))
            .to_string()
    }

    /// Every item of a cursor-paged list.
    async fn all_pages(&self, path: &str, token: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = match &cursor {
                None => format!("{path}?limit=100"),
                Some(c) => format!("{path}?limit=100&cursor={c}"),
            };
            let (status, body) = self.send("GET", &page, Some(token), None, None).await;
            assert_eq!(status, 200, "GET {page}: {body}");
            let v = parse(&body);
            items.extend(v["items"].as_array().unwrap().iter().cloned());
            match v["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return items,
            }
        }
    }
}

// ---- opening holders and the merchant ----------------------------------------------------------

struct Holder {
    token: String,
    wallet_id: String,
}

/// Signs a holder up and verifies them (L1); with `card`, binds a debit card (L2) and sets the PIN.
async fn open_holder(http: &Http, phone: &str, seq: usize, card: bool) -> Holder {
    let (status, body) = http
        .send(
            "POST",
            "/v1/otp",
            None,
            Some(json!({"phone": phone, "purpose": "signup"})),
            None,
        )
        .await;
    assert_eq!(status, 202, "POST /v1/otp: {body}");
    let otp = http.sms_code(phone).await;
    let signup = json!({"phone": phone, "otp": otp, "password": PASSWORD, "device_name": "crash"});
    let (status, body) = http
        .send("POST", "/v1/signup", None, Some(signup), None)
        .await;
    assert_eq!(status, 201, "POST /v1/signup: {body}");
    let v = parse(&body);
    let holder = Holder {
        token: v["token"].as_str().unwrap().to_string(),
        wallet_id: v["wallet_id"].as_str().unwrap().to_string(),
    };
    let token = Some(holder.token.as_str());
    let id = id_number(seq);
    let (status, body) = http
        .send(
            "POST",
            "/v1/me/identity",
            token,
            Some(json!({"name": "张三", "id_number": id})),
            None,
        )
        .await;
    assert_eq!(status, 200, "POST /v1/me/identity: {body}");
    if !card {
        return holder;
    }
    let bind = json!({"card_number": card_number(), "holder_name": "张三", "id_number": id,
                      "reserved_phone": phone});
    let (status, body) = http
        .send("POST", "/v1/me/cards", token, Some(bind), None)
        .await;
    assert_eq!(status, 202, "POST /v1/me/cards: {body}");
    let card_id = parse(&body)["card_id"].as_str().unwrap().to_string();
    let otp = http.sms_code(phone).await;
    let (status, body) = http
        .send(
            "POST",
            &format!("/v1/me/cards/{card_id}/confirm"),
            token,
            Some(json!({"otp": otp})),
            None,
        )
        .await;
    assert_eq!(status, 200, "card confirm: {body}");
    let (status, body) = http
        .send("PUT", "/v1/me/pin", token, Some(json!({"pin": PIN})), None)
        .await;
    assert_eq!(status, 204, "PUT /v1/me/pin: {body}");
    let topup = json!({"card_id": card_id, "amount": TOPUP, "pin": PIN});
    let key = format!("crash-topup-{}", uuid::Uuid::new_v4().simple());
    let (status, body) = http
        .send("POST", "/v1/me/topups", token, Some(topup), Some(&key))
        .await;
    assert_eq!(status, 201, "top-up: {body}");
    assert_eq!(parse(&body)["status"], "succeeded", "top-up: {body}");
    holder
}

// ---- the load ----------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A transfer to holder `to`.
    Transfer { to: usize },
    /// Paying one of the merchant's orders.
    Pay,
}

/// One money call as sent, and how it ended.
#[derive(Clone, Debug)]
struct Call {
    payer: usize,
    kind: Kind,
    amount: i64,
    path: &'static str,
    key: String,
    body: Value,
    answer: Answer,
}

impl Call {
    /// The payer's record id the call's answer gave (transfer `id`, payment `payment_id`).
    fn record_id(&self) -> String {
        let v = parse(&self.answer.body);
        let field = match self.kind {
            Kind::Transfer { .. } => "id",
            Kind::Pay => "payment_id",
        };
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {}", self.answer.body))
            .to_string()
    }
}

struct Load {
    http: Http,
    holders: Vec<Holder>,
    merchant_key: String,
    /// Calls answered so far; the kills are timed by it.
    answered: AtomicUsize,
}

/// One task's calls: random transfers between holders and payments of fresh orders.
async fn run_task(load: Arc<Load>, task: usize, mut rng: Rng) -> Vec<Call> {
    let mut calls = Vec::new();
    for n in 0..CALLS_PER_TASK {
        let payer = usize::try_from(rng.below(HOLDERS as u64)).unwrap();
        let key = format!("crash-{task}-{n}-{}", uuid::Uuid::new_v4().simple());
        let (kind, amount, path, body) = if rng.below(3) != 0 {
            let step = usize::try_from(rng.below(HOLDERS as u64 - 1)).unwrap();
            let to = (payer + 1 + step) % HOLDERS;
            let amount = 1 + i64::try_from(rng.below(2_000)).unwrap();
            let body = json!({"to_wallet_id": load.holders[to].wallet_id, "amount": amount,
                              "pin": PIN});
            (Kind::Transfer { to }, amount, "/v1/transfers", body)
        } else {
            let amount = 100 + i64::try_from(rng.below(2_900)).unwrap();
            let order = json!({"amount": amount, "description": "一碗面"});
            // Orders are not money: a lost answer just means another order.
            let made = load
                .http
                .answered("/v1/merchant/orders", &load.merchant_key, &order, None)
                .await;
            assert_eq!(made.status, 201, "creating an order: {}", made.body);
            let payload = parse(&made.body)["qr_payload"]
                .as_str()
                .unwrap()
                .to_string();
            let body = json!({"payload": payload, "pin": PIN});
            (Kind::Pay, amount, "/v1/pay", body)
        };
        let token = &load.holders[payer].token;
        let answer = load.http.answered(path, token, &body, Some(&key)).await;
        load.answered.fetch_add(1, Ordering::SeqCst);
        calls.push(Call {
            payer,
            kind,
            amount,
            path,
            key,
            body,
            answer,
        });
    }
    calls
}

// ---- the test ----------------------------------------------------------------------------------

async fn crash_under_load(database: Option<String>) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    let backend = if database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let mut server = Server::new(database);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let http = Http {
        client: client.clone(),
        base: server.base.clone(),
    };
    server.start(&client).await;

    // Six holders at L2 with ¥10,000 each, and a merchant opened by a seventh at L1.
    let first_phone = 100_000 + uuid::Uuid::new_v4().as_u128() % 99_000_000;
    let phone = |i: usize| format!("+86139{:08}", first_phone + i as u128);
    let mut holders = Vec::new();
    for i in 0..HOLDERS {
        holders.push(open_holder(&http, &phone(i), 101 + i, true).await);
    }
    let owner = open_holder(&http, &phone(HOLDERS), 101 + HOLDERS, false).await;
    let (status, body) = http
        .send(
            "POST",
            "/v1/merchants",
            Some(&owner.token),
            Some(json!({"name": "兰州牛肉面", "category": "restaurant"})),
            None,
        )
        .await;
    assert_eq!(status, 201, "POST /v1/merchants: {body}");
    let merchant_key = parse(&body)["api_key"].as_str().unwrap().to_string();
    let total_topped_up = TOPUP * HOLDERS as i64;
    let opened = started.elapsed();

    // The load, and three SIGKILLs at random moments in it, each followed by a restart.
    let load = Arc::new(Load {
        http: http.clone(),
        holders,
        merchant_key,
        answered: AtomicUsize::new(0),
    });
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        tasks.push(tokio::spawn(run_task(load.clone(), task, Rng::new())));
    }
    let total = TASKS * CALLS_PER_TASK;
    let mut rng = Rng::new();
    let run_deadline = started + RUN_DEADLINE;
    for kill in 1..=KILLS {
        // After k quarters of the load plus up to an eighth more: never past seven eighths of it,
        // so calls are always in flight.
        let at = kill * total / (KILLS + 1) + usize::try_from(rng.below(total as u64 / 8)).unwrap();
        while load.answered.load(Ordering::SeqCst) < at {
            assert!(
                Instant::now() < run_deadline,
                "{backend}: the load stalled at {} of {total} calls before kill {kill}: {}",
                load.answered.load(Ordering::SeqCst),
                server.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.below(25))).await;
        server.kill();
        server.verify(&format!("right after kill {kill}")).await;
        server.start(&client).await;
    }
    let mut calls: Vec<Call> = Vec::new();
    for task in tasks {
        let left = run_deadline.saturating_duration_since(Instant::now());
        let done = tokio::time::timeout(left, task)
            .await
            .unwrap_or_else(|_| panic!("{backend}: the load did not finish (a hang?)"));
        calls.extend(done.unwrap());
    }
    let loaded = started.elapsed();
    assert_eq!(calls.len(), total);
    let cut = calls.iter().filter(|c| c.answer.cut).count();
    let refused = calls.iter().filter(|c| c.answer.refused).count();
    let committed_unanswered = calls
        .iter()
        .filter(|c| (c.answer.cut || c.answer.refused) && c.answer.replayed)
        .count();
    assert!(
        cut > 0,
        "{backend}: no kill hit a call in flight, so the crash proved nothing"
    );

    // Every call ended acknowledged: the balances cover all of them, nothing may refuse.
    let refusals: Vec<String> = calls
        .iter()
        .filter(|c| c.answer.status != 201)
        .map(|c| {
            format!(
                "{} {} -> {} {}",
                c.path, c.key, c.answer.status, c.answer.body
            )
        })
        .collect();
    assert!(
        refusals.is_empty(),
        "{backend}: calls not acknowledged (after {cut} cut by a kill):\n{}",
        refusals.join("\n")
    );
    for c in &calls {
        let v = parse(&c.answer.body);
        assert_eq!(v["amount"].as_i64(), Some(c.amount), "{}", c.answer.body);
        assert_eq!(v["status"], "succeeded", "{}", c.answer.body);
    }

    // Each acknowledged call is one record of its payer's, exactly once, and the payer has no
    // other payment out: a lost call is a missing id, a doubled one an id nobody was given.
    let merchant_key = &load.merchant_key;
    let mut expected = [TOPUP; HOLDERS];
    let mut merchant_takings = 0i64;
    for (i, holder) in load.holders.iter().enumerate() {
        let records = http.all_pages("/v1/me/transactions", &holder.token).await;
        let mut out: HashMap<String, Vec<&Value>> = HashMap::new();
        let (mut incoming, mut incoming_sum, mut topups) = (0usize, 0i64, 0usize);
        for r in &records {
            match (
                r["type"].as_str().unwrap(),
                r["direction"].as_str().unwrap(),
            ) {
                ("transfer" | "payment", "out") => out
                    .entry(r["id"].as_str().unwrap().to_string())
                    .or_default()
                    .push(r),
                ("transfer", "in") => {
                    incoming += 1;
                    incoming_sum += r["amount"].as_i64().unwrap();
                }
                ("topup", "in") => {
                    topups += 1;
                    assert_eq!(r["amount"].as_i64(), Some(TOPUP), "{r}");
                    assert_eq!(r["status"], "succeeded", "{r}");
                }
                _ => panic!("{backend}: holder {i} has an unexpected record {r}"),
            }
        }
        assert_eq!(
            topups, 1,
            "{backend}: holder {i} has {topups} top-up records"
        );
        let mine: Vec<&Call> = calls.iter().filter(|c| c.payer == i).collect();
        for c in &mine {
            let id = c.record_id();
            let found = out.get(&id).map_or(0, Vec::len);
            assert_eq!(
                found, 1,
                "{backend}: acknowledged {} {} (key {}, cut by a kill: {}) is {found} records of \
                 its payer's, not one",
                c.path, id, c.key, c.answer.cut
            );
            let r = out[&id][0];
            assert_eq!(r["amount"].as_i64(), Some(c.amount), "{r}");
            assert_eq!(r["status"], "succeeded", "{r}");
            expected[i] -= c.amount;
            match c.kind {
                Kind::Transfer { to } => expected[to] += c.amount,
                Kind::Pay => {}
            }
        }
        let acknowledged: std::collections::HashSet<String> =
            mine.iter().map(|c| c.record_id()).collect();
        let strangers: Vec<&String> = out
            .keys()
            .filter(|id| !acknowledged.contains(*id))
            .collect();
        assert!(
            strangers.is_empty(),
            "{backend}: holder {i} paid out {} time(s) with no acknowledged call: {strangers:?}",
            strangers.len()
        );
        let sent_here: Vec<&Call> = calls
            .iter()
            .filter(|c| c.kind == Kind::Transfer { to: i })
            .collect();
        assert_eq!(
            (incoming, incoming_sum),
            (
                sent_here.len(),
                sent_here.iter().map(|c| c.amount).sum::<i64>()
            ),
            "{backend}: holder {i} received other transfers than were acknowledged to them"
        );
    }

    // The merchant saw each acknowledged payment exactly once, and nothing else.
    let payments = http.all_pages("/v1/merchant/payments", merchant_key).await;
    let mut by_id: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for p in &payments {
        by_id
            .entry(p["payment_id"].as_str().unwrap().to_string())
            .or_default()
            .push(p);
    }
    let pays: Vec<&Call> = calls.iter().filter(|c| c.kind == Kind::Pay).collect();
    let mut fees = 0i64;
    for c in &pays {
        let id = c.record_id();
        let seen = by_id.get(&id).map_or(0, Vec::len);
        assert_eq!(
            seen, 1,
            "{backend}: acknowledged payment {id} (key {}) is listed {seen} times by the merchant",
            c.key
        );
        let p = by_id[&id][0];
        let fee = p["fee"].as_i64().unwrap();
        assert_eq!(p["amount"].as_i64(), Some(c.amount), "{p}");
        assert!((0..=c.amount).contains(&fee), "{p}");
        fees += fee;
        merchant_takings += c.amount - fee;
    }
    assert_eq!(
        payments.len(),
        pays.len(),
        "{backend}: the merchant lists payments nobody was acknowledged for"
    );

    // Every call again with its key: the first answer, byte for byte.
    for c in &calls {
        let token = &load.holders[c.payer].token;
        let (status, body) = http
            .send(
                "POST",
                c.path,
                Some(token),
                Some(c.body.clone()),
                Some(&c.key),
            )
            .await;
        assert_eq!(
            (status, body.as_str()),
            (c.answer.status, c.answer.body.as_str()),
            "{backend}: {} with key {} did not replay its first answer",
            c.path,
            c.key
        );
    }

    // Every balance is what the acknowledged calls make it, none is negative, and the money
    // is all there: holders + merchant + fees = what came in from the bank.
    let mut holder_total = 0i64;
    for (i, holder) in load.holders.iter().enumerate() {
        let (status, body) = http
            .send("GET", "/v1/me/balance", Some(&holder.token), None, None)
            .await;
        assert_eq!(status, 200, "{body}");
        let (available, held) = cny(&body);
        assert!(available >= 0 && held >= 0, "{backend}: holder {i}: {body}");
        assert_eq!(
            available + held,
            expected[i],
            "{backend}: holder {i}'s balance is not what the acknowledged calls make it"
        );
        holder_total += available + held;
    }
    let (status, body) = http
        .send("GET", "/v1/me/balance", Some(&owner.token), None, None)
        .await;
    assert_eq!((status, cny(&body)), (200, (0, 0)), "{backend}: {body}");
    let (status, body) = http
        .send(
            "GET",
            "/v1/merchant/balance",
            Some(merchant_key),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (available, held) = cny(&body);
    assert!(available >= 0 && held >= 0, "{backend}: merchant: {body}");
    assert_eq!(
        available + held,
        merchant_takings,
        "{backend}: the merchant's balance is not its acknowledged takings less fees"
    );
    assert_eq!(
        holder_total + available + held + fees,
        total_topped_up,
        "{backend}: money was made or lost: holders {holder_total} + merchant {} + fees {fees} \
         != topped up {total_topped_up}",
        available + held
    );

    // Stopped, the ledger verifies clean: every currency sums to zero, the chain holds, no
    // account that may not go negative is.
    drop(http);
    drop(client);
    let code = server.terminate().await;
    assert_eq!(
        code,
        Some(0),
        "{backend}: SIGTERM exit: {}",
        server.log_tail()
    );
    let report = server.verify("at the end").await;
    eprintln!(
        "{backend}: {total} calls ({} transfers, {} payments) over {KILLS} kills: {cut} cut in \
         flight, {refused} found the server down, {committed_unanswered} had committed before \
         the kill that cut them and were answered by replay on retry; all present exactly once, \
         all replay, money conserved (fees {fees}). Opening {:.1} s, load {:.1} s, total \
         {:.1} s.\n{}",
        total - pays.len(),
        pays.len(),
        opened.as_secs_f64(),
        (loaded - opened).as_secs_f64(),
        started.elapsed().as_secs_f64(),
        report.trim()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_kills_under_load_lose_or_double_no_acknowledged_payment_on_sqlite() {
    crash_under_load(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_kills_under_load_lose_or_double_no_acknowledged_payment_on_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    crash_under_load(Some(db.url.clone())).await;
    drop(db);
}
