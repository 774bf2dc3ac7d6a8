//! Opening the bench's holders the way a person would, through the sandbox: an SMS code read back
//! from the sandbox's outbox, sign-up, real-name verification, a card bound with the bank's code,
//! a payment password and a top-up; many at once, with a progress line. And the one merchant the
//! `merchant` mix pays.

use super::http::{expect, send};
use super::rng::Rng;
use qianbao_wallet::domain::{card_number, id_number};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The payment password every bench holder sets.
pub(super) const PIN: &str = "258147";
/// The login password every bench holder sets (a `--reuse` run signs in with it when a saved
/// session has ended).
pub(super) const PASSWORD: &str = "Bench-Horse-Battery-9";
/// How many different ID numbers [`id_number`] makes (birth dates 1960–1999): each holder draws
/// one at random, so runs against the same server rarely meet, and one that does draws again.
const ID_NUMBERS: u64 = 10_000_000;
/// Draws before a holder's opening gives up on `identity_taken`.
const ID_DRAWS: usize = 5;
/// Top-up per holder: ¥10,000.
const TOPUP_MINOR: i64 = 1_000_000;
/// Holders opened at once.
pub(super) const OPENING_PARALLEL: usize = 16;

/// A resident ID number (GB 11643 check character) for holder `i`: unique birth date and
/// sequence per holder, adult.
pub(super) fn id_number(i: usize) -> String {
    let day = i / 800;
    let (year, month, dom) = (1960 + day / 336, 1 + (day / 28) % 12, 1 + day % 28);
    id_number::with_check_char(&format!(
        "110101{year:04}{month:02}{dom:02}{:03}",
        100 + i % 800
    ))
}

/// A Luhn-valid ICBC debit card number (sandbox BIN 622202), random behind the BIN, with digits
/// 7–10 never one of the sandbox's failure codes.
pub(super) fn card_number(rng: &mut Rng) -> String {
    let mut body = String::from("6222029");
    while body.len() < 18 {
        body.push(char::from(b'1' + u8::try_from(rng.below(9)).unwrap_or(0)));
    }
    card_number::with_luhn_digit(&body)
}

/// One holder the bench opened.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct BenchHolder {
    /// The session token its calls carry.
    pub(super) token: String,
    /// Where transfers to it go.
    pub(super) wallet_id: String,
    /// What it signs in with again when a later run finds its session ended.
    pub(super) phone: String,
    /// The device the server knows it by, so signing in again asks for no SMS code.
    #[serde(default)]
    pub(super) device_id: Option<String>,
}

/// The newest code the sandbox texted to `phone`.
pub(super) async fn sandbox_code(
    client: &reqwest::Client,
    base: &str,
    phone: &str,
) -> Result<String, String> {
    let (_, body) = send(
        client,
        reqwest::Method::GET,
        format!("{base}/v1/sandbox/sms?phone={}", phone.replace('+', "%2B")),
        None,
        None,
        None,
    )
    .await?;
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find_map(|i| i["code"].as_str()))
        .map(str::to_string)
        .ok_or_else(|| {
            format!("no sandbox code for {phone} (is the server running with --sandbox?)")
        })
}

/// Opens a holder to L2 with a PIN and tops them up.
pub(super) async fn open_holder(
    client: &reqwest::Client,
    base: &str,
) -> Result<BenchHolder, String> {
    let mut rng = Rng::seeded();
    let phone = format!("+86139{:08}", rng.below(100_000_000));
    let post = reqwest::Method::POST;
    expect(
        "otp",
        send(
            client,
            post.clone(),
            format!("{base}/v1/otp"),
            None,
            None,
            Some(json!({"phone": phone, "purpose": "signup"})),
        )
        .await?,
        202,
    )?;
    let code = sandbox_code(client, base, &phone).await?;
    let signed = expect(
        "signup",
        send(
            client,
            post.clone(),
            format!("{base}/v1/signup"),
            None,
            None,
            Some(
                json!({"phone": phone, "otp": code, "password": PASSWORD, "device_name": "bench"}),
            ),
        )
        .await?,
        201,
    )?;
    let token = signed["token"].as_str().unwrap_or_default().to_string();
    let wallet_id = signed["wallet_id"].as_str().unwrap_or_default().to_string();
    let device_id = signed["device_id"].as_str().map(str::to_string);
    // An ID number another run on this server already verified is drawn again.
    let mut id = String::new();
    for draw in 1..=ID_DRAWS {
        id = id_number(usize::try_from(rng.below(ID_NUMBERS)).unwrap_or(0));
        let answer = send(
            client,
            post.clone(),
            format!("{base}/v1/me/identity"),
            Some(&token),
            None,
            Some(json!({"name": "张三", "id_number": id})),
        )
        .await?;
        if answer.0 == 409 && answer.1["code"] == "identity_taken" && draw < ID_DRAWS {
            continue;
        }
        expect("identity", answer, 200)?;
        break;
    }
    let card = expect(
        "card",
        send(
            client,
            post.clone(),
            format!("{base}/v1/me/cards"),
            Some(&token),
            None,
            Some(json!({"card_number": card_number(&mut rng), "holder_name": "张三", "id_number": id, "reserved_phone": phone})),
        )
        .await?,
        202,
    )?;
    let card_id = card["card_id"].as_str().unwrap_or_default().to_string();
    let code = sandbox_code(client, base, &phone).await?;
    expect(
        "card confirm",
        send(
            client,
            post.clone(),
            format!("{base}/v1/me/cards/{card_id}/confirm"),
            Some(&token),
            None,
            Some(json!({"otp": code})),
        )
        .await?,
        200,
    )?;
    expect(
        "pin",
        send(
            client,
            reqwest::Method::PUT,
            format!("{base}/v1/me/pin"),
            Some(&token),
            None,
            Some(json!({"pin": PIN})),
        )
        .await?,
        204,
    )
    .or_else(|e| {
        if e.starts_with("pin: 204") {
            Ok(Value::Null)
        } else {
            Err(e)
        }
    })?;
    expect(
        "top-up",
        send(
            client,
            post,
            format!("{base}/v1/me/topups"),
            Some(&token),
            Some(uuid::Uuid::new_v4().to_string()),
            Some(json!({"card_id": card_id, "amount": TOPUP_MINOR, "pin": PIN})),
        )
        .await?,
        201,
    )?;
    Ok(BenchHolder {
        token,
        wallet_id,
        phone,
        device_id,
    })
}

/// Opens `count` holders, [`OPENING_PARALLEL`] at a time, with a progress line on stderr.
pub(super) async fn open_all(
    client: &reqwest::Client,
    base: &str,
    count: usize,
) -> Result<Vec<BenchHolder>, String> {
    let opened = Arc::new(AtomicU64::new(0));
    let mut holders = Vec::with_capacity(count);
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..OPENING_PARALLEL.min(count) {
        let (client, base, next, opened) = (
            client.clone(),
            base.to_string(),
            next.clone(),
            opened.clone(),
        );
        let total = count as u64;
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= total {
                    return Ok::<_, String>(mine);
                }
                mine.push(open_holder(&client, &base).await?);
                let done = opened.fetch_add(1, Ordering::SeqCst) + 1;
                eprint!("\ropening holders {done}/{total}");
            }
        }));
    }
    for task in tasks {
        holders.extend(task.await.map_err(|e| e.to_string())??);
    }
    eprintln!(" — {:.1} s", started.elapsed().as_secs_f64());
    Ok(holders)
}

/// Opens the merchant the `merchant` mix pays, owned by `owner`, who therefore never pays it; its
/// static code's payload.
pub(super) async fn open_merchant(
    client: &reqwest::Client,
    base: &str,
    owner: &BenchHolder,
) -> Result<String, String> {
    let merchant = expect(
        "merchant",
        send(
            client,
            reqwest::Method::POST,
            format!("{base}/v1/merchants"),
            Some(&owner.token),
            None,
            Some(json!({"name": "压测商户", "category": "bench"})),
        )
        .await?,
        201,
    )?;
    Ok(merchant["static_qr_payload"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_id_numbers_are_distinct_and_carry_a_valid_check_character() {
        let ids: std::collections::HashSet<String> = (0..5_000).map(id_number).collect();
        assert_eq!(ids.len(), 5_000);
        for id in ids.iter().take(200) {
            assert!(
                qianbao_wallet::domain::IdNumber::parse_on(id, time::Date::MAX).is_ok(),
                "{id}"
            );
        }
    }

    #[test]
    fn bench_cards_pass_luhn_and_avoid_the_failure_digits() {
        let mut rng = Rng(7);
        for _ in 0..200 {
            let card = card_number(&mut rng);
            assert!(
                qianbao_wallet::domain::CardNumber::parse(&card).is_ok(),
                "{card}"
            );
            assert!(!card[6..10].starts_with('0'), "{card}");
        }
    }
}
