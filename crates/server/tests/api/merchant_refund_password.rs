//! A shop's refund password (issue 18): set when the shop is opened, or later with the owner's
//! payment password; required for the till's refunds (its browser session), checked when an
//! integrator sends it, and locked after repeated wrong tries like the PIN. The API key alone
//! still refunds, as it always did.

use crate::helpers::{TestApp, call, problem, spawn_app};
use crate::money_helpers::{
    Merchant, REFUND_PASSWORD, WRONG_PIN, answer, keyed, open_l1_holder_named,
    open_l2_holder_named, open_merchant, open_shop_with_refund_password, order, pay, topup,
};
use serde_json::{Value, json};

/// The till page's cookies: the CSRF cookie from the page, then the till session from signing
/// in with the key, sent back as a browser would.
struct Till<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

impl<'a> Till<'a> {
    async fn sign_in(app: &'a TestApp, m: &Merchant) -> Till<'a> {
        let mut till = Till {
            app,
            cookies: Vec::new(),
        };
        let r = app.get("/merchant").await;
        till.take(&r);
        let r = till
            .send(
                "POST",
                "/web/merchant/session",
                json!({"api_key": m.api_key}),
                "",
            )
            .await;
        assert_eq!(r.status(), 200);
        till
    }

    fn take(&mut self, r: &reqwest::Response) {
        for set in r.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            self.cookies.push((name.into(), value.into()));
        }
    }

    fn cookie(&self, name: &str) -> &str {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// `method path` with the till's cookies and CSRF header; `key` is the Idempotency-Key
    /// (a fresh one when empty).
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Value,
        key: &str,
    ) -> reqwest::Response {
        let url = format!("{}{path}", self.app.address);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let header: Vec<String> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        let key = if key.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            key.to_string()
        };
        let r = self
            .app
            .client
            .request(method, url)
            .header("cookie", header.join("; "))
            .header("x-csrf-token", self.cookie("qb_csrf").to_string())
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        self.take(&r);
        r
    }

    async fn session(&mut self) -> Value {
        let (status, body) = answer(
            self.send("GET", "/web/merchant/session", Value::Null, "")
                .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// A paid order of `amount` at `m`; returns the payment id.
async fn paid(app: &TestApp, m: &Merchant, amount: i64) -> String {
    let payer = open_l2_holder_named(app, "张三").await;
    topup(app, &payer, amount).await;
    let o = order(app, m, amount).await;
    let (status, p) = answer(pay(app, &payer, o["qr_payload"].as_str().unwrap(), None).await).await;
    assert_eq!(status, 201, "{p}");
    p["payment_id"].as_str().unwrap().to_string()
}

/// How much of `payment_id` is refunded so far.
async fn refunded(app: &TestApp, m: &Merchant, payment_id: &str) -> i64 {
    let r = call(
        app,
        "GET",
        &format!("/v1/merchant/payments/{payment_id}"),
        None,
        Some(&m.api_key),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    body["refunded"].as_i64().unwrap()
}

#[tokio::test]
async fn the_till_refunds_only_with_the_shops_refund_password() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_shop_with_refund_password(&app, &owner, "兰州牛肉面", REFUND_PASSWORD).await;
    let payment = paid(&app, &m, 3000).await;
    let mut till = Till::sign_in(&app, &m).await;
    assert_eq!(till.session().await["refund_password_set"], true);

    // Without it, and with a wrong one: refused at the field, nothing moves.
    let (status, p) = problem(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            json!({"payment_id": payment, "amount": 1000}),
            "",
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "refund_password_required"));
    assert_eq!(p.field.as_deref(), Some("refund_password"));
    let key = uuid::Uuid::new_v4().to_string();
    let (status, p) = problem(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            json!({"payment_id": payment, "amount": 1000, "refund_password": "480318"}),
            &key,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (401, "refund_password_incorrect")
    );
    assert_eq!(p.attempts_left, Some(4));
    assert_eq!(p.field.as_deref(), Some("refund_password"));
    assert!(p.detail_zh.unwrap().contains("退款密码不正确"));
    assert_eq!(refunded(&app, &m, &payment).await, 0);

    // The right one, with the same Idempotency-Key as the wrong try: the password is not part of
    // the request the key is bound to.
    let (status, done) = answer(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            json!({"payment_id": payment, "amount": 1000, "refund_password": REFUND_PASSWORD}),
            &key,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(refunded(&app, &m, &payment).await, 1000);

    // The API key is the integrator's credential: no password needed, as before; one that is
    // sent is checked.
    let r = keyed(
        &app,
        "/v1/merchant/refunds",
        json!({"payment_id": payment, "amount": 500}),
        &m.api_key,
        &uuid::Uuid::new_v4().to_string(),
    )
    .await;
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    let r = keyed(
        &app,
        "/v1/merchant/refunds",
        json!({"payment_id": payment, "amount": 500, "refund_password": "000001"}),
        &m.api_key,
        &uuid::Uuid::new_v4().to_string(),
    )
    .await;
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p.code.as_str()),
        (401, "refund_password_incorrect")
    );
    assert_eq!(refunded(&app, &m, &payment).await, 1500);
}

#[tokio::test]
async fn wrong_refund_passwords_lock_the_tills_refunds() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_shop_with_refund_password(&app, &owner, "兰州牛肉面", REFUND_PASSWORD).await;
    let payment = paid(&app, &m, 2000).await;
    let mut till = Till::sign_in(&app, &m).await;
    let wrong = json!({"payment_id": payment, "amount": 100, "refund_password": "975310"});
    for left in (1..=4).rev() {
        let (status, p) = problem(
            till.send("POST", "/v1/merchant/refunds", wrong.clone(), "")
                .await,
        )
        .await;
        assert_eq!(
            (status, p.code.as_str(), p.attempts_left),
            (401, "refund_password_incorrect", Some(left))
        );
    }
    let (status, p) = problem(till.send("POST", "/v1/merchant/refunds", wrong, "").await).await;
    assert_eq!((status, p.code.as_str()), (423, "refund_password_locked"));
    assert!(p.retry_after.unwrap() > 0);
    // Locked: even the right one waits, and nothing was refunded.
    let right = json!({"payment_id": payment, "amount": 100, "refund_password": REFUND_PASSWORD});
    let (status, p) = problem(till.send("POST", "/v1/merchant/refunds", right, "").await).await;
    assert_eq!((status, p.code.as_str()), (423, "refund_password_locked"));
    assert_eq!(refunded(&app, &m, &payment).await, 0);
}

#[tokio::test]
async fn a_shop_sets_its_refund_password_with_the_owners_pin_and_changes_it_with_the_current_one() {
    let app = spawn_app().await;
    let owner = open_l2_holder_named(&app, "王老板").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let payment = paid(&app, &m, 2000).await;
    let mut till = Till::sign_in(&app, &m).await;
    assert_eq!(till.session().await["refund_password_set"], false);
    let (status, p) = problem(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            json!({"payment_id": payment, "amount": 100}),
            "",
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "refund_password_not_set"));

    let set = |password: &str, proof: Value| {
        let mut body = json!({"refund_password": password});
        for (k, v) in proof.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let (status, p) = problem(
        till.send(
            "PUT",
            "/v1/merchant/refund-password",
            set("135790", json!({})),
            "",
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "refund_password_required"));
    let (status, p) = problem(
        till.send(
            "PUT",
            "/v1/merchant/refund-password",
            set("135790", json!({"pin": WRONG_PIN})),
            "",
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (401, "pin_incorrect"));
    let (status, p) = problem(
        till.send(
            "PUT",
            "/v1/merchant/refund-password",
            set("123456", json!({"pin": owner.pin})),
            "",
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "refund_password_weak"));
    let (status, p) = problem(
        till.send(
            "PUT",
            "/v1/merchant/refund-password",
            set("12345", json!({"pin": owner.pin})),
            "",
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "refund_password_invalid"));
    let r = till
        .send(
            "PUT",
            "/v1/merchant/refund-password",
            set("135790", json!({"pin": owner.pin})),
            "",
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(till.session().await["refund_password_set"], true);

    // Changed with the current one: the old one no longer refunds, the new one does.
    let (status, p) = problem(
        till.send(
            "PUT",
            "/v1/merchant/refund-password",
            set("864209", json!({"current_refund_password": "000000"})),
            "",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (401, "refund_password_incorrect")
    );
    let r = till
        .send(
            "PUT",
            "/v1/merchant/refund-password",
            set("864209", json!({"current_refund_password": "135790"})),
            "",
        )
        .await;
    assert_eq!(r.status(), 204);
    let (status, p) = problem(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            json!({"payment_id": payment, "amount": 100, "refund_password": "135790"}),
            "",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (401, "refund_password_incorrect")
    );
    let (status, done) = answer(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            json!({"payment_id": payment, "amount": 100, "refund_password": "864209"}),
            "",
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(refunded(&app, &m, &payment).await, 100);
}

#[tokio::test]
async fn a_shop_cannot_open_with_an_unusable_refund_password() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    for (password, code) in [
        ("12345", "refund_password_invalid"),
        ("111111", "refund_password_weak"),
    ] {
        let r = call(
            &app,
            "POST",
            "/v1/merchants",
            Some(json!({"name": "小卖部", "category": "retail", "refund_password": password})),
            Some(&owner.token),
        )
        .await;
        let (status, p) = problem(r).await;
        assert_eq!((status, p.code.as_str()), (422, code), "{password}");
        assert_eq!(p.field.as_deref(), Some("refund_password"));
    }
}
