//! Opening holders to the level a money test needs (sign-up, real name, a card bound with the
//! bank's SMS code, a payment password), merchants with their API keys, and small conveniences
//! for money calls: a fresh `Idempotency-Key`, a funded holder, a top-up, a balance, polling with a
//! deadline, and the ledger's own verification of the app's storage.

use crate::helpers::{TestApp, call, problem, random_phone};
use crate::helpers::{card_number, id_number};
use qianbao_ledger::{AccountKind, Currency};
use qianbao_store::Location;
use qianbao_wallet::{AccountOwner, LedgerStore};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every test holder's login password.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery";
/// Every test holder's payment password.
pub const PIN: &str = "258147";
/// A payment password that is not the holder's.
pub const WRONG_PIN: &str = "963852";

/// A holder as a test knows them. Fields a level has not reached yet are empty.
#[derive(Clone, Debug)]
pub struct Holder {
    pub token: String,
    pub phone: String,
    pub wallet_id: String,
    pub name: String,
    pub id_number: String,
    pub card_id: String,
    pub pin: String,
}

/// A merchant as its owner opened it.
#[derive(Clone, Debug)]
pub struct Merchant {
    pub id: String,
    pub api_key: String,
    pub static_qr: String,
}

/// A fresh `Idempotency-Key`.
pub fn idem() -> String {
    format!("test-{}", uuid::Uuid::new_v4().simple())
}

/// A resident ID number nobody else in the test has: a random birth date (1960–1999) and sequence.
pub fn fresh_id_number() -> String {
    let r = uuid::Uuid::new_v4().as_u128();
    let birth = format!(
        "{}{:02}{:02}",
        1960 + r % 40,
        1 + (r >> 8) % 12,
        1 + (r >> 16) % 28
    );
    id_number(&birth, &format!("{:03}", 100 + (r >> 24) % 800))
}

/// The newest SMS code sent to `phone` (money alerts carry none, and are skipped).
pub async fn newest_code(app: &TestApp, phone: &str) -> String {
    sms_to(app, phone)
        .await
        .iter()
        .find_map(|m| m["code"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no code was texted to {phone}"))
}

/// Every SMS the sandbox sent to `phone`, newest first.
pub async fn sms_to(app: &TestApp, phone: &str) -> Vec<Value> {
    let path = format!("/v1/sandbox/sms?phone={}", phone.replace('+', "%2B"));
    let body: Value = call(app, "GET", &path, None, None)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().cloned().unwrap_or_default()
}

/// Asks for a code of `purpose` for `phone` and reads it from the sandbox.
pub async fn otp_for(app: &TestApp, phone: &str, purpose: &str) -> String {
    let r = call(
        app,
        "POST",
        "/v1/otp",
        Some(json!({"phone": phone, "purpose": purpose})),
        None,
    )
    .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    newest_code(app, phone).await
}

/// A signed-up holder at L0: no name, no card, no payment password.
pub async fn signed_up(app: &TestApp) -> Holder {
    let phone = random_phone();
    let code = otp_for(app, &phone, "signup").await;
    let r = call(
        app,
        "POST",
        "/v1/signup",
        Some(json!({"phone": phone, "otp": code, "password": PASSWORD})),
        None,
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    Holder {
        token: body["token"].as_str().unwrap().into(),
        phone,
        wallet_id: body["wallet_id"].as_str().unwrap().into(),
        name: String::new(),
        id_number: String::new(),
        card_id: String::new(),
        pin: String::new(),
    }
}

/// An L1 holder named `name` with the payment password [`PIN`].
pub async fn open_l1_holder_named(app: &TestApp, name: &str) -> Holder {
    let mut h = signed_up(app).await;
    h.name = name.into();
    h.id_number = fresh_id_number();
    let r = call(
        app,
        "POST",
        "/v1/me/identity",
        Some(json!({"name": h.name, "id_number": h.id_number})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = call(
        app,
        "PUT",
        "/v1/me/pin",
        Some(json!({"pin": PIN})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    h.pin = PIN.into();
    h
}

/// An L1 holder (张三) with a payment password.
pub async fn open_l1_holder(app: &TestApp) -> Holder {
    open_l1_holder_named(app, "张三").await
}

/// Binds `number` for `h` with the bank's SMS code (a credit card with expiry and CVV); returns
/// the card's id.
pub async fn bind_card(app: &TestApp, h: &Holder, number: &str, credit: bool) -> String {
    let mut body = json!({
        "card_number": number,
        "holder_name": h.name,
        "id_number": h.id_number,
        "reserved_phone": h.phone,
    });
    if credit {
        body["expiry"] = json!("12/39");
        body["cvv"] = json!("737");
    }
    let r = call(app, "POST", "/v1/me/cards", Some(body), Some(&h.token)).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let pending: Value = r.json().await.unwrap();
    let card_id = pending["card_id"].as_str().unwrap().to_string();
    let code = newest_code(app, &h.phone).await;
    let r = call(
        app,
        "POST",
        &format!("/v1/me/cards/{card_id}/confirm"),
        Some(json!({"otp": code})),
        Some(&h.token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    card_id
}

/// An L2 holder named `name` whose card (with `number`) is bound and who has a payment password.
pub async fn open_l2_holder_with_card(
    app: &TestApp,
    name: &str,
    number: &str,
    credit: bool,
) -> Holder {
    let mut h = open_l1_holder_named(app, name).await;
    h.card_id = bind_card(app, &h, number, credit).await;
    h
}

/// An L2 holder named `name` with an ICBC debit card and a payment password.
pub async fn open_l2_holder_named(app: &TestApp, name: &str) -> Holder {
    open_l2_holder_with_card(app, name, &card_number("622202", 19), false).await
}

/// An L2 holder (张三) with an ICBC debit card and a payment password.
pub async fn open_l2_holder(app: &TestApp) -> Holder {
    open_l2_holder_named(app, "张三").await
}

/// How long a test waits for the timers (polled every 500 ms) or the reconciler.
pub const SETTLE: Duration = Duration::from_secs(10);

/// An L2 holder with `amount` fen topped up from their debit card.
pub async fn funded(app: &TestApp, name: &str, amount: i64) -> Holder {
    let h = open_l2_holder_named(app, name).await;
    if amount > 0 {
        topup(app, &h, amount).await;
    }
    h
}

/// A debit card number whose digits 7–10 are `behaviour` (`0001` … `0006` choose a failure).
pub fn debit_card_with(behaviour: &str) -> String {
    card_number(&format!("622202{behaviour}"), 19)
}

/// `method path` with a JSON body, a bearer token and an `Idempotency-Key`.
pub async fn keyed(
    app: &TestApp,
    path: &str,
    body: Value,
    token: &str,
    key: &str,
) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// `POST path` with a fresh `Idempotency-Key`.
pub async fn money(app: &TestApp, path: &str, body: Value, token: &str) -> reqwest::Response {
    keyed(app, path, body, token, &idem()).await
}

/// The status and JSON body of a response.
pub async fn answer(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {status} {text}")),
    )
}

/// The status and body of a response whose body is the wire type `T`, for replies that
/// `qianbao_api_types` describes: a field that is missing or of the wrong type fails here.
pub async fn typed<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> (u16, T) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not a {}: {status} {text}: {e}", std::any::type_name::<T>()));
    (status, body)
}

/// The status and stable code of a refused call.
pub async fn refused(r: reqwest::Response) -> (u16, String) {
    let (status, p) = problem(r).await;
    (status, p.code)
}

/// Tops up `amount` fen from the holder's card; asserts it succeeded and returns the reply.
pub async fn topup(app: &TestApp, h: &Holder, amount: i64) -> Value {
    let r = money(
        app,
        "/v1/me/topups",
        json!({"card_id": h.card_id, "amount": amount, "pin": h.pin}),
        &h.token,
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "succeeded", "{body}");
    body
}

/// Transfers `amount` fen from `from` to `to` by wallet id.
pub async fn transfer(app: &TestApp, from: &Holder, to: &Holder, amount: i64) -> reqwest::Response {
    money(
        app,
        "/v1/transfers",
        json!({"to_wallet_id": to.wallet_id, "amount": amount, "pin": from.pin}),
        &from.token,
    )
    .await
}

/// The holder's CNY balance: (available, held).
pub async fn balance(app: &TestApp, token: &str) -> (i64, i64) {
    let r = call(app, "GET", "/v1/me/balance", None, Some(token)).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let cny = body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .unwrap_or_else(|| panic!("no CNY balance: {body}"))
        .clone();
    (
        cny["available"].as_i64().unwrap(),
        cny["held"].as_i64().unwrap(),
    )
}

/// The holder's available CNY balance.
pub async fn available(app: &TestApp, token: &str) -> i64 {
    balance(app, token).await.0
}

/// Opens a merchant for `owner` (L1 or above).
pub async fn open_merchant(app: &TestApp, owner: &Holder, name: &str) -> Merchant {
    let r = call(
        app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": name, "category": "restaurant"})),
        Some(&owner.token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    Merchant {
        id: body["merchant_id"].as_str().unwrap().into(),
        api_key: body["api_key"].as_str().unwrap().into(),
        static_qr: body["static_qr_payload"].as_str().unwrap().into(),
    }
}

/// The refund password the tests' shops open with.
pub const REFUND_PASSWORD: &str = "480317";

/// Opens a shop for `owner` with `refund_password`.
pub async fn open_shop_with_refund_password(
    app: &TestApp,
    owner: &Holder,
    name: &str,
    refund_password: &str,
) -> Merchant {
    let r = call(
        app,
        "POST",
        "/v1/merchants",
        Some(json!({"name": name, "category": "restaurant", "refund_password": refund_password})),
        Some(&owner.token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["static_qr_svg"].as_str().unwrap().contains("<svg"),
        "the shop's static code comes drawn: {body}"
    );
    Merchant {
        id: body["merchant_id"].as_str().unwrap().into(),
        api_key: body["api_key"].as_str().unwrap().into(),
        static_qr: body["static_qr_payload"].as_str().unwrap().into(),
    }
}

/// The merchant's CNY balance: (available, held).
pub async fn merchant_balance(app: &TestApp, m: &Merchant) -> (i64, i64) {
    let r = call(app, "GET", "/v1/merchant/balance", None, Some(&m.api_key)).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .map_or((0, 0), |b| {
            (
                b["available"].as_i64().unwrap(),
                b["held"].as_i64().unwrap(),
            )
        })
}

/// A merchant order of `amount` fen; returns its body.
pub async fn order(app: &TestApp, m: &Merchant, amount: i64) -> Value {
    let r = call(
        app,
        "POST",
        "/v1/merchant/orders",
        Some(json!({"amount": amount, "description": "牛肉面"})),
        Some(&m.api_key),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Pays `payload` as `h` (the amount only for codes that do not fix it).
pub async fn pay(
    app: &TestApp,
    h: &Holder,
    payload: &str,
    amount: Option<i64>,
) -> reqwest::Response {
    let mut body = json!({"payload": payload, "pin": h.pin});
    if let Some(amount) = amount {
        body["amount"] = json!(amount);
    }
    money(app, "/v1/pay", body, &h.token).await
}

/// A fresh payment code of `h`'s.
pub async fn payment_code(app: &TestApp, h: &Holder) -> String {
    let r = call(app, "GET", "/v1/me/payment-code", None, Some(&h.token)).await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["code"].as_str().unwrap().to_string()
}

/// The merchant charges `code` for `amount` (with the payer's `pin` when given).
pub async fn charge(
    app: &TestApp,
    m: &Merchant,
    code: &str,
    amount: i64,
    pin: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"payment_code": code, "amount": amount});
    if let Some(pin) = pin {
        body["pin"] = json!(pin);
    }
    money(app, "/v1/merchant/charges", body, &m.api_key).await
}

/// As [`charge`] without a PIN, asking for the behaviour before waiting charges
/// (`"await_payer": false`): above the password-free limits it is `pin_required`.
pub async fn charge_without_waiting(
    app: &TestApp,
    m: &Merchant,
    code: &str,
    amount: i64,
) -> reqwest::Response {
    let body = json!({"payment_code": code, "amount": amount, "await_payer": false});
    money(app, "/v1/merchant/charges", body, &m.api_key).await
}

/// One record of the holder's.
pub async fn record(app: &TestApp, token: &str, id: &str) -> Value {
    let r = call(
        app,
        "GET",
        &format!("/v1/me/transactions/{id}"),
        None,
        Some(token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Polls the holder's record `id` until its status is `status`, for at most `within`; returns it.
pub async fn record_becomes(
    app: &TestApp,
    token: &str,
    id: &str,
    status: &str,
    within: Duration,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let body = record(app, token, id).await;
        if body["status"] == status {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "record {id} did not become {status} within {within:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The holder's records (first page, newest first, up to 100).
pub async fn records(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = call(
        app,
        "GET",
        &format!("/v1/me/transactions?limit=100{query}"),
        None,
        Some(token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// The holder's inbox (first page, newest first, up to 100).
pub async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    let r = call(
        app,
        "GET",
        "/v1/me/notifications?limit=100",
        None,
        Some(token),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// The app's storage opened a second time, as `qianbao verify` opens it.
pub async fn ledger(app: &TestApp) -> Arc<dyn LedgerStore> {
    let location = match &app.database {
        Some(db) => Location::Postgres(db.url.clone()),
        None => Location::SqliteDir(app.dir.clone()),
    };
    qianbao_store::open(&location).await.unwrap()
}

/// The operator's fee income in CNY.
pub async fn fee_income(store: &Arc<dyn LedgerStore>) -> i64 {
    let id = store
        .open_account(
            &AccountOwner::Operator,
            AccountKind::FeeIncome,
            Currency::CNY,
        )
        .await
        .unwrap();
    store
        .account(id)
        .await
        .unwrap()
        .map_or(0, |a| a.balance.minor())
}

/// Replays the journal as `qianbao verify` does: the chain holds, every balance and hold matches,
/// and money is conserved (the sum of all balances is zero).
pub async fn assert_ledger_clean(store: &Arc<dyn LedgerStore>) {
    let report = store.verify().await.unwrap();
    assert!(report.is_clean(), "{report}");
    for (currency, total) in &report.totals {
        assert_eq!(*total, 0, "money is not conserved in {currency}: {report}");
    }
}

/// The status and code of a problem, with the fields that name a limit.
/// Asserts `r` is 422 `limit_exceeded` naming `limit` with `headroom` fen left under it.
pub async fn assert_limit_exceeded(r: reqwest::Response, limit: &str, headroom: i64) {
    assert_eq!(
        limit_problem(r).await,
        (
            422,
            "limit_exceeded".into(),
            Some(limit.into()),
            Some(headroom)
        )
    );
}

pub async fn limit_problem(r: reqwest::Response) -> (u16, String, Option<String>, Option<i64>) {
    let (status, p) = problem(r).await;
    (status, p.code, p.limit, p.headroom)
}
