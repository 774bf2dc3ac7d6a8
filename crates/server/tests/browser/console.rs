//! The operator console at `/console`, walked in Chromium at a desktop's width by two staff
//! members in two windows (each its own cookies): signing in with a password and the
//! authenticator's code, finding a holder, freezing the wallet and proposing its unfreeze, which
//! only the second member can approve; an adjustment the same way; a held payment released from
//! the risk queue; and the audit log searched for what they did. The four-eyes and permission
//! rules themselves are the server's, tested over the API (`api/console.rs`); here the page must
//! carry them out and say what happened.

use crate::console_helpers::{PASSWORD, Staff, add_staff, app, first_admin, now_s, sign_in};
use crate::helpers::{TestApp, TestClock};
use crate::journeys::{attribute, error_shown, open_in, ready, shoot};
use crate::money_helpers::{answer, balance, funded, open_l1_holder_named, transfer};
use crate::webdriver::{Driver, Window};
use qianbao_wallet::domain::totp::code_at;
use serde_json::json;

/// A desktop screen: the console is desktop-first.
pub const DESKTOP: (u32, u32) = (1280, 860);

/// Opens the console in `lang` and signs `staff` in through the page with the code of a time
/// step of its own.
pub async fn signed_in(w: &Window, app: &TestApp, clock: &TestClock, staff: &Staff, lang: &str) {
    w.goto(&format!("{}/console", app.address)).await;
    open_in(w, &format!("{}/console", app.address), lang).await;
    w.find("#signin-form").await;
    clock.advance_s(30);
    let code = code_at(&staff.secret, now_s(clock), 6);
    w.fill("#signin-phone", &staff.phone).await;
    w.fill("#signin-password", PASSWORD).await;
    w.fill("#signin-totp", &code).await;
    w.click("#signin-submit").await;
    w.find("#nav-overview").await;
}

/// Shows a section the way its link does, and waits for `selector` in it.
pub async fn section(w: &Window, route: &str, selector: &str) {
    w.run(
        "location.hash = arguments[0]",
        json!([format!("#/{route}")]),
    )
    .await;
    w.find(selector).await;
    crate::a11y::audit(w, &format!("console #/{route}")).await;
}

/// Clicks the first button in `scope` whose id starts with `prefix` (rows carry their own ids).
async fn click_first(w: &Window, scope: &str, prefix: &str) -> String {
    let id = w
        .run(
            "const b = document.querySelector(arguments[0] + ' button[id^=\"' + arguments[1] + '\"]'); return b ? b.id : ''",
            json!([scope, prefix]),
        )
        .await;
    let id = id.as_str().unwrap_or_default().to_string();
    assert!(
        !id.is_empty(),
        "no {prefix}… button in {scope}:\n{}",
        w.page_text().await
    );
    w.click(&format!("#{id}")).await;
    id
}

/// The checker in `w` opens the four-eyes list, waits for the command showing `what`, approves
/// it and waits for the page to say it ran (`ran`, in the page's language).
async fn approve_in_page(w: &Window, what: &str, ran: &str) {
    section(w, "commands", "#commands-table").await;
    w.wait_for_text("#commands-table", what).await;
    // An earlier approval's toast may still say the same words for its 6 s: clear it first, so
    // the words waited for are this approval's.
    w.run(
        "const t = document.getElementById('notice-toast'); t.hidden = true; t.textContent = '';",
        json!([]),
    )
    .await;
    click_first(w, "#commands-table", "approve-").await;
    w.wait_for_text("#notice-toast", ran).await;
}

#[tokio::test]
async fn two_staff_members_sign_in_with_totp_freeze_unfreeze_and_adjust_with_four_eyes_and_find_it_in_the_audit_log()
 {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = app().await;
    let maker = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &maker).await;
    let checker = add_staff(&app, &clock, &token, "admin").await;
    let holder = funded(&app, "张三", 10_000).await;

    let driver = Driver::start(&chromedriver).await;
    let a = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;

    // A wrong code is refused on the page; the right one signs in.
    a.goto(&format!("{}/console", app.address)).await;
    open_in(&a, &format!("{}/console", app.address), "zh").await;
    a.find("#signin-form").await;
    shoot(&a, "30-console-signin", "zh").await;
    a.fill("#signin-phone", &maker.phone).await;
    a.fill("#signin-password", PASSWORD).await;
    a.fill("#signin-totp", "000000").await;
    a.click("#signin-submit").await;
    let (code, text) = error_shown(&a, "#signin-error").await;
    assert_eq!(code, "invalid_credentials");
    assert!(text.contains("动态码"), "{text}");
    signed_in(&a, &app, &clock, &maker, "zh").await;
    assert!(a.text("#console-who").await.contains("admin"));

    // The holder, found by phone: the profile shows the balance.
    section(&a, "holders", "#holder-search-form").await;
    a.fill("#holder-search-text", &holder.phone).await;
    a.click("#holder-search-submit").await;
    a.wait_for_text("#holder-accounts", "¥100.00").await;
    let holder_id = attribute(&a, "#holder-profile > div", "data-holder").await;
    shoot(&a, "31-console-holder", "zh").await;

    // Freeze at once; unfreezing is a command for someone else.
    a.fill("#holder-reason", "疑似被盗用").await;
    a.click("#holder-freeze").await;
    a.wait_for_text("#holder-status", "frozen").await;
    a.fill("#holder-reason", "本人已确认").await;
    a.click("#holder-unfreeze").await;
    a.wait_for_text("#holder-pending", "解冻").await;
    section(&a, "commands", "#commands-table").await;
    a.wait_for_text("#commands-table", "需他人复核").await;
    assert!(
        a.find_now("#commands-table button[id^=approve-]")
            .await
            .is_none(),
        "the maker is offered no approve button"
    );

    // The second member approves it in their own window.
    let b = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&b, &app, &clock, &checker, "en").await;
    section(&b, "commands", "#commands-table").await;
    b.wait_for_text("#commands-table", "Unfreeze").await;
    shoot(&b, "32-console-four-eyes", "en").await;
    click_first(&b, "#commands-table", "approve-").await;
    b.wait_for_text("#notice-toast", "Approved and done").await;
    section(&a, &format!("holders/{holder_id}"), "#holder-status").await;
    a.wait_for_text("#holder-status", "active").await;

    // An adjustment of ¥5.00, proposed by one and posted when the other approves.
    a.fill("#adjust-amount", "5").await;
    a.fill("#adjust-reason", "补偿重复扣费").await;
    a.click("#adjust-submit").await;
    a.wait_for_text("#holder-pending", "调账").await;
    assert_eq!(
        balance(&app, &holder.token).await.0,
        10_000,
        "not before approval"
    );
    section(&b, "overview", "#tile-commands").await;
    b.wait_for_text("#tile-commands", "1").await;
    approve_in_page(&b, "+¥5.00", "Approved and done").await;
    assert_eq!(balance(&app, &holder.token).await.0, 10_500);

    // The audit log finds the approval, with who did it.
    section(&a, "audit", "#audit-form").await;
    a.fill("#audit-action", "command.approve.adjustment").await;
    a.click("#audit-search").await;
    let found = a
        .wait_for_text("#audit-table", "command.approve.adjustment")
        .await;
    assert!(found.contains(&checker.id), "{found}");
    assert!(
        !a.page_text().await.contains("command.approve.unfreeze"),
        "the search shows only what was asked for"
    );
    shoot(&a, "33-console-audit", "zh").await;

    // An admin defines a custom role from the page; it lists with what it allows.
    section(&a, "staff", "#role-form").await;
    a.fill("#role-name", "auditor").await;
    a.click("#perm-audit-view").await;
    a.click("#role-define").await;
    let roles = a.wait_for_text("#roles-list", "auditor").await;
    assert!(roles.contains("audit.view"), "{roles}");

    // An exchange rate set from the policy section, with a reason: listed at once, and audited.
    section(&a, "policy", "#fx-form").await;
    a.fill("#fx-pair", "USD/CNY").await;
    a.fill("#fx-rate", "7.1234").await;
    a.fill("#fx-reason", "早盘中间价").await;
    a.click("#fx-submit").await;
    let rates = a.wait_for_text("#fx-rates", "7.1234").await;
    assert!(
        rates.contains("USD/CNY") && rates.contains("console"),
        "{rates}"
    );
    shoot(&a, "37-console-fx-rates", "zh").await;
    section(&a, "audit", "#audit-form").await;
    a.fill("#audit-action", "fx.rate_set").await;
    a.click("#audit-search").await;
    a.wait_for_text("#audit-table", "fx:USD/CNY").await;
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn a_risk_reviewer_takes_the_next_held_payment_and_releases_it_from_the_console() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &admin).await;
    let reviewer = add_staff(&app, &clock, &token, "risk").await;
    let payer = funded(&app, "张三", 500_000).await;
    let payee = open_l1_holder_named(&app, "李四").await;
    // Over ¥1,000 to a wallet opened today: held for review.
    let (status, held) = answer(transfer(&app, &payer, &payee, 100_001).await).await;
    assert_eq!(status, 202, "{held}");

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&w, &app, &clock, &reviewer, "zh").await;
    // A risk reviewer is offered the risk queue, not staff or policy.
    assert!(w.find_now("#nav-risk").await.is_some());
    assert!(w.find_now("#nav-staff").await.is_none());
    section(&w, "risk", "#risk-next").await;
    w.wait_for_text("#risk-table", "¥1,000.01").await;
    w.click("#risk-next").await;
    w.wait_for_text("#risk-reason", "new_payee_wallet").await;
    shoot(&w, "34-console-risk", "zh").await;
    w.run(
        "document.getElementById('risk-label').value = 'false_positive'",
        json!([]),
    )
    .await;
    w.fill("#risk-decision-reason", "本人确认是房租").await;
    w.click("#risk-release").await;
    w.wait_for_text("#notice-toast", "已放行").await;
    w.wait_for_text("#risk-list", "队列为空").await;
    assert_eq!(balance(&app, &payee.token).await.0, 100_001);
    ready(&w).await;
    w.close().await;
}

#[tokio::test]
async fn a_kyc_reviewer_sees_the_id_photo_of_a_check_the_verifier_could_not_decide_and_approves_it()
{
    use crate::helpers::{get, id_number, png, post};
    use crate::money_helpers::{inbox, signed_up};
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &admin).await;
    let reviewer = add_staff(&app, &clock, &token, "support").await;

    // The sandbox verifier cannot decide on sequence code 997: the check waits with its photo.
    let holder = signed_up(&app).await;
    let r = post(
        &app,
        "/v1/me/identity",
        json!({"name": "张三", "id_number": id_number("19900307", "997")}),
        Some(&holder.token),
    )
    .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let r = app
        .client
        .put(format!("{}/v1/me/identity/photo", app.address))
        .bearer_auth(&holder.token)
        .header("content-type", "image/png")
        .body(png(640, 400))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&w, &app, &clock, &reviewer, "zh").await;
    section(&w, "kyc", "#kyc-next").await;
    let listed = w.wait_for_text("#kyc-table", "*三").await;
    assert!(
        !listed.contains("19900307"),
        "the ID number is masked: {listed}"
    );
    w.click("#kyc-next").await;
    w.find("#kyc-photo").await;
    let loaded = w
        .run(
            "const i = document.getElementById('kyc-photo'); return i.complete && i.naturalWidth",
            json!([]),
        )
        .await;
    assert_eq!(loaded, 640, "the photo shows, fetched for this viewer");
    shoot(&w, "35-console-kyc", "zh").await;
    w.click("#kyc-approve").await;
    w.wait_for_text("#notice-toast", "已通过实名审核").await;
    w.wait_for_text("#kyc-list", "队列为空").await;
    let me: serde_json::Value = get(&app, "/v1/me", &holder.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["kyc_level"], 1);
    assert!(
        inbox(&app, &holder.token)
            .await
            .iter()
            .any(|n| n["kind"] == "kyc"),
        "the holder is told"
    );
    w.close().await;
}

#[tokio::test]
async fn a_statement_with_one_break_is_uploaded_and_the_break_resolved_by_a_four_eyes_adjustment() {
    use crate::console_helpers::holder_id_of;
    use crate::helpers::{qianbao, temp_dir};
    use qianbao_wallet::domain::ChinaDay;
    use qianbao_wallet::recon::statement::day_text;
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &admin).await;
    let maker = add_staff(&app, &clock, &token, "finance").await;
    let checker = add_staff(&app, &clock, &token, "finance").await;
    let holder = funded(&app, "张三", 30_000).await;
    let holder_id = holder_id_of(&app, &token, &holder).await;
    let day = ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock));
    let out = qianbao(
        &app,
        &["admin", "recon", "statement", "--day", &day_text(day)],
    );
    assert!(out.status.success());
    if ChinaDay::of_ms(qianbao_wallet::Clock::now_ms(&qianbao_wallet::SystemClock)) != day {
        eprintln!("skipped: the traffic ran across midnight in China");
        return;
    }
    // The bank saw a ¥5.00 top-up we never booked: one break.
    let file = temp_dir("console-recon").join("statement.csv");
    std::fs::write(
        &file,
        format!(
            "{}{},sbx_stranger_1,topup,500,CNY,not-ours-1\n",
            String::from_utf8(out.stdout).unwrap(),
            day_text(day)
        ),
    )
    .unwrap();

    let driver = Driver::start(&chromedriver).await;
    let a = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&a, &app, &clock, &maker, "zh").await;
    section(&a, "recon", "#recon-form").await;
    a.upload("#recon-file", &file).await;
    a.click("#recon-import").await;
    assert_eq!(
        a.wait_for_text("#recon-missing-here", "1").await.trim()[..1],
        *"1"
    );
    assert!(a.text("#recon-matched").await.starts_with('1'));
    a.wait_for_text("#recon-cases-table", "¥5.00").await;
    shoot(&a, "36-console-recon", "zh").await;
    a.fill("#recon-amount", "5").await;
    a.fill("#recon-note", "银行已入账,我方漏记").await;
    a.fill("#recon-target", &holder_id).await;
    click_first(&a, "#recon-cases-table", "recon-adjust-").await;
    a.wait_for_text("#notice-toast", "已提交").await;

    let b = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&b, &app, &clock, &checker, "zh").await;
    approve_in_page(&b, "对账差错", "已批准并执行").await;
    assert_eq!(balance(&app, &holder.token).await.0, 30_500);
    section(&b, "recon", "#recon-form").await;
    b.wait_for_text("#recon-cases", "没有待处理的差错").await;
    let out = qianbao(&app, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn a_holder_asks_to_close_with_the_balance_sent_to_a_card_and_two_staff_members_close_it() {
    use crate::helpers::post;
    use crate::journeys::PHONE;
    use crate::money_helpers::{PASSWORD as HOLDER_PASSWORD, PIN, otp_for};
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let (app, clock) = app().await;
    let maker = first_admin(&app, &clock).await;
    let token = sign_in(&app, &clock, &maker).await;
    let checker = add_staff(&app, &clock, &token, "admin").await;
    let holder = funded(&app, "张三", 2_500).await;

    // The holder, in the app: refused while money is in the wallet, then offered the sweep.
    let driver = Driver::start(&chromedriver).await;
    let phone = driver.window(&chromium, PHONE.0, PHONE.1).await;
    phone.goto(&format!("{}/", app.address)).await;
    phone.add_cookie("qb_session", &holder.token).await;
    open_in(&phone, &format!("{}/#/security/close", app.address), "zh").await;
    phone.find("#close-send-code").await;
    clock.advance_s(61);
    let code = otp_for(&app, &holder.phone, "close").await;
    phone.fill("#close-otp", &code).await;
    phone.fill("#close-pin", PIN).await;
    phone.click("#close-submit").await;
    let (refused, _) = error_shown(&phone, "#close-error").await;
    assert_eq!(refused, "close_blocked");
    phone.find("#close-sweep").await;
    phone.click("#close-sweep-submit").await;
    phone.wait_for_text("#close-waiting", "工作人员复核").await;

    // The console: one proposes from the closing queue, the other approves.
    let a = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&a, &app, &clock, &maker, "zh").await;
    section(&a, "closing", "#closing-list").await;
    a.wait_for_text("#closing-table", "¥25.00").await;
    a.fill("#closing-reason", "本人申请注销,余额转回本人储蓄卡")
        .await;
    click_first(&a, "#closing-table", "closing-propose-").await;
    a.wait_for_text("#closing-table", "已提交复核").await;
    let b = driver.window(&chromium, DESKTOP.0, DESKTOP.1).await;
    signed_in(&b, &app, &clock, &checker, "zh").await;
    approve_in_page(&b, "注销并转出余额", "已批准并执行").await;
    let r = post(
        &app,
        "/v1/sessions",
        json!({"phone": holder.phone, "password": HOLDER_PASSWORD}),
        None,
    )
    .await;
    assert_eq!(r.status(), 403, "the wallet is closed");
    phone.close().await;
    a.close().await;
    b.close().await;
}
