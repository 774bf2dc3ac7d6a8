//! The operator's limits on red packets.

use qianbao_ledger::Amount;

/// How much and how many shares a packet may hold, and how long it waits to be claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedPacketPolicy {
    /// The most one one-to-one packet may hold (default ¥200, as the big wallets allow).
    pub one_to_one_max: Amount,
    /// The most one group packet may hold (default ¥20,000).
    pub group_max: Amount,
    /// The most shares a group packet may have (default 100).
    pub group_shares_max: u32,
    /// How long a packet may be claimed before what is left goes back (default 24 h).
    pub ttl_ms: i64,
}

impl Default for RedPacketPolicy {
    fn default() -> Self {
        RedPacketPolicy {
            one_to_one_max: Amount::from_minor(20_000),
            group_max: Amount::from_minor(2_000_000),
            group_shares_max: 100,
            ttl_ms: 24 * 3_600_000,
        }
    }
}
