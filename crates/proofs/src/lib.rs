//! The pure proof math of qianbao: what lets a holder check the books without trusting the
//! operator (issue 23). Nothing here does I/O, is async or knows SQL; the store and the server
//! call it and keep its outputs in their own tables.
//!
//! - [`hash`]: the leaf and node hashes of RFC 6962 §2.1 (RFC 9162 §2.1.1).
//! - [`log`]: the journal's Merkle log kept as stored perfect subtrees; the tree head (MTH,
//!   RFC 6962 §2.1), inclusion proofs (PATH, §2.1.1) and consistency proofs (PROOF/SUBPROOF,
//!   §2.1.2), and their verifiers written from RFC 9162 §2.1.3.2 and §2.1.4.2. Tested against
//!   Certificate Transparency's published vectors and an independent Python verifier.
//! - [`note`]: checkpoints (c2sp.org/tlog-checkpoint) as Ed25519 signed notes
//!   (c2sp.org/signed-note), witness co-signatures and verifier keys.
//! - [`sum_tree`]: the Merkle sum tree of the daily proof of liabilities, with the checks
//!   "Broken Proofs of Solvency" (FC 2022) showed are needed.
//! - [`liability`]: a liability snapshot kept in tiles, and its leaf in the log.
//! - [`commitment`]: account ids as salted commitments, so no proof names another holder.
//!
//! ## Why the log math is written here
//!
//! Two crates were weighed, reading their sources. `ct-merkle` (0.3) numbers nodes in one
//! in-order array whose parent and sibling depend on the tree size; a node on the right edge of an incomplete tree holds a hash that changes as leaves arrive, so the store would
//! rewrite rows on every append, and a proof at an older checkpoint's size could not be served
//! from the current rows. Its index helpers also panic on a bad index rather than returning an
//! error, and the server answers bad input with a 4xx. `tlog_tiles`/`tlog_core` (Cloudflare's port
//! of Go's `sumdb/tlog`) *does* fit: its stored hashes are exactly our perfect subtrees, indexed
//! by `(level, n)`, behind a synchronous `HashReader`, with `*_indexes` functions to prefetch. So
//! the storage model is not the reason to write our own for that one. What decided it: the math
//! is about two hundred lines checked against CT's vectors, proptests and a second verifier;
//! `tlog_core` is a young 0.x crate that brings `serde` and its own error and hash types into
//! the ledger's dependency graph; and the store wants to name nodes as
//! `(level, index)` columns in its own tables rather than as `tlog`'s packed stored-hash index. If
//! that crate settles, swapping it in behind [`log::Nodes`] is a small change, and the tests here
//! would check it.
#![deny(clippy::float_arithmetic)]

pub mod commitment;
pub mod hash;
pub mod liability;
pub mod log;
pub mod note;
pub mod sum_tree;
