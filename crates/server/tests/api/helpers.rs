//! Typed helpers: start the application on port 0 over a fresh SQLite folder (or a fresh
//! PostgreSQL database), and a few small conveniences for requests.

use qianbao_server::{Application, Settings};
use qianbao_store::Location;
use std::path::PathBuf;

/// A running application and the client to reach it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The HTTP client.
    pub client: reqwest::Client,
    /// The data folder (the SQLite file, or just the key file on PostgreSQL), removed on drop.
    pub dir: PathBuf,
    /// The PostgreSQL database it runs on, if not SQLite; dropped after the app.
    pub database: Option<TestDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestApp {
    /// Stops the server and starts it again over the same storage and key file, on a new port,
    /// with `clock` and `policy`: what an operator's restart does. The address changes.
    pub async fn restart(
        &mut self,
        clock: std::sync::Arc<dyn qianbao_wallet::Clock>,
        policy: Option<qianbao_server::policy::Policy>,
    ) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        let location = match &self.database {
            Some(db) => Location::Postgres(db.url.clone()),
            None => Location::SqliteDir(self.dir.clone()),
        };
        let mut settings = Settings::new(location);
        settings.listen = "127.0.0.1:0".parse().unwrap();
        settings.sandbox = true;
        // The tests set the rates they price with; the sandbox feed is tested on its own.
        settings.rate_feed_interval = None;
        settings.liability_snapshot_at = None;
        settings.clock = clock;
        settings.policy = policy;
        settings.key_dir = self.dir.clone();
        let app = Application::build(settings).await.unwrap();
        self.address = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        self.shutdown = Some(stop);
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }
}

/// A fresh, unique temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("qianbao-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Where this test binary's applications keep their data: a fresh SQLite folder, or a fresh
/// PostgreSQL database in the `api_postgres` binary (which runs the same tests there).
async fn location(dir: &std::path::Path) -> (Location, Option<TestDatabase>) {
    if crate::ON_POSTGRES {
        let db = TestDatabase::create()
            .await
            .expect("the api_postgres tests need PostgreSQL");
        (Location::Postgres(db.url.clone()), Some(db))
    } else {
        (Location::SqliteDir(dir.to_path_buf()), None)
    }
}

/// Starts the application on a free port over fresh storage, sandbox on.
pub async fn spawn_app() -> TestApp {
    let dir = temp_dir("api");
    let (location, database) = location(&dir).await;
    let mut settings = Settings::new(location);
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    settings.rate_feed_interval = None;
    settings.liability_snapshot_at = None;
    let mut app = start(settings, dir).await;
    app.database = database;
    app
}

/// Starts the application as [`spawn_app`] does, with `change` made to its settings first.
pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = temp_dir("api");
    let (location, database) = location(&dir).await;
    let mut settings = Settings::new(location);
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    settings.rate_feed_interval = None;
    settings.liability_snapshot_at = None;
    change(&mut settings);
    let mut app = start(settings, dir).await;
    app.database = database;
    app
}

/// Starts the application with the given settings, its key file in `dir`.
pub async fn start(mut settings: Settings, dir: PathBuf) -> TestApp {
    settings.key_dir = dir.clone();
    let app = Application::build(settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::new(),
        dir,
        database: None,
        shutdown: Some(stop),
    }
}

/// A PostgreSQL database made for one test, dropped when this is dropped. `None` (after a note)
/// when PostgreSQL is not reachable and not required; CI sets `QIANBAO_REQUIRE_POSTGRES=1`.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    name: String,
    base: String,
}

impl TestDatabase {
    /// Makes a fresh database.
    pub async fn create() -> Option<TestDatabase> {
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
        let name = format!("qb_api_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        Some(TestDatabase { url, name, base })
    }
}

impl TestDatabase {
    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the server's maintenance database, for `psql`.
    pub fn admin_url(&self) -> &str {
        &self.base
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs outside any runtime's async context; psql is on every machine with PostgreSQL.
        let _ = std::process::Command::new("psql")
            .args([&self.base, "-q", "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

/// A clock the test moves by hand.
pub struct TestClock(pub std::sync::atomic::AtomicI64);

impl qianbao_wallet::Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl TestClock {
    /// Moves the clock `seconds` on.
    pub fn advance_s(&self, seconds: i64) {
        self.0
            .fetch_add(seconds * 1000, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Starts the application with sandbox on and a clock the test moves.
pub async fn spawn_app_with_clock() -> (TestApp, std::sync::Arc<TestClock>) {
    spawn_app_with_policy(None).await
}

/// Starts the application as [`spawn_app_with_clock`] does with risk control's rules off: for
/// tests of other rules (the limits) whose large payments from a new device the default rules
/// would ask a second factor for.
pub async fn spawn_app_without_risk_rules() -> (TestApp, std::sync::Arc<TestClock>) {
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.risk = std::sync::Arc::new(qianbao_wallet::risk::RuleSet::empty());
    spawn_app_with_policy(Some(policy)).await
}

/// Starts the application with sandbox on, a clock the test moves and, when given, `policy`
/// instead of the sandbox's.
pub async fn spawn_app_with_policy(
    policy: Option<qianbao_server::policy::Policy>,
) -> (TestApp, std::sync::Arc<TestClock>) {
    spawn_app_at(1_800_000_000_000, policy).await
}

/// Starts the application with sandbox on and a clock the test moves, set to `now_ms`: the
/// system's time, when the test also runs the `qianbao` binary (which keeps the system clock).
pub async fn spawn_app_at(
    now_ms: i64,
    policy: Option<qianbao_server::policy::Policy>,
) -> (TestApp, std::sync::Arc<TestClock>) {
    let clock = std::sync::Arc::new(TestClock(std::sync::atomic::AtomicI64::new(now_ms)));
    let dir = temp_dir("clocked");
    let (location, database) = location(&dir).await;
    let mut settings = Settings::new(location);
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.sandbox = true;
    settings.rate_feed_interval = None;
    settings.liability_snapshot_at = None;
    settings.clock = clock.clone();
    settings.policy = policy;
    let mut app = start(settings, dir).await;
    app.database = database;
    (app, clock)
}

/// A random mainland mobile number, E.164.
pub fn random_phone() -> String {
    format!("+86139{:08}", uuid::Uuid::new_v4().as_u128() % 100_000_000)
}

/// Sends `method path` with an optional JSON body and bearer token.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    token: Option<&str>,
) -> reqwest::Response {
    let url = format!("{}{path}", app.address);
    let mut request = match method {
        "GET" => app.client.get(url),
        "PUT" => app.client.put(url),
        "DELETE" => app.client.delete(url),
        _ => app.client.post(url),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// `POST path` with a JSON body.
pub async fn post(
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
    token: Option<&str>,
) -> reqwest::Response {
    call(app, "POST", path, Some(body), token).await
}

/// `GET path` as the holder of `token`.
pub async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    call(app, "GET", path, None, Some(token)).await
}

/// The status and problem body of a refused call; panics, showing the body, if it is no problem.
pub async fn problem(r: reqwest::Response) -> (u16, qianbao_api_types::Problem) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let parsed = serde_json::from_str(&text);
    (
        status,
        parsed.unwrap_or_else(|_| panic!("not a problem: {status} {text}")),
    )
}

/// The code in the newest SMS to `phone`, from the sandbox's SMS view.
pub async fn latest_code(app: &TestApp, phone: &str) -> String {
    let url = format!(
        "{}/v1/sandbox/sms?phone={}",
        app.address,
        phone.replace('+', "%2B")
    );
    let body: serde_json::Value = app
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["items"][0]["code"].as_str().unwrap().to_string()
}

/// Asks for a code of `purpose` and reads it from the sandbox.
pub async fn code_for(app: &TestApp, phone: &str, purpose: &str) -> String {
    let body = serde_json::json!({"phone": phone, "purpose": purpose});
    let r = post(app, "/v1/otp", body, None).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    latest_code(app, phone).await
}

/// Every row of every table of the app's storage, as text: what an attacker with the database
/// would read. SQLite cells are joined with tabs; PostgreSQL rows are cast to text.
pub async fn stored_rows(app: &TestApp) -> Vec<String> {
    match &app.database {
        None => {
            let conn = rusqlite::Connection::open(app.dir.join("qianbao.db")).unwrap();
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let mut out = Vec::new();
            for table in tables {
                let mut select = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
                let columns = select.column_count();
                let mut rows = select.query([]).unwrap();
                while let Some(row) = rows.next().unwrap() {
                    let cells: Vec<String> = (0..columns)
                        .map(|i| match row.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                            rusqlite::types::ValueRef::Real(x) => x.to_string(),
                            rusqlite::types::ValueRef::Null => String::new(),
                        })
                        .collect();
                    out.push(format!("{table}\t{}", cells.join("\t")));
                }
            }
            out
        }
        Some(db) => {
            let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let tables = client
                .query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                    &[],
                )
                .await
                .unwrap();
            let mut out = Vec::new();
            for table in tables {
                let name: String = table.get(0);
                for row in client
                    .query(&format!("SELECT t::text FROM \"{name}\" t"), &[])
                    .await
                    .unwrap()
                {
                    out.push(format!("{name}\t{}", row.get::<_, String>(0)));
                }
            }
            out
        }
    }
}

/// A resident ID number with a right check digit: born on `birth` (YYYYMMDD), sequence `seq`.
pub fn id_number(birth: &str, seq: &str) -> String {
    qianbao_wallet::domain::id_number::with_check_char(&format!("110101{birth}{seq}"))
}

/// A Luhn-valid card number of `len` digits starting with `prefix`, every filled digit 1–9.
pub fn card_number(prefix: &str, len: usize) -> String {
    let mut body = prefix.to_string();
    let mut fill = uuid::Uuid::new_v4().as_u128();
    while body.len() < len - 1 {
        body.push(char::from(b'1' + u8::try_from(fill % 9).unwrap()));
        fill /= 9;
    }
    qianbao_wallet::domain::card_number::with_luhn_digit(&body)
}

/// A real PNG of `w`×`h` with varied pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 251) as u8).collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

/// RFC 4648 base32 read back, written here rather than borrowed, so a TOTP secret the API hands
/// out is checked to be what an authenticator app would read.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars() {
        let value = u32::try_from(ALPHABET.find(c).expect("a base32 character")).unwrap();
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).unwrap());
        }
    }
    out
}

/// Runs the `qianbao` binary with `args` over the app's storage: its key file and, on
/// PostgreSQL, its database (the storage flags are global, so they go last), whatever the
/// environment says.
pub fn qianbao(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"));
    for name in [
        "QIANBAO_MASTER_KEY",
        "QIANBAO_DATABASE_URL",
        "QIANBAO_BANK_URL",
    ] {
        command.env_remove(name);
    }
    command
        .args(args)
        .args(["--data-dir", app.dir.to_str().unwrap()]);
    if let Some(db) = &app.database {
        command.args(["--database", &db.url]);
    }
    command.output().unwrap()
}

/// `qianbao verify` over the app's storage, with the app still running: (exit code, what it
/// printed).
pub fn verify(app: &TestApp) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_qianbao"));
    command.arg("verify");
    match &app.database {
        Some(db) => command.args(["--database", &db.url]),
        None => command.args(["--data-dir", app.dir.to_str().unwrap()]),
    };
    let out = command.output().unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Runs `sql` on the app's database behind its back, as a hand edit would.
pub async fn tamper(app: &TestApp, sql: &str) {
    match &app.database {
        Some(db) => {
            let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.batch_execute(sql).await.unwrap();
        }
        None => {
            rusqlite::Connection::open(app.dir.join("qianbao.db"))
                .unwrap()
                .execute(sql, [])
                .unwrap();
        }
    }
}

/// `ms` as RFC 3339, as the API writes times.
pub fn rfc3339_of(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}
