//! Fuzz targets for every parser in qianbao, on stable Rust and without libFuzzer.
//!
//! The fuzzer is structure-aware but coverage-less: each case draws from a seeded SplitMix64
//! ([`generate::Rng`]) a mix of (a) hostile random text and bytes, (b) valid values built from the
//! grammar (phones, ID numbers with the right check character, Luhn-valid cards, payloads, signed
//! webhook headers, seed images) and mutations of them, and (c) boundary numbers. Each target
//! calls its parser inside [`std::panic::catch_unwind`] and checks properties that must hold, such
//! as "whatever parses re-encodes to something that parses to the same value".
//!
//! Case `n` of a run with seed `s` is generated from `(s, n)` alone, so any finding replays with
//! `scripts/fuzz.sh <target> --seed s --case n`. See this crate's README for the targets.

pub mod generate;
mod targets;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::time::{Duration, Instant};

pub use generate::Rng;

/// What one case fed the parser, recorded before the parser runs so that a panic can show it.
#[derive(Clone, Debug, Default)]
pub struct Case {
    /// The main input (text as its UTF-8 bytes).
    pub input: Vec<u8>,
    /// Everything else the call took (dates, secrets, the body beside a header), for the report.
    pub context: String,
}

impl Case {
    /// Records `text` as the input.
    pub fn text(&mut self, text: &str) {
        self.input = text.as_bytes().to_vec();
    }

    /// Records `bytes` as the input.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.input = bytes.to_vec();
    }

    /// Adds a `name=value` note to the context.
    pub fn note(&mut self, name: &str, value: impl fmt::Debug) {
        if !self.context.is_empty() {
            self.context.push_str(", ");
        }
        self.context.push_str(&format!("{name}={value:?}"));
    }
}

/// The result of one case: `Err` names the property that failed.
pub type Check = Result<(), String>;

/// Fails with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Check {
    if condition { Ok(()) } else { Err(message()) }
}

/// One fuzz target: a parser, how to make inputs for it and what must hold of its answers.
pub struct Target {
    /// The name on the command line.
    pub name: &'static str,
    /// One line on what is fuzzed and checked.
    pub about: &'static str,
    /// Generates one case from the generator, records it in the `Case`, runs and checks it.
    pub run: fn(&mut Rng, &mut Case) -> Check,
    /// Cases the unit test runs (each target's is sized to stay well under two seconds).
    pub test_cases: u64,
}

/// Every target, in the order `all` runs them.
pub fn targets() -> &'static [Target] {
    targets::ALL
}

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    targets().iter().find(|t| t.name == name)
}

/// A case that panicked or broke a property.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The target's name.
    pub target: &'static str,
    /// The run's seed.
    pub seed: u64,
    /// The case's number within the run.
    pub case: u64,
    /// What was fed in.
    pub input: Case,
    /// The panic message (with its location) or the property that failed.
    pub failure: String,
    /// Whether the parser (or a property check) panicked, as opposed to a property failing.
    pub panicked: bool,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.panicked {
            "PANIC"
        } else {
            "PROPERTY FAILED"
        };
        writeln!(
            f,
            "FINDING in target `{}`: {kind}: {}",
            self.target, self.failure
        )?;
        writeln!(f, "  seed:    {}", self.seed)?;
        writeln!(f, "  case:    {}", self.case)?;
        writeln!(f, "  input ({} bytes):", self.input.input.len())?;
        match std::str::from_utf8(&self.input.input) {
            Ok(text) => writeln!(f, "    debug: {}", shorten(&format!("{text:?}")))?,
            Err(_) => writeln!(
                f,
                "    debug: {}",
                shorten(&format!("{:?}", self.input.input))
            )?,
        }
        writeln!(f, "    hex:   {}", shorten(&hex::encode(&self.input.input)))?;
        if !self.input.context.is_empty() {
            writeln!(f, "  context: {}", shorten(&self.input.context))?;
        }
        write!(
            f,
            "  replay:  scripts/fuzz.sh {} --seed {} --case {}",
            self.target, self.seed, self.case
        )
    }
}

/// Cuts very long renderings (a 100 KB input) to something a terminal can show; the replay
/// command reproduces the whole input.
fn shorten(text: &str) -> String {
    const MAX: usize = 4000;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}

/// How long a run lasts.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    /// This many cases.
    Cases(u64),
    /// Until this much time has passed.
    Time(Duration),
}

/// What a run did.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Cases run.
    pub cases: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl Stats {
    /// Cases per second.
    pub fn rate(&self) -> f64 {
        #[allow(clippy::float_arithmetic)]
        let rate = self.cases as f64 / self.elapsed.as_secs_f64().max(1e-9);
        rate
    }
}

thread_local! {
    /// Whether this thread is running a case, so the panic hook keeps quiet and records instead.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// The last panic's message and location on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records panics raised inside a case and passes every other
/// panic (a failing test's assertion, say) to the hook that was there before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(a panic without a message)".to_owned());
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{location}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs case `case` of the run with `seed` once.
pub fn run_case(target: &Target, seed: u64, case: u64) -> Result<(), Finding> {
    install_panic_hook();
    let mut rng = Rng::for_case(seed, case);
    let mut input = Case::default();
    CAPTURING.with(|c| c.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&mut rng, &mut input)));
    CAPTURING.with(|c| c.set(false));
    let (failure, panicked) = match outcome {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(property)) => (property, false),
        Err(_) => (
            LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "(panic message lost)".to_owned()),
            true,
        ),
    };
    Err(Finding {
        target: target.name,
        seed,
        case,
        input,
        failure,
        panicked,
    })
}

/// Runs cases 0, 1, 2, … of `target` with `seed` until the budget is spent or a case fails.
pub fn run(target: &Target, seed: u64, budget: Budget) -> Result<Stats, Box<Finding>> {
    let start = Instant::now();
    let mut case = 0u64;
    loop {
        let done = match budget {
            Budget::Cases(n) => case >= n,
            // Checking the clock every case costs tens of nanoseconds; the cheapest targets run
            // a few hundred thousand cases a second, so look every 64 cases.
            Budget::Time(limit) => case.is_multiple_of(64) && start.elapsed() >= limit,
        };
        if done {
            return Ok(Stats {
                cases: case,
                elapsed: start.elapsed(),
            });
        }
        run_case(target, seed, case).map_err(Box::new)?;
        case += 1;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A fixed seed, so `cargo test` is repeatable; the script draws fresh ones.
    const SEED: u64 = 0x5EED_2025;

    fn fuzz(name: &str) {
        let target = target(name).unwrap();
        if let Err(finding) = run(target, SEED, Budget::Cases(target.test_cases)) {
            panic!("{finding}");
        }
    }

    #[test]
    fn every_target_has_a_unique_name_and_a_test_below() {
        let names: Vec<&str> = targets().iter().map(|t| t.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert_eq!(names.len(), 15, "add a #[test] for the new target");
    }

    #[test]
    fn a_panic_is_caught_and_reported_with_its_input() {
        let target = Target {
            name: "boom",
            about: "panics on purpose",
            run: |rng, case| {
                case.text("13812345678");
                case.note("n", rng.below(10));
                panic!("boom");
            },
            test_cases: 1,
        };
        let finding = run(&target, 1, Budget::Cases(5)).unwrap_err();
        assert!(finding.panicked);
        assert!(
            finding.failure.starts_with("boom at "),
            "{}",
            finding.failure
        );
        assert_eq!(finding.case, 0);
        let report = finding.to_string();
        assert!(report.contains("\"13812345678\""), "{report}");
        assert!(report.contains("3133383132333435363738"), "{report}");
        assert!(report.contains("--seed 1 --case 0"), "{report}");
    }

    #[test]
    fn a_property_failure_is_reported_without_a_panic() {
        let target = Target {
            name: "false",
            about: "fails on case 3",
            run: |_, _| Ok(()),
            test_cases: 1,
        };
        assert_eq!(run(&target, 1, Budget::Cases(10)).unwrap().cases, 10);
        let failing = Target {
            run: |rng, _| ensure(rng.below(4) != 3, || "drew a three".into()),
            ..target
        };
        let finding = run(&failing, 1, Budget::Cases(1000)).unwrap_err();
        assert!(!finding.panicked);
        assert_eq!(finding.failure, "drew a three");
        assert!(run_case(&failing, 1, finding.case).is_err());
    }

    #[test]
    fn phone() {
        fuzz("phone");
    }

    #[test]
    fn id_number() {
        fuzz("id_number");
    }

    #[test]
    fn card_number() {
        fuzz("card_number");
    }

    #[test]
    fn pin() {
        fuzz("pin");
    }

    #[test]
    fn password() {
        fuzz("password");
    }

    #[test]
    fn legal_name() {
        fuzz("legal_name");
    }

    #[test]
    fn photo() {
        fuzz("photo");
    }

    #[test]
    fn payload() {
        fuzz("payload");
    }

    #[test]
    fn emvco() {
        fuzz("emvco");
    }

    #[test]
    fn payment_code() {
        fuzz("payment_code");
    }

    #[test]
    fn instruction() {
        fuzz("instruction");
    }

    #[test]
    fn amount() {
        fuzz("amount");
    }

    #[test]
    fn names() {
        fuzz("names");
    }

    #[test]
    fn signature() {
        fuzz("signature");
    }

    #[test]
    fn statement() {
        fuzz("statement");
    }
}
