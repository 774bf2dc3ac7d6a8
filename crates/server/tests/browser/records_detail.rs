//! The records screen and a record's detail page, walked in Chromium at a phone's width: the month
//! summary counts only money exchanged with others (a top-up and a withdrawal to one's own card are
//! said apart), the list has month headers, and a record opens its own page with the amount, the
//! other side, the method, the fee, the id and its steps; the back link returns to the records.

use crate::helpers::spawn_app_without_risk_rules;
use crate::journeys::{PHONE, attribute, open_in, ready, shoot};
use crate::money_helpers::{funded, money, open_l1_holder_named, transfer, typed};
use crate::webdriver::Window;
use qianbao_api_types::MoneyReply;
use serde_json::json;

/// Shows January 2027 (the test clock's month) in the summary; the page starts on today's month.
async fn summary_of_january(w: &Window) -> String {
    w.run(
        "document.getElementById('summary-month').value = '2027-01'; document.getElementById('summary-show').click()",
        json!([]),
    )
    .await;
    w.wait_text("#summary-out", |t| t == "¥217.00").await
}

#[tokio::test]
async fn a_record_opens_its_detail_page_and_the_summary_leaves_own_card_moves_out() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    // The clock stands at 2027-01-15 16:00 China time.
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let holder = funded(&app, "张三", 200_000).await;
    let friend = open_l1_holder_named(&app, "李四").await;
    let r = money(
        &app,
        "/v1/me/withdrawals",
        json!({"card_id": holder.card_id, "amount": 110_000, "pin": holder.pin}),
        &holder.token,
    )
    .await;
    let (status, withdrawal) = typed::<MoneyReply>(r).await;
    assert_eq!((status, withdrawal.fee), (201, 10), "{withdrawal:?}");
    let (status, sent) = typed::<MoneyReply>(transfer(&app, &holder, &friend, 21_700).await).await;
    assert_eq!(status, 201, "{sent:?}");

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", &holder.token).await;
    open_in(&w, &format!("{base}/#/records"), "zh").await;
    w.find("#records-list").await;

    // Spending is the transfer alone; the top-up and the withdrawal (fee included) are apart.
    assert_eq!(summary_of_january(&w).await, "¥217.00");
    assert_eq!(w.text("#summary-in").await, "¥0.00");
    let own = w.wait_for_text("#summary-own", "¥2,000.00").await;
    assert!(own.contains("¥1,100.10"), "{own}");
    assert!(own.contains("本人银行卡"), "{own}");
    let chart = w.text("#summary-chart").await;
    assert!(chart.contains("转账"), "{chart}");
    assert!(
        !chart.contains("充值") && !chart.contains("提现"),
        "{chart}"
    );

    // The list: one month header above the three records, and the statement in Chinese.
    let list = w.wait_for_text("#records-list", "¥217.00").await;
    assert_eq!(w.text("#rec-month-2027-01").await, "2027年1月", "{list}");
    assert!(
        attribute(&w, "#records-csv", "href")
            .await
            .contains("lang=zh"),
        "the statement follows the page's language"
    );
    shoot(&w, "26-records-months", "zh").await;

    // The transfer opens its page.
    w.click(&format!("#rec-{} a", sent.id)).await;
    w.find("#screen-record").await;
    w.wait_for_text("#record-amount", "¥217.00").await;
    assert_eq!(w.text("#screen-title").await, "交易详情");
    assert_eq!(w.text("#record-status").await, "成功");
    assert!(w.text("#record-counterparty").await.contains('四'));
    assert_eq!(w.text("#record-method").await, "钱包余额");
    assert_eq!(w.text("#record-fee").await, "¥0.00");
    assert_eq!(w.text("#record-id").await, sent.id);
    let fields = w.text("#record-fields").await;
    assert!(
        !fields.contains("null") && !fields.contains("undefined"),
        "{fields}"
    );
    let steps = w.text("#record-steps").await;
    assert!(
        steps.contains("已创建") && steps.contains("成功"),
        "{steps}"
    );
    assert_eq!(attribute(&w, "#nav-back", "href").await, "#/records");
    shoot(&w, "27-record-detail", "zh").await;

    // The withdrawal's page: its fee, and that it is money moved to one's own card.
    w.run(
        "location.hash = arguments[0]",
        json!([format!("#/record?id={}", withdrawal.id)]),
    )
    .await;
    w.wait_for_text("#record-amount", "¥1,100.00").await;
    assert_eq!(w.text("#record-fee").await, "¥0.10");
    assert!(w.text("#record-kind").await.contains("不计收支"));
    assert_eq!(w.text("#record-id").await, withdrawal.id);

    // An unknown id says so where the page's error shows, and back returns to the records.
    w.run("location.hash = '#/record?id=nope'", json!([])).await;
    w.wait_text("#record-error", |t| !t.is_empty()).await;
    w.click("#nav-back").await;
    w.find("#screen-records:not([hidden])").await;

    // In English, the same page in English words.
    open_in(&w, &format!("{base}/#/record?id={}", sent.id), "en").await;
    ready(&w).await;
    w.wait_for_text("#record-amount", "¥217.00").await;
    assert_eq!(w.text("#record-method").await, "Wallet balance");
    assert!(w.text("#record-steps").await.contains("Created"));
    shoot(&w, "27-record-detail", "en").await;
    w.close().await;
}
