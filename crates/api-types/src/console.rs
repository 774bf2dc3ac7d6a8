//! The operator console's JSON (`/v1/console/…`): staff set-up and sign-in, staff and roles,
//! holder search and profile, the audit log, the review queues.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/console/setup`: the set-up link's token and the new password.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffSetupRequest {
    /// The token from the set-up link.
    pub token: String,
    /// The new console password (the holder rules: 8–128 characters, not common).
    pub password: String,
}

/// `POST /v1/console/setup`: the TOTP secret to put in an authenticator app (mandatory).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffTotpSecret {
    /// RFC 4648 base32, for typing.
    pub secret: String,
    /// The `otpauth://` URI.
    pub otpauth_uri: String,
    /// That URI as a QR code, an SVG image.
    pub qr_svg: String,
}

/// `POST /v1/console/setup/confirm`: a first code from the app, which finishes set-up.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffSetupConfirm {
    /// The token from the set-up link.
    pub token: String,
    /// The six-digit code the app shows now.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub code: String,
}

/// `POST /v1/console/sessions`: phone, password and TOTP code, all three required.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffSignInRequest {
    /// The staff member's phone.
    pub phone: String,
    /// The console password.
    pub password: String,
    /// The code the authenticator app shows now.
    pub totp: String,
}

/// A staff member as the console shows them.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StaffView {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The phone, masked (`138****5678`).
    pub phone: String,
    /// The role.
    pub role: String,
    /// `pending_setup` or `active`.
    pub status: String,
    /// Locked by wrong tries.
    pub locked: bool,
    /// When added (RFC 3339).
    pub created_at: String,
}

/// `POST /v1/console/sessions`: the console session.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffSession {
    /// The bearer token for `/v1/console/…` (the page gets it as an `HttpOnly` cookie too).
    pub token: String,
    /// Who signed in.
    pub staff: StaffView,
}

/// `GET /v1/console/me`: the signed-in staff member and what they may do.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StaffMe {
    /// Who.
    pub staff: StaffView,
    /// Their permissions, `group.access`.
    pub permissions: Vec<String>,
}

/// `POST /v1/console/staff`: a new staff member.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffAddRequest {
    /// Their phone.
    pub phone: String,
    /// Their name.
    pub name: String,
    /// A built-in role (`support`, `risk`, `finance`, `admin`) or a custom one.
    pub role: String,
}

/// `POST /v1/console/staff`: the new account and its one-time set-up link.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffAdded {
    /// The account.
    pub staff: StaffView,
    /// The set-up link (shown once): `…/console#setup=<token>`.
    pub setup_link: String,
    /// The token inside it.
    pub setup_token: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
}

/// A change to a staff account, with the reason that goes to the audit log.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffChange {
    /// The new role, for a role change.
    #[serde(default)]
    pub role: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A role and what it grants.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RoleView {
    /// The name.
    pub name: String,
    /// Built into qianbao (fixed) or defined by an admin.
    pub built_in: bool,
    /// `group.access` names.
    pub permissions: Vec<String>,
}

/// `POST /v1/console/roles`: define or redefine a custom role.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct RoleDefine {
    /// 2–32 of `a-z`, `0-9`, `_`; not a built-in role's name.
    pub name: String,
    /// `group.access` names: groups holders, kyc, risk, money, merchants, policy, staff, audit;
    /// access view or manage.
    pub permissions: Vec<String>,
}

/// `POST /v1/console/holders/search`: exactly one of the three (a POST, so an ID number never
/// sits in a URL or an access log).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct HolderSearch {
    /// A phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// A wallet id.
    #[serde(default)]
    pub wallet_id: Option<String>,
    /// A resident ID number (matched through its keyed digest; never shown back).
    #[serde(default)]
    pub id_number: Option<String>,
}

/// One holder as a search lists them.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderRow {
    /// The holder's id.
    pub holder_id: String,
    /// The wallet id.
    pub wallet_id: String,
    /// The phone, masked.
    pub phone: String,
    /// The masked real name, once verified.
    pub masked_name: Option<String>,
    /// The real-name level.
    pub kyc_level: i64,
    /// `active`, `frozen`, `restricted` or `closed`.
    pub status: String,
}

/// One of a holder's accounts in the profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderAccountView {
    /// `available`, … (the ledger's account kind).
    pub kind: String,
    /// ISO 4217.
    pub currency: String,
    /// Posted balance, minor units.
    pub balance: i64,
    /// Held (pending), minor units.
    pub held: i64,
}

/// A card in the profile, masked.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderCardView {
    /// The card's id.
    pub id: String,
    /// The bank.
    pub bank_name: String,
    /// The last four digits.
    pub last4: String,
    /// `active`, …
    pub status: String,
}

/// A record in the profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderMovementView {
    /// The record's id.
    pub id: String,
    /// `topup`, `withdrawal`, `transfer`, `payment`, …
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Minor units.
    pub amount: i64,
    /// `succeeded`, `held_for_review`, …
    pub status: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A session in the profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderSessionView {
    /// The session's id.
    pub id: String,
    /// The device's name.
    pub device_name: String,
    /// Last used (RFC 3339).
    pub last_seen_at: String,
}

/// An alert sent, in the profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderNotificationView {
    /// What kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// `GET /v1/console/holders/{id}`: holder 360 (viewing it is audited).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderProfileView {
    /// Who.
    pub holder: HolderRow,
    /// Masked cards.
    pub cards: Vec<HolderCardView>,
    /// Balances and holds.
    pub accounts: Vec<HolderAccountView>,
    /// The newest records.
    pub records: Vec<HolderMovementView>,
    /// Live sessions and devices.
    pub sessions: Vec<HolderSessionView>,
    /// The newest alerts sent.
    pub notifications: Vec<HolderNotificationView>,
    /// Four-eyes commands waiting on this holder.
    pub pending_commands: Vec<CommandView>,
    /// The holder's real-name check waiting in the KYC review queue, if one is.
    pub pending_kyc_review: Option<HolderKycReviewView>,
    /// Risk control's newest decisions on the holder's calls, refused ones included.
    pub risk_decisions: Vec<HolderRiskDecisionView>,
}

/// A risk decision, in the holder's profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderRiskDecisionView {
    /// The call: `transfer`, `merchant_payment`, `withdrawal`, …
    pub call: String,
    /// Minor units.
    pub amount: i64,
    /// `allow`, `step_up`, `hold` or `block`.
    pub verdict: String,
    /// The reason code the holder was given, if any.
    pub reason: Option<String>,
    /// The movement it made (none when refused).
    pub movement_id: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A pending KYC review, in the holder's profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HolderKycReviewView {
    /// The case (`/v1/console/queues/kyc/{case_id}/…`).
    pub case_id: String,
    /// `pending`.
    pub status: String,
    /// The ID number as submitted, masked (`1101**********1234`).
    pub id_number_masked: String,
    /// When the verifier sent it to review (RFC 3339).
    pub submitted_at: String,
}

/// One audit-log line.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditLineView {
    /// Its place in the chain.
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// `staff:<id>` or `cli`.
    pub actor: String,
    /// The action's stable name.
    pub action: String,
    /// What it was about.
    pub entity: String,
    /// The state before (JSON text, or empty).
    pub before: String,
    /// The state after (JSON text, or empty).
    pub after: String,
    /// Why.
    pub reason: String,
    /// `done`, `denied` or `refused`.
    pub outcome: String,
    /// The line's link in the hash chain.
    pub hash: String,
}

/// `POST /v1/console/commands`: a four-eyes command and its reason. `command` is one of
/// `{"kind": "unfreeze", "holder_id"}`, `{"kind": "adjustment", "holder_id", "amount",
/// "currency"}` (amount in minor units, signed: positive credits the wallet) or
/// `{"kind": "role_change", "staff_id", "role"}`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct CommandRequest {
    /// The action and its exact payload.
    #[schema(value_type = Object)]
    pub command: serde_json::Value,
    /// Why (kept with the command and in the audit log).
    pub reason: String,
}

/// A four-eyes command.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CommandView {
    /// The id.
    pub id: String,
    /// `unfreeze`, `adjustment` or `role_change`.
    pub action: String,
    /// What it acts on (`holder:<id>`, `staff:<id>`).
    pub entity: String,
    /// The exact payload that runs on approval.
    #[schema(value_type = Object)]
    pub command: serde_json::Value,
    /// Why the maker asked.
    pub reason: String,
    /// The maker's staff id.
    pub maker: String,
    /// `pending`, `done`, `failed`, `rejected` or `expired`.
    pub status: String,
    /// The checker's staff id, once decided.
    pub checker: Option<String>,
    /// What running it came to, or why it was rejected.
    pub outcome: String,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// When it expires undecided (RFC 3339).
    pub expires_at: String,
}

/// `POST /v1/console/commands/{id}/reject` and `POST /v1/console/holders/{id}/freeze`: why.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ReasonBody {
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A payment held for review, as the console's risk queue shows it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RiskCaseView {
    /// The payer's movement: the case's id.
    pub movement_id: String,
    /// The payer (holder id).
    pub holder_id: String,
    /// `transfer`, `withdrawal`, …
    pub kind: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// Who it was going to.
    pub counterparty: String,
    /// The reason code the holder was given.
    pub reason: Option<String>,
    /// The rules' trace: what they saw and what fired.
    #[schema(value_type = Object)]
    pub trace: serde_json::Value,
    /// When it was held (RFC 3339).
    pub created_at: String,
    /// When it is rejected by itself if nobody decides (RFC 3339).
    pub expires_at: String,
    /// The staff member working it, if anyone is.
    pub locked_by: Option<String>,
}

/// `POST /v1/console/queues/risk/{id}/release` or `/reject`: what the payment turned out to be.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseDecisionBody {
    /// `confirmed_fraud`, `false_positive` or `valuable_alert`.
    #[serde(default)]
    pub label: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A decided case.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseDecided {
    /// The payer's movement.
    pub movement_id: String,
    /// Where it stands now: `succeeded` or `pending` (released), `rejected`.
    pub status: String,
}

/// One version of the operator's policy, made by an approved `policy_change` command.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PolicyVersionView {
    /// 1, 2, 3 …; the newest is in force (laid over the policy file).
    pub version: i64,
    /// The command whose approval made it.
    pub command_id: String,
    /// The staff id of who proposed it.
    pub maker: String,
    /// The staff id of who approved it.
    pub checker: String,
    /// The keys that changed, in the policy file's shape.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    /// The whole policy in force from this version on, in the policy file's shape.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// When it was approved (RFC 3339).
    pub created_at: String,
}

/// `GET /v1/console/queues/kyc`: a real-name check waiting for review. Never the full name or ID
/// number; the ID photo is a separate, audited call.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct KycCaseView {
    /// The case's id.
    pub case_id: String,
    /// Whose check it is.
    pub holder_id: String,
    /// The legal name as submitted, masked (`*三`).
    pub name_masked: String,
    /// The ID number as submitted, masked (`1101**********1234`).
    pub id_number_masked: String,
    /// `YYYY-MM-DD`, from the ID number.
    pub birth_date: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Whether the holder has uploaded the ID photo (`next` hands out only cases that have).
    pub has_photo: bool,
    /// When the verifier sent it to review (RFC 3339).
    pub submitted_at: String,
    /// The staff member working it, if anyone is.
    pub locked_by: Option<String>,
}

/// `POST /v1/console/queues/kyc/{case_id}/approve` or `/reject`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct KycDecisionBody {
    /// Approve: `document_clear` or `face_matches`. Reject: `document_unreadable`,
    /// `face_mismatch`, `document_expired` or `suspected_fraud`.
    pub reason_code: String,
    /// Anything the next reviewer should know (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// A decided KYC case.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct KycCaseDecided {
    /// The case.
    pub case_id: String,
    /// Whose check it was.
    pub holder_id: String,
    /// `approved` or `rejected`.
    pub status: String,
    /// The reason code given.
    pub reason_code: String,
    /// The holder's level now (1 once approved; unchanged when rejected).
    pub kyc_level: i64,
    /// When (RFC 3339).
    pub decided_at: String,
}

/// `GET /v1/console/queues/closing`: a holder waiting to close with the balance swept to a card.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosingCaseView {
    /// The request's id.
    pub request_id: String,
    /// Whose wallet it is.
    pub holder_id: String,
    /// The holder's phone, masked (`138****8000`).
    pub phone_masked: String,
    /// The wallet's balance now, in minor units (the approval sweeps the balance it reads then).
    pub balance: i64,
    /// ISO 4217.
    pub currency: String,
    /// The holder's card the balance goes to.
    pub card_id: String,
    /// The card as `bank ****1234`.
    pub card_masked: String,
    /// When the holder asked (RFC 3339).
    pub requested_at: String,
    /// The pending `close_account` command proposed for it; null until one is.
    pub command_id: Option<String>,
}

/// `POST /v1/console/queues/closing/{request_id}/reject`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ClosingRejectBody {
    /// Why, as the holder will read it (1 to 500 characters).
    pub reason: String,
}

/// A rejected closing request.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosingRejected {
    /// The request.
    pub request_id: String,
    /// Whose it was.
    pub holder_id: String,
    /// `rejected`.
    pub status: String,
}

/// `PUT /v1/console/fx/rates`: a pair's new mid rate, and why.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FxRateBody {
    /// `USD/CNY`: how many CNY one USD buys.
    pub pair: String,
    /// An exact decimal above zero, at most 12 digits after the point.
    pub rate: String,
    /// Why (kept in the audit log).
    #[serde(default)]
    pub reason: String,
}

/// `GET /v1/console/fx/rates`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct FxRateList {
    /// The rates in force.
    pub rates: Vec<crate::FxRateItem>,
}
