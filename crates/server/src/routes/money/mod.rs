//! Moving money over HTTP, one module per idea: the `Idempotency-Key` runner every money POST
//! goes through, the moves themselves, the codes a holder shows, the records, their CSV statement
//! and the inbox.

pub mod codes;
pub mod idempotency;
pub mod moves;
pub mod notifications;
pub mod origin;
pub mod recent_payees;
pub mod records;
pub mod statement;
pub mod waiting;
