//! The console's KYC review queue: a sandbox ID number with sequence code 997 leaves the real-name
//! check pending review (202) without the level; the queue lists it masked; one reviewer takes it
//! and another is refused; the ID photo is shown decrypted, never cached, and the view audited;
//! approving raises the holder to L1 and rejecting leaves the level, each telling the holder; and
//! every refusal (permission, lock, reason code, unknown case, holder token) changes nothing.

use crate::console_helpers::{add_staff, app, audit, first_admin, refused, sign_in};
use crate::helpers::{TestApp, call, get, id_number, png, post, qianbao};
use crate::money_helpers::{Holder, inbox, signed_up, sms_to};
use serde_json::{Value, json};

/// Sends the real-name check for `h` with `id`: (status, body).
async fn verify(app: &TestApp, h: &Holder, id: &str) -> (u16, Value) {
    let r = post(
        app,
        "/v1/me/identity",
        json!({"name": "张三", "id_number": id}),
        Some(&h.token),
    )
    .await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Uploads `bytes` as `h`'s ID photo.
async fn upload_photo(app: &TestApp, h: &Holder, bytes: Vec<u8>) {
    let r = app
        .client
        .put(format!("{}/v1/me/identity/photo", app.address))
        .bearer_auth(&h.token)
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn kyc_level(app: &TestApp, h: &Holder) -> i64 {
    let me: Value = get(app, "/v1/me", &h.token).await.json().await.unwrap();
    me["kyc_level"].as_i64().unwrap()
}

async fn queue(app: &TestApp, token: &str) -> Vec<Value> {
    let r = call(app, "GET", "/v1/console/queues/kyc", None, Some(token)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// `POST /v1/console/queues/kyc/{case}/{verb}` with `body`.
async fn act(app: &TestApp, token: &str, case: &str, verb: &str, body: Value) -> reqwest::Response {
    post(
        app,
        &format!("/v1/console/queues/kyc/{case}/{verb}"),
        body,
        Some(token),
    )
    .await
}

#[tokio::test]
async fn a_997_check_waits_for_review_one_reviewer_takes_it_views_the_photo_and_approving_raises_the_level()
 {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let first = add_staff(&app, &clock, &admin_token, "support").await;
    let second = add_staff(&app, &clock, &admin_token, "support").await;
    let viewer = add_staff(&app, &clock, &admin_token, "risk").await;
    let outsider = add_staff(&app, &clock, &admin_token, "finance").await;
    let first_token = sign_in(&app, &clock, &first).await;
    let second_token = sign_in(&app, &clock, &second).await;
    let viewer_token = sign_in(&app, &clock, &viewer).await;
    let outsider_token = sign_in(&app, &clock, &outsider).await;

    // The verifier cannot decide: the holder is told the review is pending, and gets no level.
    let holder = signed_up(&app).await;
    let id = id_number("19900307", "997");
    let (status, body) = verify(&app, &holder, &id).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "pending_review");
    assert_eq!(body["kyc_level"], 0);
    assert_eq!(body["birth_date"], "1990-03-07");
    let case = body["review_id"].as_str().unwrap().to_string();
    assert_eq!(kyc_level(&app, &holder).await, 0);
    let me: Value = get(&app, "/v1/me", &holder.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["kyc_review_pending"], true);
    let (status, again) = verify(&app, &holder, &id).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("kyc_review_pending"))
    );
    let r = post(
        &app,
        "/v1/me/cards",
        json!({"card_number": "6222020000000000000", "holder_name": "张三", "id_number": id,
               "reserved_phone": holder.phone}),
        Some(&holder.token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "kyc_required".to_string()));

    // Skim: masked, never the full number; nobody holds it; without a photo `next` skips it.
    let r = call(
        &app,
        "GET",
        "/v1/console/queues/kyc",
        None,
        Some(&first_token),
    )
    .await;
    let text = r.text().await.unwrap();
    assert!(!text.contains(&id), "the full ID number is never listed");
    let listed: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(listed.len(), 1);
    let view = &listed[0];
    assert_eq!(view["case_id"], case.as_str());
    assert_eq!(view["name_masked"], "*三");
    assert_eq!(
        view["id_number_masked"],
        format!("{}**********{}", &id[..4], &id[14..])
    );
    assert_eq!(view["status"], "pending");
    assert_eq!(view["has_photo"], false);
    assert_eq!(view["locked_by"], Value::Null);
    assert!(view["submitted_at"].as_str().unwrap().ends_with('Z'));
    let holder_id = view["holder_id"].as_str().unwrap().to_string();
    let r = post(
        &app,
        "/v1/console/queues/kyc/next",
        json!({}),
        Some(&first_token),
    )
    .await;
    assert_eq!(r.status(), 204);

    // The photo arrives; `next` hands the case to the first reviewer, and the second is refused.
    let photo = png(320, 400);
    upload_photo(&app, &holder, photo.clone()).await;
    let took: Value = post(
        &app,
        "/v1/console/queues/kyc/next",
        json!({}),
        Some(&first_token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(took["case_id"], case.as_str());
    assert_eq!(took["has_photo"], true);
    assert_eq!(took["locked_by"], first.id.as_str());
    let r = act(&app, &second_token, &case, "take", json!({})).await;
    assert_eq!(refused(r).await, (409, "case_locked".to_string()));
    let r = act(
        &app,
        &second_token,
        &case,
        "approve",
        json!({"reason_code": "document_clear"}),
    )
    .await;
    assert_eq!(refused(r).await, (409, "case_locked".to_string()));
    let r = post(
        &app,
        "/v1/console/queues/kyc/next",
        json!({}),
        Some(&second_token),
    )
    .await;
    assert_eq!(r.status(), 204, "the only case is taken");
    assert_eq!(
        queue(&app, &second_token).await[0]["locked_by"],
        first.id.as_str()
    );

    // Permissions: kyc.view may skim and look but not decide; no kyc at all may not even skim;
    // a holder's token is no staff session.
    assert_eq!(queue(&app, &viewer_token).await.len(), 1);
    for (verb, body) in [
        ("take", json!({})),
        ("approve", json!({"reason_code": "document_clear"})),
        ("reject", json!({"reason_code": "document_expired"})),
    ] {
        let r = act(&app, &viewer_token, &case, verb, body).await;
        assert_eq!(refused(r).await, (403, "permission_denied".to_string()));
    }
    let r = call(
        &app,
        "GET",
        "/v1/console/queues/kyc",
        None,
        Some(&outsider_token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "permission_denied".to_string()));
    let r = call(
        &app,
        "GET",
        &format!("/v1/console/queues/kyc/{case}/photo"),
        None,
        Some(&outsider_token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "permission_denied".to_string()));
    let r = call(
        &app,
        "GET",
        "/v1/console/queues/kyc",
        None,
        Some(&holder.token),
    )
    .await;
    assert_eq!(refused(r).await, (401, "unauthorized".to_string()));
    let r = act(
        &app,
        &holder.token,
        &case,
        "approve",
        json!({"reason_code": "document_clear"}),
    )
    .await;
    assert_eq!(refused(r).await.0, 401);
    let denied = audit(&app, &admin_token, "action=permission_denied").await;
    assert!(denied.iter().any(
        |l| l["entity"] == "queue.kyc.approve" && l["actor"] == format!("staff:{}", viewer.id)
    ));

    // The photo: the image as uploaded, its type, never cached, and the view audited.
    let r = call(
        &app,
        "GET",
        &format!("/v1/console/queues/kyc/{case}/photo"),
        None,
        Some(&viewer_token),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.bytes().await.unwrap().to_vec(), photo);
    let views = audit(&app, &admin_token, "action=kyc.photo.view").await;
    assert_eq!(views.len(), 1);
    assert_eq!(views[0]["actor"], format!("staff:{}", viewer.id));
    assert_eq!(views[0]["entity"], format!("kyc_case:{case}"));

    // Holder 360 shows the pending review.
    let profile: Value = get(
        &app,
        &format!("/v1/console/holders/{holder_id}"),
        &admin_token,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(profile["pending_kyc_review"]["case_id"], case.as_str());
    assert_eq!(profile["pending_kyc_review"]["status"], "pending");

    // A reason code that is unknown, or that does not approve, is refused and changes nothing.
    for code in ["looks_fine", "document_unreadable", ""] {
        let r = act(
            &app,
            &first_token,
            &case,
            "approve",
            json!({"reason_code": code}),
        )
        .await;
        assert_eq!(refused(r).await, (422, "validation_failed".to_string()));
    }
    let r = act(&app, &first_token, &case, "approve", json!({"note": "ok"})).await;
    assert_eq!(r.status(), 422, "reason_code is required");
    assert_eq!(kyc_level(&app, &holder).await, 0);

    // Approve: the level the check would have given, the holder told, the line audited.
    let r = act(
        &app,
        &first_token,
        &case,
        "approve",
        json!({"reason_code": "document_clear", "note": "photo and register agree"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let decided: Value = r.json().await.unwrap();
    assert_eq!(decided["case_id"], case.as_str());
    assert_eq!(decided["holder_id"], holder_id.as_str());
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["reason_code"], "document_clear");
    assert_eq!(decided["kyc_level"], 1);
    assert_eq!(kyc_level(&app, &holder).await, 1);
    let me: Value = get(&app, "/v1/me", &holder.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["masked_name"], "*三");
    assert_eq!(me["kyc_review_pending"], false);
    let told = inbox(&app, &holder.token).await;
    assert_eq!(told[0]["kind"], "kyc");
    assert_eq!(told[0]["title"], "实名认证已通过");
    assert!(
        sms_to(&app, &holder.phone).await[0]["text"]
            .as_str()
            .unwrap()
            .contains("实名认证已通过")
    );
    let lines = audit(&app, &admin_token, "action=kyc.approve").await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["actor"], format!("staff:{}", first.id));
    assert_eq!(lines[0]["entity"], format!("kyc_case:{case}"));
    assert!(
        lines[0]["after"]
            .as_str()
            .unwrap()
            .contains("\"kyc_level\":1")
    );

    // Decided: off the queue and the profile; a second decision is refused.
    assert!(queue(&app, &first_token).await.is_empty());
    let r = act(
        &app,
        &first_token,
        &case,
        "reject",
        json!({"reason_code": "suspected_fraud"}),
    )
    .await;
    assert_eq!(refused(r).await, (409, "case_decided".to_string()));
    let r = act(&app, &second_token, &case, "take", json!({})).await;
    assert_eq!(refused(r).await, (409, "case_decided".to_string()));
    let profile: Value = get(
        &app,
        &format!("/v1/console/holders/{holder_id}"),
        &admin_token,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(profile["pending_kyc_review"], Value::Null);

    // The audit chain still follows.
    let out = qianbao(&app, &["verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn a_rejected_review_keeps_the_level_tells_the_holder_why_and_lets_them_try_again() {
    let (app, clock) = app().await;
    let admin = first_admin(&app, &clock).await;
    let admin_token = sign_in(&app, &clock, &admin).await;
    let reviewer = add_staff(&app, &clock, &admin_token, "support").await;
    let token = sign_in(&app, &clock, &reviewer).await;
    // A support desk that may look at KYC cases but not decide them.
    let r = post(
        &app,
        "/v1/console/roles",
        json!({"name": "front_desk", "permissions": ["holders.manage", "kyc.view"]}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let desk = add_staff(&app, &clock, &admin_token, "front_desk").await;
    let desk_token = sign_in(&app, &clock, &desk).await;
    let holder = signed_up(&app).await;
    let (status, body) = verify(&app, &holder, &id_number("19850412", "997")).await;
    assert_eq!(status, 202, "{body}");
    let case = body["review_id"].as_str().unwrap().to_string();

    // Unknown cases are 404 everywhere; a photo not yet uploaded is too.
    for (verb, code) in [
        ("take", ""),
        ("approve", "document_clear"),
        ("reject", "document_expired"),
    ] {
        let r = act(
            &app,
            &token,
            "no-such-case",
            verb,
            json!({"reason_code": code}),
        )
        .await;
        assert_eq!(refused(r).await.0, 404, "{verb}");
    }
    let r = call(
        &app,
        "GET",
        &format!("/v1/console/queues/kyc/{case}/photo"),
        None,
        Some(&token),
    )
    .await;
    assert_eq!(refused(r).await, (404, "not_found".to_string()));
    assert!(
        audit(&app, &admin_token, "action=kyc.photo.view")
            .await
            .is_empty(),
        "nothing was shown, so nothing is audited as seen"
    );

    // Support without kyc.manage sees the case but may not take or decide it.
    assert_eq!(queue(&app, &desk_token).await.len(), 1);
    for (verb, body) in [
        ("take", json!({})),
        ("reject", json!({"reason_code": "document_unreadable"})),
    ] {
        let r = act(&app, &desk_token, &case, verb, body).await;
        assert_eq!(refused(r).await, (403, "permission_denied".to_string()));
    }
    let r = post(
        &app,
        "/v1/console/queues/kyc/next",
        json!({}),
        Some(&desk_token),
    )
    .await;
    assert_eq!(refused(r).await, (403, "permission_denied".to_string()));

    // Taken outright, then rejected with a reason that rejects (an approving one does not).
    let took: Value = act(&app, &token, &case, "take", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(took["locked_by"], reviewer.id.as_str());
    let r = act(
        &app,
        &token,
        &case,
        "reject",
        json!({"reason_code": "face_matches"}),
    )
    .await;
    assert_eq!(refused(r).await, (422, "validation_failed".to_string()));
    let r = act(
        &app,
        &token,
        &case,
        "reject",
        json!({"reason_code": "document_unreadable", "note": "glare over the number"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let decided: Value = r.json().await.unwrap();
    assert_eq!(decided["status"], "rejected");
    assert_eq!(decided["reason_code"], "document_unreadable");
    assert_eq!(decided["kyc_level"], 0);
    assert_eq!(kyc_level(&app, &holder).await, 0);
    let told = inbox(&app, &holder.token).await;
    assert_eq!(told[0]["kind"], "kyc");
    assert_eq!(told[0]["title"], "实名认证未通过");
    assert!(
        told[0]["body"]
            .as_str()
            .unwrap()
            .contains("证件照片无法辨认")
    );
    let lines = audit(&app, &admin_token, "action=kyc.reject").await;
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0]["reason"],
        "document_unreadable: glare over the number"
    );
    assert!(queue(&app, &token).await.is_empty());

    // The holder tries again, and this time the verifier decides.
    let (status, body) = verify(&app, &holder, &id_number("19850412", "123")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("verified")));
    assert_eq!(kyc_level(&app, &holder).await, 1);
}
