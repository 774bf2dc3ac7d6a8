//! Bill payment's JSON (生活缴费): billers, look-ups, payments and their receipts, saved billers
//! and auto-pay (`/v1/billers`, `/v1/bills/…`, `/v1/me/billers`, `/v1/me/bills/…`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One biller.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BillerItem {
    /// Its id, as a look-up names it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `water`, `electricity`, `gas` or `phone`.
    pub kind: String,
    /// The city it serves (`全国` for a nationwide one).
    pub city: String,
}

/// `GET /v1/billers`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BillerList {
    /// Every biller reachable.
    pub billers: Vec<BillerItem>,
}

/// `GET /v1/bills/lookup`: the bill due, kept for paying under `bill_id`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BillLookup {
    /// What to pay: `POST /v1/bills/{bill_id}/pay`.
    pub bill_id: String,
    /// What is due, in fen.
    pub amount: i64,
    /// The period billed (`2026-11`).
    pub period: String,
    /// The account holder's name as the biller masks it.
    pub masked_name: String,
    /// The biller's id.
    pub biller: String,
    /// The biller's name.
    pub biller_name: String,
    /// The account number, masked (`****5678`).
    pub account: String,
    /// RFC 3339: after this, look the bill up again.
    pub expires_at: String,
}

/// `POST /v1/bills/{bill_id}/pay`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillPayRequest {
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// The second factor, when risk control asked for one (401 `step_up_required`): the same
    /// call sent again, same key, with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<crate::SecondFactor>,
}

/// A bill payment made.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BillPaid {
    /// The payment's record id (the holder's movement).
    pub id: String,
    /// `succeeded`; `pending` while the biller's confirmation is awaited; `failed` when the
    /// biller refused it and the money went back to the balance.
    pub status: String,
    /// What was paid, in fen.
    pub amount: i64,
}

/// `GET /v1/me/bills/{id}`: a bill payment's receipt.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BillReceiptBody {
    /// The payment's record id.
    pub id: String,
    /// The biller's id.
    pub biller: String,
    /// The biller's name.
    pub biller_name: String,
    /// The account number, masked.
    pub account: String,
    /// The period billed.
    pub period: String,
    /// What was paid, in fen.
    pub amount: i64,
    /// `pending`, `paid` or `refused`.
    pub status: String,
    /// The biller's receipt reference, once paid.
    pub receipt: Option<String>,
    /// Whether auto-pay paid it.
    pub autopay: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// Auto-pay's settings.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopayBody {
    /// The day of the month (1–28, China time).
    #[schema(minimum = 1, maximum = 28)]
    pub day: i64,
    /// The most it pays without asking, in fen.
    #[schema(minimum = 1)]
    pub cap: i64,
}

/// `POST /v1/me/billers`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBillerRequest {
    /// The biller's id.
    pub biller_id: String,
    /// The account number: 6–20 digits.
    #[schema(pattern = r"^[0-9]{6,20}$")]
    pub account: String,
    /// A name for it (at most 20 characters; the biller's name when absent).
    #[serde(default)]
    pub nickname: Option<String>,
}

/// A saved biller.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SavedBiller {
    /// Its id.
    pub id: String,
    /// The biller's id.
    pub biller_id: String,
    /// The account number (the holder's own, shown whole to them).
    pub account: String,
    /// The holder's name for it.
    pub nickname: String,
    /// Auto-pay, when on.
    pub autopay: Option<AutopayBody>,
}

/// `GET /v1/me/billers`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SavedBillerList {
    /// Oldest first, at most 20.
    pub billers: Vec<SavedBiller>,
}
