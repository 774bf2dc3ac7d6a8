//! The real `qianbao` binary: graceful shutdown, JSON logs without personal data, refusing storage
//! that is not ours or is newer, and `qianbao verify` catching a tampered row on both backends.

use crate::helpers::{TestDatabase, temp_dir};
use qianbao_ledger::{AccountKind, Amount, Currency, EntryId, Instruction, Posting};
use qianbao_store::Location;
use qianbao_wallet::AccountOwner;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_qianbao");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Starts `qianbao serve` and waits until `/healthz` answers.
async fn serve(dir: &Path, extra: &[&str]) -> (Child, String) {
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--sandbox",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if reqwest::get(format!("{address}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return (child, address);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("qianbao serve did not become healthy");
}

fn terminate(child: &mut Child) -> (i32, String) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    (status.code().unwrap_or(-1), log)
}

/// Some ledger traffic: two wallets funded and a transfer between them.
async fn traffic(location: &Location) {
    let store = qianbao_store::open(location).await.unwrap();
    let bank = store
        .open_account(
            &AccountOwner::Operator,
            AccountKind::BankClearing,
            Currency::CNY,
        )
        .await
        .unwrap();
    let a = store
        .open_account(
            &AccountOwner::Wallet("a".into()),
            AccountKind::Wallet,
            Currency::CNY,
        )
        .await
        .unwrap();
    let b = store
        .open_account(
            &AccountOwner::Wallet("b".into()),
            AccountKind::Wallet,
            Currency::CNY,
        )
        .await
        .unwrap();
    for (i, (from, to, amount)) in [(bank, a, 50_000), (a, b, 1_234), (bank, b, 100)]
        .into_iter()
        .enumerate()
    {
        let posting = |account, amount| Posting {
            account,
            currency: Currency::CNY,
            amount: Amount::from_minor(amount),
        };
        let transfer = Instruction::Transfer {
            id: EntryId(u128::try_from(i).unwrap() + 1),
            postings: vec![posting(from, -amount), posting(to, amount)],
        };
        store.apply(transfer).await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully_with_exit_code_zero() {
    let dir = temp_dir("sigterm");
    let (mut child, _) = serve(&dir, &[]).await;
    let (code, log) = terminate(&mut child);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("qianbao stopped"), "{log}");
}

/// Runs `qianbao bench` for a moment against `address`, keeping its holders in `file`.
fn bench(address: &str, file: &Path, reuse: bool) -> Output {
    let mut command = Command::new(BIN);
    command.args([
        "bench",
        "--url",
        address,
        "--holders",
        "3",
        "--concurrency",
        "2",
        "--duration",
        "1s",
        "--holders-file",
    ]);
    command.arg(file);
    if reuse {
        command.arg("--reuse");
    }
    command.output().unwrap()
}

#[tokio::test]
async fn bench_runs_again_and_again_against_a_server_it_has_already_loaded() {
    let dir = temp_dir("bench-again");
    let (mut child, address) = serve(&dir, &[]).await;
    // The server logs every call; a pipe nobody reads would fill and stall it.
    let mut log = child.stderr.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    let file = dir.join("holders.json");
    let mut wallets = Vec::new();
    for (run, reuse) in [(1, false), (2, true), (3, false), (4, true)] {
        if run == 4 {
            // Sessions that ended since: the run signs its holders in again, from the devices
            // they opened on.
            let text = std::fs::read_to_string(&file).unwrap();
            let mut saved: serde_json::Value = serde_json::from_str(&text).unwrap();
            for h in saved["holders"].as_array_mut().unwrap() {
                h["token"] = serde_json::json!("ended");
            }
            std::fs::write(&file, saved.to_string()).unwrap();
        }
        let out = bench(&address, &file, reuse);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "run {run}: {stderr}");
        let last = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        let result: serde_json::Value = serde_json::from_str(&last).unwrap();
        assert!(
            result["ops"].as_u64().unwrap_or_default() > 0,
            "run {run} moved money: {last}"
        );
        // Busy bench holders may be asked for a second factor by the risk rules; nothing else
        // may fail, and nothing may hang.
        let codes = result["error_codes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(
            codes.keys().all(|code| code.contains("step_up_required")),
            "run {run}: {last}"
        );
        assert_eq!(
            stderr.contains("reusing 3 holders"),
            reuse,
            "run {run}: {stderr}"
        );
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        wallets.push(
            saved["holders"][0]["wallet_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // A reuse run pays with the holders the run before it opened; a fresh run opens new ones
    // (their ID numbers drawn anew, so the server takes them).
    assert_eq!(wallets[1], wallets[0]);
    assert_ne!(wallets[2], wallets[1]);
    assert_eq!(wallets[3], wallets[2]);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_ne!(saved["holders"][0]["token"], "ended", "signed in again");
    // A file of another server is refused, saying so.
    let out = bench("http://127.0.0.1:9", &file, true);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds holders of"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_and_never_carry_the_query_string() {
    let dir = temp_dir("jsonlog");
    let (mut child, address) = serve(&dir, &["--log-format", "json"]).await;
    reqwest::get(format!(
        "{address}/healthz?phone=13812345678&id=110101199003071234"
    ))
    .await
    .unwrap();
    let (_, log) = terminate(&mut child);
    let mut saw_request = false;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        saw_request |= v["message"] == "request" && v["route"] == "/healthz";
    }
    assert!(saw_request, "{log}");
    assert!(
        !log.contains("13812345678") && !log.contains("110101199003071234"),
        "{log}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_at_start_and_left_untouched() {
    let dir = temp_dir("foreign");
    let file = dir.join("qianbao.db");
    let junk = b"%PDF-1.7 this is somebody's document, not a database".repeat(100);
    std::fs::write(&file, &junk).unwrap();
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a SQLite database"), "{stderr}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        junk,
        "the foreign file was changed"
    );
}

#[tokio::test]
async fn another_programs_sqlite_database_is_refused_at_start_and_left_untouched() {
    let dir = temp_dir("other-app");
    let file = dir.join("qianbao.db");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
        .unwrap();
    let before = std::fs::read(&file).unwrap();
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not qianbao"));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the other program's database was changed"
    );
}

#[tokio::test]
async fn a_database_of_a_newer_schema_is_refused_saying_so() {
    let dir = temp_dir("newer");
    traffic(&Location::SqliteDir(dir.clone())).await;
    rusqlite::Connection::open(dir.join("qianbao.db"))
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations VALUES (99, '0099_future', 0)",
            [],
        )
        .unwrap();
    let out = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("schema version 99") && stderr.contains("newer"),
        "{stderr}"
    );
}

#[tokio::test]
async fn verify_passes_after_traffic_and_fails_when_a_stored_balance_is_tampered_with() {
    let dir = temp_dir("verify");
    traffic(&Location::SqliteDir(dir.clone())).await;
    let clean = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert_eq!(clean.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("journal lines: 3") && stdout.contains("clean"),
        "{stdout}"
    );
    rusqlite::Connection::open(dir.join("qianbao.db"))
        .unwrap()
        .execute(
            "UPDATE accounts SET balance = balance + 100 WHERE owner = 'wallet:b'",
            [],
        )
        .unwrap();
    let tampered = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&tampered.stdout);
    assert_eq!(tampered.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED") && stdout.contains("journal gives balance"),
        "{stdout}"
    );
}

#[tokio::test]
async fn verify_fails_when_a_journal_line_is_rewritten_on_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    traffic(&Location::Postgres(db.url.clone())).await;
    let clean = run(&["verify", "--database", &db.url]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("UPDATE journal SET text = replace(text, ':1234', ':1200') WHERE seq = 2")
        .await
        .unwrap();
    drop(client);
    let tampered = run(&["verify", "--database", &db.url]);
    let stdout = String::from_utf8_lossy(&tampered.stdout);
    assert_eq!(tampered.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("hash chain broken"), "{stdout}");
}

#[test]
fn verify_without_a_database_says_so_instead_of_making_one() {
    let dir = temp_dir("empty");
    let out = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    assert!(!dir.join("qianbao.db").exists());
}

#[tokio::test]
async fn admin_fx_sets_and_lists_rates_and_refuses_nonsense() {
    let dir = temp_dir("fx-cli");
    let data = dir.to_str().unwrap();
    let set = run(&[
        "admin",
        "--data-dir",
        data,
        "fx",
        "set",
        "USD/CNY",
        "7.1234",
    ]);
    assert!(set.status.success(), "{set:?}");
    assert_eq!(
        String::from_utf8_lossy(&set.stdout).trim(),
        "rate set: USD/CNY 7.1234"
    );
    let set = run(&[
        "admin",
        "--data-dir",
        data,
        "fx",
        "set",
        "JPY/CNY",
        "0.048700",
    ]);
    assert!(set.status.success(), "{set:?}");
    let list = run(&["admin", "--data-dir", data, "fx", "list"]);
    let text = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.status.success(), "{list:?}");
    assert!(text.starts_with("2 rates"), "{text}");
    assert!(text.contains("JPY/CNY\t0.0487\toperator\t"), "{text}");
    assert!(text.contains("USD/CNY\t7.1234\toperator\t"), "{text}");
    for (pair, rate) in [
        ("USD/CNY", "0"),
        ("USD/CNY", "0.0"),
        ("USD/CNY", "-7.1"),
        ("USD/CNY", "7,1"),
        ("USD/CNY", "1e3"),
        ("usd/cny", "7.1"),
        ("XYZ/CNY", "7.1"),
        ("CNY/CNY", "1"),
        ("USDCNY", "7.1"),
    ] {
        let refused = run(&["admin", "--data-dir", data, "fx", "set", pair, rate]);
        assert_eq!(refused.status.code(), Some(2), "{pair} {rate}: {refused:?}");
    }
    let list = run(&["admin", "--data-dir", data, "fx", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).starts_with("2 rates"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_sandbox_rate_feed_fills_the_rates_and_a_conversion_can_be_quoted() {
    let dir = temp_dir("fx-feed");
    let (mut child, address) = serve(&dir, &[]).await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let rates = loop {
        let body: serde_json::Value = client
            .get(format!("{address}/v1/fx/rates"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rates = body["rates"].as_array().cloned().unwrap_or_default();
        if rates.len() >= 5 || started.elapsed() > Duration::from_secs(10) {
            break rates;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let pairs: Vec<&str> = rates.iter().filter_map(|r| r["pair"].as_str()).collect();
    for pair in ["USD/CNY", "HKD/CNY", "EUR/CNY", "JPY/CNY", "GBP/CNY"] {
        assert!(pairs.contains(&pair), "{pair} missing from {pairs:?}");
    }
    assert!(rates.iter().all(|r| r["source"] == "feed"), "{rates:?}");
    let usd = rates.iter().find(|r| r["pair"] == "USD/CNY").unwrap();
    let rate = usd["rate"].as_str().unwrap();
    assert!(
        rate.starts_with("7.12"),
        "USD/CNY from the sandbox feed: {rate}"
    );
    terminate(&mut child);
    let list = run(&["admin", "--data-dir", dir.to_str().unwrap(), "fx", "list"]);
    let text = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(
        text.contains("USD/CNY\t7.12") && text.contains("\tfeed\t"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
