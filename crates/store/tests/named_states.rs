//! The lists migrations 0011, 0012, 0015 to 0019, 0021, 0023 and 0025 to 0032, 0035 and 0036 hold the stored states to are
//! the wallet's enums, value for value, on both backends: a state added to an enum without a migration would
//! be refused by the database, and one dropped from an enum would let rows in that the code cannot
//! read. The enums' lists come from `verify_rows::named_columns`, the same ones `qianbao verify`
//! reads with.
#![allow(clippy::unwrap_used)]

use qianbao_wallet::verify_rows::named_columns;

const SQLITE: &str = concat!(
    include_str!("../../../migrations/sqlite/0011_named_states.sql"),
    include_str!("../../../migrations/sqlite/0012_risk.sql"),
    include_str!("../../../migrations/sqlite/0015_reconciliation.sql"),
    include_str!("../../../migrations/sqlite/0016_console.sql"),
    include_str!("../../../migrations/sqlite/0017_console_commands.sql"),
    include_str!("../../../migrations/sqlite/0018_review_queues.sql"),
    include_str!("../../../migrations/sqlite/0019_kyc_review.sql"),
    include_str!("../../../migrations/sqlite/0021_closing_requests.sql"),
    include_str!("../../../migrations/sqlite/0023_awaiting_charges.sql"),
    include_str!("../../../migrations/sqlite/0025_currencies.sql"),
    include_str!("../../../migrations/sqlite/0026_everyday.sql"),
    include_str!("../../../migrations/sqlite/0027_red_packets.sql"),
    include_str!("../../../migrations/sqlite/0028_bills.sql"),
    include_str!("../../../migrations/sqlite/0029_transit.sql"),
    include_str!("../../../migrations/sqlite/0031_campaigns.sql"),
    include_str!("../../../migrations/sqlite/0032_points_gift_cards.sql"),
    include_str!("../../../migrations/sqlite/0035_liability_snapshots.sql"),
    include_str!("../../../migrations/sqlite/0036_checks_not_triggers.sql")
);
const POSTGRES: &str = concat!(
    include_str!("../../../migrations/postgres/0011_named_states.sql"),
    include_str!("../../../migrations/postgres/0012_risk.sql"),
    include_str!("../../../migrations/postgres/0015_reconciliation.sql"),
    include_str!("../../../migrations/postgres/0016_console.sql"),
    include_str!("../../../migrations/postgres/0017_console_commands.sql"),
    include_str!("../../../migrations/postgres/0018_review_queues.sql"),
    include_str!("../../../migrations/postgres/0019_kyc_review.sql"),
    include_str!("../../../migrations/postgres/0021_closing_requests.sql"),
    include_str!("../../../migrations/postgres/0023_awaiting_charges.sql"),
    include_str!("../../../migrations/postgres/0025_currencies.sql"),
    include_str!("../../../migrations/postgres/0026_everyday.sql"),
    include_str!("../../../migrations/postgres/0027_red_packets.sql"),
    include_str!("../../../migrations/postgres/0028_bills.sql"),
    include_str!("../../../migrations/postgres/0029_transit.sql"),
    include_str!("../../../migrations/postgres/0031_campaigns.sql"),
    include_str!("../../../migrations/postgres/0032_points_gift_cards.sql"),
    include_str!("../../../migrations/postgres/0035_liability_snapshots.sql")
);

/// The values the migrations allow for `table.column`, as the `IN (…)` list after the last
/// mention of that constraint's name (a later migration redefines a list by naming it again).
fn allowed(sql: &str, table: &str, column: &str) -> Vec<String> {
    let name = format!("{table}_{column}_named");
    // The whole name, not the tail of a longer one (`cards_status_named` in
    // `gift_cards_status_named`).
    let at = sql
        .match_indices(&name)
        .map(|(i, _)| i)
        .filter(|&i| {
            i == 0 || {
                let before = sql.as_bytes()[i - 1];
                !(before.is_ascii_alphanumeric() || before == b'_')
            }
        })
        .last()
        .unwrap_or_else(|| panic!("{name} missing"));
    let rest = &sql[at..];
    let list = &rest[rest.find("IN (").unwrap() + 4..];
    let list = &list[..list.find(')').unwrap()];
    list.split(',')
        .map(|v| v.trim().trim_matches('\'').to_owned())
        .collect()
}

#[test]
fn every_named_column_allows_exactly_its_enum_on_both_backends() {
    let columns = named_columns();
    assert_eq!(
        columns.len(),
        38,
        "a named column was added or dropped: add it here too"
    );
    for column in columns {
        for (backend, sql) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            assert_eq!(
                allowed(sql, column.table, column.column),
                column.allowed,
                "{backend}: {}.{}",
                column.table,
                column.column
            );
        }
    }
}
