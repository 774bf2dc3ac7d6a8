//! The web pages' side of the server over HTTP: pages and assets with their security headers,
//! sessions in `HttpOnly` cookies instead of tokens, the signed double-submit CSRF check on every
//! state-changing call a cookie authenticates, the till's merchant cookie, and reading QR codes
//! out of uploaded pictures. The pages themselves are driven in Chromium by `tests/browser/`.

use crate::helpers::{TestApp, call, problem, random_phone, spawn_app, spawn_app_with_clock};
use crate::money_helpers::{
    PASSWORD, answer, open_l1_holder_named, open_l2_holder_named, open_merchant, otp_for, refused,
    topup,
};
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

/// What a browser holds for the site: its cookies as `name=value` pairs.
#[derive(Default, Clone)]
struct Jar(Vec<(String, String)>);

impl Jar {
    /// Takes in the `Set-Cookie`s of a response (a `Max-Age=0` one removes the cookie).
    fn take(&mut self, headers: &HeaderMap) {
        for set in headers.get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            self.0.retain(|(n, _)| n != name);
            if !set.contains("Max-Age=0") {
                self.0.push((name.to_string(), value.to_string()));
            }
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A browser's visit: the page first (which sets the CSRF cookie), then calls with its cookies.
struct Browser<'a> {
    app: &'a TestApp,
    jar: Jar,
}

impl<'a> Browser<'a> {
    async fn open(app: &'a TestApp, page: &str) -> Browser<'a> {
        let mut jar = Jar::default();
        let r = app.get(page).await;
        assert_eq!(r.status(), 200);
        jar.take(r.headers());
        assert!(
            jar.get("qb_csrf").is_some(),
            "the page sets the CSRF cookie"
        );
        Browser { app, jar }
    }

    /// `method path` with the cookies, the CSRF header when `csrf`, and a JSON body.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> reqwest::Response {
        let url = format!("{}{path}", self.app.address);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .app
            .client
            .request(method, url)
            .header("cookie", self.jar.header())
            .header("idempotency-key", uuid::Uuid::new_v4().to_string());
        if csrf {
            request = request.header("x-csrf-token", self.jar.get("qb_csrf").unwrap_or(""));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        self.jar.take(r.headers());
        r
    }
}

/// A PNG of `text`'s QR code, 6 pixels a module.
fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let n = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (6, 4);
    let side = (n + 2 * quiet) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % n + quiet, i / n + quiet);
            for dy in 0..scale {
                for dx in 0..scale {
                    pixels[(y * scale + dy) * side + x * scale + dx] = 0;
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&pixels)
        .unwrap();
    out
}

#[tokio::test]
async fn the_pages_and_their_assets_are_served_with_a_strict_policy() {
    let app = spawn_app().await;
    for page in ["/", "/merchant"] {
        let r = app.get(page).await;
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        let set = h[SET_COOKIE].to_str().unwrap();
        assert!(
            set.starts_with("qb_csrf=") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let html = r.text().await.unwrap();
        // Nothing is fetched from anywhere but this server.
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{html}"
        );
    }
    for (asset, kind) in [
        ("common.js", "text/javascript"),
        ("app.js", "text/javascript"),
        ("till.js", "text/javascript"),
        ("style.css", "text/css"),
    ] {
        let r = app.get(&format!("/assets/{asset}")).await;
        assert_eq!(r.status(), 200, "{asset}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert!(!r.text().await.unwrap().is_empty(), "{asset} is empty");
    }
    let (status, p) = problem(app.get("/assets/../Cargo.toml").await).await;
    assert_eq!((status, p.code.as_str()), (404, "not_found"));
    let (status, p) = problem(app.get("/assets/secret.txt").await).await;
    assert_eq!((status, p.code.as_str()), (404, "not_found"));
    // The API's answers carry the same headers.
    let r = app.get("/healthz").await;
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let config: Value = app.get("/web/config").await.json().await.unwrap();
    assert_eq!(config, json!({"sandbox": true}));
}

#[tokio::test]
async fn a_wallet_opened_in_the_browser_keeps_its_session_in_an_http_only_cookie() {
    let app = spawn_app().await;
    let mut browser = Browser::open(&app, "/").await;
    let phone = random_phone();
    let otp = otp_for(&app, &phone, "signup").await;
    let body = json!({"phone": phone, "otp": otp, "password": PASSWORD});

    // Without the CSRF token nothing happens: the code is still good afterwards.
    let (status, p) = problem(
        browser
            .send("POST", "/web/signup", Some(body.clone()), false)
            .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (403, "csrf_invalid"));

    let r = browser.send("POST", "/web/signup", Some(body), true).await;
    let sets: Vec<String> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let (status, made) = answer(r).await;
    assert_eq!(status, 201, "{made}");
    assert!(
        made.get("token").is_none(),
        "no token reaches the page: {made}"
    );
    assert!(made["device_id"].is_string() && made["wallet_id"].is_string());
    let session = sets.iter().find(|s| s.starts_with("qb_session=")).unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP here: {session}");

    // The cookie works for the whole /v1 API: reads without the CSRF header...
    let (status, me) = answer(browser.send("GET", "/v1/me", None, false).await).await;
    assert_eq!((status, me["phone"].as_str()), (200, Some(phone.as_str())));
    // ...writes only with it, and a refused write changes nothing.
    let (status, p) = problem(
        browser
            .send("POST", "/v1/me/freeze", Some(json!({})), false)
            .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (403, "csrf_invalid"));
    let (_, me) = answer(browser.send("GET", "/v1/me", None, false).await).await;
    assert_eq!(me["status"], "active");
    // A token from another page load (another user's, say) does not pass for this cookie.
    let mut other = Browser::open(&app, "/").await;
    let stolen = other.jar.get("qb_csrf").unwrap().to_string();
    other.jar = browser.jar.clone();
    other.jar.0.retain(|(n, _)| n != "qb_csrf");
    other
        .jar
        .0
        .push(("qb_csrf".into(), browser.jar.get("qb_csrf").unwrap().into()));
    let r = app
        .client
        .post(format!("{}/v1/me/freeze", app.address))
        .header("cookie", other.jar.header())
        .header("x-csrf-token", stolen)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.1.code, "csrf_invalid");

    // Logging out ends the session on the server and clears the cookie.
    let cookie_before = browser.jar.header();
    let r = browser.send("DELETE", "/web/session", None, true).await;
    assert_eq!(r.status(), 204);
    assert!(browser.jar.get("qb_session").is_none());
    let r = app
        .client
        .get(format!("{}/v1/me", app.address))
        .header("cookie", cookie_before)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(r).await.1.code,
        "unauthorized",
        "the old cookie no longer works"
    );

    // Logging in again: the device is known, so no step-up code is asked for.
    let r = browser
        .send(
            "POST",
            "/web/session",
            Some(json!({"phone": phone, "password": PASSWORD, "device_id": made["device_id"]})),
            true,
        )
        .await;
    let (status, session) = answer(r).await;
    assert_eq!(status, 201, "{session}");
    assert!(session.get("token").is_none());
    let (status, _) = answer(browser.send("GET", "/v1/me/balance", None, false).await).await;
    assert_eq!(status, 200);
    let (status, p) = problem(
        browser
            .send(
                "POST",
                "/web/session",
                Some(json!({"phone": phone, "password": "wrong-Pass-1"})),
                true,
            )
            .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (401, "invalid_credentials"));
    assert!(p.attempts_left.is_some());
}

#[tokio::test]
async fn a_bearer_token_still_wins_and_a_bad_one_is_not_rescued_by_a_cookie() {
    let app = spawn_app().await;
    let a = open_l1_holder_named(&app, "张三").await;
    let mut browser = Browser::open(&app, "/").await;
    let phone = random_phone();
    let otp = otp_for(&app, &phone, "signup").await;
    let (status, _) = answer(
        browser
            .send(
                "POST",
                "/web/signup",
                Some(json!({"phone": phone, "otp": otp, "password": PASSWORD})),
                true,
            )
            .await,
    )
    .await;
    assert_eq!(status, 201);
    // Cookie of one holder, bearer of another: the bearer decides, and needs no CSRF token.
    let r = app
        .client
        .get(format!("{}/v1/me", app.address))
        .header("cookie", browser.jar.header())
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["phone"], a.phone.as_str());
    let r = app
        .client
        .get(format!("{}/v1/me", app.address))
        .header("cookie", browser.jar.header())
        .header("authorization", "Bearer qbs_not_a_token")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.1.code, "unauthorized");
}

#[tokio::test]
async fn the_till_signs_in_with_the_merchant_key_and_charges_under_csrf() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = crate::money_helpers::open_shop_with_refund_password(
        &app,
        &owner,
        "兰州牛肉面",
        crate::money_helpers::REFUND_PASSWORD,
    )
    .await;
    let mut till = Browser::open(&app, "/merchant").await;

    let (status, _) = problem(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!(status, 401, "not signed in yet");
    let (status, p) = problem(
        till.send(
            "POST",
            "/web/merchant/session",
            Some(json!({"api_key": "qbk_wrong"})),
            true,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (401, "unauthorized"));
    let (status, p) = problem(
        till.send(
            "POST",
            "/web/merchant/session",
            Some(json!({"api_key": m.api_key})),
            false,
        )
        .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (403, "csrf_invalid"));
    let r = till
        .send(
            "POST",
            "/web/merchant/session",
            Some(json!({"api_key": m.api_key})),
            true,
        )
        .await;
    assert!(
        r.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );
    let (status, signed_in) = answer(r).await;
    assert_eq!(
        (status, signed_in["name"].as_str()),
        (200, Some("兰州牛肉面"))
    );
    let (_, now) = answer(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!(now["merchant_id"], m.id.as_str());

    // An order from the till carries its QR code as an SVG image.
    let order = json!({"amount": 1800, "description": "牛肉面"});
    let (status, p) = problem(
        till.send("POST", "/v1/merchant/orders", Some(order.clone()), false)
            .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (403, "csrf_invalid"));
    let (status, made) = answer(
        till.send("POST", "/v1/merchant/orders", Some(order), true)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert!(made["qr_svg"].as_str().unwrap().starts_with("<?xml"));

    // A holder pays it by uploading a picture of the code.
    let payer = open_l2_holder_named(&app, "张三").await;
    topup(&app, &payer, 5000).await;
    let r = app
        .client
        .post(format!("{}/v1/qr/decode", app.address))
        .bearer_auth(&payer.token)
        .header("content-type", "image/png")
        .body(qr_png(made["qr_payload"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let (status, read) = answer(r).await;
    assert_eq!((status, &read["payload"]), (200, &made["qr_payload"]));
    let r = crate::money_helpers::pay(&app, &payer, read["payload"].as_str().unwrap(), None).await;
    let (status, paid) = answer(r).await;
    assert_eq!(status, 201, "{paid}");

    // The till refunds it; signing out clears the key cookie.
    let (status, refunded) = answer(
        till.send(
            "POST",
            "/v1/merchant/refunds",
            Some(json!({"payment_id": paid["payment_id"], "amount": 1800,
                "refund_password": crate::money_helpers::REFUND_PASSWORD})),
            true,
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{refunded}");
    let r = till
        .send("DELETE", "/web/merchant/session", None, true)
        .await;
    assert_eq!(r.status(), 204);
    assert!(till.jar.get("qb_merchant").is_none());
}

/// Signs `till` in with `api_key`; checks that the cookie it gets is a session token of its own,
/// with nothing of the key in it.
async fn sign_in_till(till: &mut Browser<'_>, api_key: &str) -> String {
    let r = till
        .send(
            "POST",
            "/web/merchant/session",
            Some(json!({"api_key": api_key})),
            true,
        )
        .await;
    let set_cookies: Vec<String> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert_eq!(r.status(), 200);
    let cookie = till.jar.get("qb_merchant").unwrap().to_string();
    let key_body = api_key.strip_prefix("qbk_").unwrap();
    for set in &set_cookies {
        assert!(
            !set.contains(key_body),
            "the API key went into a cookie: {set}"
        );
    }
    assert!(!cookie.starts_with("qbk_"), "{cookie}");
    cookie
}

/// The till's call `method path` with `cookies` (as a copied cookie would be sent: the session and
/// a valid CSRF token, with its header), not through the browser's jar.
async fn with_cookies(
    app: &TestApp,
    cookies: &Jar,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("cookie", cookies.header())
        .header("x-csrf-token", cookies.get("qb_csrf").unwrap());
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_till_cookie_is_a_session_not_the_key_and_signing_out_ends_it() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let order = json!({"amount": 1800, "description": "牛肉面"});

    // Signing in again from the same browser ends the session it held before.
    let mut till = Browser::open(&app, "/merchant").await;
    sign_in_till(&mut till, &m.api_key).await;
    let first = till.jar.clone();
    let second = sign_in_till(&mut till, &m.api_key).await;
    assert_ne!(Some(second.as_str()), first.get("qb_merchant"));
    let r = with_cookies(&app, &first, "GET", "/web/merchant/session", None).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));

    let copied = till.jar.clone();
    let r = with_cookies(&app, &copied, "GET", "/web/merchant/session", None).await;
    assert_eq!(answer(r).await.1["merchant_id"], m.id.as_str());
    let r = with_cookies(
        &app,
        &copied,
        "POST",
        "/v1/merchant/orders",
        Some(order.clone()),
    )
    .await;
    assert_eq!(r.status(), 201);

    let r = till
        .send("DELETE", "/web/merchant/session", None, true)
        .await;
    assert_eq!(r.status(), 204);
    assert!(till.jar.get("qb_merchant").is_none());

    // The copy taken before signing out, CSRF token and all, is dead on the server.
    let r = with_cookies(&app, &copied, "GET", "/web/merchant/session", None).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
    let r = with_cookies(
        &app,
        &copied,
        "POST",
        "/v1/merchant/orders",
        Some(order.clone()),
    )
    .await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
    // Signing out again with the dead cookie still just clears it.
    let r = with_cookies(&app, &copied, "DELETE", "/web/merchant/session", None).await;
    assert_eq!(r.status(), 204);

    // The key itself keeps working as a bearer for API clients, and only as a bearer.
    let r = call(&app, "GET", "/web/merchant/session", None, Some(&m.api_key)).await;
    assert_eq!(answer(r).await.1["merchant_id"], m.id.as_str());
    let r = call(
        &app,
        "POST",
        "/v1/merchant/orders",
        Some(order),
        Some(&m.api_key),
    )
    .await;
    assert_eq!(r.status(), 201);
    let mut key_in_cookie = copied.clone();
    key_in_cookie.0.retain(|(n, _)| n != "qb_merchant");
    key_in_cookie
        .0
        .push(("qb_merchant".into(), m.api_key.clone()));
    let r = with_cookies(&app, &key_in_cookie, "GET", "/web/merchant/session", None).await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
}

#[tokio::test]
async fn rotating_the_key_ends_the_till_sessions_signed_in_with_the_old_one() {
    let app = spawn_app().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let mut till = Browser::open(&app, "/merchant").await;
    sign_in_till(&mut till, &m.api_key).await;
    let (status, _) = answer(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!(status, 200);

    let path = format!("/v1/merchants/{}/api-keys", m.id);
    let (status, body) = answer(call(&app, "POST", &path, None, Some(&owner.token)).await).await;
    assert_eq!(status, 201, "{body}");
    let new_key = body["api_key"].as_str().unwrap().to_string();

    let (status, p) = problem(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!((status, p.code.as_str()), (401, "unauthorized"));
    let order = json!({"amount": 1800});
    let (status, p) = problem(
        till.send("POST", "/v1/merchant/orders", Some(order.clone()), true)
            .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (401, "unauthorized"));

    // The new key signs the till in again and works as a bearer; the old one does neither.
    let r = call(
        &app,
        "POST",
        "/v1/merchant/orders",
        Some(order.clone()),
        Some(&new_key),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = call(
        &app,
        "POST",
        "/v1/merchant/orders",
        Some(order),
        Some(&m.api_key),
    )
    .await;
    assert_eq!(refused(r).await, (401, "unauthorized".into()));
    sign_in_till(&mut till, &new_key).await;
    let (_, now) = answer(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!(now["merchant_id"], m.id.as_str());
}

#[tokio::test]
async fn a_till_session_unused_for_twelve_hours_ends() {
    let (app, clock) = spawn_app_with_clock().await;
    let owner = open_l1_holder_named(&app, "王老板").await;
    let m = open_merchant(&app, &owner, "兰州牛肉面").await;
    let mut till = Browser::open(&app, "/merchant").await;
    sign_in_till(&mut till, &m.api_key).await;

    // Used now and then, it lives on past 12 hours in all.
    for _ in 0..2 {
        clock.advance_s(11 * 3600);
        let (status, _) =
            answer(till.send("GET", "/web/merchant/session", None, false).await).await;
        assert_eq!(status, 200);
    }
    // Left alone for more than 12 hours, it is over, and stays over.
    clock.advance_s(12 * 3600 + 1);
    let (status, p) = problem(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!((status, p.code.as_str()), (401, "unauthorized"));
    clock.advance_s(-(12 * 3600));
    let (status, _) = problem(till.send("GET", "/web/merchant/session", None, false).await).await;
    assert_eq!(status, 401, "an idle session is ended, not only refused");
    let r = call(&app, "GET", "/v1/merchant/balance", None, Some(&m.api_key)).await;
    assert_eq!(r.status(), 200, "the key itself does not expire");
}

#[tokio::test]
async fn a_picture_without_a_code_or_not_a_picture_is_refused_clearly() {
    let app = spawn_app().await;
    let h = open_l1_holder_named(&app, "李四").await;
    let upload = |body: Vec<u8>, kind: &'static str, token: Option<String>| {
        let mut request = app
            .client
            .post(format!("{}/v1/qr/decode", app.address))
            .header("content-type", kind)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let code = qr_png("qianbao://m/mch_1");
    let (status, p) = problem(upload(code.clone(), "image/png", None).await.unwrap()).await;
    assert_eq!((status, p.code.as_str()), (401, "unauthorized"));
    let mut blank = Vec::new();
    let mut encoder = png::Encoder::new(&mut blank, 50, 50);
    encoder.set_color(png::ColorType::Grayscale);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&[255u8; 2500])
        .unwrap();
    let (status, p) = problem(
        upload(blank, "image/png", Some(h.token.clone()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "qr_not_found"));
    let (status, p) = problem(
        upload(b"GIF89a".to_vec(), "image/gif", Some(h.token.clone()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p.code.as_str(), p.reason.as_deref()),
        (422, "photo_invalid", Some("format"))
    );
    let mut cut = code.clone();
    cut.truncate(code.len() / 2);
    let (status, p) = problem(
        upload(cut, "image/png", Some(h.token.clone()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.reason.as_deref()), (422, Some("unreadable")));
    let huge = vec![0u8; 6 * 1024 * 1024];
    let (status, p) = problem(
        upload(huge, "image/png", Some(h.token.clone()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.reason.as_deref()), (422, Some("too_large")));
    // A merchant key may read pictures too (a photo of a payment code at the till).
    let m = open_merchant(&app, &h, "小卖部").await;
    let (status, read) = answer(upload(code, "image/png", Some(m.api_key)).await.unwrap()).await;
    assert_eq!(
        (status, read["payload"].as_str()),
        (200, Some("qianbao://m/mch_1"))
    );
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /v1/pay/preview?payload=` with `token`.
async fn preview(app: &TestApp, token: &str, payload: &str) -> reqwest::Response {
    app.client
        .get(format!(
            "{}/v1/pay/preview?payload={}",
            app.address,
            encoded(payload)
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scanned_code_shows_its_payee_and_amount_before_the_payment_password() {
    let app = spawn_app().await;
    let payer = open_l2_holder_named(&app, "张三").await;
    topup(&app, &payer, 10_000).await;
    let friend = open_l1_holder_named(&app, "李四").await;
    let shop = open_merchant(&app, &friend, "兰州牛肉面").await;

    // A receive code with an amount: the payee's masked name and that amount.
    let r = crate::helpers::get(&app, "/v1/me/receive-code?amount=880", &friend.token).await;
    let code = answer(r).await.1["payload"].as_str().unwrap().to_string();
    let (status, seen) = answer(preview(&app, &payer.token, &code).await).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(
        (
            seen["kind"].as_str(),
            seen["payee_name"].as_str(),
            seen["amount"].as_i64()
        ),
        (Some("receive"), Some("*四"), Some(880))
    );
    // A holder is no shop: no merchant id, so the app offers no coupon.
    assert!(seen.get("merchant_id").is_none(), "{seen}");
    // A shop's static code: its name and id (the app offers its coupons), the payer types the amount.
    let (_, seen) = answer(preview(&app, &payer.token, &shop.static_qr).await).await;
    assert_eq!(seen["payee_name"], "兰州牛肉面");
    assert_eq!(seen["merchant_id"].as_str(), Some(shop.id.as_str()));
    assert!(seen["amount"].is_null());
    // An order: the shop's amount and description; once paid, it is order_paid and nothing moves.
    let order = crate::money_helpers::order(&app, &shop, 1_250).await;
    let payload = order["qr_payload"].as_str().unwrap();
    let (_, seen) = answer(preview(&app, &payer.token, payload).await).await;
    assert_eq!(
        (
            seen["kind"].as_str(),
            seen["amount"].as_i64(),
            seen["description"].as_str()
        ),
        (Some("order"), Some(1_250), Some("牛肉面"))
    );
    assert_eq!(seen["merchant_id"].as_str(), Some(shop.id.as_str()));
    assert!(seen["expires_at"].is_string());
    let paid = crate::money_helpers::pay(&app, &payer, payload, None).await;
    assert_eq!(paid.status(), 201);
    let (status, p) = problem(preview(&app, &payer.token, payload).await).await;
    assert_eq!((status, p.code.as_str()), (409, "order_paid"));
    // Codes the platform did not issue, unknown wallets and strangers.
    for bad in [
        "https://evil.example/pay",
        "qianbao://o/no-such-order",
        "qianbao://r/nobody",
    ] {
        let (status, p) = problem(preview(&app, &payer.token, bad).await).await;
        assert_eq!((status, p.code.as_str()), (422, "payload_invalid"), "{bad}");
    }
    let r = app
        .client
        .get(format!(
            "{}/v1/pay/preview?payload={}",
            app.address,
            encoded(payload)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
