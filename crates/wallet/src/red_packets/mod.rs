//! Red packets (红包): money one holder sends to another, or to a group that claims it share by
//! share. This module holds the rules that need no storage: how a packet is split, and the
//! commitment that lets anyone check afterwards that the split was fixed when it was sent.

pub mod fairness;
pub mod split;

pub use fairness::{Commitment, commit, verify};
pub use split::{Split, SplitError, split};
