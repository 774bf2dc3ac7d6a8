//! Red packets on the wire: sending, claiming, and a packet's page.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/red-packets`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketRequest {
    /// The whole packet in fen.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
    /// How many shares: 1 for a one-to-one packet, 1 to the operator's maximum (100) for a
    /// group packet.
    #[schema(minimum = 1, maximum = 10_000)]
    pub shares: i64,
    /// `even`, or `random` (拼手气, the double-mean split). A one-to-one packet is one share.
    #[schema(pattern = r"^(even|random)$")]
    pub split: String,
    /// The one holder it is for; absent for a group packet anyone with its link may claim.
    #[serde(default)]
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$")]
    pub to_phone: Option<String>,
    /// The greeting (at most 40 characters; 恭喜发财，大吉大利 when absent).
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub memo: Option<String>,
    /// The payment password.
    #[schema(pattern = r"^[0-9]{6}$")]
    pub pin: String,
    /// A second factor, when risk control asked for one (401 `step_up_required`): send the same
    /// call again, same body and `Idempotency-Key`, with this added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<crate::SecondFactor>,
}

/// A packet sent.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketSent {
    /// The packet's id.
    pub id: String,
    /// What to share so others can claim it (a link's text, or a QR code's).
    pub claim_payload: String,
    /// `sha256(salt + ":" + ",".join(shares_in_fen))`, lowercase hex: the split, fixed now.
    pub commitment: String,
    /// When what nobody claimed goes back (RFC 3339).
    pub expires_at: String,
}

/// A share claimed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketClaimed {
    /// The share, in fen.
    pub amount: i64,
}

/// One claim on a packet's page.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketClaimItem {
    /// The share's place in the split (0 first): claims take the shares in order.
    pub index: u32,
    /// The share, in fen.
    pub amount: i64,
    /// The claimant, masked.
    pub name: String,
    /// Whether it is the caller's claim.
    pub mine: bool,
    /// When (RFC 3339).
    pub claimed_at: String,
}

/// The split and salt, shown once the packet is finished or expired.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketReveal {
    /// Every share in fen, in claim order.
    pub shares: Vec<i64>,
    /// The commitment's salt.
    pub salt: String,
}

/// `GET /v1/red-packets/{id}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketView {
    /// Its id.
    pub id: String,
    /// `one_to_one` or `group`.
    pub kind: String,
    /// `even` or `random`.
    pub split: String,
    /// The whole packet in fen.
    pub amount: i64,
    /// How many shares.
    pub shares: u32,
    /// The greeting.
    pub memo: String,
    /// The sender, masked.
    pub sender: String,
    /// Whether the caller sent it.
    pub mine: bool,
    /// `open`, `finished` or `expired`.
    pub status: String,
    /// The commitment shown when it was sent.
    pub commitment: String,
    /// How many shares are claimed.
    pub claimed_shares: u32,
    /// What they add up to, in fen.
    pub claimed_amount: i64,
    /// What the caller got from it, in fen, if they claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_amount: Option<i64>,
    /// What to share so others can claim it.
    pub claim_payload: String,
    /// `claim_payload` as a QR code (an SVG document), for the app to show; on the packet's own
    /// page only, not in lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
    /// When it was sent (RFC 3339).
    pub created_at: String,
    /// When what is left goes back (RFC 3339).
    pub expires_at: String,
    /// Who got how much, in share order.
    pub claims: Vec<RedPacketClaimItem>,
    /// The shares and salt, once finished or expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed: Option<RedPacketReveal>,
}

/// `GET /v1/me/red-packets`: the packets the holder sent or claimed from, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RedPacketList {
    /// The packets.
    pub items: Vec<RedPacketView>,
}
