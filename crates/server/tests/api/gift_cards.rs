//! Gift and membership cards over HTTP: a shop issues cards from its takings; a holder redeems a
//! code (once; wrong codes are rate-limited), buys one as a gift, gives one away; the card pays
//! at its shop before the wallet — at the till and through `POST /v1/pay` — and nowhere else,
//! never below zero even under racing payments; refunds go back to the card while it lives and
//! to the wallet after; expiry moves the rest to the shop once; `qianbao verify` checks cards
//! against their accounts.

use crate::helpers::{TestApp, call, get, spawn_app_with_clock};
use crate::money_helpers::{
    Holder, Merchant, SETTLE, answer, assert_ledger_clean, available, charge, funded, keyed,
    ledger, merchant_balance, open_merchant, order, pay, payment_code, refused,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// A shop whose takings are `takings` fen (less the fee), paid by a customer.
async fn shop_with_takings(app: &TestApp, name: &str, takings: i64) -> Merchant {
    let owner = funded(app, "店主", 0).await;
    let shop = open_merchant(app, &owner, name).await;
    let customer = funded(app, "老客", takings).await;
    let o = order(app, &shop, takings).await;
    let (status, body) =
        answer(pay(app, &customer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{body}");
    shop
}

async fn issue(app: &TestApp, shop: &Merchant, body: Value) -> (u16, Value) {
    answer(
        keyed(
            app,
            "/v1/merchant/gift-cards",
            body,
            &shop.api_key,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await
}

async fn redeem(app: &TestApp, h: &Holder, code: &str) -> reqwest::Response {
    call(
        app,
        "POST",
        "/v1/me/gift-cards/redeem",
        Some(json!({"code": code})),
        Some(&h.token),
    )
    .await
}

/// One card of `amount` issued with a code: (card id, code).
async fn one_code(app: &TestApp, shop: &Merchant, amount: i64) -> (String, String) {
    let (status, body) = issue(app, shop, json!({"amount": amount})).await;
    assert_eq!(status, 201, "{body}");
    let card = &body["cards"][0];
    (
        card["card_id"].as_str().unwrap().into(),
        card["code"].as_str().unwrap().into(),
    )
}

async fn cards(app: &TestApp, h: &Holder) -> Vec<Value> {
    let (status, body) = answer(get(app, "/v1/me/cards-in-wallet", &h.token).await).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn card_balance(app: &TestApp, h: &Holder, card_id: &str) -> Option<i64> {
    cards(app, h)
        .await
        .iter()
        .find(|c| c["card_id"] == card_id)
        .map(|c| c["balance"].as_i64().unwrap())
}

/// The shop's record of a payment: its fee.
async fn fee_of(app: &TestApp, shop: &Merchant, payment_id: &str) -> i64 {
    let r = call(
        app,
        "GET",
        &format!("/v1/merchant/payments/{payment_id}"),
        None,
        Some(&shop.api_key),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["fee"].as_i64().unwrap()
}

async fn refund(app: &TestApp, shop: &Merchant, payment_id: &str, amount: i64) -> (u16, Value) {
    answer(
        keyed(
            app,
            "/v1/merchant/refunds",
            json!({"payment_id": payment_id, "amount": amount, "reason": "退货"}),
            &shop.api_key,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await
}

fn verify_clean(app: &TestApp) {
    let (code, out) = crate::helpers::verify(app);
    assert_eq!(code, Some(0), "{out}");
}

#[tokio::test]
async fn a_redeemed_card_pays_at_its_shop_before_the_wallet_and_nowhere_else() {
    let (app, _clock) = spawn_app_with_clock().await;
    let shop = shop_with_takings(&app, "星巴克", 100_000).await;
    let other = shop_with_takings(&app, "瑞幸", 10_000).await;
    let (takings, _) = merchant_balance(&app, &shop).await;
    // Bad issues move nothing.
    for (field, body) in [
        ("count", json!({"amount": 100, "count": 101})),
        ("count", json!({"amount": 100, "count": 0})),
        ("kind", json!({"amount": 100, "kind": "platinum"})),
        (
            "expires_at",
            json!({"amount": 100, "expires_at": "2001-01-01T00:00:00Z"}),
        ),
        (
            "expires_at",
            json!({"amount": 100, "expires_at": "2100-01-01T00:00:00Z"}),
        ),
    ] {
        let (status, problem) = issue(&app, &shop, body).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some(field)),
            "{problem}"
        );
    }
    let (status, problem) = issue(&app, &shop, json!({"amount": takings + 1})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insufficient_balance"))
    );
    assert_eq!(merchant_balance(&app, &shop).await.0, takings);

    let (status, issued) = issue(
        &app,
        &shop,
        json!({"amount": 5_000, "count": 2, "kind": "membership"}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["cards"].as_array().unwrap().len(), 2);
    let code = issued["cards"][0]["code"].as_str().unwrap().to_string();
    let card_id = issued["cards"][0]["card_id"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 16);
    let number = issued["cards"][0]["number"].as_str().unwrap();
    assert!((16..=19).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(merchant_balance(&app, &shop).await.0, takings - 10_000);

    let h = funded(&app, "常客", 20_000).await;
    let (status, card) = answer(redeem(&app, &h, &code).await).await;
    assert_eq!(status, 201, "{card}");
    assert_eq!(
        (
            card["balance"].as_i64(),
            card["status"].as_str(),
            card["kind"].as_str(),
            card["merchant_name"].as_str()
        ),
        (
            Some(5_000),
            Some("active"),
            Some("membership"),
            Some("星巴克")
        )
    );
    // Twice is refused, by anyone.
    assert_eq!(
        refused(redeem(&app, &h, &code).await).await,
        (409, "gift_card_redeemed".into())
    );
    let someone = funded(&app, "路人", 0).await;
    assert_eq!(
        refused(redeem(&app, &someone, &code).await).await,
        (409, "gift_card_redeemed".into())
    );
    assert!(
        cards(&app, &someone).await.is_empty(),
        "nobody sees another's cards"
    );

    // At the till: the card pays first, the wallet the rest; the shop takes the whole price.
    let (before_shop, _) = merchant_balance(&app, &shop).await;
    let code_now = payment_code(&app, &h).await;
    let (status, charged) = answer(charge(&app, &shop, &code_now, 3_000, Some(&h.pin)).await).await;
    assert_eq!(status, 201, "{charged}");
    assert_eq!(
        (charged["amount"].as_i64(), charged["gift_card"].as_i64()),
        (Some(3_000), Some(3_000))
    );
    assert_eq!(
        available(&app, &h.token).await,
        20_000,
        "the wallet paid nothing"
    );
    assert_eq!(card_balance(&app, &h, &card_id).await, Some(2_000));
    let fee = fee_of(&app, &shop, charged["payment_id"].as_str().unwrap()).await;
    assert_eq!(
        merchant_balance(&app, &shop).await.0,
        before_shop + 3_000 - fee
    );

    // An order above what the card holds: the card pays all it has, the wallet the rest.
    let o = order(&app, &shop, 3_500).await;
    let (status, paid) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(
        (
            paid["amount"].as_i64(),
            paid["paid"].as_i64(),
            paid["gift_card"].as_i64()
        ),
        (Some(3_500), Some(3_500), Some(2_000))
    );
    assert_eq!(available(&app, &h.token).await, 20_000 - 1_500);
    assert_eq!(
        card_balance(&app, &h, &card_id).await,
        Some(0),
        "never below zero"
    );
    // Empty now: the next payment is the wallet's alone.
    let o = order(&app, &shop, 100).await;
    let (_, paid) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(paid["gift_card"], 0);

    // Another shop: a card of this shop is not used there; the wallet pays.
    let (status, second) =
        answer(redeem(&app, &h, issued["cards"][1]["code"].as_str().unwrap()).await).await;
    assert_eq!(status, 201, "{second}");
    let before = available(&app, &h.token).await;
    let o = order(&app, &other, 1_000).await;
    let (status, paid) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["gift_card"], 0);
    assert_eq!(available(&app, &h.token).await, before - 1_000);
    assert_eq!(
        card_balance(&app, &h, second["card_id"].as_str().unwrap()).await,
        Some(5_000)
    );

    // The shop lists its cards with what each holds.
    let (_, list) = answer(
        call(
            &app,
            "GET",
            "/v1/merchant/gift-cards",
            None,
            Some(&shop.api_key),
        )
        .await,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    verify_clean(&app);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn wrong_codes_are_not_found_then_rate_limited_per_holder() {
    let (app, _clock) = spawn_app_with_clock().await;
    let shop = shop_with_takings(&app, "面包房", 10_000).await;
    let (_, code) = one_code(&app, &shop, 1_000).await;
    let h = funded(&app, "猜码人", 0).await;
    for wrong in [
        "0000000000000000",
        "123",
        "abcdefghijklmnop",
        "1111111111111111",
        "2222222222222222",
    ] {
        assert_eq!(
            refused(redeem(&app, &h, wrong).await).await,
            (404, "gift_card_not_found".into())
        );
    }
    // The sixth try in the hour is refused before the code is looked at, even the right one.
    assert_eq!(
        refused(redeem(&app, &h, &code).await).await,
        (429, "rate_limited".into())
    );
    // Another holder is not held back by it.
    let other = funded(&app, "别人", 0).await;
    assert_eq!(redeem(&app, &other, &code).await.status(), 201);
}

#[tokio::test]
async fn a_card_bought_as_a_gift_lands_in_the_friends_wallet_and_can_be_given_on() {
    let (app, _clock) = spawn_app_with_clock().await;
    let shop = shop_with_takings(&app, "花店", 1_000).await;
    let buyer = funded(&app, "买家", 10_000).await;
    let friend = funded(&app, "朋友", 0).await;
    let third = funded(&app, "第三人", 0).await;
    let buy = |to: Option<&str>, pin: &str, amount: i64| {
        let mut body = json!({"merchant_id": shop.id, "amount": amount, "pin": pin});
        if let Some(to) = to {
            body["to_phone"] = json!(to);
        }
        body
    };
    let wrong = refused(
        keyed(
            &app,
            "/v1/gift-cards/buy",
            buy(Some(&friend.phone), crate::money_helpers::WRONG_PIN, 3_000),
            &buyer.token,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await;
    assert_eq!(wrong, (401, "pin_incorrect".into()));
    let too_much = refused(
        keyed(
            &app,
            "/v1/gift-cards/buy",
            buy(None, &buyer.pin, 10_001),
            &buyer.token,
            &crate::money_helpers::idem(),
        )
        .await,
    )
    .await;
    assert_eq!(too_much, (422, "insufficient_balance".into()));
    let key = crate::money_helpers::idem();
    let (status, bought) = answer(
        keyed(
            &app,
            "/v1/gift-cards/buy",
            buy(Some(&friend.phone), &buyer.pin, 3_000),
            &buyer.token,
            &key,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{bought}");
    assert_eq!(bought["gift"], true);
    // A retry with the same key buys nothing more.
    let (status, again) = answer(
        keyed(
            &app,
            "/v1/gift-cards/buy",
            buy(Some(&friend.phone), &buyer.pin, 3_000),
            &buyer.token,
            &key,
        )
        .await,
    )
    .await;
    assert_eq!((status, &again["card_id"]), (201, &bought["card_id"]));
    assert_eq!(available(&app, &buyer.token).await, 7_000);
    assert!(cards(&app, &buyer).await.is_empty());
    let card_id = bought["card_id"].as_str().unwrap();
    assert_eq!(card_balance(&app, &friend, card_id).await, Some(3_000));
    // The buyer's record says what it was.
    let record =
        crate::money_helpers::record(&app, &buyer.token, bought["movement_id"].as_str().unwrap())
            .await;
    assert_eq!(
        (record["type"].as_str(), record["amount"].as_i64()),
        (Some("gift_card"), Some(3_000)),
        "{record}"
    );

    // Another's card cannot be given by the buyer; the friend gives it on.
    let give = |from: &Holder, to: &Holder| {
        let (token, to_phone) = (from.token.clone(), to.phone.clone());
        let app = &app;
        async move {
            call(
                app,
                "POST",
                &format!("/v1/me/gift-cards/{card_id}/give"),
                Some(json!({"to_phone": to_phone})),
                Some(&token),
            )
            .await
        }
    };
    assert_eq!(
        refused(give(&buyer, &third).await).await,
        (404, "gift_card_not_found".into())
    );
    assert_eq!(
        refused(give(&friend, &friend).await).await,
        (422, "invalid_payee".into())
    );
    assert_eq!(give(&friend, &third).await.status(), 200);
    assert!(cards(&app, &friend).await.is_empty());
    assert_eq!(card_balance(&app, &third, card_id).await, Some(3_000));
    verify_clean(&app);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn a_refund_goes_back_to_the_card_while_it_lives_and_expiry_gives_the_rest_to_the_shop_once()
{
    let (app, clock) = spawn_app_with_clock().await;
    let shop = shop_with_takings(&app, "超市", 100_000).await;
    let h = funded(&app, "顾客", 10_000).await;
    let day = 86_400_000_i64;
    let now = qianbao_wallet::Clock::now_ms(clock.as_ref());
    let (status, issued) = issue(
        &app,
        &shop,
        json!({"amount": 4_000, "to_phone": h.phone, "expires_at": crate::helpers::rfc3339_of(now + 2 * day)}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    assert!(
        issued["cards"][0].get("code").is_none(),
        "a card for a phone has no code"
    );
    let card_id = issued["cards"][0]["card_id"].as_str().unwrap().to_string();
    assert_eq!(card_balance(&app, &h, &card_id).await, Some(4_000));

    // ¥60: ¥40 from the card, ¥20 from the wallet. A whole refund gives each back its own.
    let o = order(&app, &shop, 6_000).await;
    let (_, paid) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(paid["gift_card"], 4_000, "{paid}");
    let payment = paid["payment_id"].as_str().unwrap().to_string();
    let (status, body) = refund(&app, &shop, &payment, 6_000).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(card_balance(&app, &h, &card_id).await, Some(4_000));
    assert_eq!(available(&app, &h.token).await, 10_000);

    // Paid again, then the card expires before the refund: its part goes to the wallet.
    let o = order(&app, &shop, 1_000).await;
    let (_, paid) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(paid["gift_card"], 1_000);
    let payment = paid["payment_id"].as_str().unwrap().to_string();
    let (before_shop, _) = merchant_balance(&app, &shop).await;
    clock.advance_s(2 * 86_400 + 1);
    let started = std::time::Instant::now();
    while merchant_balance(&app, &shop).await.0 != before_shop + 3_000 {
        assert!(
            started.elapsed() < SETTLE,
            "the card's rest went to the shop"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(
        merchant_balance(&app, &shop).await.0,
        before_shop + 3_000,
        "once"
    );
    let mine = cards(&app, &h).await;
    assert_eq!(
        (mine[0]["status"].as_str(), mine[0]["balance"].as_i64()),
        (Some("expired"), Some(0))
    );
    // An expired card pays nothing.
    let o = order(&app, &shop, 500).await;
    let (_, later) = answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(later["gift_card"], 0);
    let before = available(&app, &h.token).await;
    let (status, body) = refund(&app, &shop, &payment, 1_000).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(available(&app, &h.token).await, before + 1_000);
    assert_eq!(card_balance(&app, &h, &card_id).await, Some(0));
    // Redeeming a code after its card expired is refused as such.
    let (_, late) = issue(&app, &shop, json!({"amount": 100, "expires_at": crate::helpers::rfc3339_of(qianbao_wallet::Clock::now_ms(clock.as_ref()) + day)})).await;
    clock.advance_s(86_400 + 1);
    assert_eq!(
        refused(redeem(&app, &h, late["cards"][0]["code"].as_str().unwrap()).await).await,
        (410, "gift_card_expired".into())
    );
    verify_clean(&app);
    assert_ledger_clean(&ledger(&app).await).await;
}

#[tokio::test]
async fn racing_payments_never_take_a_card_below_zero() {
    let (app, _clock) = spawn_app_with_clock().await;
    let shop = shop_with_takings(&app, "便利店", 100_000).await;
    let h = funded(&app, "急客", 0).await;
    let (card_id, code) = one_code(&app, &shop, 3_000).await;
    assert_eq!(redeem(&app, &h, &code).await.status(), 201);
    let app = Arc::new(app);
    let mut payments = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (app, h) = (app.clone(), h.clone());
        let o = order(&app, &shop, 1_000).await;
        payments.spawn(async move {
            answer(pay(&app, &h, o["qr_payload"].as_str().unwrap(), None).await).await
        });
    }
    let answers = payments.join_all().await;
    let paid: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    for (status, body) in &answers {
        assert!(
            *status == 201 || body["code"] == "insufficient_balance",
            "{status} {body}"
        );
    }
    assert_eq!(
        paid.len(),
        3,
        "the card pays three yuan-thousand orders and no more: {answers:?}"
    );
    assert!(paid.iter().all(|b| b["gift_card"] == 1_000));
    assert_eq!(card_balance(&app, &h, &card_id).await, Some(0));
    verify_clean(&app);
}

#[tokio::test]
async fn verify_finds_a_bent_card_balance_or_card_row() {
    let (app, _clock) = spawn_app_with_clock().await;
    let shop = shop_with_takings(&app, "书店", 10_000).await;
    let (card_id, _) = one_code(&app, &shop, 1_000).await;
    verify_clean(&app);
    crate::helpers::tamper(
        &app,
        &format!("UPDATE gift_cards SET status = 'expired' WHERE id = '{card_id}'"),
    )
    .await;
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("gift card"), "{out}");
    crate::helpers::tamper(
        &app,
        &format!("UPDATE gift_cards SET status = 'unredeemed', value = 999 WHERE id = '{card_id}'"),
    )
    .await;
    let (code, out) = crate::helpers::verify(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("more than the 999 fen"), "{out}");
}

#[tokio::test]
async fn a_shop_with_live_cards_keeps_its_owner_from_closing_but_a_holder_with_cards_may_close() {
    let (app, clock) = spawn_app_with_clock().await;
    let owner = funded(&app, "店主", 0).await;
    let shop = open_merchant(&app, &owner, "茶馆").await;
    let customer = funded(&app, "茶客", 2_000).await;
    let o = order(&app, &shop, 2_000).await;
    assert_eq!(
        pay(&app, &customer, o["qr_payload"].as_str().unwrap(), None)
            .await
            .status(),
        201
    );
    let (takings, _) = merchant_balance(&app, &shop).await;
    let (status, _) = issue(
        &app,
        &shop,
        json!({"amount": takings, "to_phone": customer.phone}),
    )
    .await;
    assert_eq!(status, 201);
    let close = |h: &Holder| {
        let (app, clock, h) = (&app, &clock, h.clone());
        async move {
            clock.advance_s(61);
            let otp = crate::money_helpers::otp_for(app, &h.phone, "close").await;
            call(
                app,
                "POST",
                "/v1/me/close",
                Some(json!({"pin": h.pin, "otp": otp})),
                Some(&h.token),
            )
            .await
        }
    };
    let (status, p) = crate::helpers::problem(close(&owner).await).await;
    assert_eq!((status, p.code.as_str()), (409, "close_blocked"), "{p:?}");
    let kinds: Vec<(String, Option<i64>)> = p
        .blockers
        .unwrap()
        .into_iter()
        .map(|b| (b.kind, b.amount))
        .collect();
    assert_eq!(
        kinds,
        vec![("gift_cards_outstanding".to_string(), Some(takings))]
    );
    // The card is the shop's liability, not the holder's money: the holder may close, and what
    // the card holds goes to the shop when it expires.
    let r = close(&customer).await;
    assert!(r.status().is_success(), "{:?}", r.text().await);
}
