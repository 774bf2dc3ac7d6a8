//! Reconciliation end to end: real top-ups, a withdrawal and two settlements through the sandbox
//! server; the bank's statement of the day printed by the `qianbao` binary and imported clean;
//! then doctored files with one break each (each counted under its own name, once, however often
//! imported), a bad line refused whole with its number, cases listed and accepted; and the
//! funding invariant failing `qianbao verify` and raising the daily alert once a balance is
//! changed outside the ledger. Every test runs on SQLite here and on PostgreSQL in
//! `api_postgres`.

use crate::helpers::{TestApp, spawn_app, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, SETTLE, answer, funded, idem, keyed, merchant_balance, money,
    open_l2_holder_named, open_merchant, order, pay, record_becomes, topup,
};
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::recon::statement::day_text;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// What the `qianbao` binary did: its exit code, stdout and stderr.
struct Ran {
    code: i32,
    out: String,
    err: String,
}

/// `qianbao BEFORE AFTER` over the app's storage.
fn qianbao(app: &TestApp, before: &[&str], after: &[&str]) -> Ran {
    let out = crate::helpers::qianbao(app, &[before, after].concat());
    Ran {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `qianbao admin recon ARGS`.
fn recon(app: &TestApp, args: &[&str]) -> Ran {
    let mut after = vec!["recon"];
    after.extend_from_slice(args);
    qianbao(app, &["admin"], &after)
}

/// Imports `csv` (written to a file named `name`): the exit code and the summary line.
fn import(app: &TestApp, name: &str, csv: &str) -> (i32, Value) {
    let file = app.dir.join(name);
    std::fs::write(&file, csv).unwrap();
    let ran = recon(app, &["import", file.to_str().unwrap()]);
    let lines: Vec<&str> = ran.out.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line: {} {}", ran.out, ran.err);
    let summary: Value = serde_json::from_str(lines[0]).unwrap();
    (ran.code, summary)
}

/// The summary's four break counts and its matched lines.
fn counts(summary: &Value) -> [i64; 5] {
    [
        "matched",
        "missing_here",
        "missing_at_bank",
        "amount_differs",
        "date_outside_tolerance",
    ]
    .map(|k| {
        summary[k]
            .as_i64()
            .unwrap_or_else(|| panic!("{k}: {summary}"))
    })
}

/// The cases `qianbao admin recon cases --status STATUS --json` lists.
fn cases(app: &TestApp, status: &str) -> Vec<Value> {
    let ran = recon(app, &["cases", "--status", status, "--json"]);
    assert_eq!(ran.code, 0, "{}", ran.err);
    ran.out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The statement's lines as fields, header left out.
fn fields(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// A statement file of the header and `lines`.
fn file_of(lines: &[Vec<String>]) -> String {
    let mut out = String::from("date,bank_ref,kind,amount_minor,currency,our_refs\n");
    for l in lines {
        out.push_str(&l.join(","));
        out.push('\n');
    }
    out
}

/// Withdraws `amount` to the holder's card and waits until the bank paid it.
async fn withdrawn(app: &TestApp, h: &Holder, amount: i64) -> String {
    let r = money(
        app,
        "/v1/me/withdrawals",
        json!({"card_id": h.card_id, "amount": amount, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    record_becomes(app, &h.token, &id, "succeeded", SETTLE).await;
    id
}

/// Settles `body` of the merchant's takings to its owner's card.
async fn settled(app: &TestApp, m: &Merchant, body: Value) {
    let r = keyed(app, "/v1/merchant/settlements", body, &m.api_key, &idem()).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
}

/// Two top-ups, a withdrawal, and a merchant's takings settled in two parts to its owner's
/// card, all paid by the bank; answers the withdrawal's id.
async fn a_days_traffic(app: &TestApp) -> String {
    let payer = funded(app, "张三", 50_000).await;
    topup(app, &payer, 30_000).await;
    let withdrawal = withdrawn(app, &payer, 10_000).await;
    let owner = open_l2_holder_named(app, "王老板").await;
    let m = open_merchant(app, &owner, "兰州牛肉面").await;
    let o = order(app, &m, 10_000).await;
    let (status, paid) =
        answer(pay(app, &payer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    settled(app, &m, json!({"amount": 4_000})).await;
    settled(app, &m, json!({})).await;
    let deadline = Instant::now() + SETTLE;
    while merchant_balance(app, &m).await != (0, 0) {
        assert!(Instant::now() < deadline, "the settlements were never paid");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    withdrawal
}

#[tokio::test]
async fn the_banks_statement_of_real_traffic_reconciles_and_each_doctored_line_is_its_own_break() {
    let app = spawn_app().await;
    let day = ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock));
    let withdrawal = a_days_traffic(&app).await;
    if ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock)) != day {
        eprintln!("skipped: the traffic ran across midnight in China");
        return;
    }
    let day = day_text(day);

    // The bank's statement, printed by the binary: one line per bank reference, the two
    // settlements to one card on one line.
    let statement = recon(&app, &["statement", "--day", &day]);
    assert_eq!(statement.code, 0, "{}", statement.err);
    let csv = statement.out;
    assert!(
        csv.starts_with("date,bank_ref,kind,amount_minor,currency,our_refs\n"),
        "{csv}"
    );
    let lines = fields(&csv);
    let kinds: Vec<&str> = lines.iter().map(|l| l[2].as_str()).collect();
    assert_eq!(
        kinds,
        ["topup", "topup", "withdrawal", "settlement"],
        "{csv}"
    );
    for l in &lines {
        assert_eq!(
            (l[0].as_str(), l[4].as_str()),
            (day.as_str(), "CNY"),
            "{csv}"
        );
    }
    let payout = lines.iter().position(|l| l[2] == "withdrawal").unwrap();
    assert_eq!(lines[payout][5], withdrawal);
    assert_eq!(lines[payout][3], "10000");
    let batch = lines.iter().position(|l| l[2] == "settlement").unwrap();
    assert_eq!(
        lines[batch][3], "9940",
        "the whole takings, less the discount"
    );
    assert_eq!(lines[batch][5].split(';').count(), 2, "{csv}");
    // Another day's statement has nothing.
    let empty = recon(&app, &["statement", "--day", "2020-01-01"]);
    assert_eq!(
        (empty.code, empty.out.as_str()),
        (0, "date,bank_ref,kind,amount_minor,currency,our_refs\n")
    );

    // Imported as printed: every line matches, one to one and one to many.
    let (code, clean) = import(&app, "clean.csv", &csv);
    assert_eq!(code, 0, "{clean}");
    assert_eq!(counts(&clean), [4, 0, 0, 0, 0], "{clean}");
    assert_eq!(clean["matched_movements"], 5);
    assert_eq!(clean["replayed"], false);
    // The same file again answers the first summary and counts nothing twice.
    let (code, again) = import(&app, "clean-again.csv", &csv);
    assert_eq!(code, 0);
    assert_eq!(again["import_id"], clean["import_id"]);
    assert_eq!(again["replayed"], true);
    assert!(cases(&app, "all").is_empty());

    // One break of each kind, each its own file.
    let mut no_payout = lines.clone();
    no_payout.remove(payout);
    let mut more = lines.clone();
    more[0][3] = (more[0][3].parse::<i64>().unwrap() + 1).to_string();
    let mut late = lines.clone();
    late[batch][0] = "2099-01-01".into();
    let mut stranger = lines.clone();
    stranger.push(vec![
        day.clone(),
        "sbxm_stranger".into(),
        "topup".into(),
        "500".into(),
        "CNY".into(),
        "not-ours".into(),
    ]);
    for (name, doctored, expected) in [
        ("no-payout.csv", &no_payout, [3, 0, 1, 0, 0]),
        ("more.csv", &more, [3, 0, 0, 1, 0]),
        ("late.csv", &late, [3, 0, 0, 0, 1]),
        ("stranger.csv", &stranger, [4, 1, 0, 0, 0]),
    ] {
        let (code, summary) = import(&app, name, &file_of(doctored));
        assert_eq!((code, counts(&summary)), (1, expected), "{name}: {summary}");
        assert_eq!(summary["replayed"], false, "{name}");
    }
    let open = cases(&app, "open");
    let mut kinds: Vec<&str> = open.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "amount_differs",
            "date_outside_tolerance",
            "missing_at_bank",
            "missing_here"
        ]
    );
    let missing = open
        .iter()
        .find(|c| c["kind"] == "missing_at_bank")
        .unwrap();
    assert_eq!(missing["our_refs"], json!([withdrawal]));
    assert_eq!(missing["our_amount"], 10_000);
    // A doctored file imported again, even renamed, opens nothing more.
    let (code, replayed) = import(&app, "no-payout-again.csv", &file_of(&no_payout));
    assert_eq!((code, replayed["replayed"].clone()), (1, json!(true)));
    // Another file showing a break that is open already opens no second case for it.
    let mut no_payout_more = no_payout.clone();
    no_payout_more[0][3] = (no_payout_more[0][3].parse::<i64>().unwrap() + 1).to_string();
    let (code, summary) = import(&app, "both.csv", &file_of(&no_payout_more));
    assert_eq!((code, counts(&summary)), (1, [2, 0, 1, 1, 0]));
    assert_eq!(cases(&app, "open").len(), 4);

    // A bad line refuses the whole file, naming the line; nothing of it is kept.
    let mut bad = lines.clone();
    bad[1][3] = "12.50".into();
    let file = app.dir.join("bad.csv");
    std::fs::write(&file, file_of(&bad)).unwrap();
    for _ in 0..2 {
        let refused = recon(&app, &["import", file.to_str().unwrap()]);
        assert_eq!(refused.code, 2, "{} {}", refused.out, refused.err);
        assert!(refused.out.is_empty(), "{}", refused.out);
        assert!(
            refused.err.contains("line 3") && refused.err.contains("nothing imported"),
            "{}",
            refused.err
        );
    }
    assert_eq!(cases(&app, "all").len(), 4);

    // Accepting a case with a note; once only, with a note, and only a case that exists.
    let case = open.iter().find(|c| c["kind"] == "missing_here").unwrap();
    let id = case["id"].as_str().unwrap();
    let accepted = recon(&app, &["accept", id, "--note", "bank test entry, reversed"]);
    assert_eq!(accepted.code, 0, "{}", accepted.err);
    let done = cases(&app, "accepted");
    assert_eq!(done.len(), 1);
    assert_eq!(
        (&done[0]["id"], &done[0]["note"]),
        (&json!(id), &json!("bank test entry, reversed"))
    );
    assert!(done[0]["resolved_at"].is_string());
    assert_eq!(cases(&app, "open").len(), 3);
    for (args, says) in [
        (vec!["accept", id, "--note", "again"], "accepted already"),
        (
            vec!["accept", "no-such-case", "--note", "x"],
            "no reconciliation case",
        ),
        (
            vec!["accept", open[0]["id"].as_str().unwrap(), "--note", "  "],
            "note",
        ),
    ] {
        let refused = recon(&app, &args);
        assert_eq!(refused.code, 2, "{args:?}");
        assert!(refused.err.contains(says), "{args:?}: {}", refused.err);
    }

    // The books themselves are sound: verify passes, the funding invariant with it.
    let verified = qianbao(&app, &["verify"], &[]);
    assert_eq!(verified.code, 0, "{}", verified.out);
}

#[tokio::test]
async fn a_statement_file_with_no_line_needs_its_day_and_then_misses_everything_of_that_day() {
    let app = spawn_app().await;
    let day = ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock));
    topup(&app, &funded(&app, "张三", 0).await, 20_000).await;
    if ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock)) != day {
        return;
    }
    let file = app.dir.join("empty.csv");
    std::fs::write(&file, "date,bank_ref,kind,amount_minor,currency,our_refs\n").unwrap();
    let refused = recon(&app, &["import", file.to_str().unwrap()]);
    assert_eq!(refused.code, 2);
    assert!(refused.err.contains("name the day"), "{}", refused.err);
    let ran = recon(
        &app,
        &["import", file.to_str().unwrap(), "--day", &day_text(day)],
    );
    assert_eq!(ran.code, 1, "{}", ran.err);
    let summary: Value = serde_json::from_str(ran.out.trim()).unwrap();
    assert_eq!(counts(&summary), [0, 0, 1, 0, 0]);
    for (args, says) in [
        (vec!["statement", "--day", "2026-13-01"], "YYYY-MM-DD"),
        (vec!["cases", "--status", "closed"], "--status"),
    ] {
        let refused = recon(&app, &args);
        assert_eq!(refused.code, 2, "{args:?}");
        assert!(refused.err.contains(says), "{args:?}: {}", refused.err);
    }
}

/// Adds 100 fen to every wallet account's stored balance, around the ledger.
async fn tamper(app: &TestApp) {
    const SQL: &str = "UPDATE accounts SET balance = balance + 100 WHERE kind = 'wallet'";
    match &app.database {
        Some(db) => {
            let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.batch_execute(SQL).await.unwrap();
        }
        None => {
            let conn = rusqlite::Connection::open(app.dir.join("qianbao.db")).unwrap();
            conn.busy_timeout(Duration::from_secs(5)).unwrap();
            conn.execute(SQL, []).unwrap();
        }
    }
}

#[tokio::test]
async fn a_balance_changed_outside_the_ledger_fails_verify_and_raises_the_daily_alert() {
    let (app, clock) = spawn_app_with_clock().await;
    funded(&app, "张三", 20_000).await;
    let sound = recon(&app, &["check"]);
    assert_eq!(sound.code, 0, "{} {}", sound.out, sound.err);
    assert!(
        sound
            .out
            .contains("holds   CNY: the funding account holds 20000"),
        "{}",
        sound.out
    );

    tamper(&app).await;
    let verified = qianbao(&app, &["verify"], &[]);
    assert_eq!(verified.code, 1, "{}", verified.out);
    assert!(
        verified.out.contains(
            "funding invariant broken: CNY: the funding account holds 20000 but holders 20100"
        ) && verified.out.contains("(off by -100)"),
        "{}",
        verified.out
    );
    let broken = recon(&app, &["check"]);
    assert_eq!(broken.code, 1, "{}", broken.out);
    assert!(broken.out.contains("BROKEN  CNY"), "{}", broken.out);

    // The next day the server's own worker finds it and keeps an alert.
    clock.advance_s(86_400);
    let deadline = Instant::now() + Duration::from_secs(30);
    let alerts = loop {
        let ran = recon(&app, &["alerts", "--json"]);
        assert_eq!(ran.code, 0, "{}", ran.err);
        let alerts: Vec<Value> = ran
            .out
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let next_day = day_text(ChinaDay::of_ms(1_800_000_000_000 + 86_400_000));
        if alerts.iter().any(|a| a["day"] == json!(next_day)) {
            break alerts;
        }
        assert!(Instant::now() < deadline, "no alert was raised: {alerts:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let alert = &alerts[0];
    assert_eq!(
        (&alert["currency"], &alert["difference"]),
        (&json!("CNY"), &json!(-100)),
        "{alert}"
    );
    assert!(alert["detail"].as_str().unwrap().contains("off by -100"));
}
