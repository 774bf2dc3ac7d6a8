//! The proof math (placeholder doc, written in full at the end).
#![deny(clippy::float_arithmetic)]

pub mod commitment;
pub mod hash;
pub mod log;
pub mod note;
pub mod sum_tree;
