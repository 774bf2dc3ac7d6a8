//! The wire types of qianbao's HTTP API: what clients send and receive. They are not the domain
//! types and not the rows; the server converts at its edge.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error, as `application/problem+json` (RFC 9457) with qianbao's stable `code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short human summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// The stable machine-readable code, e.g. `pin_weak`.
    pub code: String,
    /// Human text about this occurrence.
    pub detail: String,
    /// Seconds to wait before retrying (429 and 503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Tries left before a lock (wrong passwords and codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// The request field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A finer reason within the code (for `photo_invalid`: `format`, `too_large`, `too_small`,
    /// `unreadable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The id of the request, to quote to support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The answer of `/healthz` and `/readyz`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` (the process is up) or `ready` (storage answers).
    pub status: String,
}

/// `POST /v1/otp`: ask for an SMS code.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OtpRequest {
    /// `+8613812345678` or `13812345678`.
    pub phone: String,
    /// `signup`, `login`, `reset_password`, `reset_pin`, `unfreeze` or `step_up`.
    pub purpose: String,
}

/// A code is on its way.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OtpSent {
    /// Seconds the code lives.
    pub expires_in: u64,
    /// Seconds before another code may be asked for.
    pub resend_after: u64,
}

/// `POST /v1/signup`: open a wallet.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SignupRequest {
    /// The phone the code went to.
    pub phone: String,
    /// The 6-digit SMS code of purpose `signup`.
    pub otp: String,
    /// The login password: 8–128 characters, not common, not the phone number.
    pub password: String,
    /// What to call this device in the session list.
    #[serde(default)]
    pub device_name: Option<String>,
}

/// A new wallet and its first session.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SignupResponse {
    /// The holder's id.
    pub user_id: String,
    /// The wallet's id, which others can pay.
    pub wallet_id: String,
    /// The bearer token for this device (shown once).
    pub token: String,
    /// The real-name level: 0 after sign-up.
    pub kyc_level: i64,
    /// The session's id.
    pub session_id: String,
    /// Send this as `device_id` when logging in again from this device.
    pub device_id: String,
}

/// `POST /v1/sessions`: log in.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The wallet's phone.
    pub phone: String,
    /// The login password.
    pub password: String,
    /// The device id from sign-up or an earlier login; a device not seen before needs `otp`.
    #[serde(default)]
    pub device_id: Option<String>,
    /// What to call this device.
    #[serde(default)]
    pub device_name: Option<String>,
    /// An SMS code of purpose `login`, for a new device.
    #[serde(default)]
    pub otp: Option<String>,
}

/// A new session.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The bearer token (shown once).
    pub token: String,
    /// The session's id.
    pub session_id: String,
    /// Send this as `device_id` next time.
    pub device_id: String,
}

/// Limits in fen; `null` is none.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LimitsBody {
    /// The most the wallet may hold.
    pub balance_cap: Option<i64>,
    /// The most one payment may be.
    pub per_payment: Option<i64>,
    /// The most that may leave the wallet in a day.
    pub per_day: Option<i64>,
    /// What raises the level, or `null` at the top.
    pub next_level: Option<String>,
}

/// `GET /v1/me`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// The holder's id.
    pub user_id: String,
    /// The wallet's id.
    pub wallet_id: String,
    /// The phone, E.164.
    pub phone: String,
    /// The real name, masked (`*三`), once verified.
    pub masked_name: Option<String>,
    /// The real-name level, 0–3.
    pub kyc_level: i64,
    /// `active`, `frozen`, `restricted` or `closed`.
    pub status: String,
    /// What the level allows.
    pub limits: LimitsBody,
}

/// One of the holder's sessions.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionItem {
    /// The session's id.
    pub id: String,
    /// The device's name.
    pub device_name: String,
    /// When it began (RFC 3339).
    pub created_at: String,
    /// When it was last used (RFC 3339, to the minute).
    pub last_seen_at: String,
    /// Whether it is the session making this request.
    pub current: bool,
}

/// A page of sessions.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    /// The sessions, newest first.
    pub items: Vec<SessionItem>,
    /// Always `null`: a holder has few sessions.
    pub next_cursor: Option<String>,
}

/// One SMS in the sandbox's outbox view.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SandboxSms {
    /// The phone, E.164.
    pub to: String,
    /// The text.
    pub text: String,
    /// The code it carries.
    pub code: Option<String>,
    /// When it was queued (RFC 3339).
    pub sent_at: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
}

/// `GET /v1/sandbox/sms`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SandboxSmsList {
    /// Newest first.
    pub items: Vec<SandboxSms>,
}

/// `POST /v1/me/identity`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityRequest {
    /// The legal name, as on the ID card.
    pub name: String,
    /// The 18-character resident ID number.
    pub id_number: String,
}

/// The real name is verified.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerified {
    /// The new level: 1.
    pub kyc_level: i64,
    /// `YYYY-MM-DD`, from the ID number.
    pub birth_date: String,
}

/// `POST /v1/me/cards`. The CVV goes to the bank and nowhere else.
#[derive(Clone, Deserialize, ToSchema)]
pub struct CardRequestBody {
    /// The card number.
    pub card_number: String,
    /// The name on the card: must be the verified real name.
    pub holder_name: String,
    /// The cardholder's ID number: must be the verified one.
    pub id_number: String,
    /// The phone registered with the bank, where its code goes.
    pub reserved_phone: String,
    /// `MM/YY`, credit cards only.
    #[serde(default)]
    pub expiry: Option<String>,
    /// Three digits, credit cards only.
    #[serde(default)]
    pub cvv: Option<String>,
}

/// A binding has begun.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CardPending {
    /// The card's id.
    pub card_id: String,
    /// `pending_otp`: confirm with the bank's code.
    pub status: String,
}

/// `POST /v1/me/cards/{card_id}/confirm`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CardConfirmRequest {
    /// The code the bank texted to the reserved phone.
    pub otp: String,
}

/// A card, never with its full number.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CardBody {
    /// The card's id.
    pub card_id: String,
    /// The issuer.
    pub bank_name: String,
    /// `debit` or `credit`.
    pub card_type: String,
    /// The last four digits.
    pub last4: String,
    /// Whether payments use it by default.
    pub is_default: bool,
    /// `pending_otp` or `active`.
    pub status: String,
}

/// The holder's cards.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CardList {
    /// Oldest first.
    pub items: Vec<CardBody>,
    /// Always `null`: a holder has few cards.
    pub next_cursor: Option<String>,
}

/// A request carrying only the payment password.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PinOnly {
    /// The six-digit payment password.
    pub pin: String,
}

/// `PUT /v1/me/pin`.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PinRequest {
    /// The new six-digit payment password.
    pub pin: String,
    /// The current one, once one is set.
    #[serde(default)]
    pub old_pin: Option<String>,
}

/// `POST /v1/me/pin/reset`.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PinResetRequest {
    /// An SMS code of purpose `reset_pin`.
    pub otp: String,
    /// The verified ID number.
    pub id_number: String,
    /// The number of a bound card.
    pub card_number: String,
    /// The new payment password.
    pub pin: String,
}

/// `POST /v1/freeze`, without a session: phone and password, or phone, an SMS code of purpose
/// `freeze` and the ID number.
#[derive(Clone, Deserialize, ToSchema)]
pub struct FreezeRequest {
    /// The wallet's phone.
    pub phone: String,
    /// The login password.
    #[serde(default)]
    pub password: Option<String>,
    /// An SMS code of purpose `freeze`.
    #[serde(default)]
    pub otp: Option<String>,
    /// The verified ID number (with `otp`).
    #[serde(default)]
    pub id_number: Option<String>,
}

/// `POST /v1/me/unfreeze`: all three are needed.
#[derive(Clone, Deserialize, ToSchema)]
pub struct UnfreezeRequest {
    /// An SMS code of purpose `unfreeze`.
    pub otp: String,
    /// The verified ID number.
    pub id_number: String,
    /// The login password.
    pub password: String,
}

/// `POST /v1/password/reset`.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    /// The wallet's phone.
    pub phone: String,
    /// An SMS code of purpose `reset_password`.
    pub otp: String,
    /// The verified ID number: required once the holder is verified.
    #[serde(default)]
    pub id_number: Option<String>,
    /// The new login password.
    pub new_password: String,
}

/// A wallet's status after a freeze or unfreeze.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WalletStatus {
    /// `frozen` or `active`.
    pub status: String,
}

/// `PUT /v1/me/identity/photo`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PhotoAccepted {
    /// `accepted`.
    pub photo: String,
}

/// `PUT /v1/me/identity/face`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FaceChecked {
    /// The level after the check: 3 with a bound card.
    pub kyc_level: i64,
}
