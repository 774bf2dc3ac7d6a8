//! The outcome of one simulation and its one JSON line: `{seed, steps, trace_hash, movements,
//! crashes, faults, violations: [...]}`, each violation with its invariant, step, what was seen
//! and the shortest command that replays it.

use crate::Config;
use crate::world::{Violation, World};
use serde_json::json;

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
        })
        .to_string()
    }
}
