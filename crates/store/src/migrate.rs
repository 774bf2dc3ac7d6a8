//! The schema migrations both backends apply at start, embedded in the binary.

/// The migration that makes the journal log's key (`journal_head.log_key`, under which account
/// salts are made). Its SQL draws the key from the database's own generator; the store replaces
/// it in the same transaction with one from its Randomness port, before anything is salted under
/// it, so a seeded store (the simulation) makes the same key every run.
pub(crate) const LOG_KEY_VERSION: i64 = 33;

/// Bytes in the journal log's key.
pub(crate) const LOG_KEY_BYTES: usize = 32;

/// One migration: its version and its SQL, per backend.
pub struct Migration {
    /// Its number, from 1 with no gaps.
    pub version: i64,
    /// Its file name.
    pub name: &'static str,
    /// The SQLite script.
    pub sqlite: &'static str,
    /// The PostgreSQL script.
    pub postgres: &'static str,
}

/// Every migration, in order. Never edit one that has been released: add a new one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_ledger",
        sqlite: include_str!("../../../migrations/sqlite/0001_ledger.sql"),
        postgres: include_str!("../../../migrations/postgres/0001_ledger.sql"),
    },
    Migration {
        version: 2,
        name: "0002_holders",
        sqlite: include_str!("../../../migrations/sqlite/0002_holders.sql"),
        postgres: include_str!("../../../migrations/postgres/0002_holders.sql"),
    },
    Migration {
        version: 3,
        name: "0003_identity_cards_pin",
        sqlite: include_str!("../../../migrations/sqlite/0003_identity_cards_pin.sql"),
        postgres: include_str!("../../../migrations/postgres/0003_identity_cards_pin.sql"),
    },
    Migration {
        version: 4,
        name: "0004_restriction_masks",
        sqlite: include_str!("../../../migrations/sqlite/0004_restriction_masks.sql"),
        postgres: include_str!("../../../migrations/postgres/0004_restriction_masks.sql"),
    },
    Migration {
        version: 5,
        name: "0005_sms_backoff",
        sqlite: include_str!("../../../migrations/sqlite/0005_sms_backoff.sql"),
        postgres: include_str!("../../../migrations/postgres/0005_sms_backoff.sql"),
    },
    Migration {
        version: 6,
        name: "0006_money",
        sqlite: include_str!("../../../migrations/sqlite/0006_money.sql"),
        postgres: include_str!("../../../migrations/postgres/0006_money.sql"),
    },
    Migration {
        version: 7,
        name: "0007_daily_spending",
        sqlite: include_str!("../../../migrations/sqlite/0007_daily_spending.sql"),
        postgres: include_str!("../../../migrations/postgres/0007_daily_spending.sql"),
    },
    Migration {
        version: 8,
        name: "0008_notification_english",
        sqlite: include_str!("../../../migrations/sqlite/0008_notification_english.sql"),
        postgres: include_str!("../../../migrations/postgres/0008_notification_english.sql"),
    },
    Migration {
        version: 9,
        name: "0009_security_events",
        sqlite: include_str!("../../../migrations/sqlite/0009_security_events.sql"),
        postgres: include_str!("../../../migrations/postgres/0009_security_events.sql"),
    },
    Migration {
        version: 10,
        name: "0010_till_sessions",
        sqlite: include_str!("../../../migrations/sqlite/0010_till_sessions.sql"),
        postgres: include_str!("../../../migrations/postgres/0010_till_sessions.sql"),
    },
    Migration {
        version: 11,
        name: "0011_named_states",
        sqlite: include_str!("../../../migrations/sqlite/0011_named_states.sql"),
        postgres: include_str!("../../../migrations/postgres/0011_named_states.sql"),
    },
    Migration {
        version: 12,
        name: "0012_risk",
        sqlite: include_str!("../../../migrations/sqlite/0012_risk.sql"),
        postgres: include_str!("../../../migrations/postgres/0012_risk.sql"),
    },
    Migration {
        version: 13,
        name: "0013_totp",
        sqlite: include_str!("../../../migrations/sqlite/0013_totp.sql"),
        postgres: include_str!("../../../migrations/postgres/0013_totp.sql"),
    },
    // Closing wallets (注销).
    Migration {
        version: 14,
        name: "0014_closing",
        sqlite: include_str!("../../../migrations/sqlite/0014_closing.sql"),
        postgres: include_str!("../../../migrations/postgres/0014_closing.sql"),
    },
    // Reconciliation against the bank's statements, and the daily funding check.
    Migration {
        version: 15,
        name: "0015_reconciliation",
        sqlite: include_str!("../../../migrations/sqlite/0015_reconciliation.sql"),
        postgres: include_str!("../../../migrations/postgres/0015_reconciliation.sql"),
    },
    Migration {
        version: 16,
        name: "0016_console",
        sqlite: include_str!("../../../migrations/sqlite/0016_console.sql"),
        postgres: include_str!("../../../migrations/postgres/0016_console.sql"),
    },
    Migration {
        version: 17,
        name: "0017_console_commands",
        sqlite: include_str!("../../../migrations/sqlite/0017_console_commands.sql"),
        postgres: include_str!("../../../migrations/postgres/0017_console_commands.sql"),
    },
    Migration {
        version: 18,
        name: "0018_review_queues",
        sqlite: include_str!("../../../migrations/sqlite/0018_review_queues.sql"),
        postgres: include_str!("../../../migrations/postgres/0018_review_queues.sql"),
    },
    // The KYC review queue: real-name checks the verifier could not decide.
    Migration {
        version: 19,
        name: "0019_kyc_review",
        sqlite: include_str!("../../../migrations/sqlite/0019_kyc_review.sql"),
        postgres: include_str!("../../../migrations/postgres/0019_kyc_review.sql"),
    },
    // Policy changes from the console, kept as versions laid over the policy file at start-up.
    Migration {
        version: 20,
        name: "0020_policy_versions",
        sqlite: include_str!("../../../migrations/sqlite/0020_policy_versions.sql"),
        postgres: include_str!("../../../migrations/postgres/0020_policy_versions.sql"),
    },
    // Closing requests: a wallet's balance swept to a card and the wallet closed, by staff.
    Migration {
        version: 21,
        name: "0021_closing_requests",
        sqlite: include_str!("../../../migrations/sqlite/0021_closing_requests.sql"),
        postgres: include_str!("../../../migrations/postgres/0021_closing_requests.sql"),
    },
    // The refused risk decisions of one subject, for the console's holder 360.
    Migration {
        version: 22,
        name: "0022_risk_refusals_by_subject",
        sqlite: include_str!("../../../migrations/sqlite/0022_risk_refusals_by_subject.sql"),
        postgres: include_str!("../../../migrations/postgres/0022_risk_refusals_by_subject.sql"),
    },
    // Payment-code charges that wait for the payer's PIN on their phone, and their lapse timer.
    Migration {
        version: 23,
        name: "0023_awaiting_charges",
        sqlite: include_str!("../../../migrations/sqlite/0023_awaiting_charges.sql"),
        postgres: include_str!("../../../migrations/postgres/0023_awaiting_charges.sql"),
    },
    // A shop's own refund password, asked by the till before a refund.
    Migration {
        version: 24,
        name: "0024_refund_passwords",
        sqlite: include_str!("../../../migrations/sqlite/0024_refund_passwords.sql"),
        postgres: include_str!("../../../migrations/postgres/0024_refund_passwords.sql"),
    },
    // Several currencies: mid rates and their history, quotes, conversions as movements.
    Migration {
        version: 25,
        name: "0025_currencies",
        sqlite: include_str!("../../../migrations/sqlite/0025_currencies.sql"),
        postgres: include_str!("../../../migrations/postgres/0025_currencies.sql"),
    },
    // Everyday life: the movement, channel and timer names red packets, bills and fares add.
    Migration {
        version: 26,
        name: "0026_everyday",
        sqlite: include_str!("../../../migrations/sqlite/0026_everyday.sql"),
        postgres: include_str!("../../../migrations/postgres/0026_everyday.sql"),
    },
    // Red packets: packets with their committed split, and claims.
    Migration {
        version: 27,
        name: "0027_red_packets",
        sqlite: include_str!("../../../migrations/sqlite/0027_red_packets.sql"),
        postgres: include_str!("../../../migrations/postgres/0027_red_packets.sql"),
    },
    // Bill payment: look-ups, payments (each bill paid once), saved billers and auto-pay.
    Migration {
        version: 28,
        name: "0028_bills",
        sqlite: include_str!("../../../migrations/sqlite/0028_bills.sql"),
        postgres: include_str!("../../../migrations/postgres/0028_bills.sql"),
    },
    // Transit ride codes: tokens, fare tables, taps and rides.
    Migration {
        version: 29,
        name: "0029_transit",
        sqlite: include_str!("../../../migrations/sqlite/0029_transit.sql"),
        postgres: include_str!("../../../migrations/postgres/0029_transit.sql"),
    },
    // Monthly budgets (消费预算): plans, categories and the alerts sent.
    Migration {
        version: 30,
        name: "0030_budgets",
        sqlite: include_str!("../../../migrations/sqlite/0030_budgets.sql"),
        postgres: include_str!("../../../migrations/postgres/0030_budgets.sql"),
    },
    // Campaigns and coupons: budgets set aside, coupons claimed against them.
    Migration {
        version: 31,
        name: "0031_campaigns",
        sqlite: include_str!("../../../migrations/sqlite/0031_campaigns.sql"),
        postgres: include_str!("../../../migrations/postgres/0031_campaigns.sql"),
    },
    Migration {
        version: 32,
        name: "0032_points_gift_cards",
        sqlite: include_str!("../../../migrations/sqlite/0032_points_gift_cards.sql"),
        postgres: include_str!("../../../migrations/postgres/0032_points_gift_cards.sql"),
    },
    Migration {
        version: 33,
        name: "0033_journal_log",
        sqlite: include_str!("../../../migrations/sqlite/0033_journal_log.sql"),
        postgres: include_str!("../../../migrations/postgres/0033_journal_log.sql"),
    },
    Migration {
        version: 34,
        name: "0034_checkpoints",
        sqlite: include_str!("../../../migrations/sqlite/0034_checkpoints.sql"),
        postgres: include_str!("../../../migrations/postgres/0034_checkpoints.sql"),
    },
    Migration {
        version: 35,
        name: "0035_liability_snapshots",
        sqlite: include_str!("../../../migrations/sqlite/0035_liability_snapshots.sql"),
        postgres: include_str!("../../../migrations/postgres/0035_liability_snapshots.sql"),
    },
    Migration {
        version: 36,
        name: "0036_checks_not_triggers",
        sqlite: include_str!("../../../migrations/sqlite/0036_checks_not_triggers.sql"),
        postgres: include_str!("../../../migrations/postgres/0036_checks_not_triggers.sql"),
    },
    Migration {
        version: 37,
        name: "0037_one_movement_index",
        sqlite: include_str!("../../../migrations/sqlite/0037_one_movement_index.sql"),
        postgres: include_str!("../../../migrations/postgres/0037_one_movement_index.sql"),
    },
];

/// The newest schema this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The table recording which migrations were applied (same SQL on both backends).
pub const HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_ms BIGINT NOT NULL
)";

/// The read `qianbao verify` makes of a column of names: the rows holding a value the code
/// cannot read. The names are the code's own constants, never input.
pub(crate) fn unreadable_names_sql(column: &qianbao_wallet::verify_rows::NamedColumn) -> String {
    let allowed: Vec<String> = column.allowed.iter().map(|v| format!("'{v}'")).collect();
    format!(
        "SELECT {key}, {col} FROM {table} WHERE {col} NOT IN ({list})",
        key = column.key,
        col = column.column,
        table = column.table,
        list = allowed.join(", ")
    )
}

/// The read `qianbao verify` makes of a column of amounts: the rows below zero.
pub(crate) fn negative_amounts_sql(column: &qianbao_wallet::verify_rows::AmountColumn) -> String {
    format!(
        "SELECT {key}, {col} FROM {table} WHERE {col} < 0",
        key = column.key,
        col = column.column,
        table = column.table
    )
}
