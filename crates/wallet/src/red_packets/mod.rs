//! Red packets (红包): money one holder sends to another, or to a group that claims it share by
//! share (`docs/red-packets.md`). The split is fixed and committed to when a packet is sent; the
//! money waits in the red-packet escrow account until a share is claimed or the packet expires.

mod claim;
mod expiry;
pub mod fairness;
pub mod policy;
pub mod records;
pub mod send;
pub mod split;
pub mod view;

pub use fairness::{Commitment, commit, verify};
pub use policy::RedPacketPolicy;
pub use records::{RedPacketClaim, RedPacketRecord, RedPacketRecords, RedPacketStatus};
pub use send::{DEFAULT_MEMO, SendRequest, Sent};
pub use split::{Split, SplitError, split};
pub use view::{PacketView, ShownClaim};
