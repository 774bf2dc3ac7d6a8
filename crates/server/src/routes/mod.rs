//! The handlers, one module per resource, and what several of them share to read a page of a
//! list. Which path reaches which handler is the router's business, not theirs.

// Bill payment (生活缴费).
pub mod bills;
// Monthly budgets (消费预算).
pub mod budgets;
pub mod console;
// Currencies: rates, quotes, conversions.
pub mod fx;
pub mod kyc;
pub mod merchant;
pub mod money;
pub mod opening;
pub mod ops;
mod paging;
pub mod points;
// The journal log's checkpoints and proofs.
pub mod proofs;
pub mod qr;
pub mod quote;
// Red packets (红包).
pub mod red_packets;
// Rewards: campaigns and coupons.
pub mod rewards;
// Gift and membership cards (礼品卡、会员卡).
pub mod gift_cards;
pub mod security;
pub mod totp;
// Transit ride codes (乘车码).
pub mod transit;

// Closing wallets (注销).
pub mod closing;
