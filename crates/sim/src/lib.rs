//! A deterministic simulation of the whole wallet. From one `u64` seed it boots the real server
//! (the axum router with every layer, the real SQLite store in a temporary folder, the sandbox
//! bank, SMS gateway and identity verifier) in this process, and drives it with simulated holders
//! and shops, faults (misbehaving bank cards, lost replies, resends with the same
//! `Idempotency-Key`, refused webhooks, crashes with a restart on the same files) and a simulated
//! clock that jumps across timers, days and months — checking invariants after every step.
//! The same seed gives the same trace, byte for byte. See docs/simulation.md.

mod actions;
mod bank;
mod checks;
pub mod client;
pub mod clock;
mod features;
pub mod model;
mod node;
pub mod people;
mod policy;
pub mod report;
pub mod rng;
pub mod trace;
mod webhooks;
pub mod world;

pub use report::Outcome;
pub use world::Violation;

/// Steps between two full checks (the ledger verified, every acknowledged movement looked up):
/// often enough to name the step near a fault, rarely enough that they do not dominate a run.
const FULL_CHECK_EVERY: u64 = 25;
/// Rounds of the background work at the end, each three hours after the last: enough for every
/// delayed transfer, bank reconciliation and webhook retry to finish, and for every red packet's
/// day to pass.
const SETTLE_ROUNDS: u32 = 10;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Config {
    /// The seed everything comes from.
    pub seed: u64,
    /// How many steps of the workload to run.
    pub steps: u64,
    /// Whether to keep the trace's lines (to print them).
    pub keep_trace: bool,
    /// A re-introduced bug to run with (`bugs` feature only; see `qianbao_wallet::sim_bugs`).
    pub bug: Option<String>,
}

/// Runs one simulation. Violations are in the outcome; `Err` means the simulation itself could
/// not run (no temporary folder, say).
pub fn run(config: &Config) -> Result<Outcome, String> {
    set_bug(config.bug.as_deref())?;
    let mut world = world::World::new(config.seed, config.keep_trace)?;
    let ran = drive(&mut world, config.steps);
    if let Err(e) = ran {
        // A restart that fails, say: reported as what it is, at the step it happened.
        world.violation("simulation_runs", e);
    }
    set_bug(None)?;
    Ok(Outcome::of(&world, config))
}

/// The steps, then the settling and the full checks at the end; stops at the first step with a
/// violation, so that step is the shortest replay.
fn drive(world: &mut world::World, steps: u64) -> Result<(), String> {
    for step in 1..=steps {
        world.step = step;
        let crashes = world.crashes;
        let touched = world.act()?;
        world.check_balances(&touched);
        if world.crashes != crashes || step % FULL_CHECK_EVERY == 0 {
            world.check_ledger()?;
            world.check_acknowledged();
            world.check_timers();
        }
        if !world.violations.is_empty() {
            return Ok(());
        }
    }
    world.note("settle".into());
    for _ in 0..SETTLE_ROUNDS {
        world.clock.advance_ms(3 * 3_600_000);
        world.background()?;
    }
    let everyone: Vec<usize> = (0..world.model.holders.len()).collect();
    world.check_balances(&everyone);
    world.check_ledger()?;
    world.check_acknowledged();
    world.check_timers();
    world.check_webhooks();
    if !world.model.pending.is_empty() {
        let left = world.model.pending.len();
        world.violation(
            "pending_finishes",
            format!("{left} movements still pending a day after the last step"),
        );
    }
    let unreturned = world.model.packets.iter().filter(|p| !p.finished()).count();
    if unreturned > 0 {
        world.violation(
            "timer_fires_once",
            format!("{unreturned} red packets past their day were never returned"),
        );
    }
    Ok(())
}

/// Turns the named re-introduced bug on (or all off with `None`).
#[cfg(feature = "bugs")]
fn set_bug(name: Option<&str>) -> Result<(), String> {
    use qianbao_wallet::sim_bugs::Bug;
    let bug = match name {
        None => None,
        Some(name) => Some(Bug::parse(name).ok_or_else(|| {
            let known: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
            format!("no bug {name:?}; the bugs are {}", known.join(", "))
        })?),
    };
    qianbao_wallet::sim_bugs::set(bug);
    Ok(())
}

/// Without the `bugs` feature there are no bugs to turn on.
#[cfg(not(feature = "bugs"))]
fn set_bug(name: Option<&str>) -> Result<(), String> {
    match name {
        None => Ok(()),
        Some(name) => Err(format!(
            "--bug {name} needs a build with the `bugs` feature (scripts/sim.sh --bug does that)"
        )),
    }
}
