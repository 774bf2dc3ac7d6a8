//! The wire types of qianbao's HTTP API: what clients send and receive. They are not the domain
//! types and not the rows; the server converts at its edge.

// Bill payment (生活缴费).
pub mod bills;
pub mod console;
pub mod console_money;
// Red packets: sending, claiming, a packet's page.
pub mod red_packets;
// Rewards: campaigns and coupons.
pub mod rewards;
// Gift and membership cards (礼品卡、会员卡).
pub mod gift_cards;
// Monthly budgets (消费预算).
pub mod budgets;
// Transit ride codes (乘车码).
pub mod transit;
// The journal log's checkpoints and proofs.
pub mod proofs;
// Statement exports that carry the log's proofs.
pub mod statement;

pub use bills::*;

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
    /// For `limit_exceeded`: which limit (`per_payment`, `per_day`, `balance_cap`,
    /// `static_qr_daily`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// For `limit_exceeded`: minor units that may still move under that limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headroom: Option<i64>,
    /// The id of the request, to quote to support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `step_up_required`: the second factors that will do (`totp`, `sms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// The same as `detail`, in Chinese, where the holder is told why (risk control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_zh: Option<String>,
    /// For `close_blocked`: everything that keeps the wallet from closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blockers: Option<Vec<CloseBlocker>>,
    /// For `statement_invalid`: the statement file's line at fault, from 1 (the header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
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
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub phone: String,
    /// `signup`, `login`, `reset_password`, `reset_pin`, `unfreeze`, `step_up`, `freeze` or
    /// `close`.
    #[schema(pattern = r"^(signup|login|reset_password|reset_pin|unfreeze|step_up|freeze|close)$")]
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
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub phone: String,
    /// The 6-digit SMS code of purpose `signup`.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: String,
    /// The login password: 8–128 characters, not common, not the phone number.
    #[schema(
        min_length = 8,
        max_length = 128,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*$"
    )]
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
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
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
    /// The TOTP code from the holder's authenticator app, once TOTP is on.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub totp: Option<String>,
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
    /// Whether a real-name check waits for the operator's staff to review it (the level comes
    /// when they approve; the outcome arrives in the inbox).
    #[serde(default)]
    pub kyc_review_pending: bool,
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
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// The 18-character resident ID number.
    #[schema(pattern = r"^[1-8][0-9]{16}[0-9X]$")]
    pub id_number: String,
}

/// The real name is verified (200), or waits for the operator's staff to review it (202).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerified {
    /// The level now: 1 when verified; unchanged (0) while a review is pending.
    pub kyc_level: i64,
    /// `YYYY-MM-DD`, from the ID number.
    pub birth_date: String,
    /// `verified`, or `pending_review`: the verifier could not decide and a member of staff will
    /// look at the ID photo (upload it with `PUT /v1/me/identity/photo`); the holder is told the
    /// outcome in the inbox and by SMS.
    #[serde(default = "verified")]
    pub status: String,
    /// The review case, while `pending_review`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_id: Option<String>,
}

fn verified() -> String {
    "verified".into()
}

/// `POST /v1/me/cards`. The CVV goes to the bank and nowhere else.
#[derive(Clone, Deserialize, ToSchema)]
pub struct CardRequestBody {
    /// The card number.
    #[schema(pattern = r"^[0-9]{13,19}$")]
    pub card_number: String,
    /// The name on the card: must be the verified real name.
    pub holder_name: String,
    /// The cardholder's ID number: must be the verified one.
    #[schema(pattern = r"^[1-8][0-9]{16}[0-9X]$")]
    pub id_number: String,
    /// The phone registered with the bank, where its code goes.
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub reserved_phone: String,
    /// `MM/YY`, credit cards only.
    #[serde(default)]
    #[schema(pattern = r"^(0[1-9]|1[0-2])/[0-9]{2}$")]
    pub expiry: Option<String>,
    /// Three digits, credit cards only.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{3}$")]
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
    #[schema(pattern = r"^[0-9]{6}$")]
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
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
}

/// `PUT /v1/me/pin`.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PinRequest {
    /// The new six-digit payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// The current one, once one is set.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub old_pin: Option<String>,
}

/// `POST /v1/me/pin/reset`.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PinResetRequest {
    /// An SMS code of purpose `reset_pin`.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: String,
    /// The verified ID number.
    #[schema(pattern = r"^[1-8][0-9]{16}[0-9X]$")]
    pub id_number: String,
    /// The number of a bound card.
    #[schema(pattern = r"^[0-9]{13,19}$")]
    pub card_number: String,
    /// The new payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
}

/// `POST /v1/me/totp`: a new TOTP secret for the holder's authenticator app, not yet on.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrolled {
    /// The secret in RFC 4648 base32 without padding, for typing into the app.
    pub secret: String,
    /// The `otpauth://totp/qianbao:…` URI the app scans.
    pub otpauth_uri: String,
    /// That URI as a QR code, an SVG image.
    pub qr_svg: String,
}

/// `POST /v1/me/totp/confirm`: the first code from the app, which turns TOTP on.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpConfirmRequest {
    /// The six-digit code the app shows now.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub code: String,
}

/// `GET /v1/me/totp`: whether the TOTP second factor is on.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TotpStatus {
    /// Whether a confirmed TOTP second factor guards logins and risky payments.
    pub enabled: bool,
}

/// `POST /v1/freeze`, without a session: phone and password, or phone, an SMS code of purpose
/// `freeze` and the ID number.
#[derive(Clone, Deserialize, ToSchema)]
pub struct FreezeRequest {
    /// The wallet's phone.
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub phone: String,
    /// The login password.
    #[serde(default)]
    pub password: Option<String>,
    /// An SMS code of purpose `freeze`.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: Option<String>,
    /// The verified ID number (with `otp`).
    #[serde(default)]
    #[schema(pattern = r"^[1-8][0-9]{16}[0-9X]$")]
    pub id_number: Option<String>,
}

/// `POST /v1/me/unfreeze`: all three are needed.
#[derive(Clone, Deserialize, ToSchema)]
pub struct UnfreezeRequest {
    /// An SMS code of purpose `unfreeze`.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: String,
    /// The verified ID number.
    #[schema(pattern = r"^[1-8][0-9]{16}[0-9X]$")]
    pub id_number: String,
    /// The login password.
    pub password: String,
}

/// `POST /v1/password/reset`.
#[derive(Clone, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    /// The wallet's phone.
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub phone: String,
    /// An SMS code of purpose `reset_password`.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: String,
    /// The verified ID number: required once the holder is verified.
    #[serde(default)]
    #[schema(pattern = r"^[1-8][0-9]{16}[0-9X]$")]
    pub id_number: Option<String>,
    /// The new login password.
    #[schema(
        min_length = 8,
        max_length = 128,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*$"
    )]
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

/// `POST /v1/qr/decode`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QrText {
    /// The text in the QR code, to send as `payload` to `POST /v1/pay` (or as a payment code).
    pub payload: String,
}

/// `GET /web/config`: what the web pages need to know about this server.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebConfig {
    /// Sandbox mode: the pages show the developer panel with the SMS outbox.
    pub sandbox: bool,
}

/// `POST /web/signup`: as `POST /v1/signup`, with the token in a cookie instead of the body.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebSignedUp {
    /// The new holder.
    pub user_id: String,
    /// The holder's wallet.
    pub wallet_id: String,
    /// 0 for a new wallet.
    pub kyc_level: i64,
    /// The session the cookie carries.
    pub session_id: String,
    /// This browser's device id, to send on later logins.
    pub device_id: String,
}

/// `POST /web/session`: as `POST /v1/sessions`, with the token in a cookie instead of the body.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebSession {
    /// The session the cookie carries.
    pub session_id: String,
    /// This browser's device id, to send on later logins.
    pub device_id: String,
}

/// `POST /web/merchant/session`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebMerchantSignIn {
    /// The merchant's API key, as shown once when the merchant was opened.
    pub api_key: String,
}

/// The merchant the till is signed in as.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebMerchant {
    /// Its id.
    pub merchant_id: String,
    /// Its name.
    pub name: String,
    /// The text of its static QR code (`qianbao://m/…`): payers scan it and type the amount.
    pub static_qr_payload: String,
    /// That code drawn as a QR (an SVG document), for the printable shop code.
    pub static_qr_svg: String,
    /// Whether the shop has a refund password; the till's refunds need one.
    pub refund_password_set: bool,
}

/// `PUT /v1/me/identity/face`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FaceChecked {
    /// The level after the check: 3 with a bound card.
    pub kyc_level: i64,
}

/// One currency's balance.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Balance {
    /// ISO 4217.
    pub currency: String,
    /// What may be spent, in minor units.
    pub available: i64,
    /// What pending withdrawals and delayed transfers reserve.
    pub held: i64,
}

/// `GET /v1/me/balance`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BalanceList {
    /// One per currency.
    pub balances: Vec<Balance>,
    /// The holder's main currency: money arrives in it when a payer sends one they do not hold
    /// (absent for a merchant's balance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_currency: Option<String>,
}

/// `PUT /v1/me/main-currency`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MainCurrencyBody {
    /// An enabled ISO 4217 code.
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub main_currency: String,
}

/// A second factor for one money call: a TOTP code from the holder's authenticator app, or an SMS
/// code of purpose `step_up` (`POST /v1/otp`). Give one of the two.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SecondFactor {
    /// Six digits from the authenticator app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub totp: Option<String>,
    /// Six digits from the SMS of purpose `step_up`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: Option<String>,
}

/// `POST /v1/me/topups`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TopupRequest {
    /// A bound card of the holder's.
    pub card_id: String,
    /// Minor units, positive.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// ISO 4217; CNY when absent (the only one cards carry).
    #[serde(default)]
    #[schema(pattern = r"^CNY$")]
    pub currency: Option<String>,
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
}

/// `POST /v1/me/withdrawals`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WithdrawalRequest {
    /// A bound card of the holder's.
    pub card_id: String,
    /// Minor units, positive.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
}

/// The reply of a money call.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MoneyReply {
    /// The payer's record id.
    pub id: String,
    /// `succeeded`, `pending` or `scheduled` (`cancelled` after cancelling); `held_for_review`
    /// (with status 202) when risk control holds the money for a reviewer.
    pub status: String,
    /// Minor units moved.
    pub amount: i64,
    /// The fee charged, in minor units.
    pub fee: i64,
    /// ISO 4217.
    pub currency: String,
}

/// `GET /v1/payees`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PayeeBody {
    /// The payee's wallet id.
    pub wallet_id: String,
    /// The payee's masked real name, e.g. `*三`.
    pub masked_name: String,
    /// The currency money arrives in when they do not hold the one sent: a transfer in another
    /// currency needs a quote into it (`POST /v1/fx/quotes` with `to_wallet_id`).
    #[serde(default)]
    pub main_currency: String,
}

/// `POST /v1/transfers`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TransferRequest {
    /// The payee's phone; or give `to_wallet_id`.
    #[serde(default)]
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub to_phone: Option<String>,
    /// The payee's wallet id; or give `to_phone`.
    #[serde(default)]
    pub to_wallet_id: Option<String>,
    /// Minor units, positive.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// ISO 4217; CNY when absent.
    #[serde(default)]
    #[schema(pattern = r"^CNY$")]
    pub currency: Option<String>,
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// A note for both sides (at most 100 characters).
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub memo: Option<String>,
    /// `2h` or `24h`: arrive later (延时到账), cancellable until then.
    #[serde(default)]
    #[schema(pattern = r"^(2h|24h)$")]
    pub delay: Option<String>,
    /// For a payee who does not hold `currency`: the quote that delivers it in their main
    /// currency (`POST /v1/fx/quotes` with `to_wallet_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
}

/// `POST /v1/pay`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PayRequest {
    /// The scanned QR code's text.
    pub payload: String,
    /// Minor units; required for a static merchant code and a receive code without an amount.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: Option<i64>,
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// Pay from this bound card of the holder's instead of the balance (a merchant's static
    /// code or order only): the bank debits the card and the merchant is paid in one flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// For an order priced in another currency: the quote from the pay preview's `fx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    /// One of the holder's coupons for this shop (`GET /v1/me/coupons`): the shop's campaign
    /// pays its discount; the reply says `amount` (the price), `discount` and `paid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_id: Option<String>,
    /// Points (积分) to redeem, one fen each, at most what the price less any coupon leaves
    /// (`GET /v1/me/points`); the reply's `discount` counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub points: Option<i64>,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
}

/// `GET /v1/pay/preview`: what a scanned code will pay, to confirm before the payment password.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PayPreview {
    /// `receive` (a holder's receive code), `merchant` (a shop's static code) or `order`.
    pub kind: String,
    /// The payee as shown: a holder's masked name (`*三`) or the shop's name.
    pub payee_name: String,
    /// The amount the code fixes, in minor units; `null` when the payer types it.
    pub amount: Option<i64>,
    /// ISO 4217.
    pub currency: String,
    /// An order's description (empty otherwise).
    pub description: String,
    /// When an order stops taking payment (RFC 3339); `null` for other codes.
    pub expires_at: Option<String>,
    /// For an order priced in another currency: what it costs in yuan through a quote, to show
    /// before confirming and to send back as `quote_id` with `POST /v1/pay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx: Option<PayFx>,
    /// The shop paid (a static code or an order), so the app can offer the holder's coupons for
    /// it; absent for a holder's receive code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
}

/// What an order priced in another currency costs the payer in yuan.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PayFx {
    /// Send it with `POST /v1/pay` to pay at this price.
    pub quote_id: String,
    /// The mid-market rate (order currency per yuan), an exact decimal.
    pub rate: String,
    /// What the payer pays, spread included, in `pay_currency`'s minor units.
    pub pay_amount: i64,
    /// `CNY`.
    pub pay_currency: String,
    /// The spread, in `pay_currency`'s minor units.
    pub fee: i64,
    /// When the quote stops (RFC 3339): the preview must be asked again after it.
    pub expires_at: String,
}

/// The reply of `POST /v1/pay`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PayReply {
    /// The payment's id (the payer's record id).
    pub payment_id: String,
    /// `succeeded`.
    pub status: String,
    /// The price, in minor units: what the payer paid plus any coupon's or points' discount.
    pub amount: i64,
    /// What a coupon and points took off (0 without them).
    pub discount: i64,
    /// What the payer paid, from the wallet and their gift cards of the shop:
    /// `amount - discount`.
    pub paid: i64,
    /// What of `paid` the payer's gift cards of the shop paid (they pay before the balance).
    #[serde(default)]
    pub gift_card: i64,
    /// The points redeemed.
    #[serde(default)]
    pub points: i64,
    /// ISO 4217.
    pub currency: String,
    /// Who was paid, as shown to the payer.
    pub payee: String,
    /// What paid: `balance` or `card`.
    pub method: String,
}

/// One record.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TransactionBody {
    /// Its id.
    pub id: String,
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Minor units.
    pub amount: i64,
    /// The fee paid on it.
    pub fee: i64,
    /// ISO 4217.
    pub currency: String,
    /// The other side, masked.
    pub counterparty: String,
    /// `succeeded`, `pending`, `scheduled`, `failed`, `cancelled`.
    pub status: String,
    /// The payer's note.
    pub memo: String,
    /// What paid an outgoing payment or transfer: `balance` or `card`; `null` for other records.
    pub method: Option<String>,
    /// The card a card payment (or a top-up, a withdrawal) used, masked: bank and last four
    /// digits (`工商银行 ****1234`).
    pub card: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when the status last changed (the creation time while it never did). Only the
    /// current status is kept, not each earlier one.
    #[serde(default)]
    pub updated_at: String,
}

/// A page of records.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TransactionPage {
    /// Newest first.
    pub items: Vec<TransactionBody>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

/// A month's totals.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SummaryBody {
    /// `YYYY-MM`.
    pub month: String,
    /// Income: minor units in from others (transfers, refunds, …). Top-ups from one's own card
    /// are not income; they are in `own_card_in`.
    pub total_in: i64,
    /// Spending: minor units out to others (transfers, payments, …), fees included. Withdrawals to
    /// one's own card are not spending; they are in `own_card_out`.
    pub total_out: i64,
    /// Minor units moved in from one's own cards (top-ups).
    #[serde(default)]
    pub own_card_in: i64,
    /// Minor units moved out to one's own cards (withdrawals, settlements), fees included.
    #[serde(default)]
    pub own_card_out: i64,
    /// Per type and direction, largest first, own-card moves included (`topup`, `withdrawal`,
    /// `settlement` are the types the totals leave out).
    pub categories: Vec<SummaryCategory>,
    /// The holder's budgets against this month's spending (`GET /v1/me/budgets`' body, for this
    /// month); absent when the holder budgets nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budgets: Option<budgets::BudgetsBody>,
}

/// One category of a summary.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SummaryCategory {
    /// The records' type.
    #[serde(rename = "type")]
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Minor units.
    pub total: i64,
    /// How many records.
    pub count: i64,
}

/// A QR code to show.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReceiveCode {
    /// The text in the code.
    pub payload: String,
    /// The code as an SVG image.
    pub qr_svg: String,
}

/// `GET /v1/me/payment-code`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentCodeBody {
    /// 18 digits, one use.
    pub code: String,
    /// The code as an SVG QR image.
    pub qr_svg: String,
    /// RFC 3339; 60 s after it was made.
    pub expires_at: String,
}

/// One inbox alert.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationBody {
    /// Its number; later alerts have larger ones.
    pub id: i64,
    /// What happened (`payment`, `refund`, `topup`, `transfer_in`, …). `pending_charge`: a shop's
    /// payment-code charge waits for the holder's confirmation; `transaction_id` is its
    /// `payment_id` at `GET /v1/me/pending-charges`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// The details.
    pub body: String,
    /// The line in English (empty for alerts written before English was kept).
    pub title_en: String,
    /// The details in English (empty likewise).
    pub body_en: String,
    /// The record it is about.
    pub transaction_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A page of alerts.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<NotificationBody>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

/// One person the holder sent money to lately (`GET /v1/me/recent-payees`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RecentPayeeBody {
    /// Their phone, E.164: what the transfer screen fills in when the payee is picked.
    pub phone: String,
    /// Their masked real name (`*三`), or masked phone before they were verified.
    pub masked_name: String,
    /// When the holder last sent them money, RFC 3339.
    pub last_at: String,
}

/// `GET /v1/me/recent-payees`: the last few distinct people the holder transferred to.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RecentPayeesBody {
    /// Newest first, at most 5.
    pub items: Vec<RecentPayeeBody>,
}

/// `POST /v1/merchants`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantRequest {
    /// The shop's name as payers see it.
    #[schema(
        max_length = 50,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    /// What it sells: `[a-z_]`, e.g. `restaurant`.
    #[schema(pattern = r"^[a-z_]{1,32}$")]
    pub category: String,
    /// The shop's refund password (退款密码): six digits, not an easy one (`111111`, `123456`).
    /// The till asks for it before every refund; without it the till must set one first with
    /// the owner's payment password (`PUT /v1/merchant/refund-password`).
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub refund_password: Option<String>,
}

/// A new merchant.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantOpened {
    /// Its id.
    pub merchant_id: String,
    /// The API key, shown once.
    pub api_key: String,
    /// The text of its static QR code.
    pub static_qr_payload: String,
    /// That code drawn as a QR (an SVG document), for the printable shop code.
    pub static_qr_svg: String,
}

/// A rotated API key.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyBody {
    /// The new key, shown once; the old one stopped working.
    pub api_key: String,
}

/// `POST /v1/merchant/orders`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderRequest {
    /// Minor units, positive.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// ISO 4217, any the operator enabled; CNY when absent. An order in another currency is
    /// paid from yuan through the quote the payer's preview shows.
    #[serde(default)]
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// What it is for.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub description: String,
    /// Seconds it waits to be paid (default 900, at most a day).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 86_400)]
    pub expires_in: Option<i64>,
}

/// An order.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderBody {
    /// Its id.
    pub order_id: String,
    /// The text of its QR code.
    pub qr_payload: String,
    /// The QR code as an SVG image, for a till's screen.
    pub qr_svg: String,
    /// `open`, `paid` or `expired`.
    pub status: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217: the order's currency (its `amount` is in that currency's minor units).
    #[serde(default)]
    pub currency: String,
    /// RFC 3339.
    pub expires_at: String,
    /// The payment that paid it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    /// Once paid: what the payer's coupon and points took off `amount` (0 without them); the
    /// payer paid `amount - discount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<i64>,
    /// Once paid: what of the payer's part their gift cards of the shop paid (0 without them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card: Option<i64>,
}

/// `POST /v1/merchant/charges`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChargeRequest {
    /// The holder's 18-digit payment code.
    #[schema(pattern = r"^[0-9]{18}$")]
    pub payment_code: String,
    /// Minor units, positive.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// What it is for.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    /// The holder's payment password, typed on the till, for charges above the password-free
    /// limit (the behaviour before waiting charges; still taken). Without it such a charge waits
    /// for the payer to confirm on their phone (202 `awaiting_payer`).
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: Option<String>,
    /// `false` keeps the behaviour before waiting charges: above the password-free limit without
    /// `pin` the charge is refused with 422 `pin_required` instead of waiting for the payer.
    /// Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub await_payer: Option<bool>,
}

/// A charge or other merchant payment.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChargeReply {
    /// The payment's id; a waiting charge is paid under this id once confirmed.
    pub payment_id: String,
    /// `succeeded`, or `awaiting_payer` (202): the payer confirms on their phone; poll
    /// `GET /v1/merchant/payments/{id}` or wait for the webhook.
    pub status: String,
    /// Minor units: the price charged (what the payer's wallet and gift cards paid together).
    pub amount: i64,
    /// RFC 3339: when a waiting charge lapses unconfirmed (only with `awaiting_payer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Once `succeeded`: what a discount took off `amount` (0; a charge takes no coupon or
    /// points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<i64>,
    /// Once `succeeded`: what of `amount` the payer's gift cards of the shop paid (they pay
    /// before the wallet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card: Option<i64>,
}

/// `GET /v1/merchant/payments/{id}`: one payment, waiting for its payer or made.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantPaymentStatus {
    /// Its id.
    pub payment_id: String,
    /// `awaiting_payer`, `succeeded`, `declined` (the payer said no) or `expired` (the payer
    /// did not confirm in time). Only `succeeded` moved money.
    pub status: String,
    /// Minor units asked (and, once succeeded, paid).
    pub amount: i64,
    /// The merchant's fee, once paid.
    pub fee: i64,
    /// Refunded so far.
    pub refunded: i64,
    /// ISO 4217.
    pub currency: String,
    /// How it was paid, once paid.
    pub channel: Option<String>,
    /// The merchant's description.
    pub description: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when a charge that waited for its payer lapses (or lapsed).
    pub expires_at: Option<String>,
    /// The payer's masked name (`*三`, or a masked phone), once paid: what a receipt shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_name: Option<String>,
    /// Once `succeeded`: what a coupon and points took off `amount` (0 without them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<i64>,
    /// Once `succeeded`: what the payer's gift cards of the shop paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card: Option<i64>,
}

/// A payment-code charge waiting for the holder's confirmation.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingChargeBody {
    /// The payment's id: confirm or decline it.
    pub payment_id: String,
    /// Who asks for the money.
    pub merchant_name: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// The merchant's description.
    pub description: String,
    /// RFC 3339: after this it lapses and cannot be confirmed.
    pub expires_at: String,
}

/// `GET /v1/me/pending-charges`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingChargeList {
    /// Oldest first; only the ones still waiting.
    pub items: Vec<PendingChargeBody>,
}

/// `POST /v1/me/pending-charges/{id}/confirm`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConfirmChargeRequest {
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactor>,
}

/// `POST /v1/merchant/refunds`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RefundRequest {
    /// The payment to refund.
    pub payment_id: String,
    /// Minor units, at most what is left unrefunded.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// Why.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub reason: Option<String>,
    /// The shop's refund password. Checked whenever it is sent (`refund_password_incorrect`,
    /// `refund_password_locked`); required when the till's browser session refunds, optional
    /// with the API key, which is the integrator's credential. Not part of the request the
    /// Idempotency-Key is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub refund_password: Option<String>,
}

/// `PUT /v1/merchant/refund-password`: sets or changes the shop's refund password, proven by
/// the current one or by the owner's payment password (one of the two).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RefundPasswordRequest {
    /// The new password: six digits, not an easy one.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub refund_password: String,
    /// The shop's current refund password.
    #[serde(default)]
    pub current_refund_password: Option<String>,
    /// The owner's payment password: sets a first refund password, or replaces a forgotten one.
    #[serde(default)]
    pub pin: Option<String>,
}

/// A refund.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RefundReply {
    /// Its id.
    pub refund_id: String,
    /// `succeeded`.
    pub status: String,
    /// Minor units.
    pub amount: i64,
}

/// One payment a merchant received.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantPaymentBody {
    /// Its id.
    pub payment_id: String,
    /// Minor units paid.
    pub amount: i64,
    /// The merchant's fee on it.
    pub fee: i64,
    /// Refunded so far.
    pub refunded: i64,
    /// ISO 4217.
    pub currency: String,
    /// `order`, `static_qr`, `payment_code`, `payment_code_free`.
    pub channel: String,
    /// The order it paid.
    pub order_id: Option<String>,
    /// The merchant's description.
    pub description: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A page of merchant payments.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantPaymentPage {
    /// Newest first.
    pub items: Vec<MerchantPaymentBody>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

/// `PUT /v1/merchant/webhook`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookRequest {
    /// Where events are POSTed (http or https).
    #[schema(max_length = 500, pattern = r"^https?://[\x21-\x7e]+$")]
    pub url: String,
}

/// The webhook signing secret, shown once.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookSecret {
    /// HMAC-SHA256 key for `Qianbao-Signature`.
    pub secret: String,
}

/// `POST /v1/merchant/settlements`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SettlementRequest {
    /// Minor units of `currency`; the whole available balance in it when absent.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: Option<i64>,
    /// Which of the shop's balances: CNY when absent. Takings in another currency are converted
    /// to yuan at the rate in force less the spread, then settled to the owner's card like yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: Option<String>,
}

/// What a top-up or withdrawal would cost, before confirming.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QuoteBody {
    /// Minor units that would move.
    pub amount: i64,
    /// The fee on top, in minor units.
    pub fee: i64,
    /// amount + fee: what the card pays (top-up) or the balance gives (withdrawal).
    pub total: i64,
    /// ISO 4217.
    pub currency: String,
}

// Closing wallets (注销).

/// `POST /v1/me/close`: the payment password (or, for a wallet that never had one, the login
/// password) and an SMS code of purpose `close`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CloseRequest {
    /// The payment password; required once the wallet has one.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: Option<String>,
    /// The login password, only for a wallet without a payment password.
    #[serde(default)]
    pub password: Option<String>,
    /// An SMS code of purpose `close`.
    #[serde(default)]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub otp: Option<String>,
    /// One of the holder's own active debit cards: when the wallet's balance is the only thing
    /// that keeps it from closing, staff sweep the whole balance there (no fee) and close it
    /// (202 `pending_review`).
    #[serde(default)]
    pub sweep_to_card_id: Option<String>,
}

/// `POST /v1/me/close` with `sweep_to_card_id`: the closing request waits for staff.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosePending {
    /// `pending_review`.
    pub status: String,
    /// The request's id.
    pub request_id: String,
}

/// One thing that keeps a wallet from closing, in a `close_blocked` problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CloseBlocker {
    /// `balance`, `hold`, `scheduled_transfer`, `pending_topup`, `open_order`,
    /// `merchant_balance`, `open_red_packet`, `fare_owed` or `gift_cards_outstanding` (cards of
    /// the holder's shop still hold money owed to their holders).
    pub kind: String,
    /// What to do about it, in English: "Withdraw or spend the ¥12.30 left in the wallet first."
    pub detail: String,
    /// The same, in Chinese.
    pub detail_zh: String,
    /// The money it concerns, in minor units, where there is an amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// The currency of `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// `POST /v1/fx/quotes`: what to convert. Give exactly one of `sell_amount` and `buy_amount`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FxQuoteRequest {
    /// ISO 4217 code of the currency given, enabled by the operator (capitals).
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub sell_currency: String,
    /// ISO 4217 code of the currency got.
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub buy_currency: String,
    /// How much to give, in the sell currency's minor units.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub sell_amount: Option<i64>,
    /// How much to get, in the buy currency's minor units.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub buy_amount: Option<i64>,
    /// For a transfer to a payee who does not hold the sell currency: their wallet id (the quote
    /// is then usable only for a transfer of `sell_amount` to them, into their main currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_wallet_id: Option<String>,
}

/// A quote: usable once, by the holder it was given to, until `expires_at`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FxQuote {
    /// Send it to `POST /v1/fx/conversions`.
    pub quote_id: String,
    /// The mid-market rate used, buy-currency units per sell-currency unit, as an exact decimal.
    #[schema(example = "7.1234")]
    pub rate: String,
    /// What leaves the holder's account, spread included (sell-currency minor units).
    pub sell_amount: i64,
    /// What arrives (buy-currency minor units).
    pub buy_amount: i64,
    /// The spread, in the sell currency's minor units.
    pub fee: i64,
    /// The currency the fee is in: the sell currency.
    pub fee_currency: String,
    /// The currency given.
    pub sell_currency: String,
    /// The currency got.
    pub buy_currency: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /v1/fx/conversions`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FxConversionRequest {
    /// A quote of the holder's, from `POST /v1/fx/quotes`.
    pub quote_id: String,
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
}

/// A conversion done.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FxConversion {
    /// The conversion's record id.
    pub id: String,
    /// `succeeded`.
    pub status: String,
    /// What left, spread included (sell-currency minor units).
    pub sell_amount: i64,
    /// What arrived (buy-currency minor units).
    pub buy_amount: i64,
    /// The currency given.
    pub sell_currency: String,
    /// The currency got.
    pub buy_currency: String,
    /// The spread, in the sell currency's minor units.
    pub fee: i64,
}

/// One mid-market rate in force.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FxRateItem {
    /// `USD/CNY`: how many CNY one USD buys.
    pub pair: String,
    /// Exact decimal.
    pub rate: String,
    /// `operator`, `console` or `feed`.
    pub source: String,
    /// RFC 3339.
    pub set_at: String,
}

/// `GET /v1/fx/rates`: the enabled currencies (with their minor-unit exponents) and the rates.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FxRates {
    /// The currencies holders may hold, CNY first.
    pub currencies: Vec<FxCurrency>,
    /// The mid rates in force.
    pub rates: Vec<FxRateItem>,
}

/// An enabled currency.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FxCurrency {
    /// ISO 4217 code.
    pub code: String,
    /// Digits after the point: amounts are integers of 10^-exponent (JPY 0, CNY 2).
    pub exponent: u8,
}
