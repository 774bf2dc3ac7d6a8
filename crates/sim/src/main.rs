//! `qianbao-sim --seed N [--steps K] [--trace] [--bug NAME]`: runs one simulation and prints one
//! JSON line last; exits 1 when an invariant broke, 2 when the simulation could not run.

use std::process::ExitCode;

/// Steps when `--steps` is not given.
const STEPS_DEFAULT: u64 = 200;

fn usage() -> ExitCode {
    eprintln!("usage: qianbao-sim --seed N [--steps K] [--trace] [--bug NAME]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = qianbao_sim::Config {
        seed: 0,
        steps: STEPS_DEFAULT,
        keep_trace: false,
        bug: None,
    };
    let mut seeded = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let number = |value: Option<String>| value.and_then(|v| v.parse::<u64>().ok());
        match arg.as_str() {
            "--seed" => match number(args.next()) {
                Some(seed) => {
                    config.seed = seed;
                    seeded = true;
                }
                None => return usage(),
            },
            "--steps" => match number(args.next()) {
                Some(steps) => config.steps = steps,
                None => return usage(),
            },
            "--trace" => config.keep_trace = true,
            "--bug" => match args.next() {
                Some(bug) => config.bug = Some(bug),
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    if !seeded {
        return usage();
    }
    let started = std::time::Instant::now();
    let outcome = match qianbao_sim::run(&config) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("qianbao-sim: {e}");
            return ExitCode::from(2);
        }
    };
    for line in &outcome.trace {
        eprintln!("{line}");
    }
    for v in &outcome.violations {
        eprintln!(
            "VIOLATION {} at step {}: {}\n  replay: {}",
            v.invariant,
            v.step,
            v.detail,
            outcome.replay(v)
        );
    }
    eprintln!(
        "qianbao-sim: seed {} ran {} steps in {} ms",
        outcome.seed,
        outcome.steps,
        started.elapsed().as_millis()
    );
    println!("{}", outcome.json_line());
    if outcome.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
