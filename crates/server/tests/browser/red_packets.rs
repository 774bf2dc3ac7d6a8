//! Red packets in the holder's app (issue 21): a funded holder opens 红包 from home, sends a
//! three-share 拼手气 packet with the payment password, lands on its page with the commitment,
//! the link and the QR code to share; another holder opens the link and claims a share, which
//! the page shows under their name; once the last share is claimed, the page shows the revealed
//! shares and salt and says — computed in the browser — that they match the commitment. A
//! one-to-one packet to a phone is told the ¥200 limit, and its recipient claims it.

use crate::convert::{choose, hidden, signed_in};
use crate::helpers::{call, spawn_app};
use crate::journeys::{PHONE, error_shown, shoot};
use crate::money_helpers::{PIN, answer, funded, signed_up};
use crate::webdriver::Driver;

#[tokio::test]
async fn a_holder_sends_a_group_packet_that_others_claim_and_checks_it_was_fair() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let sender = funded(&app, "张三", 20_000).await;
    let claimant = signed_up(&app).await;
    let friend = signed_up(&app).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &sender.token, "zh").await;
    assert!(w.text("#tile-redpackets").await.contains("红包"));
    w.click("#tile-redpackets").await;
    w.find("#screen-redpackets").await;
    w.wait_for_text("#screen-title", "红包").await;
    w.wait_for_text("#rp-list-empty", "还没有红包").await;
    crate::a11y::audit(&w, "#/redpackets").await;

    // One-to-one: a phone field, and the ¥200 limit said by the server.
    w.click("#rp-kind-one").await;
    assert!(!hidden(&w, "#rp-phone-row").await && hidden(&w, "#rp-shares-row").await);
    w.fill("#rp-phone", &claimant.phone).await;
    w.fill("#rp-amount", "300").await;
    w.fill("#rp-pin", PIN).await;
    w.click("#rp-submit").await;
    let (code, _) = error_shown(&w, "#rp-error").await;
    assert_eq!(code, "amount_invalid");

    // A group packet of ¥3.00 in three lucky-draw shares.
    w.click("#rp-kind-group").await;
    w.fill("#rp-amount", "3").await;
    w.fill("#rp-count", "3").await;
    choose(&w, "#rp-split", "random").await;
    w.fill("#rp-memo", "新年快乐").await;
    w.fill("#rp-pin", PIN).await;
    shoot(&w, "100-red-packet-send", "zh").await;
    w.click("#rp-submit").await;
    w.find("#screen-redpacket").await;
    w.wait_for_text("#rp-page-memo", "新年快乐").await;
    w.wait_for_text("#rp-page-progress", "0/3").await;
    assert_eq!(w.text("#rp-page-amount").await, "¥3.00");
    // A group packet's sender may claim a share of it too.
    assert!(!hidden(&w, "#rp-claim").await);
    assert_eq!(w.text("#rp-claim").await, "开红包");
    assert_eq!(w.text("#rp-commitment").await.len(), 64);
    let link = w.value("#rp-link").await;
    assert!(link.contains("#/redpacket/"), "{link}");
    assert!(!hidden(&w, "#rp-qr").await, "the QR code to share");
    assert!(
        hidden(&w, "#rp-reveal").await,
        "nothing revealed while open"
    );
    let id = link.rsplit('/').next().unwrap().to_string();
    shoot(&w, "101-red-packet-page", "zh").await;

    // Another holder opens the link and claims a share.
    signed_in(&w, &base, &claimant.token, "zh").await;
    w.goto(&link).await;
    w.find("#screen-redpacket").await;
    w.wait_for_text("#rp-page-memo", "新年快乐").await;
    w.click("#rp-claim").await;
    let got = w.wait_for_text("#rp-page-got", "领到").await;
    assert!(got.contains('¥'), "{got}");
    w.wait_for_text("#rp-page-progress", "1/3").await;
    w.wait_for_text("#rp-claims", "（我）").await;
    assert!(hidden(&w, "#rp-claim").await, "one share each");

    // The last two shares go by the API; the page then shows the split checked in the browser.
    for h in [&friend, &sender] {
        let (status, body) = answer(
            call(
                &app,
                "POST",
                &format!("/v1/red-packets/{id}/claim"),
                None,
                Some(&h.token),
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    w.goto("about:blank").await;
    w.goto(&link).await;
    w.find("#screen-redpacket").await;
    w.wait_for_text("#rp-page-progress", "3/3").await;
    w.wait_for_text("#rp-verdict", "已核对").await;
    assert_eq!(
        crate::journeys::attribute(&w, "#rp-verdict", "data-ok").await,
        "1"
    );
    assert_eq!(w.text("#rp-shares").await.split(',').count(), 3);
    shoot(&w, "102-red-packet-revealed", "zh").await;
    signed_in(&w, &base, &claimant.token, "en").await;
    w.goto(&link).await;
    w.wait_for_text("#rp-verdict", "Checked").await;
    shoot(&w, "102-red-packet-revealed", "en").await;
    w.close().await;
}
