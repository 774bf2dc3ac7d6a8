//! The real-name levels (SPEC §4): what each allows and what raises it. Operator configuration;
//! these are the defaults, in fen.

use qianbao_ledger::Amount;

/// The limits of one level; `None` is no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most the wallet may hold.
    pub balance_cap: Option<Amount>,
    /// The most one payment may be.
    pub per_payment: Option<Amount>,
    /// The most that may leave the wallet in a day.
    pub per_day: Option<Amount>,
}

/// The limits of each level, L0 to L3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelTable(pub [Limits; 4]);

const YUAN: i64 = 100;

impl Default for LevelTable {
    fn default() -> Self {
        let limits = |cap: i64, payment: i64, day: i64| Limits {
            balance_cap: Some(Amount::from_minor(cap * YUAN)),
            per_payment: Some(Amount::from_minor(payment * YUAN)),
            per_day: Some(Amount::from_minor(day * YUAN)),
        };
        LevelTable([
            limits(10_000, 2_000, 5_000),
            limits(20_000, 5_000, 10_000),
            limits(500_000, 50_000, 100_000),
            Limits {
                balance_cap: None,
                per_payment: None,
                per_day: None,
            },
        ])
    }
}

impl LevelTable {
    /// The limits at `level` (levels above 3 are treated as 3).
    pub fn at(&self, level: i64) -> Limits {
        self.0[usize::try_from(level.clamp(0, 3)).unwrap_or(0)]
    }
}

/// What the holder does to reach the next level, or `None` at the top.
pub fn how_to_raise(level: i64) -> Option<&'static str> {
    match level {
        0 => Some("verify your real name and ID number (实名认证) to reach L1"),
        1 => Some("bind a bank card in your own name (绑定银行卡) to reach L2"),
        2 => Some("pass the face check (人脸识别) to reach L3"),
        _ => None,
    }
}
