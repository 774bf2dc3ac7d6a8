//! Gift and membership cards (礼品卡、会员卡, `docs/rewards.md`): stored value a shop owes whoever
//! holds the card, one ledger account per card, kept apart from any wallet balance and spent
//! only at that shop, before the wallet balance.

pub mod pay;
