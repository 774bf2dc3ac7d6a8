#!/usr/bin/env bash
# The deterministic simulation (docs/simulation.md): builds crates/sim and runs one seed.
#
#   scripts/sim.sh --seed N [--steps K] [--trace] [--bug NAME]
#
# Prints one JSON line last — {seed, steps, trace_hash, movements, crashes, faults, violations} —
# and exits 1 when an invariant broke, printing each violation's replay command before it.
# `--trace` prints every line of the trace to stderr; `--bug NAME` builds with the test-only
# `bugs` feature and turns that re-introduced bug on (names: crates/wallet/src/sim_bugs.rs).
#
# A debug build: it shares the test suite's build cache (`cargo test` builds the same profile), so
# after a test run it links in seconds, where a release build would compile everything again.
set -euo pipefail
cd "$(dirname "$0")/.."

features=()
for arg in "$@"; do
  if [ "$arg" = "--bug" ]; then features=(--features bugs); fi
done
cargo build --quiet -p qianbao-sim --bin qianbao-sim "${features[@]}"
exec "${CARGO_TARGET_DIR:-target}/debug/qianbao-sim" "$@"
