//! Currencies in the holder's app (issue 20, item 6), walked in Chromium at a phone's width: a
//! funded holder opens 换汇 from home, is told at once that yuan take two decimals and yen none,
//! sees a pair without a rate refused as `fx_unavailable`, gets a quote as they type (the mid rate,
//! what is paid, the spread, what arrives) with a countdown that ticks, converts ¥100 to dollars
//! with the payment password, ends on the result page, and finds the dollars on home (hidden by
//! the eye like every figure) and the conversion's two records, each in its own currency. A second
//! walk, on a server whose quotes live 8 s, lets the countdown run out (confirm disabled, "刷新报价"
//! shown and said), refreshes, and is told `quote_expired` when the server's clock has passed the
//! quote. The money module's currency functions are checked in the page too.

use crate::helpers::{TestApp, call, spawn_app, spawn_app_at};
use crate::journeys::{PHONE, attribute, error_shown, open_in, shoot, show};
use crate::money_helpers::{PIN, funded};
use crate::webdriver::{Driver, Window};
use qianbao_store::Location;
use qianbao_wallet::fx::{operator_rate, set_rates};
use serde_json::{Value, json};
use std::time::Duration;

/// This machine's time in ms: the browser's clock, and the server's (its `Date` header).
pub fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Sets mid rates as `qianbao admin fx set` does, as of `now_ms`.
pub async fn set(app: &TestApp, now_ms: i64, rates: &[(&str, &str)]) {
    let storage = qianbao_store::Storage::open(&Location::SqliteDir(app.dir.clone()))
        .await
        .unwrap();
    let rates = rates
        .iter()
        .map(|(pair, rate)| operator_rate(pair, rate, "operator", now_ms).unwrap())
        .collect();
    set_rates(&storage, rates).await.unwrap();
}

/// Opens the app signed in with `token`, on the home screen in `lang`.
pub async fn signed_in(w: &Window, base: &str, token: &str, lang: &str) {
    w.goto(&format!("{base}/")).await;
    w.add_cookie("qb_session", token).await;
    open_in(w, &format!("{base}/#/home"), lang).await;
    w.find("#home-balance").await;
}

/// Chooses `value` in the `<select>` `selector`, as a tap on its option does.
pub async fn choose(w: &Window, selector: &str, value: &str) {
    w.find(selector).await;
    w.run(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
         s.dispatchEvent(new Event('change', {bubbles: true}))",
        json!([selector, value]),
    )
    .await;
}

/// The seconds the quote's countdown shows now.
async fn seconds_left(w: &Window) -> i64 {
    attribute(w, "#convert-countdown", "data-seconds")
        .await
        .parse()
        .unwrap_or(-1)
}

/// A property of the element `selector` (`disabled`, `hidden`, `textContent`, …).
pub async fn property(w: &Window, selector: &str, name: &str) -> Value {
    w.run(
        "return document.querySelector(arguments[0])[arguments[1]]",
        json!([selector, name]),
    )
    .await
}

pub async fn disabled(w: &Window, selector: &str) -> bool {
    property(w, selector, "disabled").await == true
}

pub async fn hidden(w: &Window, selector: &str) -> bool {
    property(w, selector, "hidden").await == true
}

/// `money.js`'s currency functions, checked in the page: the exponent decides the decimals,
/// typed text is read by string arithmetic, and too many decimals are refused.
const MONEY_CHECKS: &str = r#"
const done = arguments[arguments.length - 1];
import(location.origin + '/assets/money.js').then((m) => {
  const got = [
    m.formatMinor(1397, 'USD'), m.formatMinor(123456, 'JPY'), m.formatMinor(123456789, 'CNY'),
    m.formatMinor(-5, 'USD'), m.formatMinor(0, 'JPY'), m.formatMinor(5), m.formatMinor(1.5, 'USD'),
    m.parseMinor('12.5', 2), m.parseMinor('12.5', 0), m.parseMinor('1,200', 0), m.parseMinor('1.234', 2),
    m.parseMinor('0.00', 2), m.parseMinor('１２．３４', 2), m.parseMinor('9999999999999.99', 2),
    m.parseMinor('10000000000000', 2), m.typedDecimals('1.234'), m.typedDecimals('12'), m.exponentOf('JPY'),
    m.exponentOf('CNY'), m.minorToDecimal(5, 2), m.minorToDecimal(1200, 0),
  ];
  done(got);
}, (e) => done(String(e)));
"#;

#[tokio::test]
async fn a_holder_converts_yuan_to_dollars_and_sees_them_on_home_and_in_records() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    // The server keeps this machine's time, so the quote's countdown and the browser agree.
    let app = spawn_app().await;
    let base = app.address.clone();
    let holder = funded(&app, "张三", 20_000).await;
    set(&app, now_ms(), &[("USD/CNY", "7.1234")]).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    signed_in(&w, &base, &holder.token, "zh").await;

    let checks = w.run_async(MONEY_CHECKS, json!([])).await;
    assert_eq!(
        checks,
        json!([
            "13.97 USD",
            "123,456 JPY",
            "¥1,234,567.89",
            "-0.05 USD",
            "0 JPY",
            "¥0.05",
            "1.5",
            1250,
            null,
            1200,
            null,
            null,
            1234,
            999_999_999_999_999_i64,
            null,
            3,
            0,
            0,
            2,
            "0.05",
            "1200"
        ]),
        "money.js"
    );

    // Home: only yuan so far; the 换汇 tile opens the screen.
    w.wait_for_text("#home-balance", "¥200.00").await;
    assert!(hidden(&w, "#home-currencies").await);
    assert!(w.text("#tile-convert").await.contains("换汇"));
    w.click("#tile-convert").await;
    w.find("#screen-convert").await;
    w.wait_for_text("#screen-title", "换汇").await;
    w.wait_for_text("#convert-available", "¥200.00").await;
    crate::a11y::audit(&w, "#/convert").await;
    assert_eq!(w.value("#convert-sell").await, "CNY");
    assert_eq!(w.value("#convert-buy").await, "USD");
    assert_eq!(w.text("#convert-available").await, "¥200.00");
    assert_eq!(w.text("#convert-amount-label").await, "卖出金额（CNY）");

    // Too many decimals are said at once, by the currency's own exponent: yuan two, yen none.
    w.fill("#convert-amount", "1.234").await;
    let (code, text) = error_shown(&w, "#convert-error").await;
    assert_eq!(code, "amount_decimals_2", "{text}");
    choose(&w, "#convert-sell", "JPY").await;
    w.wait_for_text("#convert-amount-label", "JPY").await;
    w.fill("#convert-amount", "1.5").await;
    let (code, text) = error_shown(&w, "#convert-error").await;
    assert_eq!(code, "amount_decimals_0", "{text}");
    assert!(text.contains("整数"), "{text}");
    choose(&w, "#convert-sell", "CNY").await;
    choose(&w, "#convert-buy", "EUR").await;
    // No rate links yuan and euros: refused as the server says, in words.
    w.fill("#convert-amount", "100").await;
    let (code, text) = error_shown(&w, "#convert-error").await;
    assert_eq!(code, "fx_unavailable", "{text}");
    assert!(text.contains("汇率"), "{text}");
    // Picking the sold currency on the other side swaps the two; the swap button swaps back.
    choose(&w, "#convert-buy", "CNY").await;
    assert_eq!(
        w.value("#convert-sell").await,
        "EUR",
        "picking CNY to buy swaps"
    );
    w.click("#convert-swap").await;
    assert_eq!(w.value("#convert-sell").await, "CNY");
    choose(&w, "#convert-buy", "USD").await;

    // A quote as one types: ¥100 less the 50 bp spread at 1/7.1234 is US$13.97.
    w.fill("#convert-amount", "100").await;
    w.wait_text("#convert-get", |t| t == "13.97 USD").await;
    assert_eq!(w.text("#convert-pay").await, "¥100.00");
    assert_eq!(w.text("#convert-fee").await, "¥0.50");
    // The mid rate shown to six significant digits; the exact one kept on the element.
    assert_eq!(w.text("#convert-rate").await, "1 CNY ≈ 0.140382 USD");
    assert_eq!(
        attribute(&w, "#convert-rate", "data-rate").await,
        "0.140382401662"
    );
    assert!(hidden(&w, "#convert-error").await);
    // The countdown ticks, by seconds, from at most the quote's 30 s.
    let first = seconds_left(&w).await;
    assert!((1..=30).contains(&first), "{first}");
    assert!(w.text("#convert-countdown").await.contains("秒后失效"));
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let later = seconds_left(&w).await;
    assert!(later < first && later > 0, "{first} → {later}");
    assert_eq!(w.text("#convert-submit").await, "确认换汇");
    shoot(&w, "90-convert", "zh").await;

    // Confirmed with the payment password: the result page says what was sold and what arrived.
    w.fill("#convert-pin", PIN).await;
    w.click("#convert-submit").await;
    let said = w.wait_for_text("#convert-result", "换汇成功").await;
    assert!(
        said.contains("¥100.00") && said.contains("13.97 USD"),
        "{said}"
    );
    assert_eq!(w.text("#convert-result-amount").await, "13.97 USD");
    assert_eq!(w.text("#convert-result-payee").await, "美元余额");
    assert_eq!(w.text("#convert-result-method").await, "人民币余额");
    assert_eq!(
        attribute(&w, "#convert-result", "data-status").await,
        "succeeded"
    );
    shoot(&w, "91-convert-result", "zh").await;

    // Home: the yuan left and the dollars below them, hidden by the eye like every figure.
    w.click("#convert-result-done").await;
    w.wait_for_text("#home-balance", "¥100.00").await;
    let usd = w.wait_for_text("#home-ccy-USD", "13.97 USD").await;
    assert!(usd.contains("美元"), "{usd}");
    assert_eq!(attribute(&w, "#home-ccy-USD", "data-minor").await, "1397");
    shoot(&w, "92-home-currencies", "zh").await;
    w.click("#home-eye").await;
    w.wait_text("#home-ccy-USD", |t| {
        t.contains("****") && !t.contains("13.97")
    })
    .await;
    w.click("#home-eye").await;
    w.wait_for_text("#home-ccy-USD", "13.97 USD").await;

    // Selling more dollars than are held: said of the dollars, and no top-up offered (a top-up
    // adds yuan).
    show(&w, "convert", "#convert-amount").await;
    w.find("#convert-sell option[value=USD]").await;
    choose(&w, "#convert-sell", "USD").await;
    choose(&w, "#convert-buy", "CNY").await;
    w.fill("#convert-amount", "20").await;
    w.wait_text("#convert-get", |t| t.starts_with('¥')).await;
    w.fill("#convert-pin", PIN).await;
    w.click("#convert-submit").await;
    let (code, text) = error_shown(&w, "#convert-error").await;
    assert_eq!(code, "insufficient_balance", "{text}");
    assert!(text.contains("这个币种的余额不足"), "{text}");
    assert!(
        w.find_now("#convert-error-link").await.is_none(),
        "no 充值 link for dollars: {text}"
    );

    // Records: the conversion's two sides, each in its own currency, the fee with the yuan side.
    show(&w, "records", "#records-list").await;
    let list = w.wait_for_text("#records-list", "13.97 USD").await;
    assert!(list.contains("换汇 · CNY → USD"), "{list}");
    assert!(list.contains("−¥99.50"), "{list}");
    assert!(list.contains("+13.97 USD"), "{list}");
    assert!(list.contains("手续费 ¥0.50"), "{list}");
    assert!(list.contains("汇率 0.140382401662"), "{list}");
    let sides = w
        .run(
            "return Array.from(document.querySelectorAll('#records-list li[data-type=conversion]'))\
             .map((li) => li.dataset.direction + ' ' + li.querySelector('.amount').dataset.currency)",
            json!([]),
        )
        .await;
    let mut sides: Vec<String> = serde_json::from_value(sides).unwrap();
    sides.sort();
    assert_eq!(sides, ["in USD", "out CNY"], "{list}");
    // The month summary counts yuan: the conversion is neither income nor spending, nor a move
    // with one's own card (the server's own-card totals count it, in both currencies).
    w.wait_text("#summary-own-in", |t| !t.is_empty()).await;
    assert_eq!(
        w.text("#summary-own-in").await,
        "¥200.00",
        "the top-up alone"
    );
    assert_eq!(w.text("#summary-own-out").await, "¥0.00");
    let chart = w.text("#summary-chart").await;
    assert!(!chart.contains("换汇"), "{chart}");
    crate::a11y::audit(&w, "#/records with a conversion").await;

    // The dollars' record opens its page in dollars; in English it is a Conversion.
    let usd_id = w
        .run(
            "return document.querySelector('#records-list li[data-type=conversion][data-direction=in]').id.slice(4)",
            json!([]),
        )
        .await;
    let usd_id = usd_id.as_str().unwrap().to_string();
    open_in(&w, &format!("{base}/#/record?id={usd_id}"), "en").await;
    w.wait_for_text("#record-amount", "+13.97 USD").await;
    assert_eq!(w.text("#record-fee").await, "0.00 USD");
    assert!(w.text("#record-type").await.contains("Conversion"));
    assert!(
        w.text("#record-kind")
            .await
            .contains("neither income nor spending"),
        "a conversion moves money between the holder's own accounts"
    );
    w.close().await;
}

#[tokio::test]
async fn an_expired_quote_disables_confirm_until_it_is_refreshed() {
    let Some((chromium, chromedriver)) = crate::browser_binaries() else {
        return;
    };
    // Quotes live 8 s here; the server's clock is this machine's, moved by the test.
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.fx.quote_ttl_ms = 8_000;
    let (app, clock) = spawn_app_at(now_ms(), Some(policy)).await;
    let base = app.address.clone();
    let holder = funded(&app, "张三", 5_000).await;
    // The test clock stands still unless moved: up to this machine's time before each quote.
    let catch_up = || {
        clock
            .0
            .fetch_max(now_ms(), std::sync::atomic::Ordering::SeqCst);
    };
    catch_up();
    set(&app, now_ms(), &[("USD/CNY", "7.1234")]).await;

    let driver = Driver::start(&chromedriver).await;
    let w = driver.window(&chromium, PHONE.0, PHONE.1).await;
    // In English, this time.
    signed_in(&w, &base, &holder.token, "en").await;
    show(&w, "convert", "#convert-amount").await;
    w.find("#convert-buy option[value=USD]").await;
    catch_up();
    w.fill("#convert-amount", "10").await;
    w.wait_text("#convert-get", |t| t == "1.40 USD").await;
    let first = seconds_left(&w).await;
    assert!((1..=8).contains(&first), "{first}");
    assert!(!disabled(&w, "#convert-submit").await);

    // The countdown runs out: confirm is disabled, the refresh button shows, and it is said.
    w.find("#convert-refresh").await;
    assert_eq!(seconds_left(&w).await, 0);
    assert!(disabled(&w, "#convert-submit").await);
    assert_eq!(
        w.text("#convert-countdown").await,
        "The quote has expired; refresh it."
    );
    assert_eq!(
        property(&w, "#convert-live", "textContent").await,
        "The quote has expired; refresh it."
    );
    shoot(&w, "94-convert-expired", "en").await;

    // A new quote: confirm works again.
    catch_up();
    w.click("#convert-refresh").await;
    w.wait_for_text("#convert-countdown", "Quote valid for")
        .await;
    assert!(!disabled(&w, "#convert-submit").await);
    assert!(hidden(&w, "#convert-refresh").await);

    // The server's clock has passed the quote while the page still counts: the server refuses it,
    // said in words, and the page offers a new quote.
    clock.advance_s(60);
    w.fill("#convert-pin", PIN).await;
    w.click("#convert-submit").await;
    let (code, text) = error_shown(&w, "#convert-error").await;
    assert_eq!(code, "quote_expired", "{text}");
    assert!(text.contains("The quote has expired"), "{text}");
    w.find("#convert-refresh").await;
    assert!(disabled(&w, "#convert-submit").await);
    // Nothing moved: still only yuan.
    let r = call(&app, "GET", "/v1/me/balance", None, Some(&holder.token)).await;
    let balances: Value = r.json().await.unwrap();
    assert_eq!(
        balances["balances"],
        json!([{"currency": "CNY", "available": 5_000, "held": 0}])
    );
    w.close().await;
}
