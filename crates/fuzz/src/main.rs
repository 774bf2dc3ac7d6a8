//! `qianbao-fuzz <target|all|list> [--seconds N | --cases N] [--seed S] [--case I]`
//!
//! Runs fuzz targets for a fixed time (default 10 s each) or number of cases, prints the seed
//! first and each target's rate, and exits 1 if any case panicked or broke a property, after
//! printing the target, seed, case number and input (debug and hex) of each finding.

use qianbao_fuzz::{Budget, Target, run, run_case, target, targets};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the command line asked for.
struct Args {
    /// Target names to run.
    targets: Vec<&'static Target>,
    /// How long each runs.
    budget: Budget,
    /// The run's seed.
    seed: u64,
    /// Replay just this case.
    case: Option<u64>,
}

/// The usage text.
const USAGE: &str =
    "usage: qianbao-fuzz <target|all|list> [--seconds N | --cases N] [--seed S] [--case I]";

/// A seed from the clock and the process id, for runs that were not given one.
fn fresh_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    qianbao_fuzz::generate::mix(nanos ^ u64::from(std::process::id()).rotate_left(32))
}

/// Parses a number given as decimal or `0x` hex.
fn number(flag: &str, value: Option<String>) -> Result<u64, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    parsed.map_err(|_| format!("{flag} {value:?} is not a number"))
}

/// Reads the command line.
fn parse_args() -> Result<Option<Args>, String> {
    let mut args = std::env::args().skip(1);
    let which = args.next().ok_or(USAGE)?;
    let chosen: Vec<&'static Target> = match which.as_str() {
        "list" => {
            for t in targets() {
                println!("{:<13} {}", t.name, t.about);
            }
            return Ok(None);
        }
        "-h" | "--help" => {
            println!("{USAGE}");
            return Ok(None);
        }
        "all" => targets().iter().collect(),
        name => vec![target(name).ok_or_else(|| format!("no target {name:?} (try `list`)"))?],
    };
    let mut parsed = Args {
        targets: chosen,
        budget: Budget::Time(Duration::from_secs(10)),
        seed: fresh_seed(),
        case: None,
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--seconds" => {
                parsed.budget = Budget::Time(Duration::from_secs(number(&flag, args.next())?));
            }
            "--cases" => parsed.budget = Budget::Cases(number(&flag, args.next())?),
            "--seed" => parsed.seed = number(&flag, args.next())?,
            "--case" => parsed.case = Some(number(&flag, args.next())?),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Some(parsed))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    println!("seed: {}", args.seed);
    let mut findings = 0;
    for t in &args.targets {
        if let Some(case) = args.case {
            match run_case(t, args.seed, case) {
                Ok(()) => println!("{:<13} case {case} passed", t.name),
                Err(finding) => {
                    findings += 1;
                    println!("{finding}");
                }
            }
            continue;
        }
        match run(t, args.seed, args.budget) {
            Ok(stats) => println!(
                "{:<13} {:>10} cases in {:>6.1} s  {:>9.0} cases/s  ok",
                t.name,
                stats.cases,
                stats.elapsed.as_secs_f64(),
                stats.rate()
            ),
            Err(finding) => {
                findings += 1;
                println!("{finding}");
            }
        }
    }
    if findings > 0 {
        println!("{findings} finding(s)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
