//! Red packets over HTTP: a group packet claimed share by share with its split checked against
//! the commitment once revealed, a one-to-one packet only its recipient may open, the return of
//! what nobody claimed by the durable timer, idempotent sending, and a thousand racing claims of
//! a hundred shares.

use crate::helpers::{
    TestApp, call, code_for, get, problem, spawn_app_with_clock, spawn_app_without_risk_rules,
};
use crate::money_helpers::{
    Holder, SETTLE, answer, assert_ledger_clean, available, funded, inbox, keyed, ledger, money,
    refused, signed_up,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Instant;

async fn send(app: &TestApp, from: &Holder, body: Value) -> (u16, Value) {
    let mut body = body;
    body["pin"] = json!(from.pin);
    answer(money(app, "/v1/red-packets", body, &from.token).await).await
}

async fn claim(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    call(
        app,
        "POST",
        &format!("/v1/red-packets/{id}/claim"),
        None,
        Some(token),
    )
    .await
}

async fn page(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    answer(get(app, &format!("/v1/red-packets/{id}"), token).await).await
}

/// The commitment as the contract publishes it, computed here without the wallet's code.
fn commitment_of(revealed: &Value) -> String {
    let shares: Vec<String> = revealed["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_i64().unwrap().to_string())
        .collect();
    let text = format!(
        "{}:{}",
        revealed["salt"].as_str().unwrap(),
        shares.join(",")
    );
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_group_packet_is_claimed_share_by_share_and_its_split_checks_against_its_commitment() {
    let (app, _clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "王红", 10_000).await;
    let (status, sent) = send(
        &app,
        &sender,
        json!({"amount": 1_000, "shares": 4, "split": "random", "memo": "新年快乐"}),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_string();
    assert_eq!(sent["commitment"].as_str().unwrap().len(), 64);
    assert!(sent["claim_payload"].as_str().unwrap().contains(&id));
    assert_eq!(available(&app, &sender.token).await, 9_000);

    // Before it is finished, the page shows no split.
    let (status, before) = page(&app, &sender.token, &id).await;
    assert_eq!(status, 200, "{before}");
    assert!(before.get("revealed").is_none(), "{before}");
    assert_eq!(before["status"], "open");

    let mut got = Vec::new();
    let mut claimants = Vec::new();
    for _ in 0..4 {
        let h = signed_up(&app).await;
        let (status, body) = answer(claim(&app, &h.token, &id).await).await;
        assert_eq!(status, 201, "{body}");
        let amount = body["amount"].as_i64().unwrap();
        assert!(amount >= 1);
        assert_eq!(available(&app, &h.token).await, amount);
        got.push(amount);
        claimants.push(h);
    }
    assert_eq!(
        got.iter().sum::<i64>(),
        1_000,
        "the shares sum to the packet"
    );
    // A second claim by one holder, and a fifth holder's claim, are refused.
    assert_eq!(
        refused(claim(&app, &claimants[0].token, &id).await).await,
        (409, "already_claimed".into())
    );
    let late = signed_up(&app).await;
    assert_eq!(
        refused(claim(&app, &late.token, &id).await).await,
        (410, "red_packet_empty".into())
    );
    assert_eq!(available(&app, &late.token).await, 0);

    // Finished: the shares and salt are revealed, check against the commitment, and are the
    // amounts the claimants got, in order.
    let (_, after) = page(&app, &late.token, &id).await;
    assert_eq!(after["status"], "finished", "{after}");
    assert_eq!(commitment_of(&after["revealed"]), sent["commitment"]);
    let revealed: Vec<i64> = after["revealed"]["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(revealed, got);
    let claims = after["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 4);
    for (i, c) in claims.iter().enumerate() {
        assert_eq!(c["index"], i);
        assert_eq!(c["amount"], got[i]);
    }
    let (_, mine) = page(&app, &claimants[2].token, &id).await;
    assert_eq!(mine["my_amount"], got[2]);
    // The sender's list has it; the ledger is balanced and the escrow empty.
    let (status, list) = answer(get(&app, "/v1/me/red-packets", &sender.token).await).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["id"], id);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_one_to_one_packet_is_its_recipients_alone() {
    let (app, _clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "李雷", 50_000).await;
    let recipient = signed_up(&app).await;
    let stranger = signed_up(&app).await;
    // Above ¥200, or more than one share, is refused and nothing moves.
    let (status, body) = send(
        &app,
        &sender,
        json!({"amount": 20_001, "shares": 1, "split": "even", "to_phone": recipient.phone}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("amount_invalid"))
    );
    let (status, body) = send(
        &app,
        &sender,
        json!({"amount": 1_000, "shares": 2, "split": "even", "to_phone": recipient.phone}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_request"))
    );
    let (status, body) = send(
        &app,
        &sender,
        json!({"amount": 1_000, "shares": 1, "split": "even", "to_phone": sender.phone}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_payee"))
    );
    assert_eq!(available(&app, &sender.token).await, 50_000);

    let (status, sent) = send(
        &app,
        &sender,
        json!({"amount": 8_888, "shares": 1, "split": "even", "to_phone": recipient.phone}),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["id"].as_str().unwrap();
    assert!(
        inbox(&app, &recipient.token)
            .await
            .iter()
            .any(|n| n["kind"] == "red_packet"),
        "the recipient is told"
    );
    // Neither a stranger nor the sender may open it; the stranger cannot even see it.
    assert_eq!(
        refused(claim(&app, &stranger.token, id).await).await,
        (404, "not_found".into())
    );
    assert_eq!(page(&app, &stranger.token, id).await.0, 404);
    assert_eq!(
        refused(claim(&app, &sender.token, id).await).await,
        (422, "invalid_payee".into())
    );
    let (status, body) = answer(claim(&app, &recipient.token, id).await).await;
    assert_eq!((status, body["amount"].as_i64()), (201, Some(8_888)));
    assert_eq!(available(&app, &recipient.token).await, 8_888);
    assert_eq!(available(&app, &sender.token).await, 50_000 - 8_888);
    let (_, shown) = page(&app, &sender.token, id).await;
    assert_eq!(shown["kind"], "one_to_one");
    assert_eq!(commitment_of(&shown["revealed"]), sent["commitment"]);
}

#[tokio::test]
async fn sending_takes_the_pin_and_the_key_and_moves_money_once() {
    let (app, _clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "韩梅", 5_000).await;
    let mut body = json!({"amount": 3_000, "shares": 3, "split": "even", "pin": "000000"});
    let (status, code) =
        refused(keyed(&app, "/v1/red-packets", body.clone(), &sender.token, "k-1").await).await;
    assert_eq!((status, code.as_str()), (401, "pin_incorrect"));
    body["pin"] = json!(sender.pin);
    let (first_status, first) =
        answer(keyed(&app, "/v1/red-packets", body.clone(), &sender.token, "k-2").await).await;
    assert_eq!(first_status, 201, "{first}");
    let r = keyed(&app, "/v1/red-packets", body.clone(), &sender.token, "k-2").await;
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let (_, again) = answer(r).await;
    assert_eq!(again, first, "the same key answers the same packet");
    assert_eq!(available(&app, &sender.token).await, 2_000);
    // Not enough left for another; too many shares; a bad split.
    let (status, code) =
        refused(keyed(&app, "/v1/red-packets", body.clone(), &sender.token, "k-3").await).await;
    assert_eq!((status, code.as_str()), (422, "insufficient_balance"));
    for (field, value) in [
        ("shares", json!(101)),
        ("shares", json!(0)),
        ("split", json!("lucky")),
    ] {
        let mut bad = body.clone();
        bad["amount"] = json!(1_000);
        bad[field] = value;
        let r = money(&app, "/v1/red-packets", bad, &sender.token).await;
        assert_eq!(r.status(), 422, "{field}");
    }
    // More shares than fen: every share must be at least one fen.
    let (status, _) = send(
        &app,
        &sender,
        json!({"amount": 5, "shares": 6, "split": "random"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(available(&app, &sender.token).await, 2_000);
    // An even split of 3,000 in 3 reveals 1,000 each once claimed.
    let id = first["id"].as_str().unwrap();
    for _ in 0..3 {
        let h = signed_up(&app).await;
        let (status, got) = answer(claim(&app, &h.token, id).await).await;
        assert_eq!((status, got["amount"].as_i64()), (201, Some(1_000)));
    }
}

#[tokio::test]
async fn what_nobody_claims_goes_back_to_the_sender_after_a_day() {
    let (app, clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "赵敏", 10_000).await;
    let (_, sent) = send(
        &app,
        &sender,
        json!({"amount": 900, "shares": 3, "split": "even"}),
    )
    .await;
    let id = sent["id"].as_str().unwrap();
    let first = signed_up(&app).await;
    assert_eq!(claim(&app, &first.token, id).await.status(), 201);
    assert_eq!(available(&app, &sender.token).await, 9_100);

    clock.advance_s(24 * 3600 + 1);
    // Past its time, a claim is refused even before the timer has run.
    let late = signed_up(&app).await;
    assert_eq!(
        refused(claim(&app, &late.token, id).await).await,
        (410, "red_packet_expired".into())
    );
    let started = Instant::now();
    while available(&app, &sender.token).await != 9_700 {
        assert!(started.elapsed() < SETTLE, "the unclaimed 600 came back");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Once, however long the timers keep running.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(available(&app, &sender.token).await, 9_700);
    let (_, shown) = page(&app, &sender.token, id).await;
    assert_eq!(shown["status"], "expired");
    assert_eq!(commitment_of(&shown["revealed"]), sent["commitment"]);
    assert!(
        inbox(&app, &sender.token)
            .await
            .iter()
            .any(|n| n["kind"] == "red_packet_returned")
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_thousand_racing_claims_of_a_hundred_shares_pay_exactly_a_hundred_once_each() {
    // Risk control would ask this new sender's ¥10,000 packet for a second factor (tested
    // below); the race is the claims'.
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let sender = funded(&app, "钱多", 1_000_000).await;
    let (status, sent) = send(
        &app,
        &sender,
        json!({"amount": 1_000_000, "shares": 100, "split": "random"}),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_string();
    // 125 holders each send eight claims at once: 1,000 claims.
    let app = std::sync::Arc::new(app);
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..125 {
        let app = app.clone();
        opening.spawn(async move { signed_up(&app).await });
    }
    let holders: Vec<Holder> = opening.join_all().await;
    let mut claims = tokio::task::JoinSet::new();
    for h in &holders {
        for _ in 0..8 {
            let (app, token, id) = (app.clone(), h.token.clone(), id.clone());
            claims.spawn(async move {
                let (status, body) = answer(claim(&app, &token, &id).await).await;
                (token, status, body)
            });
        }
    }
    let answers = claims.join_all().await;
    assert_eq!(answers.len(), 1_000);
    let mut wins: HashMap<String, i64> = HashMap::new();
    let mut total = 0;
    for (token, status, body) in &answers {
        match status {
            201 => {
                let amount = body["amount"].as_i64().unwrap();
                assert!(
                    wins.insert(token.clone(), amount).is_none(),
                    "nobody gets two"
                );
                total += amount;
            }
            409 => assert_eq!(body["code"], "already_claimed"),
            410 => assert_eq!(body["code"], "red_packet_empty"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(wins.len(), 100, "exactly a hundred claims succeed");
    assert_eq!(total, 1_000_000, "the shares sum to the packet exactly");
    for h in &holders {
        let got = wins.get(&h.token).copied().unwrap_or(0);
        assert_eq!(available(&app, &h.token).await, got);
    }
    let (_, shown) = page(&app, &sender.token, &id).await;
    assert_eq!(shown["status"], "finished");
    assert_eq!(commitment_of(&shown["revealed"]), sent["commitment"]);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn verify_checks_the_escrow_against_what_open_packets_owe() {
    let (app, _clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "周芷若", 10_000).await;
    let (_, sent) = send(
        &app,
        &sender,
        json!({"amount": 3_000, "shares": 3, "split": "random"}),
    )
    .await;
    let id = sent["id"].as_str().unwrap();
    let claimant = signed_up(&app).await;
    assert_eq!(claim(&app, &claimant.token, id).await.status(), 201);
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(0), "{out}");
    // A claim's row bent by hand: the packet says less is owed than the escrow holds.
    let sql =
        format!("UPDATE red_packets SET claimed_amount = claimed_amount + 1 WHERE id = '{id}'");
    crate::helpers::tamper(&app, &sql).await;
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("red-packet escrow"), "{out}");
}

/// The fairness script `docs/red-packets.md` gives, as written there.
fn fairness_script() -> String {
    let doc = include_str!("../../../../docs/red-packets.md");
    let start = doc.find("```python\n").expect("the docs give a script") + "```python\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

#[tokio::test]
async fn the_script_in_the_docs_checks_a_finished_packet_and_catches_a_bent_one() {
    let (app, _clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "黄蓉", 10_000).await;
    let (_, sent) = send(
        &app,
        &sender,
        json!({"amount": 777, "shares": 3, "split": "random"}),
    )
    .await;
    let id = sent["id"].as_str().unwrap();
    for _ in 0..3 {
        let h = signed_up(&app).await;
        assert_eq!(claim(&app, &h.token, id).await.status(), 201);
    }
    let (_, packet) = page(&app, &sender.token, id).await;
    let dir = crate::helpers::temp_dir("fairness");
    std::fs::write(dir.join("check.py"), fairness_script()).unwrap();
    let run = |packet: &Value| {
        std::fs::write(dir.join("packet.json"), packet.to_string()).unwrap();
        std::process::Command::new("python3")
            .arg("check.py")
            .current_dir(&dir)
            .output()
            .expect("python3 runs the docs' script")
    };
    let out = run(&packet);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("fair:"));
    // One fen moved between two revealed shares: the script says it is not the committed split.
    let mut bent = packet.clone();
    let shares = bent["revealed"]["shares"].as_array_mut().unwrap();
    let (a, b) = (shares[0].as_i64().unwrap(), shares[1].as_i64().unwrap());
    shares[0] = json!(a + 1);
    shares[1] = json!(b - 1);
    let out = run(&bent);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the committed split"));
}

#[tokio::test]
async fn a_large_packet_asks_for_a_second_factor_bound_to_it() {
    let (app, clock) = spawn_app_with_clock().await;
    let sender = funded(&app, "郭靖", 1_000_000).await;
    let body = json!({"amount": 600_000, "shares": 10, "split": "random", "pin": sender.pin});
    let r = keyed(
        &app,
        "/v1/red-packets",
        body.clone(),
        &sender.token,
        "rp-big",
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code.as_str()), (401, "step_up_required"));
    assert_eq!(p.reason.as_deref(), Some("large_payment"));
    assert_eq!(
        available(&app, &sender.token).await,
        1_000_000,
        "nothing moved"
    );
    // Past the SMS resend wait of the codes that opened the wallet.
    clock.advance_s(61);
    let otp = code_for(&app, &sender.phone, "step_up").await;
    let mut proven = body.clone();
    proven["second_factor"] = json!({"otp": otp});
    let (status, sent) =
        answer(keyed(&app, "/v1/red-packets", proven, &sender.token, "rp-big").await).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(available(&app, &sender.token).await, 400_000);
}
