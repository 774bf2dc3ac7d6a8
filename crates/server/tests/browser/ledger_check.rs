//! The ledger check in the holder's app (issue 23, `app-ledger-check.js`): after a few transfers
//! the holder presses 现在验证 on `#/ledger`; the browser checks the operator's signed checkpoint,
//! the inclusion proofs of their recent transactions and (on the second check) the consistency
//! proof from the checkpoint it remembered, and home shows "账本已验证 · <date>". Then the log's
//! first lines are rewritten behind the server's back (every stored node on the tree's left edge,
//! as an operator rewriting history would leave them), one more transfer makes a new checkpoint
//! over the rewritten tree, and the next check raises the red
//! alarm "history was rewritten", on `#/ledger` and on home, in both languages.

use crate::convert::{hidden, signed_in};
use crate::helpers::{spawn_app, tamper};
use crate::journeys::{PHONE, shoot};
use crate::money_helpers::{answer, funded, transfer};
use crate::webdriver::Window;
use serde_json::json;

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

    // The second check proves the log only grew since the first.
    let (status, body) = answer(transfer(&app, &a, &b, 400).await).await;
    assert_eq!(status, 201, "{body}");
    check_now(&w, &base).await;
    w.wait_for_text("#ledger-consistency", "只增加").await;
    w.wait_for_text("#ledger-ok", "账本已验证").await;
    shot(&w, "120-ledger-verified", "zh").await;
    w.goto(&format!("{base}/#/home")).await;
    w.wait_for_text("#home-ledger-ok", "账本已验证").await;
    assert!(hidden(&w, "#home-ledger-alarm").await);

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
    let alarm = w.wait_for_text("#ledger-alarm", "账本验证失败").await;
    assert!(alarm.contains("历史记录被改写"), "{alarm}");
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
