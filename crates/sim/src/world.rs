//! The simulation's world: the seed's random numbers, the clock, the server (booted, crashed and
//! booted again over the same folder), the model, the trace and the violations found. Actions
//! (`actions.rs`) and invariants (`checks.rs`) are methods on it.

use crate::bank::{BankFault, BankPlan};
use crate::client::{Call, Reply};
use crate::clock::{EPOCH_MS, SimClock};
use crate::model::Model;
use crate::node::Node;
use crate::rng::Rng;
use crate::trace::Trace;
use crate::webhooks::Receiver;
use axum::http::Method;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name (see docs/simulation.md).
    pub invariant: &'static str,
    /// The step at which it was found.
    pub step: u64,
    /// What was seen.
    pub detail: String,
}

/// How often, in percent, a money call's reply is lost (the client retries with the same key).
const LOST_REPLY_PERCENT: u64 = 8;
/// How often, in percent, a client sends a money call twice though it got the reply.
const DUPLICATE_PERCENT: u64 = 6;
/// How often, in percent, a lost reply is lost because the server crashed right after answering.
const CRASH_ON_LOST_REPLY_PERCENT: u64 = 30;
/// How often, in percent, a webhook receiver answers an error.
const WEBHOOK_REFUSE_PERCENT: u64 = 20;
/// How long a client waits before sending again a call answered `idempotency_in_progress`:
/// past the policy's 60 s after which a running attempt counts as crashed and may be taken over.
const IN_PROGRESS_WAIT_MS: i64 = 61_000;
/// How many times a client sends one call at most.
const SENDS_MAX: u32 = 4;
/// How often, in percent, a client tries a step-up code it used on another payment.
const REUSE_SECOND_FACTOR_PERCENT: u64 = 25;
/// How often, in percent, the server crashes inside a money call (see `SimClock::arm_crash`).
const CRASH_IN_REQUEST_PERCENT: u64 = 5;
/// How often, in percent, it crashes inside a pass of the background work.
const CRASH_IN_BACKGROUND_PERCENT: u64 = 8;
/// The points a crash inside a request is chosen among: the server's first reads of the clock
/// while it runs the call (a money call reads it a dozen times or so; one that reads it fewer
/// times finishes unharmed).
const CRASH_AT_MAX: i64 = 14;

/// A temporary folder for one simulation's files, removed when the simulation ends.
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Everything one simulation holds.
pub struct World {
    /// The seed everything comes from.
    pub seed: u64,
    /// The workload's and the faults' choices.
    pub rng: Rng,
    /// The simulated wall clock.
    pub clock: Arc<SimClock>,
    /// The server now running; `None` only while crashed.
    node: Option<Node>,
    /// The merchants' webhook receivers (outside the server: they outlive its crashes).
    pub receiver: Arc<Receiver>,
    /// The bank's planned faults (outside the server too).
    pub bank: Arc<BankPlan>,
    master_key_hex: String,
    folder: Folder,
    /// What the server should hold.
    pub model: Model,
    /// What happened, hashed.
    pub trace: Trace,
    /// The step being run (1-based).
    pub step: u64,
    /// Movements acknowledged.
    pub movements: u64,
    /// Crashes and restarts.
    pub crashes: u64,
    /// Faults injected: lost replies, duplicate sends, calls on misbehaving cards, refused webhooks.
    pub faults: u64,
    /// Idempotency keys handed out.
    keys: u64,
    /// A crash planned for the next request or background pass: at its n-th suspension.
    crash_at: Option<u32>,
    /// Every violation found.
    pub violations: Vec<Violation>,
}

impl World {
    /// A fresh world for `seed`, its server booted over a new folder under the system's
    /// temporary directory.
    pub fn new(seed: u64, keep_trace: bool) -> Result<World, String> {
        crate::clock::quiet_simulated_crashes();
        let mut rng = Rng::new(seed);
        // Its own stream, so the receivers' choices do not shift the workload's.
        let receiver = Arc::new(Receiver::new(
            Rng::new(seed ^ 0x5EED_0FAB_0B0E),
            WEBHOOK_REFUSE_PERCENT,
        ));
        let master_key_hex = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64()
        );
        // The folder's name is the one thing not from the seed: two runs of one seed at once
        // (the determinism test) must not share files. Nothing of it reaches the trace.
        let dir = std::env::temp_dir().join(format!(
            "qianbao-sim-{seed}-{}-{}",
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        let folder = Folder(dir);
        let clock = Arc::new(SimClock::at(EPOCH_MS));
        let bank = Arc::new(BankPlan::default());
        let node = Node::boot(
            &folder.0,
            clock.clone(),
            &master_key_hex,
            receiver.clone(),
            bank.clone(),
        )?;
        Ok(World {
            seed,
            rng,
            clock,
            node: Some(node),
            receiver,
            bank,
            master_key_hex,
            folder,
            model: Model::default(),
            trace: Trace::new(keep_trace),
            step: 0,
            movements: 0,
            crashes: 0,
            faults: 0,
            keys: 0,
            crash_at: None,
            violations: Vec::new(),
        })
    }

    /// The running server.
    pub fn node(&self) -> Result<&Node, String> {
        self.node
            .as_ref()
            .ok_or_else(|| "the server is down".to_string())
    }

    /// Sends `call`, as one request of one client. When the server dies on the way (a planned
    /// bank fault), it is restarted and the client sees no reply: status 0.
    pub fn call(&mut self, call: Call) -> Reply {
        let crash_at = self.crash_at.take();
        let node = match self.node() {
            Ok(node) => node,
            Err(e) => {
                return Reply {
                    status: 0,
                    body: serde_json::Value::String(e),
                };
            }
        };
        if let Some(n) = crash_at {
            self.clock.arm_crash(i64::from(n));
        }
        // A planned crash that unwinds past the router's own panic layer (from middleware, say)
        // ends here; the server is dropped below either way.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| node.call(call))).ok();
        let crashed = self.clock.disarm();
        match reply.flatten().filter(|_| !crashed) {
            Some(reply) => reply,
            None => {
                self.note(match crash_at {
                    Some(n) => format!("the server died mid-request (clock read {n})"),
                    None => "the server died mid-request".into(),
                });
                if let Err(e) = self.crash_and_restart() {
                    self.violation("restart_works", e);
                }
                Reply {
                    status: 0,
                    body: serde_json::Value::String("no reply: the server died".into()),
                }
            }
        }
    }

    /// Runs one pass of the background work; a server that dies during it (a planned bank
    /// fault) is restarted.
    pub fn tick_node(&mut self) -> Result<(), String> {
        let crash_at = self.crash_at.take();
        let node = self.node()?;
        if let Some(n) = crash_at {
            self.clock.arm_crash(i64::from(n));
        }
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| node.tick()));
        let crashed = self.clock.disarm();
        if crashed || !done.unwrap_or(false) {
            self.note(match crash_at {
                Some(n) => format!("the server died in its background work (clock read {n})"),
                None => "the server died in its background work".into(),
            });
            self.crash_and_restart()?;
        }
        Ok(())
    }

    /// Plans, `percent` times in a hundred, a crash inside the next request or background pass,
    /// at the server's n-th read of the clock (a seeded n among the first few).
    pub fn maybe_crash_inside(&mut self, percent: u64) {
        if self.rng.chance(percent) {
            let n = self.rng.between(1, CRASH_AT_MAX);
            self.crash_at = u32::try_from(n).ok();
        }
    }

    /// Whether a crash inside the next request or background pass is planned.
    pub fn crash_planned(&self) -> bool {
        self.crash_at.is_some()
    }

    /// Plans, in the simulation's share of background passes, a crash inside the next one.
    pub fn maybe_crash_in_background(&mut self) {
        self.maybe_crash_inside(CRASH_IN_BACKGROUND_PERCENT);
    }

    /// Plans, `percent` times in a hundred, a fault of the bank's for the next movement asked
    /// of it.
    pub fn maybe_bank_fault(&mut self, percent: u64) {
        if self.rng.chance(percent) {
            let fault = match self.rng.weighted(&[30, 30, 20, 20]) {
                0 => BankFault::Down,
                1 => BankFault::AnswerLost,
                2 => BankFault::CrashBefore,
                _ => BankFault::CrashAfter,
            };
            self.bank.plan(fault);
        }
    }

    /// Forgets an unplayed bank fault, and counts and notes the one played.
    pub fn settle_bank_fault(&mut self) {
        if let Some((fault, call)) = self.bank.settle() {
            self.faults += 1;
            self.note(format!("bank fault {fault:?} on {call}"));
        }
    }

    /// How many keys were handed out so far: a counter that makes memos unique.
    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// A new `Idempotency-Key`.
    pub fn new_key(&mut self) -> String {
        self.keys += 1;
        format!("sim-{:x}-{}", self.seed, self.keys)
    }

    /// Records a broken invariant at this step.
    pub fn violation(&mut self, invariant: &'static str, detail: String) {
        self.trace
            .line(format!("{} VIOLATION {invariant}", self.step));
        self.violations.push(Violation {
            invariant,
            step: self.step,
            detail,
        });
    }

    /// Adds a line to the trace, prefixed with the step.
    pub fn note(&mut self, text: String) {
        self.trace.line(format!("{} {text}", self.step));
    }

    /// Crashes the server — the runtime with its tasks, the router, the store with its threads —
    /// and boots it again over the same files.
    pub fn crash_and_restart(&mut self) -> Result<(), String> {
        self.crashes += 1;
        drop(self.node.take());
        self.note("crash; restart".into());
        self.node = Some(Node::boot(
            &self.folder.0,
            self.clock.clone(),
            &self.master_key_hex,
            self.receiver.clone(),
            self.bank.clone(),
        )?);
        Ok(())
    }

    /// Sends a money call the way a flaky network and an impatient client do: sometimes the
    /// reply is lost (and sometimes because the server crashed right after answering), sometimes
    /// the client sends it twice; every resend carries the same `Idempotency-Key`. Answers the
    /// reply the client finally saw, and checks that a resend of an acknowledged call was
    /// answered with the same movement, never a new one (`idempotent_replay`).
    ///
    /// A call risk control answers `step_up_required` is sent again as the app does: with a
    /// fresh SMS code of purpose `step_up` as its `second_factor`, under the same key.
    pub fn money_call(&mut self, call: Call, id_field: &str) -> Result<Reply, String> {
        let reply = self.money_call_once(call.clone(), id_field)?;
        if reply.code() != "step_up_required" {
            return Ok(reply);
        }
        let Some(holder) = self
            .model
            .holders
            .iter()
            .find(|h| Some(&h.token) == call.bearer.as_ref())
            .cloned()
        else {
            return Ok(reply);
        };
        // Past the resend wait of any code this phone was sent a moment ago.
        self.clock.advance_ms(61_000);
        let sent = self.call(
            Call::new(Method::POST, "/v1/otp", holder.peer)
                .json(json!({"phone": holder.phone, "purpose": "step_up"})),
        );
        self.note(format!("step-up code: {}", sent.summary()));
        if sent.status != 202 {
            return Ok(reply);
        }
        let otp = self.latest_code(&holder.phone, holder.peer);
        let mut proven = call;
        if let Some(body) = &mut proven.body {
            body["second_factor"] = json!({ "otp": otp });
        }
        let reply = self.money_call_once(proven.clone(), id_field)?;
        if reply.ok() && self.rng.chance(REUSE_SECOND_FACTOR_PERCENT) {
            // The same call again under a new key with the code just used: a large payment
            // needs a second factor every time, and this one is spent.
            let key = self.new_key();
            let again = self.call(proven.key(&key));
            self.note(format!(
                "the same payment with the used step-up code: {}",
                again.summary()
            ));
            if again.ok() {
                self.violation(
                    "code_used_once",
                    "a step-up SMS code confirmed a second payment".into(),
                );
            }
        }
        Ok(reply)
    }

    /// One money call with its resends (see `money_call`).
    fn money_call_once(&mut self, call: Call, id_field: &str) -> Result<Reply, String> {
        self.maybe_crash_inside(CRASH_IN_REQUEST_PERCENT);
        let first = self.send_until_answered(&call);
        let died = first.status == 0;
        let lost = died || self.rng.chance(LOST_REPLY_PERCENT);
        let twice = !lost && self.rng.chance(DUPLICATE_PERCENT);
        if !lost && !twice {
            return Ok(first);
        }
        if !died {
            self.faults += 1;
        }
        if lost {
            self.note(format!("reply lost ({})", first.summary()));
            if !died && self.rng.chance(CRASH_ON_LOST_REPLY_PERCENT) {
                self.crash_and_restart()?;
            }
        } else {
            self.note(format!("sent twice ({})", first.summary()));
        }
        let mut again = self.send_until_answered(&call);
        // A client that got no answer at all (the server died again under the resend: a crash
        // inside the request, then the bank's) sends once more: until it has an answer, the call
        // may have been done or not, and only an answer tells which.
        let mut resends = 1;
        while again.status == 0 && resends < SENDS_MAX {
            self.note("no answer again; sends again".into());
            again = self.send_until_answered(&call);
            resends += 1;
        }
        if first.ok() {
            let same_movement = first.text(id_field) == again.text(id_field);
            if again.status != first.status || !same_movement {
                // No ids in the text: they come from the OS's randomness, and a violation's
                // line must read the same on every run of its seed.
                self.violation(
                    "idempotent_replay",
                    format!(
                        "a resend with the same Idempotency-Key answered {} {} {}, the first {}",
                        again.summary(),
                        again.body["status"].as_str().unwrap_or(""),
                        if same_movement {
                            "with the same movement"
                        } else {
                            "with another movement"
                        },
                        first.summary()
                    ),
                );
            }
        }
        Ok(again)
    }

    /// Sends `call` as a patient client does: a call answered `idempotency_in_progress` (an
    /// attempt of the same key still running, or crashed) or `bank_unavailable` (the bank did
    /// not answer; the docs say to send the same call again) is sent again a minute later —
    /// once a running attempt may be taken over — a few times at most.
    fn send_until_answered(&mut self, call: &Call) -> Reply {
        let mut reply = self.call(call.clone());
        let mut sends = 1;
        while matches!(reply.code(), "idempotency_in_progress" | "bank_unavailable")
            && sends < SENDS_MAX
        {
            self.note(format!("{}; waits and sends again", reply.code()));
            self.clock.advance_ms(IN_PROGRESS_WAIT_MS);
            reply = self.call(call.clone());
            sends += 1;
        }
        reply
    }
}

/// A number no other simulation in this process has had.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}
