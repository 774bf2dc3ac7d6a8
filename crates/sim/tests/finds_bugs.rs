//! The simulation catches real bug classes: each re-introduced bug (the test-only `bugs`
//! feature, `qianbao_wallet::sim_bugs`) is found within a small budget of seeds, by the invariant
//! that should find it. Run with `cargo test -p qianbao-sim --features bugs --test finds_bugs`.

use qianbao_sim::{Config, run};

/// Seeds tried per bug before the test gives up.
const SEED_BUDGET: u64 = 8;
/// Steps per seed.
const STEPS: u64 = 200;

/// The first seed in the budget at which the simulation with `bug` on reports a violation, with
/// the invariants it names.
fn first_catch(bug: Option<&str>) -> Option<(u64, Vec<&'static str>, String)> {
    (1..=SEED_BUDGET).find_map(|seed| {
        let config = Config {
            seed,
            steps: STEPS,
            keep_trace: false,
            bug: bug.map(str::to_string),
        };
        let outcome = run(&config).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        (!outcome.violations.is_empty()).then(|| {
            let names = outcome.violations.iter().map(|v| v.invariant).collect();
            (seed, names, outcome.json_line())
        })
    })
}

// One test, so the process-wide switch is never flipped under another test's feet.
#[test]
fn every_reintroduced_bug_is_caught_within_the_seed_budget() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "refund-ignores-earlier-refunds",
            &["refund_within_payment", "refunds_match_model"],
        ),
        (
            "replay-posts-again",
            &["idempotent_replay", "balance_matches_model"],
        ),
        (
            "refused-payout-keeps-hold",
            &["balance_matches_model", "ledger_verifies"],
        ),
    ];
    for (bug, expected) in cases {
        let Some((seed, names, line)) = first_catch(Some(bug)) else {
            panic!("{bug}: not caught in {SEED_BUDGET} seeds of {STEPS} steps");
        };
        println!("{bug}: caught at seed {seed}: {line}");
        assert!(
            names.iter().any(|n| expected.contains(n)),
            "{bug}: caught by {names:?}, expected one of {expected:?}"
        );
    }
    // The same build with no bug on holds: what was caught was the bug, not the build.
    assert_eq!(first_catch(None).map(|c| c.2), None);
}
