//! Storage faults on real resources: a disk that fills up under the SQLite file, and a process
//! killed with SIGKILL in the middle of a load, on both backends. Nothing acknowledged may be lost,
//! nothing refused may leave a trace, and the ledger must verify clean afterwards.
#![allow(clippy::unwrap_used)]
#![allow(
    clippy::expect_used,
    reason = "a test that cannot go on stops with a message saying what was missing"
)]

use qianbao_ledger::{
    AccountId, AccountKind, Amount, Applied, Currency, EntryId, Instruction, Posting,
};
use qianbao_store::{Location, SqliteStore};
use qianbao_wallet::{AccountOwner, LedgerStore, StoreError};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Money each wallet starts with in the crash test.
const FUNDING_MINOR: i64 = 1_000_000_000;
/// Wallets in the crash test.
const CRASH_WALLETS: i64 = 20;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "qianbao-{name}-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos() ^ seed()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn seed() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        ^ u128::from(std::process::id()) << 64
}

fn transfer(id: u128, from: AccountId, to: AccountId, amount: i64) -> Instruction {
    Instruction::Transfer {
        id: EntryId(id),
        postings: vec![
            Posting {
                account: from,
                currency: Currency::CNY,
                amount: Amount::from_minor(-amount),
            },
            Posting {
                account: to,
                currency: Currency::CNY,
                amount: Amount::from_minor(amount),
            },
        ],
    }
}

/// Opens the clearing account and `n` wallets, and funds each wallet once (a fixed entry id per
/// wallet, so doing this again after a crash changes nothing).
async fn funded_wallets(store: &dyn LedgerStore, n: i64) -> Vec<AccountId> {
    let bank = store
        .open_account(
            &AccountOwner::Operator,
            AccountKind::BankClearing,
            Currency::CNY,
        )
        .await
        .unwrap();
    let mut wallets = Vec::new();
    for i in 0..n {
        let w = store
            .open_account(
                &AccountOwner::Wallet(format!("w{i}")),
                AccountKind::Wallet,
                Currency::CNY,
            )
            .await
            .unwrap();
        let funding = transfer(
            0xF00D_0000 + u128::try_from(i).unwrap(),
            bank,
            w,
            FUNDING_MINOR,
        );
        store.apply(funding).await.unwrap().unwrap();
        wallets.push(w);
    }
    wallets
}

/// Whether the test must fail rather than skip when a privilege or service is missing.
fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("QIANBAO_REQUIRE_POSTGRES").is_some()
}

fn mount_tmpfs(dir: &Path, size: &str) -> bool {
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_the_batch_cleanly_and_writes_resume_when_space_returns() {
    let dir = temp_dir("full-disk");
    // Room for the schema's first write (its pages in the WAL and again in the file when the
    // WAL is checkpointed: over 1 MiB with migration 0032) and little more.
    if !mount_tmpfs(&dir, "3m") {
        assert!(
            !required(),
            "mounting a small tmpfs needs root, which CI has"
        );
        eprintln!("skipped: cannot mount a tmpfs here (not root)");
        return;
    }
    let store = SqliteStore::open(&dir).await.unwrap();
    let wallets = funded_wallets(&store, 2).await;
    let (a, b) = (wallets[0], wallets[1]);
    let mut acknowledged = 0i64;
    let mut failure = None;
    // Each commit appends WAL frames; a 3 MiB disk fills long before the WAL checkpoints.
    for i in 0..5_000u128 {
        match store.apply(transfer(1 << 100 | i, a, b, 1)).await {
            Ok(Ok(Applied::New)) => acknowledged += 1,
            Ok(other) => panic!("unexpected ledger answer {other:?}"),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let failure = failure.expect("the disk never filled");
    assert!(matches!(failure, StoreError::Unavailable(_)), "{failure:?}");
    assert!(
        acknowledged > 0,
        "no write succeeded before the disk filled"
    );

    // Space returns: the same store takes writes again without a restart.
    assert!(
        Command::new("mount")
            .args(["-o", "remount,size=64m"])
            .arg(&dir)
            .status()
            .unwrap()
            .success()
    );
    let after = store.apply(transfer(2 << 100, a, b, 1)).await;
    assert!(matches!(after, Ok(Ok(Applied::New))), "{after:?}");
    acknowledged += 1;

    let report = store.verify().await.unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        store.account(a).await.unwrap().unwrap().balance.minor(),
        FUNDING_MINOR - acknowledged,
        "the failed batch left a trace, or an acknowledged one was lost"
    );
    assert_eq!(
        store.account(b).await.unwrap().unwrap().balance.minor(),
        FUNDING_MINOR + acknowledged
    );
    drop(store);
    let _ = Command::new("umount").arg("-l").arg(&dir).status();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child side of the crash test: runs only when the parent re-executes this test binary with
/// `QIANBAO_CRASH_LOCATION` set, and applies transfers from many tasks until it is killed, printing
/// each acknowledged one. Ignored in a normal run: it is the load, not a check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of the crash tests; they run it"]
async fn crash_child() {
    let location = std::env::var("QIANBAO_CRASH_LOCATION")
        .expect("run by the crash tests with QIANBAO_CRASH_LOCATION set");
    let location = match location.strip_prefix("sqlite:") {
        Some(dir) => Location::SqliteDir(dir.into()),
        None => Location::Postgres(location),
    };
    let store: Arc<dyn LedgerStore> = qianbao_store::open(&location).await.unwrap();
    let wallets = Arc::new(funded_wallets(store.as_ref(), CRASH_WALLETS).await);
    println!("ready");
    let mut tasks = Vec::new();
    for task in 0..32u128 {
        let (store, wallets) = (store.clone(), wallets.clone());
        tasks.push(tokio::spawn(async move {
            let mut state = seed() ^ (task << 32) | 1;
            loop {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let from = wallets[(state % 20) as usize];
                let to = wallets[((state >> 8) % 20) as usize];
                if from == to {
                    continue;
                }
                let amount = i64::try_from((state >> 16) % 1000 + 1).unwrap();
                let id = state | 1 << 127;
                if let Ok(Ok(Applied::New)) = store.apply(transfer(id, from, to, amount)).await {
                    println!("ack {id:032x} {} {} {amount}", from.0, to.0);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// Kills a child under load several times, then checks every acknowledged transfer is there
/// exactly once: applying it again must be a replay, never a new entry.
async fn crash_and_check(location: String, open: Location) {
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<(u128, i64, i64, i64)> = Vec::new();
    for round in 0..4u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("QIANBAO_CRASH_LOCATION", &location)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first_ack, acked) = std::sync::mpsc::channel::<()>();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let words: Vec<&str> = line.split(' ').collect();
                if words.len() == 5 && words[0] == "ack" {
                    acks.push((
                        u128::from_str_radix(words[1], 16).unwrap(),
                        words[2].parse().unwrap(),
                        words[3].parse().unwrap(),
                        words[4].parse().unwrap(),
                    ));
                    if acks.len() == 1 {
                        let _ = first_ack.send(());
                    }
                }
            }
            acks
        });
        // Under load, not after a fixed time: a busy CI machine took longer than 1.5 s to start
        // the child and open its accounts, and the kill came before anything was acknowledged.
        let started = tokio::task::block_in_place(|| acked.recv_timeout(Duration::from_secs(120)));
        // Kill at a different moment each round, while transfers are in flight.
        tokio::time::sleep(Duration::from_millis(300 + 350 * round)).await;
        child.kill().unwrap();
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        assert!(
            started.is_ok() && !acks.is_empty(),
            "round {round}: the child acknowledged nothing within two minutes"
        );
        acknowledged.extend(acks);
    }
    let store = qianbao_store::open(&open).await.unwrap();
    let report = store.verify().await.unwrap();
    assert!(report.is_clean(), "{report}");
    // All at once, so the replays ride in batches rather than one commit each.
    let checks: Vec<_> = acknowledged
        .iter()
        .map(|&(id, from, to, amount)| {
            let store = store.clone();
            tokio::spawn(async move {
                let again = store
                    .apply(transfer(id, AccountId(from), AccountId(to), amount))
                    .await;
                (id, again.unwrap())
            })
        })
        .collect();
    for check in checks {
        let (id, again) = check.await.unwrap();
        assert_eq!(
            again,
            Ok(Applied::Replayed),
            "acknowledged transfer {id:032x} was lost"
        );
    }
    eprintln!(
        "{} acknowledged transfers over 4 kills, all present exactly once",
        acknowledged.len()
    );
    assert_eq!(report.totals.get("CNY"), Some(&0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_sqlite_process_mid_load_loses_no_acknowledged_transfer() {
    let dir = temp_dir("crash");
    let location = format!("sqlite:{}", dir.display());
    crash_and_check(location, Location::SqliteDir(dir.clone())).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_postgres_node_mid_load_loses_no_acknowledged_transfer() {
    let base = std::env::var("QIANBAO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = match tokio_postgres::connect(&base, tokio_postgres::NoTls).await {
        Ok((client, conn)) => {
            tokio::spawn(conn);
            client
        }
        Err(e) => {
            assert!(!required(), "PostgreSQL is required here: {e}");
            eprintln!("skipped: no PostgreSQL at {base}");
            return;
        }
    };
    let name = format!("qb_crash_{:x}", seed() & 0xffff_ffff_ffff);
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = match base.rsplit_once('/') {
        Some((prefix, _)) => format!("{prefix}/{name}"),
        None => panic!("bad database URL {base}"),
    };
    crash_and_check(url.clone(), Location::Postgres(url)).await;
    let _ = admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await;
}
