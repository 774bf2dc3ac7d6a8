//! Refusals that name their cause precisely, so the app can say what to fix and mark the right
//! field (issue 18, item 3): a credit card without expiry names `expiry`, a PIN reset with a card
//! that is not bound names `card_number` (and a wrong ID number `id_number`), unfreezing with a
//! wrong password names `password`, and an unknown payee names what was looked up. The codes are
//! the documented ones; only `field` and the detail are new. On SQLite here and on PostgreSQL in
//! `api_postgres`.

use crate::helpers::{
    call, card_number, id_number, problem, random_phone, spawn_app, spawn_app_with_clock,
};
use crate::money_helpers::{open_l1_holder, open_l2_holder, otp_for};
use serde_json::json;

#[tokio::test]
async fn a_credit_card_without_expiry_is_refused_naming_the_expiry() {
    let app = spawn_app().await;
    let h = open_l1_holder(&app).await;
    let body = json!({
        "card_number": card_number("411111", 16),
        "holder_name": h.name,
        "id_number": h.id_number,
        "reserved_phone": h.phone,
        "cvv": "737",
    });
    let (status, p) =
        problem(call(&app, "POST", "/v1/me/cards", Some(body), Some(&h.token)).await).await;
    assert_eq!((status, p.code.as_str()), (422, "card_invalid"), "{p:?}");
    assert_eq!(p.field.as_deref(), Some("expiry"), "{p:?}");
}

#[tokio::test]
async fn a_pin_reset_names_the_card_number_or_the_id_number_that_is_wrong() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l2_holder(&app).await;
    clock.advance_s(61);
    let code = otp_for(&app, &h.phone, "reset_pin").await;
    let unbound = card_number("622202", 19);
    let reset = |id: &str, card: &str| json!({"otp": code, "id_number": id, "card_number": card, "pin": "803571"});
    let (status, p) = problem(
        call(
            &app,
            "POST",
            "/v1/me/pin/reset",
            Some(reset(&h.id_number, &unbound)),
            Some(&h.token),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (422, "identity_mismatch"),
        "{p:?}"
    );
    assert_eq!(p.field.as_deref(), Some("card_number"), "{p:?}");
    assert!(p.detail.contains("card number"), "{p:?}");

    let (status, p) = problem(
        call(
            &app,
            "POST",
            "/v1/me/pin/reset",
            Some(reset(&id_number("19900307", "556"), &unbound)),
            Some(&h.token),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p.code.as_str()),
        (422, "identity_mismatch"),
        "{p:?}"
    );
    assert_eq!(
        p.field.as_deref(),
        Some("id_number"),
        "a wrong ID number is named first: {p:?}"
    );
}

#[tokio::test]
async fn unfreezing_with_a_wrong_password_names_the_password() {
    let (app, clock) = spawn_app_with_clock().await;
    let h = open_l1_holder(&app).await;
    let r = call(
        &app,
        "POST",
        "/v1/me/freeze",
        Some(json!({})),
        Some(&h.token),
    )
    .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    clock.advance_s(61);
    let code = otp_for(&app, &h.phone, "unfreeze").await;
    let body = json!({"otp": code, "id_number": h.id_number, "password": "Wrong-Password-9"});
    let (status, p) =
        problem(call(&app, "POST", "/v1/me/unfreeze", Some(body), Some(&h.token)).await).await;
    assert_eq!(
        (status, p.code.as_str()),
        (401, "invalid_credentials"),
        "{p:?}"
    );
    assert_eq!(p.field.as_deref(), Some("password"), "{p:?}");
    assert!(!p.detail.contains("phone"), "{p:?}");
}

#[tokio::test]
async fn an_unknown_payee_is_not_found_naming_what_was_looked_up() {
    let app = spawn_app().await;
    let h = open_l1_holder(&app).await;
    for (query, field) in [
        (
            format!("phone={}", random_phone().trim_start_matches("+86")),
            "phone",
        ),
        ("wallet_id=no-such-wallet".to_string(), "wallet_id"),
    ] {
        let path = format!("/v1/payees?{query}");
        let (status, p) = problem(call(&app, "GET", &path, None, Some(&h.token)).await).await;
        assert_eq!((status, p.code.as_str()), (404, "not_found"), "{p:?}");
        assert_eq!(p.field.as_deref(), Some(field), "{p:?}");
        assert!(p.detail.contains("No wallet"), "{p:?}");
    }
}
