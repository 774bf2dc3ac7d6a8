//! The `Idempotency-Key` of a money call and the runner every money POST goes through: a retry
//! with the same key and body gets the first reply again, byte for byte; the same key with another
//! body is `idempotency_conflict`; a refusal is kept with the key so a retry is refused alike.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use qianbao_wallet::money::{IdempotencyKey, MoneyError, PinRead, Precheck, Render, Reply};
use serde::{Deserialize, Serialize};

/// The longest `Idempotency-Key` accepted.
const KEY_LEN_MAX: usize = 255;

/// The `Idempotency-Key` header of a money call, as the document describes it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Same on every retry of one payment: 1–255 printable ASCII characters, not starting or
    /// ending with a space (HTTP drops those).
    #[serde(rename = "Idempotency-Key")]
    #[param(
        min_length = 1,
        max_length = 255,
        pattern = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"
    )]
    #[allow(dead_code)]
    pub idempotency_key: String,
}

/// Reads the `Idempotency-Key` of a money call by `caller` and digests the request, so a retry
/// can be told from a reuse. The digest is keyed (HMAC under the master key's blind-index key):
/// the request carries the payment password, and everything else in it is stored or guessable,
/// so a plain hash would give the six digits away to anyone who reads the database.
pub(crate) fn idempotency_key(
    state: &AppState,
    headers: &HeaderMap,
    caller: String,
    route: &str,
    body: &impl Serialize,
) -> Result<IdempotencyKey, ApiError> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "Money calls need an Idempotency-Key header (1–255 printable characters), the \
                 same on every retry of one payment.",
            )
        })?
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= KEY_LEN_MAX && k.bytes().all(|b| (0x20..0x7f).contains(&b))
        })
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_invalid",
                "The Idempotency-Key must be 1–255 printable ASCII characters.",
            )
            .field("Idempotency-Key")
        })?;
    let canonical = serde_json::to_string(body).unwrap_or_default();
    Ok(IdempotencyKey {
        caller,
        key: key.to_string(),
        digest: qianbao_secrets::field::blind_index(
            &state.opening.ctx.keys,
            "idempotency-request",
            &format!("{route}\n{canonical}"),
        ),
    })
}

/// A stored reply, sent again exactly.
fn replayed(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    let mut response = (status, reply.body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// What a money call made, as far as its reply's status goes: held for review is 202.
pub(crate) trait Held {
    /// Whether the money is held for a reviewer rather than moved.
    fn held(&self) -> bool {
        false
    }
}

impl Held for qianbao_wallet::money::Done {
    fn held(&self) -> bool {
        self.is_held()
    }
}

impl Held for qianbao_wallet::money::merchant::RefundDone {}

impl Held for qianbao_wallet::fx::Converted {}

impl Held for qianbao_wallet::red_packets::Sent {}

impl Held for qianbao_wallet::rewards::Launched {}

impl Held for qianbao_wallet::gift_cards::Issued {}

impl Held for qianbao_wallet::gift_cards::Bought {}

impl Held for qianbao_wallet::money::waiting::ChargeOutcome {
    /// A charge waiting for its payer is accepted, not done: 202.
    fn held(&self) -> bool {
        matches!(
            self,
            qianbao_wallet::money::waiting::ChargeOutcome::Awaiting(_)
        )
    }
}

/// A money call's work, boxed so its `Send` is checked where it is written.
pub(crate) type Work<T> =
    std::pin::Pin<Box<dyn Future<Output = Result<T, MoneyError>> + Send + 'static>>;

/// Whether a refusal is the call's answer (kept with its key) rather than a passing failure
/// that a retry may get past.
fn is_answer(e: &MoneyError) -> bool {
    !matches!(
        e,
        MoneyError::Store(_)
            | MoneyError::Internal(_)
            | MoneyError::Maintenance { .. }
            | MoneyError::IdempotencyConflict
            | MoneyError::IdempotencyInProgress
            | MoneyError::BankUnavailable
            | MoneyError::RateLimited { .. }
            | MoneyError::Replay(_)
    ) && !asks_again(e)
}

/// Whether the refusal asks the caller to send the same call again, same key, with something
/// more: a second factor, or a right one. Such a refusal is not the key's answer.
fn asks_again(e: &MoneyError) -> bool {
    match e {
        MoneyError::Risk(refusal) => refusal.verdict == qianbao_wallet::risk::Verdict::StepUp,
        MoneyError::SecondFactor(_) => true,
        _ => false,
    }
}

/// Runs a money call under its idempotency key: a finished key replays its first reply; a new
/// one runs `work`, whose transaction stores the reply `body_of` makes; a refusal is stored too,
/// so a retry gets the same answer.
pub(crate) async fn idempotent<T: Held + 'static>(
    state: &AppState,
    key: Result<IdempotencyKey, ApiError>,
    status: StatusCode,
    body: fn(T) -> String,
    work: impl FnOnce(Render<T>, IdempotencyKey) -> Work<T>,
) -> Response {
    checked(state, key, None, status, body, |render, key, _| {
        work(render, key)
    })
    .await
}

/// As [`idempotent`], for a call confirmed with the payment password `pin` of `holder_id`: the
/// one read before the call also reads the PIN's record, and `work` gets what it found for
/// [`qianbao_wallet::money::Money::check_pin_read`].
pub(crate) async fn idempotent_with_pin<T: Held + 'static>(
    state: &AppState,
    key: Result<IdempotencyKey, ApiError>,
    pin: (&str, &str),
    status: StatusCode,
    body: fn(T) -> String,
    work: impl FnOnce(Render<T>, IdempotencyKey, PinRead) -> Work<T>,
) -> Response {
    checked(state, key, Some(pin), status, body, work).await
}

/// What [`idempotent`] and [`idempotent_with_pin`] share: the maintenance window, the key and the
/// PIN's record read in one read transaction, then the work, then a refusal kept with the key.
async fn checked<T: Held + 'static>(
    state: &AppState,
    key: Result<IdempotencyKey, ApiError>,
    pin: Option<(&str, &str)>,
    status: StatusCode,
    body: fn(T) -> String,
    work: impl FnOnce(Render<T>, IdempotencyKey, PinRead) -> Work<T>,
) -> Response {
    let key = match key {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let money = &state.money;
    let pin_read = match money.precheck(&state.storage, &key, pin).await {
        Ok(Precheck::Replay(reply)) => return replayed(reply),
        Ok(Precheck::Proceed(pin_read)) => pin_read,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let render = Render {
        status: status.as_u16(),
        body,
        held: T::held,
    };
    match work(render, key.clone(), pin_read).await {
        Ok(done) => replayed_fresh(render.reply(done)),
        Err(MoneyError::Replay(reply)) => replayed(reply),
        Err(e) => {
            let answer = is_answer(&e);
            let error = ApiError::from(e);
            if answer {
                let reply = Reply {
                    status: error.status().as_u16(),
                    body: serde_json::to_string(&error.problem()).unwrap_or_default(),
                };
                if let Err(e) = money.remember_refusal(&state.storage, &key, reply).await {
                    tracing::warn!(error = %e, "could not keep a refusal with its idempotency key");
                }
            }
            error.into_response()
        }
    }
}

/// A fresh reply, sent as its stored form so the first answer and every replay are identical.
fn replayed_fresh(reply: Reply) -> Response {
    let mut response = replayed(reply);
    response.headers_mut().remove("idempotent-replayed");
    response
}

/// JSON of `value`; the wire types always serialise.
pub(crate) fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
