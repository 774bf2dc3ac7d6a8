//! Home like a wallet (issue 18, item 9 and "home like a wallet"), walked in Chromium at a phone's
//! width: the next step to a higher level (the opening steps at L0, the face check at L2, nothing
//! at L3); the eye that hides every balance figure and is remembered; held money said as 待到账
//! (a delayed transfer) and never as 冻结中; recent payees that fill the payee; the shared result
//! page after a transfer, a top-up, a withdrawal, a scan-to-pay and a shop's charge confirmed on
//! the phone, each with "查看详情" opening the record; category icons in the records; the
//! service tiles, all live; and the inbox telling of a PIN change and a freeze.

use crate::a11y::audit;
use crate::helpers::{TestApp, call, png, spawn_app_without_risk_rules};
use crate::journeys::{PHONE, attribute, open_in, shoot, show};
use crate::money_helpers::{
    Holder, PIN, funded, open_l1_holder_named, open_merchant, order, payment_code, signed_up,
};
use crate::webdriver::Window;
use serde_json::json;

/// Opens the app signed in with `token`, on the home screen in Chinese.
async fn signed_in(w: &Window, base: &str, token: &str) {
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", token).await;
    open_in(w, &format!("{base}/#/home"), "zh").await;
    w.find("#home-balance").await;
}

/// The id a result page's "查看详情" opens (`#/record?id=<id>`), checked to be that link.
async fn detail_id(w: &Window, prefix: &str) -> String {
    let href = attribute(w, &format!("#{prefix}-detail"), "href").await;
    let id = href
        .strip_prefix("#/record?id=")
        .unwrap_or_else(|| panic!("{prefix}: {href}"))
        .to_string();
    assert!(!id.is_empty(), "{prefix}: {href}");
    id
}

/// Whether `selector` is laid out at least 44 px tall.
async fn tall_enough(w: &Window, selector: &str) -> f64 {
    w.run(
        "return document.querySelector(arguments[0]).getBoundingClientRect().height",
        json!([selector]),
    )
    .await
    .as_f64()
    .unwrap_or_default()
}

/// Raises `h` to L3 with the face check (the sandbox's verifier passes a plain picture).
async fn face_checked(app: &TestApp, h: &Holder) {
    let r = app
        .client
        .put(format!("{}/v1/me/identity/face", app.address))
        .bearer_auth(&h.token)
        .header("content-type", "image/png")
        .body(png(320, 320))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn home_shows_the_next_step_hides_figures_and_every_payment_ends_on_a_result_page() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, _clock) = spawn_app_without_risk_rules().await;
    let base = app.address.clone();
    let newcomer = signed_up(&app).await;
    let holder = funded(&app, "张三", 200_000).await;
    let friend = open_l1_holder_named(&app, "李四").await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;

    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;

    // L0: the next step is the opening steps.
    signed_in(&w, &base, &newcomer.token).await;
    w.wait_for_text("#home-continue", "实名").await;
    assert_eq!(attribute(&w, "#home-continue-link", "href").await, "#/open");
    assert_eq!(w.text("#home-continue-link").await, "去实名");
    assert!(tall_enough(&w, "#home-continue-link").await >= 44.0);
    audit(&w, "home at L0").await;

    // L2: the face check, linked.
    signed_in(&w, &base, &holder.token).await;
    w.wait_for_text("#home-balance", "¥2,000.00").await;
    w.wait_for_text("#home-continue", "人脸识别").await;
    assert_eq!(attribute(&w, "#home-continue-link", "href").await, "#/face");
    // Every service tile is live: none is left "coming soon"; coupons open the coupon wallet.
    assert_eq!(
        w.run(
            "return document.querySelectorAll('.tile[aria-disabled], .tile:not([href])').length",
            json!([])
        )
        .await,
        0
    );
    let tile = "#tile-coupons";
    assert_eq!(attribute(&w, tile, "href").await, "#/coupons");
    assert!(w.text(tile).await.contains("优惠券"));
    assert!(tall_enough(&w, tile).await >= 44.0);
    // Bills are live (docs/bills.md).
    assert_eq!(attribute(&w, "#tile-bills", "href").await, "#/bills");
    assert!(w.text("#tile-bills").await.contains("账单缴费"));
    assert!(tall_enough(&w, "#tile-bills").await >= 44.0);
    shoot(&w, "70-home-next-step", "zh").await;

    // The eye hides every figure, is said pressed, and is remembered across a reload.
    assert_eq!(attribute(&w, "#home-eye", "aria-pressed").await, "false");
    assert_eq!(attribute(&w, "#home-eye", "aria-label").await, "隐藏金额");
    assert!(tall_enough(&w, "#home-eye").await >= 44.0);
    w.click("#home-eye").await;
    w.wait_text("#home-balance", |t| t == "****").await;
    assert_eq!(w.text("#home-held").await, "****");
    assert_eq!(attribute(&w, "#home-eye", "aria-pressed").await, "true");
    shoot(&w, "71-home-hidden", "zh").await;
    audit(&w, "home, figures hidden").await;
    open_in(&w, &format!("{base}/#/home"), "zh").await;
    w.wait_text("#home-balance", |t| t == "****").await;
    w.click("#home-eye").await;
    w.wait_for_text("#home-balance", "¥2,000.00").await;
    assert_eq!(attribute(&w, "#home-eye", "aria-pressed").await, "false");

    // In English.
    open_in(&w, &format!("{base}/#/home"), "en").await;
    w.wait_for_text("#home-continue-link", "Face check").await;
    assert_eq!(
        attribute(&w, "#home-eye", "aria-label").await,
        "Hide amounts"
    );
    assert!(w.text("#tile-coupons").await.contains("Coupons"));
    shoot(&w, "70-home-next-step", "en").await;

    open_in(&w, &format!("{base}/#/home"), "zh").await;

    // A transfer ends on the result page; "查看详情" opens its record.
    show(&w, "transfer", "#transfer-phone").await;
    w.fill("#transfer-phone", &friend.phone).await;
    w.click("#transfer-lookup").await;
    w.wait_for_text("#transfer-payee", "四").await;
    w.fill("#transfer-amount", "12.34").await;
    w.fill("#transfer-pin", PIN).await;
    w.click("#transfer-submit").await;
    w.wait_for_text("#transfer-result", "¥12.34").await;
    assert_eq!(w.text("#transfer-result-amount").await, "¥12.34");
    assert!(w.text("#transfer-result-payee").await.contains("*四"));
    assert_eq!(w.text("#transfer-result-method").await, "钱包余额");
    assert!(!w.text("#transfer-result-time").await.is_empty());
    assert_eq!(w.text("#transfer-result-status").await, "已完成");
    let sent = detail_id(&w, "transfer-result").await;
    assert_eq!(attribute(&w, "#transfer-result", "data-id").await, sent);
    shoot(&w, "72-transfer-result", "zh").await;
    audit(&w, "transfer-result").await;
    w.click("#transfer-result-detail").await;
    w.find("#screen-record").await;
    w.wait_for_text("#record-amount", "¥12.34").await;
    assert_eq!(w.text("#record-id").await, sent);

    // The friend is now a recent payee: a tap fills the payee and looks them up.
    show(&w, "transfer", "#recent-payee-0").await;
    let chip = w.text("#recent-payee-0").await;
    assert!(chip.contains("*四"), "{chip}");
    assert!(
        chip.contains(&format!("{}****", &friend.phone[3..6])),
        "{chip}"
    );
    assert!(
        !chip.contains(&friend.phone[3..]),
        "the phone is masked: {chip}"
    );
    assert!(tall_enough(&w, "#recent-payee-0").await >= 44.0);
    shoot(&w, "73-recent-payees", "zh").await;
    audit(&w, "recent-payees").await;
    w.click("#recent-payee-0").await;
    w.wait_for_text("#transfer-payee", "四").await;
    assert_eq!(w.value("#transfer-phone").await, &friend.phone[3..]);

    // A delayed transfer: its result says 待到账, and so do home and the records, never 冻结.
    w.fill("#transfer-amount", "30").await;
    w.run(
        "document.getElementById('transfer-delay').value = '2h'",
        json!([]),
    )
    .await;
    w.fill("#transfer-pin", PIN).await;
    w.click("#transfer-submit").await;
    w.wait_for_text("#transfer-result", "到账前可撤销").await;
    assert!(w.text("#transfer-result-status").await.contains("待到账"));
    let delayed = attribute(&w, "#transfer-result", "data-id").await;
    show(&w, "home", "#home-held").await;
    w.wait_for_text("#home-held", "¥30.00").await;
    w.wait_for_text("#home-held-delayed", "待到账 ¥30.00").await;
    let home = w.text("#screen-home").await;
    assert!(!home.contains("冻结"), "{home}");
    show(&w, "records", "#records-list").await;
    w.wait_for_text(&format!("#rec-status-{delayed}"), "待到账")
        .await;
    assert!(!w.text("#records-list").await.contains("冻结"));

    // Category icons: one inline SVG per kind, rows at least 44 px.
    let icon = |id: &str| format!("#rec-{id} .record-icon");
    assert_eq!(
        attribute(&w, &icon(&sent), "data-icon").await,
        "transfer_out"
    );
    assert!(
        w.find_now(&format!("{} svg path", icon(&sent)))
            .await
            .is_some()
    );
    assert!(tall_enough(&w, &format!("#rec-{sent} a")).await >= 44.0);
    shoot(&w, "74-records-icons", "zh").await;

    // A top-up ends on the result page, with the card it came from.
    show(&w, "topup", "#topup-amount").await;
    w.fill("#topup-amount", "100").await;
    w.click("#topup-submit").await;
    w.find("#topup-pin").await;
    w.fill("#topup-pin", PIN).await;
    w.click("#topup-submit").await;
    w.wait_for_text("#topup-result", "充值成功：¥100.00").await;
    assert!(w.text("#topup-result-method").await.contains("工商银行"));
    detail_id(&w, "topup-result").await;
    shoot(&w, "75-topup-result", "zh").await;
    audit(&w, "topup-result").await;

    // A withdrawal too.
    show(&w, "withdraw", "#withdraw-amount").await;
    w.fill("#withdraw-amount", "10").await;
    w.click("#withdraw-submit").await;
    w.find("#withdraw-pin").await;
    w.fill("#withdraw-pin", PIN).await;
    w.click("#withdraw-submit").await;
    w.wait_for_text("#withdraw-result", "¥10.00").await;
    assert_eq!(w.text("#withdraw-result-amount").await, "¥10.00");
    assert!(w.text("#withdraw-result-payee").await.contains("工商银行"));
    detail_id(&w, "withdraw-result").await;

    // Scan to pay an order: the result page, and its record.
    let placed = order(&app, &shop, 1_850).await;
    show(&w, "scan", "#pay-payload").await;
    w.fill("#pay-payload", placed["qr_payload"].as_str().unwrap())
        .await;
    w.click("#pay-next").await;
    w.find("#pay-pin").await;
    w.fill("#pay-pin", PIN).await;
    w.click("#pay-confirm").await;
    w.wait_for_text("#pay-result", "付款成功").await;
    assert_eq!(w.text("#pay-result-amount").await, "¥18.50");
    assert!(w.text("#pay-result-payee").await.contains("兰州牛肉面"));
    assert_eq!(w.text("#pay-result-method").await, "钱包余额");
    let paid = detail_id(&w, "pay-result").await;
    shoot(&w, "76-pay-result", "zh").await;
    audit(&w, "pay-result").await;
    w.click("#pay-result-detail").await;
    w.wait_for_text("#record-amount", "¥18.50").await;
    assert_eq!(w.text("#record-id").await, paid);

    // A shop's charge above the password-free limit, confirmed on the phone: its result screen.
    show(&w, "home", "#home-balance").await;
    let code = payment_code(&app, &holder).await;
    let r = crate::money_helpers::charge(&app, &shop, &code, 60_000, None).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    w.wait_for_text("#charge-merchant", "兰州牛肉面").await;
    w.fill("#charge-pin", PIN).await;
    w.click("#charge-confirm").await;
    w.find("#screen-result").await;
    w.wait_for_text("#charge-result", "付款成功").await;
    assert_eq!(w.text("#charge-result-amount").await, "¥600.00");
    assert!(w.text("#charge-result-payee").await.contains("兰州牛肉面"));
    detail_id(&w, "charge-result").await;
    assert_eq!(w.text("#screen-title").await, "支付结果");
    shoot(&w, "77-charge-result", "zh").await;
    audit(&w, "charge-result").await;
    w.click("#charge-result-done").await;
    w.find("#screen-home:not([hidden])").await;

    // L3: no next step.
    face_checked(&app, &holder).await;
    open_in(&w, &format!("{base}/#/home"), "zh").await;
    w.wait_for_text("#home-level", "已人脸认证").await;
    assert_eq!(
        w.run(
            "return document.getElementById('home-continue').hidden",
            json!([])
        )
        .await,
        json!(true)
    );

    // The inbox tells of a PIN change and a freeze (written with the change, streamed live).
    let r = call(
        &app,
        "PUT",
        "/v1/me/pin",
        Some(json!({"pin": "371946", "old_pin": PIN})),
        Some(&holder.token),
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = call(
        &app,
        "POST",
        "/v1/me/freeze",
        Some(json!({})),
        Some(&holder.token),
    )
    .await;
    assert_eq!(r.status(), 200);
    w.wait_for_text("#notice-toast", "钱包已冻结").await;
    show(&w, "notices", "#notices-list").await;
    let inbox = w.wait_for_text("#notices-list", "钱包已冻结").await;
    assert!(inbox.contains("支付密码已修改"), "{inbox}");
    shoot(&w, "78-notices-security", "zh").await;
    show(&w, "home", "#home-frozen").await;

    w.close().await;
}
