//! The lists migration 0011 holds the stored states to are the wallet's enums, value for value,
//! on both backends: a state added to an enum without a migration would be refused by the
//! database, and one dropped from an enum would let rows in that the code cannot read.
#![allow(clippy::unwrap_used)]

use qianbao_wallet::domain::CardType;
use qianbao_wallet::money::records::{
    Channel, Direction, IdempotencyState, MovementKind, MovementStatus, OrderStatus, TimerKind,
};
use qianbao_wallet::records::{CardStatus, HolderStatus};

const SQLITE: &str = include_str!("../../../migrations/sqlite/0011_named_states.sql");
const POSTGRES: &str = include_str!("../../../migrations/postgres/0011_named_states.sql");

/// The values the migration allows for `table.column`, as the `IN (…)` list after the first
/// mention of that constraint's name.
fn allowed(sql: &str, table: &str, column: &str) -> Vec<String> {
    let name = format!("{table}_{column}_named");
    let at = sql.find(&name).unwrap_or_else(|| panic!("{name} missing"));
    let rest = &sql[at..];
    let list = &rest[rest.find("IN (").unwrap() + 4..];
    let list = &list[..list.find(')').unwrap()];
    list.split(',')
        .map(|v| v.trim().trim_matches('\'').to_owned())
        .collect()
}

fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| as_str(*v).to_owned()).collect()
}

#[test]
fn every_named_column_allows_exactly_its_enum_on_both_backends() {
    let card_types = vec!["debit".to_owned(), "credit".to_owned()];
    assert_eq!(
        names(&[CardType::Debit, CardType::Credit], |t| t.as_str()),
        card_types
    );
    let expected: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "movements",
            "kind",
            names(MovementKind::ALL, MovementKind::as_str),
        ),
        (
            "movements",
            "direction",
            names(Direction::ALL, Direction::as_str),
        ),
        ("movements", "channel", names(Channel::ALL, Channel::as_str)),
        (
            "movements",
            "status",
            names(MovementStatus::ALL, MovementStatus::as_str),
        ),
        (
            "merchant_payments",
            "channel",
            names(Channel::ALL, Channel::as_str),
        ),
        (
            "holders",
            "status",
            names(HolderStatus::ALL, HolderStatus::as_str),
        ),
        (
            "idempotency",
            "state",
            names(IdempotencyState::ALL, IdempotencyState::as_str),
        ),
        ("timers", "kind", names(TimerKind::ALL, TimerKind::as_str)),
        ("cards", "card_type", card_types),
        (
            "cards",
            "status",
            names(CardStatus::ALL, CardStatus::as_str),
        ),
        (
            "orders",
            "status",
            names(OrderStatus::ALL, OrderStatus::as_str),
        ),
    ];
    for (table, column, values) in expected {
        for (backend, sql) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            assert_eq!(
                allowed(sql, table, column),
                values,
                "{backend}: {table}.{column}"
            );
        }
    }
}
