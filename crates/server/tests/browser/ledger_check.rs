//! The ledger check in the holder's app (issue 23, `app-ledger-check.js`): after a few transfers
//! the holder presses 现在验证 on `#/ledger`; the browser checks the operator's signed checkpoint,
//! the inclusion proofs of their recent transactions and (on the second check) the consistency
//! proof from the checkpoint it remembered, and home shows "账本已验证 · <date>". No liability
//! snapshot is said quietly; once one is taken the check shows the holder's balance counted in the
//! operator's total (also when the log grew between the check's checkpoint and the proof: the page
//! then checks the newer signed checkpoint it is under), and when the published root is bent the
//! alarm names the liabilities. Then the
//! log's first lines are rewritten behind the server's back (every stored node on the tree's left
//! edge, as an operator rewriting history would leave them), one more transfer makes a new
//! checkpoint over the rewritten tree, and the next check raises the red alarm "history was
//! rewritten", on `#/ledger` and on home, in both languages.

use crate::convert::{hidden, signed_in};
use crate::helpers::{call, qianbao, spawn_app, tamper};
use crate::journeys::{PHONE, shoot};
use crate::money_helpers::{answer, funded, transfer};
use crate::webdriver::Window;
use serde_json::{Value, json};

/// Makes the page's next `GET /v1/proofs/checkpoint` answer `arguments[0]` (a checkpoint the
/// server signed earlier) instead of asking the server, as if the log grew right after it.
const STALE_CHECKPOINT_ONCE: &str = r#"
const stale = arguments[0];
const real = window.fetch;
window.fetch = function (input, init) {
  if (String(input).includes('/v1/proofs/checkpoint')) {
    window.fetch = real;
    return Promise.resolve(new Response(JSON.stringify(stale), { status: 200, headers: { 'Content-Type': 'application/json' } }));
  }
  return real.call(this, input, init);
};
"#;

/// From what the page keeps: the last check's checkpoint size, the size its liability proof was
/// checked under, and the size of the checkpoint it remembers.
const LAST_SIZES: &str = r#"
const keys = Object.keys(localStorage);
const r = JSON.parse(localStorage[keys.find((k) => k.startsWith('qb_ledger_result:'))]);
const cp = JSON.parse(localStorage[keys.find((k) => k.startsWith('qb_ledger_cp:'))]);
return [r.size, r.liability.logSize, cp.size];
"#;

/// Scrolls to the top (the mark), then saves the screen.
async fn shot(w: &Window, name: &str, lang: &str) {
    w.run("window.scrollTo(0, 0)", json!([])).await;
    shoot(w, name, lang).await;
}

async fn check_now(w: &Window, base: &str) {
    w.goto(&format!("{base}/#/ledger")).await;
    w.find("#screen-ledger").await;
    w.click("#ledger-check").await;
}

#[tokio::test]
async fn the_app_verifies_the_ledger_and_raises_the_alarm_when_history_is_rewritten() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let a = funded(&app, "张三", 10_000).await;
    let b = funded(&app, "李四", 0).await;
    for amount in [100, 200, 300] {
        let (status, body) = answer(transfer(&app, &a, &b, amount).await).await;
        assert_eq!(status, 201, "{body}");
    }

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &a.token, "zh").await;
    assert!(
        hidden(&w, "#home-ledger").await,
        "no mark before a first check"
    );
    w.goto(&format!("{base}/#/ledger")).await;
    w.wait_for_text("#screen-title", "账本验证").await;
    w.wait_for_text("#ledger-never", "尚未验证").await;
    w.click("#ledger-check").await;
    let mark = w.wait_for_text("#ledger-ok", "账本已验证").await;
    assert!(mark.contains("条记录"), "{mark}");
    assert!(
        w.text("#ledger-signature")
            .await
            .contains("已用运营方公钥验证"),
        "Chromium checks Ed25519"
    );
    assert!(w.text("#ledger-consistency").await.contains("第一个检查点"));
    let txs = w.text("#ledger-txs").await;
    assert!(txs.contains("在账本中"), "{txs}");
    assert!(!txs.contains("未能证明"), "{txs}");
    // No liability snapshot yet: said quietly, not an alarm.
    w.wait_for_text("#ledger-liab-state", "尚未公布负债快照")
        .await;

    // The second check proves the log only grew since the first.
    let (status, body) = answer(transfer(&app, &a, &b, 400).await).await;
    assert_eq!(status, 201, "{body}");
    check_now(&w, &base).await;
    w.wait_for_text("#ledger-consistency", "只增加").await;
    w.wait_for_text("#ledger-ok", "账本已验证").await;

    // The day's liability snapshot: the next check finds the holder's ¥90.00 counted in the
    // operator's total of ¥100.00 (all that was topped up), its date shown.
    let out = qianbao(&app, &["admin", "liabilities", "snapshot"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_now(&w, &base).await;
    let counted = w.wait_for_text("#ledger-liab-state", "已计入").await;
    assert!(counted.contains("¥90.00"), "{counted}");
    w.wait_for_text("#ledger-ok", "账本已验证").await;
    assert!(w.text("#ledger-liab-totals").await.contains("¥100.00"));
    assert!(!w.text("#ledger-liab-date").await.is_empty());
    shot(&w, "120-ledger-verified", "zh").await;
    w.goto(&format!("{base}/#/home")).await;
    w.wait_for_text("#home-ledger-ok", "账本已验证").await;
    assert!(hidden(&w, "#home-ledger-alarm").await);

    // The log grows between the check's checkpoint and the liability proof (here a transfer
    // after the checkpoint the page is handed, which the phone has seen already): the proof is
    // under the newer checkpoint the server signs on demand, so the page fetches that one, checks
    // its signature and that it extends the first, checks the snapshot's leaf under it, and
    // remembers it.
    let (status, before) =
        answer(call(&app, "GET", "/v1/proofs/checkpoint", None, None).await).await;
    assert_eq!(status, 200, "{before}");
    let (status, body) = answer(transfer(&app, &a, &b, 50).await).await;
    assert_eq!(status, 201, "{body}");
    w.run(STALE_CHECKPOINT_ONCE, json!([before])).await;
    check_now(&w, &base).await;
    let size = before["size"].as_i64().unwrap();
    w.wait_for_text("#ledger-consistency", &format!("{size} → {size} 条"))
        .await;
    w.wait_for_text("#ledger-liab-state", "已计入").await;
    let sizes = w.run(LAST_SIZES, json!([])).await;
    assert_eq!(sizes, json!([size, size + 1, size + 1]), "{sizes}");

    // The operator publishes another root than the tree the holder's path climbs to: the
    // alarm names the liabilities, the transactions checked before it still shown.
    tamper(
        &app,
        "UPDATE liability_snapshots SET root_hash = zeroblob(32)",
    )
    .await;
    check_now(&w, &base).await;
    let alarm = w.wait_for_text("#ledger-alarm", "账本验证失败").await;
    assert!(
        alarm.contains("你的余额未被计入运营方公布的负债总额"),
        "{alarm}"
    );
    w.wait_for_text("#ledger-liab-state", "未能证明").await;
    assert!(!hidden(&w, "#ledger-txs-box").await);
    shot(&w, "122-ledger-liability-alarm", "zh").await;
    w.goto(&format!("{base}/#/home")).await;
    w.wait_for_text("#home-ledger-alarm", "负债总额").await;

    // History rewritten behind the server's back: the log's right edge is replaced, so the next
    // signed tree does not extend the one the phone saw.
    tamper(
        &app,
        "UPDATE log_nodes SET hash = (SELECT hash FROM log_nodes WHERE level = 0 AND idx = 1) \
         WHERE idx = 0",
    )
    .await;
    let (status, body) = answer(transfer(&app, &a, &b, 500).await).await;
    assert_eq!(status, 201, "{body}");
    check_now(&w, &base).await;
    // The liability alarm is still up until this check ends: wait for the new reason.
    let alarm = w.wait_for_text("#ledger-alarm", "历史记录被改写").await;
    assert!(alarm.contains("账本验证失败"), "{alarm}");
    assert!(hidden(&w, "#ledger-ok").await);
    assert!(w.text("#ledger-consistency").await.contains("不一致"));
    assert!(
        hidden(&w, "#ledger-txs-box").await,
        "the check stopped there"
    );
    shot(&w, "121-ledger-alarm", "zh").await;
    w.goto(&format!("{base}/#/home")).await;
    w.wait_for_text("#home-ledger-alarm", "历史记录被改写")
        .await;
    assert!(hidden(&w, "#home-ledger-ok").await);

    // The alarm stays: the next check still fails, and the English page says it too.
    signed_in(&w, &base, &a.token, "en").await;
    w.wait_for_text("#home-ledger-alarm", "history was rewritten")
        .await;
    check_now(&w, &base).await;
    w.wait_for_text("#ledger-alarm", "Ledger check failed")
        .await;
    shot(&w, "121-ledger-alarm", "en").await;
    w.close().await;
}

/// The checks of `ledger-verify.js`, run by node on one test server's answers as they are and
/// bent: the checkpoint's signature, an inclusion proof and a consistency proof each hold, and a
/// changed byte, index, size or root makes each fail. (The walk above sees only the alarm a
/// rewritten history raises; this covers each check's refusals.)
const NODE_CHECKS: &str = r#"
import * as v from './ledger-verify.mjs';
import { readFileSync } from 'node:fs';
const d = JSON.parse(readFileSync('answers.json', 'utf8'));
const bend = (s) => { const b = v.b64(s); b[5] ^= 1; return Buffer.from(b).toString('base64'); };
const out = {};
const key = await v.parseVkey(d.key.vkey);
out.ed25519 = await v.ed25519Available();
const cp = await v.checkCheckpoint(d.new, key);
out.checkpoint = cp.ok && cp.signatureChecked;
out.bent_signature = (await v.checkCheckpoint({ ...d.new, signature: bend(d.new.signature) }, key)).reason;
out.bent_root = (await v.checkCheckpoint({ ...d.new, root_hash: bend(d.new.root_hash) }, key)).reason;
try { await v.parseVkey(d.key.vkey.replace(/\+([0-9a-f])/, (m, c) => '+' + (c === '0' ? '1' : '0'))); out.bent_key = 'accepted'; }
catch (_) { out.bent_key = 'refused'; }
const old = await v.checkCheckpoint(d.old, key);
out.inclusion = await v.checkInclusion(d.inclusion, old);
out.inclusion_other_root = await v.checkInclusion(d.inclusion, cp);
out.inclusion_bent_path = await v.checkInclusion({ ...d.inclusion, proof: d.inclusion.proof.map(bend) }, old);
out.inclusion_bent_leaf = await v.checkInclusion({ ...d.inclusion, leaf: bend(d.inclusion.leaf) }, old);
out.inclusion_next_index = await v.checkInclusion({ ...d.inclusion, leaf_index: d.inclusion.leaf_index + 1 }, old);
out.inclusion_foreign_account = await v.checkInclusion({ ...d.inclusion, accounts: [{ commitment: bend(d.inclusion.accounts[0].commitment) }] }, old);
out.consistency = await v.checkConsistency(d.consistency, old, cp);
out.consistency_bent = await v.checkConsistency({ ...d.consistency, proof: d.consistency.proof.map(bend) }, old, cp);
out.consistency_other_old = await v.checkConsistency(d.consistency, { ...old, root: cp.root }, cp);
console.log(JSON.stringify(out));
"#;

#[tokio::test]
async fn the_apps_verifier_holds_on_the_servers_proofs_and_refuses_bent_ones() {
    if !node_installed() {
        return;
    }
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = funded(&app, "李四", 0).await;
    let mut ids = Vec::new();
    for amount in [100, 200, 300] {
        let (status, body) = answer(transfer(&app, &a, &b, amount).await).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let get = |path: String, token: Option<String>| {
        let app = &app;
        async move {
            let (status, body) =
                answer(call(app, "GET", &path, None, token.as_deref()).await).await;
            assert_eq!(status, 200, "{path}: {body}");
            body
        }
    };
    let key = get("/v1/proofs/key".into(), None).await;
    let old = get("/v1/proofs/checkpoint".into(), None).await;
    let inclusion = get(
        format!("/v1/me/transactions/{}/proof", ids[1]),
        Some(a.token.clone()),
    )
    .await;
    let (status, body) = answer(transfer(&app, &a, &b, 400).await).await;
    assert_eq!(status, 201, "{body}");
    let new = get("/v1/proofs/checkpoint".into(), None).await;
    let consistency = get(
        format!(
            "/v1/proofs/consistency?from={}&to={}",
            old["size"], new["size"]
        ),
        None,
    )
    .await;

    let answers = json!({"key": key, "old": old, "new": new, "inclusion": inclusion, "consistency": consistency});
    let got = run_node(&app, NODE_CHECKS, &answers);
    assert_eq!(
        got,
        json!({
            "ed25519": true,
            "checkpoint": true,
            "bent_signature": "signature",
            "bent_root": "checkpoint",
            "bent_key": "refused",
            "inclusion": true,
            "inclusion_other_root": false,
            "inclusion_bent_path": false,
            "inclusion_bent_leaf": false,
            "inclusion_next_index": false,
            "inclusion_foreign_account": false,
            "consistency": true,
            "consistency_bent": false,
            "consistency_other_old": false,
        })
    );
}

/// Whether node is here to run the verifier; without it the node tests print a note and pass,
/// unless `QIANBAO_REQUIRE_BROWSER=1`.
fn node_installed() -> bool {
    let node = std::process::Command::new("node").arg("--version").output();
    if node.is_err() {
        assert!(
            std::env::var("QIANBAO_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "QIANBAO_REQUIRE_BROWSER=1 but node is not installed"
        );
        eprintln!("note: node not installed; the verifier's node test skipped");
        return false;
    }
    true
}

/// Runs `script` under node beside a copy of `ledger-verify.js` (as `ledger-verify.mjs`) and
/// `answers` (as `answers.json`), and answers the JSON line it prints.
fn run_node(app: &crate::helpers::TestApp, script: &str, answers: &Value) -> Value {
    let dir = app.dir.join("node-verifier");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/web/ledger-verify.js"),
        dir.join("ledger-verify.mjs"),
    )
    .unwrap();
    std::fs::write(dir.join("checks.mjs"), script).unwrap();
    std::fs::write(dir.join("answers.json"), answers.to_string()).unwrap();
    let out = std::process::Command::new("node")
        .arg("checks.mjs")
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

/// `checkLiability` of `ledger-verify.js`, run by node on a real liability proof and bent: each
/// bend must fail, and say where.
const NODE_LIABILITY_CHECKS: &str = r#"
import * as v from './ledger-verify.mjs';
import { readFileSync } from 'node:fs';
const d = JSON.parse(readFileSync('answers.json', 'utf8'));
const key = await v.parseVkey(d.key.vkey);
const cp = await v.checkCheckpoint(d.checkpoint, key);
const p = d.proof;
const copy = () => JSON.parse(JSON.stringify(p));
const bent = (f) => { const q = copy(); f(q); return q; };
const text = Buffer.from(p.log.leaf, 'base64').toString('utf8');
const leafOf = (t) => Buffer.from(t, 'utf8').toString('base64');
const reason = async (q, c) => (await v.checkLiability(q, c || cp)).reason;
const out = {};
out.checkpoint = cp.ok && cp.signatureChecked && cp.size === p.log.tree_size;
const good = await v.checkLiability(p, cp);
out.ok = good.ok;
out.balances = good.balances;
out.totals = good.totals;
out.snapshot = good.snapshotId === p.snapshot_id;
out.taken_at = Math.abs(Date.parse(good.takenAt) - Date.parse(p.taken_at)) < 1000;
out.path_steps = p.path.length > 0;
out.balance_plus_one = await reason(bent((q) => { q.leaf.balances.CNY += 1; }));
out.balance_negative = await reason(bent((q) => { q.leaf.balances.CNY = -1; }));
out.balance_inexact = await reason(bent((q) => { q.leaf.balances.CNY = 2 ** 53; }));
out.balance_zero_entry = (await v.checkLiability(bent((q) => { q.leaf.balances.USD = 0; }), cp)).ok;
out.sibling_sum = await reason(bent((q) => { q.path[0].sums.CNY = (q.path[0].sums.CNY || 0) + 1; }));
out.sibling_negative = await reason(bent((q) => { q.path[0].sums.CNY = -5; }));
out.step_dropped = await reason(bent((q) => { q.path.pop(); }));
out.side_flipped = await reason(bent((q) => { q.path[0].side = q.path[0].side === 'left' ? 'right' : 'left'; }));
out.side_unknown = await reason(bent((q) => { q.path[0].side = 'up'; }));
out.other_id = await reason(bent((q) => { q.leaf.id += 'x'; }));
out.root_sum = await reason(bent((q) => { q.root.sums.CNY -= 1; }));
out.root_hash = await reason(bent((q) => { const h = Buffer.from(q.root.hash, 'base64'); h[0] ^= 1; q.root.hash = h.toString('base64'); }));
out.log_root = await reason(bent((q) => { q.log.leaf = leafOf(text.replace(/^root (.)/m, (m, c) => 'root ' + (c === '0' ? '1' : '0'))); }));
out.log_sum = await reason(bent((q) => { q.log.leaf = leafOf(text.replace(/^sum CNY (\d+)$/m, (m, n) => 'sum CNY ' + (Number(n) + 1))); }));
out.log_snapshot = await reason(bent((q) => { q.snapshot_id += 'x'; }));
out.log_not_canonical = await reason(bent((q) => { q.log.leaf = leafOf(text.replace(/^leaves /m, 'leaves 0')); }));
out.log_trailing = await reason(bent((q) => { q.log.leaf = leafOf(text + 'more\n'); }));
out.log_next_index = await reason(bent((q) => { q.log.leaf_index += 1; }));
out.log_other_checkpoint = await reason(p, { size: cp.size + 1, root: cp.root });
out.malformed = await reason(bent((q) => { q.leaf.salt = 'AAAA'; }));
console.log(JSON.stringify(out));
"#;

#[tokio::test]
async fn the_apps_liability_check_holds_on_the_servers_proof_and_refuses_bent_ones() {
    if !node_installed() {
        return;
    }
    let app = spawn_app().await;
    let a = funded(&app, "张三", 10_000).await;
    let b = funded(&app, "李四", 0).await;
    let (status, body) = answer(transfer(&app, &a, &b, 2_500).await).await;
    assert_eq!(status, 201, "{body}");
    let out = qianbao(&app, &["admin", "liabilities", "snapshot"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let get = |path: &str, token: Option<&str>| {
        let app = &app;
        let path = path.to_string();
        let token = token.map(str::to_string);
        async move {
            let (status, body) =
                answer(call(app, "GET", &path, None, token.as_deref()).await).await;
            assert_eq!(status, 200, "{path}: {body}");
            body
        }
    };
    let key = get("/v1/proofs/key", None).await;
    let proof = get("/v1/me/liability-proof", Some(&a.token)).await;
    let checkpoint = get("/v1/proofs/checkpoint", None).await;
    let answers = json!({"key": key, "proof": proof, "checkpoint": checkpoint});
    let got = run_node(&app, NODE_LIABILITY_CHECKS, &answers);
    assert_eq!(
        got,
        json!({
            "checkpoint": true,
            "ok": true,
            "balances": {"CNY": 7_500},
            "totals": {"CNY": 10_000},
            "snapshot": true,
            "taken_at": true,
            "path_steps": true,
            "balance_plus_one": "root_hash",
            "balance_negative": "negative",
            "balance_inexact": "negative",
            "balance_zero_entry": true,
            "sibling_sum": "root_hash",
            "sibling_negative": "negative",
            "step_dropped": "root_hash",
            "side_flipped": "root_hash",
            "side_unknown": "malformed",
            "other_id": "commitment",
            "root_sum": "root_sums",
            "root_hash": "root_hash",
            "log_root": "log_root",
            "log_sum": "log_sums",
            "log_snapshot": "log_snapshot",
            "log_not_canonical": "log_leaf",
            "log_trailing": "log_leaf",
            "log_next_index": "log_inclusion",
            "log_other_checkpoint": "log_inclusion",
            "malformed": "malformed",
        })
    );
}
