//! The wallet's widgets at the moments that matter (issue 18, item 8), walked in Chromium at a
//! phone's width: the payment password as six digit boxes, the ID photo and the face check taken
//! with the camera and previewed before upload, the face check raising the level to L3, the receive
//! code naming its payee, the security centre as a list of rows each opening its own form, and the
//! payment code masked but for four digits until asked, with a Code 128 barcode above its QR.

use crate::helpers::{png, spawn_app, temp_dir};
use crate::journeys::{PHONE, attribute, error_shown, ready, shoot, show};
use crate::money_helpers::{PIN, fresh_id_number, funded, signed_up};
use crate::webdriver::Window;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Whether `selector` is shown (there, and inside nothing hidden).
async fn visible(w: &Window, selector: &str) -> bool {
    w.run(
        "const e = document.querySelector(arguments[0]); return !!e && !e.closest('[hidden]')",
        json!([selector]),
    )
    .await
        == true
}

/// Runs `script` (a function body) until it returns true, or fails with `what`.
async fn until(w: &Window, script: &str, args: Value, what: &str) {
    let started = Instant::now();
    while w.run(script, args.clone()).await != true {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{what}; the page shows:\n{}",
            w.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many of the boxes of the PIN field `id` show a digit, and the height of the shortest box.
async fn boxes(w: &Window, id: &str) -> (u64, f64) {
    let r = w
        .run(
            "const wrap = document.getElementById(arguments[0]).closest('.pin-boxes');
             const all = [...wrap.querySelectorAll('.pin-box')];
             return [all.filter((b) => b.classList.contains('filled') && b.textContent === '●').length,
                     Math.min(...all.map((b) => b.getBoundingClientRect().height)), all.length];",
            json!([id]),
        )
        .await;
    assert_eq!(r[2], 6, "six boxes for #{id}");
    (r[0].as_u64().unwrap(), r[1].as_f64().unwrap())
}

/// Signs `w` in as the holder with `token` and shows home.
async fn signed_in(w: &Window, base: &str, token: &str) {
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", token).await;
    w.run("localStorage.qb_lang = 'zh'", json!([])).await;
    w.goto("about:blank").await;
    w.goto(&format!("{base}/#/home")).await;
    ready(w).await;
    w.find("#home-balance").await;
}

#[tokio::test]
async fn pin_boxes_security_rows_the_masked_payment_code_with_its_barcode_and_the_named_receive_code()
 {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let holder = funded(&app, "张三", 10_000).await;
    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &holder.token).await;

    // 5. The security centre is a list of rows, not a page of open forms.
    show(&w, "security", "#sec-row-pin").await;
    for row in [
        "#sec-row-pin",
        "#sec-row-pinreset",
        "#sec-change-password",
        "#sec-row-totp",
        "#sec-row-freeze",
        "#sec-row-close",
    ] {
        assert!(visible(&w, row).await, "{row}");
        let h = w
            .run(
                "return document.querySelector(arguments[0]).getBoundingClientRect().height",
                json!([row]),
            )
            .await;
        assert!(h.as_f64().unwrap() >= 44.0, "{row} is {h} px tall");
    }
    for form in [
        "#pinchg-form",
        "#pinreset-form",
        "#totp-card",
        "#freeze-card",
        "#close-form",
    ] {
        assert!(!visible(&w, form).await, "{form} is open on the list");
    }
    assert!(visible(&w, "#sessions-list").await);
    let tall = w
        .run(
            "return document.getElementById('screen-security').scrollHeight",
            json!([]),
        )
        .await;
    assert!(tall.as_f64().unwrap() < 1200.0, "the list is {tall} px");
    w.wait_text("#sec-row-totp-state", |t| t == "未开启").await;
    shoot(&w, "61-security-rows", "zh").await;
    w.click("#lang-switch").await;
    w.wait_text("#sec-row-totp-state", |t| t == "off").await;
    w.wait_for_text("#sec-row-close", "Close wallet").await;
    shoot(&w, "61-security-rows", "en").await;
    w.click("#lang-switch").await;
    w.wait_text("#sec-row-totp-state", |t| t == "未开启").await;

    // A row opens its own form, with its title and a back link to the list.
    w.click("#sec-row-pin").await;
    w.find("#pinchg-old").await;
    assert_eq!(
        w.run("return location.hash", json!([])).await,
        "#/security/pin"
    );
    w.wait_for_text("#screen-title", "修改支付密码").await;
    assert_eq!(attribute(&w, "#nav-back", "href").await, "#/security");
    assert!(!visible(&w, "#sec-rows").await);
    assert!(!visible(&w, "#pinreset-form").await);

    // 1. The payment password as six boxes: the real input keeps its id and label.
    let (filled, height) = boxes(&w, "pinchg-old").await;
    assert_eq!(filled, 0);
    assert!(height >= 44.0, "the boxes are {height} px tall");
    let labelled = w
        .run(
            "const i = document.getElementById('pinchg-old');
             return [i.labels.length, i.labels[0].textContent, i.type, i.inputMode,
                     i.closest('.pin-boxes').querySelector('.pin-box-row').getAttribute('aria-hidden')]",
            json!([]),
        )
        .await;
    assert_eq!(
        labelled,
        json!([1, "当前支付密码", "password", "numeric", "true"])
    );
    // Digits only, at most six.
    w.fill("#pinchg-old", "12a4").await;
    assert_eq!(w.value("#pinchg-old").await, "124");
    assert_eq!(boxes(&w, "pinchg-old").await.0, 3);
    w.fill("#pinchg-old", "12345678").await;
    assert_eq!(w.value("#pinchg-old").await, "123456");
    assert_eq!(boxes(&w, "pinchg-old").await.0, 6);
    // Backspace takes the last digit off.
    w.fill("#pinchg-old", "12345\u{E003}").await;
    assert_eq!(w.value("#pinchg-old").await, "1234");
    assert_eq!(boxes(&w, "pinchg-old").await.0, 4);
    // A pasted code ("25 81 47" from a message) lands as its six digits.
    w.run(
        "const i = document.getElementById('pinchg-old'); i.value = ''; i.focus();
         const data = new DataTransfer(); data.setData('text/plain', '25 81 47');
         i.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));",
        json!([]),
    )
    .await;
    assert_eq!(w.value("#pinchg-old").await, PIN);
    assert_eq!(boxes(&w, "pinchg-old").await.0, 6);
    w.fill("#pinchg-new", "720394").await;
    w.fill("#pinchg-new2", "720394").await;
    shoot(&w, "60-pin-boxes", "zh").await;
    w.click("#pinchg-submit").await;
    w.find("#pinchg-done").await;
    // The page empties the fields after the change: the boxes follow.
    assert_eq!(boxes(&w, "pinchg-old").await.0, 0);
    assert_eq!(boxes(&w, "pinchg-new2").await.0, 0);

    // The old link of a locked PIN still lands on the PIN reset form.
    w.run("location.hash = '#/security?pinreset'", json!([]))
        .await;
    w.find("#pinreset-otp").await;
    assert!(!visible(&w, "#pinchg-form").await);
    until(
        &w,
        "return document.activeElement && document.activeElement.id === 'pinreset-otp'",
        json!([]),
        "the PIN reset's code field has the focus",
    )
    .await;
    // Back to the list.
    w.click("#nav-back").await;
    w.find("#sec-row-close").await;
    assert_eq!(w.run("return location.hash", json!([])).await, "#/security");

    // 6. The payment code: four digits, the rest masked, until 查看数字; a barcode above the QR.
    show(&w, "paycode", "#paycode-qr").await;
    let masked = w.wait_text("#paycode-digits", |t| t.contains('*')).await;
    let code = attribute(&w, "#paycode-digits", "data-code").await;
    assert_eq!(code.len(), 18, "{code}");
    assert_eq!(masked, format!("{} **** **** **** **", &code[..4]));
    let modules = attribute(&w, "#paycode-barcode svg", "data-modules").await;
    assert_eq!(
        modules.len(),
        11 * 11 + 13,
        "start, nine pairs, check, stop"
    );
    assert!(modules.starts_with("11010011100"), "start C: {modules}");
    assert!(modules.ends_with("1100011101011"), "stop: {modules}");
    let above = w
        .run(
            "return document.querySelector('#paycode-barcode svg').getBoundingClientRect().bottom
                 <= document.getElementById('paycode-qr').getBoundingClientRect().top",
            json!([]),
        )
        .await;
    assert_eq!(above, true, "the barcode shows above the QR");
    shoot(&w, "62-paycode-masked", "zh").await;
    w.click("#paycode-reveal").await;
    let shown = w.wait_text("#paycode-digits", |t| !t.contains('*')).await;
    assert_eq!(shown.replace(' ', ""), code);
    assert_eq!(
        attribute(&w, "#paycode-reveal", "aria-pressed").await,
        "true"
    );
    assert_eq!(w.text("#paycode-reveal").await, "隐藏数字");
    // Hidden again by itself after 10 s.
    let started = Instant::now();
    w.wait_text("#paycode-digits", |t| t.contains('*')).await;
    assert!(started.elapsed() >= Duration::from_secs(8));
    assert_eq!(w.text("#paycode-reveal").await, "查看数字");

    // 4. The receive code names its payee (masked), with the amount when one is set.
    show(&w, "receive", "#receive-qr").await;
    w.wait_for_text("#receive-name", "*三").await;
    assert!(!visible(&w, "#receive-payload").await);
    assert!(!w.page_text().await.contains("qianbao://"));
    w.fill("#receive-amount", "12.5").await;
    w.click("#receive-submit").await;
    w.wait_for_text("#receive-amount-shown", "¥12.50").await;
    w.run("window.scrollTo(0, 0)", json!([])).await;
    shoot(&w, "63-receive-name", "zh").await;
    // The raw link stays behind 复制收款链接 (copied, or shown to copy by hand).
    w.click("#receive-copy").await;
    w.find("#receive-copied").await;
    let payload = attribute(&w, "#receive-payload", "data-payload").await;
    assert!(payload.starts_with("qianbao://r/"), "{payload}");
    w.close().await;
}

#[tokio::test]
async fn the_id_photo_and_the_face_check_are_taken_with_the_camera_previewed_and_the_face_check_gives_l3()
 {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let files = temp_dir("widgets");
    let small = files.join("small.png");
    std::fs::write(&small, png(120, 120)).unwrap();
    let id_card = files.join("id-card.png");
    std::fs::write(&id_card, png(640, 400)).unwrap();
    let selfie = files.join("selfie.png");
    std::fs::write(&selfie, png(480, 640)).unwrap();
    let driver = crate::webdriver::Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;

    // 2. A new holder at step 3: the ID photo is a camera tile, not a bare file control.
    let newcomer = signed_up(&app).await;
    signed_in(&w, &base, &newcomer.token).await;
    show(&w, "open", "#open-step-3").await;
    assert_eq!(attribute(&w, "#id-photo", "capture").await, "environment");
    assert_eq!(attribute(&w, "#id-photo", "accept").await, "image/*");
    w.wait_for_text("label[for=id-photo]", "拍摄身份证人像面")
        .await;
    let tile = w
        .run(
            "return document.querySelector('label[for=id-photo]').getBoundingClientRect().height",
            json!([]),
        )
        .await;
    assert!(tile.as_f64().unwrap() >= 88.0, "the tile is {tile} px");
    w.upload("#id-photo", &id_card).await;
    w.find("#id-photo-preview").await;
    assert!(
        attribute(&w, "#id-photo-preview", "src")
            .await
            .starts_with("blob:")
    );
    // The tile's label is now the 重拍 button beside 使用这张 (the field keeps one visible label).
    assert_eq!(w.text("#id-photo-label").await, "重拍");
    assert_eq!(
        w.run(
            "return document.getElementById('id-photo-label').closest('#id-photo-chosen') !== null
                 && document.querySelectorAll('label[for=id-photo]').length === 1",
            json!([])
        )
        .await,
        true
    );
    assert_eq!(w.text("#id-photo-use").await, "使用这张");
    // 重拍, the input's label, opens the camera again; the new picture replaces the first, whose
    // object URL is let go.
    let first = attribute(&w, "#id-photo-preview", "src").await;
    let other = files.join("id-card-2.png");
    std::fs::write(&other, png(640, 420)).unwrap();
    w.upload("#id-photo", &other).await;
    until(
        &w,
        "const img = document.getElementById('id-photo-preview');
         return img.src !== arguments[0] && img.complete && img.naturalHeight === 420",
        json!([first]),
        "the new picture previewed",
    )
    .await;
    let gone = w
        .run_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(() => done('open'), () => done('revoked'));",
            json!([first]),
        )
        .await;
    assert_eq!(gone, "revoked");
    w.fill("#id-name", "王五").await;
    w.fill("#id-number", &fresh_id_number()).await;
    w.find("#id-photo-use").await;
    shoot(&w, "65-id-capture", "zh").await;
    // 使用这张 sends it: verified, the photo accepted, on to the card.
    w.click("#id-photo-use").await;
    w.find("#open-step-4").await;
    // The preview's object URL is let go once drawn.
    until(
        &w,
        "const img = document.getElementById('id-photo-preview');
         return img.complete && img.naturalWidth === 640",
        json!([]),
        "the preview drawn",
    )
    .await;
    let revoked = w
        .run_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.getElementById('id-photo-preview').src).then(() => done('open'), () => done('revoked'));",
            json!([]),
        )
        .await;
    assert_eq!(revoked, "revoked");

    // 3. The face check at L2: why, a selfie with the front camera, the error at the photo.
    let holder = funded(&app, "李四", 0).await;
    signed_in(&w, &base, &holder.token).await;
    show(&w, "face", "#face-photo-capture").await;
    w.wait_for_text("#screen-title", "人脸识别").await;
    w.wait_for_text("#face-level", "已绑卡").await;
    w.wait_for_text("#face-why", "最高等级").await;
    assert_eq!(attribute(&w, "#face-photo", "capture").await, "user");
    shoot(&w, "64-face-check", "zh").await;
    w.upload("#face-photo", &small).await;
    w.find("#face-photo-preview").await;
    w.click("#face-photo-use").await;
    let (code, text) = error_shown(&w, "#face-error").await;
    assert_eq!(code, "photo_invalid");
    assert!(text.contains("300×300"), "{text}");
    assert_eq!(attribute(&w, "#face-photo", "aria-invalid").await, "true");
    w.wait_for_text("#face-photo-label", "拍摄本人正脸照片")
        .await;
    assert!(!visible(&w, "#face-photo-chosen").await);
    // A real selfie raises the level to L3, said on the screen and by the server.
    w.upload("#face-photo", &selfie).await;
    w.click("#face-photo-use").await;
    w.wait_for_text("#face-done", "已人脸认证").await;
    assert_eq!(attribute(&w, "#face-done", "data-level").await, "3");
    assert!(!visible(&w, "#face-error").await);
    assert!(!visible(&w, "#face-form").await);
    shoot(&w, "66-face-done", "zh").await;
    let me: Value = crate::helpers::call(&app, "GET", "/v1/me", None, Some(&holder.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["kyc_level"], 3);
    w.close().await;
}
