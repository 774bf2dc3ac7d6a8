//! The outcome of one simulation and its one JSON line: `{seed, steps, trace_hash, movements,
//! crashes, faults, violations: [...], state_digest}`, each violation with its invariant, step, what was seen
//! and the shortest command that replays it.

use crate::Config;
use crate::client::Call;
use crate::world::{Violation, World};
use axum::http::Method;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// What one simulation found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The seed.
    pub seed: u64,
    /// The steps run (fewer than asked when a violation stopped the run).
    pub steps: u64,
    /// The SHA-256 of the trace.
    pub trace_hash: String,
    /// Movements acknowledged.
    pub movements: u64,
    /// Crashes and restarts.
    pub crashes: u64,
    /// Faults injected.
    pub faults: u64,
    /// Every violation found.
    pub violations: Vec<Violation>,
    /// The trace's lines, when kept.
    pub trace: Vec<String>,
    /// The re-introduced bug, if any.
    pub bug: Option<String>,
    /// The SHA-256 of what the server holds at the end, as [`state_digest`] reads it; `None`
    /// when no server was running.
    pub state_digest: Option<String>,
}

impl Outcome {
    /// The outcome of `world`, run under `config`.
    pub fn of(world: &World, config: &Config) -> Outcome {
        Outcome {
            seed: world.seed,
            steps: world.step,
            trace_hash: world.trace.hash(),
            movements: world.movements,
            crashes: world.crashes,
            faults: world.faults,
            violations: world.violations.clone(),
            trace: world.trace.kept().to_vec(),
            bug: config.bug.clone(),
            state_digest: state_digest(world),
        }
    }

    /// The shortest command that replays `violation`: the same seed, stopped at its step.
    pub fn replay(&self, violation: &Violation) -> String {
        let bug = self
            .bug
            .as_deref()
            .map(|b| format!(" --bug {b}"))
            .unwrap_or_default();
        format!(
            "scripts/sim.sh --seed {} --steps {}{bug}",
            self.seed, violation.step
        )
    }

    /// The one JSON line.
    pub fn json_line(&self) -> String {
        let violations: Vec<serde_json::Value> = self
            .violations
            .iter()
            .map(|v| {
                json!({
                    "invariant": v.invariant,
                    "step": v.step,
                    "detail": v.detail,
                    "replay": self.replay(v),
                })
            })
            .collect();
        json!({
            "seed": self.seed,
            "steps": self.steps,
            "trace_hash": self.trace_hash,
            "movements": self.movements,
            "crashes": self.crashes,
            "faults": self.faults,
            "violations": violations,
            "state_digest": self.state_digest,
        })
        .to_string()
    }
}

/// Where the final reads come from: an address no simulated client uses.
const AUDITOR: SocketAddr = SocketAddr::new(
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 1, 1)),
    40_000,
);

/// A digest of the server's own values at the end, which the trace leaves out: the journal log's
/// signed checkpoint (its root covers every journal line, with the entry ids made from the
/// movements' UUIDv7s and the accounts' salts), every holder's history (movement ids, times,
/// references) read with their session token, and the tokens, API keys and webhook secrets the
/// server issued. Two runs of one seed agree on it only if ids, tokens and timestamps replay too.
/// Reading publishes a checkpoint if the log grew since the last: after the run, so nothing of
/// it reaches the trace.
pub fn state_digest(world: &World) -> Option<String> {
    let node = world.node().ok()?;
    let mut digest = Sha256::new();
    let mut read = |call: Call| {
        let reply = node.call(call)?;
        digest.update(format!("{} {}\n", reply.status, reply.body).as_bytes());
        Some(())
    };
    read(Call::new(Method::GET, "/v1/proofs/checkpoint", AUDITOR))?;
    for holder in &world.model.holders {
        read(Call::new(Method::GET, "/v1/me/transactions", holder.peer).bearer(&holder.token))?;
    }
    for holder in &world.model.holders {
        digest.update(format!("holder {}\n", holder.token).as_bytes());
    }
    for merchant in &world.model.merchants {
        let secret = merchant.webhook_secret.as_deref().unwrap_or("");
        digest.update(format!("merchant {} {secret}\n", merchant.api_key).as_bytes());
    }
    Some(hex::encode(digest.finalize()))
}
