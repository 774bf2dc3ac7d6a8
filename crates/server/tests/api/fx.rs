//! Several currencies over HTTP: quotes at the rate in force less the spread, conversions between
//! a holder's own accounts (once per quote, before it expires, within the balance), the balance
//! in every currency held, and the ledger balanced in each currency after all of it.

use crate::helpers::{TestApp, TestClock, call, spawn_app_with_clock};
use crate::money_helpers::{
    answer, assert_ledger_clean, funded, keyed, ledger, money, open_l1_holder, refused,
};
use qianbao_store::Location;
use qianbao_wallet::fx::{operator_rate, set_rates};
use serde_json::{Value, json};
use std::sync::Arc;

/// Sets mid rates at the app's time now, as `qianbao admin fx set` does.
async fn set(app: &TestApp, clock: &Arc<TestClock>, rates: &[(&str, &str)]) {
    let location = match &app.database {
        Some(db) => Location::Postgres(db.url.clone()),
        None => Location::SqliteDir(app.dir.clone()),
    };
    let storage = qianbao_store::Storage::open(&location).await.unwrap();
    let now = qianbao_wallet::Clock::now_ms(clock.as_ref());
    let rates = rates
        .iter()
        .map(|(pair, rate)| operator_rate(pair, rate, "operator", now).unwrap())
        .collect();
    set_rates(&storage, rates).await.unwrap();
}

async fn quote(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    answer(money(app, "/v1/fx/quotes", body, token).await).await
}

/// A quote of `h`'s selling `cny` fen for dollars, which must be given.
async fn dollars_for(app: &TestApp, h: &crate::money_helpers::Holder, cny: i64) -> Value {
    let (status, q) = quote(
        app,
        &h.token,
        json!({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": cny}),
    )
    .await;
    assert_eq!(status, 201, "{q}");
    q
}

/// `h` converts at the quote `q` with their PIN and a fresh key.
async fn convert_at(
    app: &TestApp,
    h: &crate::money_helpers::Holder,
    q: &Value,
) -> reqwest::Response {
    money(
        app,
        "/v1/fx/conversions",
        json!({"quote_id": q["quote_id"], "pin": h.pin}),
        &h.token,
    )
    .await
}

/// Every balance the holder has: currency → available.
async fn balances(app: &TestApp, token: &str) -> Vec<(String, i64)> {
    let (status, body) = answer(call(app, "GET", "/v1/me/balance", None, Some(token)).await).await;
    assert_eq!(status, 200, "{body}");
    body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["currency"].as_str().unwrap().to_string(),
                b["available"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_holder_converts_yuan_to_dollars_at_a_quote_once() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = funded(&app, "张三", 10_000).await;
    set(&app, &clock, &[("USD/CNY", "7.1234")]).await;
    let q = dollars_for(&app, &h, 10_000).await;
    // ¥100 less 50 bps (¥0.50) at 1/7.1234 = 0.140382401662: 9,950 × 0.140382401662 = 1,396.8049
    // cents, rounded up for the holder.
    assert_eq!(q["rate"], "0.140382401662");
    assert_eq!(
        (&q["sell_amount"], &q["buy_amount"], &q["fee"]),
        (&json!(10_000), &json!(1_397), &json!(50))
    );
    assert_eq!(q["fee_currency"], "CNY");
    let body = json!({"quote_id": q["quote_id"], "pin": h.pin});
    let key = crate::money_helpers::idem();
    let (status, done) =
        answer(keyed(&app, "/v1/fx/conversions", body.clone(), &h.token, &key).await).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(
        (
            &done["status"],
            &done["sell_amount"],
            &done["buy_amount"],
            &done["sell_currency"],
            &done["buy_currency"]
        ),
        (
            &json!("succeeded"),
            &json!(10_000),
            &json!(1_397),
            &json!("CNY"),
            &json!("USD")
        )
    );
    let mut held = balances(&app, &h.token).await;
    held.sort();
    assert_eq!(held, vec![("CNY".into(), 0), ("USD".into(), 1_397)]);
    // The same key answers the same again; another key finds the quote spent.
    let (again, replay) =
        answer(keyed(&app, "/v1/fx/conversions", body.clone(), &h.token, &key).await).await;
    assert_eq!((again, &replay["id"]), (201, &done["id"]));
    let r = money(&app, "/v1/fx/conversions", body, &h.token).await;
    assert_eq!(refused(r).await, (422, "quote_used".into()));
    // And back: selling dollars for yuan at 7.1234 less 50 bps.
    let (_, back) = quote(
        &app,
        &h.token,
        json!({"sell_currency": "USD", "buy_currency": "CNY", "buy_amount": 5_000}),
    )
    .await;
    // ¥50.00 costs ⌊5,000 / 7.1234⌋ = 701 cents at mid, grossed up: ⌊701 × 10,000 / 9,950⌋ = 704.
    assert_eq!(
        (
            &back["rate"],
            &back["sell_amount"],
            &back["buy_amount"],
            &back["fee"]
        ),
        (&json!("7.1234"), &json!(704), &json!(5_000), &json!(3))
    );
    let r = convert_at(&app, &h, &back).await;
    assert_eq!(answer(r).await.0, 201);
    let mut held = balances(&app, &h.token).await;
    held.sort();
    assert_eq!(held, vec![("CNY".into(), 5_000), ("USD".into(), 693)]);
    let (_, records) = answer(
        call(
            &app,
            "GET",
            "/v1/me/transactions?type=conversion",
            None,
            Some(&h.token),
        )
        .await,
    )
    .await;
    assert_eq!(
        records["items"].as_array().map(Vec::len),
        Some(4),
        "{records}"
    );
    // The month's summary is in yuan and leaves conversions out: only the top-up remains.
    let (_, summary) = answer(
        call(
            &app,
            "GET",
            "/v1/me/summary?month=2027-01",
            None,
            Some(&h.token),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            &summary["own_card_in"],
            &summary["own_card_out"],
            &summary["total_out"]
        ),
        (&json!(10_000), &json!(0), &json!(0)),
        "{summary}"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn an_expired_a_foreign_or_an_unaffordable_quote_moves_nothing() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = funded(&app, "张三", 1_000).await;
    let other = open_l1_holder(&app).await;
    set(
        &app,
        &clock,
        &[("USD/CNY", "7.1234"), ("JPY/CNY", "0.0487")],
    )
    .await;
    let ask = json!({"sell_currency": "CNY", "buy_currency": "JPY", "sell_amount": 1_000});
    let (_, q) = quote(&app, &h.token, ask.clone()).await;
    // ¥10.00 less ¥0.05 at 1/0.0487 = 20.533880903491 yen per yuan: 204.3121 → 205 yen.
    assert_eq!((&q["buy_amount"], &q["fee"]), (&json!(205), &json!(5)));
    clock.advance_s(31);
    let r = convert_at(&app, &h, &q).await;
    assert_eq!(refused(r).await, (422, "quote_expired".into()));
    let (_, q) = quote(&app, &h.token, ask).await;
    let r = convert_at(&app, &other, &q).await;
    assert_eq!(
        refused(r).await,
        (404, "not_found".into()),
        "another holder's quote"
    );
    let big = dollars_for(&app, &h, 1_001).await;
    let r = convert_at(&app, &h, &big).await;
    assert_eq!(refused(r).await, (422, "insufficient_balance".into()));
    assert_eq!(balances(&app, &h.token).await, vec![("CNY".into(), 1_000)]);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn two_conversions_racing_on_one_quote_move_money_once() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = funded(&app, "张三", 10_000).await;
    set(&app, &clock, &[("USD/CNY", "7.1234")]).await;
    let q = dollars_for(&app, &h, 5_000).await;
    let body = json!({"quote_id": q["quote_id"], "pin": h.pin});
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (client, url, body, token) = (
            app.client.clone(),
            format!("{}/v1/fx/conversions", app.address),
            body.clone(),
            h.token.clone(),
        );
        tasks.spawn(async move {
            client
                .post(url)
                .bearer_auth(&token)
                .header("Idempotency-Key", crate::money_helpers::idem())
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut statuses: Vec<u16> = tasks.join_all().await;
    statuses.sort();
    assert_eq!(statuses, vec![201, 422, 422, 422, 422, 422]);
    let mut held = balances(&app, &h.token).await;
    held.sort();
    assert_eq!(held, vec![("CNY".into(), 5_000), ("USD".into(), 699)]);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn bad_currencies_amounts_and_missing_rates_are_refused() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = funded(&app, "张三", 1_000).await;
    set(&app, &clock, &[("USD/CNY", "7.1234")]).await;
    for (sell, buy) in [
        ("usd", "CNY"),
        ("XYZ", "CNY"),
        ("CNY", "KRW"),
        ("CN", "USD"),
    ] {
        let (status, body) = quote(
            &app,
            &h.token,
            json!({"sell_currency": sell, "buy_currency": buy, "sell_amount": 100}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("currency_unsupported")),
            "{sell}/{buy}: {body}"
        );
    }
    for body in [
        json!({"sell_currency": "CNY", "buy_currency": "USD"}),
        json!({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": 100, "buy_amount": 10}),
        json!({"sell_currency": "CNY", "buy_currency": "CNY", "sell_amount": 100}),
    ] {
        let (status, problem) = quote(&app, &h.token, body.clone()).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("invalid_request")),
            "{body}: {problem}"
        );
    }
    for amount in [0, -5] {
        let (status, body) = quote(
            &app,
            &h.token,
            json!({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": amount}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("amount_invalid")),
            "{amount}"
        );
    }
    // A fractional amount cannot exist: amounts are integers of the currency's minor unit.
    let (status, _) = quote(
        &app,
        &h.token,
        json!({"sell_currency": "JPY", "buy_currency": "CNY", "sell_amount": 1.5}),
    )
    .await;
    assert_eq!(status, 422, "a fraction is not an integer amount");
    let (status, body) = quote(
        &app,
        &h.token,
        json!({"sell_currency": "EUR", "buy_currency": "GBP", "sell_amount": 100}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("fx_unavailable")),
        "{body}"
    );
    clock.advance_s(25 * 3600);
    let (status, body) = quote(
        &app,
        &h.token,
        json!({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": 100}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("fx_unavailable")),
        "a stale rate: {body}"
    );
    // The rates and the enabled currencies are public.
    let (status, rates) = answer(call(&app, "GET", "/v1/fx/rates", None, None).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        rates["currencies"][0],
        json!({"code": "CNY", "exponent": 2})
    );
    assert!(
        rates["currencies"]
            .as_array()
            .unwrap()
            .contains(&json!({"code": "JPY", "exponent": 0}))
    );
    assert_eq!(rates["rates"][0]["pair"], "USD/CNY");
}

#[tokio::test]
async fn staff_set_a_rate_in_the_console_with_a_reason_and_it_is_audited() {
    use crate::console_helpers::{add_staff, app as console_app, audit, first_admin, sign_in};
    let (app, clock) = console_app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let support = add_staff(&app, &clock, &admin_token, "support").await;
    let support_token = sign_in(&app, &clock, &support).await;
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            answer(call(app, "PUT", "/v1/console/fx/rates", Some(body), Some(&token)).await).await
        }
    };
    let body = json!({"pair": "USD/CNY", "rate": "7.2001", "reason": "morning fix"});
    let (status, refused) = put(support_token.clone(), body.clone()).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("permission_denied")),
        "{refused}"
    );
    for bad in [
        json!({"pair": "USD/CNY", "rate": "7.2001", "reason": ""}),
        json!({"pair": "usd/cny", "rate": "7.2001", "reason": "x"}),
        json!({"pair": "USD/CNY", "rate": "-1", "reason": "x"}),
    ] {
        let (status, _) = put(admin_token.clone(), bad.clone()).await;
        assert_eq!(status, 422, "{bad}");
    }
    let (status, set) = put(admin_token.clone(), body).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        (&set["pair"], &set["rate"], &set["source"]),
        (&json!("USD/CNY"), &json!("7.2001"), &json!("console"))
    );
    let lines = audit(&app, &admin_token, "action=fx.rate_set").await;
    let line = lines
        .iter()
        .find(|l| l["outcome"] == "done")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(
        (&line["entity"], &line["reason"]),
        (&json!("fx:USD/CNY"), &json!("morning fix"))
    );
    let (status, list) = answer(
        call(
            &app,
            "GET",
            "/v1/console/fx/rates",
            None,
            Some(&admin_token),
        )
        .await,
    )
    .await;
    assert_eq!((status, &list["rates"][0]["rate"]), (200, &json!("7.2001")));
    // Quotes are priced from it at once.
    let h = funded(&app, "张三", 1_000).await;
    let (_, q) = quote(
        &app,
        &h.token,
        json!({"sell_currency": "USD", "buy_currency": "CNY", "buy_amount": 100}),
    )
    .await;
    assert_eq!(q["rate"], "7.2001", "{q}");
}

/// The merchant's available balance in `currency`.
async fn shop_balance(app: &TestApp, m: &crate::money_helpers::Merchant, currency: &str) -> i64 {
    let (status, body) =
        answer(call(app, "GET", "/v1/merchant/balance", None, Some(&m.api_key)).await).await;
    assert_eq!(status, 200, "{body}");
    body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == currency)
        .map_or(0, |b| b["available"].as_i64().unwrap())
}

#[tokio::test]
async fn an_order_priced_in_dollars_is_paid_from_yuan_through_the_previews_quote() {
    use crate::money_helpers::open_merchant;
    let (app, clock) = spawn_app_with_clock().await;
    let owner = crate::money_helpers::open_l2_holder(&app).await;
    let shop = open_merchant(&app, &owner, "免税店").await;
    let payer = funded(&app, "张三", 20_000).await;
    set(&app, &clock, &[("USD/CNY", "7.1234")]).await;
    let (status, order) = answer(
        call(
            &app,
            "POST",
            "/v1/merchant/orders",
            Some(json!({"amount": 1_000, "currency": "USD", "description": "香水"})),
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["currency"], "USD");
    let code = order["qr_payload"].as_str().unwrap().to_string();
    // EMVCo MPM: dynamic, USD (840), US$10.00, a valid CRC last.
    assert!(code.starts_with("000201010212"), "{code}");
    assert!(
        code.contains("5303840") && code.contains("540510.00"),
        "{code}"
    );
    let (status, preview) = answer(
        call(
            &app,
            "GET",
            &format!("/v1/pay/preview?payload={}", urlencode(&code)),
            None,
            Some(&payer.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        (&preview["amount"], &preview["currency"]),
        (&json!(1_000), &json!("USD"))
    );
    // US$10.00 at CNY→USD 0.140382401662 (1 / 7.1234) costs ⌊1,000 ÷ 0.140382401662⌋ = 7,123 fen
    // at mid, grossed up by 50 bps: 7,158.
    let fx = &preview["fx"];
    assert_eq!(
        (
            &fx["rate"],
            &fx["pay_amount"],
            &fx["pay_currency"],
            &fx["fee"]
        ),
        (
            &json!("0.140382401662"),
            &json!(7_158),
            &json!("CNY"),
            &json!(35)
        )
    );
    // Without the quote there is no price in yuan to pay.
    let r = money(
        &app,
        "/v1/pay",
        json!({"payload": code, "pin": payer.pin}),
        &payer.token,
    )
    .await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    let r = money(
        &app,
        "/v1/pay",
        json!({"payload": code, "pin": payer.pin, "quote_id": fx["quote_id"]}),
        &payer.token,
    )
    .await;
    let (status, paid) = answer(r).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (&paid["amount"], &paid["currency"]),
        (&json!(7_158), &json!("CNY"))
    );
    assert_eq!(
        balances(&app, &payer.token).await,
        vec![("CNY".into(), 20_000 - 7_158)]
    );
    // The shop takes US$10.00 less its 0.6 % fee (6 cents) in dollars.
    assert_eq!(shop_balance(&app, &shop, "USD").await, 994);
    let r = money(
        &app,
        "/v1/pay",
        json!({"payload": code, "pin": payer.pin, "quote_id": fx["quote_id"]}),
        &payer.token,
    )
    .await;
    assert_eq!(refused(r).await, (409, "order_paid".into()));
    // Half refunded: the payer paid yuan, so yuan come back, in proportion to what they paid
    // (⌊500 × 7,158 / 1,000⌋ = ¥35.79); the shop gives back $5.00 less half its fee (3 cents).
    let payment_id = paid["payment_id"].as_str().unwrap();
    let r = keyed(
        &app,
        "/v1/merchant/refunds",
        json!({"payment_id": payment_id, "amount": 500, "reason": "退货"}),
        &shop.api_key,
        &crate::money_helpers::idem(),
    )
    .await;
    let (status, refunded) = answer(r).await;
    assert_eq!(status, 201, "{refunded}");
    assert_eq!(
        balances(&app, &payer.token).await,
        vec![("CNY".into(), 20_000 - 7_158 + 3_579)]
    );
    assert_eq!(shop_balance(&app, &shop, "USD").await, 994 - 497);
    // The shop settles the dollars left: converted to yuan at 7.1234 less 50 bps (497 cents →
    // fee 2, 495 × 7.1234 = ¥35.2608 → ¥35.27), then paid to the owner's card as yuan.
    let r = keyed(
        &app,
        "/v1/merchant/settlements",
        json!({"currency": "USD"}),
        &shop.api_key,
        &crate::money_helpers::idem(),
    )
    .await;
    let (status, settled) = answer(r).await;
    assert_eq!(status, 201, "{settled}");
    assert_eq!(
        (&settled["amount"], &settled["currency"]),
        (&json!(3_527), &json!("CNY"))
    );
    assert_eq!(shop_balance(&app, &shop, "USD").await, 0);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_printed_code_whose_amount_or_crc_was_changed_is_refused_with_its_reason() {
    use crate::money_helpers::{open_merchant, order, pay};
    let (app, _clock) = spawn_app_with_clock().await;
    let owner = open_l1_holder(&app).await;
    let shop = open_merchant(&app, &owner, "兰州牛肉面").await;
    let payer = funded(&app, "张三", 5_000).await;
    let o = order(&app, &shop, 1_200).await;
    let code = o["qr_payload"].as_str().unwrap();
    let order_id = o["order_id"].as_str().unwrap();
    // The same order stated at ¥0.01, with a correct CRC: our code, but not this order's price.
    let cheap = qianbao_wallet::money::payload::merchant_order_code(
        &shop.id,
        order_id,
        "Noodles",
        "BEIJING",
        "5812",
        qianbao_ledger::Currency::CNY,
        1,
    )
    .unwrap();
    let (status, problem) = answer(pay(&app, &payer, &cheap, None).await).await;
    assert_eq!(
        (status, &problem["code"], &problem["reason"]),
        (422, &json!("payload_invalid"), &json!("amount_mismatch")),
        "{problem}"
    );
    let mut broken = code.to_string();
    let last = broken.pop().unwrap();
    broken.push(if last == '0' { '1' } else { '0' });
    let (status, problem) = answer(pay(&app, &payer, &broken, None).await).await;
    assert_eq!(
        (status, &problem["reason"]),
        (422, &json!("crc_mismatch")),
        "{problem}"
    );
    // The old qianbao:// text of the same order is still paid.
    let r = pay(&app, &payer, &format!("qianbao://o/{order_id}"), None).await;
    assert_eq!(answer(r).await.0, 201);
    // And the shop's static code is EMVCo too, with the payer typing the amount.
    assert!(
        shop.static_qr.starts_with("000201010211"),
        "{}",
        shop.static_qr
    );
    let r = pay(&app, &payer, &shop.static_qr, Some(300)).await;
    assert_eq!(answer(r).await.0, 201);
    assert_eq!(
        balances(&app, &payer.token).await,
        vec![("CNY".into(), 5_000 - 1_200 - 300)]
    );
}

/// Percent-encodes a payload for a query string.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Converts `cny` fen of `h`'s yuan into dollars; answers the dollars got.
async fn buy_dollars(app: &TestApp, h: &crate::money_helpers::Holder, cny: i64) -> i64 {
    let (_, q) = quote(
        app,
        &h.token,
        json!({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": cny}),
    )
    .await;
    let r = money(
        app,
        "/v1/fx/conversions",
        json!({"quote_id": q["quote_id"], "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, done) = answer(r).await;
    assert_eq!(status, 201, "{done}");
    done["buy_amount"].as_i64().unwrap()
}

#[tokio::test]
async fn dollars_sent_to_someone_without_dollars_arrive_in_their_main_currency_through_a_quote() {
    let (app, clock) = spawn_app_with_clock().await;
    let a = funded(&app, "张三", 20_000).await;
    let b = funded(&app, "李四", 0).await;
    set(&app, &clock, &[("USD/CNY", "7.1234")]).await;
    let dollars = buy_dollars(&app, &a, 10_000).await;
    assert_eq!(dollars, 1_397);
    // The payee holds no dollars and their main currency is the yuan.
    let (_, payee) = answer(
        call(
            &app,
            "GET",
            &format!("/v1/payees?wallet_id={}", b.wallet_id),
            None,
            Some(&a.token),
        )
        .await,
    )
    .await;
    assert_eq!(payee["main_currency"], "CNY", "{payee}");
    let send = json!({"to_wallet_id": b.wallet_id, "amount": 500, "currency": "USD", "pin": a.pin});
    let r = money(&app, "/v1/transfers", send.clone(), &a.token).await;
    assert_eq!(refused(r).await, (422, "quote_required".into()));
    let (status, q) = quote(
        &app,
        &a.token,
        json!({"sell_currency": "USD", "buy_currency": "CNY", "sell_amount": 500, "to_wallet_id": b.wallet_id}),
    )
    .await;
    assert_eq!(status, 201, "{q}");
    // $5.00 less 50 bps ($0.02, rounded down for the payer) at 7.1234: 498 × 7.1234 = ¥35.4745 → ¥35.48.
    assert_eq!((&q["fee"], &q["buy_amount"]), (&json!(2), &json!(3_548)));
    let mut with_quote = send.clone();
    with_quote["quote_id"] = q["quote_id"].clone();
    let (status, sent) =
        answer(money(&app, "/v1/transfers", with_quote.clone(), &a.token).await).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(
        (&sent["amount"], &sent["currency"]),
        (&json!(500), &json!("USD"))
    );
    assert_eq!(balances(&app, &b.token).await, vec![("CNY".into(), 3_548)]);
    let r = money(&app, "/v1/transfers", with_quote, &a.token).await;
    assert_eq!(refused(r).await, (422, "quote_used".into()));
    let (_, records) = answer(
        call(
            &app,
            "GET",
            "/v1/me/transactions?type=transfer",
            None,
            Some(&b.token),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            &records["items"][0]["amount"],
            &records["items"][0]["currency"]
        ),
        (&json!(3_548), &json!("CNY"))
    );
    // Once the payee makes the dollar their main currency, dollars arrive as dollars.
    let r = call(
        &app,
        "PUT",
        "/v1/me/main-currency",
        Some(json!({"main_currency": "USD"})),
        Some(&b.token),
    )
    .await;
    assert_eq!(answer(r).await.0, 200);
    let r = call(
        &app,
        "PUT",
        "/v1/me/main-currency",
        Some(json!({"main_currency": "KRW"})),
        Some(&b.token),
    )
    .await;
    assert_eq!(refused(r).await, (422, "currency_unsupported".into()));
    let (status, sent) = answer(money(&app, "/v1/transfers", send, &a.token).await).await;
    assert_eq!(status, 201, "{sent}");
    let mut held = balances(&app, &b.token).await;
    held.sort();
    assert_eq!(held, vec![("CNY".into(), 3_548), ("USD".into(), 500)]);
    // A delayed transfer is in yuan only.
    let r = money(&app, "/v1/transfers", json!({"to_wallet_id": b.wallet_id, "amount": 100, "currency": "USD", "pin": a.pin, "delay": "2h"}), &a.token).await;
    assert_eq!(refused(r).await, (422, "invalid_request".into()));
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn limits_count_money_in_other_currencies_in_yuan_at_the_rate() {
    use qianbao_wallet::levels::{LevelTable, Limits};
    let mut policy = qianbao_server::policy::Policy::defaults(true);
    policy.money.risk = Arc::new(qianbao_wallet::risk::RuleSet::empty());
    let yuan = |y: i64| Some(qianbao_ledger::Amount::from_minor(y * 100));
    let limits = Limits {
        balance_cap: None,
        per_payment: yuan(100),
        per_day: yuan(150),
    };
    policy.levels = LevelTable([limits; 4]);
    let (app, clock) = crate::helpers::spawn_app_with_policy(Some(policy)).await;
    let a = funded(&app, "张三", 50_000).await;
    let b = funded(&app, "李四", 0).await;
    set(&app, &clock, &[("USD/CNY", "7.1234")]).await;
    // ¥300 of dollars, in three conversions (a conversion is not spending).
    let mut dollars = 0;
    for _ in 0..3 {
        dollars += buy_dollars(&app, &a, 10_000).await;
    }
    assert_eq!(dollars, 3 * 1_397);
    let r = call(
        &app,
        "PUT",
        "/v1/me/main-currency",
        Some(json!({"main_currency": "USD"})),
        Some(&b.token),
    )
    .await;
    assert_eq!(answer(r).await.0, 200);
    let send = |cents: i64| json!({"to_wallet_id": b.wallet_id, "amount": cents, "currency": "USD", "pin": a.pin});
    // $15.00 is ¥106.85: above the ¥100 per payment.
    let (status, problem) = answer(money(&app, "/v1/transfers", send(1_500), &a.token).await).await;
    assert_eq!(
        (status, &problem["code"], &problem["limit"]),
        (422, &json!("limit_exceeded"), &json!("per_payment")),
        "{problem}"
    );
    // $13.00 is ¥92.60 (rounded up): within it, and counted toward the day in yuan.
    let (status, _) = answer(money(&app, "/v1/transfers", send(1_300), &a.token).await).await;
    assert_eq!(status, 201);
    // ¥150 a day less ¥92.61 leaves ¥57.39: ¥60 in yuan passes no more.
    let r = money(
        &app,
        "/v1/transfers",
        json!({"to_wallet_id": b.wallet_id, "amount": 6_000, "pin": a.pin}),
        &a.token,
    )
    .await;
    let (status, problem) = answer(r).await;
    assert_eq!(
        (status, &problem["limit"], &problem["headroom"]),
        (422, &json!("per_day"), &json!(5_739)),
        "{problem}"
    );
    assert_ledger_clean(&ledger(&app).await).await;
}
